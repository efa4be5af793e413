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

import gc
import math
import pickle
import re
import sys
from bisect import bisect_right
from fractions import Fraction
from typing import Any, NoReturn

from refute._nesting import MAX_DEPTH, shallow
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
_NONZERO = re.compile(r"^[-+]?0*\.?0*[1-9]")  # a mantissa that is not zero
_DISCARD = object()  # a pending ``#_``; a pending tag is recorded as its text


def parse_all(text: str, file: str | None = None,
              map_lines: dict[int, int] | None = None, *, fast: bool = True) -> list[Any]:
    """Every top-level form of ``text``, in order.

    When ``map_lines`` is given, it receives ``id(m) -> line`` for every map ``m`` read (the
    1-based line of its opening brace), so that a caller can point an error about a map's
    contents at the right line; the ids are valid as long as the returned values are alive.

    ``fast`` (the default) first tries the bulk reader (see :func:`_parse_fast`), which gives
    the same values as the general reader or gives up; ``fast=False`` uses only the general
    reader (tests compare the two).
    """
    # Reading allocates millions of containers and none is garbage: the cyclic collector
    # would only walk them again and again (a third of the time on large histories). Once
    # read, they are moved to the oldest generation in one step (freeze then unfreeze splices
    # the lists), or the next young collections would each walk all of them again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if fast:
            forms = _parse_fast(text, map_lines)
            if forms is not None:
                return forms
        return _parse_general(text, file, map_lines)
    finally:
        if collecting:
            if len(text) > 1_000_000:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _parse_general(text: str, file: str | None,
                   map_lines: dict[int, int] | None) -> list[Any]:
    """The general reader: one compiled tokenizer, every EDN construct, located errors."""
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
            if len(stack) > MAX_DEPTH:
                _fail(text, match.start(kind), file,
                      f"collections are nested more than {MAX_DEPTH} deep here",
                      "histories nest a few levels; is this file a history?")
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
                _fail(text, offset, file, f"{_clip(token)} is not a valid keyword",
                      "write a keyword as a colon followed by a name, such as :ok")
            keyword = _KEYWORDS[token] = Keyword(token[1:])
        return keyword
    if first.isdigit() or (first in "+-" and len(token) > 1 and token[1].isdigit()):
        try:
            if _INT.fullmatch(token):
                return int(token.rstrip("N"))
            if _FLOAT.fullmatch(token):
                value = float(token.rstrip("M"))
                if math.isinf(value) or (value == 0.0 and _NONZERO.search(token)):
                    _fail(text, offset, file, f"the number {_clip(token)} is too "
                          f"{'large' if value else 'small'} for a floating-point number (it "
                          f"would be read as {'infinity' if value else '0'})",
                          "write numbers between -1.8e308 and 1.8e308, and non-zero ones of "
                          "at least 2.2e-308 in size")
                return value
            if _RATIO.fullmatch(token):
                return Fraction(token)
        except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
            _fail(text, offset, file, f"the number {_clip(token)} has too many digits",
                  "integers have at most "
                  f"{sys.get_int_max_str_digits() or 'a few thousand'} digits")
        except ZeroDivisionError:
            _fail(text, offset, file, f"the ratio {_clip(token)} has a zero denominator",
                  "write ratios as 1/2, with a denominator other than 0")
        _fail(text, offset, file, f"{_clip(token)} is not a valid number",
              "write integers as 42, floats as 4.2 or 4.2e1, ratios as 1/2")
    if token in _CONSTANTS:
        return _CONSTANTS[token]
    return Symbol(token)


def _clip(token: str, limit: int = 40) -> str:
    """A token for a message: its repr, cut short when long (a number can be megabytes)."""
    return repr(token) if len(token) <= limit else repr(token[:limit]) + "..."


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


# ---------------------------------------------------------------------------------------------
# The bulk reader.
#
# Jepsen histories are megabytes of maps, vectors, keywords and integers, and a tokenizer
# driven from Python costs about a microsecond a token. The bulk reader instead rewrites the
# whole text, with a dozen C-level ``bytes.replace``/``translate`` passes, into a pickle
# (protocol 0) program and lets the C unpickler build the values:
#
#     atom (keyword, integer, nil, symbol...)  ->  P<token>\n   persistent id: the token is
#                                                  looked up in a dict whose misses call
#                                                  ``_atom``, the general reader's own rule
#     [ (                                      ->  (            MARK
#     ] )                                      ->  t            TUPLE from the mark
#     { ... }                                  ->  P{\n( ... tR  the map builder, REDUCE
#     "string"                                 ->  an atom naming the decoded string
#     #tag followed by { or a string           ->  dropped, as the general reader does
#
# Every separator becomes ``\n`` + a pending ``P``; temporary control bytes mark the places
# where a pending ``P`` meets an opening bracket (dropped), where two separators meet (one
# dropped), and where a closing bracket is followed by anything other than a separator or
# another closing bracket (a guard byte that is not a pickle opcode, so the load fails).
# Whatever the rewriting cannot prove it reads like the general reader (comments, characters,
# sets, #_, other tags, non-ASCII outside strings, atoms glued to brackets or strings...) makes
# it return None: a control byte ends up inside a persistent id (rejected), an opcode is
# invalid, or an atom is invalid; the caller then runs the general reader, which gives the
# located error if the text is indeed malformed.

_FAST_ALLOWED = bytes(range(0x21, 0x7F)).translate(None, b'"#;\\()') + b" \n\t\r,\x03"
_FAST_SEPARATORS = bytes.maketrans(b"\n\t\r,", b"    ")
_FAST_OPCODES = bytes.maketrans(b"\x10\x15", b"tP")
_FAST_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_FAST_TAG = re.compile(r'#(?<![^\s,\[\](){}]#)[A-Za-z][^\s,\[\](){}"\\;#\x03]*(?=[\s,]*[{\x03])')
_FAST_COMMENT = re.compile(r";[^\n]*")
_FAST_BAD_ATOM = re.compile(r"[\x00-\x20()\[\]{}]")


_SENTINEL = object()


class _NotFast(Exception):
    """The bulk reader cannot read this text exactly like the general reader."""


class _Atoms(dict):  # type: ignore[type-arg]
    """Token text -> value; a miss reads the token with the general reader's rule."""

    def __missing__(self, token: str) -> Any:
        if token.isdigit():  # ASCII only here: the text was checked
            value = int(token)
        elif not token or _FAST_BAD_ATOM.search(token):
            raise _NotFast(token)  # an empty token or one glued to a bracket or string
        else:
            try:
                value = _atom(token, token, 0, None)
            except InputError:
                raise _NotFast(token) from None
        self[token] = value
        return value


class _Program(pickle.Unpickler):
    """The unpickler for the rewritten text; it has no use for classes and loads none.

    (Text bytes only ever land inside persistent ids, and every opcode is one the rewriting
    wrote, so GLOBAL cannot occur; this is the second lock on that door.)
    """

    def find_class(self, module: str, name: str) -> Any:
        raise _NotFast(f"{module}.{name}")


class _Whole:
    """A file for the unpickler whose first read returns everything (one buffer, no calls)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    readline = read


def _parse_fast(text: str, map_lines: dict[int, int] | None = None) -> list[Any] | None:
    """The forms of ``text`` read in bulk, or None when only the general reader can read it."""
    if "\x03" in text:
        return None  # the byte that names strings below
    atoms = _Atoms()
    if '"' in text:
        strings: dict[str, str] = {}

        def placeholder(match: re.Match[str]) -> str:
            name = strings.get(match.group())
            if name is None:
                raw = match.group()[1:-1]
                name = strings[match.group()] = f"\x03{len(strings)}"
                atoms[name] = _STRING_ESCAPE.sub(_unescape, raw) if "\\" in raw else raw
            return name

        body = _FAST_STRING.sub(placeholder, text)
    elif ";" in text:
        body = _FAST_COMMENT.sub("", text)  # no strings, so every ';' starts a comment
    else:
        body = text
    if "#" in body:
        body = _FAST_TAG.sub("", body)
    if not body.isascii():
        return None
    data = body.encode("ascii")
    if data.translate(None, _FAST_ALLOWED):
        return None  # a character, a set, #_, another tag, a list, a control character...
    if data.count(b"[") != data.count(b"]") or data.count(b"{") != data.count(b"}"):
        return None  # with these equal, a ']' closing a '{' implies a '}' closing a '[', which
        # fails: REDUCE then calls the item before that vector, never callable
    if not shallow(data):
        return None  # the general reader reports where the nesting gets too deep
    built: list[dict[Any, Any]] | None = [] if map_lines is not None else None

    def build_map(*items: Any) -> dict[Any, Any]:
        pairs = iter(items)
        result = dict(zip(pairs, pairs))
        if len(result) * 2 != len(items):
            raise _NotFast("odd number of forms or duplicate key")
        if built is not None:
            built.append(result)
        return result

    atoms["{"] = build_map
    atoms["\x05"] = _SENTINEL
    data = data.translate(_FAST_SEPARATORS)
    # The top-level list starts with a sentinel: finding it first proves that the final LIST
    # used the bottom mark, i.e. that every bracket was closed.
    data = b"(\x15\x05\n\x15" + data.replace(b" ", b"\n\x15") + b"\nl."
    data = data.replace(b"[", b"\x14(\x15").replace(b"]", b"\n\x10\x13")
    if b"{" in data:
        data = data.replace(b"{", b"\x14\x15{\n(\x15").replace(b"}", b"\n\x11\x13")
    data = data.replace(b"\x15\n", b"").replace(b"\x15\x14", b"").replace(b"\x13\n", b"")
    data = data.translate(_FAST_OPCODES)
    if b"\x11" in data:
        data = data.replace(b"\x11", b"tR")
    unpickler = _Program(_Whole(data))  # type: ignore[arg-type]
    unpickler.persistent_load = atoms.__getitem__  # type: ignore[method-assign]
    try:
        forms = unpickler.load()
    except Exception:  # noqa: BLE001 - anything at all: the general reader decides
        return None
    if type(forms) is not list or not forms or forms[0] is not _SENTINEL:  # noqa: E721
        return None  # an unclosed bracket: the final LIST used its mark
    del forms[0]
    if built is not None and map_lines is not None:
        for value, line in zip(built, _map_opening_lines(text)):
            map_lines[id(value)] = line
    return forms


_BRACES = re.compile(r"[{}]")
_BRACES_AND_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}]', re.DOTALL)
_BRACES_AND_COMMENTS = re.compile(r";[^\n]*|[{}]")


def _map_opening_lines(text: str) -> list[int]:
    """The line of each map's opening brace, in the order the maps close (as built).

    Only for texts the bulk reader read: then either there are strings and no comments, or
    no strings, and no character literals.
    """
    if '"' in text:
        pattern = _BRACES_AND_STRINGS
    else:
        pattern = _BRACES_AND_COMMENTS if ";" in text else _BRACES
    lines: list[int] = []
    open_lines: list[int] = []
    line, last = 1, 0
    for match in pattern.finditer(text):
        token = match.group()
        if token == "{":
            start = match.start()
            line += text.count("\n", last, start)
            last = start
            open_lines.append(line)
        elif token == "}":
            lines.append(open_lines.pop())
    return lines
