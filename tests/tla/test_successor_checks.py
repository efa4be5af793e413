"""Each successor judged as TLC's Worker judges it (tlc2.tool.Worker.addElement, the same in
ModelChecker.doNext): stored if it is within the CONSTRAINT and ACTION_CONSTRAINT and new;
its invariants checked if it was not seen before, *also outside the constraints* (TLC 2.16+:
such a state is never stored, so it is checked each time it is generated); then a PROPERTY's
``[][A]_v`` on the step, whether its successor is new, seen before or outside the model.

Every figure below is TLC's, built from source (``tlc -workers 1``: verdict, states
generated, distinct states found, depth, behaviour), on both backends: the interpreter, and
the compiled backend's native search (no hand-over to the interpreter, ``--verify`` equal).
"""

from __future__ import annotations

import functools

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled.backend import compile_model, compile_spec, explore, result_difference, verify
from refute.engine import bfs
from refute.engine.liveness import check_model
from refute.sources import Source, load_model
from refute.status import Status
from refute.tla.model import TLAModel

HEAD = "EXTENDS Naturals\nVARIABLE x\n"
TWO_WAYS = "Next == x' = x + 1 \\/ x' = x + 2\n"

SPECS = {
    # a step into a state seen before violates [][A]_v: not a new state (TLC: "Action
    # property Prop is violated", x = 0, 1, 2, 0)
    "Wrap": (HEAD + "Init == x = 0\nNext == x' = (x + 1) % 3\nSpec == Init /\\ [][Next]_x\n"
             "Prop == [][x' > x]_x\n", "SPECIFICATION Spec\nPROPERTY Prop\n",
             ("Prop", 4, 3, 3, [0, 1, 2, 0])),
    # the same into a new state: stored, then the step judged
    "Into": (HEAD + "Init == x = 0\nNext == x' = (x + 1) % 3\nSpec == Init /\\ [][Next]_x\n"
             "Prop == [][x' # 2]_x\n", "SPECIFICATION Spec\nPROPERTY Prop\n",
             ("Prop", 3, 3, 3, [0, 1, 2])),
    # an invariant violated only outside the CONSTRAINT: TLC finds it (refute said "holds")
    "Beyond": (HEAD + "Init == x = 0\n" + TWO_WAYS + "Inv == x # 4\nBound == x < 3\n",
               "INIT Init\nNEXT Next\nINVARIANT Inv\nCONSTRAINT Bound\n",
               ("Inv", 7, 3, 2, [0, 2, 4])),
    # ... and only on a step outside the ACTION_CONSTRAINT (1 state left on TLC's queue)
    "BeyondStep": (HEAD + "Init == x = 0\n" + TWO_WAYS + "Inv == x # 4\n"
                   "Small == x' - x = 1 \\/ x' < 4\n",
                   "INIT Init\nNEXT Next\nINVARIANT Inv\nACTION_CONSTRAINT Small\n",
                   ("Inv", 7, 4, 3, [0, 2, 4])),
    # [][A]_v violated by a step outside the CONSTRAINT
    "BeyondProp": (HEAD + "Init == x = 0\n" + TWO_WAYS + "Spec == Init /\\ [][Next]_x\n"
                   "Prop == [][x' # 4]_x\nBound == x < 3\n",
                   "SPECIFICATION Spec\nPROPERTY Prop\nCONSTRAINT Bound\n",
                   ("Prop", 7, 3, 2, [0, 2, 4])),
    # a step into a state seen before, mid-level, two states left on TLC's queue
    "Seen": (HEAD + "Init == x \\in {0, 5}\nNext == x' = (x + 1) % 4 \\/ x' = 3\n"
             "Spec == Init /\\ [][Next]_x\nProp == [][~(x = 1 /\\ x' = 3)]_x\n",
             "SPECIFICATION Spec\nPROPERTY Prop\n", ("Prop", 8, 5, 2, [0, 1, 3])),
    # an initial state outside the CONSTRAINT violates the invariant (TLC: "Invariant Inv is
    # violated by the initial state: x = 7"; it prints no counts there)
    "InitBeyond": (HEAD + "Init == x \\in {0, 7}\nNext == x' = (x + 1) % 3\nInv == x # 7\n"
                   "Bound == x < 3\n", "INIT Init\nNEXT Next\nINVARIANT Inv\nCONSTRAINT Bound\n",
                   ("Inv", 2, 1, 1, [7])),
}


def _write(tmp_path, name: str) -> str:
    body, cfg, _ = SPECS[name]
    (tmp_path / f"{name}.tla").write_text(f"---- MODULE {name} ----\n{body}====\n")
    (tmp_path / f"{name}.cfg").write_text(cfg)
    return str(tmp_path / f"{name}.tla")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_successor_judged_as_tlc_judges_it(tmp_path, name):
    path = _write(tmp_path, name)
    interpreted = check_model(TLAModel(path), bfs.Options())
    model = TLAModel(path)
    compiled = compile_model(model)
    native = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    assert result_difference(native, interpreted) is None, result_difference(native, interpreted)
    outcome = verify(TLAModel(path), compile_model(TLAModel(path)))
    assert outcome.equal, outcome.message
    violated, generated, distinct, depth, xs = SPECS[name][2]
    for result in (interpreted, native):
        assert result.status is Status.VIOLATION and result.violation.name == violated
        assert (result.states_generated, result.distinct_states, result.depth) == \
            (generated, distinct, depth)
        assert [step.state[0] for step in result.violation.trace] == xs


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_workers_check_what_the_constraint_drops(tmp_path, backend):
    """``--workers 2``: the run goes to one process, which checks successors outside the
    constraint (the sharded searches drop them unchecked), and says so."""
    result = CliRunner().invoke(main, ["check", _write(tmp_path, "Beyond"), "--workers", "2",
                                       "--backend", backend])
    assert result.exit_code == 1, result.output
    assert "Beyond: 3 distinct states, 7 generated, depth 2" in result.output
    assert "one process" in result.output + result.stderr


PYTHON_BEYOND = """\
from refute import Spec, State, action, constraint, invariant


class Beyond(Spec):
    def init(self):
        return State(x=0)

    @action
    def one(self, s):
        return s.update(x=s.x + 1)

    @action
    def two(self, s):
        return s.update(x=s.x + 2)

    @invariant
    def not_four(self, s):
        return s.x != 4

    @constraint
    def bound(self, s):
        return s.x < 3
"""


def test_python_specs_check_what_the_constraint_drops(tmp_path):
    """A Python spec's ``@constraint`` is TLC's CONSTRAINT: the same successor is checked
    before it is dropped, by both backends (the twin of "Beyond": 7 / 3 / 2)."""
    (tmp_path / "beyond.py").write_text(PYTHON_BEYOND)
    source = Source(str(tmp_path / "beyond.py"))
    interpreted = check_model(load_model(source), bfs.Options())
    model = load_model(source)
    compiled = compile_spec(model)
    native = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    assert result_difference(native, interpreted) is None, result_difference(native, interpreted)
    assert (interpreted.status, interpreted.states_generated, interpreted.distinct_states,
            interpreted.depth) == (Status.VIOLATION, 7, 3, 2)
    assert [step.state.x for step in interpreted.violation.trace] == [0, 2, 4]
