r"""Dijkstra's termination detection on a ring (EWD 840, with Feijen and van Gasteren).

Nodes ``0..N-1`` on a ring are active or passive; an active node may activate another by a
message, or become passive. Node 0 detects termination by sending a token around the ring
(from ``N-1`` down to 0): a node that activated a node "behind" the token turns black and
blackens the token, and a round ending with a white token at a white, passive node 0 proves
that every node is passive. ``termination_detection`` (safety): detection implies
termination. ``detection`` (liveness): once every node is passive, termination is detected.

Port of EWD840.tla (tlaplus/Examples, specifications/ewd840, by Stephan Merz), same variables
and actions; for N = 3 TLC explores 302 distinct states, as refute does, and ``Liveness``
holds under ``WF_vars(System)``, fairness of the token-passing actions taken together. TLC
reports 2,001 states generated where this port generates 1,817: TLC makes one successor per
true disjunct of a guard such as ``tcolor = "black" \/ color[0] = "black"`` (the same state
twice when both hold), while Python's ``or`` evaluates the guard once. refute's TLA+ front end
reproduces TLC's 2,001 on EWD840.tla itself. Once termination is detected no action is
enabled: such states are terminal, not deadlocks::

    refute check examples/ewd840.py

Without fairness the ring may simply stop passing the token, and termination is never
detected::

    refute check examples/ewd840.py -p fair=false
"""

from itertools import product

from refute import Spec, State, action, each, invariant, leads_to, liveness, terminal, weak


class EWD840(Spec):
    def __init__(self, n: int = 3, fair: bool = True):
        self.nodes = tuple(range(n))
        self.passing = self.nodes[1:]  # the nodes that pass the token on (all but node 0)
        self.fairness = (weak("initiate_probe", "pass_token"),) if fair else ()

    def init(self):
        for active, color, tpos in product(product((False, True), repeat=len(self.nodes)),
                                           product(("white", "black"), repeat=len(self.nodes)),
                                           self.nodes):
            yield State(active=dict(zip(self.nodes, active)), color=dict(zip(self.nodes, color)),
                        tpos=tpos, tcolor="black")

    # System: the token-passing actions of the detection algorithm
    @action
    def initiate_probe(self, s):
        if s.tpos == 0 and (s.tcolor == "black" or s.color[0] == "black"):
            return s.update(tpos=len(self.nodes) - 1, tcolor="white",
                            color=s.color.set(0, "white"))

    @action
    def pass_token(self, s, i=each("passing")):
        if s.tpos == i and (not s.active[i] or s.color[i] == "black" or s.tcolor == "black"):
            return s.update(tpos=i - 1,
                            tcolor="black" if s.color[i] == "black" else s.tcolor,
                            color=s.color.set(i, "white"))

    # Environment: the underlying computation
    @action
    def send_msg(self, s, i=each("nodes"), j=each("nodes")):
        if s.active[i] and j != i:
            return s.update(active=s.active.set(j, True),
                            color=s.color.set(i, "black") if j > i else s.color)

    @action
    def deactivate(self, s, i=each("nodes")):
        if s.active[i]:
            return s.update(active=s.active.set(i, False))

    @terminal
    def detected_and_done(self, s):
        """Every node passive and termination detected: the algorithm has nothing left to do."""
        return self.terminated(s) and self.termination_detected(s)

    def terminated(self, s):
        return not any(s.active.values())

    def termination_detected(self, s):
        return (s.tpos == 0 and s.tcolor == "white" and s.color[0] == "white"
                and not s.active[0])

    @invariant
    def type_ok(self, s):
        return (s.tpos in self.nodes and s.tcolor in ("white", "black")
                and set(s.color.values()) <= {"white", "black"})

    @invariant
    def termination_detection(self, s):
        return not self.termination_detected(s) or self.terminated(s)

    @invariant
    def inv(self, s):
        """Dijkstra's inductive invariant."""
        return (all(not s.active[i] for i in self.nodes if s.tpos < i)
                or any(s.color[j] == "black" for j in range(s.tpos + 1))
                or s.tcolor == "black")

    @liveness
    def detection(self):
        """TLA+'s Liveness: terminated ~> terminationDetected."""
        return leads_to(self.terminated, self.termination_detected)
