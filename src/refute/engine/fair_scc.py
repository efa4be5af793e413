"""The state graph and the fair-SCC search behind :mod:`refute.engine.liveness`.

The check, for each property instance, after the safety search has passed:

1. **The state graph** (:class:`GraphBuilder`), collected while :mod:`refute.engine.bfs`
   runs the safety search (so the same state numbers, and nothing explored twice), kept as
   compact arrays: a fingerprint -> number map (:class:`~refute.engine.fpset.FingerprintMap`),
   the BFS tree (``parents``, ``ordinals``) for prefixes, and the edges in CSR form (``offsets``, ``targets``, each
   edge's position in its source's successor list and its *fairness class*: the set of
   fairness members the step belongs to, interned to a small integer). Predicates of the
   properties are evaluated once per state into byte arrays. Steps from a state to itself are
   not edges: they are stuttering, which is always allowed and neither takes nor enables an
   action (TLA+'s ``<<A>>_vars``).
2. **The negation as a search for a fair cycle** in a region of the graph:

   ==================== ==========================================================
   ``<>P`` fails        a fair cycle in the ``~P`` states reachable from an initial
                        state through ``~P`` states only
   ``[]<>P`` fails      a reachable fair cycle inside the ``~P`` states
   ``<>[]P`` fails      a reachable fair cycle through a ``~P`` state
   ``P ~> Q`` fails     a fair cycle in the ``~Q`` states reachable, through ``~Q``
                        states, from a reachable ``P /\\ ~Q`` state
   ==================== ==========================================================

3. **Fair strongly connected components** (:func:`_fair_component`): the region's SCCs are
   computed by ``scipy.sparse.csgraph`` (C, linear time, integer arrays). A behaviour that
   stays in an SCC ``C`` can visit all of it and take all its edges infinitely often, the best
   case for every fairness condition, so ``C`` holds a fair cycle unless: a weak condition is
   enabled in *every* state of ``C`` and taken by no edge of ``C`` (then no cycle inside ``C``
   is fair: drop ``C``), or a strong condition is enabled in *some* state and taken by none
   (then a fair cycle must avoid those states: remove them and recompute the SCCs of what is
   left). This is the classic emptiness check for Streett conditions (Emerson-Lei); every
   round removes states, so it ends. Every state may stutter, so a single state is a cycle:
   it is fair when no fairness condition is enabled in it. Without fairness, then, any state
   where the property is waiting is a counterexample: the system may stop there.
4. **The lasso**: a prefix (the BFS tree, shortest) to the component's first state, then a
   cycle inside the component through one step of every fairness condition that needs taking
   and one state for every one that must be disabled at times, back to the start; or, when
   nothing needs doing, stuttering in that state forever. It is rebuilt by replaying recorded
   successor positions, as safety traces are.

What is not promised (symmetry, views, constraints) is said in :mod:`refute.engine.liveness`;
under symmetry a lasso may also fail to close on the concrete states it replays.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from refute.engine.fpset import FingerprintMap
from refute.engine.ltl import Atom, AtomKind, atoms
from refute.engine.model import Model, Temporal, TemporalProperty
from refute.engine.result import Step, Violation, ViolationKind
from refute.engine.trace import ROOT, rebuild_trace
from refute.errors import RefuteError, SpecError


@dataclass
class AtomValues:
    """An atom's truth over a graph (:mod:`refute.engine.ltl`): per state (a state or ENABLED
    atom; for a step atom, its stuttering step) and, for a step atom, per edge."""

    states: np.ndarray
    edges: np.ndarray | None = None


@dataclass
class Graph:
    """The reachable state graph as integer arrays (see the module docstring).

    State ``i`` is the ``i``-th state discovered breadth-first. Its edges are
    ``offsets[i]:offsets[i+1]`` of ``targets`` (successor numbers), ``positions`` (index in
    ``next_states(state_i)``, for replay) and ``classes``; ``class_members[k]`` is the tuple
    of fairness members (indices into ``members``) that a step of class ``k`` belongs to;
    ``members[m]`` is ``(fairness index, key)``. ``values[j]`` holds, per state, the truth of
    property ``j``'s ``p`` and ``q`` (``None`` for a missing ``q``).
    """

    parents: array
    ordinals: array
    offsets: np.ndarray
    targets: np.ndarray
    positions: np.ndarray
    classes: np.ndarray
    class_members: list[tuple[int, ...]]
    members: list[tuple[int, Any]]
    strong: np.ndarray
    values: list[tuple[np.ndarray, np.ndarray | None]]
    steps: dict[int, np.ndarray] | None = None
    """For a fairness property ``j``: per edge, whether it is an ``A`` step of it."""
    evaluated_enabled: np.ndarray | None = None
    """``(state, member)`` rows: a member evaluated enabled in a state (Fairness.enabled)."""
    settled: np.ndarray | None = None
    """Per edge, whether it satisfies every :class:`~refute.engine.model.Settling` assumption
    (``None``: the model has none): a counterexample's cycle takes only those edges."""
    atoms: dict[int, list[AtomValues]] | None = None
    """For a :attr:`~Temporal.FORMULA` property ``j``: its atoms' truth, in
    :func:`refute.engine.ltl.atoms` order."""

    @property
    def size(self) -> int:
        return len(self.parents)

    @cached_property
    def edges(self) -> _Edges:
        return _Edges(self)


class GraphBuilder:
    """The state graph, collected while :func:`refute.engine.bfs.explore` runs the safety
    search (its ``graph`` observer): the liveness check explores nothing a second time, so
    every step is computed, and checked by the model, once.

    The search calls :meth:`state` for each new state, in number order (breadth-first
    discovery order), and :meth:`edge` for each step it keeps (within the constraints, in
    successor order, after :meth:`state` of its target); :meth:`graph` gives the result.
    State predicates are evaluated per state, fairness conditions and step atoms per edge, as
    they are met. An error in one is raised by :meth:`graph` (the first, as a ``SpecError``;
    collecting stops there): only once the safety search has passed, so that a violation it
    finds later is still what is reported, as when the graph was explored after it.
    """

    def __init__(self, model: Model, properties: Sequence[TemporalProperty]) -> None:
        self.model, self.properties = model, tuple(properties)
        self.fairness = tuple(model.fairness)
        self.numbers = FingerprintMap()
        self.parents, self.ordinals = array("I"), array("I")
        self.offsets, self.targets = array("q"), array("i")
        self.positions, self.classes = array("I"), array("i")
        self.member_ids: dict[tuple[int, Any], int] = {}
        self.class_ids: dict[tuple[int, ...], int] = {(): 0}
        self.p_values = [bytearray() for _ in properties]
        self.q_values = [bytearray() for _ in properties]
        self.step_tests = [(j, prop.step) for j, prop in enumerate(properties)
                           if prop.step is not None]
        self.step_values = {j: bytearray() for j, _ in self.step_tests}
        self.shapes = [(j, prop) for j, prop in enumerate(properties)
                       if prop.kind is not Temporal.FORMULA]
        self.formula_atoms = {j: atoms(prop.formula) for j, prop in enumerate(properties)
                              if prop.kind is Temporal.FORMULA}
        self.atom_states = {j: [bytearray() for _ in found]
                            for j, found in self.formula_atoms.items()}
        self.atom_edges = {j: [bytearray() for _ in found]
                           for j, found in self.formula_atoms.items()}
        self.state_atoms = [(atom.test, self.atom_states[j][i])
                            for j, found in self.formula_atoms.items()
                            for i, atom in enumerate(found) if atom.kind is AtomKind.STATE]
        self.step_atoms = [(atom.test, self.atom_states[j][i], self.atom_edges[j][i])
                           for j, found in self.formula_atoms.items()
                           for i, atom in enumerate(found) if atom.kind is AtomKind.STEP]
        self.evaluated = [(f, condition.enabled) for f, condition in enumerate(self.fairness)
                          if condition.enabled is not None]
        self.enabled_pairs = array("q")  # (state, member) where a member is evaluated enabled
        self.settling = tuple(getattr(model, "settling", ()))
        self.settled = bytearray()
        self.error: RefuteError | None = None
        self.built: Graph | None = None

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None:
        """A new state: number ``len(parents)``, first reached as successor ``ordinal`` of
        state ``parent`` (``ROOT`` for an initial state)."""
        if self.error is not None:
            return
        self.numbers[key] = len(self.parents)
        self.parents.append(parent)
        self.ordinals.append(ordinal)
        try:
            for j, prop in self.shapes:
                self.p_values[j].append(1 if prop.p(state) else 0)
                if prop.q is not None:
                    self.q_values[j].append(1 if prop.q(state) else 0)
            for test, out in self.state_atoms:
                out.append(1 if test(state) else 0)
            for test, out, _ in self.step_atoms:
                out.append(1 if test(None, state, state) else 0)  # its stuttering step
            number = len(self.parents) - 1
            for f, enabled in self.evaluated:
                for member in enabled(state):
                    self.enabled_pairs.append(number)
                    self.enabled_pairs.append(
                        self.member_ids.setdefault((f, member), len(self.member_ids)))
        except RefuteError as exc:
            self.error = exc
        except Exception as exc:
            self.error = SpecError.from_exception(exc, "a temporal property", state,
                                                  self.model.source)

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None:
        """Successor ``ordinal`` of state ``source`` (``before``) is ``after``, of
        fingerprint ``key`` (a state already given to :meth:`state`)."""
        if self.error is not None:
            return
        target = self.numbers[key]
        if target == source:
            return  # stuttering: neither takes nor enables anything
        offsets, targets = self.offsets, self.targets
        while len(offsets) <= source:
            offsets.append(len(targets))
        doing = "a fairness condition's when="
        try:
            found = []
            for f, condition in enumerate(self.fairness):
                member = condition.instance(label, before, after)
                if member is not None:
                    found.append(self.member_ids.setdefault((f, member), len(self.member_ids)))
            kind = self.class_ids.setdefault(tuple(found), len(self.class_ids)) if found else 0
            doing = "a temporal property"
            for j, test in self.step_tests:
                self.step_values[j].append(1 if test(label, before, after) else 0)
            for test, _, out in self.step_atoms:
                out.append(1 if test(label, before, after) else 0)
            if self.settling:
                doing = "a specification's <>[][A]_v"
                settled = all(s.step(label, before, after) for s in self.settling)
        except RefuteError as exc:
            self.error = exc
            return
        except Exception as exc:
            self.error = SpecError.from_exception(exc, doing, before, self.model.source)
            return
        targets.append(target)
        self.positions.append(ordinal)
        self.classes.append(kind)
        if self.settling:
            self.settled.append(1 if settled else 0)

    def preset(self, graph: Graph) -> None:
        """Take ``graph`` as the whole graph, built at once from the same search's arrays
        rather than told state by state (:mod:`refute.compiled.live`): :meth:`graph` returns
        it. It must be the graph :meth:`state` and :meth:`edge` would have built."""
        self.built = graph

    def graph(self) -> Graph:
        """The graph of the states and edges given so far (all of them: the search ended)."""
        if self.built is not None:
            return self.built
        if self.error is not None:
            raise self.error
        offsets = self.offsets
        while len(offsets) <= len(self.parents):
            offsets.append(len(self.targets))
        fairness, properties = self.fairness, self.properties
        members = list(self.member_ids)
        graph = Graph(
            parents=self.parents, ordinals=self.ordinals,
            offsets=np.frombuffer(offsets, dtype=np.int64),
            targets=np.frombuffer(self.targets, dtype=np.int32),
            positions=np.frombuffer(self.positions, dtype=np.uint32),
            classes=np.frombuffer(self.classes, dtype=np.int32),
            class_members=[c for c, _ in sorted(self.class_ids.items(), key=lambda item: item[1])],
            members=members,
            strong=np.array([fairness[f].strong for f, _ in members], dtype=bool),
            values=[(np.frombuffer(p, dtype=np.uint8).astype(bool),
                     None if prop.q is None else np.frombuffer(q, dtype=np.uint8).astype(bool))
                    for prop, p, q in zip(properties, self.p_values, self.q_values)],
            steps={j: np.frombuffer(v, dtype=np.uint8).astype(bool)
                   for j, v in self.step_values.items()},
            settled=np.frombuffer(self.settled, dtype=np.uint8).astype(bool) if self.settling
            else None)
        graph.evaluated_enabled = np.frombuffer(self.enabled_pairs, dtype=np.int64).reshape(-1, 2)
        graph.atoms = {j: atom_values(graph, found, self.atom_states[j], self.atom_edges[j])
                       for j, found in self.formula_atoms.items()}
        return graph


def atom_values(graph: Graph, found: Sequence[Atom], states: list[bytearray],
                 edges: list[bytearray]) -> list[AtomValues]:
    """The atoms' arrays; ENABLED of a step atom: some edge from the state satisfies it."""
    out: list[AtomValues] = []
    for atom, per_state, per_edge in zip(found, states, edges):
        if atom.kind is AtomKind.STATE:
            out.append(AtomValues(np.frombuffer(per_state, dtype=np.uint8).astype(bool)))
        elif atom.kind is AtomKind.STEP:
            out.append(AtomValues(np.frombuffer(per_state, dtype=np.uint8).astype(bool),
                                  np.frombuffer(per_edge, dtype=np.uint8).astype(bool)))
        else:
            taken = out[found.index(atom.step)].edges
            enabled = np.zeros(graph.size, dtype=bool)
            enabled[graph.edges.src[taken]] = True
            out.append(AtomValues(enabled))
    return out


class _Edges:
    """Per-graph arrays the fair-cycle search needs for every property, computed once."""

    def __init__(self, graph: Graph) -> None:
        self.src = np.repeat(np.arange(graph.size, dtype=np.int64), np.diff(graph.offsets))
        self.dst = graph.targets.astype(np.int64)
        membership = np.zeros((len(graph.class_members), len(graph.members)), dtype=bool)
        for kind, members in enumerate(graph.class_members):
            membership[kind, list(members)] = True
        # per member: its edges, and the states where it is enabled
        self.member_edges = [np.flatnonzero(membership[graph.classes, m])
                             for m in range(len(graph.members))]
        self.enabled = [np.unique(self.src[edges]) for edges in self.member_edges]
        pairs = graph.evaluated_enabled
        if pairs is not None and len(pairs):
            self.enabled = [np.union1d(here, pairs[pairs[:, 1] == m, 0])
                            for m, here in enumerate(self.enabled)]


def find_violation(model: Model, graph: Graph, number: int,
                   prop: TemporalProperty) -> Violation | None:
    """A lasso violating property ``number`` of the graph, or ``None`` if it holds."""
    edges = graph.edges
    n = graph.size
    p, q = graph.values[number]
    roots = np.frombuffer(graph.parents, dtype=np.uint32) == ROOT
    accept = None
    via: tuple[np.ndarray, np.ndarray] | None = None  # BFS order/predecessors in the region
    edge_ok = None
    if prop.kind in (Temporal.WEAK_FAIR, Temporal.STRONG_FAIR):
        # ~WF: a fair cycle of A-enabled states taking no A step; ~SF: a fair cycle through
        # an A-enabled state taking no A step. A is enabled where an A step leaves the state.
        is_step = graph.steps[number]
        enabled = np.zeros(n, dtype=bool)
        enabled[edges.src[is_step]] = True
        edge_ok = ~is_step
        if prop.kind is Temporal.WEAK_FAIR:
            region = enabled
        else:
            region, accept = np.ones(n, dtype=bool), enabled
    elif prop.kind is Temporal.EVENTUALLY:
        via = _reach(graph, edges, roots & ~p, ~p)
        region = np.zeros(n, dtype=bool)
        region[via[0]] = True
    elif prop.kind is Temporal.ALWAYS_EVENTUALLY:
        region = ~p
    elif prop.kind is Temporal.EVENTUALLY_ALWAYS:
        region, accept = np.ones(n, dtype=bool), ~p
    else:
        via = _reach(graph, edges, p & ~q, ~q)
        region = np.zeros(n, dtype=bool)
        region[via[0]] = True
    if not region.any():
        return None
    if graph.settled is not None:  # the cycle of a behaviour the specification allows
        edge_ok = graph.settled if edge_ok is None else edge_ok & graph.settled
    rank = np.full(n, n, dtype=np.int64)
    if via is None:
        rank[:] = np.arange(n)
    else:
        rank[via[0]] = np.arange(len(via[0]))
    component = _fair_component(graph, edges, region, accept, rank, edge_ok)
    if component is None:
        return None
    return _lasso(model, graph, edges, prop, component, rank, via, accept, edge_ok)


def _reach(graph: Graph, edges: _Edges, sources: np.ndarray, inside: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """States reachable from ``sources`` through ``inside`` states, in breadth-first order.

    A virtual state ``n`` with an edge to every source makes it one search; the returned
    predecessors lead back to a source (whose predecessor is ``n``).
    """
    n = graph.size
    keep = inside[edges.src] & inside[edges.dst]
    starts = np.flatnonzero(sources & inside)
    rows = np.concatenate([edges.src[keep], np.full(len(starts), n)])
    cols = np.concatenate([edges.dst[keep], starts])
    matrix = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n + 1, n + 1))
    order, predecessors = breadth_first_order(matrix, n, directed=True, return_predecessors=True)
    return order[1:], predecessors


def _fair_component(graph: Graph, edges: _Edges, region: np.ndarray, accept: np.ndarray | None,
                    rank: np.ndarray, edge_ok: np.ndarray | None = None) -> np.ndarray | None:
    """The states of a fair SCC inside ``region`` (through an ``accept`` state if given)."""
    return fair_component(graph.size, edges.src, edges.dst, edges.member_edges, edges.enabled,
                          graph.strong, region, () if accept is None else (accept,), rank,
                          edge_ok)


def fair_component(n: int, src: np.ndarray, dst: np.ndarray, member_edges: Sequence[np.ndarray],
                   enabled: Sequence[np.ndarray], strong: np.ndarray, region: np.ndarray,
                   accepts: Sequence[np.ndarray], rank: np.ndarray,
                   edge_ok: np.ndarray | None = None,
                   loops: np.ndarray | None = None) -> np.ndarray | None:
    """The nodes of a fair SCC inside ``region`` that meets every set of ``accepts``, or None.

    The graph has ``n`` nodes and the edges ``src[i] -> dst[i]`` (those of ``edge_ok``, if
    given); ``member_edges[m]`` are the edges that take fairness member ``m`` and
    ``enabled[m]`` the nodes where it is enabled, ``strong[m]`` whether it is strong. A
    component holds a cycle when it has two nodes or a node of ``loops`` (a self-loop);
    ``loops=None`` means every node may stutter, so every node is a cycle (the state graph).
    This is the Emerson-Lei refinement explained in the module docstring, with generalized
    Buchi acceptance (one set per ``accepts``) for the product with a tableau
    (:mod:`refute.engine.ltl`). Among fair components, the one with the node of least
    ``rank`` (closest to the start).
    """
    alive = region.copy()
    while alive.any():
        keep = alive[src] & alive[dst]
        if edge_ok is not None:
            keep &= edge_ok
        matrix = csr_matrix((np.ones(int(keep.sum()), dtype=bool), (src[keep], dst[keep])),
                            shape=(n, n))
        count, label = connected_components(matrix, directed=True, connection="strong")
        inner = keep & (label[src] == label[dst])
        size = np.bincount(label[alive], minlength=count)
        if loops is None:
            fair = size > 0
        else:
            fair = (size > 1) | (np.bincount(label[alive & loops], minlength=count) > 0)
        remove = alive & ~fair[label]
        for m, edges_of_m in enumerate(member_edges):
            taken = np.zeros(count, dtype=bool)
            taken[label[src[edges_of_m[inner[edges_of_m]]]]] = True
            here = enabled[m][alive[enabled[m]]]
            enabled_count = np.bincount(label[here], minlength=count)
            if strong[m]:
                bad = (enabled_count > 0) & ~taken
                remove[here[bad[label[here]]]] = True
            else:
                bad = (enabled_count == size) & (size > 0) & ~taken
                remove |= alive & bad[label]
            fair &= ~bad
        for accept in accepts:
            has = np.zeros(count, dtype=bool)
            has[label[alive & accept]] = True
            remove |= alive & (fair & ~has)[label]
            fair &= has
        if fair.any():
            candidates = np.flatnonzero(alive & fair[label])
            best = candidates[np.argmin(rank[candidates])]
            return np.flatnonzero(alive & (label == label[best]))
        alive &= ~remove
    return None


def _lasso(model: Model, graph: Graph, edges: _Edges, prop: TemporalProperty,
           component: np.ndarray, rank: np.ndarray, via: tuple[np.ndarray, np.ndarray] | None,
           accept: np.ndarray | None, edge_ok: np.ndarray | None = None) -> Violation:
    n = graph.size
    inside = np.zeros(n, dtype=bool)
    inside[component] = True
    entry = int(component[np.argmin(rank[component])])
    if accept is not None and not accept[entry]:
        waypoints: list[tuple[int, int | None]] = [(int(component[accept[component]][0]), None)]
    else:
        waypoints = []
    waypoints += fairness_waypoints(edges, inside, entry, edge_ok)

    # The prefix: BFS tree to the entry, or to the region's start and through the region.
    start = entry
    region_path: list[int] = []
    if via is not None:
        predecessors = via[1]
        while predecessors[start] != n:
            region_path.append(start)
            start = int(predecessors[start])
        region_path.reverse()
    steps = list(rebuild_trace(model, graph.parents, graph.ordinals, start))
    current = start
    for following in region_path:
        steps.append(replay_edge(model, graph, steps[-1].state, _edge(graph, current, following)))
        current = following
    loop_start = len(steps) - 1

    # The cycle: through every waypoint (a state, or a step from a state) and back.
    keep = inside[edges.src] & inside[edges.dst]
    if edge_ok is not None:
        keep &= edge_ok
    matrix = csr_matrix((np.ones(int(keep.sum()), dtype=bool),
                         (edges.src[keep], edges.dst[keep])), shape=(n, n))
    cycle: list[int] = []  # edges
    for state, edge in waypoints:
        cycle += [_edge(graph, a, b) for a, b in path(matrix, current, state)]
        current = state
        if edge is not None:
            cycle.append(edge)
            current = int(edges.dst[edge])
    if not cycle and current == entry:
        return Violation(ViolationKind.LIVENESS, prop.name, tuple(steps), loop_start, None)
    cycle += [_edge(graph, a, b) for a, b in path(matrix, current, entry)]
    for edge in cycle[:-1]:
        steps.append(replay_edge(model, graph, steps[-1].state, edge))
    closing = replay_edge(model, graph, steps[-1].state, cycle[-1])
    return Violation(ViolationKind.LIVENESS, prop.name, tuple(steps), loop_start, closing.action)


def fairness_waypoints(edges: Any, inside: np.ndarray, entry: int,
                       edge_ok: np.ndarray | None = None) -> list[tuple[int, int | None]]:
    """What a fair cycle in the component must visit (:func:`fairness_needs`), the first
    candidate of each: ``(an edge's source, the edge)`` or ``(a state, None)``."""
    return [(int(edges.src[c[0]]), int(c[0])) if take else (int(c[0]), None)
            for c, take in fairness_needs(edges, inside, entry, edge_ok)]


def fairness_needs(edges: Any, inside: np.ndarray, entry: int,
                   edge_ok: np.ndarray | None = None) -> list[tuple[np.ndarray, bool]]:
    """What a fair cycle in the component must visit, per fairness member enabled in it:
    one of the member's edges inside it (``(edges, True)``) when it is taken there; for a weak
    member never taken there but enabled at ``entry``, one state where it is disabled
    (``(states, False)``).

    ``edges`` has the arrays ``src``, ``dst``, ``member_edges`` and ``enabled`` of
    :class:`_Edges` (the state graph's, or a product's). Edges are named, not just their ends:
    two steps between the same states can belong to different members (their labels differ).
    """
    needs: list[tuple[np.ndarray, bool]] = []
    src, dst = edges.src, edges.dst
    for m, member_edges in enumerate(edges.member_edges):
        enabled = edges.enabled[m]
        enabled_here = enabled[inside[enabled]]
        if len(enabled_here) == 0:
            continue
        internal = member_edges[inside[src[member_edges]] & inside[dst[member_edges]]]
        if edge_ok is not None:
            internal = internal[edge_ok[internal]]
        if len(internal):
            needs.append((internal, True))
        elif np.any(enabled_here == entry):
            disabled = inside.copy()
            disabled[enabled_here] = False
            needs.append((np.flatnonzero(disabled), False))
    return needs


def path(matrix: csr_matrix, source: int, target: int) -> list[tuple[int, int]]:
    """A shortest path of steps from ``source`` to ``target`` in ``matrix`` (a component)."""
    if source == target:
        return []
    _, predecessors = breadth_first_order(matrix, source, directed=True,
                                          return_predecessors=True)
    steps = []
    while target != source:
        previous = int(predecessors[target])
        steps.append((previous, target))
        target = previous
    steps.reverse()
    return steps


def _edge(graph: Graph, source: int, target: int) -> int:
    """The first recorded edge ``source -> target``."""
    low, high = int(graph.offsets[source]), int(graph.offsets[source + 1])
    return low + int(np.flatnonzero(graph.targets[low:high] == target)[0])


def replay_edge(model: Model, graph: Graph, state: Any, edge: int) -> Step:
    """Replay recorded ``edge`` from the concrete ``state`` (its source's state)."""
    successors = model.next_states(state)
    position = int(graph.positions[edge])
    if position >= len(successors):
        raise SpecError(f"replaying the counterexample, {model.name} gave different successors "
                        "for the same state: the spec is not deterministic", file=model.source,
                        hint="actions must compute the same successors, in the same order, "
                             "every time")
    label, successor = successors[position]
    return Step(label, successor)
