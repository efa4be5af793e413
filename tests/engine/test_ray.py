"""``--ray``: on a local Ray cluster (loopback), the same results as one process.

Also with the scale options: spilling under ``--memory-limit``, checkpoints resumed (after
kill -9 of the driver, and with another worker count), and a killed actor stopping the run.
"""

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
from refute.engine.bfs import Options, explore
from refute.engine.checkpoint import load
from refute.sources import Source
from refute.engine.parallel import WorkerDied, explore_parallel
from refute.engine.scale import Scale
from refute.engine.spill import rss

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'refute[ray]'): "
                                        "the --ray explorer is NOT tested")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TWO_PHASE_6 = (50_816, 402_306, 20)  # TLC's (distinct, generated, depth) for 6 RMs

DYING = """
import os, signal
from refute import Spec, State, action, terminal


class Countdown(Spec):
    \"\"\"A chain of 100 states; the process that expands state 40 kills itself with
    SIGKILL, unless it is the driver's.\"\"\"

    def __init__(self, driver: int = 0):
        self.driver = driver

    def init(self):
        yield State(x=0)

    @action
    def step(self, s):
        if s.x == 40 and os.getpid() != self.driver:
            os.kill(os.getpid(), signal.SIGKILL)
        if s.x < 100:
            return s.update(x=s.x + 1)

    @terminal
    def done(self, s):
        return s.x == 100
"""


@pytest.fixture(scope="module")
def cluster():
    try:
        ray.init(address="local", _node_ip_address="127.0.0.1", num_cpus=2,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"a local Ray cluster could not start ({exc}): --ray is NOT tested")
    yield
    ray.shutdown()


def summary(result):
    violation = result.violation
    return (result.status, result.distinct_states, result.states_generated, result.depth,
            violation and [(str(step.action), step.state) for step in violation.trace],
            tuple((c.action, c.fired, c.new_states) for c in result.coverage))


@pytest.mark.parametrize("spec, params, bounds", [
    ("die_hard.py", (), {}),
    ("two_phase.py", ("rms=3", "early_commit=true"), {}),
    ("two_phase.py", ("rms=5",), {}),
    ("two_phase.py", ("rms=4",), {"max_states": 300}),
])
@pytest.mark.parametrize("workers", [1, 2])
def test_ray_equals_one_process(cluster, spec, params, bounds, workers):
    from refute.engine.ray_explorer import check_on_ray

    source = Source(str(EXAMPLES / spec), params)
    model = source.load()
    expected = summary(explore(model, Options(**bounds)))
    result = check_on_ray(model, Options(**bounds), Scale(workers=workers, source=source), None)
    assert summary(result) == expected


def check_on_ray(source: Source, options: Options = Options(), **scale):
    from refute.engine.ray_explorer import check_on_ray

    return check_on_ray(source.load(), options, Scale(source=source, **scale), None)


def counts(result) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth


def test_ray_spills_under_a_memory_limit_with_the_same_counts(cluster):
    """Each actor's share is below twice its size at rest, so it spills from the start."""
    share = 160 << 20  # an actor with refute imported is ~95 MiB; it peaks at ~110 here
    limit = int(rss() + 2 * share / 0.9)
    result = check_on_ray(Source(str(EXAMPLES / "two_phase.py"), ("rms=6",)),
                          workers=2, memory_limit=limit)
    assert counts(result) == TWO_PHASE_6
    assert [w.spilled for w in result.workers] == [True, True]
    assert sum(w.distinct for w in result.workers) == TWO_PHASE_6[0]
    assert sum(w.generated for w in result.workers) == TWO_PHASE_6[1] - 1  # the initial state
    assert all(0 < w.peak_rss < share for w in result.workers)
    assert any("states were spilled to disk" in w for w in result.warnings)


def test_ray_does_not_start_when_the_limit_cannot_fit_an_actor(cluster):
    result = check_on_ray(Source(str(EXAMPLES / "two_phase.py"), ("rms=4",)),
                          workers=2, memory_limit=int(rss() + (100 << 20)))
    assert result.status.exit_code == 3 and result.stop_reason.name == "MEMORY_LIMIT"
    assert any("a Ray actor needs at least" in w for w in result.warnings)


def test_ray_checkpoints_resume_with_another_worker_count_or_without_ray(cluster, tmp_path):
    source = Source(str(EXAMPLES / "two_phase.py"), ("rms=4", "early_commit=true"))
    expected = summary(explore(source.load(), Options()))
    directory = str(tmp_path / "ckpt")
    check_on_ray(source, Options(max_depth=4), workers=2, checkpoint=directory,
                 checkpoint_interval=0)
    assert load(directory)[0].depth == 4
    # Resuming lifts nothing from the options: here the checkpointed run's bound is dropped.
    assert summary(check_on_ray(source, workers=1, resume=directory)) == expected
    assert summary(explore_parallel(source.load(), Options(),
                                    Scale(workers=3, resume=directory))) == expected


def test_ray_actors_read_the_files_the_spec_is_allowed_to(cluster, tmp_path, monkeypatch):
    """Each actor loads the spec again, with the same --allow-read, resolved against the
    driver's working directory as the spec's own path is."""
    (tmp_path / "Grid.tla").write_text(
        "---- MODULE Grid ----\nEXTENDS Naturals, Json\nVARIABLES x, y\n"
        'Limit == JsonDeserialize("limit.json")\nInit == x = 0 /\\ y = 0\n'
        "Next == \\/ x < Limit.x /\\ x' = x + 1 /\\ y' = y\n"
        "        \\/ y < Limit.y /\\ y' = y + 1 /\\ x' = x\n====\n")
    (tmp_path / "Grid.cfg").write_text("INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    (tmp_path / "limit.json").write_text('{"x": 3, "y": 4}')
    monkeypatch.chdir(tmp_path)
    result = check_on_ray(Source("Grid.tla", allow_read=("limit.json",)), workers=2)
    assert counts(result) == (20, 32, 8)


def test_a_killed_actor_stops_the_run_with_a_clear_error(cluster, tmp_path):
    spec = tmp_path / "dying.py"
    spec.write_text(DYING)
    source = Source(str(spec), (f"driver={os.getpid()}",))
    with pytest.raises(WorkerDied, match=r"worker \d \(a Ray actor\) died: .* the counts would "
                                         "be wrong"):
        check_on_ray(source, workers=2)
    out = tmp_path / "out.json"
    run = CliRunner().invoke(main, ["check", str(spec), "-p", f"driver={os.getpid()}", "--ray",
                                    "--workers", "2", "--json", str(out)])
    assert run.exit_code == 3, run.output
    data = json.loads(out.read_text())
    assert data["status"] == "incomplete" and "died" in data["error"]["message"]
    assert "--checkpoint DIR" in data["error"]["hint"]


@pytest.mark.slow
def test_ray_kill_9_of_the_driver_then_resume_gives_the_uninterrupted_counts(tmp_path):
    """The driver, run by the command line with its own local cluster, is killed mid-run."""
    directory = tmp_path / "ckpt"
    env = {**os.environ, "RAY_ADDRESS": "local"}  # a cluster of its own, not the fixture's

    def refute_cli(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "refute", "check", *args], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    run = refute_cli("examples/two_phase.py", "-p", "rms=6", "--ray", "--workers", "2",
                     "--checkpoint", str(directory), "--checkpoint-interval", "0.2", "-q")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if (directory / "LATEST").exists() and load(str(directory))[0].depth >= 8:
            break
        time.sleep(0.05)
    assert run.poll() is None, f"the run ended before it could be killed: {run.communicate()}"
    # The driver and the Ray processes it started (its process group), mid-level; actors
    # run in groups of their own and exit when their raylet is gone.
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    meta, _ = load(str(directory))
    assert 8 <= meta.depth < 20
    resumed = refute_cli("--resume", str(directory), "--ray", "--workers", "2", "--json", "-")
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err
    result = json.loads(out)
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == \
        TWO_PHASE_6
    assert len(result["workers"]) == 2


def test_ray_progress_and_result_show_each_actor(cluster):
    seen = []
    result = check_on_ray(Source(str(EXAMPLES / "two_phase.py"), ("rms=5",)),
                          Options(progress=seen.append, progress_interval=0.01), workers=2)
    assert counts(result) == (8_832, 58_146, 17)
    assert sum(w.distinct for w in result.workers) == 8_832
    assert all(w.states_per_second > 0 and w.peak_rss > 0 for w in result.workers)
    assert any(len(p.workers) == 2 and all(w.rss > 0 for w in p.workers) for p in seen)
