"""Two-phase commit with a coordinator that crashes and recovers: the spec of ``commit.py``.

The transaction manager (TM) collects ``prepared`` votes from the resource managers (RMs),
decides, and tells them. It may crash at any moment and restart; what it decided survives the
crash (``tm_state`` is on its disk), the votes it had collected do not (``tm_prepared``).
Messages are a set: once sent, a message may be received any number of times, so a lost or
duplicated message is one this spec already allows. ``consistent``: no RM commits while
another aborts. A recovering coordinator that forgot a commit decision and aborts leaves this
spec at its ``tm_abort`` event (``tm_state`` is already ``committed``).

    refute check examples/impl/commit_spec.py
"""

from refute import Spec, State, action, each, invariant, terminal


class CommitRecovery(Spec):
    symmetry = ("rms",)

    def __init__(self, rms: int = 3):
        self.rms = self.model_values("r", rms)

    def init(self):
        return State(rm_state={rm: "working" for rm in self.rms}, tm_state="init",
                     tm_prepared=frozenset(), tm_up=True, msgs=frozenset())

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
    def tm_rcv_prepared(self, s, rm=each("rms")):
        if s.tm_up and s.tm_state == "init" and ("prepared", rm) in s.msgs:
            return s.update(tm_prepared=s.tm_prepared | {rm})

    @action
    def tm_commit(self, s):
        if s.tm_up and s.tm_state == "init" and s.tm_prepared == set(self.rms):
            return s.update(tm_state="committed", msgs=s.msgs | {("commit",)})

    @action
    def tm_abort(self, s):
        if s.tm_up and s.tm_state == "init":
            return s.update(tm_state="aborted", msgs=s.msgs | {("abort",)})

    @action
    def rm_rcv_commit(self, s, rm=each("rms")):
        if ("commit",) in s.msgs and s.rm_state[rm] != "committed":
            return s.update(rm_state=s.rm_state.set(rm, "committed"))

    @action
    def rm_rcv_abort(self, s, rm=each("rms")):
        if ("abort",) in s.msgs and s.rm_state[rm] != "aborted":
            return s.update(rm_state=s.rm_state.set(rm, "aborted"))

    @action
    def crash(self, s, node=each(("tm",))):
        if s.tm_up:
            return s.update(tm_up=False, tm_prepared=frozenset())

    @action
    def restart(self, s, node=each(("tm",))):
        if not s.tm_up:
            return s.update(tm_up=True)

    @terminal
    def decided(self, s):
        return s.tm_state != "init"

    @invariant
    def consistent(self, s):
        states = set(s.rm_state.values())
        return not ("committed" in states and "aborted" in states)
