"""Deciding whether some version order satisfies a level: SAT with cycles learnt lazily.

The constraints of a :class:`~refute.history.polygraph.Polygraph` are propositional
variables; an assignment is a version order (per key, for every pair of writers, which came
first). The solver (MiniSat through python-sat) proposes an assignment; the edges it selects
are checked for a *forbidden cycle* of the level (:class:`CycleRule`); each cycle found
becomes a clause saying "not all of these choices at once", and the solver is asked again.

- satisfiable with no forbidden cycle: the level **holds**, and the assignment is a witness;
- unsatisfiable: **every** version order has a forbidden cycle; the cycle reported is the
  one with the fewest assumed edges among those learnt, under the version order that
  produced it (its assumed edges are marked as such);
- the time or memory limit reached first: **unknown**, never a guess.

Each learnt clause removes at least the current assignment, so the loop ends. Initial phases
put writers in the order of their transactions' completion (or the file's order, without
timing): a real database's version order usually follows commit order, so a valid history is
typically accepted by the first assignment. The solver keeps those phases (MiniSat's phase
saving); CaDiCaL, whose rephasing flips thousands of free choices between rounds, needed
ten times more rounds on the same histories.

Cycle rules, over edges classified as dependencies (``ww``, ``wr``, ``process``,
``realtime``) and anti-dependencies (``rw``):

- ``any``: no cycle at all (serializability: Adya's PL-3; with real-time edges, strict);
- ``si``: no cycle without two adjacent ``rw`` edges, i.e. ``(D ; rw?)`` acyclic (Cerone and
  Gotsman's characterization of snapshot isolation, as PolySI checks it), found as a cycle of
  the product graph whose second component says "the last edge was rw";
- ``psi``: no cycle with at most one ``rw`` edge, i.e. ``D+ ; rw?`` irreflexive (Cerone et
  al.'s parallel snapshot isolation);
- ``pc``: no cycle in which every ``rw`` edge directly follows a session or ``wr`` edge, i.e.
  ``((so ∪ wr) ; rw?) ∪ ww`` acyclic (Cerone and Gotsman's characterization of prefix
  consistency): a cycle of the product graph whose second component says "the last edge
  was ``ww`` or ``rw``", after which no ``rw`` may come;
- ``dependency``: no cycle of dependency edges (read committed, Adya's PL-2, with ``D`` the
  ``ww`` and ``wr`` edges only).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from refute.history.graph import RW, WW

if TYPE_CHECKING:
    from refute.history.polygraph import Polygraph
    from refute.limits import Watch

SAT_SOLVER = "minisat22"  # python-sat's name; measured against others in RESULTS-registers.md
CYCLES_PER_ROUND = 256  # cycles learnt from one assignment, at most
STARTS_PER_COMPONENT = 32  # of which from one strongly connected component


@dataclass
class CycleEdge:
    """One edge of a reported cycle. ``var`` is 0 for a known edge, else the constraint
    whose choice (``sign``) the edge assumes; ``derived`` marks a known edge deduced rather
    than shown (an order pruning forced, or one a level's axiom forces)."""

    src: int
    dst: int
    kind: int
    key: Any
    var: int
    sign: bool
    derived: bool = False
    via: int | None = None  # for an edge an axiom forced, the read that forced it

    @property
    def inferred(self) -> bool:
        """Whether the history does not show this edge: assumed, forced or derived."""
        return self.var != 0 or self.derived


@dataclass
class Decision:
    """The outcome: ``holds`` True, False (violation) or None (unknown, a limit stopped it)."""

    holds: bool | None
    cycle: list[CycleEdge] | None = None
    assumed: list[tuple[Any, int, int]] = field(default_factory=list)  # (key, first, second)
    rounds: int = 0
    clauses: int = 0


def decide(graph: Polygraph, rule: str, rank: list[float], watch: Watch | None) -> Decision:
    """Whether some version order of ``graph`` has no forbidden cycle under ``rule``.

    ``rank[t]`` orders transactions for the initial phases (lower first).
    """
    from pysat.solvers import Solver

    known = np.flatnonzero(graph.var == 0)
    cycles = find_cycles(graph, known, rule)
    if cycles:
        return Decision(False, _best(cycles), [])
    if graph.variables == 0:
        return Decision(True)
    best: list[CycleEdge] | None = None
    clauses = rounds = 0
    with Solver(name=SAT_SOLVER) as solver:
        phases = np.array([rank[a] <= rank[b] for _, a, b in graph.pairs], dtype=bool)
        solver.set_phases([i + 1 if first else -(i + 1) for i, first in enumerate(phases)])
        stop = _Interrupter(solver, watch)
        try:
            while True:
                if watch is not None and watch.expired():
                    return Decision(None, rounds=rounds, clauses=clauses)
                outcome = solver.solve_limited(expect_interrupt=True)
                if outcome is None:
                    return Decision(None, rounds=rounds, clauses=clauses)
                if not outcome:
                    assert best is not None
                    return Decision(False, best, _assumptions(graph, best), rounds, clauses)
                rounds += 1
                # Variables no clause mentions yet are absent from the model: they are free,
                # and take their phase.
                values = np.concatenate([[True], phases])
                model = np.array(solver.get_model() or [], dtype=np.int64)
                model = model[np.abs(model) <= graph.variables]
                values[np.abs(model)] = model > 0
                found = find_cycles(graph, graph.select(values), rule)
                if not found:
                    return Decision(True, rounds=rounds, clauses=clauses)
                for cycle in found:
                    literals = sorted({edge.var if edge.sign else -edge.var
                                       for edge in cycle if edge.var > 0})
                    solver.add_clause([-lit for lit in literals])
                    clauses += 1
                candidate = _best(found)
                if best is None or _weight(candidate) < _weight(best):
                    best = candidate
        finally:
            stop.cancel()


def _weight(cycle: list[CycleEdge]) -> tuple[int, int]:
    return sum(edge.var != 0 for edge in cycle), len(cycle)


def _best(cycles: list[list[CycleEdge]]) -> list[CycleEdge]:
    return min(cycles, key=_weight)


def _assumptions(graph: Polygraph, cycle: list[CycleEdge]) -> list[tuple[Any, int, int]]:
    """The version-order choices a cycle relies on, as ``(key, first, second)``."""
    seen = {}
    for edge in cycle:
        if edge.var > 0 and edge.var not in seen:
            key, a, b = graph.pairs[edge.var - 1]
            seen[edge.var] = (key, a, b) if edge.sign else (key, b, a)
    return list(seen.values())


class _Interrupter:
    """Interrupts the solver when the watch expires (time or memory), polling a few times a
    second from a daemon thread; the solver then returns None (unknown)."""

    def __init__(self, solver: Any, watch: Watch | None) -> None:
        self._done = threading.Event()
        if watch is not None and watch.active:
            threading.Thread(target=self._poll, args=(solver, watch), daemon=True).start()

    def _poll(self, solver: Any, watch: Watch) -> None:
        while not self._done.wait(0.05):
            if watch.expired():
                solver.interrupt()
                return

    def cancel(self) -> None:
        self._done.set()


def find_cycles(graph: Polygraph, selected: np.ndarray, rule: str) -> list[list[CycleEdge]]:
    """Forbidden cycles among the ``selected`` edges: one per strongly connected component
    that holds one, at most :data:`CYCLES_PER_ROUND`; an empty list when there is none."""
    kinds = graph.kind[selected]
    if rule == "dependency" or rule == "psi":
        dependency = selected[kinds != RW]
        cycles = _cycles(graph, dependency, graph.n)
        if cycles or rule == "dependency":
            return cycles
        return _one_rw_cycles(graph, selected)
    if rule == "any":
        return _cycles(graph, selected, graph.n)
    n = graph.n
    if rule == "pc":
        # vertex (v, after_ww_or_rw) is v + after * n: so/wr edges lead to the first copy,
        # ww edges to the second, and rw edges leave only the first copy.
        is_rw, is_ww = kinds == RW, kinds == WW
        visible, ww, rw = selected[~is_rw & ~is_ww], selected[is_ww], selected[is_rw]
        src = np.concatenate([graph.src[visible], graph.src[visible] + n, graph.src[ww],
                              graph.src[ww] + n, graph.src[rw]])
        dst = np.concatenate([graph.dst[visible], graph.dst[visible], graph.dst[ww] + n,
                              graph.dst[ww] + n, graph.dst[rw] + n])
        return _cycles(graph, np.concatenate([visible, visible, ww, ww, rw]), 2 * n, src, dst)
    # si: vertex (v, after_rw) is v + after_rw * n; a dependency edge leaves either copy for
    # the first one, an rw edge leaves only the first copy (no two rw in a row) for the second.
    is_rw = kinds == RW
    dependency, rw = selected[~is_rw], selected[is_rw]
    src = np.concatenate([graph.src[dependency], graph.src[dependency] + n, graph.src[rw]])
    dst = np.concatenate([graph.dst[dependency], graph.dst[dependency], graph.dst[rw] + n])
    ids = np.concatenate([dependency, dependency, rw])
    return _cycles(graph, ids, 2 * n, src, dst)


def _cycles(graph: Polygraph, ids: np.ndarray, size: int, src: np.ndarray | None = None,
            dst: np.ndarray | None = None) -> list[list[CycleEdge]]:
    """Shortest cycles in the non-trivial SCCs of the graph whose ``i``-th edge goes from
    ``src[i]`` to ``dst[i]`` (product vertices allowed) and stands for edge ``ids[i]``.

    Per component, up to :data:`STARTS_PER_COMPONENT` cycles, each the shortest through the
    target of a different assumed edge (so that each teaches the solver something), at most
    :data:`CYCLES_PER_ROUND` in all. The breadth-first searches run in scipy's C code.
    """
    if src is None:
        src, dst = graph.src[ids], graph.dst[ids]
    if not len(ids):
        return []
    matrix = csr_matrix((np.ones(len(ids), dtype=np.int8), (src, dst)), shape=(size, size))
    count, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    inside = (labels[src] == labels[dst]) & (sizes[labels[src]] > 1)
    if not inside.any():
        return []
    keep = np.flatnonzero(inside)
    assumed = graph.var[ids[keep]] != 0
    # Sorted by source, known edges first within a source (fewer assumptions per cycle).
    order = np.lexsort((assumed, src[keep]))
    keep, assumed = keep[order], assumed[order]
    network = _Network(src[keep], dst[keep], ids[keep], size)
    # Start vertices: targets of assumed edges, a few per component; components without an
    # assumed edge (a cycle of known edges) start anywhere.
    candidates = np.concatenate([np.flatnonzero(assumed), np.arange(len(keep))])
    component = labels[network.sources[candidates]]
    cycles: list[list[CycleEdge]] = []
    per_component: dict[int, int] = {}
    tried: set[int] = set()
    for i, c in zip(candidates.tolist(), component.tolist()):
        if per_component.get(c, 0) >= STARTS_PER_COMPONENT:
            continue
        start = int(network.targets[i])
        if start in tried:
            continue
        tried.add(start)
        path = network.shortest_cycle(start)
        per_component[c] = per_component.get(c, 0) + 1
        cycles.append([_edge(graph, e) for e in path])
        if len(cycles) >= CYCLES_PER_ROUND:
            break
    return cycles


class _Network:
    """The edges inside strongly connected components, for shortest-cycle queries in C.

    ``sources`` is sorted, and within one source known edges come first, so the edge chosen
    for a step ``u -> v`` is a known one whenever there is one.
    """

    def __init__(self, sources: np.ndarray, targets: np.ndarray, ids: np.ndarray,
                 size: int) -> None:
        self.sources, self.targets, self.ids = sources, targets, ids
        self.indptr = np.searchsorted(sources, np.arange(size + 1))
        ones = np.ones(len(sources), dtype=np.float64)  # scipy's searches convert to float64
        self.matrix = csr_matrix((ones, (sources, targets)), shape=(size, size))
        self.matrix.sum_duplicates()
        self.incoming = csr_matrix((ones, (targets, sources)), shape=(size, size))

    def shortest_cycle(self, start: int) -> list[int]:
        """Edge ids of a shortest cycle through ``start`` (which lies in a component)."""
        distance, previous = shortest_path(self.matrix, unweighted=True, indices=start,
                                           return_predecessors=True)
        lo, hi = self.incoming.indptr[start], self.incoming.indptr[start + 1]
        before = self.incoming.indices[lo:hi]
        last = int(before[np.argmin(distance[before])])
        vertices = [last]
        while vertices[-1] != start:
            vertices.append(int(previous[vertices[-1]]))
        vertices.reverse()  # start ... last
        vertices.append(start)
        return [self.edge(u, v) for u, v in zip(vertices, vertices[1:])]

    def edge(self, u: int, v: int) -> int:
        """The id of an edge ``u -> v`` (a known one if any)."""
        lo, hi = int(self.indptr[u]), int(self.indptr[u + 1])
        return int(self.ids[lo + int(np.flatnonzero(self.targets[lo:hi] == v)[0])])


def _one_rw_cycles(graph: Polygraph, selected: np.ndarray) -> list[list[CycleEdge]]:
    """Cycles of dependency edges closed by one rw edge ``u -> v``: ``v`` reaches ``u``
    through dependency edges (which are acyclic here). One breadth-first search (in C) per
    distinct ``v``, only for rw edges inside a strongly connected component of all edges."""
    n = graph.n
    matrix = csr_matrix((np.ones(len(selected), dtype=np.int8),
                         (graph.src[selected], graph.dst[selected])), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    kinds = graph.kind[selected]
    rw = selected[kinds == RW]
    rw = rw[labels[graph.src[rw]] == labels[graph.dst[rw]]]
    if not len(rw):
        return []
    dependency = selected[kinds != RW]
    order = np.lexsort((graph.var[dependency] != 0, graph.src[dependency]))
    dependency = dependency[order]
    network = _Network(graph.src[dependency], graph.dst[dependency], dependency, n)
    closing: dict[int, list[int]] = {}
    for e in rw.tolist():
        closing.setdefault(int(graph.dst[e]), []).append(e)
    cycles: list[list[CycleEdge]] = []
    for v, edges in closing.items():
        distance, previous = shortest_path(network.matrix, unweighted=True, indices=v,
                                           return_predecessors=True)
        for e in edges:
            u = int(graph.src[e])
            if not np.isfinite(distance[u]):
                continue
            vertices = [u]
            while vertices[-1] != v:
                vertices.append(int(previous[vertices[-1]]))
            vertices.reverse()
            path = [network.edge(a, b) for a, b in zip(vertices, vertices[1:])]
            cycles.append([_edge(graph, e)] + [_edge(graph, p) for p in path])
            break  # one cycle per closing vertex
        if len(cycles) >= CYCLES_PER_ROUND:
            break
    return cycles


def _edge(graph: Polygraph, e: int) -> CycleEdge:
    return CycleEdge(int(graph.src[e]), int(graph.dst[e]), int(graph.kind[e]),
                     graph.edge_keys[e], int(graph.var[e]), bool(graph.sign[e]),
                     graph.derived is not None and bool(graph.derived[e]), graph.via.get(e))
