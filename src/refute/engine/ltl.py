"""Temporal formulas (linear temporal logic, TLA+'s fragment) and their tableau automaton.

The fixed shapes of :class:`~refute.engine.model.Temporal` (``<>P``, ``[]<>P``, ``P ~> Q``...)
have fast searches in :mod:`refute.engine.fair_scc`. Any other formula (a temporal ``IF``,
``P => <>Q``, ``[](P => []Q)``, ``[]<><<A>>_v``, disjunctions of fairness conditions) is built
here from atoms with :class:`Not`, :class:`And`, :class:`Or`, :class:`Always` and
:class:`Eventually`, made a :class:`~refute.engine.model.TemporalProperty` of kind
:attr:`~refute.engine.model.Temporal.FORMULA`, and checked as TLC's ``LiveCheck`` does:

1. **The negation as an automaton** (:func:`tableau`, here): the formula is negated, put in
   negation normal form (``<>F`` is ``TRUE U F``, ``[]F`` is ``FALSE R F``) and expanded into
   a generalized Buchi automaton by the tableau of Gerth, Peled, Vardi and Wolper ("Simple
   on-the-fly automatic verification of linear temporal logic", 1995). Each node carries
   literals that must hold where a run is in it, and there is one acceptance set per ``U``
   subformula (a run must not leave an eventuality pending forever).
2. **Its product with the state graph and a fair accepting cycle in it**
   (:mod:`refute.engine.product`).

Atoms are the formula's leaves, evaluated once while the graph is built: a state predicate
per state; a step predicate (a TLA+ action such as ``<<A>>_v``) per edge, and once per state
for the stuttering step; ``ENABLED`` of a step predicate from the edges (enabled in a state
with a successor, other than the state itself, whose step satisfies it: the semantics of
:class:`~refute.engine.model.Fairness`, which is TLA+'s ``ENABLED`` for actions whose steps
are steps of the spec).

Behaviours may stutter (repeat a state) anywhere, as in TLA+, and there is no "next"
operator. A formula must be insensitive to stuttering, as every TLA+ formula is: a step atom
should occur only as ``[A]_v`` under ``[]`` (true on a stuttering step), ``<<A>>_v`` under
``<>`` (false on one) or inside ``WF``/``SF``. The verdict is exact regardless; but a lasso
is reported without its stuttering steps, and for a formula that can tell them apart (a bare
``<<A>>_v`` at the start) that lasso need not show the violation. This module imports no
numpy, so front ends build formulas without paying for the search.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union


# ----------------------------------------------------------------------------- formulas
class AtomKind(enum.Enum):
    """What an atom is evaluated on; the value says so in messages."""

    STATE = "a state predicate"
    STEP = "a step predicate (an action)"
    ENABLED = "ENABLED of a step predicate"


@dataclass(frozen=True, eq=False)
class Atom:
    """An atomic formula. Compared by identity: two atoms are the same only if they are one.

    ``STATE``: ``test(state) -> bool`` holds at a position when it holds in its state.
    ``STEP``: ``test(label, before, after) -> bool`` holds at a position when it holds on the
    step to the next state (``label`` is ``None`` for a stuttering step, ``before is after``).
    ``ENABLED``: holds in a state with a successor step satisfying ``step``.
    """

    name: str
    kind: AtomKind
    test: Callable[..., Any] | None = None
    step: Atom | None = None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Not:
    item: Formula


@dataclass(frozen=True)
class And:
    """Conjunction; ``And(())`` is TRUE."""

    items: tuple[Formula, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction; ``Or(())`` is FALSE."""

    items: tuple[Formula, ...]


@dataclass(frozen=True)
class Always:
    """``[]F``: ``F`` holds at every position from this one on."""

    item: Formula


@dataclass(frozen=True)
class Eventually:
    """``<>F``: ``F`` holds at this position or a later one."""

    item: Formula


Formula = Union[Atom, Not, And, Or, Always, Eventually]
TRUE: Formula = And(())
FALSE: Formula = Or(())


def state_atom(name: str, test: Callable[[Any], Any]) -> Atom:
    return Atom(name, AtomKind.STATE, test)


def step_atom(name: str, test: Callable[[Any, Any, Any], Any]) -> Atom:
    return Atom(name, AtomKind.STEP, test)


def enabled(step: Atom) -> Atom:
    if step.kind is not AtomKind.STEP:
        raise ValueError(f"ENABLED applies to a step predicate, not to {step.kind.value}")
    return Atom(f"ENABLED {step.name}", AtomKind.ENABLED, None, step)


def implies(a: Formula, b: Formula) -> Formula:
    return Or((Not(a), b))


def leads_to(p: Formula, q: Formula) -> Formula:
    """``P ~> Q``, which is ``[](P => <>Q)``."""
    return Always(implies(p, Eventually(q)))


def weak_fairness(step: Atom) -> Formula:
    """``WF``: ``[]<>~ENABLED A \\/ []<>A`` for the step predicate ``A`` (``<<A>>_v``)."""
    return Or((Always(Eventually(Not(enabled(step)))), Always(Eventually(step))))


def strong_fairness(step: Atom) -> Formula:
    """``SF``: ``<>[]~ENABLED A \\/ []<>A`` for the step predicate ``A`` (``<<A>>_v``)."""
    return Or((Eventually(Always(Not(enabled(step)))), Always(Eventually(step))))


def atoms(formula: Formula) -> tuple[Atom, ...]:
    """The atoms of ``formula`` in first-occurrence order, each ENABLED atom's step first."""
    out: dict[Atom, None] = {}

    def walk(f: Formula) -> None:
        if isinstance(f, Atom):
            if f.step is not None:
                walk(f.step)
            out.setdefault(f, None)
        elif isinstance(f, (And, Or)):
            for item in f.items:
                walk(item)
        else:
            walk(f.item)
    walk(formula)
    return tuple(out)


# ----------------------------------------------------------------------------- tableau
# Negation normal form as tuples of ints (hashing and ordering are the same in every process):
# (_LIT, atom, polarity), (_TRUE,), (_FALSE,), (op, a, b) for the binary operators.
_LIT, _TRUE, _FALSE, _AND, _OR, _UNTIL, _RELEASE = range(7)


def _nnf(f: Formula, index: dict[Atom, int], positive: bool = True) -> tuple:
    if isinstance(f, Atom):
        return (_LIT, index[f], 1 if positive else 0)
    if isinstance(f, Not):
        return _nnf(f.item, index, not positive)
    if isinstance(f, (And, Or)):
        conjunction = isinstance(f, And) == positive
        unit, zero = ((_TRUE,), (_FALSE,)) if conjunction else ((_FALSE,), (_TRUE,))
        out = unit
        for item in f.items:
            g = _nnf(item, index, positive)
            if g == zero:
                return zero
            if g != unit:
                out = g if out == unit else ((_AND if conjunction else _OR), out, g)
        return out
    inner = _nnf(f.item, index, positive)
    if isinstance(f, Always) == positive:          # []F, or ~<>F = []~F
        return inner if inner in ((_TRUE,), (_FALSE,)) else (_RELEASE, (_FALSE,), inner)
    return inner if inner in ((_TRUE,), (_FALSE,)) else (_UNTIL, (_TRUE,), inner)


@dataclass(frozen=True)
class TableauNode:
    """One node: ``literals`` ((atom index, polarity)) hold where a run is in it; a run goes
    on to one of ``successors``."""

    literals: tuple[tuple[int, bool], ...]
    successors: tuple[int, ...]
    initial: bool


@dataclass(frozen=True)
class Tableau:
    """A generalized Buchi automaton accepting the behaviours that satisfy a formula.

    A run is accepted when it visits every set of ``accepting`` infinitely often (there is
    one per ``U`` subformula; none: every infinite run is accepted). Deterministic: the same
    formula gives the same node numbers in every process.
    """

    atoms: tuple[Atom, ...]
    nodes: tuple[TableauNode, ...]
    accepting: tuple[frozenset[int], ...]


def tableau(formula: Formula) -> Tableau:
    """The automaton of ``formula`` (GPVW's expansion of nodes by their pending formulas)."""
    found = atoms(formula)
    phi = _nnf(formula, {a: i for i, a in enumerate(found)})
    incoming: list[set[int]] = []
    keys: list[tuple[frozenset, frozenset]] = []
    index: dict[tuple[frozenset, frozenset], int] = {}
    INITIAL = -1
    work: list[tuple[frozenset, tuple, frozenset, frozenset]] = [
        (frozenset({INITIAL}), (phi,), frozenset(), frozenset())]
    while work:
        into, new, old, following = work.pop()
        if not new:
            key = (old, following)
            number = index.get(key)
            if number is not None:
                incoming[number] |= into
                continue
            number = index[key] = len(keys)
            keys.append(key)
            incoming.append(set(into))
            work.append((frozenset({number}), tuple(sorted(following)), frozenset(), frozenset()))
            continue
        f, new = new[-1], new[:-1]
        if f in old:
            work.append((into, new, old, following))
            continue
        op = f[0]
        if op == _FALSE or (op == _LIT and (_LIT, f[1], 1 - f[2]) in old):
            continue  # contradictory: no node
        done = old | {f}
        if op in (_LIT, _TRUE):
            work.append((into, new, done, following))
        elif op == _AND:
            work.append((into, new + tuple(x for x in f[1:] if x not in done), done, following))
        elif op == _OR:
            work.append((into, new + (f[2],), done, following))
            work.append((into, new + (f[1],), done, following))
        elif op == _UNTIL:      # a U b  =  b \/ (a /\ X(a U b))
            work.append((into, new + (f[2],), done, following))
            work.append((into, new + (f[1],), done, following | {f}))
        else:                   # a R b  =  b /\ (a \/ X(a R b))
            work.append((into, new + (f[2],), done, following | {f}))
            work.append((into, new + (f[1], f[2]), done, following))
    successors: list[list[int]] = [[] for _ in keys]
    for target, sources in enumerate(incoming):
        for source in sources:
            if source != INITIAL:
                successors[source].append(target)
    literals = [tuple(sorted((f[1], bool(f[2])) for f in old if f[0] == _LIT))
                for old, _ in keys]
    untils = sorted({f for old, _ in keys for f in old if f[0] == _UNTIL})
    accepting = [frozenset(i for i, (old, _) in enumerate(keys) if u not in old or u[2] in old)
                 for u in untils]
    return _quotient(found, literals, successors, [INITIAL in into for into in incoming],
                     accepting)


def _quotient(found: tuple[Atom, ...], literals: list[tuple], successors: list[list[int]],
              initial: list[bool], accepting: list[frozenset[int]]) -> Tableau:
    """The automaton with bisimilar nodes merged (same literals, same acceptance sets, and
    successors in the same classes), which accepts the same behaviours. GPVW's nodes differ
    in formulas already dealt with; merging them keeps the product with the graph small."""
    n = len(literals)
    ids: dict = {}
    block = [ids.setdefault((literals[i], tuple(i in a for a in accepting)), len(ids))
             for i in range(n)]
    while True:  # split blocks by the blocks of their successors until nothing splits
        ids = {}
        refined = [ids.setdefault((block[i], frozenset(block[j] for j in successors[i])),
                                  len(ids)) for i in range(n)]
        if len(ids) == len(set(block)):
            break
        block = refined
    nodes = []
    for b in range(len(set(block))):
        first = block.index(b)
        nodes.append(TableauNode(
            literals[first], tuple(sorted({block[j] for j in successors[first]})),
            any(initial[i] for i in range(n) if block[i] == b)))
    return Tableau(found, tuple(nodes),
                   tuple(frozenset(block[i] for i in a) for a in accepting))
