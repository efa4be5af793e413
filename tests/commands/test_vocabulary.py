"""One vocabulary across commands (issue 25, item 8): ``--isolation LEVEL`` wherever an
isolation level is meant, ``--object TYPE`` for a linearizability model, ``-q/--quiet`` and
``--json FILE`` on every command that reports. The older spellings (``history --model/-m``,
``linearizable --model``, ``hermitage --level``) are a stable contract: they still work,
give the same result, and are left out of ``--help``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import _COMMANDS, main
from refute.commands.common import OUTPUT_FILE_OR_STDOUT, AliasedOption

from tests.commands.inputs import EXAMPLES, FENCING, KV, LOG, WRITE_SKEW


REPORTING = sorted(set(_COMMANDS) - {"explore"})  # explore serves a page until interrupted


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output, result.output
    return result


def command(name: str):
    return main.get_command(None, name)  # type: ignore[arg-type]


def option(name: str, param: str):
    return next(p for p in command(name).params if p.name == param)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "ws.edn").write_text(WRITE_SKEW)
    (tmp_path / "kv.edn").write_text(KV)
    return {"ws": str(tmp_path / "ws.edn"), "kv": str(tmp_path / "kv.edn"),
            "dir": str(tmp_path)}


def without_timing(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k not in ("seconds", "elapsed")}


# -- every reporting command speaks the same options ----------------------------------------

@pytest.mark.parametrize("name", REPORTING)
def test_every_reporting_command_has_quiet_and_json(name: str) -> None:
    quiet, json_path = option(name, "quiet"), option(name, "json_path")
    assert quiet.opts == ["-q", "--quiet"] and quiet.is_flag
    assert json_path.opts == ["--json"] and json_path.type is OUTPUT_FILE_OR_STDOUT


@pytest.mark.parametrize("name, param", [("check", "isolation"), ("history", "model"),
                                         ("permissiveness", "level"), ("hermitage", "levels")])
def test_an_isolation_level_is_always_isolation(name: str, param: str) -> None:
    assert "--isolation" in option(name, param).opts
    assert option(name, param).metavar == "LEVEL"


def test_the_linearizability_model_is_an_object_type() -> None:
    assert option("linearizable", "object_type").opts[0] == "--object"
    assert option("linearizable", "object_type").metavar == "TYPE"


@pytest.mark.parametrize("name, shown, hidden", [
    ("history", ["-i, --isolation LEVEL"], ["--model", "-m,"]),
    ("linearizable", ["--object TYPE"], ["--model"]),
    ("hermitage", ["-i, --isolation LEVEL"], ["--level"]),
])
def test_old_spellings_are_left_out_of_help(name: str, shown: list[str],
                                            hidden: list[str]) -> None:
    text = invoke(name, "--help").output
    assert all(s in text for s in shown), text
    assert not any(h in text for h in hidden), text


# -- the old spellings still work, with the same result ---------------------------------------

@pytest.mark.parametrize("spelling", ["--isolation", "-i", "--model", "-m"])
def test_history_takes_the_level_by_every_spelling(spelling: str, files: dict[str, str]) -> None:
    result = invoke("history", files["ws"], spelling, "snapshot-isolation", "--json", "-")
    assert result.exit_code == 0, result.output  # write skew is allowed by SI
    assert json.loads(result.stdout)["model"] == "snapshot-isolation"
    strict = invoke("history", files["ws"], spelling, "serializable", "--json", "-")
    assert strict.exit_code == 1, strict.output
    assert json.loads(strict.stdout)["anomalies"][0]["type"] == "G2-item"


def test_history_spellings_give_identical_results(files: dict[str, str]) -> None:
    new = invoke("history", files["ws"], "--isolation", "serializable", "--json", "-")
    old = invoke("history", files["ws"], "--model", "serializable", "--json", "-")
    assert without_timing(json.loads(new.stdout)) == without_timing(json.loads(old.stdout))


def test_a_bad_level_names_the_new_spelling_even_when_the_old_was_used(files) -> None:
    result = invoke("history", files["ws"], "--model", "nope")
    assert result.exit_code == 2
    assert "Invalid value for '--isolation' / '-i': 'nope' is not one of" in result.output


@pytest.mark.parametrize("spelling", ["--object", "--model"])
def test_linearizable_takes_the_object_by_both_spellings(spelling: str, files) -> None:
    result = invoke("linearizable", files["kv"], spelling, "kv", "--json", "-")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["status"] == "violation" and payload["model"] == "kv"


@pytest.mark.parametrize("spelling", ["--isolation", "-i", "--level"])
def test_hermitage_takes_the_level_by_every_spelling(spelling: str) -> None:
    result = invoke("hermitage", "sqlite", spelling, "deferred", "--anomaly", "G0",
                    "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["levels"]["deferred"]["G0"] is True


def test_permissiveness_takes_the_level_by_its_short_spelling_too() -> None:
    args = ["permissiveness", str(EXAMPLES / "mongodb_txn.py"), "--json", "-"]
    long, short = invoke(*args, "--isolation", "serializable"), invoke(*args, "-i", "serializable")
    assert long.exit_code == short.exit_code
    assert json.loads(long.stdout)["level"] == json.loads(short.stdout)["level"] == "serializable"


def test_the_aliases_are_all_aliased_options() -> None:
    aliased = {(name, p.name): p.aliases for name in _COMMANDS for p in command(name).params
               if isinstance(p, AliasedOption)}
    assert aliased == {("history", "model"): ("--model", "-m"),
                       ("linearizable", "object_type"): ("--model",),
                       ("hermitage", "levels"): ("--level",)}


# -- -q means no report on stdout, everywhere ------------------------------------------------

def quiet_runs(files: dict[str, str]) -> dict[str, list[str]]:
    out = str(Path(files["dir"]) / "paths.json")
    return {
        "check": ["check", str(EXAMPLES / "die_hard.py")],
        "simulate": ["simulate", FENCING, "--traces", "20"],
        "history": ["history", files["ws"]],
        "linearizable": ["linearizable", files["kv"], "--object", "kv"],
        "trace": ["trace", FENCING, LOG, "-p", "fencing=true"],
        "testgen": ["testgen", FENCING, "-p", "fencing=true", "--out", out],
        "permissiveness": ["permissiveness", str(EXAMPLES / "mongodb_txn.py")],
        "workload": ["workload", "sqlite", "--txns", "5", "--clients", "2",
                     "--out", str(Path(files["dir"]) / "w.edn")],
        "hermitage": ["hermitage", "sqlite", "--isolation", "deferred", "--anomaly", "G0"],
        "perf": ["perf", str(EXAMPLES / "cache_lookup.py")],
        "fuzz": ["fuzz", str(EXAMPLES / "impl" / "commit.py"), "--runs", "2"],
    }


@pytest.mark.parametrize("name", REPORTING)
def test_quiet_prints_nothing_on_stdout_and_keeps_the_json(name: str, files, tmp_path) -> None:
    args = quiet_runs(files)[name]
    loud = invoke(*args)
    assert loud.stdout.strip(), name  # the report, without -q
    report = tmp_path / "r.json"
    quiet = invoke(*args, "-q", "--json", str(report))
    assert quiet.stdout == "", quiet.stdout
    assert quiet.exit_code == loud.exit_code
    assert json.loads(report.read_text())["status"] in ("ok", "violation", "incomplete")


def test_testgen_json_is_its_summary(tmp_path: Path) -> None:
    out, summary = tmp_path / "paths.json", tmp_path / "summary.json"
    result = invoke("testgen", FENCING, "-p", "fencing=true", "--out", str(out),
                    "--json", str(summary))
    assert result.exit_code == 0, result.output
    payload = json.loads(summary.read_text())
    suite = json.loads(out.read_text())
    assert payload["status"] == "ok" and payload["complete"] is True
    assert payload["paths"] == len(suite["paths"]) and payload["covered"] == payload["total"]
    assert payload["uncovered"] == [] and payload["out"] == str(out)
    both = invoke("testgen", FENCING, "--out", "-", "--json", "-")
    assert both.exit_code == 2
    assert "--out - and --json - would both write to standard output" in both.output
