"""``:info`` transactions may or may not have committed: they must never cause a false alarm."""

from __future__ import annotations

import pytest

from refute.history.anomalies import LIST_APPEND_MODELS, MODELS

from .conftest import check, sequential

CASES = {
    "unseen info append, then an empty read": sequential(
        ("info", 0, "[[:append :x 1]]"), ("ok", 1, "[[:r :x []]]")),
    "info append seen by a later read": sequential(
        ("info", 0, "[[:append :x 1]]"), ("ok", 1, "[[:r :x [1]]]")),
    "info reads are unknown, not empty": sequential(
        ("ok", 0, "[[:append :x 1]]"), ("info", 1, "[[:r :x nil] [:append :y 1]]"),
        ("ok", 2, "[[:r :y [1]] [:r :x [1]]]")),
    "an invocation that never completes": (
        "{:type :invoke, :f :txn, :process 0, :index 0, :value [[:append :x 1]]}\n"
        + sequential(("ok", 1, "[[:r :x []]]"), ("ok", 2, "[[:r :x [1]]]"))),
    "rw-register info write": sequential(
        ("info", 0, "[[:w :x 1]]"), ("ok", 1, "[[:r :x nil]]"), ("ok", 2, "[[:r :x 1]]")),
}


@pytest.mark.parametrize(("name", "model"), [
    (name, model) for name in sorted(CASES)
    for model in (MODELS if "rw-register" in name else LIST_APPEND_MODELS)])
def test_info_transactions_raise_no_alarm(name, model):
    result = check(CASES[name], model)
    assert result.valid, result.to_json()
    assert not result.counts


def test_an_unfinished_invocation_is_info():
    result = check(CASES["an invocation that never completes"])
    assert [t.outcome.value for t in result.history.transactions] == ["info", "ok", "ok"]


def test_info_append_can_still_be_part_of_a_cycle_when_seen():
    """Seen by a read, an info transaction did commit: its edges count."""
    text = sequential(("info", 0, "[[:append :x 1] [:r :y [1]]]"),
                      ("ok", 1, "[[:append :y 1] [:r :x [1]]]"))
    # the info completion repeats the invocation, so its read of y is the invocation's [1]
    result = check(text, "read-committed")
    assert "G1c" in result.counts
