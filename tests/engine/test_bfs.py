"""Search semantics on small specs whose state spaces are counted by hand."""

from __future__ import annotations

import refute
from refute import Bag, Spec, State, Status, action, constraint, each, invariant, terminal


class Counter(Spec):
    """n counts up from 0 to 5 and may reset; the counts below are easy to verify by hand."""

    def init(self):
        return State(n=0, resets=0)

    @action
    def inc(self, s):
        if s.n < 5:
            return s.update(n=s.n + 1)

    @action
    def reset(self, s):
        if s.n > 0:
            return s.update(n=0, resets=s.resets + 1)

    @action
    def never(self, s):
        if s.n < 0:
            return s


class BoundedCounter(Counter):
    @constraint
    def few_resets(self, s):
        return s.resets <= 1


class CounterView(Counter):
    def view(self, s):
        return s.n


def test_constraint_prunes_like_tlc():
    # resets 0: n = 0..5 (6 states); resets 1: n = 0..5 (6 states); 12 distinct.
    # Generated: 1 initial + per state (inc if n<5, reset if n>0): 12 states have
    # 5 inc each side + 5 reset each side = 20 successors, 5 of them outside the constraint.
    result = refute.check(BoundedCounter(), deadlock=False)
    assert (result.distinct_states, result.states_generated, result.depth) == (12, 21, 8)
    # Everything inside the constraint holds: OK within the constraint (TLC: success), the 5
    # successors it pruned counted and the constraint named.
    assert result.status is Status.OK and result.stop_reason is None
    assert (result.pruned, result.constrained_by) == (5, ("few_resets",))


def test_view_identifies_states_by_the_view():
    # Only n identifies a state: 6 distinct; each explored state's successors are generated.
    result = refute.check(CounterView())
    assert (result.distinct_states, result.states_generated, result.depth) == (6, 11, 6)


def test_coverage_and_never_fired_warning():
    result = refute.check(CounterView())
    coverage = {c.action: (c.fired, c.new_states) for c in result.coverage}
    assert coverage == {"inc": (5, 5), "reset": (5, 0), "never": (0, 0)}
    assert result.warnings == ("action never never fired: it is never enabled, or a guard is wrong",)


class Network(Spec):
    """Messages in a bag; receiving takes any message in flight (a state-dependent domain)."""

    def init(self):
        return State(net=Bag(["a", "a", "b"]), got=())

    @action
    def receive(self, s, m=each(lambda s: s.net.distinct())):
        return s.update(net=s.net.remove(m), got=tuple(sorted(s.got + (m,))))

    @action
    def duplicate(self, s, m=each(lambda s: s.net.distinct())):
        if not s.got and s.net.count(m) < 2:  # only before the first receive: finite
            return s.update(net=s.net.add(m))

    @terminal
    def drained(self, s):
        return not s.net

    @invariant
    def conserved(self, s):
        return len(s.net) + len(s.got) >= 3


def test_state_dependent_domains_bags_and_terminal_states():
    result = refute.check(Network())
    assert result.status is Status.OK
    # Before any receive: {a,a,b} and, duplicated, {a,a,b,b}: 2 states. After: every proper
    # sub-multiset of either as the net (the rest received): 6 - 1 + 9 - 1 = 13. Total 15.
    # Generated: 1 + (3 + 2) from the first two + one receive per distinct message in the net
    # of the 13 others (5 + 10) = 21.
    assert (result.distinct_states, result.states_generated) == (15, 21)


class Choice(Spec):
    def init(self):
        return State(x=0)

    @action
    def pick(self, s):
        if s.x == 0:
            for value in (3, 1, 2):
                yield s.update(x=value)

    @invariant
    def not_two(self, s):
        return s.x != 2


def test_yielded_successors_keep_their_order_and_the_deadlock_is_reported():
    result = refute.check(Choice())
    assert result.violation.name == "not_two"
    assert [str(step.action) for step in result.violation.trace] == ["None", "pick"]
    assert result.violation.trace[-1].state.x == 2
    deadlock = refute.check(Choice(), invariants=[])
    assert deadlock.violation.kind.value == "deadlock"
    assert deadlock.violation.trace[-1].state.x == 3, "the first successor in yield order"


def test_max_states_stops_incomplete():
    result = refute.check(Counter(), max_states=4, deadlock=False)
    assert result.status is Status.INCOMPLETE and result.distinct_states == 4
    assert result.stop_reason.name == "MAX_STATES"


def test_next_states_does_not_depend_on_init_states_having_run_first():
    """A worker or a resumed run may ask for successors of a state it did not derive."""
    from refute.spec.compile import SpecModel

    fresh = SpecModel(Counter())
    assert [(str(label), s.n) for label, s in fresh.next_states(State(n=2, resets=0))] == [
        ("inc", 3), ("reset", 0)]
