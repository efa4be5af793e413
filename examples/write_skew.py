"""Write skew under snapshot isolation: the on-call doctors.

A hospital requires at least one doctor on call. Alice and Bob are both on call and both
feel unwell; each asks, in a transaction, to go off call. The application's rule: read who
is on call, and go off call only if someone else still is. Under snapshot isolation each
transaction reads its own snapshot, sees the other doctor on call, and writes only its own
row; the two writes do not conflict (first-committer-wins looks only at write-write
conflicts), both commit, and nobody is on call. Neither transaction alone breaks the rule;
their interleaving does. This is the anomaly A5B of Berenson et al., which snapshot
isolation allows and serializability forbids.

Sources: Martin Kleppmann, "Designing Data-Intensive Applications" (O'Reilly, 2017),
chapter 7, "Write Skew and Phantoms" (the on-call example); H. Berenson et al., "A Critique of
ANSI SQL Isolation Levels", SIGMOD 1995; M. Cahill, U. Röhm, A. Fekete, "Serializable
Isolation for Snapshot Databases", SIGMOD 2008 (SSI); D. Ports and K. Grittner, "Serializable
Snapshot Isolation in PostgreSQL", VLDB 2012.

The model: one transaction per doctor (named after the doctor); ``begin`` takes the snapshot
and reads both rows, ``commit`` writes the doctor's own row (off call, if the snapshot showed
the other doctor on call) and commits. ``at_least_one_on_call`` fails under
``isolation="snapshot"`` in 4 steps: Alice's transaction begins, Bob's begins, Alice's
commits, Bob's commits::

    refute check examples/write_skew.py

``isolation="serializable"``: a transaction commits only if nothing it read has been
overwritten since its snapshot (commit-time validation of the read set, as optimistic
concurrency control does; PostgreSQL's SSI likewise aborts Bob's transaction with a
serialization failure, having seen read-write dependencies between the two in both
directions). The aborted transaction may be retried; it then sees Alice off call and leaves
Bob on call. The property holds::

    refute check examples/write_skew.py -p isolation=serializable

(Under two-phase locking both transactions would hold shared locks on both rows and each
would wait for the other's: a deadlock that the database breaks by aborting one of them, the
same outcome.)
"""

from refute import ModelValue, Spec, State, action, each, invariant, terminal
from refute.isolation import TxnHistory

ISOLATION_LEVELS = ("snapshot", "serializable")


class WriteSkew(Spec):
    def __init__(self, doctors: int = 2, isolation: str = "snapshot"):
        if isolation not in ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_LEVELS)}, "
                             f"got {isolation!r}")
        names = ("alice", "bob", "carol", "dave", "erin")
        if not 2 <= doctors <= len(names):
            raise ValueError(f"doctors must be between 2 and {len(names)}")
        self.doctors = tuple(ModelValue(name) for name in names[:doctors])
        self.isolation = isolation

    def init(self):
        # on_call: the committed data. txn[d]: the state of doctor d's transaction;
        # snapshot[d]: who was on call in the snapshot it read (None before it begins).
        return State(on_call=frozenset(self.doctors),
                     txn={d: "not started" for d in self.doctors},
                     snapshot={d: None for d in self.doctors},
                     history=TxnHistory())

    @action
    def begin(self, s, doctor=each("doctors")):
        if s.txn[doctor] in ("not started", "aborted"):
            history = s.history.begin(doctor)
            for row in self.doctors:  # the snapshot's rows: None (initial) is on call
                history = history.read(doctor, row, None if row in s.on_call else "off")
            return s.update(txn=s.txn.set(doctor, "active"),
                            snapshot=s.snapshot.set(doctor, s.on_call), history=history)

    @action
    def commit(self, s, doctor=each("doctors")):
        if s.txn[doctor] != "active":
            return None
        seen = s.snapshot[doctor]
        if self.isolation == "serializable" and seen != s.on_call:
            return s.update(txn=s.txn.set(doctor, "aborted"),
                            history=s.history.abort(doctor))
        on_call = s.on_call
        history = s.history
        if seen - {doctor}:
            on_call = on_call - {doctor}
            history = history.write(doctor, doctor, "off")
        return s.update(txn=s.txn.set(doctor, "committed"), on_call=on_call,
                        history=history.commit(doctor))

    @terminal
    def all_committed(self, s):
        return all(state == "committed" for state in s.txn.values())

    @invariant
    def at_least_one_on_call(self, s):
        return bool(s.on_call)
