"""JSON and JSON lines, read with Python's own parser and every error located.

Two layouts carry the same data: one JSON document (usually an array of objects), or one
JSON value per line (JSON lines, what a running program appends to a log). :func:`parse_json`
accepts either without being told: it parses the whole text first (one C-level call, the
fast path for arrays) and, when that fails, line by line. A line's error is reported at its
own line and column; a document spread over several lines that fails is reported where
Python's parser stopped in it.

Texts are checked for bracket depth before parsing (:mod:`refute._nesting`): a value nested
thousands deep would crash whatever later compares or prints it.
"""

from __future__ import annotations

import json
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
        return JsonForms([json.loads(text)], [1], True)
    except (ValueError, RecursionError) as error:
        if not isinstance(error, json.JSONDecodeError):
            _beyond_limits(error, file, None)
        whole_error = error
    values, lines = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
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
        return json.loads(text)
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
