"""A data file's text, which notation it is written in, and where its forms begin.

``sniff`` looks at content, never at the file name: histories arrive as ``history.edn``,
``history.txt``, ``out.json`` or from standard output redirected anywhere. Callers with a
notation of their own (PolySI text, an etcd log) test for it first and fall back to
``sniff`` for the two general notations.

:class:`FormLocator` finds the line and column of the n-th form at one nesting depth with one
regular-expression scan, run only the first time a location is asked for: readers of
million-operation files do not keep a line per form, yet every error and every explanation
can still name the line.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from refute.errors import InputError

_LEADING_BLANKS = re.compile(r"\A(?:\s|;[^\n]*)*")
_JSON_START = re.compile(r'\{\s*"|\[\s*(?:\{\s*"|"|\])')


def read_text(path: str | Path, what: str, hint: str) -> str:
    """The UTF-8 text of ``path``; an :class:`InputError` naming ``what`` when unreadable."""
    file = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"cannot read the {what}: no such file", file=file,
                         hint="check the path") from None
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror or error}", file=file,
                         hint="check the path") from None
    except UnicodeDecodeError as error:
        raise InputError(f"the {what} is not UTF-8 text (byte {error.start})", file=file,
                         hint=hint) from None


def sniff(text: str) -> str:
    """``json`` when the first meaningful characters open a JSON object or an array of
    objects or strings (``{"``, ``[{"``, ``["`` or ``[]``), otherwise ``edn``; blank lines and
    ``;`` comment lines before them are skipped."""
    head = _LEADING_BLANKS.sub("", text[:4096])
    return "json" if _JSON_START.match(head) else "edn"


def meaningful_head(text: str, size: int = 4096) -> str:
    """The first ``size`` characters with leading blanks and ``;`` comment lines removed."""
    return _LEADING_BLANKS.sub("", text[:size])


_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|#\{|[\[\](){}]|[^\s,\[\](){}";]+')


class FormLocator:
    """Offsets of the forms at one nesting ``depth`` of an EDN or JSON text, found lazily.

    Depth 0 counts top-level forms (one operation per line); depth 1 the elements of a single
    top-level vector or array. Strings and comments are skipped, so brackets inside them do
    not count.
    """

    def __init__(self, text: str, file: str | None, depth: int) -> None:
        self.text, self.file, self.depth = text, file, depth
        self.offsets: list[int] | None = None
        self.newlines: list[int] = []

    def position(self, number: int) -> tuple[int | None, int | None]:
        """``(line, column)`` of the ``number``-th form, 1-based; None when unknown."""
        if self.offsets is None:
            self.offsets = self._scan()
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        if number >= len(self.offsets):
            return None, None
        offset = self.offsets[number]
        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def _scan(self) -> list[int]:
        offsets = []
        level = 0
        for match in _STRUCTURE.finditer(self.text):
            token = match.group()
            if token[0] == ";":
                continue
            if level == self.depth:
                offsets.append(match.start())
            if token in ("[", "(", "{", "#{"):
                level += 1
            elif token in ("]", ")", "}"):
                level -= 1
        return offsets
