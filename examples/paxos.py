"""Single-decree Paxos (Lamport, "Paxos Made Simple", 2001): acceptors agree on one value.

A leader of ballot ``b`` asks the acceptors to promise it (``prepare``, message 1a); an acceptor
promises a ballot above any it has promised and reports its last vote (``promise``, 1b); with
promises from a majority the leader proposes the value of the highest-ballot vote reported, or
any value if none was (``propose``, 2a); an acceptor votes for a proposal of a ballot at least
as high as any it has promised (``accept``, 2b). A value is chosen once a majority has voted
for it in one ballot. The invariant ``agreement``: at most one value is ever chosen.

Messages are never lost and never removed (a set that only grows), and any number of leaders
may run any ballot, so the model explores every interleaving of competing proposers.
``benchmarks/tla/Paxos.tla`` is its TLA+ twin; with 3 acceptors, 2 values and ballots 0..2 both
have TLC's counts: 185,369 distinct states, depth 25 (``tests/examples/test_paxos.py``)::

    refute check examples/paxos.py

``skip_highest_vote=True`` is the classic mistake: the leader proposes its own value even when
an acceptor of its quorum has already voted, and two values get chosen::

    refute check examples/paxos.py -p skip_highest_vote=true -p ballots=2
"""

from itertools import combinations

from refute import Record, Spec, State, action, each, invariant


class Paxos(Spec):
    def __init__(self, acceptors: int = 3, values: int = 2, ballots: int = 3,
                 skip_highest_vote: bool = False):
        self.acceptors = self.model_values("a", acceptors)
        self.values = self.model_values("v", values)
        self.ballots = tuple(range(ballots))
        self.majority = acceptors // 2 + 1
        self.quorums = tuple(frozenset(q) for size in range(self.majority, acceptors + 1)
                             for q in combinations(self.acceptors, size))
        self.skip_highest_vote = skip_highest_vote

    def init(self):
        return State(max_bal={a: -1 for a in self.acceptors},   # highest ballot promised
                     max_vbal={a: -1 for a in self.acceptors},  # ballot of the last vote
                     max_val={a: None for a in self.acceptors},  # value of the last vote
                     msgs=frozenset())

    @action
    def prepare(self, s, b=each("ballots")):
        return s.update(msgs=s.msgs | {Record(type="1a", bal=b)})

    @action
    def promise(self, s, a=each("acceptors"), b=each("ballots")):
        if b > s.max_bal[a] and Record(type="1a", bal=b) in s.msgs:
            reply = Record(type="1b", acc=a, bal=b, mbal=s.max_vbal[a], mval=s.max_val[a])
            return s.update(max_bal=s.max_bal.set(a, b), msgs=s.msgs | {reply})

    @action
    def propose(self, s, b=each("ballots"), v=each("values")):
        if any(m.type == "2a" and m.bal == b for m in s.msgs):
            return None  # one proposal a ballot
        promises = [m for m in s.msgs if m.type == "1b" and m.bal == b]
        for quorum in self.quorums:
            heard = [m for m in promises if m.acc in quorum]
            if len(heard) < len(quorum):
                continue  # an acceptor of the quorum has not promised
            voted = [m for m in heard if m.mbal >= 0]
            if (not voted or self.skip_highest_vote
                    or any(m.mval == v and all(m.mbal >= n.mbal for n in voted) for m in voted)):
                return s.update(msgs=s.msgs | {Record(type="2a", bal=b, val=v)})

    @action
    def accept(self, s, a=each("acceptors"), b=each("ballots"), v=each("values")):
        if b >= s.max_bal[a] and Record(type="2a", bal=b, val=v) in s.msgs:
            return s.update(max_bal=s.max_bal.set(a, b), max_vbal=s.max_vbal.set(a, b),
                            max_val=s.max_val.set(a, v),
                            msgs=s.msgs | {Record(type="2b", acc=a, bal=b, val=v)})

    @invariant
    def agreement(self, s):
        """At most one value is chosen (voted for by a majority in one ballot)."""
        voters = {}
        for m in s.msgs:
            if m.type == "2b":
                voters.setdefault((m.bal, m.val), set()).add(m.acc)
        chosen = {v for (_, v), who in voters.items() if len(who) >= self.majority}
        return len(chosen) <= 1
