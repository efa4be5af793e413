"""The transaction dependency graph, its strongly connected components, and cycle search.

Vertices are transaction ids (``0..n-1``); an edge ``u -> v`` means *u must precede v* in any
serial order, and carries a bit set of the reasons (:data:`WW`, :data:`WR`, :data:`RW`,
:data:`PROCESS`, :data:`REALTIME`), since two transactions can be related for several reasons
at once. There are no self-edges: what a transaction does to itself is an internal anomaly,
not a dependency.

Cycle search follows Elle's method (``elle.txn``): find the strongly connected components
(SCCs) of the whole graph, then inside each SCC look for a cycle of each anomaly kind, most
severe first. A kind is a :class:`CycleSpec`: which edge kinds it may use and a small
automaton over the edges it uses (how many ``rw``, whether two ``rw`` may be adjacent, whether
a ``wr`` or an order edge is required). The search is a breadth-first search over
``(vertex, automaton state)`` pairs from a start vertex back to itself, so each cycle found is
the shortest through its start; starting from every candidate (the targets of the edges the
kind requires: every such cycle passes through one) gives the shortest cycle of that kind in
the SCC, and the search stops early, keeping the best cycle so far, when its time budget runs
out. Before searching, the SCC is split by the SCCs of the subgraph of allowed edges, and a
component without an internal edge of the required kind is skipped: that proves absence in
linear time, which is what makes searching a 10,000-transaction SCC affordable.

Everything is iterative (Tarjan's algorithm with an explicit stack), so no recursion limit
applies whatever the graph's depth.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from refute.limits import Watch

WW, WR, RW, PROCESS, REALTIME = 1, 2, 4, 8, 16
ORDER = PROCESS | REALTIME
DATA = WW | WR | RW

KIND_NAMES = {WW: "ww", WR: "wr", RW: "rw", PROCESS: "process", REALTIME: "realtime"}


class Graph:
    """A directed graph over ``n`` vertices with labelled edges, stored as successor maps.

    ``succ[u][v]`` is the bit set of edge kinds from ``u`` to ``v``.
    """

    __slots__ = ("n", "succ")

    def __init__(self, n: int) -> None:
        self.n = n
        self.succ: list[dict[int, int]] = [{} for _ in range(n)]

    def add(self, u: int, v: int, kind: int) -> None:
        if u != v:
            edges = self.succ[u]
            edges[v] = edges.get(v, 0) | kind

    def edge_count(self) -> int:
        return sum(len(edges) for edges in self.succ)

    def kinds(self, u: int, v: int) -> int:
        return self.succ[u].get(v, 0)


def strongly_connected_components(adjacency: Sequence[Sequence[int]],
                                  watch: Watch | None = None) -> list[list[int]]:
    """Tarjan's algorithm, iterative; returns the components with at least two vertices.

    ``adjacency[v]`` lists the successors of ``v`` (vertices are ``0..len-1``). Components are
    returned in reverse topological order of the condensation, as Tarjan's algorithm finds them.
    ``watch`` is checked every 4096 roots (:class:`~refute.limits.LimitReached`).
    """
    n = len(adjacency)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if watch is not None and root % 4096 == 0:
            watch.check()
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, iter(adjacency[root]))]
        while work:
            v, successors = work[-1]
            for w in successors:
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, iter(adjacency[w])))
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[v] < low[parent]:
                        low[parent] = low[v]
                if low[v] == index[v]:
                    w = stack.pop()
                    on_stack[w] = False
                    if w == v:
                        continue
                    component = [w]
                    while w != v:
                        w = stack.pop()
                        on_stack[w] = False
                        component.append(w)
                    components.append(component)
    return components


def components_of(graph: Graph, vertices: Iterable[int] | None, mask: int,
                  watch: Watch | None = None) -> list[list[int]]:
    """The non-trivial SCCs of ``graph`` restricted to ``vertices`` and edges in ``mask``."""
    if vertices is None:
        succ = graph.succ
        adjacency = [[w for w, kinds in edges.items() if kinds & mask] for edges in succ]
        return strongly_connected_components(adjacency, watch)
    members = list(vertices)
    local = {v: i for i, v in enumerate(members)}
    adjacency = []
    for v in members:
        adjacency.append([local[w] for w, kinds in graph.succ[v].items()
                          if kinds & mask and w in local])
    return [[members[i] for i in component]
            for component in strongly_connected_components(adjacency)]


@dataclass(frozen=True)
class CycleSpec:
    """A kind of cycle, as the edges it may use and the automaton its edges must satisfy.

    Elle's ``cycle-anomaly-specs``: ``G0`` uses ww only; ``G1c`` ww and wr with at least one
    wr; ``G-single`` exactly one rw; ``G-nonadjacent`` at least two rw, no two consecutive
    (cyclically); ``G2-item`` at least one rw, no further constraint (searched after the
    others, so what it finds has adjacent rw edges). An ``ordered`` variant may also use
    process and real-time edges and must use at least one.
    """

    name: str
    allowed: int
    rw: str = "none"  # "none", "one", "nonadjacent" (two or more) or "some" (one or more)
    needs_wr: bool = False
    ordered: bool = False

    @property
    def required(self) -> int:
        """Edge kinds every cycle of this spec contains one of (the search's start set)."""
        if self.ordered:
            return ORDER
        if self.rw != "none":
            return RW
        if self.needs_wr:
            return WR
        return self.allowed


BASE_SPECS = (
    CycleSpec("G0", WW),
    CycleSpec("G1c", WW | WR, needs_wr=True),
    CycleSpec("G-single", DATA, rw="one"),
    CycleSpec("G-nonadjacent", DATA, rw="nonadjacent"),
    CycleSpec("G2-item", DATA, rw="some"),
)
ORDERED_SPECS = tuple(
    CycleSpec(f"{spec.name}-realtime", spec.allowed | ORDER, spec.rw, spec.needs_wr, True)
    for spec in BASE_SPECS
)

# Automaton state bits: rw count (0, 1, 2 meaning two or more), then flags. A search key packs
# a vertex and a state as ``vertex * _STATES + state``.
_RW_MASK, _LAST_RW, _HAS_WR, _HAS_ORDER, _LAST_ORDER = 3, 4, 8, 16, 32
_STATES = 64
_LABELS = (WW, WR, RW, PROCESS, REALTIME)


def _step(spec: CycleSpec, state: int, label: int) -> int:
    """The automaton's next state after an edge used as ``label``; -1 if not allowed."""
    if label == RW:
        count = state & _RW_MASK
        if spec.rw == "none" or (spec.rw == "one" and count) or \
                (spec.rw == "nonadjacent" and state & _LAST_RW):
            return -1
        return (state & ~(_RW_MASK | _LAST_ORDER)) | min(count + 1, 2) | _LAST_RW
    state &= ~(_LAST_RW | _LAST_ORDER)
    if label == WR:
        state |= _HAS_WR
    elif label & ORDER:
        state |= _HAS_ORDER | _LAST_ORDER
    return state


def _accepts(spec: CycleSpec, state: int) -> bool:
    count = state & _RW_MASK
    if spec.rw == "one" and count != 1:
        return False
    if spec.rw == "nonadjacent" and count < 2:
        return False
    if spec.rw == "some" and count < 1:
        return False
    if spec.needs_wr and not state & _HAS_WR:
        return False
    return not spec.ordered or bool(state & _HAS_ORDER)


Cycle = list[tuple[int, int, int]]  # (from, to, label) steps; the last step returns to start


def shortest_cycle_through(graph: Graph, spec: CycleSpec, start: int,
                           members: set[int], limit: int | None = None) -> Cycle | None:
    """The shortest closed walk from ``start`` satisfying ``spec``, inside ``members``.

    A 0-1 breadth-first search over ``(vertex, state)``. Length counts edges, except that an
    order edge right after another order edge is free: process and real-time order are
    transitive, so a run of them is one fact ("A committed before C began"), and the run is
    merged into one edge when the cycle is explained (:func:`merge_order_runs`). For
    ``G-nonadjacent`` the walk's first edge must not be rw (Elle's boundary condition), so that
    the closing edge may be. ``limit`` bounds the length: only shorter walks are wanted.
    """
    allowed = spec.allowed
    initial = _LAST_RW if spec.rw == "nonadjacent" else 0
    origin = start * _STATES + initial
    distance = {origin: 0}
    parent: dict[int, tuple[int, int]] = {origin: (-1, 0)}
    queue = deque([(0, origin)])
    best: tuple[int, int, int] | None = None  # (length, last key, closing label)
    bound = limit if limit is not None else 1 << 30
    succ = graph.succ
    while queue:
        d, key = queue.popleft()
        if d != distance[key]:
            continue  # superseded by a shorter route
        if d >= bound:
            break
        v, state = divmod(key, _STATES)
        for w, kinds in succ[v].items():
            kinds &= allowed
            if not kinds or w not in members:
                continue
            for label in _LABELS:
                if not kinds & label:
                    continue
                nxt = _step(spec, state, label)
                if nxt < 0:
                    continue
                cost = 0 if label & ORDER and state & _LAST_ORDER else 1
                length = d + cost
                if w == start:
                    if _accepts(spec, nxt) and length < bound:
                        bound = length
                        best = (length, key, label)
                    continue
                child = w * _STATES + nxt
                if length < distance.get(child, bound):
                    distance[child] = length
                    parent[child] = (key, label)
                    if cost:
                        queue.append((length, child))
                    else:
                        queue.appendleft((length, child))
    if best is None:
        return None
    return _walk(parent, best[1], start, best[2])


def _walk(parent: dict[int, tuple[int, int]], last: int, start: int, label: int) -> Cycle:
    steps = [(last // _STATES, start, label)]
    key = last
    while True:
        previous, how = parent[key]
        if previous < 0:
            break
        steps.append((previous // _STATES, key // _STATES, how))
        key = previous
    steps.reverse()
    return steps


@dataclass
class SearchOutcome:
    """What a search for one spec in one SCC established."""

    cycle: Cycle | None
    complete: bool  # False: the budget ran out before every candidate was tried


def find_cycle(graph: Graph, spec: CycleSpec, scc: list[int], watch: Watch | None,
               budget: float) -> SearchOutcome:
    """The shortest cycle of ``spec`` in ``scc``, within ``budget`` seconds once one is found.

    Without a cycle yet, the search goes on until ``watch`` expires (None: no limit), because
    "none found" must be proved, not guessed. Candidates are tried smallest component first,
    so small cycles are found early even in a huge SCC.
    """
    started = time.monotonic()
    best: Cycle | None = None
    required = spec.required
    for component in sorted(components_of(graph, scc, spec.allowed), key=len):
        members = set(component)
        starts = sorted({w for v in component for w, kinds in graph.succ[v].items()
                         if kinds & required and w in members})
        for start in starts:
            if watch is not None and watch.expired():
                return SearchOutcome(best, False)
            limit = None if best is None else cycle_length(best)
            cycle = shortest_cycle_through(graph, spec, start, members, limit)
            if cycle is not None and _is_simple(cycle) and (best is None or
                                                           cycle_length(cycle) <
                                                           cycle_length(best)):
                best = cycle
                if cycle_length(best) == 2:
                    return SearchOutcome(best, True)
            if best is not None and time.monotonic() - started > budget:
                return SearchOutcome(best, False)
    return SearchOutcome(best, True)


def merge_order_runs(cycle: Cycle) -> Cycle:
    """Merge each run of consecutive order edges (cyclically) into one edge.

    Real-time order is transitive (A committed before B began, B before C: A before C), and a
    run of process edges stays in one process; so a run becomes one ``PROCESS`` edge when all
    its edges are process edges, else one ``REALTIME`` edge.
    """
    if all(label & ORDER for _, _, label in cycle):
        return cycle
    shift = next(i for i, (_, _, label) in enumerate(cycle) if not label & ORDER)
    rotated = cycle[shift:] + cycle[:shift]
    merged: Cycle = []
    for source, target, label in rotated:
        if label & ORDER and merged and merged[-1][2] & ORDER:
            previous = merged.pop()
            label = PROCESS if previous[2] == PROCESS and label == PROCESS else REALTIME
            source = previous[0]
        merged.append((source, target, label))
    return merged


def cycle_length(cycle: Cycle) -> int:
    """The length of a cycle once its order runs are merged."""
    return len(merge_order_runs(cycle))


def _is_simple(cycle: Cycle) -> bool:
    """Whether a closed walk visits each vertex once; only simple cycles are reported."""
    return len({step[0] for step in cycle}) == len(cycle)
