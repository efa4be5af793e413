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

from refute import Spec, State, Status, action, invariant
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


class TwoCounters(Spec):
    """Two always-enabled actions: only a trace that keeps choosing ``inc_a`` reaches a == 20."""

    def init(self):
        return State(a=0, b=0)

    @action
    def inc_a(self, s):
        return s.update(a=s.a + 1)

    @action
    def inc_b(self, s):
        return s.update(b=s.b + 1)

    @invariant
    def a_never_20_alone(self, s):
        return not (s.a >= 20 and s.b == 0)


def test_swarm_sustains_runs_of_one_action_that_uniform_traces_miss():
    """A uniform trace takes 20 inc_a in a row with probability 2**-20; a swarm trace that
    drew {inc_a} alone does nothing else."""
    uniform = simulate(SpecModel(TwoCounters()), SimulationOptions(traces=200, swarm=False))
    swarm = simulate(SpecModel(TwoCounters()), SimulationOptions(traces=200, swarm=True))
    assert uniform.result.status is Status.INCOMPLETE
    assert swarm.result.violation.name == "a_never_20_alone"
    assert labels(swarm.result.violation) == ["inc_a"] * 20


class Relay(Spec):
    """``start`` is enabled only first, ``step`` only after it: a swarm trace whose subset
    lacks one of them goes on with the other rather than ending."""

    def init(self):
        return State(started=False, n=0)

    @action
    def start(self, s):
        if not s.started:
            return s.update(started=True)

    @action
    def step(self, s):
        if s.started:
            return s.update(n=(s.n + 1) % 5)


def test_swarm_prefers_its_actions_but_never_ends_a_trace_the_spec_would_continue():
    outcome = simulate(SpecModel(Relay()), SimulationOptions(traces=40, depth=30, seed=3))
    assert outcome.result.status is Status.INCOMPLETE
    assert outcome.steps == 40 * 30  # every trace reaches --depth
    assert not any("far short" in w for w in outcome.result.warnings)


def test_traces_far_short_of_depth_are_reported():
    clean = simulate(SpecModel(Stuck()), SimulationOptions(traces=10, deadlock=False))
    assert clean.steps == 30
    assert ("the traces took 3.0 steps on average, far short of --depth 100: they ended in "
            "states without successor, so longer behaviours were not tried; if the spec's "
            "behaviours are all this short, refute check explores every one of them"
            ) in clean.result.warnings
    deep = simulate(SpecModel(Stuck()), SimulationOptions(traces=10, depth=12, deadlock=False))
    assert not any("far short" in w for w in deep.result.warnings)  # 3 >= 12 / 4


# Every example with a bug, with the parameters that show it (tests/examples/test_case_studies.py).
BUGGY_EXAMPLES = [
    ("die_hard.py", (), "big_is_not_4"),
    ("dns_race.py", (), "never_delete_active"),
    ("fencing_lock.py", (), "accepted_tokens_increase"),
    # without fencing both of its properties fail; this seed's trace breaks the token order first
    ("fencing_lock.py", ("require_exclusion=true",), "accepted_tokens_increase"),
    ("fencing_lock.py", ("fencing=true", "require_exclusion=true"), "only_holder_writes"),
    ("idempotent_consumer.py", (), "effect_applied_once"),
    ("idempotent_consumer.py", ("dedupe=none",), "effect_applied_once"),
    ("idempotent_consumer.py", ("dedupe=window",), "effect_applied_once"),
    ("lease.py", (), "at_most_one_holder"),
    ("new_enemy.py", (), "no_new_enemy"),
    ("read_your_writes.py", (), "read_your_writes"),
    ("write_skew.py", (), "at_least_one_on_call"),
    ("two_phase.py", ("early_commit=true",), "consistent"),
    ("paxos.py", ("ballots=2", "skip_highest_vote=true"), "agreement"),
]


def test_the_library_defaults_are_the_commands():
    from refute.commands.simulate import simulate as command

    defaults = {p.name: p.default for p in command.params}
    options = SimulationOptions()
    assert (defaults["traces"], defaults["depth"], defaults["seed"]) == \
        (options.traces, options.depth, options.seed)
    assert defaults["no_swarm"] is not True and options.swarm  # a flag: off unless given


@pytest.mark.parametrize("example, params, violated", BUGGY_EXAMPLES)
def test_the_default_options_find_every_bundled_bug(example, params, violated):
    from refute.sources import Source

    model = Source(str(EXAMPLES / example), tuple(params)).load()
    first = simulate(model, SimulationOptions())
    assert first.result.status is Status.VIOLATION
    assert first.result.violation.name == violated
    again = simulate(Source(str(EXAMPLES / example), tuple(params)).load(), SimulationOptions())
    assert (again.failing_trace, labels(again.result.violation)) == \
        (first.failing_trace, labels(first.result.violation))  # seeded: the same every run


def test_simulate_finds_the_dns_race_with_default_options():
    """Issue 25: the defaults once ran 1,000 swarm traces of 3.6 steps and missed it."""
    found = run("simulate", "examples/dns_race.py")
    assert found.returncode == 1, found.stderr
    assert "✗ invariant never_delete_active is violated" in found.stdout
    assert "trace 0 failed after 19 step(s); shrunk to 15 (rerun: --seed 0)" in found.stdout


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
