"""List-append histories: version orders from reads, dependencies, and the non-cycle anomalies.

In a list-append workload every write appends a unique element to a key's list, and every
read returns the whole list, so a read *is* a prefix of the key's version order. Elle's rules
(``elle.list-append``), which this module follows:

- **Version order.** Sort a key's distinct non-empty reads by length; each must be a prefix of
  the next (otherwise ``incompatible-order``: no single list explains both). The longest read
  is the key's order. An append no read ever saw came, if it committed, after every element
  that was seen: it follows the last observed element.
- **Edges** (vertices are the ``ok`` and ``info`` transactions, the ones that may have
  committed). ``wr``: the writer of a read's last element precedes the reader. ``ww``: the
  writer of the element before an append precedes the appender. ``rw``: every transaction that
  read the list ending just before an append (or read it empty, when the append is first)
  precedes the appender: it did not see the append.
- **Non-cycle anomalies**, each as Elle defines it: ``G1a`` (a committed read saw an element
  of a failed transaction), ``G1b`` (a committed read ended at an element its writer later
  appended after), ``internal`` and ``future-read`` (a read contradicting the transaction's own
  earlier operations, or seeing its own later append), ``dirty-update`` (in the version order
  a committed append directly follows a failed one), ``duplicate-elements``,
  ``incompatible-order``, ``lost-update`` (two committed transactions read the same list of a
  key and both appended to it) and ``garbage-read`` (an element no transaction appended;
  Elle assumes this never happens).

``info`` transactions repeat their invocation, so their reads are ``nil``: unknown, not empty,
and ignored. Their appends count as possible writes (they may have committed), which produces
edges *into* them but no anomaly by itself: an ``info`` transaction is never a ``G1a`` writer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from refute.errors import InputError
from refute.history.anomalies import Finding
from refute.history.graph import RW, WR, WW, Graph
from refute.limits import Watch, watched
from refute.history.transactions import APPEND, READ, History, Outcome, Transaction, value_text

INIT = object()  # the empty list every key starts as, in read and version indexes


class ListAppendAnalysis:
    """The version orders, dependency graph and non-cycle anomalies of a list-append history.

    Invariants after construction: ``order[k]`` is the longest read of ``k`` without repeated
    elements and ``position[k]`` maps each of its elements to its index; ``writer[k][e]`` is
    the possibly-committed transaction that appended ``e`` to ``k``; ``graph`` holds every
    ww/wr/rw edge between possibly-committed transactions.
    """

    workload = "list-append"

    def __init__(self, history: History, watch: Watch | None = None) -> None:
        self.history = history
        self.txns = history.transactions
        self.watch = watch  # checked every 4096 transactions of each pass (LimitReached)
        self.findings: list[Finding] = []
        self._index_writes()
        self._index_reads()
        self._version_orders()
        self.graph = Graph(len(self.txns))
        self._edges()
        self._per_transaction_anomalies()
        self._dirty_updates()
        self._value_anomalies()

    # -- indexes ---------------------------------------------------------------------------

    def _index_writes(self) -> None:
        writer: dict[Any, dict[Any, int]] = defaultdict(dict)  # possibly committed
        failed: dict[Any, dict[Any, int]] = defaultdict(dict)
        intermediate: dict[Any, dict[Any, int]] = defaultdict(dict)
        any_writer: dict[tuple[Any, Any], int] = {}
        for txn in watched(self.txns, self.watch):
            last: dict[Any, Any] = {}
            target = failed if txn.outcome is Outcome.FAIL else writer
            for f, key, element in txn.mops:
                if f != APPEND:
                    continue
                pair = (key, element)
                if pair in any_writer:
                    other = self.txns[any_writer[pair]]
                    raise InputError(
                        f"{value_text(element)} is appended to key {value_text(key)} by both "
                        f"{other.name} (line {other.line}) and {txn.name}",
                        file=self.history.file, line=txn.line,
                        hint="list-append histories need every appended value to be unique "
                             "per key; without that, a read does not say whose append it saw")
                any_writer[pair] = txn.id
                target[key][element] = txn.id
                if key in last:
                    intermediate[key][last[key]] = txn.id
                last[key] = element
        self.writer, self.failed, self.intermediate = writer, failed, intermediate
        self.any_writer = any_writer

    def _index_reads(self) -> None:
        """Which transactions read each list, keyed by the list's last element (or INIT)."""
        readers: dict[Any, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
        values: dict[Any, set[tuple]] = defaultdict(set)
        for txn in watched(self.txns, self.watch):
            if txn.outcome is Outcome.FAIL:
                continue
            for f, key, value in txn.mops:
                if f != READ:
                    continue
                if value is None:
                    if txn.outcome is Outcome.INFO:
                        continue  # unknown, not empty
                    value = ()
                if not isinstance(value, tuple):
                    raise InputError(
                        f"{txn.name} reads key {value_text(key)} as {value_text(value)}, "
                        "not a list", file=self.history.file, line=txn.line,
                        hint="in a list-append history every read returns a list; use "
                             "--workload rw-register for single-value reads")
                if value:
                    readers[key][value[-1]].append(txn.id)
                    values[key].add(value)
                else:
                    readers[key][INIT].append(txn.id)
        self.readers, self.values = readers, values

    def _version_orders(self) -> None:
        order: dict[Any, tuple] = {}
        position: dict[Any, dict[Any, int]] = {}
        self.incompatible_keys: set = set()
        for key, values in self.values.items():
            longest = max(values, key=len)
            distinct = tuple(dict.fromkeys(longest))
            order[key] = distinct
            position[key] = {element: i for i, element in enumerate(distinct)}
            bad = [value for value in values if longest[:len(value)] != value]
            if bad:
                self.incompatible_keys.add(key)
                self._incompatible(key, sorted(values, key=lambda v: (len(v), repr(v))))
        self.order, self.position = order, position

    def _incompatible(self, key: Any, ordered: list[tuple]) -> None:
        """Report the first pair of reads, shortest first, where one is not a prefix of the next."""
        for shorter, longer in zip(ordered, ordered[1:]):
            if longer[:len(shorter)] != shorter:
                readers = [self._first_reader(key, v) for v in (shorter, longer)]
                a, b = (self.txns[r] for r in readers)
                self.findings.append(Finding(
                    "incompatible-order", readers,
                    f"{a.name} read key {value_text(key)} as {value_text(shorter)} and "
                    f"{b.name} read it as {value_text(longer)}: neither list is a prefix of "
                    "the other, so no single order of appends explains both",
                    key=key))
                return

    def _first_reader(self, key: Any, value: tuple) -> int:
        for txn_id in self.readers[key][value[-1]]:
            if any(f == READ and k == key and v == value for f, k, v in self.txns[txn_id].mops):
                return txn_id
        raise AssertionError("a read value without its reader")

    def previous(self, key: Any, element: Any) -> Any:
        """The element appended just before ``element`` to ``key``, or INIT.

        An append no read saw is placed after the last element any read saw (Elle's
        ``previously-appended-element``).
        """
        index = self.position.get(key, {}).get(element)
        if index is None:
            order = self.order.get(key)
            return order[-1] if order else INIT
        return self.order[key][index - 1] if index else INIT

    # -- dependency edges ------------------------------------------------------------------

    def _edges(self) -> None:
        add = self.graph.add
        writer, readers = self.writer, self.readers
        for txn in watched(self.txns, self.watch):
            if txn.outcome is Outcome.FAIL:
                continue
            t = txn.id
            for f, key, value in txn.mops:
                if f == READ:
                    if value:
                        w = writer[key].get(value[-1]) if key in writer else None
                        if w is not None:
                            add(w, t, WR)
                    continue
                prev = self.previous(key, value)
                if prev is not INIT:
                    w = writer[key].get(prev)
                    if w is not None:
                        add(w, t, WW)
                key_readers = readers.get(key)
                if key_readers is not None:
                    for r in key_readers.get(prev, ()):
                        add(r, t, RW)

    def explain(self, source: int, target: int, kind: int) -> tuple[Any, str]:
        """Why ``source`` must precede ``target`` by an edge of ``kind``: ``(key, words)``."""
        a, b = self.txns[source], self.txns[target]
        if kind == WR:
            for f, key, value in b.mops:
                if f == READ and value and self.writer.get(key, {}).get(value[-1]) == source:
                    return key, (f"{b.name} read key {value_text(key)} = {value_text(value)}, "
                                 f"which ends with {a.name}'s append of "
                                 f"{value_text(value[-1])}, so {a.name} must precede {b.name}")
        for f, key, value in b.mops:
            if f != APPEND:
                continue
            prev = self.previous(key, value)
            unseen = value not in self.position.get(key, {})
            if kind == WW and prev is not INIT and self.writer[key].get(prev) == source:
                where = ("no read saw it, so it came after the last element any read saw"
                         if unseen else "reads of the key show the two in that order")
                return key, (f"{b.name} appended {value_text(value)} to key {value_text(key)} "
                             f"right after {a.name}'s append of {value_text(prev)} ({where}), "
                             f"so {a.name} must precede {b.name}")
            if kind == RW and source in self.readers.get(key, {}).get(prev, ()):
                seen = "as empty" if prev is INIT else f"ending at {value_text(prev)}"
                return key, (f"{a.name} read key {value_text(key)} {seen}, without "
                             f"{b.name}'s append of {value_text(value)}, so {a.name} must "
                             f"precede {b.name}")
        raise AssertionError(f"no reason for edge {a.name} -> {b.name}")

    # -- anomalies that need no cycle ------------------------------------------------------

    def _per_transaction_anomalies(self) -> None:
        """G1a, G1b, internal, future-read and lost-update, from committed transactions."""
        aborted: dict[tuple, list[int]] = defaultdict(list)
        intermediate: dict[tuple, list[int]] = defaultdict(list)
        lost: dict[tuple, list[int]] = defaultdict(list)
        for txn in watched(self.txns, self.watch):
            if txn.outcome is not Outcome.OK:
                continue
            for f, key, value in txn.mops:
                if f != READ or not value:
                    continue
                failed = self.failed.get(key)
                if failed:
                    for element in value:
                        if element in failed:
                            aborted[(key, element)].append(txn.id)
                im = self.intermediate.get(key, {}).get(value[-1])
                if im is not None and im != txn.id:
                    intermediate[(key, value[-1])].append(txn.id)
            self._internal(txn)
            self._lost_update_candidate(txn, lost)
        for (key, element), reader_ids in aborted.items():
            w = self.txns[self.failed[key][element]]
            r = self.txns[reader_ids[0]]
            self.findings.append(Finding(
                "G1a", [w.id, r.id],
                f"{r.name} read key {value_text(key)} including {value_text(element)}, which "
                f"{w.name} appended and {w.name} failed (aborted)" + _others(reader_ids),
                key=key, count=len(reader_ids)))
        for (key, element), reader_ids in intermediate.items():
            w = self.txns[self.intermediate[key][element]]
            r = self.txns[reader_ids[0]]
            self.findings.append(Finding(
                "G1b", [w.id, r.id],
                f"{r.name} read key {value_text(key)} ending at {value_text(element)}, an "
                f"intermediate state: {w.name} appended more to key {value_text(key)} after "
                f"{value_text(element)} in the same transaction" + _others(reader_ids),
                key=key, count=len(reader_ids)))
        for (key, value), txn_ids in lost.items():
            if len(txn_ids) > 1:
                names = ", ".join(self.txns[t].name for t in txn_ids)
                self.findings.append(Finding(
                    "lost-update", list(txn_ids),
                    f"{names} all read key {value_text(key)} as {value_text(value)} and "
                    "then appended to it, and all committed: each update was made without "
                    "seeing the others", key=key))

    def _internal(self, txn: Transaction) -> None:
        """Elle's ``op-int-case`` and ``op-future-read-case`` for one committed transaction."""
        # key -> (whole list known?, the list, or its known suffix)
        state: dict[Any, tuple[bool, tuple]] = {}
        seen: dict[Any, set] = {}
        for f, key, value in txn.mops:
            if f == APPEND:
                if value in seen.get(key, ()):
                    self.findings.append(Finding(
                        "future-read", [txn.id],
                        f"{txn.name} read key {value_text(key)} including "
                        f"{value_text(value)} before appending {value_text(value)} itself",
                        key=key))
                    return
                known, elements = state.get(key, (False, ()))
                state[key] = (known, elements + (value,))
                continue
            value = value or ()
            expected = state.get(key)
            if expected is not None:
                known, elements = expected
                if known:
                    wrong = value != elements
                else:
                    wrong = len(value) < len(elements) or value[len(value) - len(elements):] \
                        != elements
                if wrong:
                    shape = value_text(elements) if known else \
                        f"a list ending with {value_text(elements)}"
                    self.findings.append(Finding(
                        "internal", [txn.id],
                        f"{txn.name} read key {value_text(key)} as {value_text(value)}, but "
                        f"its own earlier operations mean it must see {shape}", key=key))
                    return
            state[key] = (True, value)
            seen.setdefault(key, set()).update(value)

    @staticmethod
    def _lost_update_candidate(txn: Transaction, lost: dict[tuple, list[int]]) -> None:
        """Elle's ``lost-update-cases``: group by the list first read before appending."""
        first_read: dict[Any, tuple] = {}
        written: set = set()
        for f, key, value in txn.mops:
            if f == READ:
                first_read.setdefault(key, value or ())
            elif key not in written:
                written.add(key)
                if key in first_read:
                    lost[(key, first_read[key])].append(txn.id)

    def _dirty_updates(self) -> None:
        """Elle's ``dirty-update-cases``: a committed append directly after a failed one."""
        outcome = {Outcome.OK: "ok", Outcome.INFO: "info", Outcome.FAIL: "fail"}
        for key, order in self.order.items():
            last_kind, last_txn, span = "ok", None, []
            for element in order:
                txn_id = self.any_writer.get((key, element))
                if txn_id is None:
                    continue  # a garbage element; reported separately
                kind = outcome[self.txns[txn_id].outcome]
                if kind == "ok" and last_kind == "fail":
                    a, b = self.txns[last_txn], self.txns[txn_id]
                    self.findings.append(Finding(
                        "dirty-update", [a.id, b.id],
                        f"key {value_text(key)} reads as ...{value_text(tuple(span + [element]))}: "
                        f"{b.name} (committed) appended {value_text(element)} on top of "
                        f"{a.name}'s append, and {a.name} failed", key=key))
                # Elle keeps the last definite state across info appends (they may or may
                # not have happened) and across a run of failed ones.
                if kind == "info" or (kind == "fail" and last_kind == "fail"):
                    span.append(element)
                    continue
                last_kind, last_txn, span = kind, txn_id, [element]

    def _value_anomalies(self) -> None:
        """duplicate-elements and garbage-read, from each key's distinct reads.

        When a key's reads are all prefixes of the longest (the usual case), the longest read
        holds every element any read saw, so only it needs scanning.
        """
        for key, values in self.values.items():
            scan = values if key in self.incompatible_keys else (max(values, key=len),)
            duplicated: list[tuple] = []
            garbage: dict[Any, None] = {}
            for value in scan:
                if len(set(value)) != len(value):
                    duplicated.append(value)
                for element in value:
                    if (key, element) not in self.any_writer:
                        garbage[element] = None
            if duplicated:
                value = min(duplicated, key=len)
                readers = self._readers_of(key, lambda v, value=value: v[:len(value)] == value)
                r = self.txns[readers[0]]
                repeated = sorted({value_text(e) for e in value if value.count(e) > 1})
                self.findings.append(Finding(
                    "duplicate-elements", [r.id],
                    f"{r.name} read key {value_text(key)} as {value_text(value)}, where "
                    f"{', '.join(repeated)} appear(s) more than once, though each was appended "
                    "once" + _others(readers), key=key, count=len(readers)))
            for element in garbage:
                readers = self._readers_of(key, lambda v, element=element: element in v)
                r = self.txns[readers[0]]
                self.findings.append(Finding(
                    "garbage-read", [r.id],
                    f"{r.name} read key {value_text(key)} including {value_text(element)}, "
                    f"but no transaction appended {value_text(element)} to it"
                    + _others(readers), key=key, count=len(readers)))

    def _readers_of(self, key: Any, matches: Any) -> list[int]:
        """The transactions with a read of ``key`` whose value satisfies ``matches``."""
        return sorted({t for value in self.values[key] if matches(value)
                       for t in self.readers[key][value[-1]]
                       if any(f == READ and k == key and v == value
                              for f, k, v in self.txns[t].mops)})


def _others(reader_ids: list[int]) -> str:
    extra = len(reader_ids) - 1
    return f" ({extra} other read(s) saw it too)" if extra else ""
