"""A PROPERTY's ``[][A]_v`` and initial predicate checked by the compiled backend's native
search, on each step as it generates it (TLC's implied actions and implied inits, tlc2.tool's
Worker.doNextCheckImplied): the verdict, counts and counterexample TLC built from source
reports (``tlc -workers 1``), the interpreter's result exactly (``--verify`` and
:func:`~refute.compiled.backend.result_difference`), and no per-step pass in Python."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled.backend import compile_model, explore, result_difference, verify
from refute.engine import bfs
from refute.engine.liveness import check_model
from refute.status import Status
from refute.tla.model import TLAModel

STEPS = """---- MODULE Steps ----
EXTENDS Naturals
VARIABLES x, y
vars == <<x, y>>
Init == x = 0 /\\ y \\in {0, 1}
IncX == x < 3 /\\ x' = x + 1 /\\ UNCHANGED y
Flip == y' = 1 - y /\\ UNCHANGED x
Next == IncX \\/ Flip
Spec == Init /\\ [][Next]_vars
NoTwo == [][x' # 2]_x
Mono == [][x' >= x]_vars
Both == NoTwo /\\ [](x < 5)
InitY == y = 0
Refines == InitY /\\ [][Next]_vars
Same == [][Flip \\/ IncX]_vars
====
"""


def _model(tmp_path, properties: str) -> str:
    (tmp_path / "Steps.tla").write_text(STEPS)
    (tmp_path / "Steps.cfg").write_text(f"SPECIFICATION Spec\nPROPERTY {properties}\n")
    return str(tmp_path / "Steps.tla")


def _both_ways(path: str):
    """The compiled backend's result (checked natively: no hand-over to the interpreter) and
    the interpreter's, which must be the same."""
    model = TLAModel(path)
    compiled = compile_model(model)
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    theirs = check_model(TLAModel(path), bfs.Options())
    assert result_difference(mine, theirs) is None, result_difference(mine, theirs)
    outcome = verify(TLAModel(path), compile_model(TLAModel(path)))
    assert outcome.equal, outcome.message
    return mine


@pytest.mark.parametrize("properties", ["Mono", "Same", "Mono Same"])
def test_step_properties_that_hold(tmp_path, properties):
    # TLC: 16 states generated, 8 distinct states found, depth 4 (no error)
    result = _both_ways(_model(tmp_path, properties))
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 8, 16, 4)


@pytest.mark.parametrize("properties, name", [("Mono NoTwo", "NoTwo"), ("Both", "Both")])
def test_a_violated_step_property_stops_where_tlc_stops(tmp_path, properties, name):
    """TLC: "Action property NoTwo is violated", 7 states generated, 5 distinct states found,
    depth 3; the behaviour x = 0, 1, 2 with y = 0. (A conjunct of a PROPERTY, [][A]_v /\\ []P,
    is named after its PROPERTY here; TLC names it after the conjunct's definition, NoTwo.)"""
    result = _both_ways(_model(tmp_path, properties))
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.VIOLATION, 5, 7, 3)
    assert result.violation.name == name
    assert [s.state[:2] for s in result.violation.trace] == [(0, 0), (1, 0), (2, 0)]


def test_a_violated_initial_predicate_of_a_property(tmp_path):
    """TLC: "Property InitY is violated by the initial state: x = 0, y = 1" (refute names the
    PROPERTY, Refines, whose initial predicate InitY is)."""
    result = _both_ways(_model(tmp_path, "Refines"))
    assert result.status is Status.VIOLATION and result.violation.name == "Refines"
    assert [s.state[:2] for s in result.violation.trace] == [(0, 1)]
    assert (result.distinct_states, result.states_generated) == (2, 2)


def test_the_check_command_runs_it_compiled_with_workers_in_one_process(tmp_path):
    path = _model(tmp_path, "Mono NoTwo")
    out = CliRunner().invoke(main, ["check", path, "--workers", "2", "--verify",
                                    "--json", str(tmp_path / "r.json")])
    assert out.exit_code == 1, out.output
    assert "search ran in one process" in out.stderr and "backends agree" in out.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["backend"], data["distinct_states"], data["states_generated"], data["depth"]) == \
        ("compiled", 5, 7, 3)


WRAP = """---- MODULE Wrap ----
EXTENDS Naturals
VARIABLE x
Init == x = 0
Next == x' = (x + 1) % 3
Spec == Init /\\ [][Next]_x
Up == [][x' > x]_x
====
"""


def test_a_violating_step_into_a_state_seen_before(tmp_path):
    """TLC checks a step's [][A]_v whether its successor is new or not: x = 0, 1, 2, 0, 4
    states generated (TLC: "Action property Up is violated", the same behaviour)."""
    (tmp_path / "Wrap.tla").write_text(WRAP)
    (tmp_path / "Wrap.cfg").write_text("SPECIFICATION Spec\nPROPERTY Up\n")
    result = _both_ways(str(tmp_path / "Wrap.tla"))
    assert result.status is Status.VIOLATION and result.violation.name == "Up"
    assert [s.state[0] for s in result.violation.trace] == [0, 1, 2, 0]
    assert result.states_generated == 4
