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
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

__all__ = ["asset", "escape", "inline", "page", "register_inline", "repr_html"]

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


# -- results shown inline (Jupyter's _repr_html_) ---------------------------------------------
#
# A result type shows its report in a notebook through ``_repr_html_``. The module that
# defines the result must not import the module that renders it (that one imports the result:
# the two would form an import cycle, which the layer contracts forbid, a lazy import
# included), so the renderer registers itself here when it is imported, and the result's
# ``_repr_html_`` asks :func:`repr_html`. Packages whose results render this way import their
# renderer in their ``__init__``, so it is registered whenever the result can exist.

_RENDERERS: dict[type, Callable[[Any], str]] = {}


def register_inline(kind: type, render: Callable[[Any], str]) -> None:
    """``render(result)`` (a whole page) is how results of type ``kind`` show inline."""
    _RENDERERS[kind] = render


def repr_html(result: Any) -> str | None:
    """``result``'s registered page, :func:`inline`; None (plain ``repr``) without one."""
    for kind in type(result).__mro__:
        if kind in _RENDERERS:
            return inline(_RENDERERS[kind](result))
    return None


def inline(whole_page: str, height: int = 640) -> str:
    """A page as HTML to put inside another (a notebook's output): in a sandboxed iframe, so
    that its styles stay its own and its scripts run under its own Content-Security-Policy."""
    return (f'<iframe srcdoc="{escape(whole_page)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {height}px; border: 1px solid #d0d7de; '
            'border-radius: 6px"></iframe>')
