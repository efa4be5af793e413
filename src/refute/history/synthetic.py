"""Generated histories with known answers, for benchmarks and tests.

:func:`list_append_history` is a Jepsen-shaped list-append history (Elle's generator's shape);
:func:`register_history` a read-write register one, described below.

A small simulated database, seeded and deterministic: ``clients`` processes invoke
transactions of 1-4 micro-operations (reads and writes, evenly) over a pool of
``active_keys`` keys, each key retired after ``max_writes`` writes as Jepsen's generators do.
A transaction takes effect atomically when it completes, so the history is strict
serializable (and satisfies every weaker level).

``anomaly`` injects one anomaly half-way through, as two concurrent transactions that both
read the same snapshot before either commits:

- ``write-skew``: ``T1 = r(x) r(y) w(x)``, ``T2 = r(x) r(y) w(y)``: snapshot isolation
  holds, serializability does not;
- ``lost-update``: ``T1 = r(x) w(x)``, ``T2 = r(x) w(x)``: snapshot isolation fails too;
- ``hidden-order``: four transactions on three fresh keys, ``T1 = w(x) w(z)``,
  ``T2 = w(x) w(y)``, ``T3`` reads ``T1``'s ``x`` and ``T2``'s ``y``, ``T4`` reads ``T2``'s
  ``x`` and ``T1``'s ``z``: whichever order the two writes of ``x`` take closes a cycle, but
  no edge the reads show does (Elle's inference finds nothing); every level from read
  atomic up is violated.
"""

from __future__ import annotations

import random

ANOMALIES = ("write-skew", "lost-update", "hidden-order")


def register_history(n: int, seed: int = 0, anomaly: str | None = None, clients: int = 10,
                     active_keys: int = 8, max_writes: int = 32) -> str:
    """EDN text of a register history with ``n`` transactions."""
    if anomaly is not None and anomaly not in ANOMALIES:
        raise ValueError(f"unknown anomaly {anomaly!r}")
    rng = random.Random(seed)
    state: dict[int, int] = {}
    writes: dict[int, int] = {}
    counter: dict[int, int] = {}
    pool = list(range(active_keys))
    next_key = active_keys
    lines: list[str] = []
    running: dict[int, list[tuple[str, int]]] = {}
    started = 0
    injected = anomaly is None

    def plan() -> list[tuple[str, int]]:
        keys = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
        return [("w" if rng.random() < 0.5 else "r", key) for key in keys]

    def execute(ops: list[tuple[str, int]]) -> list[tuple[str, int, int | None]]:
        return [(f, key, state.get(key)) if f == "r" else (f, key, write(key))
                for f, key in ops]

    def write(key: int) -> int:
        nonlocal next_key
        counter[key] = counter.get(key, 0) + 1
        state[key] = counter[key]
        writes[key] = writes.get(key, 0) + 1
        if writes[key] >= max_writes and key in pool:
            pool[pool.index(key)] = next_key
            next_key += 1
        return counter[key]

    def emit(kind: str, process: int, mops: list) -> None:
        body = " ".join(f"[:{f} {k} {'nil' if v is None else v}]" for f, k, v in mops)
        lines.append(f"{{:type :{kind}, :f :txn, :process {process}, :value [{body}]}}")

    while started < n or running:
        idle = [p for p in range(clients) if p not in running]
        if anomaly == "hidden-order" and not injected and started >= n // 2 and \
                len(idle) >= 4 and started + 4 <= n:
            x, y, z = next_key, next_key + 1, next_key + 2
            next_key += 3
            plans = [[("w", x, 1), ("w", z, 1)], [("w", x, 2), ("w", y, 1)],
                     [("r", x, 1), ("r", y, 1)], [("r", x, 2), ("r", z, 1)]]
            for process, mops in zip(idle, plans):
                emit("invoke", process, [(f, k, None if f == "r" else v) for f, k, v in mops])
            for process, mops in zip(idle, plans):
                emit("ok", process, mops)
            for key, value in ((x, 2), (y, 1), (z, 1)):
                state[key] = counter[key] = value
            started += 4
            injected = True
            continue
        if anomaly in ("write-skew", "lost-update") and not injected and \
                started >= n // 2 and len(idle) >= 2 and started + 2 <= n:
            x, y = pool[0], pool[1]
            if anomaly == "write-skew":
                plans = [[("r", x), ("r", y), ("w", x)], [("r", x), ("r", y), ("w", y)]]
            else:
                plans = [[("r", x), ("w", x)], [("r", x), ("w", x)]]
            first, second = idle[0], idle[1]
            for process, ops in ((first, plans[0]), (second, plans[1])):
                emit("invoke", process, [(f, k, None) for f, k in ops])
            snapshot = dict(state)
            for process, ops in ((first, plans[0]), (second, plans[1])):
                done = [(f, k, snapshot.get(k)) if f == "r" else (f, k, write(k))
                        for f, k in ops]
                emit("ok", process, done)
            started += 2
            injected = True
            continue
        if started < n and idle and (not running or rng.random() < 0.5):
            process = rng.choice(idle)
            running[process] = plan()
            emit("invoke", process, [(f, k, None) for f, k in running[process]])
            started += 1
        else:
            process = rng.choice(sorted(running))
            emit("ok", process, execute(running.pop(process)))
    return "\n".join(lines) + "\n"


def list_append_history(n: int, seed: int = 1, stale_reads: float = 0.0, clients: int = 10,
                        keys: int = 10, max_writes: int = 32) -> str:
    """EDN text of a list-append history with ``n`` transactions, strict serializable
    unless ``stale_reads`` > 0.

    ``clients`` processes invoke transactions of 1-4 micro-ops (appends and reads, evenly,
    over a rotating pool of ``keys`` keys, each retired after ``max_writes`` appends); a
    transaction takes effect atomically at its completion. 5% of transactions fail (no
    effect) and 1% end ``info`` (half of those take effect). A committed read drops its
    list's last element with probability ``stale_reads``: each such read is a real anomaly.
    Operations carry ``:index``, as Jepsen's do.
    """
    rng = random.Random(seed)
    state: dict[int, list[int]] = {}
    writes: dict[int, int] = {}
    active = list(range(keys))
    next_key = keys
    lines: list[str] = []
    running: dict[int, list] = {}  # process -> its micro-ops
    started = 0

    def edn(mops: list) -> str:
        parts = []
        for f, k, v in mops:
            if f == "r":
                v = "nil" if v is None else "[" + " ".join(map(str, v)) + "]"
            parts.append(f"[:{f} {k} {v}]")
        return "[" + " ".join(parts) + "]"

    while started < n or running:
        idle = [p for p in range(clients) if p not in running]
        if started < n and idle and (not running or rng.random() < 0.5):
            process = rng.choice(idle)
            mops = []
            for _ in range(rng.randint(1, 4)):
                key = rng.choice(active)
                if rng.random() < 0.5:
                    writes[key] = writes.get(key, 0) + 1
                    mops.append(("append", key, writes[key]))
                    if writes[key] >= max_writes:
                        active[active.index(key)] = next_key
                        next_key += 1
                else:
                    mops.append(("r", key, None))
            running[process] = mops
            lines.append(f"{{:type :invoke, :f :txn, :value {edn(mops)}, "
                         f":process {process}, :index {len(lines)}}}")
            started += 1
            continue
        process = rng.choice(sorted(running))
        mops = running.pop(process)
        roll = rng.random()
        if roll < 0.05:
            outcome, applies = "fail", False
        elif roll < 0.06:
            outcome, applies = "info", rng.random() < 0.5
        else:
            outcome, applies = "ok", True
        completed = []
        for f, key, value in mops:
            current = state.setdefault(key, [])
            if f == "append":
                if applies:
                    current.append(value)
                completed.append((f, key, value))
            elif outcome == "ok":
                seen = list(current)
                if stale_reads and seen and rng.random() < stale_reads:
                    seen = seen[:-1]
                completed.append((f, key, seen))
            else:
                completed.append((f, key, None))
        lines.append(f"{{:type :{outcome}, :f :txn, :value {edn(completed)}, "
                     f":process {process}, :index {len(lines)}}}")
    return "\n".join(lines) + "\n"
