"""Resource limits on every command: ``--time-limit`` and ``--memory-limit`` are defined once
(:mod:`refute.limits`), parsed alike, refuse nonsense with a usage error that says what to
write, and when reached leave a usable partial result with exit code 3.

A memory limit below the process's resident memory at the start is reached before any work,
deterministically: that is how these tests reach it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute import limits
from refute.cli import _COMMANDS, main
from refute.commands.common import SECONDS, SIZE
from refute.limits import Limit, Watch, parse_seconds, parse_size
from refute.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FENCING = str(EXAMPLES / "fencing_lock.py")
TWO_PHASE = str(EXAMPLES / "two_phase.py")
ALLOCATOR = str(EXAMPLES / "simple_allocator.py")
MONGODB = str(EXAMPLES / "mongodb_txn.py")
LOG = str(Path(__file__).parent / "corpus" / "seed-fencing.jsonl")
WRITE_SKEW = ("{:type :invoke, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :invoke, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n"
              "{:type :ok, :process 0, :f :txn, :value [[:r 1 nil] [:w 2 1]]}\n"
              "{:type :ok, :process 1, :f :txn, :value [[:r 2 nil] [:w 1 1]]}\n")
KV = "\n".join([f'{{:process {p} :type :invoke :f :append :key "k" :value "{p}"}}'
                for p in range(12)]
               + [f'{{:process {p} :type :ok :f :append :key "k" :value "{p}"}}'
                  for p in range(12)]
               + ['{:process 99 :type :invoke :f :get :key "k"}',
                  '{:process 99 :type :ok :f :get :key "k" :value "x"}'])

# Commands that do work that a limit can cut, with arguments for a quick run. ``explore`` (an
# interactive server, run until interrupted) and ``hermitage`` (a fixed replay whose every
# statement has its own timeout) take no limits: see docs/robustness.md.
LIMITED = ("check", "fuzz", "history", "linearizable", "perf", "permissiveness", "simulate",
           "testgen", "trace", "workload")


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "ws.edn").write_text(WRITE_SKEW)
    (tmp_path / "kv.edn").write_text(KV)
    return {"ws": str(tmp_path / "ws.edn"), "kv": str(tmp_path / "kv.edn"),
            "out": str(tmp_path / "out.json"), "db": str(tmp_path / "w.db"),
            "history": str(tmp_path / "w.edn")}


def arguments(command: str, files: dict[str, str]) -> list[str]:
    return {
        "check": ["check", TWO_PHASE, "-q"],
        "fuzz": ["fuzz", str(EXAMPLES / "impl" / "commit.py"), "--runs", "5", "-q"],
        "simulate": ["simulate", FENCING, "-p", "fencing=true", "--traces", "50", "-q"],
        "history": ["history", files["ws"]],
        "linearizable": ["linearizable", files["kv"], "--model", "kv"],
        "trace": ["trace", FENCING, LOG, "-p", "fencing=true", "-q"],
        "testgen": ["testgen", FENCING, "-p", "fencing=true", "--out", files["out"], "-q"],
        "permissiveness": ["permissiveness", MONGODB],
        "perf": ["perf", str(EXAMPLES / "cache_lookup.py"), "-q"],
        "workload": ["workload", "sqlite", "--db", files["db"], "--txns", "5", "--clients",
                     "2", "--out", files["history"]],
    }[command]


def invoke(args: list[str]):
    result = CliRunner().invoke(main, args, env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_every_command_that_runs_takes_both_limits_from_one_definition() -> None:
    """The same option objects' types everywhere: one parser, one meaning."""
    assert set(LIMITED) | {"explore", "hermitage"} == set(_COMMANDS)
    for name in LIMITED:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        types = {p.name: p.type for p in command.params}
        assert types.get("time_limit") is SECONDS, name
        assert types.get("memory_limit") is SIZE, name


@pytest.mark.parametrize("command", LIMITED)
@pytest.mark.parametrize("value", ["x", "-1", "0", "0.0", "nan", "inf", "-inf", "1e999", ""])
def test_a_nonsense_time_limit_is_a_usage_error_that_says_what_to_write(
        command: str, value: str, files: dict[str, str]) -> None:
    result = invoke([*arguments(command, files), "--time-limit", value])
    assert result.exit_code == 2, (command, value, result.output)
    assert "not a positive number of seconds" in result.output
    assert "write e.g. --time-limit 60" in result.output


@pytest.mark.parametrize("command", LIMITED)
@pytest.mark.parametrize("value", ["x", "0", "-1G", "0M", "1Q", "1.5.G", "9" * 5000, "G", ""])
def test_a_nonsense_memory_limit_is_a_usage_error_that_says_what_to_write(
        command: str, value: str, files: dict[str, str]) -> None:
    result = invoke([*arguments(command, files), "--memory-limit", value])
    assert result.exit_code == 2, (command, value, result.output)
    assert "not a positive size" in result.output
    assert "--memory-limit 800M" in result.output


def test_the_parsers_accept_what_the_messages_suggest() -> None:
    assert parse_seconds("60") == 60.0 and parse_seconds(0.5) == 0.5
    assert parse_size("800M") == 800 << 20 and parse_size("2G") == 2 << 30
    assert parse_size("1.5GiB") == 3 << 29 and parse_size("4096") == 4096
    assert parse_size(" 1 kb ") == 1024
    for bad in (0, -1, "x", True, None, float("nan")):
        with pytest.raises(UsageError):
            parse_seconds(bad)
    for bad in (0, -5, "0", "1X", True, None):
        with pytest.raises(UsageError):
            parse_size(bad)


# ---------------------------------------------------------------- reaching the memory limit

def run_json(args: list[str], out: str) -> tuple[int, dict, str]:
    result = invoke([*args, "--json", out])
    return result.exit_code, json.loads(Path(out).read_text()), result.output


def test_check_stopped_by_memory_is_incomplete_with_counts(files: dict[str, str]) -> None:
    # the interpreter's search (spilling to disk): it has the initial state when it stops
    code, data, _ = run_json(["check", TWO_PHASE, "-q", "--memory-limit", "1M", "--backend",
                              "interpreted"], files["out"])
    assert code == 3 and data["status"] == "incomplete"
    assert data["stop_reason"] == "memory-limit" and data["distinct_states"] >= 1
    assert "collision_probability" in data
    # the compiled backend's native search stops before its tables would pass the limit:
    # with 1 MiB, before the first state (tests/tla/test_compiled.py tests it further)
    code, data, _ = run_json(["check", TWO_PHASE, "-q", "--memory-limit", "1M"], files["out"])
    assert code == 3 and data["status"] == "incomplete" and data["stop_reason"] == "memory-limit"
    if data["backend"] == "compiled":
        assert data["distinct_states"] == 0


def test_check_that_does_not_fit_even_spilled_is_incomplete_not_an_error(
        files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The sharded search's OutOfMemory (every worker past its share, states already on
    disk) ends the run with the levels finished, as incomplete."""
    from refute.engine import spill

    def full(self: spill.Budget) -> bool:
        raise spill.OutOfMemory("the run does not fit in --memory-limit (test)")

    monkeypatch.setattr(spill.Budget, "check", full)  # inherited by the forked workers
    code, data, output = run_json(["check", TWO_PHASE, "-q", "--memory-limit", "4G",
                                   "--backend", "interpreted"], files["out"])
    assert code == 3 and data["status"] == "incomplete", output
    assert data["stop_reason"] == "memory-limit"
    assert data["distinct_states"] == 1  # the initial state: no level was finished
    assert any("does not fit" in w for w in data["warnings"])


def test_check_of_temporal_properties_watches_memory_instead_of_spilling(
        files: dict[str, str]) -> None:
    code, data, _ = run_json(["check", ALLOCATOR, "-q", "--memory-limit", "1M", "--backend",
                              "interpreted"], files["out"])
    assert code == 3 and data["stop_reason"] == "memory-limit"
    assert any("--memory-limit stops the run" in w for w in data["warnings"])


def test_simulate_stopped_by_memory_is_incomplete(files: dict[str, str]) -> None:
    code, data, _ = run_json([*arguments("simulate", files), "--memory-limit", "1M"],
                             files["out"])
    assert code == 3 and data["status"] == "incomplete"
    assert data["stop_reason"] == "memory-limit" and data["simulation"]["traces"] == 0


def test_history_stopped_by_memory_is_incomplete_like_a_timeout(files: dict[str, str]) -> None:
    code, data, output = run_json(["history", files["ws"], "--memory-limit", "1M"],
                                  files["out"])
    assert code == 3 and data["status"] == "incomplete", output
    assert data["stop_reason"] == "memory-limit" and data["transactions"] == 2
    assert any("--memory-limit was reached" in note for note in data["notes"])
    code, data, _ = run_json(["history", files["ws"], "--memory-limit", "20G"], files["out"])
    assert code == 1 and data["status"] == "violation" and data["stop_reason"] is None


def test_linearizable_stopped_by_memory_is_unknown(files: dict[str, str]) -> None:
    code, data, output = run_json([*arguments("linearizable", files), "--memory-limit", "1M"],
                                  files["out"])
    assert code == 3 and data["verdict"] == "unknown", output
    assert data["memory_limit"] == 1 << 20
    assert data["partitions"][0]["reason"] == "stopped at the memory limit before finishing"
    assert "raise --memory-limit" in output


def test_trace_stopped_by_memory_is_incomplete(files: dict[str, str]) -> None:
    code, data, _ = run_json([*arguments("trace", files), "--memory-limit", "1M"],
                             files["out"])
    assert code == 3 and data["status"] == "incomplete"
    (log,) = data["logs"]
    assert log["events"] == 0 and any("--memory-limit was reached" in w
                                      for w in log["warnings"])


def test_testgen_stopped_by_a_limit_is_incomplete(files: dict[str, str]) -> None:
    for limit in (["--memory-limit", "1M"], ["--time-limit", "0.000000001"]):
        result = invoke([*arguments("testgen", files)[:-1], *limit])
        assert result.exit_code == 3, result.output
        assert f"explored only to {limit[0]}" in result.output
    assert invoke(arguments("testgen", files) + ["--time-limit", "60"]).exit_code == 0


def test_permissiveness_honours_both_limits(files: dict[str, str]) -> None:
    for limit in (["--memory-limit", "1M"], ["--time-limit", "0.000000001"]):
        code, data, output = run_json(["permissiveness", MONGODB, *limit],
                                      files["out"])
        assert code == 3 and data["status"] == "incomplete", output
        assert "incomplete, the " + limit[0] in output


def test_workload_stops_invoking_at_a_limit_and_writes_what_ran(files: dict[str, str]) -> None:
    code, data, output = run_json([*arguments("workload", files), "--memory-limit", "1M"],
                                  files["out"])
    assert code == 0, output  # the history of what ran is whole: nothing is claimed about it
    assert data["stop_reason"] == "memory-limit" and data["invoked"] == 0
    assert Path(files["history"]).exists()


# ---------------------------------------------------------------- the watchdog itself

def test_the_watchdog_trips_when_memory_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    used = [100]
    monkeypatch.setattr(limits, "rss", lambda: used[0])
    with Watch(memory_limit=1000) as watch:
        assert not watch.expired()
        used[0] = 2000
        for _ in range(200):
            if watch.expired():
                break
            time.sleep(0.01)
        assert watch.reason is Limit.MEMORY and watch.memory_used == 2000
        used[0] = 10
        assert watch.expired()  # once expired, always expired
        assert "2.0 KiB resident" in watch.note()


def test_a_watch_without_limits_never_expires_and_starts_no_thread() -> None:
    watch = Watch()
    assert not watch.active and not watch.expired() and watch._thread is None


def test_the_time_limit_is_reported_first_when_reached_first() -> None:
    with Watch(time_limit=1e-9, memory_limit=1 << 50) as watch:
        time.sleep(0.001)
        assert watch.expired() and watch.reason is Limit.TIME
