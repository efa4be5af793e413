"""The reachable state graph with its states' values, kept for export (``--dump-graph``).

:class:`StateGraphRecorder` is a :class:`~refute.engine.bfs.GraphObserver`: the search that
checks the spec tells it each state and step as it keeps them, so the exported graph is the
checked one (after ``view`` and symmetry, within the constraints, numbered in the search's
discovery order) and nothing is explored twice. Unlike the liveness check's graph
(:class:`~refute.engine.fair_scc.GraphBuilder`, integers in arrays) it holds every state
value, which is what an export is for; it is meant for graphs one can look at.

Invariant: state ``n`` is the ``n``-th state the search stored; an edge ``(source, target,
label)`` is one successor kept, in the search's order (successors beyond the constraints are
not in the graph; a step back to a known state is).
"""

from __future__ import annotations

from typing import Any

from refute.engine.bfs import GraphObserver
from refute.engine.trace import ROOT

__all__ = ["StateGraphRecorder", "Tee"]


class StateGraphRecorder:
    """``states`` (values, by number), ``initial`` (their numbers), ``edges`` ``(source,
    target, label)``."""

    def __init__(self) -> None:
        self.states: list[Any] = []
        self.initial: list[int] = []
        self.edges: list[tuple[int, int, Any]] = []
        self._numbers: dict[int, int] = {}

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None:
        number = len(self.states)
        self._numbers[key] = number
        self.states.append(state)
        if parent == ROOT:
            self.initial.append(number)

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None:
        self.edges.append((source, self._numbers[key], label))


class Tee:
    """Tells several observers the same states and steps, in order."""

    def __init__(self, *observers: GraphObserver) -> None:
        self.observers = observers

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None:
        for observer in self.observers:
            observer.state(state, key, parent, ordinal)

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None:
        for observer in self.observers:
            observer.edge(source, ordinal, key, label, before, after)
