"""The reachable state graph, kept whole: states, and every transition between them.

Test generation and model coverage need what the checker deliberately does not keep (the
states themselves and all transitions, not only a tree of parent links), so they build this
instead. It is meant for the small models one generates tests from: everything is in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refute.engine.bfs import Options, explore, state_fingerprint
from refute.engine.model import Label, Model
from refute.engine.result import StopReason
from refute.engine.trace import ROOT
from refute.limits import NO_LIMITS, Limit, Watch


@dataclass
class StateGraph:
    """States numbered in breadth-first discovery order (as ``refute check`` numbers them).

    ``edges[i]``: the transitions out of state ``i`` as ``(label, j)``, in ``next_states``
    order; ``parent[i]``: ``(k, position)`` of the edge by which ``i`` was first reached
    (``None`` for an initial state), so ``path_to(i)`` is a shortest path. ``complete`` is
    False when ``max_states`` stopped the search (then some edges lead out of the graph and
    are left out).
    """

    states: list[Any] = field(default_factory=list)
    index: dict[int, int] = field(default_factory=dict)  # fingerprint -> state number
    edges: list[list[tuple[Label, int]]] = field(default_factory=list)
    parent: list[tuple[int, int] | None] = field(default_factory=list)
    initial: list[int] = field(default_factory=list)
    complete: bool = True
    fingerprint: Callable[[Any], int] = hash  # the search's, with the model's view and symmetry

    def number_of(self, state: Any) -> int | None:
        """The number of the kept state ``state`` is (up to view and symmetry), if any."""
        return self.index.get(self.fingerprint(state))

    @property
    def transitions(self) -> int:
        return sum(len(out) for out in self.edges)

    def path_to(self, target: int) -> list[tuple[int, int]]:
        """The edges ``(state, position)`` of a shortest path from an initial state."""
        path = []
        while self.parent[target] is not None:
            source, position = self.parent[target]
            path.append((source, position))
            target = source
        path.reverse()
        return path

    def root_of(self, target: int) -> int:
        while self.parent[target] is not None:
            target = self.parent[target][0]
        return target


def build_graph(model: Model, max_states: int = 100_000, watch: Watch = NO_LIMITS) -> StateGraph:
    """Explore ``model`` with the engine's breadth-first search, keeping every state and
    transition (within constraints), up to ``max_states`` states or until ``watch`` expires
    (then ``complete`` is False). States are those the search keeps, so ``view`` and symmetry
    apply as in ``refute check``: a transition to a state equal to a kept one up to them leads
    to the kept one."""
    graph = StateGraph(fingerprint=state_fingerprint(model))
    remaining = None if watch.deadline is None else max(watch.deadline - time.perf_counter(), 1e-9)
    options = Options(invariants=(), deadlock=False, max_states=max_states,
                      time_limit=remaining, memory_limit=watch.memory_limit)
    result = explore(model, options, graph=_Collector(graph))
    graph.complete = result.stop_reason is None  # a constraint prunes, and the graph is whole
    if result.stop_reason in (StopReason.TIME_LIMIT, StopReason.MEMORY_LIMIT):
        watch.reason = Limit.TIME if result.stop_reason is StopReason.TIME_LIMIT else Limit.MEMORY
    return graph


class _Collector:
    """The :class:`~refute.engine.bfs.GraphObserver` that fills a :class:`StateGraph`: the
    search numbers states in the same discovery order, so a state's number is its position."""

    def __init__(self, graph: StateGraph) -> None:
        self.graph = graph

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None:
        graph = self.graph
        number = len(graph.states)
        graph.index[key] = number
        graph.states.append(state)
        graph.edges.append([])
        if parent == ROOT:
            graph.parent.append(None)
            graph.initial.append(number)
        else:  # the edge to it is told next, and will be the parent's next one
            graph.parent.append((parent, len(graph.edges[parent])))

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None:
        self.graph.edges[source].append((label, self.graph.index[key]))
