"""The fused next_states (refute.spec.fuse) against the unfused loop: the same successors, in
the same order, with the same labels; the same errors; and actions it must not fuse left to
their calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from refute import Spec, State, action, each, invariant, outcome
from refute.engine.bfs import Options, explore
from refute.errors import SpecError
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC_FILES = sorted(p for p in EXAMPLES.glob("*.py") if "class " in p.read_text())


def _fused_actions(model: SpecModel) -> tuple[str, ...]:
    """The actions the model's fused next_states runs inline (the others it calls)."""
    model.init_states()
    return getattr(model._fuse(), "fused_actions", ())


def _run(spec: Spec, fuse: bool, max_states: int = 3000):
    return explore(SpecModel(spec, fuse=fuse), Options(max_states=max_states))


def _same_result(spec_of, max_states: int = 3000) -> None:
    fused, unfused = _run(spec_of(), True, max_states), _run(spec_of(), False, max_states)
    assert (fused.status, fused.distinct_states, fused.states_generated, fused.depth) == (
        unfused.status, unfused.distinct_states, unfused.states_generated, unfused.depth)
    assert fused.coverage == unfused.coverage
    if unfused.violation is None:
        assert fused.violation is None
    else:
        assert fused.violation.name == unfused.violation.name
        assert [(str(step.action), step.state) for step in fused.violation.trace] == [
            (str(step.action), step.state) for step in unfused.violation.trace]


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.stem)
def test_every_example_explores_the_same_fused_and_unfused(path):
    _same_result(lambda: load_spec(str(path)))


def test_two_phase_fuses_every_action_and_hoists_its_state_guards():
    spec = load_spec(str(EXAMPLES / "two_phase.py"), {"rms": "3"})
    model = SpecModel(spec)
    assert _fused_actions(model) == model.action_names
    result, unfused = _run(spec, True, 10**6), _run(load_spec(str(EXAMPLES / "two_phase.py"),
                                                              {"rms": "3"}), False, 10**6)
    assert (result.distinct_states, result.states_generated, result.depth) == (288, 1146, 11)
    assert (unfused.distinct_states, unfused.states_generated, unfused.depth) == (288, 1146, 11)


def test_the_state_of_every_instance_is_the_unfused_one():
    spec = load_spec(str(EXAMPLES / "paxos.py"), {"ballots": "2"})
    fused, unfused = SpecModel(spec), SpecModel(spec, fuse=False)
    frontier = fused.init_states()
    unfused.init_states()
    seen = set(frontier)
    while frontier:
        state = frontier.pop()
        mine, theirs = fused.next_states(state), unfused.next_states(state)
        assert [(str(label), s) for label, s in mine] == [(str(label), s) for label, s in theirs]
        for _, successor in mine:
            if successor not in seen:
                seen.add(successor)
                frontier.append(successor)
    assert len(seen) > 1000
    # promise assigns a local inside its guard; propose returns from inside a loop: called
    assert set(_fused_actions(SpecModel(spec))) == {"prepare", "promise", "accept"}


class MaybeUnbound(Spec):
    """x is assigned only for i == 1: a call raises UnboundLocalError for i == 0; a fused loop
    would read the last instance's x instead. Never fused."""

    def init(self):
        return State(n=0)

    @action
    def step(self, s, i=each(range(3))):
        if i == 1:
            x = 5
        return s.update(n=x)


def test_a_local_that_may_be_unbound_is_not_fused_and_fails_as_a_call():
    model = SpecModel(MaybeUnbound())
    assert _fused_actions(model) == ()
    with pytest.raises(SpecError, match=r"step\(i=0\)"):
        explore(model)


class Failing(Spec):
    """A fused action that raises for one instance: the error names that instance."""

    def init(self):
        return State(n=0, table={"a": 1})

    @action
    def bump(self, s):
        if s.n < 2:
            return s.update(n=s.n + 1)

    @action
    def look(self, s, key=each(["a", "b"])):
        if s.n == 2:
            return s.update(n=s.table[key])


def test_an_exception_in_a_fused_action_names_the_instance_as_a_call_does():
    model = SpecModel(Failing())
    assert _fused_actions(model) == ("bump", "look")
    with pytest.raises(SpecError) as fused:
        explore(SpecModel(Failing()))
    with pytest.raises(SpecError) as unfused:
        explore(SpecModel(Failing(), fuse=False))
    assert "look(key='b') raised KeyError" in str(fused.value)
    assert str(fused.value) == str(unfused.value)


_s = 1  # a global with a name of the fused function's own: the action reading it is called


class Mixed(Spec):
    """Fused, hoisted, generator, outcome, a loop with a return and a global all in one spec."""

    def init(self):
        return State(n=0, flag=False, log=())

    @action
    def toggle(self, s):
        """A docstring, then the body."""
        return s.update(flag=not s.flag)

    @action
    def add(self, s, k=each((1, 2))):
        if not s.flag and s.n < 4 and k <= 4 - s.n:
            return s.update(n=s.n + k)

    @action
    def branches(self, s):
        for k in (1, 2):
            if s.n == k and len(s.log) < 2:
                return s.update(log=s.log + (k,))
        return None

    @action
    def several(self, s, k=each((1,))):
        if s.flag and s.n < 4:
            yield s.update(n=s.n + k)
            yield outcome("big", s.update(n=4))

    @action
    def from_global(self, s):
        if s.n == 4 and _s and len(s.log) < 2:
            return s.update(log=s.log + (_s,))

    @action
    def labelled(self, s):
        if s.n == 3 and not s.flag:
            return outcome("three", s.update(flag=True))

    @invariant
    def bounded(self, s):
        return s.n <= 4


def test_what_is_not_fused_runs_in_order_among_what_is():
    model = SpecModel(Mixed())
    assert _fused_actions(model) == ("toggle", "add", "labelled")
    _same_result(Mixed, 10**6)
    result = _run(Mixed(), True, 10**6)
    assert result.distinct_states > 20
    assert dict((c.action, c.fired) for c in result.coverage)["labelled"] > 0


class Validated(Spec):
    """The first successor of each action is deep-checked when fused too."""

    def init(self):
        return State(n=0, items=())

    @action
    def grow(self, s):
        if s.n < 2:
            return s.update(n=s.n + 1)

    @action
    def store(self, s):
        if s.n == 2:
            return s.update(n=3, items=(1, [2]))  # a list inside a tuple: not immutable


def test_a_mutable_successor_is_refused_when_fused():
    with pytest.raises(SpecError, match="not immutable"):
        explore(SpecModel(Validated()))
