"""examples/mongodb_txn.py: the isolation each read concern gives, and permissiveness.

Pinned: status, distinct and generated states, depth, the counterexample's actions and the
anomaly in its history. The traces were read step by step against the protocol's story
(docstring of the example) before being pinned.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mongodb_txn import MongoTxn

from refute import Status
from refute.isolation import check_isolation, permissiveness
from refute.isolation.permissiveness import describe

ROOT = Path(__file__).resolve().parents[2]

TORN_READ = "t1: w k1=t1, w k2=t1 | t2: r k1=nil, r k2=t1"
TORN_READ_REVERSED = "t1: w k1=t1, w k2=t1 | t2: r k1=t1, r k2=nil"
WRITE_SKEW = "t1: r k1=nil, w k2=t1 | t2: r k2=nil, w k1=t2"


def outcome(checked) -> tuple:
    r = checked.result
    return r.status, r.distinct_states, r.states_generated, r.depth, checked.anomaly_types


def actions(checked) -> list[str]:
    return [str(step.action) for step in checked.result.violation.trace[1:]]


def last_history(checked):
    return checked.result.violation.trace[-1].state.history


HOLDS = {
    "snapshot read concern: snapshot isolation": (
        MongoTxn(), "snapshot-isolation", 416, 650, 15),
    "local read concern: read committed": (
        MongoTxn(read_concern="local"), "read-committed", 395, 599, 15),
    "local, no prepare blocking: read committed": (
        MongoTxn(read_concern="local", prepare_blocking=False), "read-committed", 591, 988, 15),
}


@pytest.mark.parametrize("case", HOLDS)
def test_level_holds(case):
    spec, level, distinct, generated, depth = HOLDS[case]
    assert outcome(check_isolation(spec, level)) == (Status.OK, distinct, generated, depth, [])


def test_local_read_concern_tears_a_cross_shard_read():
    """t2 reads k1 on s1 before t1 commits, then first reaches s2 after t1 committed there."""
    checked = check_isolation(MongoTxn(read_concern="local"), "snapshot-isolation")
    assert outcome(checked) == (Status.VIOLATION, 324, 478, 12, ["G-single"])
    assert actions(checked) == [
        "begin(t=t1, choice=0)", "begin(t=t2, choice=0)", "read(t=t2)", "write(t=t1)",
        "write(t=t1)", "prepare(t=t1, shard='s1')", "prepare(t=t1, shard='s2')",
        "commit(t=t1)", "apply_commit(t=t1, shard='s2')", "read(t=t2)", "commit(t=t2)"]
    history = last_history(checked)
    assert history["t2"].ops == (("r", "k1", None), ("r", "k2", "t1"))
    finding = checked.anomaly.anomalies[0]
    assert [step.kind for step in finding.cycle] == ["wr", "rw"]
    assert "t2 read key k1 before any write (nil), and t1 wrote t1 to it" in finding.explanation


def test_snapshot_isolation_allows_write_skew_which_serializability_forbids():
    checked = check_isolation(MongoTxn(), "serializable")
    assert outcome(checked) == (Status.VIOLATION, 335, 525, 11, ["G2-item"])
    assert actions(checked) == [
        "begin(t=t1, choice=1)", "begin(t=t2, choice=1)", "read(t=t1)", "read(t=t2)",
        "write(t=t1)", "write(t=t2)", "prepare(t=t1, shard='s2')",
        "prepare(t=t2, shard='s1')", "commit(t=t1)", "commit(t=t2)"]
    assert [step.kind for step in checked.anomaly.anomalies[0].cycle] == ["rw", "rw"]


def test_without_prepare_blocking_a_snapshot_read_goes_around_a_prepared_write():
    """t2's read timestamp is at t1's commit timestamp, but it reads k1 while t1 is only
    prepared on s1, and k2 after t1's write is installed on s2."""
    checked = check_isolation(MongoTxn(prepare_blocking=False), "snapshot-isolation")
    assert outcome(checked) == (Status.VIOLATION, 520, 819, 12, ["G-single"])
    assert actions(checked)[:7] == [
        "begin(t=t1, choice=0)", "write(t=t1)", "write(t=t1)", "prepare(t=t1, shard='s1')",
        "prepare(t=t1, shard='s2')", "begin(t=t2, choice=0)", "read(t=t2)"]
    assert last_history(checked)["t2"].ops == (("r", "k1", None), ("r", "k2", "t1"))


def test_permissiveness_prepare_blocking_allows_a_strict_subset():
    report = permissiveness([("prepare_blocking=true", MongoTxn()),
                             ("prepare_blocking=false", MongoTxn(prepare_blocking=False))])
    blocking, open_ = report.designs
    assert (len(blocking.protocol), len(blocking.allowed), len(blocking.forbidden)) == (11, 14, 0)
    assert (len(open_.protocol), len(open_.allowed), len(open_.forbidden)) == (13, 14, 2)
    assert report.subset(0, 1) and not report.subset(1, 0)
    # What blocking removes is exactly the two torn reads: both ratios are 11/14.
    assert {describe(h) for h in open_.protocol - blocking.protocol} == {
        TORN_READ, TORN_READ_REVERSED}
    assert blocking.ratio == open_.ratio == pytest.approx(11 / 14)
    assert report.status is Status.VIOLATION
    # The SI histories no design produces: aborts without a write conflict.
    assert sorted(describe(h) for h in blocking.allowed - blocking.protocol) == [
        "t1: aborted | t2: aborted", "t1: aborted | t2: r k1=nil, r k2=nil",
        "t1: r k1=nil, w k2=t1 | t2: aborted"]


def test_permissiveness_local_read_concern_against_read_committed():
    report = permissiveness([("blocking", MongoTxn(read_concern="local")),
                             ("open", MongoTxn(read_concern="local", prepare_blocking=False))],
                            "read-committed")
    counts = [(len(d.protocol), len(d.allowed), len(d.forbidden)) for d in report.designs]
    assert counts == [(12, 16, 0), (13, 16, 0)]
    assert report.status is Status.OK and report.subset("blocking", "open")
    assert {describe(h) for h in report.designs[1].protocol - report.designs[0].protocol} == {
        TORN_READ_REVERSED}


def test_serializable_level_counts_write_skew_as_forbidden():
    report = permissiveness(MongoTxn(), "serializable")
    (design,) = report.designs
    assert (len(design.protocol), len(design.allowed)) == (11, 13)
    assert [(describe(h), v.anomaly_types) for h, v in design.forbidden] == [
        (WRITE_SKEW, ["G2-item"])]


def refute_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_command_line_check_prints_trace_and_anomaly():
    run = refute_cli("check", "examples/mongodb_txn.py", "-p", "read_concern=local",
                     "--isolation", "snapshot-isolation")
    assert run.returncode == 1, run.stderr
    assert "✗ invariant snapshot-isolation is violated after 11 step(s)" in run.stdout
    assert "apply_commit(t=t1, shard='s2')" in run.stdout
    assert "G-single: t1 -> t2 -> t1" in run.stdout
    held = refute_cli("check", "examples/mongodb_txn.py", "--isolation", "snapshot-isolation",
                      "-q")
    assert held.returncode == 0, held.stderr + held.stdout


def test_command_line_permissiveness_compares_designs():
    run = refute_cli("permissiveness", "examples/mongodb_txn.py",
                     "--compare", "prepare_blocking=true", "--compare", "prepare_blocking=false")
    assert run.returncode == 1, run.stderr
    assert "prepare_blocking=true ⊂ prepare_blocking=false" in run.stdout
    lines = run.stdout.splitlines()
    assert lines[2].split() == ["prepare_blocking=true", "11", "14", "0.79", "0", "416"]
    assert lines[3].split() == ["prepare_blocking=false", "13", "14", "0.79", "2", "632"]
    assert f"(G-single): {TORN_READ}" in run.stdout
