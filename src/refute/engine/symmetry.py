"""Symmetry reduction: states equal up to renaming interchangeable values are one state.

TLC's ``SYMMETRY Permutations(RM)``: the fingerprint of a state is the least fingerprint over
all its images under permutations of each group of model values, so every state of an orbit
gets the same fingerprint and the checker keeps one state per orbit. The cost is one
fingerprint per permutation (``n!`` for a group of ``n``), which is what TLC pays too.

Not promised (as in TLC): liveness checked under symmetry can miss violations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from refute.values import Bag, FrozenMap, ModelValue, Record


def permutations(groups: Sequence[Sequence[Any]]) -> list[dict[Any, Any]]:
    """Every renaming that permutes each group within itself (the identity first)."""
    per_group = [[dict(zip(group, image)) for image in itertools.permutations(group)] for group in groups]
    renamings = []
    for combination in itertools.product(*per_group):
        renaming: dict[Any, Any] = {}
        for part in combination:
            renaming.update(part)
        renamings.append(renaming)
    return renamings


def rename(value: Any, renaming: Mapping[Any, Any]) -> Any:
    """``value`` with every model value ``v`` replaced by ``renaming.get(v, v)``."""
    kind = type(value)
    if kind is ModelValue:
        return renaming.get(value, value)
    if kind is str or kind is int or kind is bool or value is None or kind is float:
        return value
    if isinstance(value, Record):
        return value.update(**{name: rename(item, renaming)
                               for name, item in zip(value._names, value._stored())})
    if isinstance(value, FrozenMap):
        return FrozenMap({rename(k, renaming): rename(v, renaming) for k, v in value.items()})
    if isinstance(value, Bag):
        return Bag(rename(item, renaming) for item in value)
    if isinstance(value, tuple):
        return tuple(rename(item, renaming) for item in value)
    if isinstance(value, frozenset):
        return frozenset(rename(item, renaming) for item in value)
    return value


def canonical_fingerprint(fingerprint: Callable[[Any], int],
                          groups: Sequence[Sequence[Any]]) -> Callable[[Any], int]:
    """A fingerprint function that is the same for every state of an orbit."""
    renamings = permutations(groups)[1:]

    def orbit_fingerprint(state: Any) -> int:
        least = fingerprint(state)
        for renaming in renamings:
            candidate = fingerprint(rename(state, renaming))
            if candidate < least:
                least = candidate
        return least

    return orbit_fingerprint
