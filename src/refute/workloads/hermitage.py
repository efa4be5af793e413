"""Hermitage's anomaly tests, replayed against a live database at each isolation level.

Martin Kleppmann's Hermitage (github ept/hermitage, postgres.md) describes each anomaly as a
short interleaving of two or three transactions over a table ``test (id, value)`` holding
``(1, 10), (2, 20)``. :func:`replay` runs every interleaving for real:

- each transaction has its own connection and its own thread (a one-thread executor), so a
  statement that waits for a lock really waits, while the script goes on;
- a statement is **blocked** when it has not finished and the server says it waits for a lock
  (PostgreSQL: ``pg_blocking_pids``), or when it has not finished within ``block_timeout``
  seconds (SQLite's busy handler, which no view shows); the script then moves on to the next
  step, and the blocked statement completes (or fails) when a later step releases it. Later
  statements of a blocked transaction queue behind it on its thread;
- once a statement of a transaction fails, the transaction's remaining statements are
  skipped and its COMMIT becomes a ROLLBACK: it is *aborted*.

The anomaly is **prevented** as Hermitage decides it: when some transaction aborted
(serialization failure 40001, deadlock 40P01, SQLite BUSY), or when everything committed but
the values read are the non-anomalous ones (the blocked statements having waited for the
others). Each case states the anomalous observation explicitly (``anomalous``); an anomaly
with several cases (PMP, G-single and G2 have variants in postgres.md) is prevented only when
every case is.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refute.workloads.engines import Aborted, Engine, Indeterminate, PostgresEngine

TABLE = "hermitage_test"

# The oracle's names for the anomalies, in Hermitage's order, and their titles.
ANOMALIES = {
    "G0": "write cycles (dirty writes)",
    "G1a": "aborted reads (dirty reads)",
    "G1b": "intermediate reads",
    "G1c": "circular information flow",
    "OTV": "observed transaction vanishes",
    "PMP": "predicate-many-preceders",
    "P4_lost_update": "lost update",
    "G-single_read_skew": "read skew",
    "G2-item_write_skew": "write skew",
    "G2_anti_dependency_cycles": "anti-dependency cycles",
}

LEVELS = {
    "postgres": ("read committed", "repeatable read", "serializable"),
    "sqlite": ("deferred", "immediate", "read uncommitted"),
}


@dataclass(frozen=True)
class Step:
    """One statement of one transaction (1-based); ``name`` labels a read for the verdict.

    ``sql`` ``begin``/``commit``/``abort`` are the transaction's control statements.
    """

    txn: int
    sql: str
    name: str | None = None


@dataclass
class Case:
    anomaly: str
    title: str
    steps: list[Step]
    anomalous: Callable[[Observation], bool]


@dataclass
class StepResult:
    step: Step
    blocked: bool = False
    rows: list[tuple] | None = None
    rowcount: int | None = None
    error: str | None = None
    skipped: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        outcome: Any
        if self.skipped:
            outcome = "skipped (transaction aborted)"
        elif self.error is not None:
            outcome = f"error {self.error}"
        elif self.rows is not None and self.step.sql.lstrip().lower().startswith("select"):
            outcome = {str(k): v for k, v in sorted(self.rows)}
        else:
            outcome = "ok" if self.rowcount is None or self.rowcount < 0 else (
                f"ok, {self.rowcount} row(s)")
        return {"txn": f"T{self.step.txn}", "sql": self.step.sql.format(t=TABLE),
                "blocked": self.blocked, "result": outcome}


@dataclass
class Observation:
    """What one replay of a case showed: per-step results, who committed, the final table."""

    results: list[StepResult]
    committed: dict[int, bool]
    final: dict[int, int]
    anomaly: bool = False
    notes: list[str] = field(default_factory=list)

    def read(self, name: str) -> dict[int, int] | None:
        """The rows a named read returned, as {id: value}; None if it failed or was skipped."""
        for result in self.results:
            if result.step.name == name:
                if result.rows is None:
                    return None
                return {int(k): int(v) for k, v in result.rows}
        raise KeyError(name)

    def all_committed(self, *txns: int) -> bool:
        return all(self.committed.get(txn, False) for txn in txns)


def _t(txn: int, sql: str, name: str | None = None) -> Step:
    return Step(txn, sql, name)


def _begin(*txns: int) -> list[Step]:
    return [Step(txn, "begin") for txn in txns]


def _shows(observed: dict[int, int] | None, **expected: int) -> bool:
    """Whether a read returned these id => value pairs (``_1=11`` for id 1)."""
    if observed is None:
        return False
    return all(observed.get(int(k.lstrip("_"))) == v for k, v in expected.items())


def _g0(o: Observation) -> bool:
    writer = {11: 1, 21: 1, 12: 2, 22: 2}
    return writer.get(o.final.get(1)) != writer.get(o.final.get(2))


CASES: list[Case] = [
    Case("G0", "T1 and T2 update rows 1 and 2; the final table mixes their writes",
         _begin(1, 2) + [
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(2, "update {t} set value = 12 where id = 1"),
             _t(1, "update {t} set value = 21 where id = 2"),
             _t(1, "commit"),
             _t(2, "update {t} set value = 22 where id = 2"),
             _t(2, "commit")],
         _g0),
    Case("G1a", "T2 reads T1's write, and T1 aborts",
         _begin(1, 2) + [
             _t(1, "update {t} set value = 101 where id = 1"),
             _t(2, "select * from {t}", "r1"),
             _t(1, "abort"),
             _t(2, "select * from {t}", "r2"),
             _t(2, "commit")],
         lambda o: _shows(o.read("r1"), _1=101) or _shows(o.read("r2"), _1=101)),
    Case("G1b", "T2 reads T1's intermediate value 101, which T1 then overwrites",
         _begin(1, 2) + [
             _t(1, "update {t} set value = 101 where id = 1"),
             _t(2, "select * from {t}", "r1"),
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(1, "commit"),
             _t(2, "select * from {t}", "r2"),
             _t(2, "commit")],
         lambda o: _shows(o.read("r1"), _1=101) or _shows(o.read("r2"), _1=101)),
    Case("G1c", "T1 and T2 each read the other's uncommitted write",
         _begin(1, 2) + [
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(2, "update {t} set value = 22 where id = 2"),
             _t(1, "select * from {t} where id = 2", "r1"),
             _t(2, "select * from {t} where id = 1", "r2"),
             _t(1, "commit"),
             _t(2, "commit")],
         lambda o: _shows(o.read("r1"), _2=22) and _shows(o.read("r2"), _1=11)),
    Case("OTV", "T3 sees T2's write to row 2, then T1's (overwritten) value of row 1",
         _begin(1, 2, 3) + [
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(1, "update {t} set value = 19 where id = 2"),
             _t(2, "update {t} set value = 12 where id = 1"),
             _t(1, "commit"),
             _t(3, "select * from {t} where id = 1", "a"),
             _t(2, "update {t} set value = 18 where id = 2"),
             _t(3, "select * from {t} where id = 2", "b"),
             _t(2, "commit"),
             _t(3, "select * from {t} where id = 2", "c"),
             _t(3, "select * from {t} where id = 1", "d"),
             _t(3, "commit")],
         lambda o: (_shows(o.read("b"), _2=18) or _shows(o.read("c"), _2=18))
         and _shows(o.read("d"), _1=11)),
    Case("PMP", "T1's predicate read sees a row T2 inserted after T1's first predicate read",
         _begin(1, 2) + [
             _t(1, "select * from {t} where value = 30", "r1"),
             _t(2, "insert into {t} (id, value) values (3, 30)"),
             _t(2, "commit"),
             _t(1, "select * from {t} where value % 3 = 0", "r2"),
             _t(1, "commit")],
         lambda o: o.read("r1") == {} and _shows(o.read("r2"), _3=30)),
    Case("PMP", "write predicate: T2's delete, blocked by T1's update, then sees T1's rows",
         _begin(1, 2) + [
             _t(1, "update {t} set value = value + 10"),
             _t(2, "delete from {t} where value = 20"),
             _t(1, "commit"),
             _t(2, "select * from {t} where value = 20", "r"),
             _t(2, "commit")],
         lambda o: o.all_committed(1, 2) and bool(o.read("r"))),
    Case("P4_lost_update", "T1 and T2 read row 1 and both update it; both commit",
         _begin(1, 2) + [
             _t(1, "select * from {t} where id = 1", "r1"),
             _t(2, "select * from {t} where id = 1", "r2"),
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(2, "update {t} set value = 11 where id = 1"),
             _t(1, "commit"),
             _t(2, "commit")],
         lambda o: o.all_committed(1, 2) and _shows(o.read("r1"), _1=10)
         and _shows(o.read("r2"), _1=10)),
    Case("G-single_read_skew", "T1 reads row 1 before T2 commits and row 2 after",
         _begin(1, 2) + [
             _t(1, "select * from {t} where id = 1", "a"),
             _t(2, "select * from {t} where id = 1"),
             _t(2, "select * from {t} where id = 2"),
             _t(2, "update {t} set value = 12 where id = 1"),
             _t(2, "update {t} set value = 18 where id = 2"),
             _t(2, "commit"),
             _t(1, "select * from {t} where id = 2", "b"),
             _t(1, "commit")],
         lambda o: _shows(o.read("a"), _1=10) and _shows(o.read("b"), _2=18)),
    Case("G-single_read_skew", "predicate dependencies: T1's second predicate read sees T2",
         _begin(1, 2) + [
             _t(1, "select * from {t} where value % 5 = 0", "a"),
             _t(2, "update {t} set value = 12 where value = 10"),
             _t(2, "commit"),
             _t(1, "select * from {t} where value % 3 = 0", "b"),
             _t(1, "commit")],
         lambda o: _shows(o.read("a"), _1=10) and _shows(o.read("b"), _1=12)),
    Case("G-single_read_skew", "write predicate: T1 read row 1 before T2, deletes after it",
         _begin(1, 2) + [
             _t(1, "select * from {t} where id = 1", "a"),
             _t(2, "select * from {t}"),
             _t(2, "update {t} set value = 12 where id = 1"),
             _t(2, "update {t} set value = 18 where id = 2"),
             _t(2, "commit"),
             _t(1, "delete from {t} where value = 20"),
             _t(1, "commit")],
         lambda o: _shows(o.read("a"), _1=10) and o.all_committed(1, 2) and 2 in o.final),
    Case("G2-item_write_skew", "T1 and T2 read both rows, each updates a different one",
         _begin(1, 2) + [
             _t(1, "select * from {t} where id in (1,2)", "r1"),
             _t(2, "select * from {t} where id in (1,2)", "r2"),
             _t(1, "update {t} set value = 11 where id = 1"),
             _t(2, "update {t} set value = 21 where id = 2"),
             _t(1, "commit"),
             _t(2, "commit")],
         lambda o: o.all_committed(1, 2) and o.read("r1") == o.read("r2") == {1: 10, 2: 20}),
    Case("G2_anti_dependency_cycles", "T1 and T2 read a predicate, each inserts a matching row",
         _begin(1, 2) + [
             _t(1, "select * from {t} where value % 3 = 0", "r1"),
             _t(2, "select * from {t} where value % 3 = 0", "r2"),
             _t(1, "insert into {t} (id, value) values (3, 30)"),
             _t(2, "insert into {t} (id, value) values (4, 42)"),
             _t(1, "commit"),
             _t(2, "commit")],
         lambda o: o.all_committed(1, 2) and o.read("r1") == o.read("r2") == {}),
    Case("G2_anti_dependency_cycles",
         "Fekete et al.: read-only T3 sees T2 but not T1, which read before T2",
         [_t(1, "begin"),
          _t(1, "select * from {t}", "r1"),
          _t(2, "begin"),
          _t(2, "update {t} set value = value + 5 where id = 2"),
          _t(2, "commit"),
          _t(3, "begin"),
          _t(3, "select * from {t}", "r3"),
          _t(3, "commit"),
          _t(1, "update {t} set value = 0 where id = 1"),
          _t(1, "commit")],
         lambda o: o.all_committed(1, 2, 3) and _shows(o.read("r1"), _2=20)
         and _shows(o.read("r3"), _1=10, _2=25)),
]


class _Transaction:
    """One transaction: a connection driven by its own thread, statements in order."""

    def __init__(self, engine: Engine, level: str, number: int) -> None:
        self.engine = engine
        self.level = level
        self.number = number
        self.executor = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix=f"hermitage-T{number}")
        self.session = self.executor.submit(engine.connect).result(timeout=30)
        self.pid = getattr(self.session, "backend_pid", None)
        self.aborted = False
        self.open = False
        self.committed = False

    def submit(self, result: StepResult) -> concurrent.futures.Future:
        return self.executor.submit(self._run, result)

    def _run(self, result: StepResult) -> None:
        started = time.monotonic()
        sql = result.step.sql.format(t=TABLE)
        try:
            if self.aborted:
                result.skipped = True
                if sql in ("commit", "abort"):
                    self.session.rollback()
                return
            if sql == "begin":
                self.session.begin(self.level)
                self.open = True
            elif sql == "commit":
                self.session.commit()
                self.open = False
                self.committed = True
            elif sql == "abort":
                self.session.rollback()
                self.open = False
            else:
                result.rows, result.rowcount = self.session.execute(sql)
        except (Aborted, Indeterminate) as error:
            result.error = str(error)
            self.aborted = True
            self.session.rollback()
            self.open = False
        finally:
            result.seconds = time.monotonic() - started

    def close(self) -> None:
        def finish() -> None:
            if self.open:
                self.session.rollback()
            self.session.close()
        try:
            self.executor.submit(finish).result(timeout=30)
        finally:
            self.executor.shutdown(wait=False, cancel_futures=True)


def replay_case(engine: Engine, level: str, case: Case, block_timeout: float = 0.5,
                finish_timeout: float = 30.0) -> Observation:
    """Run one case at one level from a fresh table; return what it showed."""
    _setup(engine)
    monitor = engine.connect() if isinstance(engine, PostgresEngine) else None
    txns: dict[int, _Transaction] = {}
    results: list[StepResult] = []
    futures: list[concurrent.futures.Future] = []
    notes: list[str] = []
    try:
        for step in case.steps:
            txn = txns.get(step.txn)
            if txn is None:
                txn = txns[step.txn] = _Transaction(engine, level, step.txn)
            result = StepResult(step)
            results.append(result)
            future = txn.submit(result)
            futures.append(future)
            result.blocked = not _wait(future, txn, monitor, block_timeout)
        done, pending = concurrent.futures.wait(futures, timeout=finish_timeout)
        if pending:
            notes.append(f"{len(pending)} statement(s) still blocked after {finish_timeout} s")
        committed = {number: txn.committed for number, txn in txns.items()}
    finally:
        for txn in txns.values():
            try:
                txn.close()
            except Exception:  # noqa: BLE001 - a stuck connection must not stop the replay
                pass
        if monitor is not None:
            monitor.close()
    final = _table(engine)
    observation = Observation(results, committed, final, notes=notes)
    observation.anomaly = bool(case.anomalous(observation))
    return observation


def _wait(future: concurrent.futures.Future, txn: _Transaction, monitor: Any,
          block_timeout: float) -> bool:
    """Wait until the statement finishes (True) or is seen to block (False)."""
    deadline = time.monotonic() + block_timeout
    while True:
        try:
            future.result(timeout=0.01)
            return True
        except concurrent.futures.TimeoutError:
            pass
        if monitor is not None and txn.pid is not None:
            rows, _ = monitor.execute(
                "SELECT cardinality(pg_blocking_pids(%s)) > 0", (txn.pid,))
            if rows and rows[0][0]:
                return False
        if time.monotonic() > deadline:
            return False


def _setup(engine: Engine) -> None:
    session = engine.connect()
    try:
        session.execute(f"DROP TABLE IF EXISTS {TABLE}")
        session.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, value int)")
        session.execute(f"INSERT INTO {TABLE} (id, value) VALUES (1, 10), (2, 20)")
    finally:
        session.close()


def _table(engine: Engine) -> dict[int, int]:
    session = engine.connect()
    try:
        rows, _ = session.execute(f"SELECT id, value FROM {TABLE}")
        return {int(k): int(v) for k, v in rows}
    finally:
        session.close()


@dataclass
class HermitageResult:
    """The table: for each level, whether it prevents each anomaly; and the evidence."""

    engine: str
    version: str
    levels: dict[str, dict[str, Any]]
    details: dict[str, dict[str, list[dict[str, Any]]]]
    seconds: float

    def table(self) -> dict[str, dict[str, Any]]:
        """Just the verdicts, in the oracle's format: {level: {"actually", anomaly: bool}}."""
        return self.levels

    def mismatches(self, expected: dict[str, dict[str, Any]]) -> list[str]:
        """Where this table differs from ``expected`` (the oracle's ``levels``)."""
        out = []
        for level, row in expected.items():
            mine = self.levels.get(level)
            if mine is None:
                out.append(f"{level}: not measured")
                continue
            for key, value in row.items():
                if mine.get(key) != value:
                    out.append(f"{level} {key}: expected {value!r}, measured {mine.get(key)!r}")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "version": self.version, "levels": self.levels,
                "details": self.details, "seconds": round(self.seconds, 3)}


def replay(engine: Engine, levels: tuple[str, ...] | None = None,
           anomalies: tuple[str, ...] | None = None, block_timeout: float | None = None
           ) -> HermitageResult:
    """Run every case at every level; an anomaly is prevented when no case shows it."""
    started = time.monotonic()
    levels = tuple(engine.level(level) for level in (levels or LEVELS[engine.name]))
    if block_timeout is None:
        # PostgreSQL shows a lock wait at once (pg_blocking_pids); SQLite only by time.
        block_timeout = 1.0 if isinstance(engine, PostgresEngine) else 0.2
    verdicts: dict[str, dict[str, Any]] = {}
    details: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for level in levels:
        row: dict[str, Any] = {}
        details[level] = {}
        for anomaly in ANOMALIES:
            if anomalies and anomaly not in anomalies:
                continue
            prevented = True
            for case in (c for c in CASES if c.anomaly == anomaly):
                observation = replay_case(engine, level, case, block_timeout)
                prevented = prevented and not observation.anomaly
                details[level].setdefault(anomaly, []).append({
                    "case": case.title, "anomaly_observed": observation.anomaly,
                    "committed": {f"T{k}": v for k, v in observation.committed.items()},
                    "final": {str(k): v for k, v in sorted(observation.final.items())},
                    "steps": [result.to_json() for result in observation.results],
                    "notes": observation.notes})
            row[anomaly] = prevented
        verdicts[level] = {"actually": actually(row) if not anomalies else "n/a (partial run)",
                           **row}
    version = getattr(engine, "server_version", lambda: engine.name)()
    return HermitageResult(engine.name, version, verdicts, details,
                           time.monotonic() - started)


def actually(row: dict[str, bool]) -> str:
    """The isolation a row of verdicts amounts to, in Hermitage's words."""
    def all_of(*names: str) -> bool:
        return all(row.get(name, False) for name in names)

    if not all_of("G0"):
        return "none"
    if not all_of("G1a", "G1b", "G1c"):
        return "read uncommitted"
    if not all_of("OTV"):
        return "read committed"
    if not all_of("PMP", "P4_lost_update", "G-single_read_skew"):
        return "monotonic atomic view"
    if not all_of("G2-item_write_skew"):
        return "snapshot isolation"
    if not all_of("G2_anti_dependency_cycles"):
        return "repeatable read"
    return "serializable"


def render(result: HermitageResult) -> str:
    """The table: one row per anomaly, one column per level."""
    levels = list(result.levels)
    width = max(len(f"{name} ({title})") for name, title in ANOMALIES.items()) + 2
    columns = [max(len(level), len(result.levels[level]["actually"]), 14) + 2
               for level in levels]
    lines = [f"Hermitage on {result.version}: which anomalies each level prevents",
             "".ljust(width) + "".join(level.ljust(c) for level, c in zip(levels, columns))]
    for name, title in ANOMALIES.items():
        if not any(name in result.levels[level] for level in levels):
            continue
        cells = []
        for level, c in zip(levels, columns):
            value = result.levels[level].get(name)
            cells.append(("prevented" if value else "NOT prevented" if value is not None
                          else "-").ljust(c))
        lines.append(f"{name} ({title})".ljust(width) + "".join(cells))
    lines.append("actually".ljust(width) + "".join(
        result.levels[level]["actually"].ljust(c) for level, c in zip(levels, columns)))
    return "\n".join(line.rstrip() for line in lines)
