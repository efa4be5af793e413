"""``refute simulate``: finds the case-study bugs, shrinks, reproduces by seed, keeps the contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from die_hard import DieHard
from two_phase import TwoPhase

from refute import Spec, State, Status, action
from refute.engine.result import ViolationKind
from refute.engine.simulate import SimulationOptions, simulate
from refute.spec.compile import SpecModel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=120)


def labels(violation) -> list[str]:
    return [str(step.action) for step in violation.trace[1:]]


def test_finds_the_dns_race_within_10000_traces():
    from dns_race import DnsRace

    outcome = simulate(SpecModel(DnsRace()), SimulationOptions(traces=10_000, seed=1))
    violation = outcome.result.violation
    assert outcome.result.status is Status.VIOLATION
    assert violation.name == "never_delete_active"
    assert outcome.failing_trace < 10_000
    assert len(violation.trace) - 1 == 11  # shrunk to the length of the shortest counterexample
    assert violation.trace[-1].action.action == "enactor_apply"


def test_finds_the_fencing_bug_within_10000_traces():
    from fencing_lock import FencingLock

    outcome = simulate(SpecModel(FencingLock()), SimulationOptions(traces=10_000, seed=1))
    assert outcome.result.violation.name == "accepted_tokens_increase"
    assert len(outcome.result.violation.trace) - 1 == 5  # Kleppmann's story, 5 steps


def test_the_seed_reproduces_the_same_counterexample():
    first = simulate(SpecModel(TwoPhase(early_commit=True)), SimulationOptions(seed=7))
    again = simulate(SpecModel(TwoPhase(early_commit=True)), SimulationOptions(seed=7))
    assert labels(first.result.violation) == labels(again.result.violation)
    assert first.failing_trace == again.failing_trace
    assert (first.steps, first.result.distinct_states) == (again.steps, again.result.distinct_states)


def test_shrinking_reaches_the_shortest_die_hard_solution():
    outcome = simulate(SpecModel(DieHard()), SimulationOptions(traces=1000, depth=200, seed=3))
    violation = outcome.result.violation
    assert violation.name == "big_is_not_4"
    assert outcome.original_length >= len(violation.trace) == 7
    model = SpecModel(DieHard())
    state = violation.trace[0].state
    assert state in model.init_states()
    for step in violation.trace[1:]:  # every step is a real step of the spec
        assert (step.action, step.state) in model.next_states(state)
        state = step.state


class Stuck(Spec):
    def init(self):
        return State(n=0)

    @action
    def inc(self, s):
        if s.n < 3:
            return s.update(n=s.n + 1)


def test_deadlock_is_found_and_clean_runs_say_what_they_rule_out():
    outcome = simulate(SpecModel(Stuck()), SimulationOptions(traces=10, seed=0))
    assert outcome.result.violation.kind is ViolationKind.DEADLOCK
    assert len(outcome.result.violation.trace) == 4
    clean = simulate(SpecModel(Stuck()), SimulationOptions(traces=100, deadlock=False))
    assert clean.result.status is Status.INCOMPLETE
    assert clean.ruled_out_at_95 == pytest.approx(1 - 0.05 ** (1 / 100))
    assert clean.result.distinct_states == 4


def test_swarm_disables_actions_per_trace():
    uniform = simulate(SpecModel(TwoPhase()), SimulationOptions(traces=50, swarm=False, seed=2))
    swarm = simulate(SpecModel(TwoPhase()), SimulationOptions(traces=50, swarm=True, seed=2))
    assert uniform.result.status is swarm.result.status is Status.INCOMPLETE
    assert uniform.steps != swarm.steps


def test_cli_contract(tmp_path):
    out, itf = tmp_path / "r.json", tmp_path / "t.itf.json"
    found = run("simulate", str(EXAMPLES / "fencing_lock.py"), "--traces", "10000", "--seed", "1",
                "--json", str(out), "--itf", str(itf))
    assert found.returncode == 1, found.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "violation"
    assert result["violation"]["kind"] == "invariant"
    assert result["simulation"]["seed"] == 1 and result["simulation"]["swarm"] is True
    assert len(json.loads(itf.read_text())["states"]) == len(result["violation"]["trace"])
    assert "shrunk to 5" in found.stdout

    clean = run("simulate", str(EXAMPLES / "two_phase.py"), "--traces", "200", "--depth", "20")
    assert clean.returncode == 3, clean.stderr
    assert "with 200 clean traces, a bug that one trace hits with probability 1.49% or more" \
        in clean.stdout
