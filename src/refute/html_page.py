"""The shell of every HTML page refute writes, and the files it is made of.

Each report (``check``/``simulate``, ``history``, ``linearizable``, ``explore``) is one
self-contained page: its CSS and JavaScript are inlined from the files in ``refute/assets/``
(package data, read with :mod:`importlib.resources`, so they are edited as CSS and JS and
still work from a wheel or a zip), and its Content-Security-Policy forbids loading anything,
so a page opens from disk and can be attached to a ticket. ``explore``, served by its own
loopback server, may also fetch from that server (``connect=True``).

This module sits at the bottom of the layers, beside :mod:`refute.values`: ``report/``,
``history/`` and ``linearize/`` all build their pages with :func:`page`, and the last two
must not import ``refute.report`` (which stands on the engine), so the shell cannot live
there.

Invariant: a page's body is markup its caller has already escaped (:func:`escape` every
value that came from a spec or a history); the assets are trusted files of this package, and
no stylesheet or script among them may contain ``</script`` or ``</style`` (:func:`asset`
refuses one that does).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

__all__ = ["asset", "escape", "page"]

_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
_CONNECT = ("default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'")
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def escape(value: Any) -> str:
    """``value`` as HTML text: every character that could start markup escaped."""
    return html.escape(str(value), quote=True)


@functools.cache
def asset(name: str) -> str:
    """The text of ``refute/assets/NAME`` (read once per process)."""
    text = resources.files("refute").joinpath("assets", name).read_text(encoding="utf-8")
    if name.endswith((".css", ".js")) and re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"the asset {name} contains a closing script or style tag, which "
                         "would end its inline element early")
    return text


def page(title: str, body: str, *, styles: Sequence[str] = ("base.css",),
         scripts: Sequence[str] = (), connect: bool = False) -> str:
    """A whole page: ``title`` (text, escaped here), ``body`` (markup, escaped by the
    caller), the CSS files ``styles`` and the script files ``scripts`` of ``refute/assets/``
    inlined in that order. ``connect`` lets the page's scripts fetch from the server that
    served it (``refute explore``); every other page may load nothing at all."""
    slots = {"policy": _CONNECT if connect else _POLICY,
             "title": escape(title),
             "style": "".join(asset(name) for name in styles),
             "body": body,
             "script": "".join(asset(name) for name in scripts)}
    # one pass over the shell: a slot's value is never scanned for slots itself
    return _SLOT.sub(lambda match: slots[match.group(1)], asset("page.html"))
