"""Transaction commit, the specification that two-phase commit implements.

Resource managers each prepare, then all commit or all abort; nothing says *how* they agree
(that is TwoPhase's job). Port of TCommit.tla (tlaplus/Examples, specifications/
transaction_commit): 3 RMs have 34 reachable states, as TLC counts.

    refute check examples/t_commit.py -p rms=3
"""

from refute import Spec, State, action, each, invariant, terminal


class TCommit(Spec):
    def __init__(self, rms: int = 3):
        self.rms = self.model_values("r", rms)

    def init(self):
        return State(rm_state={rm: "working" for rm in self.rms})

    def can_commit(self, s):
        return all(state in ("prepared", "committed") for state in s.rm_state.values())

    def not_committed(self, s):
        return all(state != "committed" for state in s.rm_state.values())

    @action
    def prepare(self, s, rm=each("rms")):
        if s.rm_state[rm] == "working":
            return s.update(rm_state=s.rm_state.set(rm, "prepared"))

    @action
    def decide(self, s, rm=each("rms")):
        if s.rm_state[rm] == "prepared" and self.can_commit(s):
            yield s.update(rm_state=s.rm_state.set(rm, "committed"))
        if s.rm_state[rm] in ("working", "prepared") and self.not_committed(s):
            yield s.update(rm_state=s.rm_state.set(rm, "aborted"))

    @terminal
    def decided(self, s):
        """Every RM has committed or aborted: the protocol is over, not deadlocked."""
        return all(state in ("committed", "aborted") for state in s.rm_state.values())

    @invariant
    def consistent(self, s):
        states = set(s.rm_state.values())
        return not ("committed" in states and "aborted" in states)
