"""State counts, depths and counterexamples that must equal TLC's exactly."""

from __future__ import annotations

import pytest
from die_hard import DieHard
from t_commit import TCommit
from two_phase import TwoPhase

import refute
from refute import Status


def counts(result: refute.Result) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth


@pytest.mark.parametrize("spec, folder, config", [
    (TwoPhase(rms=3), "transaction_commit", "TwoPhase.cfg"),
    (TCommit(rms=3), "transaction_commit", "TCommit.cfg"),
])
def test_counts_equal_tlc_manifest(tlc_result, spec, folder, config):
    tlc = tlc_result(folder, config)
    result = refute.check(spec)
    assert result.status is Status.OK
    assert counts(result) == (tlc["distinctStates"], tlc["totalStates"], tlc["stateDepth"])


# TLC's numbers for TwoPhase.tla with more RMs (from the core-checker issue).
@pytest.mark.parametrize("rms, expected", [
    (3, (288, 1_146, 11)),
    (5, (8_832, 58_146, 17)),
    pytest.param(6, (50_816, 402_306, 20), marks=pytest.mark.slow),
    pytest.param(7, (296_448, 2_744_706, 23), marks=pytest.mark.slow),
])
def test_two_phase_counts(rms, expected):
    result = refute.check(TwoPhase(rms=rms))
    assert result.status is Status.OK
    assert counts(result) == expected


@pytest.mark.parametrize("rms, expected", [
    (3, (80, 318, 11)),
    (5, (314, 2_048, 17)),
])
def test_two_phase_symmetry_keeps_one_state_per_orbit(rms, expected):
    """TLC's SYMMETRY Permutations(RM): one state per orbit (Stateright keeps 665 for 5)."""
    result = refute.check(TwoPhase(rms=rms, symmetric=True))
    assert result.status is Status.OK
    assert counts(result) == expected


def test_t_commit_three_rms():
    assert counts(refute.check(TCommit(rms=3))) == (34, 94, 7)


def test_die_hard_shortest_solution():
    result = refute.check(DieHard())
    assert result.status is Status.VIOLATION
    assert result.violation.name == "big_is_not_4"
    # TLC stops with 14 distinct states and 73 generated; the trace has 7 states.
    assert (result.distinct_states, result.states_generated) == (14, 73)
    trace = result.violation.trace
    assert len(trace) == 7
    assert [str(step.action) for step in trace[1:]] == [
        "fill_big", "pour_big_into_small", "empty_small", "pour_big_into_small", "fill_big",
        "pour_big_into_small"]
    assert trace[-1].state.big == 4 and trace[-1].state.small == 3


def test_two_phase_early_commit_is_inconsistent():
    result = refute.check(TwoPhase(rms=3, early_commit=True))
    assert result.status is Status.VIOLATION
    assert result.violation.name == "consistent"
    assert [str(step.action) for step in result.violation.trace[1:]] == [
        "rm_prepare(rm=r1)", "tm_rcv_prepared(rm=r1)", "tm_commit",
        "rm_choose_to_abort(rm=r2)", "rm_rcv_commit_msg(rm=r1)"]
    # TLC (one worker) on the same spec in TLA+, its Next's disjuncts in this spec's action
    # order: 167 distinct, 467 generated. TLC checks each successor as it generates it, so
    # the violating state's later siblings are not generated (469 counted them).
    assert (result.distinct_states, result.states_generated) == (167, 467)
