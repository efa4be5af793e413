"""The isolation invariant and the level enumeration, on write_skew.py and small specs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from write_skew import WriteSkew

from refute import SpecError, Spec, State, Status, UsageError, action, each
from refute.isolation import TxnHistory, check_isolation, permissiveness
from refute.isolation.permissiveness import allowed_histories, describe

ROOT = Path(__file__).resolve().parents[2]


def test_write_skew_is_not_serializable_under_snapshot():
    checked = check_isolation(WriteSkew(), "serializable")
    r = checked.result
    # The isolation invariant is checked first: the state that leaves nobody on call is
    # reported as the serializability violation it is.
    assert (r.status, r.violation.name, r.distinct_states, r.states_generated) == (
        Status.VIOLATION, "serializable", 11, 12)
    assert [str(s.action) for s in r.violation.trace[1:]] == [
        "begin(doctor=alice)", "begin(doctor=bob)", "commit(doctor=alice)",
        "commit(doctor=bob)"]
    assert checked.anomaly_types == ["G2-item"]
    assert checked.anomaly.not_models == ["repeatable-read"]


@pytest.mark.parametrize("spec, level", [
    (WriteSkew(), "snapshot-isolation"),
    (WriteSkew(isolation="serializable"), "serializable"),
    (WriteSkew(isolation="serializable"), "strict-serializable"),
    (WriteSkew(doctors=3, isolation="serializable"), "serializable"),
])
def test_write_skew_levels_that_hold(spec, level):
    assert check_isolation(spec, level, invariants=()).holds


def test_write_skew_serializable_counts_are_unchanged_by_the_history():
    """Recording the history adds no state: the pinned 14 / 17 of the case studies."""
    r = check_isolation(WriteSkew(isolation="serializable"), "serializable").result
    assert (r.status, r.distinct_states, r.states_generated, r.depth) == (Status.OK, 14, 17, 5)


def test_programs_are_inferred_when_not_declared():
    report = permissiveness([("snapshot", WriteSkew()),
                             ("serializable", WriteSkew(isolation="serializable"))],
                            "serializable")
    snapshot, serializable = report.designs
    assert (len(snapshot.protocol), len(serializable.protocol), len(snapshot.allowed)) == (3, 4, 12)
    assert [v.anomaly_types for _, v in snapshot.forbidden] == [["G2-item"]]
    assert not report.subset(0, 1) and not report.subset(1, 0)


def test_enumeration_of_a_lost_update():
    """Two read-modify-writes of one key: serializable allows one to see the other's write
    (two ways) or either to abort; both reading nil and committing is a lost update."""
    programs = {"a": {(("r", "x"), ("w", "x", "a"))}, "b": {(("r", "x"), ("w", "x", "b"))}}
    histories = {describe(h) for h in allowed_histories(programs, "serializable")}
    assert histories == {
        "a: aborted | b: aborted",
        "a: aborted | b: r x=nil, w x=b",
        "a: r x=nil, w x=a | b: aborted",
        "a: r x=nil, w x=a | b: r x=a, w x=b",
        "a: r x=b, w x=a | b: r x=nil, w x=b",
    }
    assert len(allowed_histories(programs, "read-committed")) == 6  # + the lost update


class _NoHistory(Spec):
    def init(self):
        return State(x=0)

    @action
    def step(self, s):
        return None


class _DuplicateWrites(Spec):
    def init(self):
        return State(history=TxnHistory())

    @action
    def run(self, s, t=each(["t1", "t2"])):
        if t not in s.history:
            return s.update(history=s.history.begin(t).write(t, "x", 1).commit(t))


def test_a_spec_without_history_is_told_how_to_record_one():
    with pytest.raises(SpecError, match="no transaction history") as error:
        check_isolation(_NoHistory(), "serializable")
    assert "TxnHistory()" in error.value.hint


def test_non_unique_writes_are_reported_as_a_spec_error():
    with pytest.raises(SpecError, match="both wrote 1 to key 'x'"):
        check_isolation(_DuplicateWrites(), "serializable")


def test_unknown_levels_are_usage_errors():
    with pytest.raises(UsageError, match="unknown isolation level"):
        check_isolation(WriteSkew(), "snapshot")
    with pytest.raises(UsageError, match="strict serializable is not among them"):
        permissiveness(WriteSkew(), "strict-serializable")


def refute_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_command_line_write_skew():
    run = refute_cli("check", "examples/write_skew.py", "--isolation", "serializable")
    assert run.returncode == 1, run.stderr
    assert "✗ invariant serializable is violated after 4 step(s)" in run.stdout
    assert "G2-item: alice -> bob -> alice" in run.stdout
    held = refute_cli("check", "examples/write_skew.py", "--isolation", "snapshot-isolation",
                      "--invariant", "snapshot-isolation", "-q")
    assert held.returncode == 0, held.stderr + held.stdout
    fixed = refute_cli("check", "examples/write_skew.py", "-p", "isolation=serializable",
                       "--isolation", "serializable", "-q")
    assert fixed.returncode == 0, fixed.stderr + fixed.stdout
    wrong = refute_cli("check", "examples/write_skew.py", "--isolation", "snapshot")
    assert wrong.returncode == 2 and "unknown isolation level" in wrong.stderr
