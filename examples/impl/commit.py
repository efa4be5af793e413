"""Two-phase commit over a lossy network, with a coordinator that crashes and recovers.

``TARGET`` (the correct coordinator) and ``BUGGY`` (the planted bug) for ``refute fuzz``;
the spec is ``commit_spec.py``. Three resource managers (``r1``..``r3``) each prepare, or
(with probability ``ABORT_CHANCE``, drawn from the run's schedule) abort on their own; a
prepared RM re-sends its vote until it hears the decision. The coordinator (``tm``) commits
once every vote is in, aborts when they do not come in time, and re-sends its decision to
whoever asks.

The planted bug, in ``decide``: the buggy coordinator tells the RMs "commit" and only then
writes the decision to its disk. A crash after the decision and before the write (right
after it logs ``tm_commit``, or after any of the three commit messages) makes it restart
with no decision; it then decides again, committing twice or, with an RM's vote lost,
aborting a transaction some RM already committed. It needs the votes to line up (every RM
prepares and the votes arrive in time) *and* a crash in a window a few steps wide.
"""

from __future__ import annotations

import asyncio

from refute.testing import CrashEvents, Faults, Target

RMS = ("r1", "r2", "r3")
ABORT_CHANCE = 0.2
VOTE_TIMEOUT = 4.0
RESEND = 1.0


async def resource_manager(node):
    if node.random.random() < ABORT_CHANCE:
        node.trace("rm_choose_to_abort", rm=node.name)
        return
    node.trace("rm_prepare", rm=node.name)
    state = "prepared"
    while True:
        if state == "prepared":
            node.send("tm", "prepared")
        try:
            _, message = await asyncio.wait_for(node.recv(), RESEND)
        except asyncio.TimeoutError:
            continue
        if message == "commit" and state != "committed":
            state = "committed"
            node.trace("rm_rcv_commit", rm=node.name)
        elif message == "abort" and state != "aborted":
            state = "aborted"
            node.trace("rm_rcv_abort", rm=node.name)


def coordinator(persist_before_sending: bool):
    async def main(node):
        decision = node.disk.get("decision")
        if decision is None:
            decision = await collect_votes(node, persist_before_sending)
        while True:  # answer RMs that re-send their vote (they missed the decision)
            sender, message = await node.recv()
            if message == "prepared":
                node.send(sender, decision)
    return main


async def collect_votes(node, persist_before_sending: bool) -> str:
    prepared: set[str] = set()
    deadline = node.now() + VOTE_TIMEOUT
    while len(prepared) < len(RMS):
        try:
            sender, message = await asyncio.wait_for(node.recv(), max(0.0, deadline - node.now()))
        except asyncio.TimeoutError:
            node.disk["decision"] = "abort"
            node.trace("tm_abort", tm_state="aborted")
            for rm in RMS:
                node.send(rm, "abort")
            return "abort"
        if message == "prepared" and sender not in prepared:
            prepared.add(sender)
            node.trace("tm_rcv_prepared", rm=sender)
    decide(node, persist_before_sending)
    return "commit"


def decide(node, persist_before_sending: bool) -> None:
    if persist_before_sending:
        node.disk["decision"] = "commit"
    node.trace("tm_commit", tm_state="committed")
    for rm in RMS:
        node.send(rm, "commit")
    if not persist_before_sending:
        node.disk["decision"] = "commit"  # the planted bug: too late if we crashed above


def setup(persist_before_sending: bool):
    def add_nodes(sim):
        sim.node("tm", coordinator(persist_before_sending))
        for rm in RMS:
            sim.node(rm, resource_manager, crashable=False)
    return add_nodes


FAULTS = Faults(loss=0.05, duplicate=0.05, crash=0.003, delay=(0.05, 1.0), restart=(0.5, 2.0),
                max_crashes=1)
TARGET = Target(name="commit", spec="commit_spec.py", setup=setup(True), faults=FAULTS,
                horizon=20.0, crash_events=CrashEvents(argument="node"))
BUGGY = Target(name="commit-buggy", spec="commit_spec.py", setup=setup(False), faults=FAULTS,
               horizon=20.0, crash_events=CrashEvents(argument="node"))
