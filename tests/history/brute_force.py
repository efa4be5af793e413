"""An independent oracle for small register histories: every version order (or every commit
order) enumerated, each level's definition applied literally with boolean matrices.

Nothing here is shared with the checker: histories are plain tuples, and each level is its
textbook definition (docs/isolation.md):

- read-committed: some version order makes ``ww ∪ wr`` acyclic (Adya PL-2);
- repeatable-read: some version order makes ``ww ∪ wr ∪ rw`` acyclic (Adya PL-2.99);
- serializable: some version order makes ``so ∪ ww ∪ wr ∪ rw`` acyclic;
- snapshot-isolation: some version order makes ``D ∪ D;rw`` acyclic, ``D = so ∪ ww ∪ wr``;
- parallel-snapshot-isolation: some version order makes ``D+ ; rw?`` irreflexive;
- read-atomic / causal / prefix-consistency: some commit order (a permutation of the
  transactions) extending ``so ∪ wr`` satisfies Biswas and Enea's axiom: when ``r`` reads
  ``k`` from ``t1`` and ``t2 ≠ t1`` writes ``k``, ``t2`` precedes ``t1`` in the commit order if
  ``t2 (so ∪ wr) r`` (read atomic), ``t2 (so ∪ wr)+ r`` (causal) or ``t2 co* ; (so ∪ wr) r``
  (prefix).

A transaction is ``(session, ops)`` with ops ``("r", key, value)`` / ``("w", key, value)``;
value ``None`` is the initial one. Every transaction committed.
"""

from __future__ import annotations

import itertools
import random

import numpy as np


def random_history(rng: random.Random, n: int, keys: str = "xy", sessions: int = 2):
    """``n`` transactions of 1-3 operations; reads return the initial value or a value some
    other transaction wrote (its last write of the key), so there are no non-cycle anomalies
    other than lost updates."""
    txns = []
    counter = {k: 0 for k in keys}
    plans = []
    for _ in range(n):
        ops = []
        used = set()
        for _ in range(rng.randint(1, 3)):
            key = rng.choice(keys)
            if key in used:
                continue
            used.add(key)
            if rng.random() < 0.5:
                counter[key] += 1
                ops.append(("w", key, counter[key]))
            else:
                ops.append(("r", key, "?"))
        plans.append(ops)
    writes = {}  # (key, value) -> writer index
    for i, ops in enumerate(plans):
        for f, key, value in ops:
            if f == "w":
                writes[(key, value)] = i
    for i, ops in enumerate(plans):
        resolved = []
        for f, key, value in ops:
            if f == "r":
                choices = [None] + [v for (k, v), w in writes.items() if k == key and w != i]
                value = rng.choice(choices)
            resolved.append((f, key, value))
        txns.append((rng.randrange(sessions), tuple(resolved)))
    return txns


def snapshot_history(rng: random.Random, n: int, keys: str = "xyz", sessions: int = 3):
    """``n`` transactions run by a simulated store in list order, each reading the latest
    write of every key among the transactions it *sees*: a prefix of the earlier ones (a
    prefix-consistent store), a causally closed subset (a causal store), or any subset;
    always its own session's earlier transactions. The mix lands between the levels (lost
    updates, long forks, causality violations) far more often than random reads do."""
    session = [rng.randrange(sessions) for _ in range(n)]
    counter = {k: 0 for k in keys}
    seen_by: list[set[int]] = []
    txns = []
    for i in range(n):
        mode = rng.random()
        if mode < 0.4:
            seen = set(range(rng.randint(0, i)))
        else:
            seen = {j for j in range(i) if rng.random() < 0.3}
        seen |= {j for j in range(i) if session[j] == session[i]}
        if 0.4 <= mode < 0.8:
            for j in sorted(seen, reverse=True):
                seen |= seen_by[j]
        seen_by.append(seen)
        ops = []
        for key in rng.sample(keys, rng.randint(1, min(3, len(keys)))):
            if rng.random() < 0.5:
                writers = [j for j in sorted(seen) for f, k, _ in txns[j][1]
                           if f == "w" and k == key]
                value = None if not writers else next(
                    v for f, k, v in txns[writers[-1]][1] if f == "w" and k == key)
                ops.append(("r", key, value))
            else:
                counter[key] += 1
                ops.append(("w", key, counter[key]))
        txns.append((session[i], tuple(ops)))
    return txns


def edn(txns) -> str:
    """The history as Jepsen EDN, completions only (no real-time order), in list order."""
    lines = []
    for i, (session, ops) in enumerate(txns):
        body = " ".join(f"[:{f} :{k} {'nil' if v is None else v}]" for f, k, v in ops)
        lines.append(f"{{:type :ok, :f :txn, :process {session}, :index {i}, :value [{body}]}}")
    return "\n".join(lines)


def holds(txns, level: str) -> bool:
    if level in ("read-atomic", "causal", "prefix-consistency"):
        return _commit_order_exists(txns, level)
    n = len(txns)
    writers = {}
    for i, (_, ops) in enumerate(txns):
        for f, k, v in ops:
            if f == "w":
                writers.setdefault(k, []).append(i)
    keys = sorted(writers)
    for orders in itertools.product(*(itertools.permutations(writers[k]) for k in keys)):
        version = dict(zip(keys, orders))
        so, ww, wr, rw = (np.zeros((n, n), dtype=bool) for _ in range(4))
        _session_order(txns, so)
        written_by = {(k, v): i for i, (_, ops) in enumerate(txns) for f, k, v in ops
                      if f == "w"}
        for k, order in version.items():
            for a, b in itertools.combinations(order, 2):
                ww[a, b] = True
        for r, (_, ops) in enumerate(txns):
            for f, k, v in ops:
                if f != "r":
                    continue
                later = version.get(k, ())
                if v is not None:
                    w = written_by[(k, v)]
                    wr[w, r] = True
                    later = later[later.index(w) + 1:]
                for t in later:
                    if t != r:
                        rw[r, t] = True
        if _level_holds(level, so, ww, wr, rw):
            return True
    return False


def _session_order(txns, so) -> None:
    last = {}
    for i, (session, _) in enumerate(txns):
        if session in last:
            so[last[session], i] = True
        last[session] = i


def _closure(m):
    c = m.copy()
    for k in range(len(m)):
        c |= np.outer(c[:, k], c[k, :])
    return c


def _acyclic(m) -> bool:
    return not _closure(m).diagonal().any()


def _compose(a, b):
    return (a.astype(np.int32) @ b.astype(np.int32)) > 0


def _level_holds(level, so, ww, wr, rw) -> bool:
    if level == "read-committed":
        return _acyclic(ww | wr)
    if level == "repeatable-read":
        return _acyclic(ww | wr | rw)
    d = so | ww | wr
    if level == "serializable":
        return _acyclic(d | rw)
    if level == "snapshot-isolation":
        return _acyclic(d | _compose(d, rw))
    if level == "parallel-snapshot-isolation":
        closed = _closure(d)
        return not closed.diagonal().any() and not _compose(closed, rw).diagonal().any()
    raise ValueError(level)


def _commit_order_exists(txns, level: str) -> bool:
    n = len(txns)
    so = np.zeros((n, n), dtype=bool)
    _session_order(txns, so)
    wr = np.zeros((n, n), dtype=bool)
    written_by = {(k, v): i for i, (_, ops) in enumerate(txns) for f, k, v in ops if f == "w"}
    reads = []
    for r, (_, ops) in enumerate(txns):
        for f, k, v in ops:
            if f == "r":
                t1 = None if v is None else written_by[(k, v)]
                if t1 is not None:
                    wr[t1, r] = True
                reads.append((r, k, t1))
    visible = so | wr
    if level == "causal":
        visible = _closure(visible)
    writes = {i: {k for f, k, _ in ops if f == "w"} for i, (_, ops) in enumerate(txns)}
    for order in itertools.permutations(range(n)):
        position = {t: p for p, t in enumerate(order)}
        if any(position[a] > position[b] for a, b in zip(*np.nonzero(so | wr))):
            continue
        if level == "prefix-consistency":  # t2 co* t4 and t4 (so ∪ wr) r
            after = np.array([[position[a] <= position[b] for b in range(n)]
                              for a in range(n)])
            visible = _compose(after, so | wr)
        if all(not (t2 != t1 and t2 != r and k in writes[t2] and visible[t2, r])
               or (t1 is not None and position[t2] < position[t1])
               for r, k, t1 in reads for t2 in range(n)):
            return True
    return False
