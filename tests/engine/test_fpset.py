"""FingerprintSet / FingerprintMap: the C types and their pure-Python twins answer alike."""

from __future__ import annotations

import random

import numpy as np
import pytest

from refute.engine import fpset
from refute.engine.fingerprint import fingerprint

SETS = [fpset.PyFingerprintSet] + ([fpset.FingerprintSet] if fpset.IMPLEMENTATION == "c" else [])
MAPS = [fpset.PyFingerprintMap] + ([fpset.FingerprintMap] if fpset.IMPLEMENTATION == "c" else [])


def test_the_c_types_are_built():
    """Every install with a compiler builds them (setup.py); the twins are for the others."""
    assert fpset.IMPLEMENTATION == "c"


def _keys(count: int, seed: int = 7) -> list[int]:
    generator = random.Random(seed)
    edge = [0, 1, -1, 2**63 - 1, -2**63]
    return edge + [generator.randrange(-2**63, 2**63) for _ in range(count)] + edge


@pytest.mark.parametrize("kind", SETS)
def test_set_against_a_python_set(kind):
    keys = _keys(5_000) + [k & 0xFFFF for k in _keys(2_000, seed=3)]  # many collisions too
    table, model = kind(), set()
    for key in keys:
        assert (key in table) == (key in model)
        table.add(key)
        model.add(key)
        assert len(table) == len(model)
    assert all(key in table for key in model)
    for probe in _keys(500, seed=11):
        assert (probe in table) == (probe in model)
    assert "not an int" not in table and 2**64 not in table


@pytest.mark.parametrize("kind", SETS)
def test_set_arrays(kind):
    keys = np.array(_keys(3_000), dtype=np.int64)
    table = kind()
    assert table.add_array(keys[:2_000]) == len(set(keys[:2_000].tolist()))
    assert table.add_array(keys) == len(set(keys.tolist())) - len(set(keys[:2_000].tolist()))
    probe = np.concatenate([keys[::7], np.array([3, 4, 5], dtype=np.int64)])
    found = np.zeros(len(probe), dtype=bool)
    table.contains_array(probe, found)
    assert found.tolist() == [k in set(keys.tolist()) for k in probe.tolist()]
    out = np.empty(len(table), dtype=np.int64)
    assert table.fingerprints(out) == len(table)
    assert sorted(out.tolist()) == sorted(set(keys.tolist()))
    read_only = keys.copy()
    read_only.flags.writeable = False  # as arrays from Ray's object store are
    assert table.add_array(read_only) == 0
    assert table.memory_bytes > 0


@pytest.mark.parametrize("kind", SETS)
def test_scan_counts_actions_and_answers_the_new_positions(kind):
    states = [("a", i % 5) for i in range(12)]
    successors = [(("act0" if i % 3 else "act1", ()), state) for i, state in enumerate(states)]
    table = kind()
    table.add(fingerprint(("a", 0)))
    fired = np.zeros(2, dtype=np.int64)
    new = table.scan(successors, fingerprint, {"act0": 0, "act1": 1}, fired)
    assert new == [1, 2, 3, 4]  # ("a", 0) was there; the rest repeat
    assert fired.tolist() == [8, 4]
    assert len(table) == 5
    assert table.scan(successors, lambda state: state[1] + 100, {"act0": 0, "act1": 1},
                      fired) == [0, 1, 2, 3, 4]
    with pytest.raises(TypeError):
        table.scan([(("act0",), [1])], fingerprint, {"act0": 0}, fired)


@pytest.mark.parametrize("kind", SETS)
def test_scan_keeps_checks_and_stops_as_the_search_does(kind):
    """With the keep arguments: each new successor's action counted in found, the tests called
    on it in order, the state kept; a failed test or the room running out stops the scan at
    that successor, the later ones neither counted nor added."""
    successors = [(("a" if i % 2 else "b", ()), i % 4) for i in range(8)]  # 0 1 2 3 0 1 2 3
    actions = {"a": 0, "b": 1}

    def scan(table, tests, room):
        fired, found = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64)
        kept, where = [], [-1, 0]
        answer = table.scan(successors, lambda s: s + 10, actions, fired, found, tests, kept,
                            room, where)
        return answer, fired.tolist(), found.tolist(), kept

    calls = []
    tests = (lambda s: calls.append(("small", s)) or s < 3, lambda s: calls.append(("any", s)) or 1)
    table = kind()
    assert scan(table, tests, 100) == (([0, 1, 2, 3], 0), [2, 2, 0], [2, 2, 0], [0, 1, 2])
    assert calls == [("small", 0), ("any", 0), ("small", 1), ("any", 1), ("small", 2),
                     ("any", 2), ("small", 3)]
    assert len(table) == 4  # the 0s and 1s after the failing 3 were not reached
    assert scan(kind(), tests[1:], 2) == (([0, 1], -1), [1, 1, 0], [1, 1, 0], [0, 1])
    assert scan(kind(), (), 100) == ([0, 1, 2, 3], [4, 4, 0], [2, 2, 0], [0, 1, 2, 3])

    def broken(state):
        if state == 2:
            raise ZeroDivisionError
        return True

    fired, found, where = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), [-1, 0]
    with pytest.raises(ZeroDivisionError):
        kind().scan(successors, lambda s: s, actions, fired, found, (tests[1], broken), [], 100,
                    where)
    assert where == [1, 2]
    with pytest.raises(ZeroDivisionError):
        kind().scan(successors, lambda s: 1 // (s - 3), actions, fired, found, (), [], 100, where)
    assert where == [-1, 3]


@pytest.mark.parametrize("kind", SETS)
def test_scan_fingerprints_ahead_and_answers_as_one_at_a_time(kind):
    """The C scan fingerprints a chunk of successors before probing the set for them: over
    several chunks it answers what one at a time does; a fingerprint failing after the
    successor the scan stops at is never raised; one failing before it is, the successors up
    to it counted; an invariant failing before it is raised instead."""
    successors = [(("a", ()), i % 50) for i in range(100)]

    def scan(table, fingerprint, tests=()):
        fired, found, kept, where = np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), [], [-1, 0]
        try:
            return (table.scan(successors, fingerprint, {"a": 0}, fired, found, tests, kept, 1000,
                               where), fired.tolist(), found.tolist())
        except (KeyError, ZeroDivisionError) as error:
            return type(error), fired.tolist(), where

    def failing_at(bad):
        def fingerprint(state):
            if state == bad:
                raise KeyError(bad)
            return state + 1
        return fingerprint

    assert scan(kind(), failing_at(-1)) == (list(range(50)), [100, 0], [50, 0])
    assert scan(kind(), failing_at(45), (lambda s: s < 40,)) == ((list(range(41)), 0), [41, 0],
                                                                 [41, 0])
    table = kind()
    assert scan(table, failing_at(30)) == (KeyError, [31, 0], [-1, 30])
    assert len(table) == 30
    assert scan(kind(), failing_at(20), (lambda s: 1 // (s - 10),)) == (ZeroDivisionError,
                                                                        [11, 0], [0, 10])


@pytest.mark.parametrize("kind", MAPS)
def test_map_against_a_dict(kind):
    keys = _keys(4_000)
    table, model = kind(), {}
    for number, key in enumerate(keys):
        table[key] = number
        model[key] = number
        assert len(table) == len(model)
    assert all(table[key] == value for key, value in model.items())
    assert all(key in table for key in model) and 5 not in table
    with pytest.raises(KeyError):
        table[5]
    with pytest.raises(TypeError):
        del table[keys[0]]
