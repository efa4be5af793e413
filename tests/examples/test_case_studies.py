"""The case studies in examples/: each design's outcome, pinned exactly.

For every example and design: the status, the violated property, the distinct and generated
state counts, the depth, and the shortest counterexample's actions. The numbers are this
encoding's own (there is no other tool's oracle for these specs); the counterexamples were
read step by step against each story before being pinned. Changing a spec changes them:
re-read the new trace before re-pinning. "Generated" at a violation counts the violating
state's siblings only up to it, as TLC does (issue 19: four counts here fell by one or two
when that rule came, their traces unchanged).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dns_race import DnsRace
from fencing_lock import FencingLock
from idempotent_consumer import IdempotentConsumer
from lease import Lease
from new_enemy import NewEnemy
from read_your_writes import ReadYourWrites
from write_skew import WriteSkew

import refute
from refute import Status, invariant

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def outcome(result: refute.Result) -> tuple:
    name = result.violation.name if result.violation else None
    return result.status, name, result.distinct_states, result.states_generated, result.depth


def actions(result: refute.Result) -> list[str]:
    return [str(step.action) for step in result.violation.trace[1:]]


# -- violations: the buggy designs, with their shortest counterexamples ---------------------

VIOLATIONS = {
    "dns_race": (DnsRace(), "never_delete_active", 214, 447, [
        "planner_emit(plan=1)", "planner_emit(plan=2)", "planner_emit(plan=3)",
        "enactor_receive(enactor=1, plan=1)",
        "enactor_receive(enactor=2, plan=2)", "enactor_apply(enactor=2, plan=2)",
        "enactor_cleanup(enactor=2, plan=2)",
        "enactor_receive(enactor=2, plan=3)", "enactor_apply(enactor=2, plan=3)",
        "enactor_apply(enactor=1, plan=1)", "enactor_cleanup(enactor=2, plan=3)"]),
    "fencing_lock": (FencingLock(), "accepted_tokens_increase", 24, 27, [
        "acquire(client=1, token=33)", "lease_expires(client=1)",
        "acquire(client=2, token=34)", "write(client=2, token=34)",
        "write(client=1, token=33)"]),
    "fencing_lock_exclusion": (FencingLock(require_exclusion=True), "only_holder_writes", 13, 15, [
        "acquire(client=1, token=33)", "lease_expires(client=1)",
        "acquire(client=2, token=34)", "write(client=1, token=33)"]),
    "fencing_lock_exclusion_despite_fencing": (
        FencingLock(fencing=True, require_exclusion=True), "only_holder_writes", 13, 15, [
            "acquire(client=1, token=33)", "lease_expires(client=1)",
            "acquire(client=2, token=34)", "write(client=1, token=33)"]),
    "write_skew": (WriteSkew(), "at_least_one_on_call", 11, 12, [
        "begin(doctor=alice)", "begin(doctor=bob)", "commit(doctor=alice)",
        "commit(doctor=bob)"]),
    "idempotent_consumer_none": (IdempotentConsumer(dedupe="none"), "effect_applied_once", 19, 23, [
        "deliver(message=m1)", "apply_effect(message=m1)", "crash", "deliver(message=m1)",
        "apply_effect(message=m1)"]),
    "idempotent_consumer_split": (IdempotentConsumer(), "effect_applied_once", 18, 20, [
        "deliver(message=m1)", "apply_effect(message=m1)", "crash", "deliver(message=m1)",
        "apply_effect(message=m1)"]),
    "idempotent_consumer_window": (IdempotentConsumer(dedupe="window"), "effect_applied_once",
                                   24, 31, [
        "deliver(message=m1)", "apply_effect(message=m1)", "deliver(message=m2)",
        "apply_effect(message=m2)", "crash", "deliver(message=m1)", "apply_effect(message=m1)"]),
    "new_enemy": (NewEnemy(), "no_new_enemy", 18, 28, [
        "remove_viewer(user=bob)", "add_document(doc=new_doc)",
        "read(user=bob, doc=new_doc, revision=1)"]),
    "read_your_writes": (ReadYourWrites(), "read_your_writes", 7, 8, [
        "client_write(value=1)", "client_read(replica=replica1)"]),
    "lease": (Lease(), "at_most_one_holder", 14, 21, [
        "grant(client=1)", "tick", "tick", "tick_slow_clock(client=1)", "grant(client=2)"]),
}


@pytest.mark.parametrize("case", VIOLATIONS)
def test_buggy_design_is_refuted_by_the_story(case):
    spec, invariant, distinct, generated, trace = VIOLATIONS[case]
    result = refute.check(spec)
    # BFS stops at the first violating state, one level below the counterexample's last step.
    assert outcome(result) == (Status.VIOLATION, invariant, distinct, generated, len(trace) + 1)
    assert actions(result) == trace


# -- the fixed designs hold, deadlock checking on ---------------------------------------------

HOLDS = {
    "dns_race_fixed": (DnsRace(fixed=True), 330, 761, 20),
    "fencing_lock_fencing": (FencingLock(fencing=True), 37, 49, 7),
    "write_skew_serializable": (WriteSkew(isolation="serializable"), 14, 17, 5),
    "idempotent_consumer_atomic": (IdempotentConsumer(dedupe="atomic"), 26, 37, 9),
    "idempotent_consumer_sequence": (IdempotentConsumer(dedupe="sequence"), 26, 37, 9),
    "new_enemy_at_least_as_fresh": (NewEnemy(consistency="at_least_as_fresh"), 48, 241, 7),
    "read_your_writes_wait_for_lsn": (ReadYourWrites(routing="wait_for_lsn"), 23, 56, 8),
    "lease_margin_covers_drift": (Lease(margin=1), 11, 18, 4),
}


@pytest.mark.parametrize("case", HOLDS)
def test_fixed_design_holds(case):
    spec, distinct, generated, depth = HOLDS[case]
    result = refute.check(spec)
    assert outcome(result) == (Status.OK, None, distinct, generated, depth)
    assert "deadlock" in result.checked


# -- the stories' details ---------------------------------------------------------------------

def test_dns_race_ends_with_the_endpoint_on_a_deleted_plan():
    last = refute.check(DnsRace()).violation.trace[-1].state
    assert last.active == 1 and 1 not in last.plans and last.plans == {2, 3}


def test_dns_race_fixed_drops_stale_plans():
    result = refute.check(DnsRace(fixed=True))
    assert {c.action: c.fired > 0 for c in result.coverage}["enactor_drop_stale"]


class _FencingProbe(FencingLock):
    @invariant
    def nothing_rejected(self, s):
        return not s.rejected


def test_fencing_rejects_the_paused_clients_write():
    """With fencing, Kleppmann's interleaving ends with client 1's write with 33 rejected."""
    result = refute.check(_FencingProbe(fencing=True))
    assert result.violation.name == "nothing_rejected"
    assert actions(result) == VIOLATIONS["fencing_lock"][4]
    last = result.violation.trace[-1].state
    assert (last.accepted, last.rejected) == ((34,), (33,))


def test_lease_fails_whenever_drift_exceeds_margin():
    for term, drift, margin in [(3, 1, 0), (4, 2, 1), (4, 2, 0)]:
        assert refute.check(Lease(term=term, drift=drift, margin=margin)).status is Status.VIOLATION
    for term, drift, margin in [(3, 0, 0), (3, 1, 1), (4, 2, 2), (4, 1, 2)]:
        assert refute.check(Lease(term=term, drift=drift, margin=margin)).holds


def test_write_skew_needs_serializability_with_more_doctors_too():
    assert refute.check(WriteSkew(doctors=3)).violation.name == "at_least_one_on_call"
    assert refute.check(WriteSkew(doctors=3, isolation="serializable")).holds


# -- the command line: the default shows the bug, the fix holds --------------------------------

COMMANDS = [
    ("dns_race.py", "never_delete_active", ["-p", "fixed=true"]),
    ("fencing_lock.py", "accepted_tokens_increase", ["-p", "fencing=true"]),
    ("write_skew.py", "at_least_one_on_call", ["-p", "isolation=serializable"]),
    ("idempotent_consumer.py", "effect_applied_once", ["-p", "dedupe=atomic"]),
    ("new_enemy.py", "no_new_enemy", ["-p", "consistency=at_least_as_fresh"]),
    ("read_your_writes.py", "read_your_writes", ["-p", "routing=wait_for_lsn"]),
    ("lease.py", "at_most_one_holder", ["-p", "margin=1"]),
]


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", "check", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("example, invariant_name, fix", COMMANDS)
def test_command_line_default_is_refuted_and_fix_holds(example, invariant_name, fix):
    buggy = run_check(f"examples/{example}")
    assert buggy.returncode == 1, buggy.stderr
    assert f"✗ invariant {invariant_name} is violated" in buggy.stdout
    fixed = run_check(f"examples/{example}", *fix, "-q")
    assert fixed.returncode == 0, fixed.stderr + fixed.stdout


def test_command_line_fencing_gives_no_mutual_exclusion():
    # only_holder_writes is declared @invariant(default=False): checked when selected.
    run = run_check("examples/fencing_lock.py", "-p", "fencing=true",
                    "--invariant", "only_holder_writes")
    assert run.returncode == 1, run.stderr
    assert "✗ invariant only_holder_writes is violated after 4 step(s)" in run.stdout
    assert "FencingLock: 13 distinct states, 15 generated, depth 5" in run.stdout
    assert "checked: only_holder_writes, deadlock" in run.stdout
    unselected = run_check("examples/fencing_lock.py", "-p", "fencing=true")
    assert unselected.returncode == 0, unselected.stderr
    assert "checked: accepted_tokens_increase, deadlock\n" in unselected.stdout
    assert "not checked (off by default, select with --invariant NAME): only_holder_writes" \
        in unselected.stdout
