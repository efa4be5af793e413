"""``refute workload`` and ``refute hermitage``: test a real database's isolation.

    refute workload postgres --isolation repeatable-read --clients 8 --txns 500 --keys 3 \\
        --out history.edn --check snapshot-isolation
    refute hermitage postgres --dsn "host=127.0.0.1 port=5432 user=postgres" \\
        --expect ../shared/oracles/isolation/hermitage-postgresql.json

Without ``--dsn``, a throwaway PostgreSQL cluster is started for the run (initdb in a temp
dir, loopback, deleted afterwards; see ``refute.workloads.postgres_cluster``). Without
``--db``, SQLite uses a temporary file.

Exit codes, as for every refute command: ``workload`` exits 0 once the history is written,
or with ``--check LEVEL`` as ``refute history`` does (0 holds, 1 violation, 3 incomplete);
``hermitage`` exits 0, or 1 when ``--expect`` is given and the measured table differs. Usage,
connection and set-up errors exit 2.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from refute.commands.common import (OUTPUT_FILE, Outputs, aliased_option, json_option,
                                    limit_options, quiet_option, reports_errors, write_json)
from refute.errors import InputError, UsageError
from refute.status import Status
from refute.workloads.engines import Engine, engine_for

DATABASES = ("postgres", "sqlite")


@contextlib.contextmanager
def _engine(database: str, dsn: str | None, db: str | None, quiet: bool,
            **options: object) -> Iterator[Engine]:
    """The engine to talk to; a throwaway server or file when none is named."""
    if database == "postgres":
        if db:
            raise UsageError("--db is for sqlite; PostgreSQL is reached with --dsn")
        if dsn:
            yield engine_for("postgres", dsn=dsn, **options)
            return
        from refute.workloads.postgres_cluster import PostgresCluster
        with PostgresCluster() as cluster:
            if not quiet:
                click.echo(f"started a throwaway PostgreSQL cluster: {cluster.dsn}", err=True)
            yield engine_for("postgres", dsn=cluster.dsn, **options)
        return
    if dsn:
        raise UsageError("--dsn is for postgres; SQLite is a file given with --db")
    if db:
        yield engine_for("sqlite", path=db, **options)
        return
    with tempfile.TemporaryDirectory(prefix="refute-sqlite-") as directory:
        yield engine_for("sqlite", path=Path(directory) / "refute.db", **options)


@click.command("workload")
@click.argument("database", type=click.Choice(DATABASES))
@click.option("--dsn", default=None,
              help="PostgreSQL connection string; omitted: start a throwaway cluster.")
@click.option("--db", default=None, type=click.Path(dir_okay=False),
              help="SQLite database file (WAL mode); omitted: a temporary file.")
@click.option("--isolation", "-i", default=None,
              help="postgres: read-committed, repeatable-read, serializable (the default); "
                   "sqlite: deferred (the default), immediate, exclusive, read-uncommitted "
                   "(shared cache).")
@click.option("--workload", "-w", type=click.Choice(("list-append", "rw-register")),
              default="list-append", show_default=True)
@click.option("--clients", default=8, show_default=True, help="Concurrent connections.")
@click.option("--txns", default=500, show_default=True, help="Transactions to invoke.")
@click.option("--keys", default=3, show_default=True,
              help="Distinct keys: fewer keys, more contention.")
@click.option("--max-ops", default=4, show_default=True, help="Micro-ops per transaction.")
@click.option("--seed", default=None, type=int, help="Random seed for the transactions.")
@click.option("--think", default=0.0, show_default=True, metavar="SECONDS",
              help="Pause before each statement, so that in-process SQLite transactions "
                   "overlap (e.g. 0.001).")
@limit_options("no new transaction is invoked after that, and the history of those run "
               "is written (the exit code stays the workload's or the check's).")
@click.option("--out", "-o", default="history.edn", show_default=True, metavar="FILE",
              type=OUTPUT_FILE, help="Where to write the EDN history.")
@click.option("--check", "check_model", default=None, metavar="LEVEL",
              help="Then check the history against this isolation level (as `refute history "
                   "--isolation LEVEL`), e.g. snapshot-isolation; the exit code is the check's.")
@json_option("Write the run's summary (and the check's result) as JSON ('-': stdout).")
@quiet_option("No summary on stdout.")
@reports_errors
def workload(database: str, dsn: str | None, db: str | None, isolation: str | None,
             workload: str, clients: int, txns: int, keys: int, max_ops: int,
             seed: int | None, think: float, time_limit: float | None, out: str,
             check_model: str | None, json_path: str | None, quiet: bool = False,
             memory_limit: int | None = None) -> int:
    """Run random concurrent transactions against DATABASE (postgres or sqlite) and
    record them as a Jepsen history that `refute history` checks.

    Serialization failures (40001, 40P01, SQLite BUSY) are recorded as :fail, lost
    connections as :info.
    """
    from refute.workloads.workload import run_workload

    if check_model is not None:
        from refute.history.anomalies import MODELS
        if check_model not in MODELS:
            raise UsageError(f"unknown isolation level {check_model!r}",
                             hint=f"use one of {', '.join(MODELS)}")
    quiet = quiet or json_path == "-"
    with _engine(database, dsn, db, quiet) as engine:
        result = run_workload(engine, isolation, clients=clients, txns=txns, keys=keys,
                              workload=workload, out=out, seed=seed, max_ops=max_ops,
                              time_limit=time_limit, think=think, memory_limit=memory_limit)
    if not quiet:
        click.echo(result.summary())
        click.echo(f"wrote {result.path}")
    payload = result.to_json()
    code = 0
    if check_model is not None:
        from refute.history.checker import check_history
        from refute.commands.history import render
        checked = check_history(out, model=check_model)
        if not quiet:
            click.echo(render(checked))
        payload["check"] = checked.to_json()
        payload["status"] = checked.status.value
        code = checked.status.exit_code
    outputs = Outputs()
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, payload)
    return outputs.exit_code(code)


@click.command("hermitage")
@click.argument("database", type=click.Choice(DATABASES))
@click.option("--dsn", default=None,
              help="PostgreSQL connection string; omitted: start a throwaway cluster.")
@click.option("--db", default=None, type=click.Path(dir_okay=False),
              help="SQLite database file (WAL mode); omitted: a temporary file.")
@aliased_option("--isolation", "-i", "levels", aliases=("--level",), multiple=True,
                metavar="LEVEL",
                help="Isolation level to test (repeatable); default: every level.")
@click.option("--anomaly", "anomalies", multiple=True,
              help="Only this anomaly (G0, G1a, ..., G2_anti_dependency_cycles); repeatable.")
@click.option("--expect", "expect_path", default=None, type=click.Path(dir_okay=False),
              help="A JSON table to compare with (Hermitage's, e.g. "
                   "shared/oracles/isolation/hermitage-postgresql.json); exit 1 if it differs.")
@json_option("Write the table and each step's evidence as JSON ('-': stdout).")
@quiet_option("No table on stdout.")
@reports_errors
def hermitage(database: str, dsn: str | None, db: str | None, levels: tuple[str, ...],
              anomalies: tuple[str, ...], expect_path: str | None,
              json_path: str | None, quiet: bool = False) -> int:
    """Replay Hermitage's anomaly tests (G0, G1a, G1b, G1c, OTV, PMP, P4, G-single,
    G2-item, G2) against DATABASE at each isolation level, one connection per transaction,
    and print which anomalies each level prevents.
    """
    from refute.workloads.hermitage import ANOMALIES, render, replay

    for anomaly in anomalies:
        if anomaly not in ANOMALIES:
            raise UsageError(f"unknown anomaly {anomaly!r}",
                             hint=f"use one of {', '.join(ANOMALIES)}")
    expected = None
    if expect_path is not None:
        try:
            expected = json.loads(Path(expect_path).read_text())["levels"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise InputError(f"cannot read the expected table: {error}", file=expect_path,
                             hint='give a JSON file with {"levels": {level: {anomaly: '
                                  'true|false}}}') from None
    quiet = quiet or json_path == "-"
    with _engine(database, dsn, db, quiet) as engine:
        result = replay(engine, levels or None, anomalies or None)
    payload = {"status": Status.OK.value, **result.to_json()}
    code = 0
    if not quiet:
        click.echo(render(result))
    if expected is not None:
        if anomalies:
            expected = {level: {k: v for k, v in row.items() if k in anomalies}
                        for level, row in expected.items()}
        if levels:
            expected = {level: row for level, row in expected.items() if level in result.levels}
        mismatches = result.mismatches(expected)
        payload["expected"] = expect_path
        payload["mismatches"] = mismatches
        if mismatches:
            payload["status"] = Status.VIOLATION.value
            code = Status.VIOLATION.exit_code
            if not quiet:
                click.secho(f"differs from {expect_path}:", fg="red")
                for line in mismatches:
                    click.echo(f"  {line}")
        elif not quiet:
            click.secho(f"equals {expect_path}", fg="green")
    outputs = Outputs()
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, payload)
    return outputs.exit_code(code)
