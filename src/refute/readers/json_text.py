"""JSON and JSON lines, read with Python's own parser and every error located.

Two layouts carry the same data: one JSON document (usually an array of objects), or one
JSON value per line (JSON lines, what a running program appends to a log). :func:`parse_json`
accepts either without being told: it parses the whole text first (one C-level call, the
fast path for arrays) and, when that fails, line by line. A line's error is reported at its
own line and column; a document spread over several lines that fails is reported where
Python's parser stopped in it.

Texts are checked for bracket depth before parsing (:mod:`refute._nesting`): a value nested
thousands deep would crash whatever later compares or prints it.

Numbers are read as written or refused, located: Python's parser reads ``1e999999`` as
infinity and ``1e-999999`` as 0, and accepts ``NaN`` and ``Infinity``, which are not JSON; a
history holding them would be checked against values nobody wrote. Every float goes through
a check (``parse_float``): that costs the C parser about 15% on float-heavy data
(benchmarks/bench_json_numbers.py), and the error is located by a second look at the text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from refute._nesting import MAX_DEPTH, json_shallow
from refute.errors import InputError


@dataclass
class JsonForms:
    """What a JSON text held: ``values`` in order, and the line of each one.

    ``document`` is True when the text was one JSON document (``values`` is then that one
    value, ``lines`` is ``[1]``); False for JSON lines, where ``lines[i]`` is the line
    ``values[i]`` was on.
    """

    values: list[Any]
    lines: list[int]
    document: bool


def parse_json(text: str, file: str | None, hint: str) -> JsonForms:
    """One JSON document or JSON lines; :class:`InputError` with ``hint`` when malformed."""
    _check_depth(text, file, None, hint)
    try:
        return JsonForms([_loads(text)], [1], True)
    except _OutOfRange as error:
        _out_of_range(error, text, file, None)
    except (ValueError, RecursionError) as error:
        if not isinstance(error, json.JSONDecodeError):
            _beyond_limits(error, file, None)
        whole_error = error
    values, lines = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            values.append(_loads(line))
        except _OutOfRange as error:
            _out_of_range(error, line, file, number)
        except (ValueError, RecursionError) as error:
            if not isinstance(error, json.JSONDecodeError):
                _beyond_limits(error, file, number)
            if number == 1 and whole_error.lineno > 1:
                error = whole_error  # a multi-line document: its own position is right
                number = error.lineno
            raise InputError(f"invalid JSON: {error.msg}", file=file, line=number,
                             column=error.colno, hint=hint) from None
        lines.append(number)
    return JsonForms(values, lines, False)


def parse_json_line(text: str, file: str | None, line: int, hint: str,
                    detail: str | None = None) -> Any:
    """The JSON value on one line of a JSON-lines file, errors at that line."""
    _check_depth(text, file, line, hint, detail)
    try:
        return _loads(text)
    except _OutOfRange as error:
        _out_of_range(error, text, file, line, detail)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", file=file, line=line,
                         column=error.colno, detail=detail, hint=hint) from None
    except (ValueError, RecursionError) as error:
        _beyond_limits(error, file, line, detail)


def _check_depth(text: str, file: str | None, line: int | None, hint: str,
                 detail: str | None = None) -> None:
    if not json_shallow(text):
        raise InputError(f"the JSON nests arrays or objects more than {MAX_DEPTH} deep, or "
                         "its brackets do not balance", file=file, line=line, detail=detail,
                         hint=hint)


def _beyond_limits(error: Exception, file: str | None, line: int | None,
                   detail: str | None = None) -> NoReturn:
    """A well-formed JSON text Python's parser refuses: too deep, or a number too long."""
    if isinstance(error, RecursionError):
        raise InputError("the JSON nests arrays or objects too deeply to read", file=file,
                         line=line, detail=detail,
                         hint="data nests a few levels; is this the right file?") from None
    raise InputError(f"a JSON value cannot be read: {error}", file=file, line=line,
                     detail=detail, hint="numbers in recorded data are small") from None


# ----------------------------------------------------------------------------- numbers

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:Infinity|NaN)|NaN|'
                     r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


class _OutOfRange(ValueError):
    """A number Python would read as another value (or a constant JSON does not have)."""

    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token, self.message = token, message


def _float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _OutOfRange(token, f"the number {_clip(token)} is too large for a floating-point "
                                 "number (it would be read as infinity)")
    if value == 0.0 and any(c in "123456789" for c in token.partition("e")[0].partition("E")[0]):
        raise _OutOfRange(token, f"the number {_clip(token)} is too small for a floating-point "
                                 "number (it would be read as 0)")
    return value


def _constant(name: str) -> float:
    raise _OutOfRange(name, f"{name} is not JSON (JSON has no NaN or Infinity)")


def _clip(token: str) -> str:
    return token if len(token) <= 40 else token[:40] + "..."


def _loads(text: str) -> Any:
    """``json.loads`` with the number checks."""
    return json.loads(text, parse_float=_float, parse_constant=_constant)


def _out_of_range(error: _OutOfRange, text: str, file: str | None, line: int | None,
                  detail: str | None = None) -> NoReturn:
    """The located error for a number :func:`_float` or :func:`_constant` refused: the first
    such token outside strings in ``text`` (whose first line is ``line``, or 1)."""
    offset = next((m.start() for m in _TOKENS.finditer(text) if m.group() == error.token), 0)
    before = text[:offset]
    row = before.count("\n")
    raise InputError(error.message, file=file, line=(line or 1) + row,
                     column=offset - (before.rfind("\n") + 1) + 1, detail=detail,
                     hint="write numbers between -1.8e308 and 1.8e308, and non-zero ones of "
                          "at least 2.2e-308 in size; a string if the value is not a number"
                     ) from None
