"""SQLite (standard library, several connections to one WAL file): workload and Hermitage.

SQLite serializes writers (one write lock) and gives each reader a snapshot, so a replay
finds that BEGIN DEFERRED and BEGIN IMMEDIATE prevent every anomaly; how differs: deferred
transactions abort with SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT when a reader tries to write after
another writer, immediate ones wait for the write lock at BEGIN. Shared-cache connections
with PRAGMA read_uncommitted do not: they read uncommitted rows.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from refute.cli import main
from refute.history import check_history
from refute.workloads.engines import engine_for
from refute.workloads.hermitage import ANOMALIES, replay
from refute.workloads.workload import run_workload


def test_sqlite_workload_is_serializable(tmp_path):
    engine = engine_for("sqlite", path=tmp_path / "db.sqlite", busy_timeout=1.0)
    for workload in ("list-append", "rw-register"):
        out = tmp_path / f"{workload}.edn"
        run = run_workload(engine, "deferred", clients=6, txns=400, keys=3,
                           workload=workload, out=out, seed=3)
        assert run.invoked == 400 and run.info == 0
        assert set(run.errors) <= {"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT"}, run.errors
        result = check_history(out, model="strict-serializable")
        assert result.status.value == "ok", result.counts
        assert result.counts == {}


def test_sqlite_hermitage(tmp_path):
    # SQLite shows no lock waits in a view, so a statement counts as blocked when it has not
    # finished in block_timeout; 0.1 s is ample for these two-row statements.
    result = replay(engine_for("sqlite", path=tmp_path / "h.sqlite"), block_timeout=0.1)
    assert set(result.levels) == {"deferred", "immediate", "read uncommitted"}
    for level in ("deferred", "immediate"):
        assert result.levels[level] == {"actually": "serializable",
                                        **{name: True for name in ANOMALIES}}, level
    # Shared cache with PRAGMA read_uncommitted: dirty reads, read skew, PMP, G2 (Fekete).
    assert result.levels["read uncommitted"] == {
        "actually": "read uncommitted", "G0": True, "G1a": False, "G1b": False, "G1c": True,
        "OTV": True, "PMP": False, "P4_lost_update": True, "G-single_read_skew": False,
        "G2-item_write_skew": True, "G2_anti_dependency_cycles": False}
    deferred = result.details["deferred"]
    # A deferred transaction that read before the other wrote cannot then write: BUSY.
    steps = deferred["P4_lost_update"][0]["steps"]
    assert any(str(step["result"]).startswith("error SQLITE_BUSY") for step in steps)
    # An immediate transaction waits for the write lock at BEGIN: T2's begin blocks.
    begin = result.details["immediate"]["G2-item_write_skew"][0]["steps"][1]
    assert begin["txn"] == "T2" and begin["sql"] == "begin" and begin["blocked"]


def test_sqlite_cli(tmp_path):
    out = tmp_path / "h.edn"
    result = CliRunner().invoke(main, ["workload", "sqlite", "--db", str(tmp_path / "x.db"),
                                       "--isolation", "immediate", "--txns", "100",
                                       "--workload", "rw-register", "--out", str(out),
                                       "--check", "serializable", "--json", "-"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["status"] == "ok" and payload["isolation"] == "immediate"
    bad = CliRunner().invoke(main, ["workload", "sqlite", "--isolation", "repeatable-read",
                                    "--out", str(out)])
    assert bad.exit_code == 2 and "sqlite has no isolation level" in bad.output


def test_sqlite_read_uncommitted_shows_dirty_reads(tmp_path):
    # Shared-cache connections with PRAGMA read_uncommitted read each other's uncommitted
    # appends. In-process statements take microseconds, so a 1 ms pause before each one
    # makes transactions overlap; 300 transactions show G1b in every seed tried, and a run
    # that is unlucky is retried (at most 3 runs).
    engine = engine_for("sqlite", path=tmp_path / "ru.sqlite")
    seen = []
    for seed in range(1, 4):
        out = tmp_path / f"ru-{seed}.edn"
        run_workload(engine, "read uncommitted", clients=6, txns=300, keys=3, out=out,
                     seed=seed, think=0.001)
        result = check_history(out, model="read-committed")
        seen.append(result.counts)
        if result.status.value == "violation":
            assert "read-committed" in result.not_models
            break
    assert any({"G1a", "G1b", "G1c"} & set(counts) for counts in seen), seen
