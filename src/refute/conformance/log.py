"""Reading an implementation's log: one JSON object per line, one event per object.

An event names the action the implementation took, as the spec names it, and whatever part
of the state it could observe afterwards::

    {"action": "acquire", "client": 1, "token": 33, "holder": 1, "next_token": 34}
    {"action": "write", "args": {"client": 2, "token": 34}, "state": {"accepted": [34]}}

Top-level keys other than the reserved ones are resolved against the spec when the event is
matched: a key that names a parameter of the action is an argument, any other key an
observed variable (so when a parameter and a variable share a name, the flat key is the
argument; put the variable under ``"state"``). ``"args"`` and ``"state"`` say it explicitly;
``"meta"`` (timestamps, node names, anything) is ignored. An event whose ``"action"`` is
``null`` takes no step: it only observes the current state. Arguments the log leaves out and
variables it does not mention are unknown, and match anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from refute.errors import InputError
from refute.readers import parse_json_line

RESERVED = frozenset({"action", "args", "state", "meta"})


@dataclass(slots=True)
class Event:
    """One logged event. ``index`` counts events from 0; ``line`` is the 1-based line number.

    ``flat`` holds the top-level keys not yet known to be arguments or observations; the
    validator splits them once it knows the action's parameter names (:meth:`split`).
    """

    index: int
    line: int
    action: str | None
    args: dict[str, Any]
    state: dict[str, Any]
    flat: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def split(self, parameters: frozenset[str]) -> None:
        """Move flat keys into ``args`` (the action's parameters) or ``state`` (the rest)."""
        for key, value in self.flat.items():
            (self.args if key in parameters else self.state)[key] = value
        self.flat = {}


def parse_event(text: str, index: int, line: int, source: str) -> Event:
    """One line of a log as an :class:`Event`; an :class:`InputError` says what is wrong."""
    obj = parse_json_line(text, source, line, detail=_excerpt(text),
                          hint="write one JSON object per line (JSON Lines), e.g. "
                               '{"action": "acquire", "client": 1}')
    if type(obj) is not dict:
        raise InputError(f"expected a JSON object, found {_kind(obj)}", file=source, line=line,
                         detail=_excerpt(text),
                         hint='each line is one event: {"action": NAME, ARGUMENT: VALUE, ...}')
    if "action" not in obj:
        raise InputError('expected an "action" key naming the action the event stands for',
                         file=source, line=line, detail=_excerpt(text),
                         hint='add "action": "NAME" (as the spec names it), or "action": null '
                              "for an event that only observes the state")
    action = obj["action"]
    if action is not None and type(action) is not str:
        raise InputError(f'"action" must be a string or null, found {_kind(action)}',
                         file=source, line=line, detail=_excerpt(text))
    args = obj.get("args", {})
    state = obj.get("state", {})
    for key, value in (("args", args), ("state", state)):
        if type(value) is not dict:
            raise InputError(f'"{key}" must be a JSON object, found {_kind(value)}', file=source,
                             line=line, detail=_excerpt(text),
                             hint=f'write "{key}": {{"name": value, ...}}')
    flat = {k: v for k, v in obj.items() if k not in RESERVED}
    if action is None:
        state = {**state, **flat}
        flat = {}
    return Event(index, line, action, dict(args), dict(state), flat, obj)


def iter_log(source: str | IO[str] | Iterable[str], name: str | None = None) -> Iterator[Event]:
    """The events of a log file (a path, an open file, or lines), in order; blank lines skipped."""
    if isinstance(source, str):
        with open(source, encoding="utf-8") as handle:
            yield from iter_log(handle, name or source)
        return
    name = name or getattr(source, "name", None) or "<log>"
    index = 0
    for line, text in enumerate(source, start=1):
        if not text.strip():
            continue
        yield parse_event(text, index, line, name)
        index += 1


def read_log(source: str | IO[str] | Iterable[str], name: str | None = None) -> list[Event]:
    """Every event of a log; raises :class:`InputError` at the first malformed line."""
    try:
        return list(iter_log(source, name))
    except FileNotFoundError:
        raise InputError(f"no log file {source!r}", file=str(source),
                         hint="give the path of a JSON Lines file written by "
                              "refute.conformance.Tracer (or by your own logger)") from None
    except OSError as exc:  # a directory, no permission, an I/O error
        raise InputError(f"cannot read the log: {exc.strerror or exc}", file=name or str(source),
                         hint="give the path of a readable JSON Lines file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"the log is not UTF-8 text: {exc.reason}", file=name or str(source),
                         hint="write the log as UTF-8 JSON Lines") from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def _excerpt(text: str, limit: int = 120) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= limit else text[:limit] + "…"
