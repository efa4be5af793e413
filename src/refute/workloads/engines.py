"""The databases a workload or a Hermitage replay talks to, behind one small interface.

    engine = engine_for("postgres", dsn="host=127.0.0.1 port=5432 user=postgres")
    engine = engine_for("sqlite", path="/tmp/db.sqlite")
    session = engine.connect()                  # one connection, one client
    session.begin("repeatable read"); session.execute(sql, params); session.commit()

Errors are sorted into what a history can say about the transaction (Jepsen's rule):

- :class:`Aborted` — the database certainly rolled the transaction back: a serialization
  failure (SQLSTATE 40001), a deadlock (40P01), SQLite's BUSY/LOCKED, or any error before
  COMMIT (the client then rolls back). Recorded as ``:fail``.
- :class:`Indeterminate` — the connection was lost, or COMMIT failed in a way that does not
  say whether it took effect. Recorded as ``:info``: it may or may not have committed.
"""

from __future__ import annotations

import abc

import sqlite3
from pathlib import Path
from typing import Any

from refute.errors import UsageError


class Aborted(Exception):
    """The transaction certainly did not commit; ``code`` is the SQLSTATE or SQLite error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Indeterminate(Exception):
    """The transaction's fate is unknown (connection lost, COMMIT interrupted)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def normalize_level(level: str) -> str:
    """``read-committed``, ``READ_COMMITTED``, ``read committed`` -> ``read committed``."""
    return " ".join(level.lower().replace("-", " ").replace("_", " ").split())


class Engine(abc.ABC):
    """A database: its name, isolation levels, and how to open a :class:`Session`."""

    name = ""
    levels: tuple[str, ...] = ()
    default_level = ""
    param = "%s"  # the driver's placeholder

    def level(self, level: str | None) -> str:
        wanted = normalize_level(level or self.default_level)
        wanted = self.aliases.get(wanted, wanted)
        if wanted not in self.levels:
            raise UsageError(f"{self.name} has no isolation level {level!r}",
                             hint=f"use one of: {', '.join(self.levels)}")
        return wanted

    aliases: dict[str, str] = {}

    @abc.abstractmethod
    def connect(self) -> Session:
        """A new connection."""

    def describe(self) -> str:
        return self.name


class Session(abc.ABC):
    """One connection. Statements outside begin()/commit() run in autocommit mode."""

    @abc.abstractmethod
    def begin(self, level: str) -> None:
        """Start a transaction at ``level``."""

    @abc.abstractmethod
    def execute(self, sql: str, params: tuple = ()) -> tuple[list[tuple], int]:
        """Run one statement; return (rows, rowcount). Raises Aborted or Indeterminate."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Commit; raises Aborted (it did not happen) or Indeterminate (unknown)."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Abandon the transaction."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""


# -- PostgreSQL ------------------------------------------------------------------------------

PG_ABORT_CODES = {"40001": "serialization failure", "40P01": "deadlock detected"}


class PostgresEngine(Engine):
    name = "postgres"
    levels = ("read uncommitted", "read committed", "repeatable read", "serializable")
    default_level = "serializable"
    aliases = {"rc": "read committed", "rr": "repeatable read", "si": "repeatable read",
               "snapshot isolation": "repeatable read", "ser": "serializable"}

    def __init__(self, dsn: str, lock_timeout_ms: int = 10_000) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise UsageError("the PostgreSQL driver psycopg is not installed",
                             hint="pip install 'refute[postgres]'") from None
        self.dsn = dsn
        self.lock_timeout_ms = lock_timeout_ms

    def connect(self) -> PostgresSession:
        import psycopg
        try:
            conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise UsageError(f"cannot connect to PostgreSQL ({self.dsn}): {error}".strip(),
                             hint="check --dsn, or omit it to start a throwaway cluster"
                             ) from None
        # A statement never waits for a lock forever: a replay or workload always ends.
        conn.execute(f"SET lock_timeout = {int(self.lock_timeout_ms)}")
        return PostgresSession(conn)

    def server_version(self) -> str:
        session = self.connect()
        try:
            rows, _ = session.execute("SHOW server_version")
            return f"PostgreSQL {rows[0][0]}"
        finally:
            session.close()


class PostgresSession(Session):
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.in_txn = False

    @property
    def backend_pid(self) -> int:
        return self.conn.info.backend_pid

    def begin(self, level: str) -> None:
        self._run(f"BEGIN ISOLATION LEVEL {level.upper()}", ())
        self.in_txn = True

    def execute(self, sql: str, params: tuple = ()) -> tuple[list[tuple], int]:
        return self._run(sql, params)

    def commit(self) -> None:
        try:
            self._run("COMMIT", (), committing=True)
        finally:
            self.in_txn = False

    def rollback(self) -> None:
        self.in_txn = False
        try:
            self.conn.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - a lost connection has nothing to roll back
            pass

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass

    def _run(self, sql: str, params: tuple, committing: bool = False
             ) -> tuple[list[tuple], int]:
        import psycopg
        try:
            cursor = self.conn.execute(sql, params or None)
            rows = cursor.fetchall() if cursor.description is not None else []
            return rows, cursor.rowcount
        except psycopg.Error as error:
            code = getattr(error, "sqlstate", None) or ""
            message = str(error).strip().splitlines()[0] if str(error).strip() else type(
                error).__name__
            if self.conn.closed or self.conn.broken or isinstance(
                    error, psycopg.OperationalError) and not code:
                raise Indeterminate(code or "connection-lost", message) from None
            if code in PG_ABORT_CODES or not committing:
                # The server aborted the transaction (or will, as the client rolls back).
                raise Aborted(code or type(error).__name__, message) from None
            raise Indeterminate(code or type(error).__name__, message) from None


# -- SQLite ----------------------------------------------------------------------------------

SQLITE_ABORT_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED")


class SqliteEngine(Engine):
    """SQLite through the standard library: several connections to one file in WAL mode.

    Its "isolation levels" are how a transaction begins: ``deferred`` (locks taken on first
    read/write; the default, alias ``serializable``), ``immediate`` (the write lock at BEGIN),
    ``exclusive`` (the same as immediate in WAL mode); and ``read uncommitted``: a
    shared-cache connection with ``PRAGMA read_uncommitted = 1`` (connections of one process
    sharing a cache may then read each other's uncommitted rows; conflicts on a table fail at
    once with SQLITE_LOCKED instead of waiting).
    """

    name = "sqlite"
    levels = ("deferred", "immediate", "exclusive", "read uncommitted")
    default_level = "deferred"
    aliases = {"serializable": "deferred"}
    param = "?"

    def __init__(self, path: str | Path, busy_timeout: float = 5.0) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        finally:
            conn.close()
        if mode.lower() != "wal":
            raise UsageError(f"SQLite could not switch {self.path} to WAL mode (got {mode})",
                             hint="use a file on a local file system")

    def connect(self) -> SqliteSession:
        return SqliteSession(self)

    def open(self, shared_cache: bool) -> sqlite3.Connection:
        if shared_cache:
            conn = sqlite3.connect(Path(self.path).resolve().as_uri() + "?cache=shared",
                                   uri=True, isolation_level=None, timeout=self.busy_timeout,
                                   check_same_thread=False)
            conn.execute("PRAGMA read_uncommitted = 1")
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout,
                                   check_same_thread=False)
        conn.execute("PRAGMA synchronous=OFF")
        return conn

    def server_version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (WAL)"


class SqliteSession(Session):
    """A connection; reopened in shared-cache mode for a ``read uncommitted`` transaction."""

    def __init__(self, engine: SqliteEngine) -> None:
        self.engine = engine
        self.shared_cache = False
        self.conn = engine.open(False)

    def begin(self, level: str) -> None:
        shared = level == "read uncommitted"
        if shared != self.shared_cache:
            self.conn.close()
            self.conn = self.engine.open(shared)
            self.shared_cache = shared
        self._run("BEGIN" if shared else f"BEGIN {level.upper()}", ())

    def execute(self, sql: str, params: tuple = ()) -> tuple[list[tuple], int]:
        return self._run(sql, params)

    def commit(self) -> None:
        self._run("COMMIT", (), committing=True)

    def rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def _run(self, sql: str, params: tuple, committing: bool = False
             ) -> tuple[list[tuple], int]:
        try:
            cursor = self.conn.execute(sql, params)
            rows = cursor.fetchall()
            return rows, cursor.rowcount
        except sqlite3.Error as error:
            name = getattr(error, "sqlite_errorname", None) or type(error).__name__
            if committing and self.conn.in_transaction:
                # A COMMIT that failed with BUSY leaves the transaction open: roll it back,
                # and it certainly did not commit.
                self.rollback()
                raise Aborted(name, str(error)) from None
            if committing and not any(name.startswith(e) for e in SQLITE_ABORT_ERRORS):
                raise Indeterminate(name, str(error)) from None
            raise Aborted(name, str(error)) from None


def engine_for(name: str, dsn: str | None = None, path: str | Path | None = None,
               **options: Any) -> Engine:
    if name == "postgres":
        if not dsn:
            raise UsageError("a PostgreSQL engine needs a DSN")
        return PostgresEngine(dsn, **options)
    if name == "sqlite":
        if not path:
            raise UsageError("a SQLite engine needs a database file path")
        return SqliteEngine(path, **options)
    raise UsageError(f"unknown database {name!r}", hint="use postgres or sqlite")
