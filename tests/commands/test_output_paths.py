"""Output paths (issue 25, item 10): an output file or folder refute could not write is a
usage error (exit 2) before the run, naming the option; a write that fails after the run
anyway is said on stderr, and a violation's exit code stays 1.

An unwritable path is made without permissions (these tests may run as root, whom
permissions do not stop): a path below a regular file, which no one can create. A write that
fails after the check is ``/dev/full``: it opens, and every write to it fails (ENOSPC).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import _COMMANDS, main
from refute.commands.common import OutputPath

from tests.commands.inputs import DIE_HARD, EXAMPLES, FENCING, KV, LOG, WRITE_SKEW


# Every option that names a file or folder refute writes, by command.
OUTPUTS = {
    "check": {"json_path": "--json", "itf_path": "--itf", "html_path": "--html",
              "checkpoint_dir": "--checkpoint", "graph_path": "--dump-graph"},
    "simulate": {"json_path": "--json", "itf_path": "--itf", "html_path": "--html"},
    "history": {"json_path": "--json", "html_path": "--html", "plot_dir": "--plot"},
    "linearizable": {"json_path": "--json", "html_path": "--html"},
    "trace": {"json_path": "--json"},
    "testgen": {"json_path": "--json", "out_path": "--out"},
    "permissiveness": {"json_path": "--json"},
    "workload": {"json_path": "--json", "out": "--out"},
    "hermitage": {"json_path": "--json"},
    "explore": {},
    "perf": {"json_path": "--json", "html_path": "--html", "csv_path": "--csv"},
    "fuzz": {"json_path": "--json", "html_path": "--html"},
}


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output and "internal error" not in result.output, \
        result.output
    return result


@pytest.fixture()
def blocker(tmp_path: Path) -> Path:
    """A regular file: nothing can be created below it."""
    path = tmp_path / "a-file"
    path.write_text("")
    return path


def test_every_output_option_is_checked_before_the_run() -> None:
    """A new output option that forgets the check fails here."""
    assert set(OUTPUTS) == set(_COMMANDS)
    for name in _COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        checked = {p.name: p.opts[0] for p in command.params if isinstance(p.type, OutputPath)}
        assert checked == OUTPUTS[name], name


def runs(tmp_path: Path) -> dict[str, list[str]]:
    (tmp_path / "ws.edn").write_text(WRITE_SKEW)
    (tmp_path / "kv.edn").write_text(KV)
    return {
        "check": ["check", DIE_HARD, "-q"],
        "simulate": ["simulate", DIE_HARD, "-q"],
        "history": ["history", str(tmp_path / "ws.edn"), "-q"],
        "linearizable": ["linearizable", str(tmp_path / "kv.edn"), "--object", "kv", "-q"],
        "trace": ["trace", FENCING, LOG, "-p", "fencing=true", "-q"],
        "testgen": ["testgen", FENCING, "-p", "fencing=true", "-q"],
        "permissiveness": ["permissiveness", str(EXAMPLES / "mongodb_txn.py"), "-q"],
        "workload": ["workload", "sqlite", "--txns", "5", "--clients", "2", "-q"],
        "hermitage": ["hermitage", "sqlite", "--isolation", "deferred", "--anomaly", "G0", "-q"],
        "perf": ["perf", str(EXAMPLES / "cache_lookup.py"), "--sweep", "hit_ratio=0.2:0.4:0.2", "-q"],
        "fuzz": ["fuzz", str(EXAMPLES / "impl" / "commit.py"), "--runs", "2", "-q"],
    }


CASES = [(name, flag) for name, options in OUTPUTS.items() for flag in options.values()]


@pytest.mark.parametrize("name, flag", CASES)
def test_an_unwritable_output_is_a_usage_error_before_the_run(name, flag, tmp_path, blocker):
    args = runs(tmp_path)[name]
    if name in ("testgen", "workload") and flag != "--out":  # --out: the path checked here
        args = [*args, "--out", str(tmp_path / "w.edn")]
    bad = str(blocker / "out")
    result = invoke(*args, flag, bad)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}'" in result.output  # workload's: '--out' / '-o'
    assert f"cannot write '{bad}': Not a directory" in result.output
    assert "writable folder" in result.output
    assert not (tmp_path / "w.edn").exists()  # neither the workload nor testgen ran


@pytest.mark.parametrize("flag", ["--json", "--html", "--itf", "--checkpoint"])
def test_the_path_is_checked_before_the_spec_is_even_loaded(flag, blocker) -> None:
    result = invoke("check", "nosuch.py", flag, str(blocker / "x"))
    assert result.exit_code == 2
    assert f"Invalid value for '{flag}'" in result.output and "no spec file" not in result.output


def test_a_folder_is_no_output_file_and_a_file_no_output_folder(tmp_path, blocker) -> None:
    as_file = invoke("check", DIE_HARD, "--json", str(tmp_path))
    assert as_file.exit_code == 2
    assert f"cannot write '{tmp_path}': it is a folder" in as_file.output
    as_folder = invoke("check", DIE_HARD, "--checkpoint", str(blocker))
    assert as_folder.exit_code == 2
    assert f"cannot write '{blocker}': it is a file, not a folder" in as_folder.output
    empty = invoke("check", DIE_HARD, "--html", "")
    assert empty.exit_code == 2 and "the path is empty" in empty.output


def test_checking_leaves_no_trace_behind(tmp_path: Path) -> None:
    """The probe creates and removes: a folder not yet there is not left behind, an
    existing file keeps its content."""
    existing = tmp_path / "old.json"
    existing.write_text("keep me")
    # (on the interpreter, whose first checkpoint would be at a level's end: the compiled
    # backend checkpoints the stop itself, into the folder)
    result = invoke("check", DIE_HARD, "-q", "--html", str(existing), "--backend", "interpreted",
                    "--checkpoint", str(tmp_path / "new" / "deeper"), "--max-states", "1")
    assert result.exit_code == 3
    assert not (tmp_path / "new").exists()
    assert existing.read_text() != "keep me"  # written by the run itself, after the check
    untouched = tmp_path / "untouched.json"
    untouched.write_text("keep me")
    refused = invoke("check", DIE_HARD, "-q", "--html", str(untouched), "--json",
                     str(tmp_path / "a-folder-that-is-missing" / "x" / ".." / "y"))
    assert refused.exit_code == 2 and untouched.read_text() == "keep me"


def test_a_folder_whose_name_is_too_long_is_refused_and_leaves_nothing(tmp_path) -> None:
    bad = tmp_path / "new" / ("a" * 300) / "x"
    result = invoke("check", DIE_HARD, "--checkpoint", str(bad))
    assert result.exit_code == 2 and "File name too long" in result.output
    assert not (tmp_path / "new").exists()  # created while probing, then removed


# -- a write that fails after the run: the verdict stands ------------------------------------

@pytest.mark.parametrize("flag", ["--json", "--html", "--itf"])
def test_after_a_violation_a_failed_write_keeps_exit_1_and_says_what(flag: str) -> None:
    result = invoke("check", DIE_HARD, "-q", flag, "/dev/full")
    assert result.exit_code == 1, result.output
    assert (f"error: could not write {flag} '/dev/full': No space left on device (the verdict "
            "and exit code are the run's)") in result.stderr


def test_other_outputs_are_still_written_when_one_fails(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    result = invoke("simulate", DIE_HARD, "-q", "--html", "/dev/full", "--json", str(report))
    assert result.exit_code == 1
    assert json.loads(report.read_text())["status"] == "violation"
    assert "could not write --html '/dev/full'" in result.stderr


@pytest.mark.parametrize("name", ["history", "linearizable"])
def test_history_checkers_keep_the_violation_too(name: str, tmp_path: Path) -> None:
    result = invoke(*runs(tmp_path)[name], *(["--isolation", "serializable"]
                                            if name == "history" else []),
                    "--json", "/dev/full")
    assert result.exit_code == 1, result.output
    assert "could not write --json '/dev/full'" in result.stderr


def test_a_run_that_holds_but_lost_its_output_is_not_success(tmp_path: Path) -> None:
    result = invoke("check", str(EXAMPLES / "two_phase.py"), "-q", "--json", "/dev/full")
    assert result.exit_code == 2
    assert "could not write --json '/dev/full'" in result.stderr
    out = invoke("testgen", FENCING, "-p", "fencing=true", "-q", "--out", "/dev/full")
    assert out.exit_code == 2 and "could not write --out '/dev/full'" in out.stderr
