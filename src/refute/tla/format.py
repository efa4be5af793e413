"""TLA+ values printed in TLA+ syntax, as TLC prints them in traces."""

from __future__ import annotations

from typing import Any

from refute.values import FrozenMap, ModelValue


def format_value(v: Any) -> str:
    from refute.tla.values import LazyFn, LazySet, sorted_elements
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, ModelValue):
        return str.__str__(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, frozenset):
        return "{" + ", ".join(format_value(x) for x in sorted_elements(v)) + "}"
    if type(v) is tuple:
        return "<<" + ", ".join(format_value(x) for x in v) + ">>"
    if isinstance(v, FrozenMap):
        if v and all(type(k) is str for k in v):
            return "[" + ", ".join(f"{k} |-> {format_value(x)}" for k, x in v.items()) + "]"
        return "(" + " @@ ".join(f"{format_value(k)} :> {format_value(x)}" for k, x in v.items()) + ")"
    if isinstance(v, LazySet):
        return v.kind if not v.args else f"{v.kind}(...)"
    if isinstance(v, LazyFn):
        return "[function]"
    return repr(v)
