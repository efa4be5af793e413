"""``--checkpoint`` / ``--resume`` on the compiled backend (runtime/checkpoint.c,
refute/compiled/checkpoint.py): a run stopped by its time limit, a state budget, Ctrl-C or
kill -9 goes on from its checkpoint to exactly the uninterrupted run's result (distinct,
generated, depth, coverage, the counterexample), and a checkpoint that is damaged or belongs
to another run is refused, located, with exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.checkpoint import FILE, read

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

ROOT = Path(__file__).resolve().parents[2]

VOTE = """---- MODULE Vote ----
EXTENDS Naturals, FiniteSets
CONSTANT P
VARIABLES part, coord, yes, heard
Init == /\\ part = [p \\in P |-> "idle"] /\\ coord = "collecting"
        /\\ yes = {} /\\ heard = {}
Ready(p) == /\\ part[p] = "idle" /\\ part' = [part EXCEPT ![p] = "ready"]
            /\\ yes' = yes \\cup {p} /\\ UNCHANGED <<coord, heard>>
Refuse(p) == /\\ part[p] = "idle" /\\ part' = [part EXCEPT ![p] = "aborted"]
             /\\ UNCHANGED <<coord, yes, heard>>
Hear(p) == /\\ coord = "collecting" /\\ p \\in yes \\ heard /\\ heard' = heard \\cup {p}
           /\\ UNCHANGED <<part, coord, yes>>
Commit == /\\ coord = "collecting" /\\ heard = P /\\ coord' = "committed"
          /\\ UNCHANGED <<part, yes, heard>>
Abort == /\\ coord = "collecting" /\\ coord' = "aborted" /\\ UNCHANGED <<part, yes, heard>>
Learn(p) == /\\ coord # "collecting" /\\ part[p] \\in {"idle", "ready"}
            /\\ part' = [part EXCEPT ![p] = coord] /\\ UNCHANGED <<coord, yes, heard>>
Next == \\/ Commit \\/ Abort
        \\/ \\E p \\in P : Ready(p) \\/ Refuse(p) \\/ Hear(p) \\/ Learn(p)
Consistent == \\A p, q \\in P : ~(part[p] = "committed" /\\ part[q] = "aborted")
NotAllCommitted == ~(\\A p \\in P : part[p] = "committed")
NeverCommits == [][coord' # "committed"]_coord
====
"""
"""A two-phase commit (a coordinator collecting votes, written for these tests): the state
space of TwoPhase with as many resource managers as P has members."""


def _config(members: int, invariants: str = "Consistent") -> str:
    names = ", ".join(f"p{k}" for k in range(1, members + 1))
    return (f"CONSTANT P = {{{names}}}\nINIT Init\nNEXT Next\nINVARIANT {invariants}\n"
            "CHECK_DEADLOCK FALSE\n")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


@pytest.fixture
def vote(tmp_path):
    """Vote.tla with configurations: Vote5/Vote6 (P of 5, 6 members), Bad5 (an invariant
    violated by the last state found, at depth 17), Other5 (other model values), Step5 (a
    PROPERTY's [][A]_v, checked by the native search, violated by the first Commit)."""
    (tmp_path / "Vote.tla").write_text(VOTE)
    (tmp_path / "Vote5.cfg").write_text(_config(5))
    (tmp_path / "Vote6.cfg").write_text(_config(6))
    (tmp_path / "Bad5.cfg").write_text(_config(5, "Consistent NotAllCommitted"))
    (tmp_path / "Other5.cfg").write_text(_config(5).replace("p5", "q5"))
    (tmp_path / "Step5.cfg").write_text(_config(5) + "PROPERTY NeverCommits\n")
    return tmp_path


def check(tmp_path: Path, *args: str) -> tuple[int, dict, str]:
    """``refute check ARGS --json`` in this process: exit code, JSON result, output."""
    out = tmp_path / "result.json"
    out.unlink(missing_ok=True)
    run = CliRunner().invoke(main, ["check", *args, "--json", str(out), "-q"])
    return run.exit_code, json.loads(out.read_text()) if out.exists() else {}, run.output


def same(resumed: dict, uninterrupted: dict) -> None:
    """Everything but the time taken is the uninterrupted run's."""
    assert resumed["backend"] == uninterrupted["backend"] == "compiled"
    for key in uninterrupted:
        if key != "seconds":
            assert resumed[key] == uninterrupted[key], key


def test_a_run_its_time_limit_stopped_resumes_to_the_uninterrupted_result(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote6.cfg"), str(vote / "ckpt")
    code, full, _ = check(vote, spec, "--config", cfg)
    assert code == 0
    # TLC's numbers for TwoPhase with 6 resource managers
    assert (full["distinct_states"], full["depth"]) == (50_816, 20)
    # stopped at the first check, after the only initial state: a checkpoint at a level's end
    code, stopped, _ = check(vote, spec, "--config", cfg, "--checkpoint", ckpt, "--time-limit", "1e-6")
    assert (code, stopped["stop_reason"], stopped["distinct_states"]) == (3, "time-limit", 14)
    assert f"a checkpoint of where the run stopped is in {ckpt}/{FILE}" in stopped["warnings"][0]
    header, _ = read(ckpt)
    assert (header.why, header.distinct) == ("time-limit", stopped["distinct_states"])
    # the time limit counts the runs resumed: the same one leaves no time
    code, _, output = check(vote, "--resume", ckpt)
    assert code == 2 and "give a larger --time-limit to go on" in output
    code, resumed, _ = check(vote, "--resume", ckpt, "--time-limit", "600")
    assert code == 0
    same(resumed, full)


def test_state_budgets_resumed_step_by_step_give_the_counterexample(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Bad5.cfg"), str(vote / "ckpt")
    code, full, _ = check(vote, spec, "--config", cfg)
    assert code == 1 and full["violation"]["name"] == "NotAllCommitted"
    assert (full["distinct_states"], full["depth"], len(full["violation"]["trace"])) == (8_831, 17, 17)
    code, first, _ = check(vote, spec, "--config", cfg, "--checkpoint", ckpt, "--max-states", "1000")
    assert (code, first["distinct_states"], first["stop_reason"]) == (3, 1000, "max-states")
    code, _, output = check(vote, "--resume", ckpt)  # its --max-states is reached
    assert code == 2 and "has 1,000 states already" in output
    code, second, _ = check(vote, "--resume", ckpt, "--max-states", "4321")
    assert (code, second["distinct_states"], second["stop_reason"]) == (3, 4321, "max-states")
    # the same as a run stopped there at once
    code, direct, _ = check(vote, spec, "--config", cfg, "--max-states", "4321")
    assert (second["states_generated"], second["depth"], second["coverage"]) == \
        (direct["states_generated"], direct["depth"], direct["coverage"])
    code, resumed, _ = check(vote, "--resume", ckpt, "--max-states", str(10**9))
    assert code == 1
    same(resumed, full)


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "refute", "check", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_checkpoint(run: subprocess.Popen, directory: Path, depth: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        try:
            if read(str(directory))[0].depth >= depth:
                return
        except Exception:  # noqa: BLE001 (not written yet)
            pass
        time.sleep(0.01)
    pytest.fail(f"no checkpoint of depth {depth} before the run ended: {run.communicate()}")


def test_kill_9_while_checkpoints_are_written_leaves_the_last_one_resumable(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote6.cfg"), vote / "ckpt"
    _, full, _ = check(vote, spec, "--config", cfg)
    # a checkpoint every 512 states expanded: kill -9 lands in the middle of one, or between
    run = _cli(spec, "--config", cfg, "--checkpoint", str(ckpt), "--checkpoint-interval", "0", "-q")
    _wait_for_checkpoint(run, ckpt, 6)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert read(str(ckpt))[0].why == "periodic"
    code, resumed, output = check(vote, "--resume", str(ckpt))
    assert code == 0, output
    same(resumed, full)


def test_ctrl_c_writes_a_checkpoint_then_exits_130(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote6.cfg"), vote / "ckpt"
    _, full, _ = check(vote, spec, "--config", cfg)
    run = _cli(spec, "--config", cfg, "--checkpoint", str(ckpt), "--checkpoint-interval", "0", "-q")
    _wait_for_checkpoint(run, ckpt, 4)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert f"refute check --resume {ckpt} goes on from there" in err
    assert read(str(ckpt))[0].why == "interrupted"
    code, resumed, output = check(vote, "--resume", str(ckpt))
    assert code == 0, output
    same(resumed, full)


def test_a_damaged_checkpoint_or_one_of_another_run_is_refused(vote):
    spec, ckpt = str(vote / "Vote.tla"), vote / "ckpt"
    code, _, _ = check(vote, spec, "--config", str(vote / "Vote5.cfg"), "--checkpoint", str(ckpt),
                       "--max-states", "500")
    assert code == 3
    path = ckpt / FILE
    good = path.read_bytes()

    def refused(*args: str) -> str:
        code, result, output = check(vote, *args)
        assert code == 2 and result["status"] == "error", output
        assert f"{path}: " in output, output  # located at the checkpoint's file
        return output

    assert "another model" in refused(spec, "--config", str(vote / "Other5.cfg"), "--resume", str(ckpt))
    assert "another model" in refused(spec, "--config", str(vote / "Vote6.cfg"), "--resume", str(ckpt))
    assert "--max-depth: none in the checkpoint, 3 in this run" in \
        refused("--resume", str(ckpt), "--max-depth", "3")
    assert "the compiled backend, which alone can resume it" in \
        refused("--resume", str(ckpt), "--backend", "interpreted")
    damaged = bytearray(good)
    damaged[-100] ^= 1  # one bit of the frontier
    path.write_bytes(bytes(damaged))
    assert "damaged" in refused("--resume", str(ckpt))
    path.write_bytes(good[:len(good) // 2])  # cut short
    assert "damaged" in refused("--resume", str(ckpt))
    path.write_bytes(b"refute compiled checkpoint\n{not json\n")
    assert "not a checkpoint of refute's compiled backend" in refused("--resume", str(ckpt))
    path.write_bytes(good)
    code, _, output = check(vote, "--resume", str(ckpt), "--max-states", "600")
    assert code == 3, output  # the good one still resumes


def test_each_backend_resumes_only_its_own_checkpoints(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote5.cfg"), vote / "ckpt"
    code, _, output = check(vote, spec, "--config", cfg, "--backend", "interpreted", "--checkpoint",
                            str(ckpt), "--checkpoint-interval", "0", "--max-depth", "3")
    assert code == 3, output
    code, _, output = check(vote, "--resume", str(ckpt), "--backend", "compiled")
    assert code == 2 and "holds a checkpoint of the interpreter, which alone can resume it" in output
    code, _, output = check(vote, spec, "--config", cfg, "--checkpoint", str(ckpt), "--max-states", "50")
    assert code == 3, output
    code, _, output = check(vote, "--resume", str(ckpt))
    assert code == 2 and "holds checkpoints of both backends" in output


def test_checkpoints_with_workers_stay_on_the_interpreter(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote5.cfg"), vote / "ckpt"
    run = CliRunner().invoke(main, ["check", spec, "--config", cfg, "--workers", "2",
                                    "--checkpoint", str(ckpt), "--checkpoint-interval", "0",
                                    "--max-depth", "2"])
    assert run.exit_code == 3, run.output
    assert "compiled backend not used: --checkpoint with --workers runs on the interpreter" in run.output
    assert not (ckpt / FILE).exists() and (ckpt / "LATEST").exists()


def test_a_python_spec_compiled_resumes_too(tmp_path):
    spec, ckpt = str(ROOT / "examples" / "two_phase.py"), str(tmp_path / "ckpt")
    code, full, _ = check(tmp_path, spec, "-p", "rms=4")
    assert (code, full["distinct_states"], full["states_generated"], full["depth"]) == \
        (0, 1_568, 8_258, 14)  # (the interpreter's numbers too)
    code, stopped, _ = check(tmp_path, spec, "-p", "rms=4", "--checkpoint", ckpt, "--max-states", "700")
    assert (code, stopped["distinct_states"]) == (3, 700)
    code, resumed, _ = check(tmp_path, "--resume", ckpt, "--max-states", str(10**9))
    assert code == 0
    same(resumed, full)
    code, _, output = check(tmp_path, spec, "-p", "rms=3", "--resume", ckpt)
    assert code == 2 and "another model" in output


def test_a_spec_with_temporal_properties_writes_no_checkpoint_and_says_so(tmp_path):
    ckpt = tmp_path / "ckpt"
    code, result, output = check(tmp_path, str(ROOT / "examples" / "ewd840.py"), "--checkpoint",
                                 str(ckpt), "--checkpoint-interval", "0")
    assert code == 0 and result["backend"] == "compiled", output
    assert any("--checkpoint were ignored" in w for w in result["warnings"])
    assert not ckpt.exists()


def test_a_step_property_checked_natively_stops_the_resumed_run_where_it_stops_the_whole(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Step5.cfg"), str(vote / "ckpt")
    code, full, _ = check(vote, spec, "--config", cfg)
    assert code == 1 and full["violation"]["name"] == "NeverCommits"
    # TLC's counts (tlc -workers 1: "Action property NeverCommits is violated", 31747 states
    # generated, 7511 distinct, depth 12), the interpreter's too: the Commit step after all
    # five voted and were heard
    assert (full["distinct_states"], full["states_generated"], full["depth"]) == (7_511, 31_747, 12)
    assert len(full["violation"]["trace"]) == 12
    code, stopped, _ = check(vote, spec, "--config", cfg, "--checkpoint", ckpt, "--max-states", "4000")
    assert (code, stopped["distinct_states"], stopped["stop_reason"]) == (3, 4000, "max-states")
    assert read(ckpt)[0].distinct == 4000  # written: the property's checks keep nothing to save
    code, resumed, _ = check(vote, "--resume", ckpt, "--max-states", str(10**9))
    assert code == 1
    same(resumed, full)


def test_a_resumed_run_keeps_to_its_memory_limit(vote):
    spec, cfg, ckpt = str(vote / "Vote.tla"), str(vote / "Vote6.cfg"), vote / "ckpt"
    _, full, _ = check(vote, spec, "--config", cfg)
    code, _, _ = check(vote, spec, "--config", cfg, "--checkpoint", str(ckpt), "--max-states", "30000")
    assert code == 3
    written = (ckpt / FILE).read_bytes()
    # a limit the process is past already: the checkpoint's tables are not loaded, the run stops
    # at once (incomplete, never "holds") and the checkpoint is left as it was
    code, stopped, output = check(vote, "--resume", str(ckpt), "--max-states", str(10**9),
                                  "--memory-limit", "1M")
    assert (code, stopped["stop_reason"], stopped["backend"]) == (3, "memory-limit", "compiled"), output
    assert (ckpt / FILE).read_bytes() == written
    code, resumed, output = check(vote, "--resume", str(ckpt), "--max-states", str(10**9),
                                  "--memory-limit", "8G")
    assert code == 0, output
    same(resumed, full)
