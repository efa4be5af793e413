"""The fingerprint set shared by ``--workers`` processes (``engine/_shared_seen.c``).

The search relies on four properties: a fingerprint's key is the least ever claimed for it,
whatever the order and whichever process claims; ``claim`` answers 1 exactly when the caller's
key became the least; a full set refuses new fingerprints rather than losing one; and a grown
set keeps exactly the entries below a key. Each is checked here, the first also with two
processes racing on the same fingerprints.
"""

from __future__ import annotations

import multiprocessing
import os
import random

import numpy as np
import pytest

from refute.engine import shared_seen
from refute.engine.shared_seen import SharedFingerprints

pytestmark = pytest.mark.skipif(not shared_seen.available(),
                                reason="the C extension refute.engine._shared_seen is not built")

ABSENT = 2**63 - 1


@pytest.fixture
def seen():
    table = SharedFingerprints.create(100)
    yield table
    table.close()


def test_the_least_key_wins_and_claim_says_when_it_is_the_callers(seen):
    assert seen.claim(77, 500) == 1  # new
    assert seen.claim(77, 700) == 0  # a larger key: not this caller's
    assert seen.claim(77, 300) == 1  # a smaller key: now this caller's
    assert seen.claim(77, 300) == 0  # the same key again: not lowered by this call
    assert seen.add(np.array([5, 77], np.int64)) == 1  # 77 was there; -1 lowers it
    assert seen.claim(5, 0) == 0  # key -1 (an earlier level) beats any successor's key
    assert list(seen.lookup(np.array([77, 5, 6], np.int64))) == [-1, -1, ABSENT]
    assert len(seen) == 2


def test_fingerprint_zero_is_a_fingerprint_like_any_other(seen):
    assert list(seen.lookup(np.array([0], np.int64))) == [ABSENT]
    assert seen.claim(0, 9) == 1
    assert seen.claim(0, 4) == 1
    assert seen.claim(0, 5) == 0
    assert list(seen.lookup(np.array([0], np.int64))) == [4]
    assert sorted(seen.fingerprints()) == [0]
    assert len(seen) == 1


def test_negative_and_extreme_fingerprints(seen):
    extremes = np.array([-1, -2**63, 2**63 - 1, 1], np.int64)
    assert seen.add(extremes, 10) == 4
    assert sorted(seen.fingerprints()) == sorted(extremes.tolist())
    assert list(seen.lookup(extremes)) == [10] * 4


def test_a_full_set_refuses_new_fingerprints_and_keeps_the_others(monkeypatch):
    monkeypatch.setattr(shared_seen, "MIN_CAPACITY", 8)
    table = SharedFingerprints.create(1)
    try:
        assert table.capacity == 8
        assert [table.claim(fp, fp) for fp in range(1, 7)] == [1] * 6
        assert len(table) == 6  # three quarters of 8 slots
        assert table.claim(100, 1) == -1  # new, and no room
        assert table.claim(3, 1) == 1  # known: still claimable
        with pytest.raises(OverflowError, match="full"):
            table.add(np.array([200], np.int64))
    finally:
        table.close()


def test_growing_keeps_exactly_the_entries_below_a_key(seen):
    seen.add(np.arange(1, 41, dtype=np.int64))  # earlier levels: key -1
    for fp in range(30, 61):
        seen.claim(fp, 1000 + fp)  # this level: 41..60 new, keys 1041..1060
    bigger = seen.grown(100_000, below=1000)
    try:
        assert bigger.capacity > seen.capacity
        assert sorted(bigger.fingerprints()) == list(range(1, 41))
        assert set(bigger.lookup(np.arange(1, 41, dtype=np.int64))) == {-1}
        everything = seen.grown(10_000, below=ABSENT)
        assert sorted(everything.fingerprints()) == list(range(1, 61))
        assert list(everything.lookup(np.array([45, 50], np.int64))) == [1045, 1050]
        everything.close()
    finally:
        bigger.close()


def test_scan_claims_a_parents_successors_in_order(seen):
    from refute.engine.fingerprint import fingerprint
    successors = [(("a",), "x"), (("b",), "y"), (("a",), "x"), (("b",), "z")]
    seen.add(np.array([fingerprint("z")], np.int64))  # z was reached in an earlier level
    kept, claims, fired = [], bytearray(), bytearray()
    assert seen.table.scan(successors, fingerprint, 7 << 20, {"a": 0, "b": 1}, kept, claims,
                           fired) == 0
    assert kept == successors[:2]
    pairs = np.frombuffer(claims, np.int64).reshape(-1, 2)
    assert pairs.tolist() == [[fingerprint("x"), 7 << 20], [fingerprint("y"), 7 << 20 | 1]]
    assert np.frombuffer(fired, np.int16).tolist() == [0, 1, 0, 1]


def test_scan_into_a_full_set_can_be_repeated_on_a_larger_one(monkeypatch):
    monkeypatch.setattr(shared_seen, "MIN_CAPACITY", 4)
    table = shared_seen.private(1)
    successors = [(("a",), state) for state in range(1, 8)]
    kept, claims, fired = [], bytearray(), bytearray()
    assert table.scan(successors, lambda s: s, 0, {"a": 0}, kept, claims, fired) == -1
    assert (len(kept), len(claims), len(fired)) == (3, 48, 0)  # 3 of 4 slots; no action counted
    table = shared_seen.doubled(table)
    assert table.capacity == 8
    assert table.scan(successors, lambda s: s, 0, {"a": 0}, kept, claims, fired) == -1
    assert (len(kept), len(fired)) == (6, 0)
    table = shared_seen.doubled(table)
    assert table.scan(successors, lambda s: s, 0, {"a": 0}, kept, claims, fired) == 0
    assert kept == successors and len(fired) == 14
    assert np.frombuffer(claims, np.int64).reshape(-1, 2)[:, 1].tolist() == list(range(7))


def test_scan_with_a_python_fingerprint_function_and_its_errors(seen):
    kept, claims, fired = [], bytearray(), bytearray()
    seen.table.scan([(("a",), 3), (("a",), 4)], lambda s: s * 10, 0, {"a": 0}, kept, claims,
                    fired)
    assert np.frombuffer(claims, np.int64).reshape(-1, 2)[:, 0].tolist() == [30, 40]

    def broken(state):
        raise ValueError("no view of " + str(state))

    with pytest.raises(ValueError, match="no view of 5"):
        seen.table.scan([(("a",), 5)], broken, 0, {"a": 0}, kept, claims, fired)
    with pytest.raises(TypeError, match="not \\(label, state\\)"):
        seen.table.scan([("a", 5)], broken, 0, {"a": 0}, kept, claims, fired)


def _claim_all(path: str, capacity: int, fps: list[int], keys: list[int]) -> None:
    table = SharedFingerprints(path, capacity, create=False)
    for fp, key in zip(fps, keys):
        assert table.claim(fp, key) >= 0
    table.close()


def test_two_processes_racing_leave_the_least_key_of_each_fingerprint():
    rng = random.Random(7)
    fps = [rng.randrange(-2**63, 2**63) for _ in range(20_000)]
    keys = {fp: [] for fp in fps}
    table = SharedFingerprints.create(len(fps))
    try:
        context = multiprocessing.get_context("fork")
        workers = []
        for worker in range(2):
            order = fps[:]
            rng.shuffle(order)
            mine = [rng.randrange(1 << 40) for _ in order]
            for fp, key in zip(order, mine):
                keys[fp].append(key)
            workers.append(context.Process(target=_claim_all,
                                           args=(table.path, table.capacity, order, mine)))
        for process in workers:
            process.start()
        for process in workers:
            process.join()
            assert process.exitcode == 0
        assert len(table) == len(set(fps))
        assert table.lookup(np.array(fps, np.int64)).tolist() == [min(keys[fp]) for fp in fps]
    finally:
        table.close()
    assert not os.path.exists(table.path)
