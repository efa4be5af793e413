"""Workloads and Hermitage against a real PostgreSQL (a throwaway cluster, see conftest).

What the issue asks, as measured: at repeatable read (snapshot isolation) contended
list-append transactions show write skew (G2-item) and never G-single or a lost update; at
serializable nothing; at read committed lost updates or G-single. And Hermitage's table
equals the oracle's.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.history import check_history
from refute.workloads.engines import engine_for
from refute.workloads.hermitage import replay
from refute.workloads.postgres_cluster import PostgresCluster
from refute.workloads.workload import run_workload

# Anomalies snapshot isolation forbids: none of them may ever show at repeatable read.
SI_FORBIDDEN = {"G0", "G1a", "G1b", "G1c", "G-single", "G-nonadjacent", "lost-update",
                "internal", "dirty-update", "duplicate-elements", "incompatible-order",
                "garbage-read", "future-read"}
ATTEMPTS = 3


def _run(dsn: str, tmp_path: Path, level: str, seed: int, workload: str = "list-append",
         txns: int = 400, keys: int = 3, model: str = "serializable"):
    out = tmp_path / f"{level.replace(' ', '-')}-{workload}-{seed}.edn"
    run = run_workload(engine_for("postgres", dsn=dsn), level, clients=8, txns=txns,
                       keys=keys, workload=workload, out=out, seed=seed)
    assert run.invoked == txns and run.ok + run.fail + run.info == txns
    return run, check_history(out, model=model)


def test_repeatable_read_shows_write_skew_but_never_g_single_or_lost_update(
        postgres_dsn, tmp_path):
    # Write skew needs two transactions to interleave just so; with 8 clients on 3 keys it
    # shows in nearly every 400-transaction run, but a run can be unlucky, so up to
    # ATTEMPTS runs are made. Every run must be free of what snapshot isolation forbids.
    found = []
    for seed in range(ATTEMPTS):
        run, result = _run(postgres_dsn, tmp_path, "repeatable read", seed,
                           model="snapshot-isolation")
        assert result.status.value == "ok", [f.explanation for f in result.anomalies]
        assert not SI_FORBIDDEN & set(result.counts), result.counts
        assert run.fail > 0 and set(run.errors) <= {"40001", "40P01"}, run.errors
        found.append(result.counts)
        if "G2-item" in result.counts:
            assert "serializable" in result.also_not + result.not_models
            break
    assert any("G2-item" in counts for counts in found), found


def test_serializable_shows_no_anomaly(postgres_dsn, tmp_path):
    for workload in ("list-append", "rw-register"):
        run, result = _run(postgres_dsn, tmp_path, "serializable", 7, workload=workload)
        assert result.status.value == "ok"
        assert result.counts == {}, result.counts
        assert run.fail > 0 and set(run.errors) <= {"40001", "40P01"}, run.errors


def test_read_committed_shows_lost_update_or_g_single(postgres_dsn, tmp_path):
    # Read-then-append transactions on 3 keys make both appear in nearly every run; bounded
    # retries cover an unlucky schedule.
    seen = []
    for seed in range(ATTEMPTS):
        run, result = _run(postgres_dsn, tmp_path, "read committed", 100 + seed)
        assert result.status.value == "violation"
        assert not {"G0", "G1a", "G1b", "G1c"} & set(result.counts), result.counts
        seen.append(result.counts)
        if {"lost-update", "G-single"} & set(result.counts):
            break
    assert any({"lost-update", "G-single"} & set(counts) for counts in seen), seen


def test_read_committed_rw_register_shows_lost_update(postgres_dsn, tmp_path):
    seen = []
    for seed in range(ATTEMPTS):
        _, result = _run(postgres_dsn, tmp_path, "read committed", 200 + seed,
                         workload="rw-register", txns=300)
        seen.append(result.counts)
        if {"lost-update", "G-single"} & set(result.counts):
            break
    assert any({"lost-update", "G-single"} & set(counts) for counts in seen), seen


def test_lost_connections_are_recorded_as_info(postgres_dsn, tmp_path):
    stop = threading.Event()
    killed = []

    def nemesis() -> None:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            while not stop.wait(0.05):
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "backend_type = 'client backend' AND pid <> pg_backend_pid() "
                    "AND query NOT ILIKE '%pg_terminate_backend%' LIMIT 2").fetchall()
                killed.extend(rows)

    thread = threading.Thread(target=nemesis, daemon=True)
    thread.start()
    out = tmp_path / "nemesis.edn"
    try:
        run = run_workload(engine_for("postgres", dsn=postgres_dsn), "serializable",
                           clients=4, txns=300, keys=3, out=out, seed=5)
    finally:
        stop.set()
        thread.join(10)
    assert killed and run.info > 0, (len(killed), run.summary())
    lines = out.read_text().splitlines()
    infos = [line for line in lines if line.startswith("{:type :info")]
    assert len(infos) == run.info
    # A crashed process never comes back: the client continues under a new number.
    processes = {int(line.split(":process ")[1].split(",")[0]) for line in lines}
    assert max(processes) >= 4
    result = check_history(out, model="serializable")
    assert result.status.value == "ok", result.counts


def test_hermitage_table_equals_the_oracle(postgres_dsn, oracles, tmp_path):
    oracle = oracles / "isolation" / "hermitage-postgresql.json"
    out = tmp_path / "hermitage.json"
    result = CliRunner().invoke(main, ["hermitage", "postgres", "--dsn", postgres_dsn,
                                       "--expect", str(oracle), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert f"equals {oracle}" in result.output
    measured = json.loads(out.read_text())
    expected = json.loads(oracle.read_text())["levels"]
    assert measured["levels"] == expected
    assert measured["mismatches"] == []
    # Prevention shows as Hermitage describes it: the second writer of row 1 blocks at read
    # committed, and is aborted with 40001 at repeatable read.
    g0 = measured["details"]["read committed"]["G0"][0]["steps"][3]
    assert g0["txn"] == "T2" and g0["blocked"] and g0["result"].startswith("ok")
    p4 = measured["details"]["repeatable read"]["P4_lost_update"][0]["steps"][5]
    assert p4["blocked"] and p4["result"].startswith("error 40001")
    skew = measured["details"]["serializable"]["G2-item_write_skew"][0]["steps"][-1]
    assert skew["result"].startswith("error 40001")


def test_hermitage_mismatch_exits_1(postgres_dsn, tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"levels": {"read committed": {"P4_lost_update": True}}}))
    result = CliRunner().invoke(main, ["hermitage", "postgres", "--dsn", postgres_dsn,
                                       "--level", "read-committed", "--anomaly",
                                       "P4_lost_update", "--expect", str(wrong)])
    assert result.exit_code == 1, result.output
    assert "read committed P4_lost_update: expected True, measured False" in result.output


def test_hermitage_api_single_level(postgres_dsn):
    result = replay(engine_for("postgres", dsn=postgres_dsn), ("repeatable-read",),
                    ("G2-item_write_skew", "G-single_read_skew"))
    assert result.levels == {"repeatable read": {
        "actually": "n/a (partial run)", "G-single_read_skew": True,
        "G2-item_write_skew": False}}


def test_workload_cli_checks_the_history(postgres_dsn, tmp_path):
    out = tmp_path / "h.edn"
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(main, [
        "workload", "postgres", "--dsn", postgres_dsn, "--isolation", "repeatable-read",
        "--clients", "6", "--txns", "200", "--keys", "3", "--out", str(out), "--seed", "1",
        "--check", "snapshot-isolation", "--json", str(summary)])
    assert result.exit_code == 0, result.output
    payload = json.loads(summary.read_text())
    assert payload["invoked"] == 200 and payload["isolation"] == "repeatable read"
    assert payload["check"]["status"] == "ok"
    assert out.read_text().startswith("{:type :invoke, :f :txn, :value [")


def test_bad_dsn_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["workload", "postgres", "--dsn",
                                       "host=127.0.0.1 port=1 user=nobody connect_timeout=2",
                                       "--out", str(tmp_path / "h.edn")])
    assert result.exit_code == 2
    assert "cannot connect to PostgreSQL" in result.output


def test_throwaway_cluster_is_deleted(postgres_bindir):
    started = time.monotonic()
    with PostgresCluster(bindir=postgres_bindir) as cluster:
        directory = cluster.directory
        assert directory is not None and directory.is_dir()
        with psycopg.connect(cluster.dsn) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
    assert not directory.exists()
    assert cluster.port is None
    with pytest.raises(Exception, match="not running"):
        _ = cluster.dsn
    assert time.monotonic() - started < 60
