"""``refute explore SPEC``: walk a spec's state space by hand, in a browser.

A small web server on the loopback interface (never another: it runs the spec's code on
request, so it must not be reachable from the network) serves one page and one JSON
endpoint. The page shows the current state (what the last step changed highlighted), which
invariants hold in it, and the actions enabled there; clicking one takes the step, "back"
undoes it, and the address is a link to the path walked.

A path is written as numbers: the initial state's position in ``init_states``, then for each
step the successor's position in ``next_states`` (the same ordinals the breadth-first search
stores, see :mod:`refute.engine.trace`), e.g. ``#0.3.1``. Each request replays the path from
the initial state, which is deterministic (``next_states`` must be, for the search's traces
too), so the server keeps no session and a link shows the same path to whoever opens it.
"""

from __future__ import annotations

import html
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


from refute.engine.model import Model
from refute.errors import RefuteError, UsageError
from refute.html_page import asset, page
from refute.report.html import STYLES, diff_value, e
from refute.report.values import show

__all__ = ["Explorer", "serve"]

LOOPBACK = "127.0.0.1"


class Explorer:
    """The state reached by a path, and what can happen next, as JSON-ready values."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._lock = threading.Lock()  # specs are not promised to be thread-safe

    def view(self, path: list[int]) -> dict[str, Any]:
        """Everything the page shows for ``path``; raises UsageError for a path that does
        not exist."""
        with self._lock:
            return self._view(path)

    def _view(self, path: list[int]) -> dict[str, Any]:
        model = self.model
        inits = model.init_states()
        if not path:
            return {"spec": model.name, "path": [], "trail": [], "state": None,
                    "successors": [{"ordinal": k, "label": f"initial state {k + 1}",
                                    "self": False} for k in range(len(inits))]}
        if not 0 <= path[0] < len(inits):
            raise UsageError(f"{model.name} has {len(inits)} initial state(s), not {path[0] + 1}")
        state = inits[path[0]]
        trail = [{"action": "initial state", "changes": []}]
        for depth, ordinal in enumerate(path[1:], start=1):
            successors = model.next_states(state)
            if not 0 <= ordinal < len(successors):
                raise UsageError(f"step {depth} of the path asks for successor {ordinal}, but "
                                 f"only {len(successors)} action instance(s) are enabled there")
            label, after = successors[ordinal]
            trail.append({"action": str(label), "changes": _changes(model, state, after)})
            state = after
        successors = model.next_states(state)
        return {
            "spec": model.name,
            "path": path,
            "trail": trail,
            "state": [[name, (model.format_value or show)(value)]
                      for name, value in model.describe_state(state).items()],
            "changed": [c[0].split("[", 1)[0].split(".", 1)[0] for c in trail[-1]["changes"]],
            "invariants": [_holds(p, state) for p in model.invariants],
            "successors": [{"ordinal": k, "label": str(label), "self": after == state}
                           for k, (label, after) in enumerate(successors)],
            "deadlock": not successors and not model.is_terminal(state),
            "terminal": not successors and model.is_terminal(state),
        }


def _changes(model: Model, before: Any, after: Any) -> list[list[str]]:
    old, new = model.describe_state(before), model.describe_state(after)
    out = []
    for name, value in new.items():
        if old.get(name) != value:
            out.extend([path, _plain(change)] for path, change in
                       diff_value(name, old.get(name), value))
    return out


def _plain(change_html: str) -> str:
    """The text of :func:`diff_value`'s HTML: the page inserts it as text, never as markup."""
    return html.unescape(re.sub(r"<[^>]*>", "", change_html))


def _holds(predicate: Any, state: Any) -> dict[str, Any]:
    try:
        return {"name": predicate.name, "holds": bool(predicate.test(state))}
    except Exception as exc:  # the page shows it; the walk goes on
        return {"name": predicate.name, "holds": False,
                "error": f"{type(exc).__name__}: {exc}"}


def parse_path(value: str) -> list[int]:
    """``"0.3.1"`` -> ``[0, 3, 1]``; the empty string is the empty path."""
    if not value:
        return []
    try:
        path = [int(part) for part in value.split(".")]
    except ValueError:
        raise UsageError(f"a path is numbers separated by dots, not {value!r}") from None
    if any(k < 0 for k in path):
        raise UsageError(f"a path has no negative numbers: {value!r}")
    return path


def serve(model: Model, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``model`` bound to 127.0.0.1:``port`` (0: any free port), not started:
    call ``serve_forever()``. Its address is ``server.server_address``."""
    explorer = Explorer(model)
    title = f"refute explore {model.name}"
    html_page = page(title, asset("explore.html").replace("{{title}}", e(title)),
                     styles=(*STYLES, "explore.css"), scripts=("explore.js",), connect=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host not in (LOOPBACK, "localhost"):
                # a page elsewhere may resolve its own name to 127.0.0.1 (DNS rebinding)
                self._send(HTTPStatus.FORBIDDEN, "text/plain", b"loopback only")
                return
            url = urlsplit(self.path)
            if url.path == "/":
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", html_page.encode())
            elif url.path == "/api/state":
                query = parse_qs(url.query)
                try:
                    body = explorer.view(parse_path(query.get("path", [""])[0]))
                    status = HTTPStatus.OK
                except RefuteError as error:
                    body, status = {"error": str(error)}, HTTPStatus.BAD_REQUEST
                self._send(status, "application/json",
                           json.dumps(body, default=str).encode())
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found")

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal shows the address, not every request

    server = ThreadingHTTPServer((LOOPBACK, port), Handler)
    server.daemon_threads = True
    return server


