"""Read-your-writes on asynchronously replicated read replicas.

The usual way to scale PostgreSQL out: one primary takes the writes, and read replicas (hot
standbys) replay its write-ahead log asynchronously and serve the reads. A client commits a
write on the primary, then reads, and the read is routed to a replica that has not yet
replayed that commit: the client does not see its own write (a saved setting "reverts", a
just-placed order is missing). Nothing failed; the replica is merely behind.

Sources: D. Terry et al., "Session Guarantees for Weakly Consistent Replicated Data", PDIS
1994 (read-your-writes); PostgreSQL documentation, "High Availability, Load Balancing, and
Replication" (hot standby, ``pg_last_wal_replay_lsn()``); X. Yang et al., "PolarDB-SCC: A
Cloud-Native Database Ensuring Low Latency for Strongly Consistent Reads", PVLDB 16(12), 2023.

The model: the client writes x = 1, 2 on the primary; the write of x = n commits at LSN n, so
a replica that has replayed up to LSN n serves x = n. Each replica replays one commit at a
time (``replay``); the client reads from a replica (``client_read``). ``read_your_writes``:
a read returns the client's latest write or something newer.

* ``routing="any_replica"``: a read goes to any replica. It fails in 2 steps: the client
  writes x = 1, then reads 0 from a replica that has not replayed it::

    refute check examples/read_your_writes.py

* ``routing="wait_for_lsn"``: the read carries the LSN of the client's last commit, and the
  replica serves it only once it has replayed that far (``pg_last_wal_replay_lsn()`` at least
  that LSN); until then the read waits. PolarDB-SCC makes replica reads wait this way, for
  the primary's newest LSN rather than only the session's, which gives strongly consistent
  reads. The property holds::

    refute check examples/read_your_writes.py -p routing=wait_for_lsn
"""

from refute import Spec, State, action, each, invariant

ROUTINGS = ("any_replica", "wait_for_lsn")


class ReadYourWrites(Spec):
    def __init__(self, replicas: int = 2, writes: int = 2, routing: str = "any_replica"):
        if routing not in ROUTINGS:
            raise ValueError(f"routing must be one of {', '.join(ROUTINGS)}, got {routing!r}")
        self.replicas = self.model_values("replica", replicas)
        self.values = tuple(range(1, writes + 1))
        self.routing = routing

    def init(self):
        # client_lsn: the LSN of the client's last commit; last_read: what its last read
        # returned (None: it has not read since its last write).
        return State(primary_lsn=0, replayed={r: 0 for r in self.replicas}, client_lsn=0,
                     last_read=None)

    @action
    def client_write(self, s, value=each("values")):
        if value == s.primary_lsn + 1:
            return s.update(primary_lsn=value, client_lsn=value, last_read=None)

    @action
    def replay(self, s, replica=each("replicas")):
        if s.replayed[replica] < s.primary_lsn:
            return s.update(replayed=s.replayed.set(replica, s.replayed[replica] + 1))

    @action
    def client_read(self, s, replica=each("replicas")):
        if self.routing == "wait_for_lsn" and s.replayed[replica] < s.client_lsn:
            return None
        return s.update(last_read=s.replayed[replica])

    @invariant
    def read_your_writes(self, s):
        """The client's last read returned its own latest write, or something newer."""
        return s.last_read is None or s.last_read >= s.client_lsn
