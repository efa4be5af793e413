"""Python specs mean what they say (issue 19, items 10 to 14): records with the same fields
and values are one state whatever order the fields were given in; an invariant or property
declared off by default is checked only when selected by name; a predicate that returns
anything but a bool, and a generator action that returns a state, are spec errors located at
the user's line, not verdicts or silently dropped successors; actions keep declaration order."""

from __future__ import annotations

import sys

import pytest

import refute
from refute import Spec, State, action, constraint, eventually, invariant, liveness


class Counter(Spec):
    def init(self):
        return State(n=0)

    @action
    def inc(self, s):
        if s.n < 3:
            return s.update(n=s.n + 1)


def test_an_invariant_that_returns_none_is_a_spec_error_at_its_line():
    line = sys._getframe().f_lineno + 3  # the def line

    class Forgot(Counter):
        @invariant
        def small(self, s):
            s.n < 10  # the return is missing

    with pytest.raises(refute.SpecError) as info:
        refute.check(Forgot())
    error = info.value
    assert "invariant small returned None (a forgotten return?), not True or False" in str(error)
    assert (error.file, error.line) == (__file__, line)


def test_a_constraint_that_returns_a_collection_is_a_spec_error():
    class Collection(Counter):
        @constraint
        def bounded(self, s):
            return {s.n}

    with pytest.raises(refute.SpecError, match=r"constraint bounded returned \{0\}, not True or False"):
        refute.check(Collection())


def test_a_generator_action_returning_a_state_is_a_spec_error_at_the_return():
    line = sys._getframe().f_lineno + 9

    class Returns(Spec):
        def init(self):
            return State(n=0)

        @action
        def step(self, s):
            if s.n == 0:
                return s.update(n=1)
            yield s.update(n=s.n + 1)

    with pytest.raises(refute.SpecError) as info:
        refute.check(Returns())
    assert "action step yields its successors, so 'return s.update(n=1)' would be ignored" in \
        str(info.value)
    assert (info.value.file, info.value.line) == (__file__, line)


def test_a_bare_return_in_a_generator_action_is_still_allowed():
    class Bare(Spec):
        def init(self):
            return State(n=0)

        @action
        def step(self, s):
            if s.n >= 2:
                return
            yield s.update(n=s.n + 1)

    result = refute.check(Bare(), deadlock=False)
    assert (result.status, result.distinct_states, result.states_generated) == (refute.Status.OK, 3, 3)


def test_actions_are_explored_in_declaration_order_whatever_their_domains():
    """Issue 19 item 11: an action whose parameter domain is computed from the state keeps its
    place among the others (it used to come after all of them)."""
    from refute import each
    from refute.spec.compile import SpecModel

    class Order(Spec):
        def init(self):
            return State(n=0)

        @action
        def fixed_first(self, s):
            if s.n == 0:
                return s.update(n=1)

        @action
        def computed(self, s, k=each(lambda s: [s.n + 2])):
            if s.n == 0:
                return s.update(n=k)

        @action
        def fixed_last(self, s):
            if s.n == 0:
                return s.update(n=3)

    model = SpecModel(Order())
    [initial] = model.init_states()
    assert [str(label) for label, _ in model.next_states(initial)] == [
        "fixed_first", "computed(k=2)", "fixed_last"]


def test_a_state_is_one_state_whatever_order_its_fields_were_given_in():
    """Issue 19 item 10: two actions reach the same state, one writing its fields in another
    order, and a message set holds the same message written both ways: one state each."""
    from refute import Record

    class Orders(Spec):
        def init(self):
            yield State(x=0, msgs=frozenset())
            yield State(msgs=frozenset(), x=0)

        @action
        def rebuilt(self, s):
            if s.x == 0:
                return State(msgs=frozenset({Record(n=1, type="m")}), x=1)

        @action
        def updated(self, s):
            if s.x == 0:
                return s.update(x=1, msgs=s.msgs | {Record(type="m", n=1)})

    result = refute.check(Orders(), deadlock=False)
    # 2 initial states (one distinct) + 2 successors generated, one new: TLC's counting.
    assert (result.status, result.distinct_states, result.states_generated) == (refute.Status.OK, 2, 4)


class Optional(Spec):
    """Counter's states 0..3 with a check for each case: on by default, off by default."""

    def init(self):
        return State(n=0)

    @action
    def inc(self, s):
        if s.n < 3:
            return s.update(n=s.n + 1)

    @invariant
    def small(self, s):
        return s.n < 10

    @invariant(default=False)
    def below_two(self, s):
        return s.n < 2

    @liveness(default=False)
    def reaches_five(self):
        return eventually(lambda s: s.n == 5)


def test_an_invariant_off_by_default_is_checked_only_when_selected():
    """Issue 19 item 12: @invariant(default=False) / @liveness(default=False)."""
    from refute.report.json import result_to_json
    from refute.spec.compile import SpecModel

    unselected = refute.check(Optional(), deadlock=False)
    assert (unselected.status, unselected.distinct_states, unselected.states_generated) == \
        (refute.Status.OK, 4, 4)
    assert unselected.checked == ("small",)
    json = result_to_json(unselected, SpecModel(Optional()))
    assert (json["checked"], json["not_checked"]) == (["small"], ["below_two", "reaches_five"])
    # Selected: n = 2 breaks it, the third state generated (the initial state, 1, 2).
    selected = refute.check(Optional(), invariants=["below_two"], deadlock=False)
    assert (selected.status, selected.violation.name, selected.distinct_states,
            selected.states_generated, selected.checked) == \
        (refute.Status.VIOLATION, "below_two", 3, 3, ("below_two",))
    assert result_to_json(selected, SpecModel(Optional()))["not_checked"] == ["reaches_five"]
    live = refute.check(Optional(), invariants=["reaches_five"], deadlock=False)
    assert (live.status, live.violation.kind.value, live.violation.name) == \
        (refute.Status.VIOLATION, "liveness", "reaches_five")


def test_a_spec_instance_checks_an_optional_invariant_through_also_check():
    class Strict(Optional):
        def __init__(self, strict: bool = False):
            if strict:
                self.also_check = ("below_two",)

    assert refute.check(Strict(), deadlock=False).holds
    strict = refute.check(Strict(strict=True), deadlock=False)
    assert (strict.violation.name, strict.checked) == ("below_two", ("small", "below_two"))

    class Misspelt(Optional):
        also_check = ("below_tow",)

    with pytest.raises(refute.SpecError, match="also_check names 'below_tow', which is not an "
                                               "invariant or property of the spec"):
        refute.check(Misspelt())
    with pytest.raises(TypeError, match=r"@invariant\(default=...\) takes True or False"):
        invariant(default="no")
