"""The library API: ``refute.check`` and the pytest helper ``refute.assert_holds``."""

from __future__ import annotations

import pytest
from two_phase import TwoPhase

import refute


def test_public_api_is_complete_and_sorted():
    assert refute.__all__ == sorted(refute.__all__)
    assert all(hasattr(refute, name) for name in refute.__all__)


def test_assert_holds_returns_the_result_when_everything_holds():
    assert refute.assert_holds(TwoPhase(rms=3)).distinct_states == 288


def test_assert_holds_fails_with_the_rendered_counterexample():
    with pytest.raises(AssertionError) as info:
        refute.assert_holds(TwoPhase(rms=3, early_commit=True))
    message = str(info.value)
    assert "invariant consistent is violated after 5 step(s)" in message
    assert "  5  rm_choose_to_abort(rm=r2)" in message
    assert "rm_state[r1]: 'prepared' → 'committed'" in message
    assert "\x1b[" not in message, "no terminal colour codes in an assertion message"


def test_assert_holds_fails_on_an_incomplete_run():
    with pytest.raises(AssertionError, match=r"\? incomplete: the --max-states bound was reached"):
        refute.assert_holds(TwoPhase(rms=3), max_states=10)


def test_check_wants_an_instance():
    with pytest.raises(refute.UsageError, match="needs an instance of TwoPhase"):
        refute.check(TwoPhase)
