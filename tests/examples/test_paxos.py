"""examples/paxos.py against its TLA+ twin, benchmarks/tla/Paxos.tla: TLC's counts, exactly.

TLC's figures come from running TLC (tlaplus/tlaplus, commit cc6b616) here:
``tlc -workers 1 -deadlock -config Paxos.cfg Paxos.tla`` (3 acceptors, values v1 v2, ballots
0..2) and the same with ``Ballots = {0, 1}``. The two specs are written independently state
for state (messages as records in a set that only grows), so equal distinct, generated and
depth figures say the Python spec explores the same state graph.
"""

from __future__ import annotations

import pytest
from paxos import Paxos

import refute
from refute import Status

TLC = {  # ballots: (distinct, generated, depth)
    2: (3_921, 22_995, 17),
    3: (185_369, 1_316_584, 25),
}


def counts(result: refute.Result) -> tuple[int, int, int]:
    return result.distinct_states, result.states_generated, result.depth


def test_two_ballots_match_tlc():
    result = refute.check(Paxos(ballots=2))
    assert result.status is Status.OK
    assert counts(result) == TLC[2]


@pytest.mark.slow
def test_three_ballots_match_tlc():
    result = refute.check(Paxos(ballots=3))
    assert result.status is Status.OK
    assert counts(result) == TLC[3]


def test_proposing_without_the_highest_vote_chooses_two_values():
    result = refute.check(Paxos(ballots=2, skip_highest_vote=True))
    assert result.status is Status.VIOLATION and result.violation.name == "agreement"
    trace = result.violation.trace
    assert len(trace) == 13  # the shortest: 12 steps
    last = trace[-1].state
    votes = {}
    for m in last.msgs:
        if m.type == "2b":
            votes.setdefault((m.bal, m.val), set()).add(m.acc)
    chosen = {value for (_, value), voters in votes.items() if len(voters) >= 2}
    assert len(chosen) == 2  # two majorities, two different values
    assert [str(step.action).split("(")[0] for step in trace[1:]].count("propose") == 2
