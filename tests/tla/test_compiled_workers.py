"""``--workers N`` on the compiled backend (runtime/workers.c) gives one worker's result
exactly: distinct, generated, depth, coverage, the counterexample and the counts at it
(TLC's, where the oracle has them), whatever the number of workers; and its states are
really shared out (moved between workers to balance them)."""

from __future__ import annotations

import functools
import json
import os

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.backend import compile_model, explore, result_difference
from refute.engine import bfs
from refute.engine.run import run
from refute.engine.result import StopReason
from refute.engine.scale import Scale
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import DEPTH_ACCEPTED, EXAMPLES, oracle_models
from tests.tla.test_compiled import COMPILED_ORACLE, COUNTER, SLOW, TWO_PHASE, _write
from tests.tla.test_tlc_oracle import spec_for

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


def _same_with_workers(model, options=bfs.Options(), workers=(2, 3)):
    """One worker's result, after asserting that ``workers`` workers give it too, and that
    the interpreter does; returns it and the states the last run moved between workers."""
    compiled = compile_model(model)
    one = explore(model, compiled, options)
    assert compiled.interpreted_instead is None
    interpreted = bfs.explore(model, options)
    assert result_difference(one, interpreted) is None, result_difference(one, interpreted)
    moved = 0
    for n in workers:
        many = explore(model, compiled, options, workers=n)
        assert compiled.interpreted_instead is None and not compiled.one_process
        assert result_difference(many, one) is None, (n, result_difference(many, one))
        moved = compiled.native.moved()
    return one, moved


FAST = {"transaction_commit/TwoPhase.cfg", "DieHard/DieHard.cfg", "allocator/SimpleAllocator.cfg",
        "SpecifyingSystems/TLC/MCAlternatingBit.cfg", "MissionariesAndCannibals/MissionariesAndCannibals.cfg",
        "tower_of_hanoi/Hanoi_anim.cfg", "ewd840/EWD840.cfg", "CigaretteSmokers/CigaretteSmokers.cfg"}
"""Oracle models run in the default tests (violations, SYMMETRY, VIEW, liveness specs' safety
part); the others that compile, in the slow step."""


def _oracle():
    if not os.path.isdir(EXAMPLES):
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no oracle at {EXAMPLES}"))]
    return [m if m["id"] in FAST else pytest.param(m, marks=pytest.mark.slow)
            for m in oracle_models() if m["id"] in COMPILED_ORACLE and m["id"] not in SLOW]


@pytest.mark.parametrize("m", _oracle(), ids=lambda m: m["id"] if m else "absent")
def test_oracle_models_give_one_workers_and_tlcs_results_with_workers(m):
    model = TLAModel(spec_for(m), m["cfg"])
    compiled = compile_model(model)
    one = explore(model, compiled)
    if compiled.interpreted_instead is not None:  # (a PROPERTY's []P violated: interpreted)
        pytest.skip(compiled.interpreted_instead)
    for n in (2, 3):
        many = explore(model, compiled, workers=n)
        assert result_difference(many, one) is None, (n, result_difference(many, one))
        if m["result"] == "success" and m.get("distinctStates") is not None and not model.properties:
            assert (many.distinct_states, many.states_generated, many.depth) == \
                (m["distinctStates"], m["totalStates"],
                 DEPTH_ACCEPTED.get(m["id"], m["stateDepth"]))  # TLC's


def test_two_phase_with_workers_moves_states_and_matches_tlc():
    if not os.path.exists(TWO_PHASE):
        pytest.skip(f"no oracle at {EXAMPLES}")
    result, moved = _same_with_workers(TLAModel(TWO_PHASE))
    assert (result.distinct_states, result.states_generated, result.depth) == (288, 1146, 11)  # TLC's
    assert moved > 0  # one initial state: the first level is all one worker's, then shared out


GRID = """---- MODULE Grid ----
EXTENDS Naturals
CONSTANT N
VARIABLES x, y, z
Init == x = 0 /\\ y \\in 0..2 /\\ z = 0
Next == \\/ x < N /\\ x' = x + 1 /\\ UNCHANGED <<y, z>>
        \\/ y < N /\\ y' = y + 1 /\\ UNCHANGED <<x, z>>
        \\/ z < N /\\ z' = (z + x + y) % (N + 1) /\\ UNCHANGED <<x, y>>
        \\/ x > y /\\ z > 0 /\\ x' = y /\\ y' = x /\\ z' = z - 1
Low == x + y + z < 2 * N
Diagonal == x # y \\/ z # 3 \\/ x < 12
Within == x + y <= N + 3
Step == x' * 2 + y' <= 3 * N
Shape == <<x + y, z>>
====
"""
"""Wide levels (thousands of states each) whose states are found from many parents: the
states' owners change from level to level, and a violation sits in the middle of a level."""


def _grid(tmp_path, cfg, n=40):
    return TLAModel(_write(tmp_path, "Grid", GRID, f"CONSTANT N = {n}\nINIT Init\nNEXT Next\n" + cfg))


def test_a_violation_in_the_middle_of_a_wide_level(tmp_path):
    result, moved = _same_with_workers(_grid(tmp_path, "INVARIANT Diagonal\n"),
                                       bfs.Options(deadlock=False))
    assert result.violation is not None and result.violation.name == "Diagonal"
    assert result.distinct_states > 1000 and moved > 0


def test_a_violation_late_and_one_deadlock(tmp_path):
    result, _ = _same_with_workers(_grid(tmp_path, "INVARIANT Low\n", n=12))
    assert result.violation is not None and result.violation.name == "Low"
    result, _ = _same_with_workers(_grid(tmp_path, "", n=6))
    assert result.violation is not None and result.violation.kind.value == "deadlock"


def test_more_workers_than_cores_each_deciding_its_fingerprints_claims(tmp_path):
    """4 and 5 workers: every fingerprint's claims (from every worker that found it at the
    level) decided by its owner, some owners deciding none at a narrow level; a violation in
    the middle of a level, and under a VIEW (states merged: the invariant is judged on the
    state kept, so no worker stops early)."""
    result, moved = _same_with_workers(_grid(tmp_path, "INVARIANT Diagonal\n"),
                                       bfs.Options(deadlock=False), workers=(4, 5))
    assert result.violation is not None and result.violation.name == "Diagonal" and moved > 0
    result, _ = _same_with_workers(_grid(tmp_path, "VIEW Shape\nINVARIANT Diagonal\n"),
                                   bfs.Options(deadlock=False), workers=(4,))
    assert result.violation is not None and result.violation.name == "Diagonal"


def test_constraints_view_and_bounds(tmp_path):
    _same_with_workers(_grid(tmp_path, "CONSTRAINT Within\nACTION_CONSTRAINT Step\n", n=15),
                       bfs.Options(deadlock=False))
    _same_with_workers(_grid(tmp_path, "VIEW Shape\n", n=20), bfs.Options(deadlock=False))
    model = _grid(tmp_path, "", n=20)
    for options in (bfs.Options(deadlock=False, max_states=2_000),
                    bfs.Options(deadlock=False, max_states=2),
                    bfs.Options(deadlock=False, max_depth=20)):
        result, _ = _same_with_workers(model, options)
        assert result.stop_reason is not None


def test_counter_violation_deadlock_and_bounds(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 4\nINIT Init\nNEXT Next\nINVARIANT Small\n")
    result, _ = _same_with_workers(TLAModel(path))
    assert result.violation is not None and len(result.violation.trace) == 4
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n")
    model = TLAModel(path)
    _same_with_workers(model)
    _same_with_workers(model, bfs.Options(deadlock=False, max_depth=3))
    _same_with_workers(model, bfs.Options(deadlock=False, max_states=5))


def test_a_time_limit_stops_the_workers_incomplete(tmp_path):
    model = _grid(tmp_path, "", n=400)
    compiled = compile_model(model)
    result = explore(model, compiled, bfs.Options(deadlock=False, time_limit=0.3), workers=2)
    assert result.status is Status.INCOMPLETE and result.stop_reason is StopReason.TIME_LIMIT


def test_the_check_command_runs_workers_natively(tmp_path):
    path = _write(tmp_path, "Grid", GRID, "CONSTANT N = 20\nINIT Init\nNEXT Next\nINVARIANT Diagonal\n")
    outputs = []
    for workers in ("1", "2"):
        got = CliRunner().invoke(main, ["check", path, "--backend", "compiled", "--workers",
                                        workers, "--json", "-", "-q"])
        assert got.exit_code == 1, got.output
        data = json.loads(got.stdout)
        assert data.pop("backend") == "compiled"
        data.pop("seconds")
        outputs.append(data)
    assert outputs[0] == outputs[1]  # the counterexample's every step included
    auto = CliRunner().invoke(main, ["check", path, "--workers", "2"])
    assert "compiled backend not used" not in auto.stderr


def test_temporal_properties_run_in_one_process_saying_so(tmp_path):
    path = _write(tmp_path, "Grid", GRID.replace("====", "Live == <>(x = N)\n===="),
                  "CONSTANT N = 3\nINIT Init\nNEXT Next\nPROPERTY Live\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    native_run = functools.partial(explore, model, compiled, workers=2)
    result = run(model, bfs.Options(deadlock=False), Scale(workers=2), native=native_run)
    assert any("checked in one process" in w for w in result.warnings)
    one = run(TLAModel(path), bfs.Options(deadlock=False),
              native=functools.partial(explore, model, compiled))
    assert (result.status, result.distinct_states, result.states_generated) == \
        (one.status, one.distinct_states, one.states_generated)


FAN = """---- MODULE Fan ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y = 0
Next == \\/ x = 0 /\\ x' \\in 1..70000 /\\ y' = 0
        \\/ x > 0 /\\ y < 2 /\\ y' = y + 1 /\\ x' = x
Small == x < 69990 \\/ y < 2
====
"""
"""One state, then 70,000: a level far wider than the one before (the owners' tables of claims
are sized for each level's claims as they come in)."""


def test_a_level_far_wider_than_the_one_before(tmp_path):
    path = _write(tmp_path, "Fan", FAN, "INIT Init\nNEXT Next\nINVARIANT Small\n")
    result, moved = _same_with_workers(TLAModel(path), bfs.Options(deadlock=False), workers=(2,))
    assert result.violation is not None and result.distinct_states > 140_000 and moved > 0
