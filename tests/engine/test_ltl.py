"""General LTL properties (engine.ltl + engine.product): exact verdicts and lassos on
hand-built graphs, the tableau against a direct evaluation of formulas on lassos, and the
tableau path against the fast searches of the fixed shapes."""

from __future__ import annotations

import itertools
import random

import pytest

from refute.engine.liveness import check_model
from refute.engine.ltl import (FALSE, TRUE, Always, And, Atom, AtomKind, Eventually, Not, Or,
                               enabled, implies, leads_to, state_atom, step_atom, strong_fairness,
                               TableauNode, tableau, weak_fairness)
from refute.engine.model import Fairness, Label, Temporal, TemporalProperty
from refute.engine.result import ViolationKind
from refute.status import Status


class GraphModel:
    """A Model whose states are ints and whose steps are listed: ``{state: [(action, t)]}``."""

    def __init__(self, edges, init=(0,), fairness=(), properties=()):
        self.name, self.source = "graph", None
        self.edges, self.init = edges, list(init)
        self.action_names = sorted({a for steps in edges.values() for a, _ in steps})
        self.invariants, self.constraints, self.symmetry, self.view = [], [], [], None
        self.fairness, self.properties = list(fairness), list(properties)

    def init_states(self):
        return list(self.init)

    def next_states(self, state):
        return [(Label(a), t) for a, t in self.edges.get(state, [])]

    def is_terminal(self, state):
        return True

    def describe_state(self, state):
        return {"x": state}


def fair(action: str, strong: bool = False) -> Fairness:
    return Fairness(("SF" if strong else "WF") + f"({action})", strong,
                    lambda label, before, after: True if label.action == action else None)


def at(value: int) -> Atom:
    return state_atom(f"x = {value}", lambda s: s == value)


def taking(action: str) -> Atom:
    """``<<action>>_x``: a step of ``action`` that changes the state (never a stutter)."""
    return step_atom(f"<<{action}>>", lambda label, before, after:
                     label is not None and label.action == action and before != after)


MOVED = step_atom("x' # x", lambda label, before, after: before != after)


def check(model: GraphModel, formula) -> tuple:
    """(status, states of the lasso, loop_start, whether it stutters) of ``model |= formula``."""
    model.properties = [TemporalProperty("P", Temporal.FORMULA, lambda s: True, formula=formula)]
    result = check_model(model)
    v = result.violation
    if v is None:
        return result.status, None, None, None
    assert v.kind is ViolationKind.LIVENESS
    assert_lasso_violates(model, v, formula)
    return result.status, tuple(s.state for s in v.trace), v.loop_start, v.stutters


# -- an independent check of a lasso: real steps, fair, and the formula false on it -----------

def assert_lasso_violates(model: GraphModel, violation, formula) -> None:
    trace = violation.trace
    states = [s.state for s in trace]
    assert states[0] in model.init_states()
    for before, after in zip(trace, trace[1:]):
        assert (after.action, after.state) in model.next_states(before.state)
    n, loop = len(states), violation.loop_start
    if violation.stutters:
        labels = [s.action for s in trace[1:]] + [None]
        follow = list(range(1, n)) + [n - 1]
    else:
        assert (violation.loop_action, states[loop]) in model.next_states(states[-1])
        labels = [s.action for s in trace[1:]] + [violation.loop_action]
        follow = list(range(1, n)) + [loop]
    cycle = range(loop, n)
    for f in model.fairness:
        def members(state):
            return {f.instance(label, state, t) for label, t in model.next_states(state)
                    if t != state} - {None}
        taken = {f.instance(labels[i], states[i], states[follow[i]]) for i in cycle
                 if states[i] != states[follow[i]]} - {None}
        enabled_sets = [members(states[i]) for i in cycle]
        required = set.union(*enabled_sets) if f.strong else set.intersection(*enabled_sets)
        assert required <= taken, f"the lasso is not fair to {f.name}"
    assert not holds_on_lasso(model, formula, states, labels, follow, loop)[0]


def holds_on_lasso(model, formula, states, labels, follow, loop) -> list[bool]:
    """The truth of ``formula`` at every position of a lasso (an ultimately periodic word)."""
    n = len(states)
    later = [set(range(i, n)) | set(range(loop, n)) for i in range(n)]

    def value(f) -> list[bool]:
        if isinstance(f, Atom):
            if f.kind is AtomKind.STATE:
                return [bool(f.test(s)) for s in states]
            if f.kind is AtomKind.STEP:
                return [bool(f.test(labels[i] if states[follow[i]] != states[i] else None,
                                    states[i], states[follow[i]])) for i in range(n)]
            return [any(f.step.test(label, s, t) for label, t in model.next_states(s) if t != s)
                    for s in states]
        if isinstance(f, Not):
            return [not v for v in value(f.item)]
        if isinstance(f, (And, Or)):
            parts = [value(x) for x in f.items]
            combine = all if isinstance(f, And) else any
            return [combine(p[i] for p in parts) for i in range(n)]
        inner = value(f.item)
        combine = all if isinstance(f, Always) else any
        return [combine(inner[j] for j in later[i]) for i in range(n)]
    return value(formula)


# -- exact verdicts on hand-built graphs ---------------------------------------------------------

RING = {0: [("tick", 1)], 1: [("tick", 2)], 2: [("tick", 0)]}


def test_without_fairness_the_ring_may_stop_anywhere() -> None:
    # []<>(x = 0): stop in state 1 (two states, stuttering)
    assert check(GraphModel(RING), Always(Eventually(at(0)))) == (Status.VIOLATION, (0, 1), 1, True)
    # []<><<tick>>: stop at once
    assert check(GraphModel(RING), Always(Eventually(taking("tick")))) == \
        (Status.VIOLATION, (0,), 0, True)


def test_with_weak_fairness_the_ring_turns_forever() -> None:
    model = GraphModel(RING, fairness=[fair("tick")])
    assert check(model, Always(Eventually(at(0))))[0] is Status.OK
    assert check(model, Always(Eventually(taking("tick"))))[0] is Status.OK
    assert check(model, Always(Eventually(And((taking("tick"), at(2))))))[0] is Status.OK


def test_a_nested_always_is_violated_by_a_loop_of_three_steps() -> None:
    # [](x = 1 => [](x = 1)) fails as soon as the ring leaves 1: the lasso is the ring itself
    # (the product's cycle turns it twice, to close on its automaton node; the report does not)
    model = GraphModel(RING, fairness=[fair("tick")])
    status, states, loop_start, stutters = check(model, Always(implies(at(1), Always(at(1)))))
    assert (status, len(states), stutters) == (Status.VIOLATION, 3, False)
    assert states == (0, 1, 2) and loop_start == 0


def test_eventually_always_fails_on_the_whole_ring() -> None:
    model = GraphModel(RING, fairness=[fair("tick")])
    assert check(model, Eventually(Always(at(0)))) == (Status.VIOLATION, (0, 1, 2), 0, False)


def test_an_initial_condition_chooses_the_branch() -> None:
    # IF x = 0 THEN <>(x = 2) ELSE <>(x = 5): the ELSE branch is never taken from 0
    model = GraphModel(RING, init=(0, 1), fairness=[fair("tick")])
    formula = Or((And((at(0), Eventually(at(2)))), And((Not(at(0)), Eventually(at(5))))))
    assert check(model, formula) == (Status.VIOLATION, (1, 2, 0), 0, False)
    model = GraphModel(RING, init=(0,), fairness=[fair("tick")])
    assert check(model, formula)[0] is Status.OK


# 0 <-> 1 -> 2 (a dead end that stutters): "go" is enabled in 1 only, so it is not enabled
# continuously on the loop 0 <-> 1 and weak fairness does not force it; strong fairness does.
FLICKER = {0: [("back", 1)], 1: [("back", 0), ("go", 2)]}


def test_strong_fairness_is_needed_where_the_action_flickers() -> None:
    weakly = GraphModel(FLICKER, fairness=[fair("back"), fair("go")])
    assert check(weakly, Eventually(at(2))) == (Status.VIOLATION, (0, 1), 0, False)
    strongly = GraphModel(FLICKER, fairness=[fair("back"), fair("go", strong=True)])
    assert check(strongly, Eventually(at(2)))[0] is Status.OK


def test_fairness_inside_the_formula_is_an_assumption() -> None:
    model = GraphModel(FLICKER, fairness=[fair("back")])
    go = taking("go")
    assert check(model, implies(strong_fairness(go), Eventually(at(2))))[0] is Status.OK
    status, states, loop_start, _ = check(model, implies(weak_fairness(go), Eventually(at(2))))
    assert (status, states, loop_start) == (Status.VIOLATION, (0, 1), 0)
    # ENABLED <<go>> holds in state 1 only (and WF(back) forbids stopping in 0)
    assert check(model, Always(implies(at(1), enabled(go))))[0] is Status.OK
    assert check(model, Always(implies(at(0), enabled(go)))) == \
        (Status.VIOLATION, (0, 1), 0, False)


def test_a_step_predicate_on_stuttering() -> None:
    # [][x' # x => x' = x + 1]_x is a property of steps; stuttering satisfies it
    model = GraphModel({0: [("up", 1)], 1: [("up", 2)]})
    up = step_atom("x' = x + 1", lambda label, before, after: after == before + 1)
    assert check(model, Always(implies(MOVED, up)))[0] is Status.OK
    model = GraphModel({0: [("up", 1)], 1: [("down", 0)]})
    assert check(model, Always(implies(MOVED, up))) == (Status.VIOLATION, (0, 1, 0), 2, True)


def test_constant_formulas() -> None:
    assert check(GraphModel(RING), TRUE)[0] is Status.OK
    assert check(GraphModel(RING), FALSE) == (Status.VIOLATION, (0,), 0, True)
    assert check(GraphModel(RING), leads_to(at(1), at(1)))[0] is Status.OK


def test_the_tableau_is_deterministic_and_small() -> None:
    p = at(0)
    automaton = tableau(Not(Always(Eventually(p))))  # <>[]~p: wait, then ~p for ever
    assert automaton.nodes == (TableauNode((), (0, 1), True),
                               TableauNode(((0, False),), (1,), True))
    assert automaton.accepting == (frozenset({1}),)
    assert tableau(Not(Always(Eventually(p)))) == automaton


# -- the tableau against direct evaluation, on random formulas and lassos ---------------------

def _random_formula(rng: random.Random, atoms: list[Atom], depth: int):
    """A random formula; step atoms only as ``<><<A>>`` or ``[][~A]`` (TLA+'s forms, which
    stuttering cannot change)."""
    if depth == 0 or rng.random() < 0.25:
        atom = rng.choice(atoms)
        if atom.kind is AtomKind.STEP:
            return Eventually(atom) if rng.random() < 0.5 else Always(Not(atom))
        return Not(atom) if rng.random() < 0.3 else atom
    kind = rng.choice([Not, And, Or, Always, Eventually, "implies"])
    if kind in (And, Or):
        return kind(tuple(_random_formula(rng, atoms, depth - 1) for _ in range(2)))
    if kind == "implies":
        return implies(_random_formula(rng, atoms, depth - 1),
                       _random_formula(rng, atoms, depth - 1))
    return kind(_random_formula(rng, atoms, depth - 1))


def _accepts(automaton, letters: list[dict], follow: list[int]) -> bool:
    """Whether the automaton has an accepting run on the lasso word (positions with successor
    ``follow``): an accepting cycle in the product of positions and nodes."""
    def fits(q: int, i: int) -> bool:
        return all(letters[i][automaton.atoms[a]] == positive
                   for a, positive in automaton.nodes[q].literals)
    nodes = [(i, q) for i in range(len(letters)) for q in range(len(automaton.nodes)) if fits(q, i)]
    succ = {(i, q): [(follow[i], r) for r in automaton.nodes[q].successors if fits(r, follow[i])]
            for i, q in nodes}
    reach = set()
    todo = [(0, q) for q, node in enumerate(automaton.nodes) if node.initial and fits(q, 0)]
    while todo:
        v = todo.pop()
        if v not in reach:
            reach.add(v)
            todo += succ[v]

    def reaches(a, b) -> bool:
        seen, todo = set(), list(succ[a])
        while todo:
            v = todo.pop()
            if v == b:
                return True
            if v not in seen:
                seen.add(v)
                todo += succ[v]
        return False
    # an accepting lasso: a node on a cycle whose SCC meets every acceptance set
    for v in reach:
        if reaches(v, v):
            scc = {w for w in reach if reaches(v, w) and reaches(w, v)}
            if all(any(q in accepting for _, q in scc) for accepting in automaton.accepting):
                return True
    return False


def test_the_tableau_accepts_exactly_the_lassos_satisfying_the_formula() -> None:
    rng = random.Random(7)
    p, q = state_atom("p", lambda s: s[0]), state_atom("q", lambda s: s[1])
    words = []
    for length in (1, 2, 3):
        for bits in itertools.product([False, True], repeat=2 * length):
            letters = [(bits[2 * i], bits[2 * i + 1]) for i in range(length)]
            for loop in range(length):
                words.append((letters, loop))
    for _ in range(150):
        formula = _random_formula(rng, [p, q], 3)
        automaton = tableau(formula)
        for letters, loop in rng.sample(words, 40):
            n = len(letters)
            follow = list(range(1, n)) + [loop]
            truth = holds_on_lasso(None, formula, letters, [None] * n, follow, loop)[0]
            valuation = [{p: s[0], q: s[1]} for s in letters]
            assert _accepts(automaton, valuation, follow) == truth, (formula, letters, loop)


# -- the tableau path agrees with the fast searches ---------------------------------------------

SHAPES = {
    Temporal.EVENTUALLY: lambda p, q: Eventually(p),
    Temporal.ALWAYS_EVENTUALLY: lambda p, q: Always(Eventually(p)),
    Temporal.EVENTUALLY_ALWAYS: lambda p, q: Eventually(Always(p)),
    Temporal.LEADS_TO: lambda p, q: leads_to(p, q),
}


@pytest.mark.parametrize("seed", range(40))
def test_formulas_agree_with_the_fixed_shapes(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 7)
    actions = ["a", "b", "c"]
    edges = {s: [(rng.choice(actions), rng.randrange(n)) for _ in range(rng.randint(0, 3))]
             for s in range(n)}
    fairness = [fair(a, strong=rng.random() < 0.5) for a in actions if rng.random() < 0.6]
    p_states = {s for s in range(n) if rng.random() < 0.4}
    q_states = {s for s in range(n) if rng.random() < 0.4}
    p = state_atom("p", lambda s: s in p_states)
    q = state_atom("q", lambda s: s in q_states)
    for kind, make in SHAPES.items():
        fast = GraphModel(edges, fairness=fairness, properties=[TemporalProperty(
            "P", kind, p.test, q.test if kind is Temporal.LEADS_TO else None)])
        expected = check_model(fast).status
        assert check(GraphModel(edges, fairness=fairness), make(p, q))[0] is expected, kind
    step = taking(rng.choice(actions))
    for kind, make in ((Temporal.WEAK_FAIR, weak_fairness),
                       (Temporal.STRONG_FAIR, strong_fairness)):
        fast = GraphModel(edges, fairness=fairness, properties=[TemporalProperty(
            "P", kind, lambda s: True, step=step.test)])
        expected = check_model(fast).status
        assert check(GraphModel(edges, fairness=fairness), make(step))[0] is expected, kind


# -- against brute force: no fair violating lasso is missed -------------------------------------

def _lassos(model: GraphModel, longest: int):
    """Every lasso of at most ``longest`` states: ``(states, actions, loop_start, closing)``,
    ``closing`` None for stuttering in the last state."""
    out = []

    def extend(states: list, actions: list) -> None:
        out.append((states, actions, len(states) - 1, None))
        for action, t in model.edges.get(states[-1], []):
            if t == states[-1]:
                continue
            out.extend((states, actions, i, action) for i, u in enumerate(states) if u == t)
            if len(states) < longest:
                extend(states + [t], actions + [action])
    for s0 in model.init:
        extend([s0], [])
    return out


@pytest.mark.parametrize("seed", range(60))
def test_a_holding_formula_has_no_fair_violating_lasso(seed: int) -> None:
    from refute.engine.result import Step, Violation

    rng = random.Random(seed)
    n = rng.randint(2, 5)
    edges = {s: [(rng.choice("ab"), rng.randrange(n)) for _ in range(rng.randint(0, 2))]
             for s in range(n)}
    fairness = [fair(a, strong=rng.random() < 0.5) for a in "ab" if rng.random() < 0.6]
    p_states = {s for s in range(n) if rng.random() < 0.5}
    q_states = {s for s in range(n) if rng.random() < 0.5}
    atoms = [state_atom("p", lambda s: s in p_states), state_atom("q", lambda s: s in q_states),
             taking("a"), taking("b")]
    formula = _random_formula(rng, atoms, 3)
    model = GraphModel(edges, fairness=fairness)
    if check(model, formula)[0] is not Status.OK:
        return  # check() validated the lasso
    for states, actions, loop, closing in _lassos(model, 5):
        trace = (Step(None, states[0]),) + tuple(Step(Label(a), s) for a, s in
                                                 zip(actions, states[1:]))
        lasso = Violation(ViolationKind.LIVENESS, "P", trace, loop,
                          None if closing is None else Label(closing))
        with pytest.raises(AssertionError):
            assert_lasso_violates(model, lasso, formula)
