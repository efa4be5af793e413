"""The history value specs record, and its translation for the history checker."""

from __future__ import annotations

import pytest

from refute import SpecError
from refute.engine.fingerprint import fingerprint
from refute.history.checker import check_history
from refute.history.transactions import Outcome
from refute.isolation import TxnHistory
from refute.isolation.history import to_history


def test_helpers_build_a_new_history_each_time():
    empty = TxnHistory()
    h = empty.begin("t1").read("t1", "x", None).write("t1", "x", "t1")
    assert empty == {} and h.open == {"t1"} and not h.finished
    done = h.commit("t1")
    assert done.finished and done.status("t1") == "committed"
    assert done["t1"].ops == (("r", "x", None), ("w", "x", "t1"))
    assert isinstance(done, TxnHistory)


def test_interleavings_of_independent_events_are_one_value():
    """Canonical form: the order of two transactions' independent steps is not recorded."""
    a = TxnHistory().begin("t1").begin("t2").read("t1", "x", None).read("t2", "y", None)
    b = TxnHistory().begin("t2").read("t2", "y", None).begin("t1").read("t1", "x", None)
    assert a == b and fingerprint(a) == fingerprint(b)


def test_real_time_order_is_recorded():
    serial = TxnHistory().begin("t1").commit("t1").begin("t2")
    concurrent = TxnHistory().begin("t1").begin("t2").commit("t1")
    assert serial["t2"].after == {"t1"} and concurrent["t2"].after == frozenset()
    assert serial.commit("t2") != concurrent.commit("t2")


def test_a_retry_forgets_an_aborted_attempt_that_wrote_nothing():
    first_try = TxnHistory().begin("t1").read("t1", "x", None)
    retried = first_try.abort("t1").begin("t1").read("t1", "x", None)
    assert retried == first_try
    wrote = TxnHistory().begin("t1").write("t1", "x", "a").abort("t1").begin("t1")
    assert wrote["t1"].earlier == ((("w", "x", "a"),),)
    names = [t.name for t in to_history(wrote.commit("t1")).transactions]
    assert names == ["t1#1", "t1"]


@pytest.mark.parametrize("misuse, message", [
    (lambda h: h.read("t1", "x", None), "'t1' has not begun"),
    (lambda h: h.begin("t1").commit("t1").write("t1", "x", 1), "'t1' is already committed"),
    (lambda h: h.begin("t1").begin("t1"), "only an aborted transaction may begin again"),
])
def test_misuse_names_the_transaction(misuse, message):
    with pytest.raises(ValueError, match=message):
        misuse(TxnHistory())


def test_translation_outcomes_and_real_time():
    h = (TxnHistory().begin("t1").write("t1", "x", "t1").commit("t1")
         .begin("t2").read("t2", "x", None).commit("t2")
         .begin("t3").abort("t3"))
    history = to_history(h)
    assert [(t.name, t.outcome) for t in history.transactions] == [
        ("t1", Outcome.OK), ("t2", Outcome.OK), ("t3", Outcome.FAIL)]
    # t2 began after t1 committed yet missed its write: serializable, not strictly.
    assert check_history(history, "serializable").valid
    strict = check_history(history, "strict-serializable")
    assert strict.anomaly_types == ["G-single-realtime"]


def test_duplicate_writes_are_refused_with_a_hint():
    h = (TxnHistory().begin("t1").write("t1", "x", 1).commit("t1")
         .begin("t2").write("t2", "x", 1).commit("t2"))
    with pytest.raises(SpecError, match="both wrote 1 to key 'x'") as error:
        to_history(h)
    assert "unique per key" in error.value.hint
