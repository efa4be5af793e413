"""``--workers N``: the sharded search gives the sequential search's exact results.

Counts, depth, per-action coverage, stop reason and the counterexample itself (its actions
and states) must not depend on the number of workers; each case compares against
``bfs.explore`` on the same model.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time

import pytest
from die_hard import DieHard
from two_phase import TwoPhase

import refute
from refute import Spec, State, Status, action, constraint, each, invariant
from refute.engine.bfs import Options, explore
from refute.engine import parallel, shared_seen
from refute.engine import shard as shard_module
from refute.engine.parallel import WorkerDied, explore_parallel
from refute.engine.scale import Scale
from refute.engine.shard import Coordinator, Shard, plan_rebalance
from refute.spec.compile import SpecModel


def summary(result: refute.Result) -> tuple:
    violation = result.violation
    return (result.status, result.distinct_states, result.states_generated, result.depth,
            result.stop_reason, result.checked, result.warnings,
            violation and (violation.kind, violation.name,
                           [(str(step.action), step.state) for step in violation.trace]),
            tuple((c.action, c.fired, c.new_states) for c in result.coverage))


class Grid(Spec):
    """A walk on a grid with several equally short paths to each cell: ties everywhere."""

    def __init__(self, size: int = 6, bad: tuple = (4, 3), stuck: tuple | None = None):
        self.size, self.bad, self.stuck = size, bad, stuck
        self.steps = ((1, 0), (0, 1), (1, 1), (-1, 0))

    def init(self):
        yield State(x=0, y=0)
        yield State(x=1, y=0)

    @action
    def move(self, s, step=each("steps")):
        if (s.x, s.y) == self.stuck:
            return None
        x, y = s.x + step[0], s.y + step[1]
        if 0 <= x < self.size and 0 <= y < self.size:
            return s.update(x=x, y=y)

    @invariant
    def avoids_bad(self, s):
        return (s.x, s.y) != self.bad


class GridView(Grid):
    def view(self, s):
        return s.x + s.y  # a coarse view: the state kept per view value is the first reached


class GridConstrained(Grid):
    @constraint
    def left_half(self, s):
        return s.x < self.size // 2 + 1


def models():
    return {
        "die_hard": DieHard(),
        "two_phase_3": TwoPhase(rms=3),
        "two_phase_4": TwoPhase(rms=4),
        "two_phase_early_commit": TwoPhase(rms=3, early_commit=True),
        "two_phase_symmetric": TwoPhase(rms=4, symmetric=True),
        "grid": Grid(),
        "grid_deadlock_first": Grid(bad=(5, 5), stuck=(2, 1)),
        "grid_violation_first": Grid(bad=(1, 1), stuck=(3, 3)),
        "grid_view": GridView(bad=(9, 9)),
        "grid_constrained": GridConstrained(bad=(9, 9)),
        "grid_constrained_violation": GridConstrained(bad=(2, 2)),
    }


@pytest.mark.parametrize("name", list(models()))
@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("shared", [True, False], ids=["shared-set", "owners"])
def test_same_result_as_sequential(name, workers, shared):
    model = SpecModel(models()[name])
    expected = summary(explore(model))
    scale = Scale(workers=workers, shared_fingerprints=shared)
    assert summary(explore_parallel(model, Options(), scale)) == expected


@pytest.mark.parametrize("bounds", [
    dict(max_states=100), dict(max_states=1), dict(max_states=137), dict(max_depth=4),
    dict(max_depth=1), dict(deadlock=False), dict(invariants=("consistent",)),
])
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("shared", [True, False], ids=["shared-set", "owners"])
def test_bounds_stop_where_the_sequential_search_stops(bounds, workers, shared):
    model = SpecModel(TwoPhase(rms=4))
    options = Options(**bounds)
    scale = Scale(workers=workers, shared_fingerprints=shared)
    assert summary(explore_parallel(model, options, scale)) == summary(explore(model, options))


@pytest.mark.skipif(not shared_seen.available(), reason="the C extension _shared_seen is not built")
@pytest.mark.parametrize("name", ["two_phase_4", "grid_view", "grid_constrained_violation"])
def test_a_workers_own_claim_set_doubles_when_full(name, monkeypatch):
    """Owner-sharded membership: each worker's set of the level's fingerprints starts at 4
    slots and doubles as it fills, in scan (no constraint) and in the Python loop."""
    doubled = []
    monkeypatch.setattr(shared_seen, "MIN_CAPACITY", 4)
    double = shared_seen.doubled
    monkeypatch.setattr(shared_seen, "doubled", lambda table: doubled.append(1) or double(table))
    model = SpecModel(models()[name])
    scale = Scale(workers=2, shared_fingerprints=False)
    assert summary(explore_parallel(model, Options(), scale)) == summary(explore(model))
    shard = Shard(SpecModel(TwoPhase(rms=4)), 0, 1, Options())  # here, to see it double
    shard.load(*initial(shard.model))
    shard.start_level(last=False)
    while shard.expanding:
        shard.expand()
    assert doubled


@pytest.mark.skipif(not shared_seen.available(), reason="the C extension _shared_seen is not built")
@pytest.mark.parametrize("name", ["two_phase_4", "grid_violation_first", "grid_deadlock_first",
                                  "grid_constrained_violation", "grid_view"])
def test_an_idle_worker_steals_blocks_and_the_result_is_the_same(name, monkeypatch):
    """Worker 0 is slow (it sleeps before each of its own blocks of 4 states), so worker 1
    runs out of frontier first and expands blocks taken from worker 0's end of the level."""
    monkeypatch.setattr(shard_module, "BLOCK", 4)
    expand = Shard.expand

    def slow_expand(self, deadline=None):
        if self.index == 0:
            time.sleep(0.002)
        return expand(self, deadline)

    monkeypatch.setattr(Shard, "expand", slow_expand)
    model = SpecModel(models()[name])
    result = explore_parallel(model, Options(), Scale(workers=2))
    assert summary(result) == summary(explore(model))
    if name == "two_phase_4":  # a run long enough to steal in: worker 1 did most of the work
        assert result.workers[1].generated > 2 * result.workers[0].generated


def initial(model) -> tuple:
    coordinator = Coordinator(model, Options(), 1)
    _, shares, fingerprints = coordinator.initial()
    return shares[0][0], shares[0][1], fingerprints


@pytest.mark.skipif(not shared_seen.available(), reason="the C extension _shared_seen is not built")
@pytest.mark.parametrize("name", ["two_phase_4", "grid_view", "grid_constrained_violation"])
def test_a_level_that_fills_the_shared_set_is_expanded_again(name, monkeypatch):
    """With a set of 4 slots and no foresight, levels fill it mid-way (claim answers -1): the
    level starts again with a larger set, and the result is still the sequential one."""
    retries = []
    monkeypatch.setattr(shared_seen, "MIN_CAPACITY", 4)
    monkeypatch.setattr(parallel._Run, "foreseen", lambda self: 0)
    grow = parallel._Run.grow
    monkeypatch.setattr(parallel._Run, "grow", lambda self, entries, below: retries.append(
        below) or grow(self, entries, below))
    places = [p for p in ("/dev/shm", tempfile.gettempdir()) if os.path.isdir(p)]
    before = {p: set(os.listdir(p)) for p in places}
    model = SpecModel(models()[name])
    assert summary(explore_parallel(model, Options(), Scale(workers=2))) == \
        summary(explore(model))
    assert any(below != 2**63 - 1 for below in retries)  # a level was started again
    for place in places:  # no set is left behind
        assert not [f for f in set(os.listdir(place)) - before[place]
                    if f.startswith("refute-seen-")]


def test_pinned_numbers_with_two_workers():
    """The golden numbers of the sequential search (TLC's), through refute.check."""
    result = refute.check(DieHard(), workers=2)
    assert (result.distinct_states, result.states_generated) == (14, 73)
    assert len(result.violation.trace) == 7
    result = refute.check(TwoPhase(rms=3, early_commit=True), workers=2)
    assert (result.distinct_states, result.states_generated) == (167, 467)
    assert [str(step.action) for step in result.violation.trace[1:]] == [
        "rm_prepare(rm=r1)", "tm_rcv_prepared(rm=r1)", "tm_commit",
        "rm_choose_to_abort(rm=r2)", "rm_rcv_commit_msg(rm=r1)"]
    result = refute.check(TwoPhase(rms=5), workers=2)
    assert result.status is Status.OK
    assert (result.distinct_states, result.states_generated, result.depth) == (8_832, 58_146, 17)


def test_temporal_properties_run_sequentially_with_a_warning():
    from ewd840 import EWD840
    result = refute.check(EWD840(), workers=2)
    assert any("temporal properties, which are checked in one process" in w
               for w in result.warnings)


def test_a_worker_that_dies_stops_the_run():
    model = SpecModel(TwoPhase(rms=7))

    def kill_a_worker():
        time.sleep(1.5)
        for child in os.listdir("/proc"):
            if child.isdigit():
                try:
                    with open(f"/proc/{child}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == os.getpid():
                    os.kill(int(child), signal.SIGKILL)
                    return

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    with pytest.raises(WorkerDied, match="the counts would be wrong"):
        explore_parallel(model, Options(), Scale(workers=2))
    killer.join()


def test_rebalancing_evens_out_the_frontier():
    assert plan_rebalance([10_000, 0]) == [(0, 1, 5_000)]
    assert plan_rebalance([5_000, 5_100]) == []
    moves = plan_rebalance([9_000, 1_000, 2_000])
    assert sum(amount for _, _, amount in moves) == 9_000 - 4_000


def test_each_worker_reports_its_throughput_and_memory():
    """On the progress line as it runs, and in the Result (hence the JSON) at the end."""
    from refute.report.json import result_to_json

    seen = []
    model = SpecModel(TwoPhase(rms=5))
    result = explore_parallel(model, Options(progress=seen.append, progress_interval=0.01),
                              Scale(workers=2))
    assert (result.distinct_states, result.states_generated) == (8_832, 58_146)
    assert [w.worker for w in result.workers] == [0, 1]
    assert sum(w.distinct for w in result.workers) == 8_832
    assert sum(w.generated for w in result.workers) == 58_146 - 1  # the initial state
    assert all(w.states_per_second > 0 and w.peak_rss > 0 for w in result.workers)
    shown = result_to_json(result, model)["workers"]
    assert [sorted(w) for w in shown] == [["cpu_seconds", "distinct", "generated", "peak_rss",
                                           "seconds", "spilled", "states_per_s", "worker"]] * 2
    assert any(len(p.workers) == 2 and all(w.rss > 0 for w in p.workers) for p in seen)
    assert explore(model, Options()).workers == ()
