"""Read-write register histories: what a read of a single value proves, and nothing more.

Each write puts a unique value into a key; a read returns one value (``nil``, or 0 in PolySI
text, for the initial state). A read says *which* write it saw, so write-read dependencies are
exact, but unlike list-append it says nothing about the order of other writes. The version
order is therefore only what can be proved:

- the initial state precedes every written version of its key;
- a transaction that read version ``a`` of a key and then wrote ``b`` to it installed ``b``
  after ``a`` (Elle's "writes follow reads"). Were it otherwise, the writer of ``a`` would both
  follow the transaction (ww) and precede it (wr): a G1c cycle, which every model from read
  committed up forbids; so inferring ``a << b`` hides no anomaly those models care about.

From that order come the anti-dependencies: a transaction that read version ``a`` precedes the
writer of every version known to come *directly* after ``a``. No ww edges are added: the only
provable ones (writer of ``a`` before the transaction that read ``a`` and overwrote it) run
parallel to a wr edge already present, and claiming a G0 from an order inferred by assuming
read committed would be circular.

Reads are *external* ones only (the first access to a key in the transaction, when it is a
read); later reads must agree with the transaction's own operations (``internal``). A read of
a value written by a failed transaction is ``G1a``; of a value its writer overwrote in the same
transaction, ``G1b``; of a value nobody wrote, ``garbage-read``; two committed transactions
reading the same version and both writing the key, ``lost-update``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from refute.errors import InputError
from refute.history.anomalies import Finding
from refute.history.graph import RW, WR, Graph
from refute.limits import Watch, watched
from refute.history.transactions import WRITE, History, Outcome, value_text

INITIAL = None  # the version every key starts at


class RwRegisterAnalysis:
    """Version knowledge, dependency graph and non-cycle anomalies of an rw-register history.

    Invariants after construction: ``writer[k][v]`` is the possibly-committed transaction
    whose final write of ``k`` was ``v``; ``successors[k][a]`` the versions known to directly
    follow version ``a`` (``INITIAL`` included); ``readers[k][a]`` the transactions whose
    external read of ``k`` returned ``a``.
    """

    workload = "rw-register"

    def __init__(self, history: History, watch: Watch | None = None) -> None:
        self.history = history
        self.txns = history.transactions
        self.watch = watch  # checked every 4096 transactions of each pass (LimitReached)
        self.findings: list[Finding] = []
        self._index()
        self._check_reads()

    @functools.cached_property
    def graph(self) -> Graph:
        """Elle's graph for registers: only the edges the reads show (see the module
        docstring). Complete checking (:mod:`refute.history.complete`) does not use it; it
        serves read uncommitted, and the benchmarks as the baseline."""
        graph = Graph(len(self.txns))
        self._edges(graph)
        return graph

    def _index(self) -> None:
        any_writer: dict[tuple, int] = {}
        writer: dict[Any, dict[Any, int]] = defaultdict(dict)
        failed: dict[Any, dict[Any, int]] = defaultdict(dict)
        intermediate: dict[Any, dict[Any, int]] = defaultdict(dict)
        readers: dict[Any, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
        follows: dict[Any, dict[Any, Any]] = defaultdict(dict)  # k -> written v -> version read
        lost: dict[tuple, list[int]] = defaultdict(list)
        for txn in watched(self.txns, self.watch):
            final: dict[Any, Any] = {}
            external: dict[Any, Any] = {}
            for f, key, value in txn.mops:
                if f == WRITE:
                    pair = (key, value)
                    if pair in any_writer:
                        other = self.txns[any_writer[pair]]
                        raise InputError(
                            f"{value_text(value)} is written to key {value_text(key)} by both "
                            f"{other.name} (line {other.line}) and {txn.name}",
                            file=self.history.file, line=txn.line,
                            hint="rw-register histories need unique written values per key; "
                                 "without that, a read does not say whose write it saw")
                    any_writer[pair] = txn.id
                    if key in final:
                        intermediate[key][final[key]] = txn.id
                    elif key in external and txn.outcome is Outcome.OK:
                        lost[(key, external[key])].append(txn.id)
                    final[key] = value
                elif key not in final and key not in external:
                    if value is not None or txn.outcome is Outcome.OK:
                        external[key] = value
            if txn.outcome is Outcome.FAIL:
                for key, value in final.items():
                    failed[key][value] = txn.id
                continue
            for key, value in final.items():
                writer[key][value] = txn.id
                if key in external:
                    follows[key][value] = external[key]
            for key, value in external.items():
                readers[key][value].append(txn.id)
        self.any_writer, self.writer, self.failed = any_writer, writer, failed
        self.intermediate, self.readers = intermediate, readers
        successors: dict[Any, dict[Any, list]] = defaultdict(lambda: defaultdict(list))
        for key, versions in writer.items():
            for value in versions:
                successors[key][follows[key].get(value, INITIAL)].append(value)
        self.follows, self.successors = follows, successors
        for (key, value), txn_ids in lost.items():
            if len(txn_ids) > 1:
                names = ", ".join(self.txns[t].name for t in txn_ids)
                self.findings.append(Finding(
                    "lost-update", list(txn_ids),
                    f"{names} all read key {value_text(key)} = {value_text(value)} and then "
                    "wrote it, and all committed: each update was made without seeing the "
                    "others", key=key))

    def _check_reads(self) -> None:
        """G1a, G1b, garbage-read for external reads; internal for the others."""
        for txn in watched(self.txns, self.watch):
            if txn.outcome is not Outcome.OK:
                continue
            known: dict[Any, Any] = {}
            for f, key, value in txn.mops:
                if f == WRITE:
                    known[key] = value
                    continue
                if key in known:
                    if value != known[key]:
                        self.findings.append(Finding(
                            "internal", [txn.id],
                            f"{txn.name} read key {value_text(key)} = {value_text(value)}, "
                            f"but its own previous operation on the key means it must see "
                            f"{value_text(known[key])}", key=key))
                    continue
                known[key] = value
                if value is None:
                    continue
                self._check_external_read(txn.id, key, value)

    def _check_external_read(self, reader: int, key: Any, value: Any) -> None:
        r = self.txns[reader]
        w = self.failed.get(key, {}).get(value)
        if w is not None:
            self.findings.append(Finding(
                "G1a", [w, reader],
                f"{r.name} read key {value_text(key)} = {value_text(value)}, which "
                f"{self.txns[w].name} wrote and {self.txns[w].name} failed (aborted)", key=key))
            return
        w = self.intermediate.get(key, {}).get(value)
        if w is not None and w != reader:
            self.findings.append(Finding(
                "G1b", [w, reader],
                f"{r.name} read key {value_text(key)} = {value_text(value)}, an intermediate "
                f"value: {self.txns[w].name} overwrote it in the same transaction", key=key))
            return
        if (key, value) not in self.any_writer:
            self.findings.append(Finding(
                "garbage-read", [reader],
                f"{r.name} read key {value_text(key)} = {value_text(value)}, but no "
                f"transaction wrote {value_text(value)} to it", key=key))

    def _edges(self, graph: Graph) -> None:
        add = graph.add
        for key, by_value in self.readers.items():
            writers = self.writer.get(key, {})
            successors = self.successors.get(key, {})
            for value, reader_ids in by_value.items():
                w = writers.get(value) if value is not None else None
                later = [writers[v] for v in successors.get(value, ())]
                for r in reader_ids:
                    if w is not None:
                        add(w, r, WR)
                    for t in later:
                        add(r, t, RW)

    def external_read(self, txn: int, key: Any) -> Any:
        """The value ``txn``'s first operation on ``key`` read (``INITIAL`` for nil)."""
        for f, k, value in self.txns[txn].mops:
            if k == key:
                return INITIAL if f == WRITE else value
        return INITIAL

    def final_write(self, txn: int, key: Any) -> Any:
        """The last value ``txn`` wrote to ``key`` (its version of the key)."""
        value = INITIAL
        for f, k, v in self.txns[txn].mops:
            if f == WRITE and k == key:
                value = v
        return value

    def explain(self, source: int, target: int, kind: int) -> tuple[Any, str]:
        """Why ``source`` must precede ``target`` by an edge of ``kind``: ``(key, words)``."""
        a, b = self.txns[source], self.txns[target]
        for key, by_value in self.readers.items():
            writers = self.writer.get(key, {})
            if kind == WR:
                for value, reader_ids in by_value.items():
                    if value is not None and writers.get(value) == source and \
                            target in reader_ids:
                        return key, (f"{b.name} read key {value_text(key)} = "
                                     f"{value_text(value)}, which {a.name} wrote, so "
                                     f"{a.name} must precede {b.name}")
                continue
            for value, reader_ids in by_value.items():
                if source not in reader_ids:
                    continue
                for later in self.successors.get(key, {}).get(value, ()):
                    if writers[later] != target:
                        continue
                    if value is None:
                        return key, (f"{a.name} read key {value_text(key)} before any write "
                                     f"(nil), and {b.name} wrote {value_text(later)} to it, so "
                                     f"{a.name} must precede {b.name}")
                    return key, (f"{a.name} read key {value_text(key)} = {value_text(value)}, "
                                 f"and {b.name} read that same version and overwrote it with "
                                 f"{value_text(later)}, so {a.name} must precede {b.name}")
        raise AssertionError(f"no reason for edge {a.name} -> {b.name}")
