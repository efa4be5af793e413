"""Raft-style leader election over a lossy network, with crashes: ``election_spec.py`` as code.

Three nodes (``n1``..``n3``) run elections: a node whose election timer fires (a random
timeout, drawn from the run's schedule) starts a term as a candidate and asks the others
for their votes; a node grants one vote per term; a candidate with a majority becomes
leader and sends heartbeats, which keep the others from starting elections. Nodes stop
starting elections at ``MAX_TERM``, the bound of the model (``election_spec.py``'s
``max_term``); a candidate keeps asking for votes until then.

``TARGET`` keeps the term and the vote on disk. ``BUGGY`` (the planted bug), when it grants
a vote to another node, writes the term to disk but keeps the vote in memory (its own vote,
as a candidate, is written): a node that voted for one candidate, crashes, and restarts
before the term is over votes again, for the other candidate of the same term, and both
become leaders. It needs two candidates in one term (their timers firing within a
message delay of each other) and a crash of a voter between its vote and the second
candidate's request.
"""

from __future__ import annotations

import asyncio

from refute.testing import CrashEvents, Faults, Target

NODES = ("n1", "n2", "n3")
MAX_TERM = 1
ELECTION_TIMEOUT = (1.0, 1.4)
HEARTBEAT = 0.5


class Server:
    """One incarnation of a node: everything here but the disk is lost in a crash."""

    def __init__(self, node, persist_vote: bool) -> None:
        self.node = node
        self.persist_vote = persist_vote
        self.term = node.disk.get("term", 0)
        self.voted_for = node.disk.get("voted_for")
        self.role = "follower"
        self.votes: set[str] = set()
        self.deadline = 0.0

    def save(self, vote: bool = True) -> None:
        self.node.disk["term"] = self.term
        if vote:
            self.node.disk["voted_for"] = self.voted_for

    def reset_timer(self) -> None:
        self.deadline = self.node.now() + self.node.random.uniform(*ELECTION_TIMEOUT)

    def others(self):
        return [n for n in NODES if n != self.node.name]

    async def run(self) -> None:
        node = self.node
        self.reset_timer()
        while True:
            wait = HEARTBEAT if self.role == "leader" else max(0.0, self.deadline - node.now())
            try:
                sender, message = await asyncio.wait_for(node.recv(), wait)
            except asyncio.TimeoutError:
                self.tick()
                continue
            self.handle(sender, *message)

    def tick(self) -> None:
        node = self.node
        if self.role == "leader":
            for other in self.others():
                node.send(other, ("heartbeat", self.term, node.name))
            return
        self.reset_timer()
        if self.term < MAX_TERM:
            self.term += 1
            self.voted_for = node.name
            self.role = "candidate"
            self.votes = {node.name}
            self.save()
            node.trace("timeout", node=node.name)
        if self.role == "candidate":
            for other in self.others():
                if other not in self.votes:
                    node.send(other, ("request", self.term, node.name))

    def handle(self, sender: str, kind: str, term: int, who: str) -> None:
        node = self.node
        if kind == "request":
            if term > self.term or (term == self.term and self.voted_for in (None, who)):
                self.term, self.voted_for = term, who
                if self.role != "follower" and who != node.name:
                    self.role, self.votes = "follower", set()
                self.save(vote=self.persist_vote)  # the planted bug: the vote stays in memory
                node.trace("grant_vote", voter=node.name, cand=who, term=term)
                node.send(who, ("grant", term, node.name))
            return
        if term > self.term:
            self.term, self.voted_for, self.role, self.votes = term, None, "follower", set()
            self.save()
            node.trace("learn_term", node=node.name, term=term)
        if kind == "heartbeat" and term == self.term:
            self.reset_timer()
        elif kind == "grant" and self.role == "candidate" and term == self.term \
                and who not in self.votes:
            self.votes.add(who)
            node.trace("receive_vote", cand=node.name, voter=who)
            if 2 * len(self.votes) > len(NODES):
                self.role = "leader"
                node.trace("become_leader", node=node.name)
                for other in self.others():
                    node.send(other, ("heartbeat", self.term, node.name))


def setup(persist_vote: bool):
    async def main(node):
        await Server(node, persist_vote).run()

    def add_nodes(sim):
        for name in NODES:
            sim.node(name, main)
    return add_nodes


FAULTS = Faults(loss=0.03, duplicate=0.03, crash=0.005, delay=(0.05, 0.6), restart=(0.2, 1.0),
                max_crashes=1)
PARAMS = {"nodes": len(NODES), "max_term": MAX_TERM}
TARGET = Target(name="election", spec="election_spec.py", setup=setup(True), params=PARAMS,
                faults=FAULTS, horizon=6.0, crash_events=CrashEvents(argument="node"))
BUGGY = Target(name="election-buggy", spec="election_spec.py", setup=setup(False),
               params=PARAMS, faults=FAULTS, horizon=6.0,
               crash_events=CrashEvents(argument="node"))
