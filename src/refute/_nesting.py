"""How deeply a text nests its brackets, measured without recursion (for the readers).

Histories nest a handful of levels. Values nested thousands deep crash whatever compares,
hashes or prints them (CPython recurses in C for those: a deep enough tuple overflows the C
stack), so the readers refuse them with a located message instead.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

MAX_DEPTH = 100
"""The deepest nesting of collections the history and log readers accept."""

_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_OTHER = re.compile(r"[^\[\]{}]+")


def shallow(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the ``[]{}`` brackets of ``data`` nest at most ``limit`` deep.

    Brackets become +1 and -1 (signed bytes) in one C-level translate; the deepest point is
    the largest running sum, summed in C too.
    """
    steps = data.translate(_STEPS, _NOT_BRACKETS)
    return not steps or max(accumulate(array("b", steps))) <= limit


def json_shallow(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON text nests at most ``limit`` deep (brackets inside strings ignored)."""
    if text.count("[") + text.count("{") <= limit:
        return True
    brackets = _JSON_OTHER.sub("", _JSON_STRING.sub("", text))
    return shallow(brackets.encode("ascii"), limit)
