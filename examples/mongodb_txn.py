"""MongoDB's multi-shard transactions: snapshot reads, prepare conflicts and write skew.

A simplified model of the distributed transaction protocol of MongoDB's sharded clusters,
after S. Schultz, M. Demirbas et al., "Design and Modular Verification of Distributed
Transactions in MongoDB" (VLDB 2025) and its TLA+ specification ``MultiShardTxn.tla``
(github.com/muratdem/MDBTLA). A router (mongos) runs two transactions over two shards, each
shard owning one key (``k1`` on ``s1``, ``k2`` on ``s2``) in a multi-version store: every
committed write is a version stamped with its commit timestamp.

- **Read timestamps.** With ``read_concern="snapshot"`` the router picks the transaction's
  read timestamp when it begins (the latest cluster time) and every shard reads at it. With
  ``"local"`` each shard picks its own when the transaction first reaches it (its latest
  time then), as MongoDB does for read concern local and majority: one snapshot per shard,
  not one for the transaction.
- **Write-write conflicts** abort the writer: a newer committed version than its snapshot
  (first committer wins), or another transaction's uncommitted write to the key.
- **Two-phase commit with prepare.** After its last operation, each shard the transaction
  wrote to prepares it at a new cluster time; the router commits at the largest prepare
  timestamp, and each shard then installs the write at that commit timestamp.
- **Prepare conflicts.** A read at a timestamp at or after a prepared write's prepare
  timestamp cannot know yet whether that write is visible (its commit timestamp may still be
  below the read's). With ``prepare_blocking=True`` (MongoDB's behaviour) the read waits until
  the prepared transaction commits or aborts; with ``False`` it reads around the write.

Each transaction picks one of two programs when it begins (``workload="both"``; or fix the
pair with ``workload="torn-read"`` or ``"write-skew"``): ``t1`` writes ``k1`` and ``k2``, or
reads ``k1`` and writes ``k2``; ``t2`` reads ``k1`` and ``k2``, or reads ``k2`` and writes
``k1``. Writes write the transaction's name, so a read says whose write it saw.

What the checker finds (pinned in ``tests/isolation/test_mongodb_txn.py``)::

    refute check examples/mongodb_txn.py --isolation snapshot-isolation          # holds
    refute check examples/mongodb_txn.py -p read_concern=local \\
        --isolation snapshot-isolation      # violated: a torn cross-shard read (G-single)
    refute check examples/mongodb_txn.py -p read_concern=local --isolation read-committed
    refute check examples/mongodb_txn.py --isolation serializable  # violated: write skew
    refute check examples/mongodb_txn.py -p prepare_blocking=false \\
        --isolation snapshot-isolation      # violated: a read went around a prepared write
    refute permissiveness examples/mongodb_txn.py \\
        --compare prepare_blocking=true --compare prepare_blocking=false

The torn read: ``t1`` writes ``k1`` and ``k2``; ``t2`` reads ``k1`` on ``s1`` before ``t1``
commits, then reaches ``s2`` for the first time after, picks a later snapshot there and reads
``t1``'s ``k2``. Read committed allows that; snapshot isolation does not. Write skew:
``t1`` reads ``k1`` and writes ``k2`` while ``t2`` reads ``k2`` and writes ``k1``, from the
same snapshot; the writes do not conflict, both commit, and no serial order explains the
reads, as snapshot isolation allows.

Simplifications: one cluster clock stands for the shards' hybrid logical clocks; a statement
reaches its shard and returns in one step (no network); no failures, retries or
catalog changes; the router aborts a transaction at its first write conflict.
"""

from refute import ModelValue, Record, Spec, State, action, each, terminal
from refute.isolation import TxnHistory

T1, T2 = ModelValue("t1"), ModelValue("t2")
K1, K2 = "k1", "k2"
SHARD_OF = {K1: "s1", K2: "s2"}

PROGRAMS = {
    "torn-read": {T1: (("w", K1, "t1"), ("w", K2, "t1")), T2: (("r", K1), ("r", K2))},
    "write-skew": {T1: (("r", K1), ("w", K2, "t1")), T2: (("r", K2), ("w", K1, "t2"))},
}
PROGRAMS["both"] = {t: (PROGRAMS["torn-read"][t], PROGRAMS["write-skew"][t]) for t in (T1, T2)}
for _name in ("torn-read", "write-skew"):
    PROGRAMS[_name] = {t: (program,) for t, program in PROGRAMS[_name].items()}


class MongoTxn(Spec):
    def __init__(self, read_concern: str = "snapshot", prepare_blocking: bool = True,
                 workload: str = "both"):
        if read_concern not in ("snapshot", "local"):
            raise ValueError(f"read_concern must be snapshot or local, got {read_concern!r}")
        if workload not in PROGRAMS:
            raise ValueError(f"workload must be one of {', '.join(PROGRAMS)}, got {workload!r}")
        self.read_concern = read_concern
        self.prepare_blocking = prepare_blocking
        self.txns = (T1, T2)
        self.shards = ("s1", "s2")
        # What each transaction may run: refute permissiveness enumerates the histories the
        # isolation level allows for exactly these programs.
        self.programs = PROGRAMS[workload]
        self.choices = range(max(len(p) for p in self.programs.values()))

    def init(self):
        # router[t]: the transaction at the router; part[(t, shard)]: its participant on a
        # shard it has reached; store[k]: k's committed versions, (commit ts, value).
        return State(
            clock=0,
            router={t: Record(phase="idle", program=(), pc=0, read_ts=None, commit_ts=None)
                    for t in self.txns},
            part={},
            store={K1: (), K2: ()},
            history=TxnHistory())

    # -- the router ------------------------------------------------------------------------

    @action
    def begin(self, s, t=each("txns"), choice=each("choices")):
        if s.router[t].phase == "idle" and choice < len(self.programs[t]):
            read_ts = s.clock if self.read_concern == "snapshot" else None
            router = s.router[t].update(phase="active", program=self.programs[t][choice],
                                        read_ts=read_ts)
            return s.update(router=s.router.set(t, router), history=s.history.begin(t))

    @action
    def read(self, s, t=each("txns")):
        op = self._next_op(s, t, "r")
        if op is None:
            return None
        key = op[1]
        part, s = self._participant(s, t, key)
        if part.write is not None and key in part.write:
            value = part.write[key]
        else:
            if self._prepare_conflict(s, t, key, part.read_ts) and self.prepare_blocking:
                return None  # wait for the prepared transaction to commit or abort
            value = self._visible(s, key, part.read_ts)
        return self._advance(s, t, s.history.read(t, key, value))

    @action
    def write(self, s, t=each("txns")):
        op = self._next_op(s, t, "w")
        if op is None:
            return None
        _, key, value = op
        part, s = self._participant(s, t, key)
        if self._write_conflict(s, t, key, part.read_ts):
            return None
        writes = dict(part.write or {})
        writes[key] = value
        where = (t, SHARD_OF[key])
        s = s.update(part=s.part.set(where, part.update(write=writes)))
        return self._advance(s, t, s.history.write(t, key, value))

    @action
    def abort_on_write_conflict(self, s, t=each("txns")):
        op = self._next_op(s, t, "w")
        if op is None:
            return None
        part, s = self._participant(s, t, op[1])
        if not self._write_conflict(s, t, op[1], part.read_ts):
            return None
        return s.update(router=s.router.set(t, s.router[t].update(phase="aborted")),
                        part={where: p for where, p in s.part.items() if where[0] != t},
                        history=s.history.abort(t))

    @action
    def prepare(self, s, t=each("txns"), shard=each("shards")):
        """A shard the transaction wrote to prepares it at a new cluster time."""
        part = s.part.get((t, shard))
        if self._done(s, t) and part is not None and part.write and part.prepare_ts is None:
            ts = s.clock + 1
            return s.update(clock=ts, part=s.part.set((t, shard), part.update(prepare_ts=ts)))

    @action
    def commit(self, s, t=each("txns")):
        """The router commits at the largest prepare timestamp once every writer prepared."""
        if not self._done(s, t):
            return None
        mine = {where: p for where, p in s.part.items() if where[0] == t}
        if any(p.write and p.prepare_ts is None for p in mine.values()):
            return None
        commit_ts = max((p.prepare_ts for p in mine.values() if p.write), default=None)
        read_only = [where for where, p in mine.items() if not p.write]
        return s.update(router=s.router.set(t, s.router[t].update(phase="committed",
                                                                   commit_ts=commit_ts)),
                        part={w: p for w, p in s.part.items() if w not in read_only},
                        history=s.history.commit(t))

    # -- the shards --------------------------------------------------------------------------

    @action
    def apply_commit(self, s, t=each("txns"), shard=each("shards")):
        """A prepared shard learns the decision and installs the write at the commit ts."""
        part = s.part.get((t, shard))
        if s.router[t].phase != "committed" or part is None:
            return None
        ts = s.router[t].commit_ts
        store = dict(s.store)
        for key, value in part.write.items():
            store[key] = store[key] + ((ts, value),)
        return s.update(store=store, part={w: p for w, p in s.part.items() if w != (t, shard)})

    @terminal
    def all_finished(self, s):
        return not s.part and all(r.phase in ("committed", "aborted") for r in s.router.values())

    # -- helpers ------------------------------------------------------------------------------

    def _next_op(self, s, t, kind):
        router = s.router[t]
        if router.phase == "active" and router.pc < len(router.program) and \
                router.program[router.pc][0] == kind:
            return router.program[router.pc]
        return None

    def _done(self, s, t):
        router = s.router[t]
        return router.phase == "active" and router.pc == len(router.program)

    def _participant(self, s, t, key):
        """The transaction's participant on the key's shard, created on first contact."""
        where = (t, SHARD_OF[key])
        part = s.part.get(where)
        if part is None:
            read_ts = s.router[t].read_ts
            part = Record(read_ts=s.clock if read_ts is None else read_ts, write=None,
                          prepare_ts=None)
            s = s.update(part=s.part.set(where, part))
        return part, s

    def _advance(self, s, t, history):
        router = s.router[t]
        return s.update(router=s.router.set(t, router.update(pc=router.pc + 1)),
                        history=history)

    def _visible(self, s, key, read_ts):
        """The value of the newest version committed at or before ``read_ts``."""
        value = None
        for ts, written in s.store[key]:
            if ts <= read_ts:
                value = written
        return value

    def _prepare_conflict(self, s, t, key, read_ts):
        return any(where[0] != t and p.prepare_ts is not None and p.prepare_ts <= read_ts
                   and key in p.write for where, p in s.part.items())

    def _write_conflict(self, s, t, key, read_ts):
        newer = any(ts > read_ts for ts, _ in s.store[key])
        other = any(where[0] != t and p.write and key in p.write for where, p in s.part.items())
        return newer or other
