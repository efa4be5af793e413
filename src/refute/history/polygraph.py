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

from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from refute.history.graph import PROCESS, REALTIME, RW, WR, WW, Graph
from refute.history.realtime import add_order_edges
from refute.history.rw_register import INITIAL
from refute.history.transactions import Outcome

if TYPE_CHECKING:
    from refute.history.rw_register import RwRegisterAnalysis
    from refute.limits import Watch

WINDOW = 2048
PRUNE_ROUNDS = 2
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
    ``edge_keys[e]`` is the key of edge ``e`` (wr, rw, ww), ``None`` for order edges.
    """

    n: int
    vertices: np.ndarray  # bool per transaction id: part of the graph
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    var: np.ndarray
    sign: np.ndarray
    edge_keys: Any  # edge -> its key (None for order edges), by indexing
    pairs: list[tuple[Any, int, int]]
    forced: int = 0  # constraints pruning decided
    via: dict[int, int] = field(default_factory=dict)  # derived edge -> the witness reader
    derived: np.ndarray | None = None  # bool per edge: known, but deduced rather than shown

    @property
    def variables(self) -> int:
        return len(self.pairs)

    def select(self, values: np.ndarray) -> np.ndarray:
        """Indices of the edges present when variable ``v`` has value ``values[v]``.

        ``values[0]`` must be True (the known edges' pseudo-variable).
        """
        return np.flatnonzero(values[self.var] == self.sign)


class _Builder:
    """Accumulates the known edges as Python lists (the per-pair edges are built as arrays)."""

    def __init__(self) -> None:
        self.src: list[int] = []
        self.dst: list[int] = []
        self.kind: list[int] = []
        self.keys: list[Any] = []

    def add(self, u: int, v: int, kind: int, key: Any) -> None:
        if u != v:
            self.src.append(u)
            self.dst.append(v)
            self.kind.append(kind)
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
    # Writer slots: every (key, writer) pair, grouped by key, writers sorted by id; each slot
    # has the readers of its version (CSR arrays ``reader_ptr``/``reader_ids``).
    key_values: list[Any] = []
    slot_writer: list[int] = []
    slot_key: list[int] = []
    group_start: list[int] = []
    readers_of: dict[tuple[Any, int], list[int]] = {}
    for key, by_value in analysis.readers.items():
        writers = analysis.writer.get(key, {})
        for value, reader_ids in by_value.items():
            w = None if value is INITIAL else writers.get(value)
            if w is not None and vertices[w]:
                readers_of[(key, w)] = reader_ids
    slot_readers: list[list[int]] = []
    for key, by_value in analysis.writer.items():
        writers = sorted(t for t in by_value.values() if vertices[t])
        index = len(key_values)
        key_values.append(key)
        group_start.append(len(slot_writer))
        for w in writers:
            slot_writer.append(w)
            slot_key.append(index)
            slot_readers.append(readers_of.get((key, w), []))
        for r in analysis.readers.get(key, {}).get(INITIAL, ()):
            for w in writers:
                edges.add(r, w, RW, key)
        for w in writers:
            for r in readers_of.get((key, w), ()):
                edges.add(w, r, WR, key)
    group_start.append(len(slot_writer))
    writer_of = np.array(slot_writer, dtype=np.int64)
    counts = np.array([len(rs) for rs in slot_readers], dtype=np.int64)
    reader_ptr = np.concatenate([[0], np.cumsum(counts)])
    reader_ids = np.array([r for rs in slot_readers for r in rs], dtype=np.int64)
    # Pairs of slots of one key, first slot < second slot.
    firsts, seconds = [], []
    for lo, hi in zip(group_start, group_start[1:]):
        if hi - lo > 1:
            i, j = _pairs_of(hi - lo)
            firsts.append(i + lo)
            seconds.append(j + lo)
    first_slot = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)
    second_slot = np.concatenate(seconds) if seconds else np.zeros(0, dtype=np.int64)
    a, b = writer_of[first_slot], writer_of[second_slot]
    # Pruning by known dependency reachability; ``decided`` is +1 (a first), -1, or 0.
    decided = np.zeros(len(a), dtype=np.int8)
    known = np.array([(k & DEPENDENCY) != 0 for k in edges.kind], dtype=bool)
    dependency_src = np.array(edges.src, dtype=np.int64)[known]
    dependency_dst = np.array(edges.dst, dtype=np.int64)[known]
    for _ in range(PRUNE_ROUNDS):
        if watch is not None and watch.expired():
            raise Stopped
        forced_now = decided != 0
        reach = _WindowReach(n, np.concatenate([dependency_src, np.where(
            decided[forced_now] > 0, a[forced_now], b[forced_now])]), np.concatenate([
            dependency_dst, np.where(decided[forced_now] > 0, b[forced_now], a[forced_now])]))
        if reach.cyclic:
            break  # the known edges alone close a cycle: the solver reports it, no pruning
        open_pairs = decided == 0
        forward = open_pairs & reach.reaches(a, b)
        backward = open_pairs & ~forward & reach.reaches(b, a)
        decided[forward], decided[backward] = 1, -1
        if not (forward.any() or backward.any()):
            break
    if watch is not None and watch.expired():
        raise Stopped
    position = {key: i for i, key in enumerate(key_values)}
    known_src = np.array(edges.src, dtype=np.int64)
    known_dst = np.array(edges.dst, dtype=np.int64)
    columns = [(known_src, known_dst, np.array(edges.kind, dtype=np.int8),
                np.zeros(len(known_src), dtype=np.int64), np.ones(len(known_src), dtype=bool),
                np.array([-1 if k is None else position[k] for k in edges.keys],
                         dtype=np.int64),
                np.zeros(len(known_src), dtype=bool))]
    slot_key_array = np.array(slot_key, dtype=np.int64)
    forced_pairs = np.flatnonzero(decided != 0)
    open_pairs = np.flatnonzero(decided == 0)
    variables = np.arange(1, len(open_pairs) + 1, dtype=np.int64)
    before = decided[forced_pairs] > 0
    columns.append(_ordered(np.where(before, first_slot[forced_pairs], second_slot[forced_pairs]),
                            np.where(before, second_slot[forced_pairs], first_slot[forced_pairs]),
                            np.zeros(len(forced_pairs), dtype=np.int64), True, True,
                            writer_of, slot_key_array, reader_ptr, reader_ids))
    columns.append(_ordered(first_slot[open_pairs], second_slot[open_pairs], variables, True,
                            False, writer_of, slot_key_array, reader_ptr, reader_ids))
    columns.append(_ordered(second_slot[open_pairs], first_slot[open_pairs], variables, False,
                            False, writer_of, slot_key_array, reader_ptr, reader_ids))
    src, dst, kind, var, sign, key_index, derived = (np.concatenate(c) for c in zip(*columns))
    keep = src != dst
    pairs = [(key_values[k], int(x), int(y)) for k, x, y in zip(
        slot_key_array[first_slot[open_pairs]].tolist(), a[open_pairs].tolist(),
        b[open_pairs].tolist())]
    return Polygraph(n, vertices, src[keep], dst[keep], kind[keep], var[keep], sign[keep],
                     _KeyColumn(key_index[keep], key_values), pairs, len(forced_pairs),
                     derived=derived[keep])


def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(i, j)`` with ``i < j < size``, as two arrays (cached per size)."""
    cached = _PAIRS.get(size)
    if cached is None:
        cached = _PAIRS[size] = np.triu_indices(size, 1)
    return cached


_PAIRS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _ordered(first: np.ndarray, second: np.ndarray, var: np.ndarray, sign: bool,
             derived: bool, writer_of: np.ndarray, keys: np.ndarray, reader_ptr: np.ndarray,
             reader_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Edge columns for "slot ``first`` installs before slot ``second``": ``ww`` between the
    writers, and ``rw`` from each reader of ``first``'s version to ``second``'s writer."""
    counts = reader_ptr[first + 1] - reader_ptr[first]
    total = int(counts.sum())
    offsets = np.repeat(reader_ptr[first] - np.concatenate([[0], np.cumsum(counts)[:-1]]),
                        counts) + np.arange(total)
    readers = reader_ids[offsets]
    repeat = np.repeat(np.arange(len(first)), counts)
    m = len(first)
    return (np.concatenate([writer_of[first], readers]),
            np.concatenate([writer_of[second], writer_of[second][repeat]]),
            np.concatenate([np.full(m, WW, dtype=np.int8), np.full(total, RW, dtype=np.int8)]),
            np.concatenate([var, var[repeat]]),
            np.full(m + total, sign, dtype=bool),
            np.concatenate([keys[first], keys[first][repeat]]),
            np.full(m + total, derived, dtype=bool))


class _KeyColumn:
    """The key of each edge (``None`` for order edges), stored as indices into the keys."""

    def __init__(self, index: np.ndarray, values: list[Any]) -> None:
        self.index, self.values = index, values

    def __getitem__(self, edge: int) -> Any:
        i = int(self.index[edge])
        return None if i < 0 else self.values[i]


def graph_vertices(analysis: RwRegisterAnalysis) -> np.ndarray:
    """Which transactions are vertices: committed ones, and info ones somebody read."""
    read_writers = {analysis.writer[k][v] for k, by_value in analysis.readers.items()
                    for v in by_value if v is not INITIAL and v in analysis.writer.get(k, {})}
    return np.array([t.outcome is Outcome.OK or (t.outcome is Outcome.INFO and t.id in
                                                  read_writers)
                     for t in analysis.history.transactions], dtype=bool)


class _WindowReach:
    """Reachability over an acyclic graph, exact for targets within :data:`WINDOW` positions
    of the source in a topological order (and reported False beyond).

    ``bits[u]`` has bit ``i`` set when ``u`` reaches the vertex at topological position
    ``pos[u] + 1 + i``; computed in reverse topological order by shifting and or-ing the
    successors' sets (Python integers), each truncated to the window, then laid out as
    ``WINDOW / 64`` words per vertex so that :meth:`reaches` answers many pairs at once.
    """

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray) -> None:
        matrix = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
        components, _ = connected_components(matrix, directed=True, connection="strong")
        self.cyclic = components < n  # no self-loops here: a component of two or more
        if self.cyclic:
            return
        matrix.sum_duplicates()
        succ = [targets.tolist() for targets in np.split(matrix.indices, matrix.indptr[1:-1])
                ] if n else []
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
        self.pos = np.array(pos, dtype=np.int64)
        self.words = np.frombuffer(b"".join(b.to_bytes(WINDOW // 8, "little") for b in bits),
                                   dtype="<u8").reshape(n, WINDOW // 64)

    def reaches(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each ``i``, whether ``a[i]`` reaches ``b[i]`` (within the window)."""
        shift = self.pos[b] - self.pos[a] - 1
        inside = (shift >= 0) & (shift < WINDOW)
        result = np.zeros(len(a), dtype=bool)
        s, rows = shift[inside], a[inside]
        words = self.words[rows, s >> 6]
        result[inside] = ((words >> (s & 63).astype(np.uint64)) & np.uint64(1)) != 0
        return result


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
