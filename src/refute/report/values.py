"""Spec values rendered for people (``show``) and for JSON (``to_json``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from refute.values import Bag, ModelValue, Record, show, sort_canonically

__all__ = ["off_by_default", "show", "to_json", "trace_fields"]  # show: in refute.values, for labels too


def off_by_default(model: Any, checked: Sequence[str]) -> list[str]:
    """The invariants and properties declared not checked by default (``@invariant(default=
    False)``) that this run did not check: reports name them, so that a run that holds does
    not read as covering them. A property by its method name, once for all its instances."""
    names: list[str] = []
    for check in (*getattr(model, "invariants", ()), *getattr(model, "properties", ())):
        name = check.name.split("(", 1)[0]
        if not check.default and check.name not in checked and name not in names:
            names.append(name)
    return names


def trace_fields(model: Any, states: Sequence[Any]) -> list[dict[str, Any]]:
    """A counterexample's states as named fields, as reports show them: through the model's
    optional ``describe_trace(states)`` (a TLA+ model's ALIAS, which may look at the next
    state), else its ``describe_state`` of each state."""
    return model.describe_trace(states)


def to_json(value: Any) -> Any:
    """Plain JSON: records and string-keyed maps as objects, sets as sorted arrays."""
    if isinstance(value, ModelValue):
        return str.__str__(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Record):
        return {n: to_json(v) for n, v in zip(value._fields, value._values())}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {str.__str__(k): to_json(v) for k, v in value.items()}
        return [[to_json(k), to_json(v)] for k, v in value.items()]
    if isinstance(value, Bag):
        return [to_json(v) for v in value]
    if isinstance(value, frozenset):
        return [to_json(v) for v in sort_canonically(value)]
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return repr(value)
