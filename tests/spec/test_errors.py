"""A broken spec is reported with its file, line, the action and the state, never a traceback."""

from __future__ import annotations

import inspect
import textwrap

import pytest

import refute
from refute import SpecError, State, UsageError, action, each, invariant
from refute.spec.loader import load_spec


def write_spec(tmp_path, body: str, name: str = "spec.py"):
    path = tmp_path / name
    path.write_text("from refute import *\n" + textwrap.dedent(body))
    return path


class Raises(refute.Spec):
    def init(self):
        return State(n=0)

    @action
    def step(self, s):
        return s.update(n=1 // (1 - s.n))  # fails once n == 1


def test_action_that_raises_names_action_line_and_state():
    with pytest.raises(SpecError) as info:
        refute.check(Raises())
    error = info.value
    assert error.message == "step raised ZeroDivisionError: integer division or modulo by zero"
    failing_line = inspect.getsourcelines(Raises.step)[1] + 2  # @action, def, return
    assert (error.file, error.line) == (__file__, failing_line)
    assert error.detail == "in state: Record(n=1)"


class ReturnsList(refute.Spec):
    def init(self):
        return State(log=())

    @action
    def append(self, s):
        if len(s.log) < 1:
            return s._asdict()


def test_action_returning_something_else_than_a_state():
    with pytest.raises(SpecError, match=r"append produced a dict where a state was expected"):
        refute.check(ReturnsList())


class Opaque:
    pass


class HoldsObject(refute.Spec):
    def init(self):
        return State(thing=None)

    @action
    def put(self, s):
        if s.thing is None:
            return s.update(thing=Opaque())


def test_state_holding_an_object_hashed_by_address():
    with pytest.raises(SpecError, match=r"state.thing is a Opaque whose hash is its memory address"):
        refute.check(HoldsObject())


class NoDomain(refute.Spec):
    def init(self):
        return State(n=0)

    @action
    def bump(self, s, k):
        return s.update(n=k)


def test_action_parameter_without_domain():
    with pytest.raises(SpecError, match="parameter 'k' of action bump has no domain") as info:
        refute.check(NoDomain())
    assert "k=each(" in info.value.hint


class BadDomain(refute.Spec):
    def init(self):
        return State(n=0)

    @action
    def bump(self, s, k=each("ks")):
        return s.update(n=k)


def test_domain_naming_a_missing_attribute():
    with pytest.raises(SpecError, match=r"each\('ks'\) names no attribute"):
        refute.check(BadDomain())


class FailingInvariant(refute.Spec):
    def init(self):
        return State(n=0)

    @action
    def bump(self, s):
        if s.n < 2:
            return s.update(n=s.n + 1)

    @invariant
    def small(self, s):
        return {0: True, 1: True}[s.n]


def test_invariant_that_raises():
    with pytest.raises(SpecError, match="invariant small raised KeyError: 2") as info:
        refute.check(FailingInvariant())
    assert info.value.detail == "in state: Record(n=2)"


def test_unknown_invariant_name_lists_the_known_ones():
    with pytest.raises(UsageError, match="no invariant named big") as info:
        refute.check(FailingInvariant(), invariants=["big"])
    assert info.value.hint == "its invariants are: small"


def test_syntax_error_in_spec_file(tmp_path):
    path = write_spec(tmp_path, """
        class S(Spec):
            def init(self)
                return State(n=0)
        """)
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    assert (info.value.file, info.value.line) == (str(path), 4)
    assert "syntax error" in info.value.message


def test_import_error_in_spec_file(tmp_path):
    path = write_spec(tmp_path, """
        import no_such_module_here
        """)
    with pytest.raises(SpecError, match="importing the spec raised ModuleNotFoundError") as info:
        load_spec(str(path))
    assert info.value.line == 3


def test_unknown_and_mistyped_parameters(tmp_path):
    path = write_spec(tmp_path, """
        class S(Spec):
            def __init__(self, n: int = 2, fast: bool = False):
                self.n = n
            def init(self):
                return State(n=self.n)
            @action
            def tick(self, s):
                pass
        """)
    with pytest.raises(UsageError, match="S has no parameter m") as info:
        load_spec(str(path), {"m": "1"})
    assert info.value.hint == "its parameters (with defaults) are: n=2, fast=False"
    with pytest.raises(UsageError, match="parameter n of S expects int, got 'two'"):
        load_spec(str(path), {"n": "two"})
    assert load_spec(str(path), {"n": "5", "fast": "yes"}).n == 5


def test_file_with_several_specs_needs_a_class_name(tmp_path):
    path = write_spec(tmp_path, """
        class A(Spec):
            pass
        class B(Spec):
            pass
        """)
    with pytest.raises(UsageError, match="defines several specs: A, B"):
        load_spec(str(path))
    assert type(load_spec(f"{path}:B")).__name__ == "B"


class _Opaque:
    """Hashable by identity: different in every process, so never part of a state."""


class LateBadAction(refute.Spec):
    """count fires from the start; bad only at n == 3, with a state no fingerprint can trust."""

    def init(self):
        return State(n=0, box=None)

    @action
    def count(self, s):
        if s.n < 5:
            return s.update(n=s.n + 1)

    @action
    def bad(self, s):
        if s.n == 3:
            return s.update(box=_Opaque())


def test_an_action_first_enabled_deep_is_still_checked_on_its_first_successor():
    with pytest.raises(SpecError) as info:
        refute.check(LateBadAction())
    assert info.value.message.startswith("bad produced a state that is not immutable: state.box "
                                         "is a _Opaque whose hash is its memory address")
    assert info.value.detail == "in state: Record(n=3, box=None)"
