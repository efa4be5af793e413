"""The liveness check's state graph from a native search, built at once from its arrays.

The interpreter's search tells the liveness check's
:class:`~refute.engine.fair_scc.GraphBuilder` each state and step as it finds them, and the
builder evaluates, per state, the properties' state predicates (and ENABLED, where the model
evaluates it) and, per step, each fairness condition (is it an ``<<A>>_v`` step?) and the
properties' step predicates. On a graph of millions of steps that is millions of Python
calls. Here the same :class:`~refute.engine.fair_scc.Graph` is made from the native search's
recorded arrays (parent links, and each step's source, target, position and action) with
numpy, and each predicate is evaluated by the compiled model over all states or all steps in
one call (:meth:`~refute.compiled.native.Native.live_states`, ``live_steps``): the predicates
the TLA+ front end made (:attr:`refute.tla.temporal.Unfolder.origins`) lowered by the same
compiler as the invariants (:meth:`refute.compiled.from_tla.Lowering.live_piece`).

What makes it the builder's graph, array for array: the same edges (steps to the state itself
dropped, as stuttering), in the same order; fairness members numbered in the order the
builder first meets them (a state's evaluated ENABLED when the state is told, just before the
step that found it; a step's membership at the step) and step classes numbered by first
appearance; the ``(state, member)`` rows of evaluated ENABLED by state, then condition.
A predicate the compiler did not lower, or whose native evaluation fails, is evaluated here by
its Python test on the decoded states, as the builder would; if that raises, :func:`load`
gives up, and the caller tells the builder every state and step as before, so that the error
reported is exactly the interpreter's.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from refute.engine.fair_scc import Graph, GraphBuilder, atom_values
from refute.engine.ltl import AtomKind
from refute.engine.model import Temporal
from refute.engine.trace import ROOT


class _PythonFailed(Exception):
    """A predicate's Python test raised: the builder is told the graph step by step instead."""


class _Evaluator:
    """Each predicate's values over the graph: natively where lowered, else in Python."""

    def __init__(self, compiled: Any, n: int, keep: np.ndarray,
                 src: np.ndarray, dst: np.ndarray, inst: np.ndarray,
                 states: Callable[[], list], afters: Callable[[], list | None],
                 labels: Callable[[], list]) -> None:
        self.native, self.index = compiled.native, compiled.live_index
        self.labels = labels
        self.n, self.keep = n, keep
        self.src, self.dst, self.inst = src, dst, inst
        self.states, self.afters = states, afters
        self.python = 0  # predicates evaluated in Python

    def per_state(self, test: Callable, stutter: bool = False) -> np.ndarray:
        """``test`` on every state (``stutter``: a step test on the state's stuttering step)."""
        k = self.index.get(test)
        if k is not None:
            found = self.native.live_states(k, self.n)
            if found is not None:
                return found
        self.python += 1
        states = self.states()
        try:
            if stutter:
                return np.fromiter((bool(test(None, s, s)) for s in states), bool, self.n)
            return np.fromiter((bool(test(s)) for s in states), bool, self.n)
        except Exception as exc:  # noqa: BLE001 (the builder reports it, told step by step)
            raise _PythonFailed from exc

    def per_step(self, test: Callable) -> np.ndarray:
        """``test(label, before, after)`` on every kept step."""
        k = self.index.get(test)
        if k is not None:
            found = self.native.live_steps(k)
            if found is not None:
                return found[self.keep]
        self.python += 1
        labels = self.labels()
        states, afters = self.states(), self.afters()
        numbers = np.flatnonzero(self.keep)
        try:
            return np.fromiter(
                (bool(test(labels[self.inst[e]], states[self.src[e]],
                           states[self.dst[e]] if afters is None else afters[e]))
                 for e in numbers.tolist()), bool, len(numbers))
        except Exception as exc:  # noqa: BLE001
            raise _PythonFailed from exc


def load(compiled: Any, builder: GraphBuilder, n: int,
         states: Callable[[], list], afters: Callable[[], list | None],
         labels: Callable[[], list]) -> int | None:
    """Give ``builder`` the graph of the native search that just ended (complete: every one
    of its ``n`` states expanded), built from its arrays, and return how many of its
    predicates were evaluated in Python (0: all natively); None (nothing given) when a
    predicate's Python test raised (or the steps are not recorded source by source), for the
    caller to tell the builder step by step.
    ``states()`` and ``afters()`` decode the states and the steps' successors (None: each
    step's successor is the state kept for it), ``labels()`` gives the action instances'
    labels: called only where Python evaluates."""
    native = compiled.native
    parents, ordinals = native.links(n)
    src, dst, pos, inst = native.edge_arrays()
    if len(src) > 1 and bool((src[1:] < src[:-1]).any()):
        return None  # (not a breadth-first record, expanded in order: told step by step)
    keep = (dst != src) & (dst < n)
    evaluate = _Evaluator(compiled, n, keep, src, dst, inst, states, afters, labels)
    try:
        graph = _graph(builder, evaluate, parents, ordinals, src, dst, pos, keep)
    except _PythonFailed:
        return None
    builder.preset(graph)
    return evaluate.python


def _graph(builder: GraphBuilder, evaluate: _Evaluator, parents: np.ndarray,
           ordinals: np.ndarray, src: np.ndarray, dst: np.ndarray, pos: np.ndarray,
           keep: np.ndarray) -> Graph:
    n = evaluate.n
    sources = src[keep]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n), out=offsets[1:])
    fairness = builder.fairness
    taken = [evaluate.per_step(condition.instance) for condition in fairness]
    enabled = {f: evaluate.per_state(test) for f, test in builder.evaluated}
    members = _members(fairness, taken, enabled, np.flatnonzero(keep), src, pos, parents, ordinals)
    classes, class_members = _classes(taken, members, len(sources))
    properties = builder.properties
    values = []
    for prop in properties:
        if prop.kind is Temporal.FORMULA:
            values.append((np.zeros(0, dtype=bool), None))
        elif prop.kind in (Temporal.WEAK_FAIR, Temporal.STRONG_FAIR):  # (p unused: true)
            values.append((np.ones(n, dtype=bool), None))
        else:
            values.append((evaluate.per_state(prop.p),
                           None if prop.q is None else evaluate.per_state(prop.q)))
    settled = None
    if builder.settling:
        settled = np.ones(int(keep.sum()), dtype=bool)
        for s in builder.settling:
            settled &= evaluate.per_step(s.step)
    graph = Graph(
        parents=_uint32_array(parents), ordinals=_uint32_array(ordinals),
        offsets=offsets, targets=dst[keep].astype(np.int32), positions=pos[keep],
        classes=classes, class_members=class_members, members=[(f, True) for f in members],
        strong=np.array([fairness[f].strong for f in members], dtype=bool), values=values,
        steps={j: evaluate.per_step(test) for j, test in builder.step_tests},
        settled=settled)
    rows = [(np.flatnonzero(on), np.full(int(on.sum()), members.index(f)), f)
            for f, on in enabled.items() if on.any()]
    if rows:
        states_ = np.concatenate([r[0] for r in rows])
        ids = np.concatenate([r[1] for r in rows])
        order = np.lexsort((np.concatenate([np.full(len(r[0]), r[2]) for r in rows]), states_))
        graph.evaluated_enabled = np.stack([states_[order], ids[order]], axis=1).astype(np.int64)
    else:
        graph.evaluated_enabled = np.zeros((0, 2), dtype=np.int64)
    graph.atoms = {}
    for j, found in builder.formula_atoms.items():
        per_state, per_edge = [], []
        for atom in found:
            if atom.kind is AtomKind.STATE:
                per_state.append(_bytes(evaluate.per_state(atom.test)))
                per_edge.append(b"")
            elif atom.kind is AtomKind.STEP:
                per_state.append(_bytes(evaluate.per_state(atom.test, stutter=True)))
                per_edge.append(_bytes(evaluate.per_step(atom.test)))
            else:
                per_state.append(b"")
                per_edge.append(b"")
        graph.atoms[j] = atom_values(graph, found, per_state, per_edge)
    return graph


def _members(fairness: tuple, taken: list[np.ndarray], enabled: dict[int, np.ndarray],
             numbers: np.ndarray, src: np.ndarray, pos: np.ndarray, parents: np.ndarray,
             ordinals: np.ndarray) -> list[int]:
    """The fairness conditions with a member (each TLA+ condition has one, ``True``), in the
    order the builder first meets them: ordered by the recorded step at which it happens (a
    state is told just before the step that found it; an initial state before every step),
    then a state's before a step's, then by state, then by condition."""
    firsts = []
    for f in range(len(fairness)):
        keys = []
        if taken[f].any():
            keys.append((int(numbers[int(np.argmax(taken[f]))]), 1, 0, f))
        on = enabled.get(f)
        if on is not None and on.any():
            state = int(np.argmax(on))
            keys.append((_found_at(state, src, pos, parents, ordinals), 0, state, f))
        if keys:
            firsts.append((min(keys), f))
    return [f for _, f in sorted(firsts)]


def _found_at(state: int, src: np.ndarray, pos: np.ndarray, parents: np.ndarray,
              ordinals: np.ndarray) -> int:
    """The number of the recorded step that found ``state`` (-1: an initial state)."""
    parent = int(parents[state])
    if parent == ROOT:
        return -1
    low, high = np.searchsorted(src, [parent, parent + 1])
    return int(low + np.flatnonzero(pos[low:high] == ordinals[state])[0])


def _classes(taken: list[np.ndarray], members: list[int], m: int
             ) -> tuple[np.ndarray, list[tuple]]:
    """Each of the ``m`` kept steps' fairness class (the tuple of members it takes, numbered
    by first appearance from 1; 0: none) and the classes' members."""
    if not taken:
        return np.zeros(m, dtype=np.int32), [()]
    if len(taken) == 1:  # (the common case, without sorting the steps)
        return taken[0].astype(np.int32), [(), (0,)] if taken[0].any() else [()]
    # each step's set of conditions as a row of bits (one byte per 8 conditions: a model may
    # have more than 64, e.g. AllocatorImplementation's 115 after its \A are unfolded)
    mask = np.zeros((m, (len(taken) + 7) // 8), dtype=np.uint8)
    for f, on in enumerate(taken):
        mask[:, f // 8] |= on.astype(np.uint8) << np.uint8(f % 8)
    kinds, first, inverse = np.unique(mask, axis=0, return_index=True, return_inverse=True)
    order = [k for k in np.argsort(first, kind="stable").tolist() if kinds[k].any()]
    number = np.zeros(len(kinds), dtype=np.int32)
    class_members: list[tuple] = [()]
    for k in order:
        number[k] = len(class_members)
        row = kinds[k]
        class_members.append(tuple(members.index(f) for f in range(len(taken))
                                   if row[f // 8] >> (f % 8) & 1))
    return number[inverse.ravel()], class_members


def _uint32_array(values: np.ndarray) -> array:
    out = array("I")
    out.frombytes(values.astype(np.uint32).tobytes())
    return out


def _bytes(values: np.ndarray) -> np.ndarray:
    return values.view(np.uint8)

