"""The polygraph of a read-write register history: the edges every version order has, and
the choices a version order makes.

A read of a register says which write it saw (values written to a key are unique), so
write-read dependencies are known; the order of the writes to a key (its *version order*) is
not. Following Papadimitriou's polygraphs as PolySI and Cobra use them, the history becomes:

- **known edges**, true under every version order: ``wr`` (writer -> reader), ``process``
  (session order), ``realtime`` (strict serializability only), and ``rw`` from every reader
  of a key's initial value to every writer of the key (the initial version precedes all);
- **constraints**, one per pair ``{a, b}`` of writers of a key ``k``: *either* ``a`` installs
  its version before ``b`` (``ww a -> b``, plus ``rw r -> b`` for every reader ``r`` of
  ``a``'s version) *or* the other way round. A constraint is a propositional variable:
  true means ``a`` first, where ``a`` is the writer with the smaller transaction id.

Pruning (PolySI's): when ``a`` already reaches ``b`` through known dependency edges, ordering
``b`` first would close a cycle of dependency edges, which every level checked here forbids;
so ``a`` first is forced and its edges become known. Reachability is computed with bit sets
over a topological order, each set covering a window of the next :data:`WINDOW` positions:
pairs further apart stay constraints (pruning is an optimisation: what it leaves, the solver
decides). Rounds repeat while they force something, up to :data:`PRUNE_ROUNDS`.

Vertices are the transactions that committed (``ok``) and the ``info`` ones some committed
read saw (they must have committed); an ``info`` transaction nobody read is left out, which
is exact: dropping an unobserved write only removes edges. Failed transactions, and reads of
values that no possible transaction wrote (reported by :mod:`refute.history.rw_register` as
G1a, G1b or garbage reads), contribute no edge.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from refute.history.graph import PROCESS, REALTIME, RW, WR, WW, Graph, strongly_connected_components
from refute.history.realtime import add_order_edges
from refute.history.rw_register import INITIAL
from refute.history.transactions import Outcome

if TYPE_CHECKING:
    from refute.history.rw_register import RwRegisterAnalysis
    from refute.limits import Watch

WINDOW = 2048
PRUNE_ROUNDS = 4
DEPENDENCY = WW | WR | PROCESS | REALTIME


class Stopped(Exception):
    """The run's time or memory limit was reached while the polygraph was being built."""


@dataclass
class Polygraph:
    """Known edges and per-pair constraints, as flat arrays the solver filters per model.

    Edge arrays ``src``, ``dst``, ``kind``, ``var``, ``sign``: an edge is present in a version
    order when ``var == 0`` (known) or when variable ``var`` has value ``sign``. ``pairs[i]``
    is ``(key, a, b)`` for variable ``i + 1`` (``a < b``, true meaning ``a`` first). Edges in
    ``derived`` are known but not shown by the history itself: the orders pruning forced, and
    the edges a level's axiom forces (:mod:`refute.history.saturation`, where ``via`` names
    the read that forced each).
    ``keys`` maps each edge with a key to it (wr, rw, ww), ``None`` for order edges.
    """

    n: int
    vertices: np.ndarray  # bool per transaction id: part of the graph
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    var: np.ndarray
    sign: np.ndarray
    edge_keys: list[Any]
    pairs: list[tuple[Any, int, int]]
    forced: int = 0  # constraints pruning decided
    via: dict[int, int] = field(default_factory=dict)  # derived edge -> the witness reader
    derived: set[int] = field(default_factory=set)  # known edges deduced, not shown

    @property
    def variables(self) -> int:
        return len(self.pairs)

    def select(self, values: np.ndarray) -> np.ndarray:
        """Indices of the edges present when variable ``v`` has value ``values[v]``.

        ``values[0]`` must be True (the known edges' pseudo-variable).
        """
        return np.flatnonzero(values[self.var] == self.sign)


class _Builder:
    """Accumulates edges as Python lists, then freezes them into a :class:`Polygraph`."""

    def __init__(self) -> None:
        self.src: list[int] = []
        self.dst: list[int] = []
        self.kind: list[int] = []
        self.var: list[int] = []
        self.sign: list[bool] = []
        self.keys: list[Any] = []
        self.derived: set[int] = set()

    def add(self, u: int, v: int, kind: int, key: Any, var: int = 0, sign: bool = True,
            derived: bool = False) -> None:
        if u != v:
            if derived:
                self.derived.add(len(self.src))
            self.src.append(u)
            self.dst.append(v)
            self.kind.append(kind)
            self.var.append(var)
            self.sign.append(sign)
            self.keys.append(key)


def build_polygraph(analysis: RwRegisterAnalysis, realtime: bool, sessions: bool,
                    watch: Watch | None) -> Polygraph:
    """The polygraph of ``analysis``'s history; ``realtime`` adds real-time edges,
    ``sessions`` process (session) order edges."""
    history = analysis.history
    n = len(history.transactions)
    vertices = graph_vertices(analysis)
    edges = _Builder()
    if sessions or realtime:
        order = Graph(n)
        add_order_edges(history, order)
        for u, targets in enumerate(order.succ):
            if not vertices[u]:
                continue
            for v, kinds in targets.items():
                if vertices[v]:
                    if kinds & PROCESS and sessions:
                        edges.add(u, v, PROCESS, None)
                    elif kinds & REALTIME and realtime:
                        edges.add(u, v, REALTIME, None)
    writers_of: dict[Any, list[int]] = {}
    for key, by_value in analysis.writer.items():
        writers_of[key] = sorted(t for t in by_value.values() if vertices[t])
    readers_of: dict[tuple[Any, int], list[int]] = {}
    for key, by_value in analysis.readers.items():
        writers = analysis.writer.get(key, {})
        for value, reader_ids in by_value.items():
            if value is INITIAL:
                for r in reader_ids:
                    for w in writers_of.get(key, ()):
                        edges.add(r, w, RW, key)
                continue
            w = writers.get(value)
            if w is None or not vertices[w]:
                continue
            readers_of[(key, w)] = reader_ids
            for r in reader_ids:
                edges.add(w, r, WR, key)
    # Pairs of writers per key, pruned by known dependency reachability.
    pairs = [(key, a, b) for key, writers in writers_of.items()
             for i, a in enumerate(writers) for b in writers[i + 1:]]
    decided: dict[int, bool] = {}
    forced = 0
    known_dependency = [(u, v) for u, v, k in zip(edges.src, edges.dst, edges.kind)
                        if k & DEPENDENCY]
    for _ in range(PRUNE_ROUNDS):
        if watch is not None and watch.expired():
            raise Stopped
        reach = _WindowReach(n, known_dependency)
        if reach.cyclic:
            break  # the known edges alone close a cycle: the solver reports it, no pruning
        newly = 0
        for index, (key, a, b) in enumerate(pairs):
            if watch is not None and not index & 0xFFFF and watch.expired():
                raise Stopped
            if index in decided:
                continue
            if reach.reaches(a, b):
                decided[index] = True
            elif reach.reaches(b, a):
                decided[index] = False
            else:
                continue
            newly += 1
            first, second = (a, b) if decided[index] else (b, a)
            known_dependency.append((first, second))
        forced += newly
        if not newly:
            break
    numbered: list[tuple[Any, int, int]] = []
    for index, (key, a, b) in enumerate(pairs):
        if watch is not None and not index & 0xFFFF and watch.expired():
            raise Stopped
        if index in decided:
            first, second = (a, b) if decided[index] else (b, a)
            _order_edges(edges, key, first, second, readers_of, 0, True, derived=True)
            continue
        numbered.append((key, a, b))
        var = len(numbered)
        _order_edges(edges, key, a, b, readers_of, var, True)
        _order_edges(edges, key, b, a, readers_of, var, False)
    return Polygraph(
        n, vertices, np.array(edges.src, dtype=np.int64), np.array(edges.dst, dtype=np.int64),
        np.array(edges.kind, dtype=np.int8), np.array(edges.var, dtype=np.int64),
        np.array(edges.sign, dtype=bool), edges.keys, numbered, forced,
        derived=edges.derived)


def graph_vertices(analysis: RwRegisterAnalysis) -> np.ndarray:
    """Which transactions are vertices: committed ones, and info ones somebody read."""
    read_writers = {analysis.writer[k][v] for k, by_value in analysis.readers.items()
                    for v in by_value if v is not INITIAL and v in analysis.writer.get(k, {})}
    return np.array([t.outcome is Outcome.OK or (t.outcome is Outcome.INFO and t.id in
                                                  read_writers)
                     for t in analysis.history.transactions], dtype=bool)


def _order_edges(edges: _Builder, key: Any, first: int, second: int,
                 readers_of: dict[tuple[Any, int], list[int]], var: int, sign: bool,
                 derived: bool = False) -> None:
    """The edges of ``first`` installing its version of ``key`` before ``second``."""
    edges.add(first, second, WW, key, var, sign, derived)
    for r in readers_of.get((key, first), ()):
        edges.add(r, second, RW, key, var, sign, derived)


class _WindowReach:
    """Reachability over an acyclic graph, exact for targets within :data:`WINDOW` positions
    of the source in a topological order (and reported False beyond).

    ``bits[u]`` has bit ``i`` set when ``u`` reaches the vertex at topological position
    ``pos[u] + 1 + i``; computed in reverse topological order by shifting and or-ing the
    successors' sets, each truncated to the window.
    """

    def __init__(self, n: int, edges: list[tuple[int, int]]) -> None:
        succ: list[list[int]] = [[] for _ in range(n)]
        for u, v in edges:
            succ[u].append(v)
        self.cyclic = bool(strongly_connected_components(succ))
        if self.cyclic:
            return
        order = _topological(succ)
        pos = [0] * n
        for i, v in enumerate(order):
            pos[v] = i
        mask = (1 << WINDOW) - 1
        bits = [0] * n
        for v in reversed(order):
            p = pos[v]
            total = 0
            for w in succ[v]:
                shift = pos[w] - p - 1
                if shift < WINDOW:
                    total |= ((bits[w] << 1) | 1) << shift
            bits[v] = total & mask
        self.pos, self.bits = pos, bits

    def reaches(self, a: int, b: int) -> bool:
        shift = self.pos[b] - self.pos[a] - 1
        return 0 <= shift < WINDOW and bool(self.bits[a] >> shift & 1)


def _topological(succ: list[list[int]]) -> list[int]:
    """Kahn's algorithm, smallest id first among the ready vertices: the order stays close to
    the history's own order, which keeps related transactions within one window."""
    n = len(succ)
    indegree = [0] * n
    for targets in succ:
        for w in targets:
            indegree[w] += 1
    ready = [v for v in range(n) if not indegree[v]]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for w in succ[v]:
            indegree[w] -= 1
            if not indegree[w]:
                heapq.heappush(ready, w)
    return order
