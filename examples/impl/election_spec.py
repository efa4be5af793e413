"""Raft-style leader election with crashes: the spec of ``election.py``.

Each node has a term and, per term, at most one vote (``voted_for``); both are on its disk
and survive a crash, while its role and the votes it has collected do not. A node whose
election timer fires starts a new term (up to ``max_term``, which bounds the model) as a
candidate, voting for itself; it asks the others for their votes (``requests``); a node
grants a request of a term at least its own, unless it already voted for someone else in
that term; a candidate that hears a grant of its current term counts it, and with a
majority becomes leader. A node that hears of a higher term adopts it (``learn_term``).

``one_leader_per_term`` (Raft's election safety): no two nodes are ever leaders of the same
term (``elected`` records every (node, term) that was). A node that forgets its vote in a
crash can vote twice in a term and break it; the implementation's ``grant_vote`` event then
leaves this spec.

    refute check examples/impl/election_spec.py
"""

from refute import Spec, State, action, each, invariant


class Election(Spec):
    symmetry = ("nodes",)

    def __init__(self, nodes: int = 3, max_term: int = 2):
        self.nodes = self.model_values("n", nodes)
        self.terms = tuple(range(1, max_term + 1))
        self.max_term = max_term

    def init(self):
        return State(term={n: 0 for n in self.nodes}, voted_for={n: None for n in self.nodes},
                     role={n: "follower" for n in self.nodes},
                     votes={n: frozenset() for n in self.nodes},
                     up={n: True for n in self.nodes},
                     requests=frozenset(), grants=frozenset(), elected=frozenset())

    @action
    def timeout(self, s, node=each("nodes")):
        if s.up[node] and s.role[node] != "leader" and s.term[node] < self.max_term:
            term = s.term[node] + 1
            return s.update(term=s.term.set(node, term), voted_for=s.voted_for.set(node, node),
                            role=s.role.set(node, "candidate"),
                            votes=s.votes.set(node, frozenset({node})),
                            requests=s.requests | {(node, term)})

    @action
    def grant_vote(self, s, voter=each("nodes"), cand=each("nodes"), term=each("terms")):
        if (voter != cand and s.up[voter] and (cand, term) in s.requests
                and term >= s.term[voter]
                and (term > s.term[voter] or s.voted_for[voter] in (None, cand))):
            stepping_down = term > s.term[voter]
            return s.update(term=s.term.set(voter, term),
                            voted_for=s.voted_for.set(voter, cand),
                            role=s.role.set(voter, "follower") if stepping_down else s.role,
                            votes=s.votes.set(voter, frozenset()) if stepping_down else s.votes,
                            grants=s.grants | {(voter, cand, term)})

    @action
    def receive_vote(self, s, cand=each("nodes"), voter=each("nodes")):
        if (s.up[cand] and s.role[cand] == "candidate" and voter not in s.votes[cand]
                and (voter, cand, s.term[cand]) in s.grants):
            return s.update(votes=s.votes.set(cand, s.votes[cand] | {voter}))

    @action
    def become_leader(self, s, node=each("nodes")):
        if s.up[node] and s.role[node] == "candidate" and 2 * len(s.votes[node]) > len(self.nodes):
            return s.update(role=s.role.set(node, "leader"),
                            elected=s.elected | {(node, s.term[node])})

    @action
    def learn_term(self, s, node=each("nodes"), term=each("terms")):
        if s.up[node] and s.term[node] < term and any(s.term[n] >= term for n in self.nodes):
            return s.update(term=s.term.set(node, term), voted_for=s.voted_for.set(node, None),
                            role=s.role.set(node, "follower"),
                            votes=s.votes.set(node, frozenset()))

    @action
    def crash(self, s, node=each("nodes")):
        if s.up[node]:
            return s.update(up=s.up.set(node, False), role=s.role.set(node, "follower"),
                            votes=s.votes.set(node, frozenset()))

    @action
    def restart(self, s, node=each("nodes")):
        if not s.up[node]:
            return s.update(up=s.up.set(node, True))

    @invariant
    def one_leader_per_term(self, s):
        terms = [term for _, term in s.elected]
        return len(terms) == len(set(terms))
