"""Trace validation on small logs: partial observations, hidden and stuttering steps,
observation-only events, the honest 'incomplete', and errors in the log."""

from __future__ import annotations

import pytest
from fencing_lock import FencingLock

from refute import Spec, State, action, each
from refute.conformance import Options, read_log, validate
from refute.conformance.validate import Cut
from refute.errors import InputError, UsageError
from refute.spec.compile import SpecModel
from refute.status import Status


def events(*lines: str):
    return read_log([line + "\n" for line in lines], "log.jsonl")


FENCING = SpecModel(FencingLock(fencing=True))


def test_unknown_arguments_and_variables_match_anything():
    result = validate(FENCING, events('{"action": "acquire"}', '{"action": "lease_expires"}',
                                      '{"action": "acquire", "token": 34}'))
    assert result.status is Status.OK
    assert (result.widest, result.final_states) == (2, 2)  # client 1 or 2 first; the other second


def test_partial_maps_and_sets_in_any_order():
    result = validate(FENCING, events(
        '{"action": "acquire", "client": 2, "state": {"token": {"2": 33}}}',
        '{"action": "write", "client": 2, "wrote": [2], "accepted": [33]}',
        '{"action": null, "token": {"1": null, "2": 33}, "wrote": [2]}'))
    assert result.status is Status.OK and result.final_states == 1
    wrong = validate(FENCING, events('{"action": "acquire", "client": 2, "state": {"token": {"2": 34}}}'))
    assert wrong.status is Status.VIOLATION


def test_observation_event_rejects_a_wrong_initial_state():
    result = validate(FENCING, events('{"action": null, "next_token": 34}'))
    assert result.status is Status.VIOLATION
    (candidate,) = result.mismatch.candidates
    assert candidate.near[0].label is None
    assert candidate.near[0].differences == ("next_token: the log observes 34, the spec has 33",)


class Counter(Spec):
    """A counter with an unlogged tick; reset is what the log records."""

    def __init__(self, limit: int = 10):
        self.limit = limit

    def init(self):
        return State(n=0)

    @action
    def tick(self, s):
        if s.n < self.limit:
            return s.update(n=s.n + 1)

    @action
    def reset(self, s, to=each([0])):
        return s.update(n=to)


def test_hidden_steps_are_explored_to_the_depth_bound():
    model = SpecModel(Counter())
    log = events('{"action": null, "n": 3}')
    assert validate(model, log, Options(hidden=frozenset({"tick"}))).status is Status.OK
    cut = validate(model, events('{"action": null, "n": 5}'), Options(hidden=frozenset({"tick"})))
    assert cut.status is Status.INCOMPLETE and cut.cuts == (Cut.HIDDEN_DEPTH,)
    deeper = Options(hidden=frozenset({"tick"}), hidden_depth=5)
    assert validate(model, events('{"action": null, "n": 5}'), deeper).status is Status.OK
    exact = validate(SpecModel(Counter(limit=2)), events('{"action": null, "n": 5}'),
                     Options(hidden=frozenset({"tick"})))
    assert exact.status is Status.VIOLATION and exact.cuts == ()  # nothing cut: a real "no"


def test_stuttering_events():
    model = SpecModel(Counter())
    log = events('{"action": "tick", "n": 1}', '{"action": "retry", "n": 1, "attempt": 2}',
                 '{"action": "tick", "n": 1}')
    with pytest.raises(InputError) as caught:
        validate(model, log)
    assert caught.value.line == 2 and "'retry' is not an action of Counter" in caught.value.message
    result = validate(model, log, Options(stutter=frozenset({"retry", "tick"})))
    assert result.status is Status.OK


def test_frontier_bound_makes_a_rejection_incomplete():
    log = events('{"action": "acquire"}', '{"action": "write", "client": 2}')
    result = validate(FENCING, log, Options(max_frontier=1))
    assert result.status is Status.INCOMPLETE and result.cuts == (Cut.FRONTIER,)
    assert validate(FENCING, log).status is Status.OK


def test_log_errors_point_at_the_line():
    with pytest.raises(InputError) as caught:
        validate(FENCING, events('{"action": "acquire", "storage_max": 33}'))
    assert caught.value.line == 1 and "'storage_max', which is not a variable" in caught.value.message
    with pytest.raises(InputError, match="acquire has no parameter color"):
        validate(FENCING, events('{"action": "acquire", "args": {"color": 1}}'))
    with pytest.raises(UsageError, match="--hidden crash: not an action of FencingLock"):
        validate(FENCING, events(), Options(hidden=frozenset({"crash"})))


def test_empty_log_conforms_with_a_warning():
    result = validate(FENCING, [])
    assert result.status is Status.OK and result.warnings
