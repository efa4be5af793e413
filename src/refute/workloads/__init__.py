"""Testing real databases' isolation: random workloads recorded as histories, and Hermitage.

    refute workload postgres|sqlite --isolation LEVEL --clients N --txns M --keys K --out h.edn
    refute hermitage postgres|sqlite [--dsn DSN] [--expect table.json]

The modules, each one concept: ``engines`` (PostgreSQL through psycopg and SQLite through the
standard library behind one session interface, and which errors mean ``:fail`` or ``:info``),
``workload`` (concurrent clients running random list-append or rw-register transactions,
written as a Jepsen EDN history for :func:`refute.history.check_history`), ``hermitage``
(Hermitage's anomaly interleavings replayed with one connection and thread per transaction,
blocked statements detected, and the table of what each level prevents),
``postgres_cluster`` (a throwaway PostgreSQL cluster on loopback for tests and demos) and
``command`` (the two subcommands). See docs/workloads.md.
"""

from refute.workloads.engines import Aborted, Indeterminate, engine_for
from refute.workloads.hermitage import HermitageResult, replay
from refute.workloads.postgres_cluster import PostgresCluster
from refute.workloads.workload import WorkloadResult, run_workload

__all__ = ["Aborted", "HermitageResult", "Indeterminate", "PostgresCluster", "WorkloadResult",
           "engine_for", "replay", "run_workload"]
