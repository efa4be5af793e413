"""The product of the state graph with a tableau, and the search for a fair accepting cycle.

How a :attr:`~refute.engine.model.Temporal.FORMULA` property is checked, after its negation
became an automaton (:func:`refute.engine.ltl.tableau`):

1. **The product** (:func:`product`): a node ``(s, q)`` exists when the state literals of
   automaton node ``q`` hold in state ``s``; an edge ``(s, q) -> (t, q')`` when ``q -> q'``
   in the automaton, ``s -> t`` is a step of the graph or ``s = t`` (stuttering, which every
   TLA+ behaviour may do, so it is an explicit edge here), and the step literals of ``q``
   hold on that step. Edges inherit the fairness members of the graph's steps (stuttering
   takes none), and a member is enabled in ``(s, q)`` when it is enabled in ``s``.
2. **A fair accepting cycle** (:func:`~refute.engine.fair_scc.fair_component`): a strongly
   connected component reachable from an initial node ``(s0, q0)`` that holds a cycle, meets
   every acceptance set, and satisfies the spec's fairness (the Emerson-Lei refinement, as
   for the fixed shapes). One exists exactly when some fair behaviour of the spec satisfies
   the negation: a run that visits all of such a component forever is accepted, and its
   projection takes every fairness member the component can take.
3. **The lasso** (:func:`_lasso`): the shortest product path to the component's node closest
   to the start, then a cycle through a node of each acceptance set and each fairness
   waypoint, projected on the graph with the stuttering steps dropped (TLA+ formulas cannot
   tell them apart). A cycle of stuttering steps only is reported as stopping in that state.

The product's nodes are numbered ``q * states + s``; with few automaton nodes (a property's
conjuncts are checked one by one) it stays a small multiple of the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from refute.engine.fair_scc import (AtomValues, Graph, fair_component, fairness_needs, path,
                                    replay_edge)
from refute.engine.ltl import AtomKind, Not, Tableau, tableau
from refute.engine.model import Model, TemporalProperty
from refute.engine.result import Step, Violation, ViolationKind
from refute.engine.trace import ROOT


@dataclass
class Product:
    """The product of a graph and a tableau, node ``q * graph.size + s`` for ``(s, q)``.

    Edge ``i`` goes ``src[i] -> dst[i]`` by the graph's edge ``step[i]`` (-1: stuttering);
    ``member_edges`` and ``enabled`` are per fairness member of the graph, as in
    :class:`refute.engine.fair_scc._Edges`. ``order`` lists the nodes reachable from an
    initial one breadth-first and ``predecessors`` leads back (to ``n`` from an initial node).
    """

    n: int
    src: np.ndarray
    dst: np.ndarray
    step: np.ndarray
    member_edges: list[np.ndarray]
    enabled: list[np.ndarray]
    loops: np.ndarray
    accepts: list[np.ndarray]
    order: np.ndarray
    predecessors: np.ndarray


def product(graph: Graph, automaton: Tableau, values: Sequence[AtomValues]) -> Product:
    """Build the product (see the module docstring), with its reachable part."""
    size, k = graph.size, len(automaton.nodes)
    edges = graph.edges
    src, dst = edges.src, edges.dst
    valid = np.ones((k, size), dtype=bool)
    for q, node in enumerate(automaton.nodes):
        for atom, positive in node.literals:
            if automaton.atoms[atom].kind is not AtomKind.STEP:
                valid[q] &= values[atom].states if positive else ~values[atom].states
    on_edges, on_stutters = [], []
    for q, node in enumerate(automaton.nodes):
        on_edge = valid[q][src]
        on_stutter = valid[q].copy()
        for atom, positive in node.literals:
            if automaton.atoms[atom].kind is AtomKind.STEP:
                v = values[atom]
                on_edge &= v.edges if positive else ~v.edges
                on_stutter &= v.states if positive else ~v.states
        on_edges.append(on_edge)
        on_stutters.append(on_stutter)
    roots = np.frombuffer(graph.parents, dtype=np.uint32) == ROOT
    starts = np.concatenate([q * size + np.flatnonzero(roots & valid[q])
                             for q, node in enumerate(automaton.nodes) if node.initial]
                            or [np.zeros(0, dtype=np.int64)])
    reached = _reachable(graph, dst, automaton, valid, on_edges, on_stutters, starts)
    sources, targets, steps = [], [], []
    for q, node in enumerate(automaton.nodes):
        on_edge, on_stutter = on_edges[q], on_stutters[q]
        on_edge &= reached[q][src]
        on_stutter &= reached[q]
        for following in node.successors:
            moves = np.flatnonzero(on_edge & valid[following][dst])
            stays = np.flatnonzero(on_stutter & valid[following])
            sources += [q * size + src[moves], q * size + stays]
            targets += [following * size + dst[moves], following * size + stays]
            steps += [moves, np.full(len(stays), -1, dtype=np.int64)]
    n = k * size
    psrc = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
    pdst = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    pstep = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)

    membership = np.zeros((len(graph.class_members), len(graph.members)), dtype=bool)
    for kind, members in enumerate(graph.class_members):
        membership[kind, list(members)] = True
    classes = np.zeros(len(pstep), dtype=np.int64)  # stuttering takes no member: class 0
    moved = pstep >= 0
    classes[moved] = graph.classes[pstep[moved]]
    offsets = np.arange(k, dtype=np.int64)[:, None] * size
    member_edges = [np.flatnonzero(membership[classes, m]) for m in range(len(graph.members))]
    enabled_nodes = [(offsets + e[None, :]).ravel() for e in edges.enabled]
    loops = np.zeros(n, dtype=bool)
    loops[psrc[psrc == pdst]] = True
    accepts = []
    for accepting in automaton.accepting:
        accept = np.zeros((k, size), dtype=bool)
        accept[sorted(accepting)] = True
        accepts.append(accept.ravel())

    rows = np.concatenate([psrc, np.full(len(starts), n)])
    cols = np.concatenate([pdst, starts])
    matrix = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n + 1, n + 1))
    order, predecessors = breadth_first_order(matrix, n, directed=True, return_predecessors=True)
    return Product(n, psrc, pdst, pstep, member_edges, enabled_nodes, loops, accepts,
                   order[1:], predecessors)


def _reachable(graph: Graph, dst: np.ndarray, automaton: Tableau, valid: np.ndarray,
               on_edges: list[np.ndarray], on_stutters: list[np.ndarray],
               starts: np.ndarray) -> np.ndarray:
    """The product's nodes reachable from ``starts``, as a ``(k, size)`` bool array, found
    level by level over the graph's CSR arrays without building the product's edges: only
    the edges out of these nodes are built then, which is all the search needs (every edge
    out of a reachable node leads to one, and the others are never visited), in the same
    order as the whole product's, so that its search and lasso are the same."""
    size, k = graph.size, len(automaton.nodes)
    reached = np.zeros(k * size, dtype=bool)
    reached[starts] = True
    frontier = starts
    offsets = graph.offsets
    while len(frontier):
        found = []
        automaton_nodes, states_of = np.divmod(frontier, size)
        for q in np.unique(automaton_nodes).tolist():
            states = states_of[automaton_nodes == q]
            low = offsets[states]
            lengths = offsets[states + 1] - low
            ends = np.cumsum(lengths)
            out = np.repeat(low - ends + lengths, lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
            out = out[on_edges[q][out]]
            targets = dst[out]
            staying = states[on_stutters[q][states]]
            for following in automaton.nodes[q].successors:
                found.append(following * size + targets[valid[following][targets]])
                found.append(following * size + staying[valid[following][staying]])
        new = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        frontier = new[~reached[new]]
        reached[frontier] = True
    return reached.reshape(k, size)


# ----------------------------------------------------------------------------- the check
def find_violation(model: Model, graph: Graph, prop: TemporalProperty,
                   values: Sequence[AtomValues]) -> Violation | None:
    """A fair lasso of ``model`` violating ``prop.formula``, or ``None`` if every fair
    behaviour satisfies it. ``values`` are the formula's atoms (in
    :func:`refute.engine.ltl.atoms` order) evaluated over ``graph``."""
    automaton = tableau(Not(prop.formula))
    if not automaton.nodes:
        return None  # the negation is unsatisfiable: the formula is valid
    prod = product(graph, automaton, values)
    if len(prod.order) == 0:
        return None
    region = np.zeros(prod.n, dtype=bool)
    region[prod.order] = True
    rank = np.full(prod.n, prod.n, dtype=np.int64)
    rank[prod.order] = np.arange(len(prod.order))
    component = fair_component(prod.n, prod.src, prod.dst, prod.member_edges, prod.enabled,
                               graph.strong, region, prod.accepts, rank, loops=prod.loops)
    if component is None:
        return None
    return _lasso(model, graph, prod, prop, component, rank)


def _lasso(model: Model, graph: Graph, prod: Product, prop: TemporalProperty,
           component: np.ndarray, rank: np.ndarray) -> Violation:
    inside = np.zeros(prod.n, dtype=bool)
    inside[component] = True
    entry = int(component[np.argmin(rank[component])])
    keep = inside[prod.src] & inside[prod.dst]
    matrix = csr_matrix((np.ones(int(keep.sum()), dtype=bool),
                         (prod.src[keep], prod.dst[keep])), shape=(prod.n, prod.n))
    edge = _EdgeFinder(prod, keep)

    prefix: list[int] = []  # product nodes from an initial one to the entry
    node = entry
    while node != prod.n:
        prefix.append(node)
        node = int(prod.predecessors[node])
    prefix.reverse()
    prefix_edges = [edge(a, b, anywhere=True) for a, b in zip(prefix, prefix[1:])]

    # The cycle: from the entry through the nearest node of every acceptance set, the nearest
    # step of every fairness member to take (or state where it is disabled), and back.
    cycle: list[int] = []
    current = entry
    needs = [(np.flatnonzero(accept & inside), False) for accept in prod.accepts]
    needs += fairness_needs(prod, inside, entry)
    for candidates, take in needs:
        order = breadth_first_order(matrix, current, directed=True, return_predecessors=False)
        distance = np.full(prod.n, prod.n, dtype=np.int64)
        distance[order] = np.arange(len(order))
        if take:
            through = int(candidates[np.argmin(distance[prod.src[candidates]])])
            target = int(prod.src[through])
        else:
            target = int(candidates[np.argmin(distance[candidates])])
        cycle += [edge(a, b) for a, b in path(matrix, current, target)]
        current = target
        if take:
            cycle.append(through)
            current = int(prod.dst[through])
    cycle += [edge(a, b) for a, b in path(matrix, current, entry)]
    if not cycle:  # nothing to visit: the entry's self-loop, or out and back
        out = edge.first_from(entry)
        cycle = [out] + [edge(a, b) for a, b in path(matrix, int(prod.dst[out]), entry)]

    start = prefix[0] % graph.size
    lead = [int(prod.step[e]) for e in prefix_edges if prod.step[e] >= 0]
    moves = [int(prod.step[e]) for e in cycle if prod.step[e] >= 0]
    lead, moves = _shortest_form(lead, moves)
    steps = [Step(None, model.init_states()[graph.ordinals[start]])]
    for move in lead:
        steps.append(replay_edge(model, graph, steps[-1].state, move))
    loop_start = len(steps) - 1
    if not moves:  # only stuttering: the behaviour stays in the entry's state
        return Violation(ViolationKind.LIVENESS, prop.name, tuple(steps), loop_start, None)
    for move in moves[:-1]:
        steps.append(replay_edge(model, graph, steps[-1].state, move))
    closing = replay_edge(model, graph, steps[-1].state, moves[-1])
    return Violation(ViolationKind.LIVENESS, prop.name, tuple(steps), loop_start, closing.action)


def _shortest_form(lead: list[int], moves: list[int]) -> tuple[list[int], list[int]]:
    """The same behaviour (the steps of ``lead``, then those of ``moves`` forever) written
    with the shortest loop: a loop that repeats itself is cut to its period, and steps before
    the loop that match its end are taken into it (the product's cycle closes on an
    automaton node, which can take more turns than the states need)."""
    for period in range(1, len(moves)):
        if len(moves) % period == 0 and moves == moves[:period] * (len(moves) // period):
            moves = moves[:period]
            break
    while lead and moves and lead[-1] == moves[-1]:
        lead.pop()
        moves = moves[-1:] + moves[:-1]
    return lead, moves


class _EdgeFinder:
    """The first product edge between two nodes (inside the component, or ``anywhere``);
    a self-loop is preferred when leaving a node to come back."""

    def __init__(self, prod: Product, keep: np.ndarray) -> None:
        self.prod, self.keep = prod, keep
        self.by_source = np.argsort(prod.src, kind="stable")
        self.sources = prod.src[self.by_source]

    def _from(self, source: int) -> np.ndarray:
        low, high = np.searchsorted(self.sources, [source, source + 1])
        return self.by_source[low:high]

    def __call__(self, source: int, target: int, anywhere: bool = False) -> int:
        out = self._from(source)
        found = out[(self.prod.dst[out] == target) & (anywhere | self.keep[out])]
        return int(found[0])

    def first_from(self, source: int) -> int:
        out = self._from(source)
        out = out[self.keep[out]]
        loops = out[self.prod.dst[out] == source]
        return int(loops[0] if len(loops) else out[0])
