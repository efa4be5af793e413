"""The worked example: examples/impl (asyncio lock service, storage, clients) against
examples/fencing_lock.py. The three outcomes of the conformance issue, asserted exactly:

1. the implementation's logs conform to the spec with fencing on;
2. with the planted bug (the storage skips the token check) refute rejects the log at the
   exact event where the stale write was accepted;
3. ``testgen`` paths replayed against the implementation pass, and fail on the planted bug
   at the step where the spec rejects a stale write.

Runs are deterministic: a virtual clock and seeded randomness (examples/impl/clock.py).
"""

from __future__ import annotations

import io

import pytest
from fencing_lock import FencingLock
from impl.adapter import FencingAdapter
from impl.fencing import Config, run

from refute.conformance import Divergence, Options, generate_tests, read_log, replay, validate
from refute.spec.compile import SpecModel
from refute.status import Status

KLEPPMANN = dict(starts={1: 0.0, 2: 1.0}, pauses={1: 25.0, 2: 1.0})
"""Client 1 takes the lease, pauses 25 s (the lease lasts 10), client 2 takes it and writes,
then client 1 wakes up and writes with its old token."""

SEEDS = range(30)


def fencing_spec(clients: int = 2) -> SpecModel:
    return SpecModel(FencingLock(clients=clients, fencing=True))


def record(config: Config):
    buffer = io.StringIO()
    system = run(config, buffer)
    return system, read_log(buffer.getvalue().splitlines(), "run.jsonl")


def test_kleppmann_run_conforms_with_fencing():
    system, events = record(Config(**KLEPPMANN))
    assert [e.action for e in events] == ["acquire", "lease_expires", "acquire", "write",
                                          "lease_expires", "write"]
    assert system.storage.accepted == [34] and system.storage.rejected == [33]
    result = validate(fencing_spec(), events)
    assert result.status is Status.OK
    assert (result.events, result.final_states, result.widest) == (6, 1, 1)


@pytest.mark.parametrize("clients", [2, 3])
def test_randomised_runs_conform_with_fencing(clients):
    model = fencing_spec(clients)
    for seed in SEEDS:
        system, events = record(Config(clients=clients, seed=seed))
        result = validate(model, events)
        assert result.status is Status.OK, (seed, result.mismatch and result.mismatch.summary)
        assert result.events == 3 * clients  # acquire, lease_expires and write per client


def test_planted_bug_is_rejected_at_the_stale_write():
    system, events = record(Config(planted_bug=True, **KLEPPMANN))
    assert system.storage.accepted == [34, 33]
    assert system.storage.stale_accepted == [5]
    result = validate(fencing_spec(), events)
    assert result.status is Status.VIOLATION
    mismatch = result.mismatch
    assert (mismatch.event.index, mismatch.event.line) == (5, 6)
    assert (mismatch.event.action, mismatch.event.args) == ("write", {"client": 1, "token": 33})
    assert mismatch.possible == 1
    (candidate,) = mismatch.candidates
    assert candidate.state.accepted == (34,) and candidate.state.holder is None
    assert [str(label) for label in candidate.allowed] == ["write(client=1, token=33)"]
    (near,) = candidate.near
    assert near.differences == ("accepted: the log observes [34, 33], the spec has [34]",
                                "rejected: the log observes [], the spec has [33]")
    # Without fencing in the spec too, the buggy implementation conforms: it is that design.
    assert validate(SpecModel(FencingLock(fencing=False)), events).status is Status.OK


def test_planted_bug_randomised_runs_are_rejected_exactly_at_the_first_stale_write():
    model = fencing_spec(3)
    rejected = 0
    for seed in SEEDS:
        system, events = record(Config(clients=3, seed=seed, planted_bug=True))
        result = validate(model, events)
        if system.storage.stale_accepted:
            rejected += 1
            assert result.status is Status.VIOLATION, seed
            assert result.mismatch.event.index == system.storage.stale_accepted[0], seed
        else:
            assert result.status is Status.OK, seed
    assert rejected == 9  # of the 30 seeds, pinned: the runs are deterministic


def test_unlogged_lease_expiry_is_found_as_a_hidden_step():
    _, events = record(Config(**KLEPPMANN))
    unlogged = [e for e in events if e.action != "lease_expires"]
    for number, event in enumerate(unlogged):
        event.index = number
    result = validate(fencing_spec(), unlogged, Options(hidden=frozenset({"lease_expires"})))
    assert result.status is Status.OK
    assert (result.events, result.widest) == (4, 2)  # after the last write: expired or not
    strict = validate(fencing_spec(), unlogged)
    assert strict.status is Status.VIOLATION
    assert (strict.mismatch.event.index, strict.mismatch.event.action) == (1, "acquire")


@pytest.fixture(scope="module")
def transition_paths():
    return generate_tests(fencing_spec(), "transitions")


def replay_all(paths, planted_bug: bool) -> dict[str, Divergence]:
    failures = {}
    for path in paths:
        adapter = FencingAdapter(planted_bug=planted_bug)
        try:
            replay(path, adapter)
        except Divergence as divergence:
            failures[path.id] = divergence
        finally:
            adapter.close()
    return failures


def first_rejection(path) -> int | None:
    return next((n for n, step in enumerate(path.steps) if step.state["rejected"]), None)


def test_testgen_paths_pass_against_the_implementation(transition_paths):
    assert (len(transition_paths.paths), transition_paths.covered, transition_paths.total) == (16, 48, 48)
    assert replay_all(transition_paths.paths, planted_bug=False) == {}
    actions = generate_tests(fencing_spec(), "actions")
    assert [len(p.steps) - 1 for p in actions.paths] == [3]
    assert replay_all(actions.paths, planted_bug=False) == {}


def test_testgen_paths_fail_on_the_planted_bug_at_the_stale_write(transition_paths):
    failures = replay_all(transition_paths.paths, planted_bug=True)
    expected = {p.id: first_rejection(p) for p in transition_paths.paths
                if first_rejection(p) is not None}
    assert sorted(failures) == sorted(expected) == ["path-13", "path-15", "path-2", "path-8"]
    for path_id, divergence in failures.items():
        assert divergence.step == expected[path_id]
        path = next(p for p in transition_paths.paths if p.id == path_id)
        assert path.steps[divergence.step].action == "write"
        assert any(d.startswith("accepted: the spec expects") for d in divergence.differences)
    message = str(failures["path-8"])
    assert message.startswith("path-8, step 6 of 6 (write(client=1, token=33)): the "
                              "implementation diverges from the spec")
    assert "rejected: the spec expects [33], the implementation has []" in message
