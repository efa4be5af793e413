"""Read atomic and causal consistency: levels decided without searching version orders.

Biswas and Enea (*On the complexity of checking transactional consistency*, OOPSLA 2019)
define each level by an axiom on a commit order ``co`` that extends session order and
write-read order (``so ∪ wr``). For read atomic and causal consistency the axiom's premise
does not mention ``co``:

- **read atomic**: if ``t3`` reads ``x`` from ``t1``, and ``t2 ≠ t1`` writes ``x`` and is
  directly visible to ``t3`` (``t2 so t3`` or ``t2 wr t3``), then ``t2 co t1``;
- **causal**: the same with ``t2`` anywhere in ``t3``'s causal past, ``(so ∪ wr)+``.

So the edges the axiom forces can be computed once, and the level holds exactly when
``so ∪ wr`` plus the forced edges is acyclic (any topological order is then a commit order
satisfying the axiom). A read of a key's initial value while a writer of that key is
(directly, or causally) visible is a violation by itself: nothing can precede the initial
version. Forced edges are reported as ``ww`` edges marked *inferred* (derived by the axiom),
each naming the read that forced it.

Causal pasts are bit sets over transaction ids, built in topological order: time and memory
O(n²/64) words in the worst case, bounded by the run's limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from refute.history.graph import PROCESS, RW, WR, WW, Graph, strongly_connected_components
from refute.history.polygraph import Polygraph, graph_vertices
from refute.history.realtime import add_order_edges
from refute.history.rw_register import INITIAL
from refute.history.solver import Decision, find_cycles

if TYPE_CHECKING:
    from refute.history.rw_register import RwRegisterAnalysis
    from refute.limits import Watch


def decide_by_saturation(analysis: RwRegisterAnalysis, level: str, watch: Watch | None
                         ) -> tuple[Decision, int]:
    """``level`` is ``read-atomic`` or ``causal``; returns the decision and the edge count."""
    history = analysis.history
    n = len(history.transactions)
    vertices = graph_vertices(analysis)
    src: list[int] = []
    dst: list[int] = []
    kind: list[int] = []
    keys: list[Any] = []
    via: dict[int, int] = {}

    def add(u: int, v: int, k: int, key: Any, witness: int | None = None) -> None:
        if u == v:
            return
        if witness is not None:
            via[len(src)] = witness
        src.append(u)
        dst.append(v)
        kind.append(k)
        keys.append(key)

    order = Graph(n)
    add_order_edges(history, order)
    preds: list[list[int]] = [[] for _ in range(n)]
    for u, targets in enumerate(order.succ):
        for v, kinds in targets.items():
            if kinds & PROCESS and vertices[u] and vertices[v]:
                add(u, v, PROCESS, None)
                preds[v].append(u)
    reads: list[tuple[int, Any, Any]] = []  # (reader, key, value read)
    for key, by_value in analysis.readers.items():
        writers = analysis.writer.get(key, {})
        for value, reader_ids in by_value.items():
            w = None if value is INITIAL else writers.get(value)
            if value is not INITIAL and (w is None or not vertices[w]):
                continue
            for r in reader_ids:
                reads.append((r, key, value))
                if w is not None and w != r:
                    add(w, r, WR, key)
                    preds[r].append(w)
    visible = _causal_past(preds, n) if level == "causal" else _direct(preds, n)
    if visible is None:  # so ∪ wr itself is cyclic
        graph = _graph(n, vertices, src, dst, kind, keys, via)
        return Decision(False, _first(find_cycles(graph, np.arange(len(src)), "any"))), len(src)
    writers_of = {key: [t for t in by_value.values() if vertices[t]]
                  for key, by_value in analysis.writer.items()}
    for count, (r, key, value) in enumerate(reads):
        if watch is not None and count % 4096 == 0 and watch.expired():
            return Decision(None), len(src)
        seen = visible[r]
        t1 = None if value is INITIAL else analysis.writer[key][value]
        for t2 in writers_of.get(key, ()):
            if t2 != t1 and t2 != r and seen >> t2 & 1:
                if t1 is None:
                    add(r, t2, RW, key)  # read the initial value though t2's write was seen
                else:
                    add(t2, t1, WW, key, witness=r)
    graph = _graph(n, vertices, src, dst, kind, keys, via)
    cycles = find_cycles(graph, np.arange(len(src)), "any")
    if cycles:
        return Decision(False, _first(cycles)), len(src)
    return Decision(True), len(src)


def _first(cycles: list) -> Any:
    return min(cycles, key=lambda c: (sum(e.derived for e in c), len(c)))


def _graph(n: int, vertices: np.ndarray, src: list[int], dst: list[int], kind: list[int],
           keys: list[Any], via: dict[int, int]) -> Polygraph:
    return Polygraph(n, vertices, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                     np.array(kind, dtype=np.int8), np.zeros(len(src), dtype=np.int64),
                     np.ones(len(src), dtype=bool), keys, [], via=via,
                     derived=np.isin(np.arange(len(src)), list(via)))


def _direct(preds: list[list[int]], n: int) -> list[int] | None:
    """Bit set of each transaction's direct predecessors; None if ``so ∪ wr`` is cyclic."""
    if _cyclic(preds, n):
        return None
    result = []
    for v in range(n):
        bits = 0
        for p in preds[v]:
            bits |= 1 << p
        result.append(bits)
    return result


def _causal_past(preds: list[list[int]], n: int) -> list[int] | None:
    """Bit set of each transaction's causal past; None if ``so ∪ wr`` is cyclic."""
    if _cyclic(preds, n):
        return None
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for v in range(n):
        for p in preds[v]:
            succ[p].append(v)
            indegree[v] += 1
    ready = [v for v in range(n) if not indegree[v]]
    past = [0] * n
    while ready:
        v = ready.pop()
        for p in preds[v]:
            past[v] |= past[p] | (1 << p)
        for w in succ[v]:
            indegree[w] -= 1
            if not indegree[w]:
                ready.append(w)
    return past


def _cyclic(preds: list[list[int]], n: int) -> bool:
    succ: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        for p in preds[v]:
            succ[p].append(v)
    return bool(strongly_connected_components(succ))
