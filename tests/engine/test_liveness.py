"""Temporal properties under fairness: TLC's golden results, lassos checked independently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dining_philosophers import DiningPhilosophers
from ewd840 import EWD840
from simple_allocator import SimpleAllocator

import refute
from refute import (Spec, State, Status, action, always_eventually, constraint, each, eventually,
                    eventually_always, leads_to, liveness, strong, weak)
from refute.engine.fingerprint import fingerprint
from refute.engine.model import Temporal
from refute.engine.result import ViolationKind
from refute.report.text import render_result
from refute.spec.compile import SpecModel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def counts(result: refute.Result) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth


def assert_fair_lasso(spec: Spec, violation) -> None:
    """Check a lasso without the checker's graph: real steps, a closing step, fairness, and
    that the behaviour violates the named property."""
    model = SpecModel(spec)
    assert violation.kind is ViolationKind.LIVENESS
    trace = violation.trace
    assert trace[0].state in model.init_states()
    for before, after in zip(trace, trace[1:]):
        assert (after.action, after.state) in model.next_states(before.state)
    loop = [step.state for step in trace[violation.loop_start:]]
    steps = list(zip(trace[violation.loop_start:], trace[violation.loop_start + 1:]))
    pairs = [(b.state, a.action, a.state) for b, a in steps]
    if violation.stutters:
        assert violation.loop_start == len(trace) - 1
    else:
        first = trace[violation.loop_start].state
        closing = [t for label, t in model.next_states(trace[-1].state)
                   if label == violation.loop_action]
        assert first in closing
        pairs.append((trace[-1].state, violation.loop_action, first))
    for fairness in model.fairness:
        def members(state):
            return {fairness.instance(label, state, t) for label, t in model.next_states(state)
                    if fingerprint(t) != fingerprint(state)} - {None}
        taken = {fairness.instance(label, b, a) for b, label, a in pairs if b != a} - {None}
        enabled = [members(state) for state in loop]
        everywhere = set.intersection(*enabled)
        somewhere = set.union(*enabled)
        assert (somewhere if fairness.strong else everywhere) <= taken, fairness.name
    prop = next(p for p in model.properties if p.name == violation.name)
    states = [step.state for step in trace]
    if prop.kind is Temporal.LEADS_TO:
        assert not any(prop.q(s) for s in loop)
        trigger = max(i for i, s in enumerate(states) if prop.p(s) and not prop.q(s))
        assert not any(prop.q(s) for s in states[trigger:])
    elif prop.kind is Temporal.EVENTUALLY:
        assert not any(prop.p(s) for s in states)
    elif prop.kind is Temporal.ALWAYS_EVENTUALLY:
        assert not any(prop.p(s) for s in loop)
    else:
        assert not all(prop.p(s) for s in loop)


# -- golden results: TLC on tlaplus/Examples --------------------------------------------------

def test_simple_allocator_holds_with_strong_fairness_for_allocation(tlc_result):
    tlc = tlc_result("allocator", "SimpleAllocator.cfg")
    result = refute.check(SimpleAllocator())
    assert result.status is Status.OK, render_result(result, color=False)
    assert counts(result) == (tlc["distinctStates"], tlc["totalStates"], tlc["stateDepth"])
    assert counts(result) == (400, 1_633, 6)
    assert "clients_will_obtain(c=c3, r=r2)" in result.checked
    assert "inf_often_satisfied(c=c1)" in result.checked


def test_simple_allocator_starves_a_client_with_weak_fairness_only():
    spec = SimpleAllocator(strong_allocate=False)
    result = refute.check(spec)
    assert result.status is Status.VIOLATION
    assert result.violation.name.startswith("clients_will_obtain(")
    assert_fair_lasso(spec, result.violation)
    # returning does not depend on allocation's fairness
    assert refute.check(spec, invariants=["clients_will_return"]).status is Status.OK


def test_ewd840_detects_termination_under_weak_fairness_of_the_token(tlc_result):
    tlc = tlc_result("ewd840", "EWD840.cfg")
    result = refute.check(EWD840())  # detected termination is terminal, not a deadlock
    assert result.status is Status.OK, render_result(result, color=False)
    assert result.distinct_states == tlc["distinctStates"] == 302
    # TLC generates one successor per true disjunct of a guard (2,001); the port's `or`, one.
    assert (result.states_generated, tlc["totalStates"]) == (1_817, 2_001)


def test_ewd840_without_fairness_may_stop_before_detecting():
    spec = EWD840(fair=False)
    result = refute.check(spec, deadlock=False)
    assert result.status is Status.VIOLATION
    assert result.violation.name == "detection"
    assert result.violation.stutters
    assert_fair_lasso(spec, result.violation)
    assert "stays in state 1 forever (stuttering)" in render_result(result, color=False)


def test_dining_philosophers_nobody_starves_when_processes_are_fair(tlc_result):
    tlc = tlc_result("DiningPhilosophers", "DiningPhilosophers.cfg")
    result = refute.check(DiningPhilosophers())
    assert result.status is Status.OK, render_result(result, color=False)
    assert counts(result) == (tlc["distinctStates"], tlc["totalStates"], tlc["stateDepth"])
    assert result.distinct_states == 67


def test_dining_philosophers_starve_without_fairness():
    spec = DiningPhilosophers(fair=False)
    result = refute.check(spec)
    assert result.status is Status.VIOLATION
    assert result.violation.name == "nobody_starves(p=1)"
    assert_fair_lasso(spec, result.violation)


# -- semantics on small specs -------------------------------------------------------------------

class Ring(Spec):
    """x counts 0, 1, 2, 3, 0, ... (``step``); ``reset`` may go back to 0 at any time."""

    def __init__(self, fairness=(), shape="eventually"):
        self.fairness = fairness
        self.shape = shape

    def init(self):
        return State(x=0)

    @action
    def step(self, s):
        return s.update(x=(s.x + 1) % 4)

    @action
    def reset(self, s):
        if s.x:
            return s.update(x=0)

    @liveness
    def goal(self):
        formulas = {"eventually": eventually(lambda s: s.x == 3),
                    "always_eventually": always_eventually(lambda s: s.x == 0),
                    "eventually_always": eventually_always(lambda s: s.x == 3),
                    "leads_to": leads_to(lambda s: s.x == 1, lambda s: s.x == 3)}
        return formulas[self.shape]


@pytest.mark.parametrize("shape", ["eventually", "always_eventually", "eventually_always",
                                   "leads_to"])
def test_without_fairness_a_spec_may_stop_forever(shape):
    spec = Ring(shape=shape)
    result = refute.check(spec)  # e.g. it stops at x = 0 and never reaches 3
    assert result.status is Status.VIOLATION
    assert result.violation.stutters
    assert_fair_lasso(spec, result.violation)


def test_weak_fairness_of_step_but_reset_may_loop():
    # step is weakly fair, but reset can keep x from ever reaching 3: 0 1 0 1 ...
    spec = Ring(fairness=(weak("step"),), shape="eventually")
    result = refute.check(spec)
    assert result.status is Status.VIOLATION
    assert not result.violation.stutters
    assert_fair_lasso(spec, result.violation)
    assert refute.check(Ring(fairness=(weak("step"),), shape="always_eventually")).holds
    violated = refute.check(Ring(fairness=(weak("step"),), shape="eventually_always"))
    assert violated.status is Status.VIOLATION


class Blinker(Spec):
    """``toggle`` flips a light forever; ``go`` is enabled only while the light is on."""

    def __init__(self, fairness=()):
        self.fairness = fairness

    def init(self):
        return State(on=False, gone=False)

    @action
    def toggle(self, s):
        return s.update(on=not s.on)

    @action
    def go(self, s):
        if s.on and not s.gone:
            return s.update(gone=True)

    @liveness
    def goes(self):
        return eventually(lambda s: s.gone)


def test_strong_fairness_is_needed_for_an_action_enabled_on_and_off():
    weakly = Blinker(fairness=(weak("toggle"), weak("go")))
    result = refute.check(weakly)
    assert result.status is Status.VIOLATION
    assert_fair_lasso(weakly, result.violation)
    assert refute.check(Blinker(fairness=(weak("toggle"), strong("go")))).holds


class TwoWorkers(Spec):
    """Worker 0 spins forever; worker 1 has one step to take."""

    def __init__(self, fairness=()):
        self.fairness = fairness

    def init(self):
        return State(spins=0, done=False)

    @action
    def work(self, s, w=each([0, 1])):
        if w == 0:
            return s.update(spins=(s.spins + 1) % 2)
        if not s.done:
            return s.update(done=True)

    @liveness
    def worker_1_finishes(self):
        return eventually(lambda s: s.done)


def test_fairness_per_instance_versus_for_the_action_as_a_whole():
    whole = TwoWorkers(fairness=(weak("work"),))  # worker 0 spinning keeps `work` taken
    result = refute.check(whole)
    assert result.status is Status.VIOLATION
    assert_fair_lasso(whole, result.violation)
    assert refute.check(TwoWorkers(fairness=(weak("work", for_each="w"),))).holds
    assert refute.check(TwoWorkers(fairness=(weak(),))).status is Status.VIOLATION


# -- warnings: answers that can be wrong or vacuous --------------------------------------------

class Bounded(Spec):
    def __init__(self, symmetric=False):
        self.fairness = (weak(),)
        self.procs = self.model_values("p", 2)
        self.symmetry = ("procs",) if symmetric else ()

    def init(self):
        return State(n=0)

    @action
    def inc(self, s):
        return s.update(n=s.n + 1)

    @constraint
    def small(self, s):
        return s.n <= 3

    @liveness
    def never_negative_leads_somewhere(self):
        return leads_to(lambda s: s.n < 0, lambda s: s.n == 2)


def test_warnings_for_constraints_symmetry_and_vacuous_premises():
    result = refute.check(Bounded(symmetric=True))
    # The property holds within the constraint (the constrained state space is the model, as
    # in TLC), with a warning that behaviours leaving it were cut.
    assert result.status is refute.Status.OK and result.violation is None and result.pruned
    text = " | ".join(result.warnings)
    assert "state constraint" in text and "symmetry" in text
    assert "never_negative_leads_somewhere holds vacuously" in text


# -- errors point at the user's line --------------------------------------------------------------

def test_fairness_naming_an_unknown_action_points_at_the_declaration():
    line = sys._getframe().f_lineno + 1
    spec = Ring(fairness=(weak("stepp"),))
    with pytest.raises(refute.SpecError) as info:
        refute.check(spec)
    error = info.value
    assert (error.file, error.line) == (__file__, line)
    assert "has no action stepp" in error.message and "step, reset" in error.hint


def test_for_each_must_name_a_parameter():
    with pytest.raises(refute.SpecError, match="action step has no parameter w"):
        refute.check(Ring(fairness=(weak("step", for_each="w"),)))


def test_liveness_must_return_a_formula():
    class Broken(Ring):
        @liveness
        def goal(self):
            return lambda s: True

    with pytest.raises(refute.SpecError, match="not a temporal formula") as info:
        refute.check(Broken())
    assert "leads_to(" in info.value.hint


# -- the command line: selection, JSON, ITF, text ---------------------------------------------------

def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=120)


def test_cli_liveness_contract(tmp_path):
    out, itf = tmp_path / "r.json", tmp_path / "t.itf.json"
    spec = str(EXAMPLES / "simple_allocator.py")
    run_ = run("check", spec, "-p", "strong_allocate=false", "--json", str(out), "--itf", str(itf))
    assert run_.returncode == 1, run_.stderr
    violation = json.loads(out.read_text())["violation"]
    assert violation["kind"] == "liveness"
    assert 0 <= violation["loop_start"] < len(violation["trace"])
    assert violation["loop_action"]
    assert f"back to step {violation['loop_start'] + 1}" in run_.stdout
    assert "← loop starts here" in run_.stdout
    trace = json.loads(itf.read_text())
    assert trace["loop"] == violation["loop_start"]
    assert trace["#meta"]["loop_action"] == violation["loop_action"]

    only = run("check", spec, "-p", "strong_allocate=false", "--invariant", "clients_will_return",
               "--json", "-", "-q")
    assert only.returncode == 0, only.stderr
    checked = json.loads(only.stdout)["checked"]
    assert checked == ["deadlock", "clients_will_return(c=c1)", "clients_will_return(c=c2)",
                       "clients_will_return(c=c3)"]

    unknown = run("check", spec, "--invariant", "clients_will_eat", "-q")
    assert unknown.returncode == 2
    assert "no invariant or property named clients_will_eat" in unknown.stderr
