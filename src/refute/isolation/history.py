"""The transaction history a spec records as it runs, and its translation for the checker.

A spec of a transactional protocol keeps a :class:`TxnHistory` in a state field (``history``
by default) and extends it as its transactions act::

    h = s.history.begin(t1).read(t1, "k1", None).write(t1, "k2", "t1")
    return s.update(history=h.commit(t1))

Why the history is a state field, fingerprinted like every other: the checker decides
whether two states are the same by their fingerprints, and keeps one of them. Were the history
kept beside the state, two paths reaching the same protocol state with different histories (a
read that saw the old value on one, the new one on the other) would be merged, and the
history of the path not kept would never be checked: an anomaly could be missed. In the state,
such paths stay apart, and every reachable history is checked.

Why it is not an event log: a log would also keep apart paths that differ only in the order of
independent events (t1 reads k1, then t2 begins; or the reverse), multiplying the state space
by interleavings that no isolation verdict depends on. A ``TxnHistory`` keeps exactly what the
checker uses, in a canonical form: per transaction its operations in order (with the values
read and written), its outcome, and the transactions that committed before it began (real-time
order, for strict serializability). Two paths that agree on these are one state.

Conventions the checker relies on (rw-register histories, :mod:`refute.history.rw_register`):
reads of a key's initial value read ``None``; every written value is unique per key (the
writing transaction's name is the usual choice). A transaction aborted by the protocol may be
retried by calling ``begin`` again; an aborted attempt that wrote nothing has no effect on any
verdict and is forgotten when the next attempt begins (so a retry that ends like a first try is
the same state); one that wrote is kept, as a failed transaction whose writes nobody may read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from refute.errors import SpecError
from refute.history.transactions import READ, WRITE, History, Outcome, Transaction
from refute.values import FrozenMap, Record

OPEN, COMMITTED, ABORTED = "open", "committed", "aborted"

DEFAULT_FIELD = "history"


class TxnHistory(FrozenMap):
    """An immutable transaction history: transaction -> its entry, a ``Record`` of

    ``status`` (``"open"``, ``"committed"`` or ``"aborted"``), ``ops`` (``("r", key, value)``
    and ``("w", key, value)`` in the order they happened), ``after`` (the transactions that
    had committed when it began) and ``earlier`` (the writes of earlier aborted attempts).

    Every method returns a new history; a misuse (reading in a transaction that is not open)
    raises ``ValueError`` naming the transaction, which ``refute check`` reports with the
    spec's line.
    """

    __slots__ = ()

    def begin(self, txn: Any) -> TxnHistory:
        entry = self.get(txn)
        earlier: tuple = ()
        if entry is not None:
            if entry.status != ABORTED:
                raise ValueError(f"begin({txn!r}): transaction {txn!r} is {entry.status}; only "
                                 "an aborted transaction may begin again")
            writes = tuple(op for op in entry.ops if op[0] == WRITE)
            earlier = entry.earlier + ((writes,) if writes else ())
        after = frozenset(t for t, e in self.items() if e.status == COMMITTED)
        return self.set(txn, Record(status=OPEN, ops=(), after=after, earlier=earlier))

    def read(self, txn: Any, key: Any, value: Any) -> TxnHistory:
        """``txn`` read ``value`` from ``key`` (``None``: the initial value)."""
        return self._append(txn, (READ, key, value), "read")

    def write(self, txn: Any, key: Any, value: Any) -> TxnHistory:
        """``txn`` wrote ``value`` to ``key``; ``value`` must be unique per key."""
        return self._append(txn, (WRITE, key, value), "write")

    def commit(self, txn: Any) -> TxnHistory:
        return self.set(txn, self._open(txn, "commit").update(status=COMMITTED))

    def abort(self, txn: Any) -> TxnHistory:
        return self.set(txn, self._open(txn, "abort").update(status=ABORTED))

    @property
    def open(self) -> frozenset:
        """The transactions that began and have not committed or aborted."""
        return frozenset(t for t, e in self.items() if e.status == OPEN)

    @property
    def finished(self) -> bool:
        """Whether no transaction is open: the histories ``--isolation`` checks."""
        return all(e.status != OPEN for e in self.values())

    def status(self, txn: Any) -> str | None:
        entry = self.get(txn)
        return None if entry is None else entry.status

    def _open(self, txn: Any, doing: str) -> Record:
        entry = self.get(txn)
        if entry is None:
            raise ValueError(f"{doing}({txn!r}, ...): transaction {txn!r} has not begun: call "
                             f"begin({txn!r}) first")
        if entry.status != OPEN:
            raise ValueError(f"{doing}({txn!r}, ...): transaction {txn!r} is already "
                             f"{entry.status}")
        return entry

    def _append(self, txn: Any, op: tuple, doing: str) -> TxnHistory:
        entry = self._open(txn, doing)
        return self.set(txn, entry.update(ops=entry.ops + (op,)))


EMPTY = TxnHistory()


def history_of(model: Any, field: str | None = None) -> tuple[str, Any]:
    """``(field, getter)``: where the model's states keep their :class:`TxnHistory`.

    The field is ``field``, else the spec's ``transaction_history`` attribute, else
    ``history``; the getter reads it from a state.
    """
    name = field or model.transaction_history or DEFAULT_FIELD
    initial = model.init_states()[0]
    fields = model.describe_state(initial)
    if not isinstance(fields.get(name), TxnHistory):
        found = [n for n, v in fields.items() if isinstance(v, TxnHistory)]
        if field is None and len(found) == 1:
            name = found[0]
        else:
            raise SpecError(
                f"{model.name}'s state has no transaction history in a field {name!r}",
                file=model.source,
                hint="keep one in the state: history=TxnHistory() in init (from "
                     "refute.isolation), extended by h.begin(t), h.read(t, k, v), "
                     "h.write(t, k, v), h.commit(t), h.abort(t) in the actions; or name its "
                     "field with transaction_history = \"ops\" on the spec")
    if isinstance(initial, Record):
        return name, lambda state: getattr(state, name)
    return name, lambda state: model.describe_state(state)[name]


def attempts(history: TxnHistory) -> list[tuple[str, Any, str, tuple, frozenset]]:
    """Every attempt as ``(name, txn, status, ops, after)``, earlier aborted ones first.

    A transaction's earlier aborted attempts are named ``t1#1``, ``t1#2``, ...; its last
    attempt is named after the transaction.
    """
    out = []
    for txn, entry in history.items():
        for number, writes in enumerate(entry.earlier, start=1):
            out.append((f"{txn}#{number}", txn, ABORTED, writes, frozenset()))
        out.append((str(txn), txn, entry.status, entry.ops, entry.after))
    return out


def to_history(history: TxnHistory, source: str | None = None) -> History:
    """The same history as :mod:`refute.history` values: one transaction per attempt.

    Committed attempts are ``ok``, aborted ones ``fail``, open ones ``info``. Real-time
    order is given as event positions built from each attempt's ``after`` set (an interval
    order: the attempts that committed before one began are a superset of those before any
    attempt it follows), so that ``add_order_edges`` finds exactly the recorded precedences.
    """
    rows = attempts(history)
    _check_unique_writes(rows, source)
    begins = sorted(range(len(rows)), key=lambda i: (len(rows[i][4]), i))
    by_txn = {row[1]: i for i, row in enumerate(rows) if row[2] != ABORTED}
    position = 0
    invoked: dict[int, int] = {}
    completed: dict[int, int] = {}
    for i in begins:
        for txn in sorted(rows[i][4], key=str):
            j = by_txn.get(txn)
            if j is not None and j not in completed:
                completed[j] = position
                position += 1
        invoked[i] = position
        position += 1
    for i, row in enumerate(rows):
        if row[2] != OPEN and i not in completed:
            completed[i] = position
            position += 1
    outcome = {COMMITTED: Outcome.OK, ABORTED: Outcome.FAIL, OPEN: Outcome.INFO}
    transactions = [
        Transaction(id=i, name=name, outcome=outcome[status], process=name, mops=tuple(ops),
                    invoked=invoked.get(i), completed=completed.get(i) if status != OPEN
                    else None, where=_NOWHERE)
        for i, (name, _, status, ops, _) in enumerate(rows)]
    return History(transactions, source, "model", realtime=True)


def _check_unique_writes(rows: Iterable[tuple], source: str | None) -> None:
    writers: dict[tuple, str] = {}
    for name, _, _, ops, _ in rows:
        for f, key, value in ops:
            if f != WRITE:
                continue
            other = writers.get((key, value))
            if other is not None:
                who = (f"transaction {name} wrote" if other == name
                       else f"transactions {other} and {name} both wrote")
                raise SpecError(
                    f"{who} {value!r} to key {key!r} twice: a read of it could not say "
                    "which write it saw", file=source,
                    hint="write values unique per key, e.g. the transaction's name: "
                         "h.write(t, key, str(t))")
            writers[(key, value)] = name


class _Nowhere:
    """A model history has no file lines; explanations then name transactions only."""

    line = None


_NOWHERE = _Nowhere()
