"""The infix operators of the standard modules (Naturals/Integers arithmetic, set algebra,
Sequences' ``\\o``, TLC's ``:>`` and ``@@``) as functions of evaluated operands: :data:`INFIX`.

The expression compiler calls :data:`INFIX` for an infix operator no module redefines, and
the native standard modules (:mod:`refute.tla.stdlib`) declare the same functions under the
same names, so an operator means one thing whether it is written infix or passed as an
operator argument. The operators in :data:`LOGIC` are compiled inline instead (they
short-circuit, or have faster specialised forms). An infinite operand (``Nat``, ``Int``,
``STRING``...) stays a lazy set wherever the result can still be tested for membership.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from refute.tla.values import (LazySet, TLAError, as_set, element_kind_error, fn_to_dict, is_infinite, make_fn,
                               short, tlc_equal)


def as_int(v: Any) -> int:
    """``v`` if it is an integer (not a boolean), else an evaluation error."""
    if type(v) is int:
        return v
    raise TLAError(f"expected an integer, got {short(v)}")


def _div(a, b):
    if b == 0:
        raise TLAError("division by zero")
    return as_int(a) // as_int(b)


def _mod(a, b):
    if as_int(b) <= 0:
        raise TLAError(f"the second argument of % must be positive, got {b}")
    return as_int(a) % b


def _range(a, b):
    return frozenset(range(as_int(a), as_int(b) + 1))


def _union(a, b):
    if is_infinite(a) or is_infinite(b):  # Nat \cup {-1}: kept lazy, a membership test
        return LazySet("Cup", a, b)
    a, b = as_set(a), as_set(b)
    if len(b) <= len(a) and b <= a:  # msgs \cup {m}, m already sent: the same set, not a copy
        return a
    return a | b


def _inter(a, b):
    if is_infinite(a) and is_infinite(b):
        return LazySet("Cap", a, b)
    if is_infinite(a):
        return frozenset(x for x in as_set(b) if x in a)
    if is_infinite(b):
        return frozenset(x for x in as_set(a) if x in b)
    return as_set(a) & as_set(b)


def _minus(a, b):
    if is_infinite(a):
        return LazySet("Diff", a, b)
    return as_set(a) - as_set(b)


def _subseteq(a, b):
    if isinstance(b, LazySet):
        return all(x in b for x in as_set(a))
    return as_set(a) <= b


def is_element(a, b):
    """``a \\in b``; an unhashable ``a`` (a lazy value) is in no enumerated set."""
    if isinstance(b, (frozenset, LazySet)):
        try:
            found = a in b
        except TypeError:
            return False
        if not found:
            element_kind_error(a, b)
        return found
    raise TLAError(f"\\in applied to a non-set {short(b)}")


def _concat(a, b):
    if type(a) is tuple and type(b) is tuple:
        return a + b
    if type(a) is str and type(b) is str:
        return a + b
    raise TLAError(f"\\o applied to {short(a)} and {short(b)}")


def _colon_gt(a, b):
    return make_fn({a: b})


def _atat(f, g):
    merged = fn_to_dict(g)
    merged.update(fn_to_dict(f))
    return make_fn(merged)


def _lt(a, b):
    return as_int(a) < as_int(b)


def _gt(a, b):
    return as_int(a) > as_int(b)


def _le(a, b):
    return as_int(a) <= as_int(b)


def _ge(a, b):
    return as_int(a) >= as_int(b)


def _add(a, b):
    return as_int(a) + as_int(b)


def _sub(a, b):
    return as_int(a) - as_int(b)


def _mul(a, b):
    return as_int(a) * as_int(b)


def _pow(a, b):
    return as_int(a) ** as_int(b)


def _eq(a, b):
    return tlc_equal(a, b)


def _neq(a, b):
    return not tlc_equal(a, b)


INFIX: dict[str, Callable] = {
    "+": _add, "-": _sub, "*": _mul, "\\div": _div, "%": _mod, "^": _pow, "..": _range,
    "<": _lt, ">": _gt, "=<": _le, ">=": _ge, "=": _eq, "#": _neq,
    "\\cup": _union, "\\cap": _inter, "\\": _minus, "\\subseteq": _subseteq,
    "\\subset": lambda a, b: _subseteq(a, b) and as_set(a) != as_set(b),
    "\\supseteq": lambda a, b: _subseteq(b, a),
    "\\supset": lambda a, b: _subseteq(b, a) and as_set(a) != as_set(b),
    "\\in": is_element, "\\notin": lambda a, b: not is_element(a, b), "\\o": _concat,
    ":>": _colon_gt, "@@": _atat,
}


#: Operators compiled inline (short-circuit or specialised), never through :data:`INFIX`.
LOGIC = {"/\\", "\\/", "=>", "<=>", "=", "#", "\\in", "\\notin"}
