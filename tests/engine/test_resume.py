"""``--checkpoint`` / ``--resume``: a run killed with kill -9 finishes with the same counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from two_phase import TwoPhase

import refute
from refute.engine.checkpoint import load

ROOT = Path(__file__).resolve().parents[2]


def refute_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "refute", "check", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_kill_9_then_resume_gives_the_uninterrupted_counts(tmp_path):
    directory = tmp_path / "ckpt"
    run = refute_cli("examples/two_phase.py", "-p", "rms=6", "--workers", "2", "--checkpoint",
                     str(directory), "--checkpoint-interval", "0.2", "-q")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        latest = directory / "LATEST"
        if latest.exists() and load(str(directory))[0].depth >= 8:
            break
        time.sleep(0.05)
    assert run.poll() is None, f"the run ended before it could be killed: {run.communicate()}"
    os.killpg(run.pid, signal.SIGKILL)  # the coordinator and its workers, mid-level
    run.wait()
    meta, _ = load(str(directory))
    assert 8 <= meta.depth < 20
    resumed = refute_cli("--resume", str(directory), "--workers", "2", "--json", "-")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    result = json.loads(out)
    # TLC's numbers for TwoPhase with 6 RMs.
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == \
        (50_816, 402_306, 20)


def test_resume_with_another_worker_count_and_a_counterexample(tmp_path):
    spec = TwoPhase(rms=4, early_commit=True)
    expected = refute.check(spec)
    directory = str(tmp_path / "ckpt")
    refute.check(spec, workers=2, checkpoint=directory, checkpoint_interval=0, max_depth=4)
    meta, _ = load(directory)
    assert meta.depth == 4
    # Resuming lifts nothing from the options: here the checkpointed run's bound is dropped.
    resumed = refute.check(spec, workers=3, resume=directory)
    assert (resumed.distinct_states, resumed.states_generated, resumed.depth) == \
        (expected.distinct_states, expected.states_generated, expected.depth)
    assert [str(s.action) for s in resumed.violation.trace] == \
        [str(s.action) for s in expected.violation.trace]
    assert resumed.coverage == expected.coverage


READS_ITS_LIMITS = """\
---- MODULE Grid ----
EXTENDS Naturals, Json
VARIABLES x, y
Limit == JsonDeserialize("limit.json")
Init == x = 0 /\\ y = 0
Next == \\/ x < Limit.x /\\ x' = x + 1 /\\ y' = y
        \\/ y < Limit.y /\\ y' = y + 1 /\\ x' = x
====
"""
"""A TLA+ spec that cannot be loaded without --allow-read: its Init and Next read a file."""


def test_resume_reads_the_files_the_checkpointed_run_was_allowed_to(tmp_path):
    from click.testing import CliRunner

    from refute.cli import main
    from refute.sources import Source

    (tmp_path / "Grid.tla").write_text(READS_ITS_LIMITS)
    (tmp_path / "Grid.cfg").write_text("INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    (tmp_path / "limit.json").write_text('{"x": 3, "y": 4}')
    spec, data, directory = (str(tmp_path / name) for name in ("Grid.tla", "limit.json", "ckpt"))
    run = CliRunner().invoke(main, ["check", spec, "--allow-read", data, "--workers", "2",
                                    "--checkpoint", directory, "--checkpoint-interval", "0", "-q"])
    assert run.exit_code == 0, run.output
    assert load(directory)[0].source == Source(spec, (), None, (data,))
    resumed = CliRunner().invoke(main, ["check", "--resume", directory, "--workers", "2",
                                        "--json", "-"])
    assert resumed.exit_code == 0, resumed.output
    result = json.loads(resumed.stdout)  # notes (e.g. which backend ran) go to stderr
    # (x, y) in 0..3 \X 0..4: the initial state, two successors of each of 12 states, one of 7.
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (20, 32, 8)


def test_resume_of_a_checkpoint_of_refute_check_needs_the_spec(tmp_path):
    from click.testing import CliRunner

    from refute.cli import main

    directory = str(tmp_path / "ckpt")
    refute.check(TwoPhase(rms=2), workers=2, checkpoint=directory, checkpoint_interval=0)
    resumed = CliRunner().invoke(main, ["check", "--resume", directory])
    assert resumed.exit_code == 2
    assert f"{directory} does not say which spec it checkpoints" in resumed.output
    assert f"refute check SPEC --resume {directory}" in resumed.output
