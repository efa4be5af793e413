"""Concurrent random transactions against a real database, recorded as a Jepsen history.

    result = run_workload(engine, level="repeatable read", clients=8, txns=600, keys=4,
                          workload="list-append", out="history.edn", seed=1)
    check_history(result.path, model="snapshot-isolation")

``clients`` threads, one connection each, take turns drawing random transactions until
``txns`` have been invoked. Each transaction is written to the history as an ``:invoke``
(reads ``nil``) when it starts and a completion when it ends, in the real-time order the
events happened (the file's order is what the checker uses for real-time precedence):

- ``:ok`` with the values read, when COMMIT succeeded;
- ``:fail`` when the database certainly aborted it: serialization failure (40001), deadlock
  (40P01), SQLite BUSY/LOCKED, any error before COMMIT;
- ``:info`` when its fate is unknown (lost connection, an odd error at COMMIT). The client
  then reconnects under a new process number, as Jepsen does (a process never has two
  transactions in flight).

Workloads (Elle's): **list-append**, ``[:append k v]`` / ``[:r k [..]]`` on a table
``(k int primary key, v int[])`` (SQLite: space-separated text), appends as ``INSERT ... ON
CONFLICT (k) DO UPDATE SET v = v || ...``; and **rw-register**, ``[:w k v]`` / ``[:r k v]``
on ``(k int primary key, v int)``. Written values are unique per key. Transactions are 1 to
``max_ops`` micro-ops, reads and writes equally likely, over few keys: a high contention that
makes weak levels show their anomalies quickly. The workload drops and recreates its tables
(``refute_append``/``refute_register``) at the start of a run.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refute.errors import UsageError
from refute.limits import Limit, Watch
from refute.workloads.engines import (
    Aborted,
    Engine,
    Indeterminate,
    Session,
    SqliteEngine,
    SqliteSession,
)

WORKLOADS = ("list-append", "rw-register")
TABLES = {"list-append": "refute_append", "rw-register": "refute_register"}


@dataclass
class WorkloadResult:
    """What a run did: where the history is and how the transactions ended."""

    path: Path | None
    engine: str
    level: str
    workload: str
    clients: int
    invoked: int
    ok: int
    fail: int
    info: int
    seconds: float
    errors: dict[str, int] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list, repr=False)
    stop_reason: Limit | None = None  # the limit that stopped invoking transactions, if any

    def to_json(self) -> dict[str, Any]:
        return {"status": "ok", "history": str(self.path) if self.path else None,
                "engine": self.engine, "isolation": self.level, "workload": self.workload,
                "clients": self.clients, "invoked": self.invoked, "ok": self.ok,
                "fail": self.fail, "info": self.info, "errors": self.errors,
                "stop_reason": None if self.stop_reason is None else self.stop_reason.json_name,
                "seconds": round(self.seconds, 3)}

    def summary(self) -> str:
        errors = ", ".join(f"{code} x{n}" for code, n in sorted(self.errors.items()))
        return (f"{self.engine} {self.level}, {self.workload}: {self.invoked} transactions "
                f"by {self.clients} clients in {self.seconds:.1f} s: {self.ok} ok, "
                f"{self.fail} fail, {self.info} info" + (f" ({errors})" if errors else "")
                + (f"; {self.stop_reason.value}, so no more were invoked"
                   if self.stop_reason else ""))


class Generator:
    """Random transactions with values unique per key; thread-safe."""

    def __init__(self, workload: str, keys: int, max_ops: int, seed: int | None,
                 read_ratio: float = 0.5) -> None:
        self.workload = workload
        self.keys = keys
        self.max_ops = max_ops
        self.read_ratio = read_ratio
        self.random = random.Random(seed)
        self.next_value: dict[int, int] = {}
        self.lock = threading.Lock()

    def __call__(self) -> list[list[Any]]:
        write = "append" if self.workload == "list-append" else "w"
        with self.lock:
            mops = []
            for _ in range(self.random.randint(1, self.max_ops)):
                key = self.random.randrange(self.keys)
                if self.random.random() < self.read_ratio:
                    mops.append(["r", key, None])
                else:
                    value = self.next_value.get(key, 0) + 1
                    self.next_value[key] = value
                    mops.append([write, key, value])
            return mops


class Recorder:
    """The history, in the order events happened; ``:index`` is the position."""

    def __init__(self) -> None:
        self.operations: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.start = time.monotonic_ns()

    def record(self, kind: str, process: int, value: list[list[Any]],
               error: str | None = None) -> None:
        with self.lock:
            op: dict[str, Any] = {"type": kind, "f": "txn", "value": value,
                                  "process": process,
                                  "time": time.monotonic_ns() - self.start,
                                  "index": len(self.operations)}
            if error is not None:
                op["error"] = error
            self.operations.append(op)


def run_workload(engine: Engine, level: str | None = None, clients: int = 5, txns: int = 500,
                 keys: int = 5, workload: str = "list-append", out: str | Path | None = None,
                 seed: int | None = None, max_ops: int = 4, time_limit: float | None = None,
                 think: float = 0.0, memory_limit: int | None = None) -> WorkloadResult:
    """Run the workload and write its history to ``out`` (EDN, one operation per line).

    ``time_limit`` (seconds) and ``memory_limit`` (bytes of refute's resident memory) stop
    the invoking of new transactions; those under way finish, so the history is whole.

    ``think`` seconds pass between a transaction's statements: in-process databases such as
    SQLite run a statement in microseconds, so without a pause transactions barely overlap.
    """
    if workload not in WORKLOADS:
        raise UsageError(f"unknown workload {workload!r}", hint=f"use one of {WORKLOADS}")
    for name, value in (("clients", clients), ("txns", txns), ("keys", keys),
                        ("max_ops", max_ops)):
        if value < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1, not {value}")
    level = engine.level(level)
    _create_table(engine, workload)
    generator = Generator(workload, keys, max_ops, seed)
    recorder = Recorder()
    counter = iter(range(txns))
    counter_lock = threading.Lock()
    watch = Watch(time_limit, memory_limit)
    errors: dict[str, int] = {}
    failures: list[BaseException] = []

    def take() -> bool:
        if watch.expired():
            return False
        with counter_lock:
            return next(counter, None) is not None

    def client(number: int) -> None:
        process = number
        session = None
        try:
            while take():
                if session is None:
                    session = engine.connect()
                mops = generator()
                recorder.record("invoke", process, _invocation(mops))
                try:
                    done = _transact(session, level, workload, mops, think)
                except Aborted as error:
                    session.rollback()
                    _count(errors, error.code, counter_lock)
                    recorder.record("fail", process, _invocation(mops), str(error))
                except Indeterminate as error:
                    _count(errors, error.code, counter_lock)
                    recorder.record("info", process, _invocation(mops), str(error))
                    session.close()
                    session = None
                    process += clients  # a crashed process never returns: take a new one
                else:
                    recorder.record("ok", process, done)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            if session is not None:
                session.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), name=f"refute-client-{n}",
                                daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    watch.close()
    seconds = time.monotonic() - started
    if failures:
        raise failures[0]
    ops = recorder.operations
    counts = {kind: sum(1 for op in ops if op["type"] == kind)
              for kind in ("invoke", "ok", "fail", "info")}
    path = None
    if out is not None:
        path = Path(out)
        write_edn(ops, path)
    return WorkloadResult(path, engine.name, level, workload, clients, counts["invoke"],
                          counts["ok"], counts["fail"], counts["info"], seconds,
                          dict(sorted(errors.items())), ops, watch.reason)


def _count(errors: dict[str, int], code: str, lock: threading.Lock) -> None:
    with lock:
        errors[code] = errors.get(code, 0) + 1


def _invocation(mops: list[list[Any]]) -> list[list[Any]]:
    return [[f, k, None if f == "r" else v] for f, k, v in mops]


def _create_table(engine: Engine, workload: str) -> None:
    table = TABLES[workload]
    column = "text" if isinstance(engine, SqliteEngine) else (
        "int[]" if workload == "list-append" else "int")
    session = engine.connect()
    try:
        session.execute(f"DROP TABLE IF EXISTS {table}")
        session.execute(f"CREATE TABLE {table} (k int PRIMARY KEY, v {column})")
    except (Aborted, Indeterminate) as error:
        raise UsageError(f"cannot create the workload's table {table}: {error}") from None
    finally:
        session.close()


def _transact(session: Session, level: str, workload: str, mops: list[list[Any]],
              think: float = 0.0) -> list[list[Any]]:
    """Run one transaction; return its micro-ops with the values read."""
    table = TABLES[workload]
    sqlite = isinstance(session, SqliteSession)
    p = "?" if sqlite else "%s"
    session.begin(level)
    done = []
    for f, key, value in mops:
        if think:
            time.sleep(think)
        if f == "r":
            rows, _ = session.execute(f"SELECT v FROM {table} WHERE k = {p}", (key,))
            found = rows[0][0] if rows else None
            if workload == "list-append":
                if found is None:
                    found = []
                elif sqlite:
                    found = [int(x) for x in str(found).split()]
                else:
                    found = list(found)
            elif found is not None:
                found = int(found)
            done.append(["r", key, found])
        elif workload == "list-append":
            if sqlite:
                session.execute(
                    f"INSERT INTO {table} (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE "
                    f"SET v = {table}.v || ' ' || excluded.v", (key, str(value)))
            else:
                session.execute(
                    f"INSERT INTO {table} (k, v) VALUES (%s, ARRAY[%s]::int[]) ON CONFLICT (k) "
                    f"DO UPDATE SET v = {table}.v || EXCLUDED.v", (key, value))
            done.append([f, key, value])
        else:
            session.execute(
                f"INSERT INTO {table} (k, v) VALUES ({p}, {p}) ON CONFLICT (k) DO UPDATE "
                f"SET v = excluded.v", (key, value))
            done.append([f, key, value])
    session.commit()
    return done


# -- EDN output --------------------------------------------------------------------------------

def edn(value: Any, keyword: bool = False) -> str:
    """The EDN text of a value of a history: maps, vectors, ints, nil, keywords, strings."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if keyword:
            return ":" + value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        if len(value) == 3 and value and value[0] in ("r", "append", "w"):
            return "[" + " ".join([":" + value[0], edn(value[1]), edn(value[2])]) + "]"
        return "[" + " ".join(edn(item) for item in value) + "]"
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            parts.append(f":{key} " + edn(item, keyword=key in ("type", "f")))
        return "{" + ", ".join(parts) + "}"
    raise TypeError(f"cannot write {value!r} as EDN")


def write_edn(operations: list[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for op in operations:
            handle.write(edn(op) + "\n")
