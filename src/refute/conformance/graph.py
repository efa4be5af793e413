"""The reachable state graph, kept whole: states, and every transition between them.

Test generation and model coverage need what the checker deliberately does not keep (the
states themselves and all transitions, not only a tree of parent links), so they build this
instead. It is meant for the small models one generates tests from: everything is in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refute.engine.model import Label, Model
from refute.errors import RefuteError, SpecError
from refute.limits import NO_LIMITS, Watch


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
    index: dict[Any, int] = field(default_factory=dict)
    edges: list[list[tuple[Label, int]]] = field(default_factory=list)
    parent: list[tuple[int, int] | None] = field(default_factory=list)
    initial: list[int] = field(default_factory=list)
    complete: bool = True

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
    """Explore ``model`` breadth-first, keeping every state and transition (within constraints),
    up to ``max_states`` states or until ``watch`` expires (then ``complete`` is False)."""
    graph = StateGraph()
    constraints = tuple(p.test for p in model.constraints)
    state: Any = None

    def add(state: Any, parent: tuple[int, int] | None) -> int | None:
        number = graph.index.get(state)
        if number is not None:
            return number
        if constraints and not all(test(state) for test in constraints):
            return None
        if len(graph.states) >= max_states:
            graph.complete = False
            return None
        number = len(graph.states)
        graph.index[state] = number
        graph.states.append(state)
        graph.edges.append([])
        graph.parent.append(parent)
        return number

    try:
        for state in model.init_states():
            number = add(state, None)
            if number is not None and number not in graph.initial:
                graph.initial.append(number)
        current = 0
        while current < len(graph.states):
            if current % 256 == 0 and watch.expired():
                graph.complete = False
                break
            out = graph.edges[current]
            for label, successor in model.next_states(graph.states[current]):
                target = add(successor, (current, len(out)))
                if target is not None:
                    out.append((label, target))
            current += 1
    except RefuteError:
        raise
    except Exception as exc:
        raise SpecError.from_exception(exc, "a state constraint", state, model.source) from None
    return graph
