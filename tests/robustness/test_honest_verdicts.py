"""Answers are never overstated: an exhaustive run reports its fingerprint-collision
probability; a run cut short by a bound or a time limit is incomplete (exit 3) and still
leaves a usable partial result: counts so far, the partial verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FENCING = str(EXAMPLES / "fencing_lock.py")
TWO_PHASE = str(EXAMPLES / "two_phase.py")
LOG = str(Path(__file__).parent / "corpus" / "seed-fencing.jsonl")
TINY = "0.000000001"  # seconds: past before the first check of the clock


def run_json(tmp_path: Path, *args: str) -> tuple[int, dict, str]:
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, [*args, "--json", str(out)])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(out.read_text()), result.output


def test_an_exhaustive_check_reports_the_collision_probability(tmp_path: Path) -> None:
    code, data, output = run_json(tmp_path, "check", FENCING, "-p", "fencing=true")
    assert code == 0 and data["status"] == "ok"
    assert isinstance(data["collision_probability"], float)
    assert 0 <= data["collision_probability"] < 1e-6
    assert "fingerprint collision probability" in output


@pytest.mark.parametrize("bound", [["--max-states", "20"], ["--max-depth", "2"],
                                   ["--time-limit", TINY]])
def test_a_check_cut_short_is_incomplete_with_counts(tmp_path: Path, bound: list[str]) -> None:
    code, data, output = run_json(tmp_path, "check", TWO_PHASE, "-p", "rms=4", *bound)
    assert code == 3 and data["status"] == "incomplete", output
    assert data["stop_reason"] and data["distinct_states"] > 0
    assert "collision_probability" in data  # still estimated for what was explored


def test_a_simulation_never_says_holds(tmp_path: Path) -> None:
    code, data, _ = run_json(tmp_path, "simulate", FENCING, "-p", "fencing=true",
                             "--traces", "20", "--seed", "1")
    assert code == 3 and data["status"] == "incomplete"
    code, data, _ = run_json(tmp_path, "simulate", FENCING, "-p", "fencing=true",
                             "--traces", "1000000", "--time-limit", "0.3", "--seed", "1")
    assert code == 3 and data["status"] == "incomplete"
    assert data["stop_reason"] and data["simulation"]["traces"] > 0


WRITE_SKEW = ("{:type :invoke, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :invoke, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n"
              "{:type :ok, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :ok, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n")


def test_a_history_check_cut_short_is_incomplete_with_counts(tmp_path: Path) -> None:
    history = tmp_path / "h.edn"
    history.write_text(WRITE_SKEW)
    code, data, output = run_json(tmp_path, "history", str(history), "--time-limit", TINY)
    assert code == 3 and data["status"] == "incomplete", output
    assert data["transactions"] == 2 and data["stop_reason"] == "time-limit"
    assert "incomplete" in CliRunner().invoke(main, ["history", str(history),
                                                     "--time-limit", TINY]).output


def test_a_linearizability_check_cut_short_is_unknown(tmp_path: Path) -> None:
    events = [f'{{:process {p} :type :invoke :f :append :key "k" :value "{p}"}}'
              for p in range(12)]
    events += [f'{{:process {p} :type :ok :f :append :key "k" :value "{p}"}}'
               for p in range(12)]
    events += ['{:process 99 :type :invoke :f :get :key "k"}',
               '{:process 99 :type :ok :f :get :key "k" :value "x"}']
    history = tmp_path / "h.edn"
    history.write_text("\n".join(events))
    code, data, output = run_json(tmp_path, "linearizable", str(history), "--model", "kv",
                                  "--time-limit", "0.05")
    assert code == 3 and data["status"] == "incomplete" and data["verdict"] == "unknown"
    assert "--time-limit" in output


def test_a_trace_cut_short_is_incomplete_with_counts(tmp_path: Path) -> None:
    code, data, output = run_json(tmp_path, "trace", FENCING, LOG, "-p", "fencing=true",
                                  "--time-limit", TINY)
    assert code == 3 and data["status"] == "incomplete", output
    (log,) = data["logs"]
    assert log["status"] == "incomplete" and log["events"] == 0
    assert any("--time-limit ran out" in w for w in log["warnings"])
    code, data, _ = run_json(tmp_path, "trace", FENCING, LOG, "-p", "fencing=true",
                             "--time-limit", "60")
    assert code == 0 and data["logs"][0]["events"] == 6


def test_a_violation_found_before_the_time_limit_stands(tmp_path: Path) -> None:
    code, data, _ = run_json(tmp_path, "trace", FENCING, LOG, "--time-limit", "60")
    assert code == 1 and data["status"] == "violation"  # without fencing the log is rejected
