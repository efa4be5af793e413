"""Two-phase commit (Gray and Lamport, "Consensus on Transaction Commit", 2006).

A transaction manager (TM) and resource managers (RMs) agree to commit or abort: each RM
prepares (or aborts on its own), the TM commits only once *every* RM has prepared, and the RMs
follow the TM's decision. The invariant ``consistent``: no RM has committed while another has
aborted.

Port of TwoPhase.tla (tlaplus/Examples, specifications/transaction_commit); with the default
design the state counts equal TLC's (3 RMs: 288 distinct states, 1,146 generated, depth 11;
with symmetry over the RMs, 80 distinct).

``early_commit=True`` is the classic bug: the TM commits as soon as *one* RM has prepared.
Another RM that has not prepared may still abort on its own, and then one RM commits while
another aborts::

    refute check examples/two_phase.py -p early_commit=true
"""

from refute import Spec, State, action, each, invariant


class TwoPhase(Spec):
    def __init__(self, rms: int = 3, early_commit: bool = False, symmetric: bool = False):
        self.rms = self.model_values("r", rms)
        self.early_commit = early_commit
        self.symmetry = ("rms",) if symmetric else ()

    def init(self):
        return State(rm_state={rm: "working" for rm in self.rms}, tm_state="init",
                     tm_prepared=frozenset(), msgs=frozenset())

    @action
    def tm_commit(self, s):
        ready = s.tm_prepared if self.early_commit else len(s.tm_prepared) == len(self.rms)
        if s.tm_state == "init" and ready:
            return s.update(tm_state="committed", msgs=s.msgs | {("commit",)})

    @action
    def tm_abort(self, s):
        if s.tm_state == "init":
            return s.update(tm_state="aborted", msgs=s.msgs | {("abort",)})

    @action
    def tm_rcv_prepared(self, s, rm=each("rms")):
        if s.tm_state == "init" and ("prepared", rm) in s.msgs:
            return s.update(tm_prepared=s.tm_prepared | {rm})

    @action
    def rm_prepare(self, s, rm=each("rms")):
        if s.rm_state[rm] == "working":
            return s.update(rm_state=s.rm_state.set(rm, "prepared"),
                            msgs=s.msgs | {("prepared", rm)})

    @action
    def rm_choose_to_abort(self, s, rm=each("rms")):
        if s.rm_state[rm] == "working":
            return s.update(rm_state=s.rm_state.set(rm, "aborted"))

    @action
    def rm_rcv_commit_msg(self, s, rm=each("rms")):
        if ("commit",) in s.msgs:
            return s.update(rm_state=s.rm_state.set(rm, "committed"))

    @action
    def rm_rcv_abort_msg(self, s, rm=each("rms")):
        if ("abort",) in s.msgs:
            return s.update(rm_state=s.rm_state.set(rm, "aborted"))

    @invariant
    def type_ok(self, s):
        return (set(s.rm_state.values()) <= {"working", "prepared", "committed", "aborted"}
                and s.tm_state in ("init", "committed", "aborted")
                and s.tm_prepared <= set(self.rms))

    @invariant
    def consistent(self, s):
        """No RM has committed while another has aborted."""
        states = set(s.rm_state.values())
        return not ("committed" in states and "aborted" in states)

    def message_flow(self, label, before, after):
        """For the sequence diagram of ``--html`` reports: who took the step, what it sent
        and received (the TM's decision is one message that every RM may receive)."""
        rm = dict(label.args).get("rm")
        return {
            "tm_commit": [("send", "TM", ("commit",))],
            "tm_abort": [("send", "TM", ("abort",))],
            "tm_rcv_prepared": [("receive", "TM", ("prepared", rm))],
            "rm_prepare": [("send", rm, ("prepared", rm))],
            "rm_choose_to_abort": [("local", rm, "aborts on its own")],
            "rm_rcv_commit_msg": [("receive", rm, ("commit",))],
            "rm_rcv_abort_msg": [("receive", rm, ("abort",))],
        }[label.action]
