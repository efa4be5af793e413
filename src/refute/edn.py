"""A small, fast reader for EDN, the data notation Jepsen and Elle write histories in.

    parse_all(text, file=None, map_lines=None) -> list of every top-level form

How EDN values become Python values, and why:

    nil true false        None True False
    42  42N  -7           int
    1.5  1e3  1.5M        float (``M`` decimals too: histories use them as plain numbers)
    3/4                   fractions.Fraction
    "text"                str (escapes decoded)
    \\a \\newline         str of one character
    :type  :jepsen/op     Keyword, a str subclass: ``Keyword("type") == "type"``
    foo  my/sym           Symbol, a str subclass
    [1 2]  (1 2)          tuple: both are immutable sequences in EDN, and a tuple can be a
                          map key, a set member or part of a model state (it is hashable)
    #{1 2}                frozenset
    {:a 1}                dict
    #inst "…"  #foo/Bar{…} the tagged value itself, tag dropped: Jepsen writes operations as
                          ``#jepsen.history.Op{...}`` records, which are read as plain maps
    #_ form               discarded

Keywords are a ``str`` subclass so that ``op["type"] == "invoke"`` reads naturally in Python
while ``isinstance(x, Keyword)`` still tells ``:invoke`` from ``"invoke"`` when that matters.
The price: a keyword and a string with the same text are equal and collide as dict keys.

Malformed text raises :class:`refute.errors.InputError` with the file, line and column of the
problem and what was expected there. Both history layouts Jepsen tools write are just
sequences of forms: "one map per line" gives many top-level maps, "a single vector" gives one
top-level tuple; telling them apart is the caller's business.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from fractions import Fraction
from typing import Any, NoReturn

from refute.errors import InputError

__all__ = ["Keyword", "Symbol", "parse_all"]


class Keyword(str):
    """An EDN keyword such as ``:invoke``, without its colon; equal to the plain string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return ":" + str.__str__(self)


class Symbol(str):
    """An EDN symbol such as ``foo`` other than nil/true/false; equal to the plain string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Symbol(" + str.__repr__(self) + ")"


# Every character of the input belongs to exactly one token, after optional whitespace and
# commas; ``bad`` catches the rest so that no character is skipped silently. A match with no
# group set is trailing whitespace.
_TOKEN = re.compile(
    r"""
      [\s,]*
    (?:
      (?P<comment>;[^\n]*)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<open>[\[({]|\#\{)
    | (?P<close>[\])}])
    | (?P<discard>\#_)
    | (?P<tag>\#[A-Za-z][^\s,\[\](){}"\\;]*)
    | (?P<char>\\(?:newline|space|tab|return|formfeed|backspace|u[0-9a-fA-F]{4}|[^\s]))
    | (?P<atom>[^\s,\[\](){}"\\;\#][^\s,\[\](){}"\\;]*)
    | (?P<bad>.)
    )?
    """,
    re.VERBOSE | re.DOTALL,
)
_NEWLINE = re.compile(r"\n")
_INT = re.compile(r"[+-]?\d+N?")
_FLOAT = re.compile(r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?M?")
_RATIO = re.compile(r"[+-]?\d+/\d+")
_STRING_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "\\": "\\"}
_CHARS = {"newline": "\n", "space": " ", "tab": "\t", "return": "\r", "formfeed": "\f",
          "backspace": "\b"}
_CLOSER = {"[": "]", "(": ")", "{": "}", "#{": "}"}
_CONSTANTS: dict[str, Any] = {"nil": None, "true": True, "false": False}
_DISCARD = object()  # a pending ``#_``; a pending tag is recorded as its text


def parse_all(text: str, file: str | None = None,
              map_lines: dict[int, int] | None = None) -> list[Any]:
    """Every top-level form of ``text``, in order.

    When ``map_lines`` is given, it receives ``id(m) -> line`` for every map ``m`` read (the
    1-based line of its opening brace), so that a caller can point an error about a map's
    contents at the right line; the ids are valid as long as the returned values are alive.
    """
    # A frame is [opening token, items, start offset, pending prefixes]; the bottom frame
    # collects the top-level forms.
    top: list[Any] = [None, [], 0, []]
    stack = [top]
    frame = top
    newlines = None if map_lines is None else [m.start() for m in _NEWLINE.finditer(text)]
    atoms: dict[str, Any] = {}  # a token always reads as the same immutable value
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "atom":
            token = match.group(kind)
            value = atoms.get(token, atoms)
            if value is atoms:
                value = atoms[token] = _atom(token, text, match.start(kind), file)
        elif kind == "string":
            raw = match.group(kind)[1:-1]
            value = _STRING_ESCAPE.sub(_unescape, raw) if "\\" in raw else raw
        elif kind == "open":
            frame = [match.group(kind), [], match.start(kind), []]
            stack.append(frame)
            continue
        elif kind == "close":
            closer = match.group(kind)
            if frame is top:
                _fail(text, match.start(kind), file, f"unexpected {closer!r} with nothing open",
                      "remove it, or add the opening bracket it was meant to close")
            opener, items, start, prefixes = frame
            if _CLOSER[opener] != closer:
                _fail(text, match.start(kind), file,
                      f"expected {_CLOSER[opener]!r} to close the {opener!r} opened at "
                      f"{_where(text, start)}, found {closer!r}",
                      "balance the brackets")
            if prefixes:
                _fail(text, match.start(kind), file,
                      "a tag or #_ has no form after it before this closing bracket",
                      "remove the tag, or give it a value")
            stack.pop()
            frame = stack[-1]
            value = _collection(opener, items, text, start, file)
            if newlines is not None and opener == "{":
                map_lines[id(value)] = bisect_right(newlines, start) + 1
        elif kind == "tag":
            frame[3].append(match.group(kind))
            continue
        elif kind == "discard":
            frame[3].append(_DISCARD)
            continue
        elif kind == "char":
            body = match.group(kind)[1:]
            value = _CHARS.get(body) or (chr(int(body[1:], 16)) if len(body) == 5 else body)
        elif kind == "comment" or kind is None:
            continue
        else:
            _bad_character(text, match.start(kind), file)
        prefixes = frame[3]
        while prefixes:
            if prefixes.pop() is _DISCARD:
                break
        else:
            frame[1].append(value)
    if frame is not top:
        _fail(text, len(text), file,
              f"end of input inside the {frame[0]!r} opened at {_where(text, frame[2])}",
              f"close it with {_CLOSER[frame[0]]!r}; was the file truncated?")
    if top[3]:
        _fail(text, len(text), file, "end of input after a tag or #_ that needs a form",
              "remove the trailing tag")
    return top[1]


_KEYWORDS: dict[str, Keyword] = {}


def _atom(token: str, text: str, offset: int, file: str | None) -> Any:
    first = token[0]
    if first == ":":
        keyword = _KEYWORDS.get(token)
        if keyword is None:
            if len(token) == 1 or token[1] == ":":
                _fail(text, offset, file, f"{token!r} is not a valid keyword",
                      "write a keyword as a colon followed by a name, such as :ok")
            keyword = _KEYWORDS[token] = Keyword(token[1:])
        return keyword
    if first.isdigit() or (first in "+-" and len(token) > 1 and token[1].isdigit()):
        if _INT.fullmatch(token):
            return int(token.rstrip("N"))
        if _FLOAT.fullmatch(token):
            return float(token.rstrip("M"))
        if _RATIO.fullmatch(token):
            return Fraction(token)
        _fail(text, offset, file, f"{token!r} is not a valid number",
              "write integers as 42, floats as 4.2 or 4.2e1, ratios as 1/2")
    if token in _CONSTANTS:
        return _CONSTANTS[token]
    return Symbol(token)


def _collection(opener: str, items: list[Any], text: str, start: int,
                file: str | None) -> Any:
    try:
        if opener == "{":
            if len(items) % 2:
                _fail(text, start, file,
                      f"this map has an odd number of forms ({len(items)}): a key lacks "
                      "its value", "give every key a value")
            result = dict(zip(items[::2], items[1::2]))
            if len(result) * 2 != len(items):
                _fail(text, start, file, "this map has a duplicate key",
                      "give each key once")
            return result
        if opener == "#{":
            result = frozenset(items)
            if len(result) != len(items):
                _fail(text, start, file, "this set has a duplicate element",
                      "give each element once")
            return result
        return tuple(items)
    except TypeError:
        _fail(text, start, file,
              "a map is used as a map key or set element, which this reader cannot hash",
              "use a vector or keyword there instead")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, code)


def _bad_character(text: str, offset: int, file: str | None) -> NoReturn:
    char = text[offset]
    if char == '"':
        _fail(text, offset, file, "this string is never closed",
              'end it with a double quote; escape quotes inside it as \\"')
    if char == "#":
        _fail(text, offset, file, "'#' must start #{...}, #_ or a tag such as #inst",
              "remove the stray '#'")
    _fail(text, offset, file, f"unexpected character {char!r}",
          "EDN has maps {}, vectors [], lists (), sets #{}, strings, numbers and keywords")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _fail(text: str, offset: int, file: str | None, message: str, hint: str) -> NoReturn:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    raise InputError(f"invalid EDN: {message}", file=file, line=line, column=column,
                     hint=hint)
