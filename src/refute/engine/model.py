"""The seam between front ends and explorers: the :class:`Model` protocol.

Python specs (:mod:`refute.spec.compile`) and TLA+ modules compile to a ``Model``; explorers
(:mod:`refute.engine.bfs`, and the simulation, liveness and parallel explorers that build on
it) know nothing else about a spec. Keep it small: every member here is something an explorer
cannot do without.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

State = Any
"""A state is any immutable, hashable value built from refute's value types."""


class Label(NamedTuple):
    """Which action instance took a step: the action's name and its arguments.

    Rendered as ``rm_prepare(rm=r2)``, or just ``tm_commit`` for an action without arguments.
    A named tuple, so that explorers can count labels with C-level hashing.
    """

    action: str
    args: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        if not self.args:
            return self.action
        return f"{self.action}({', '.join(f'{name}={value!r}' for name, value in self.args)})"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.action, "args": {name: value for name, value in self.args}}


@dataclass(frozen=True, slots=True)
class Predicate:
    """A named state predicate of a spec (an invariant, a constraint): ``test(state) -> bool``.

    ``where`` is ``file:line`` of its definition, for messages. ``test`` is the user's own
    callable, unwrapped, because explorers call it for every state.
    """

    name: str
    test: Callable[[State], Any]
    where: str | None = None


class Model(Protocol):
    """What an explorer knows about a spec.

    Invariants of implementations: ``next_states`` is deterministic for a given state (same
    successors in the same order, on every call and in every process started with the same
    hash seed); it raises :class:`~refute.errors.SpecError` (never another exception) when the
    spec fails; states it returns are immutable and hashable.
    """

    name: str
    """The spec's name, for reports."""

    source: str | None
    """The file the spec came from, if any."""

    action_names: Sequence[str]
    """Every action, in declaration order: coverage reports the ones that never fired."""

    invariants: Sequence[Predicate]
    constraints: Sequence[Predicate]

    symmetry: Sequence[Sequence[Any]]
    """Groups of interchangeable values; states equal up to permuting each group are one state."""

    view: Callable[[State], Any] | None
    """The part of a state that identifies it; ``None``: the whole state."""

    def init_states(self) -> list[State]:
        """The initial states, in a deterministic order."""
        ...

    def next_states(self, state: State) -> list[tuple[Label, State]]:
        """Every successor of ``state`` with the action instance that produced it."""
        ...

    def is_terminal(self, state: State) -> bool:
        """Whether ``state`` may have no successor without that being a deadlock."""
        ...

    def describe_state(self, state: State) -> dict[str, Any]:
        """The state as named fields, for reports (field name -> value)."""
        ...
