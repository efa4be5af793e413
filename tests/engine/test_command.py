"""``refute check``: exit codes, the JSON and ITF contracts, bounds, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def refute(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=120)


def test_violation_exit_1_json_contract_and_readable_trace(tmp_path):
    out = tmp_path / "r.json"
    run = refute("check", str(EXAMPLES / "die_hard.py"), "--json", str(out))
    assert run.returncode == 1, run.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "violation"
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (14, 73, 7)
    assert isinstance(result["seconds"], float)
    violation = result["violation"]
    assert (violation["kind"], violation["name"]) == ("invariant", "big_is_not_4")
    assert violation["trace"][0] == {"action": None, "state": {"big": 0, "small": 0}}
    assert violation["trace"][-1] == {"action": "pour_big_into_small", "state": {"big": 4, "small": 3}}
    assert len(violation["trace"]) == 7
    assert "  7  pour_big_into_small  ← violates big_is_not_4" in run.stdout
    assert "big: 5 → 4" in run.stdout


def test_holds_exit_0(tmp_path):
    run = refute("check", str(EXAMPLES / "two_phase.py"), "-p", "rms=3", "--json", "-", "-q")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["status"], result["violation"]) == ("ok", None)
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (288, 1146, 11)
    assert result["checked"] == ["type_ok", "consistent", "deadlock"]
    assert {"action": "tm_commit", "fired": 1, "new_states": 1} in result["coverage"]


def test_itf_trace(tmp_path):
    itf = tmp_path / "trace.itf.json"
    run = refute("check", str(EXAMPLES / "two_phase.py"), "-p", "early_commit=true", "--itf", str(itf), "-q")
    assert run.returncode == 1
    trace = json.loads(itf.read_text())
    assert trace["vars"] == ["rm_state", "tm_state", "tm_prepared", "msgs"]
    assert len(trace["states"]) == 6
    first, last = trace["states"][0], trace["states"][-1]
    assert first["rm_state"] == {"#map": [["r1", "working"], ["r2", "working"], ["r3", "working"]]}
    assert last["msgs"] == {"#set": [{"#tup": ["commit"]}, {"#tup": ["prepared", "r1"]}]}
    assert last["#meta"] == {"index": 5, "action": "rm_rcv_commit_msg(rm=r1)"}


@pytest.mark.parametrize("bound, reason", [
    (["--max-states", "100"], "max-states"),
    (["--max-depth", "5"], "max-depth"),
])
def test_bounded_run_is_incomplete_exit_3(bound, reason):
    run = refute("check", str(EXAMPLES / "two_phase.py"), *bound, "--json", "-", "-q")
    assert run.returncode == 3, run.stderr
    result = json.loads(run.stdout)
    assert (result["status"], result["stop_reason"]) == ("incomplete", reason)


def test_max_depth_exactly_the_diameter_is_complete():
    run = refute("check", str(EXAMPLES / "two_phase.py"), "--max-depth", "11", "--json", "-", "-q")
    assert run.returncode == 0
    assert json.loads(run.stdout)["distinct_states"] == 288


def test_only_named_invariants_and_no_deadlock(tmp_path):
    run = refute("check", str(EXAMPLES / "die_hard.py"), "--invariant", "type_ok", "--no-deadlock",
                 "--json", "-", "-q")
    assert run.returncode == 0
    result = json.loads(run.stdout)
    assert result["checked"] == ["type_ok"] and result["distinct_states"] == 16


def test_deadlock_is_reported_with_a_shortest_trace(tmp_path):
    spec = tmp_path / "counter.py"
    spec.write_text(textwrap.dedent("""
        from refute import Spec, State, action

        class Counter(Spec):
            def init(self):
                return State(n=0)

            @action
            def inc(self, s):
                if s.n < 3:
                    return s.update(n=s.n + 1)
        """))
    run = refute("check", str(spec), "--json", "-", "-q")
    assert run.returncode == 1
    violation = json.loads(run.stdout)["violation"]
    assert (violation["kind"], len(violation["trace"])) == ("deadlock", 4)
    assert refute("check", str(spec), "--no-deadlock", "-q").returncode == 0


def test_spec_error_exit_2_with_location(tmp_path):
    spec = tmp_path / "broken.py"
    spec.write_text("from refute import Spec\nclass Broken(Spec):\n    def init(self):\n        return 1 +\n")
    out = tmp_path / "r.json"
    run = refute("check", str(spec), "--json", str(out))
    assert run.returncode == 2
    assert f"{spec}:4:" in run.stderr and "syntax error" in run.stderr
    assert "Traceback" not in run.stderr
    error = json.loads(out.read_text())
    assert error["status"] == "error" and error["error"]["line"] == 4


def test_unknown_parameter_exit_2():
    run = refute("check", str(EXAMPLES / "two_phase.py"), "-p", "nodes=3")
    assert run.returncode == 2
    assert "TwoPhase has no parameter nodes" in run.stderr
    assert "rms=3, early_commit=False, symmetric=False" in run.stderr


def test_same_result_whatever_the_hash_seed():
    """Fingerprints and exploration order never depend on Python's per-process string hashing."""
    outputs = []
    for seed in ("0", "1", "random"):
        run = refute("check", str(EXAMPLES / "two_phase.py"), "-p", "early_commit=true",
                     "--json", "-", "-q", env={"PYTHONHASHSEED": seed})
        result = json.loads(run.stdout)
        result.pop("seconds")
        outputs.append(result)
    assert outputs[0] == outputs[1] == outputs[2]


def test_unwritable_json_path_is_a_clear_error(tmp_path):
    """Found by the long CLI fuzz: a file name too long for the file system."""
    run = refute("check", str(EXAMPLES / "die_hard.py"), "--json", str(tmp_path / ("a" * 300)))
    assert run.returncode == 2
    assert "Invalid value for '--json': cannot write" in run.stderr
    assert "File name too long" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
