"""Spec values against what an implementation logs: JSON, with sets as lists and keys as text.

Two directions meet here. :func:`encode` turns any value (a spec's, or an implementation's
own Python objects) into plain JSON in one canonical way, so that two sides that never saw
each other's types agree: records and maps become objects whose keys are written as
``json.dumps`` writes them (``1`` -> ``"1"``), tuples and lists become arrays, and sets and
bags become arrays sorted by their JSON text. :func:`matches` compares a spec value with a
logged JSON value, led by the spec's type: a logged array stands for a set when the spec
holds a set (any order then), and a logged object may name only some fields or keys (the
rest are unknown, as missing variables are).
"""

from __future__ import annotations

import json
from typing import Any

from refute.values import Bag, ModelValue, Record

_SCALARS = (int, str, float, type(None))


def json_key(key: Any) -> str:
    """A map key as ``json.dumps`` writes it: ``1`` -> ``"1"``, ``True`` -> ``"true"``."""
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, bool) or key is None or isinstance(key, (int, float)):
        return json.dumps(key)
    return json.dumps(encode(key), sort_keys=True, separators=(",", ":"))


def encode(value: Any) -> Any:
    """``value`` as plain, canonical JSON (see the module docstring)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, ModelValue):
        return str.__str__(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Record):
        return {name: encode(v) for name, v in zip(value._fields, value._values())}
    if isinstance(value, dict):
        return {json_key(k): encode(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set, Bag)):
        return sorted((encode(v) for v in value), key=_text)
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    return repr(value)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def matches(spec: Any, logged: Any) -> bool:
    """Whether the logged JSON value ``logged`` is (a partial view of) the spec value ``spec``."""
    kind = type(spec)
    if kind is int or kind is str or spec is None:
        return spec == logged and type(logged) is not bool
    if kind is bool:
        return logged is spec
    if isinstance(spec, Record):
        if type(logged) is not dict:
            return False
        fields = spec._fields
        for name, value in logged.items():
            if name not in fields or not matches(getattr(spec, name), value):
                return False
        return True
    if isinstance(spec, dict):
        if type(logged) is not dict:
            return False
        keyed = {json_key(k): v for k, v in spec.items()}
        for key, value in logged.items():
            if key not in keyed or not matches(keyed[key], value):
                return False
        return True
    if isinstance(spec, (frozenset, Bag)):
        return (type(logged) is list and len(logged) == len(spec)
                and sorted(map(_text, map(encode, spec))) == sorted(map(_text, logged)))
    if isinstance(spec, tuple):
        return (type(logged) is list and len(logged) == len(spec)
                and all(matches(a, b) for a, b in zip(spec, logged)))
    if isinstance(spec, float):
        return type(logged) in (int, float) and spec == logged
    return encode(spec) == logged
