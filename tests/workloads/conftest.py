"""A real PostgreSQL for the workload and Hermitage tests: installed, started, cleaned up.

``scripts/ensure-postgres.sh`` installs Debian's postgresql package when it is missing (CI
runs as root on a fresh Debian machine with only Python), then a throwaway cluster is made
with initdb in a temp dir and started on a free loopback port for the whole session; it is
stopped and deleted at the end. The tests skip, loudly, only when PostgreSQL truly cannot be
installed (not root, no apt); a cluster that fails to start is an error, not a skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from refute.workloads.postgres_cluster import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
ENSURE = ROOT / "scripts" / "ensure-postgres.sh"


@pytest.fixture(scope="session")
def postgres_bindir() -> Path:
    pytest.importorskip("psycopg", reason="psycopg (the test extra) is not installed")
    try:
        done = subprocess.run(["sh", str(ENSURE)], capture_output=True, text=True,
                              timeout=900, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{ENSURE} did not finish within 15 minutes")
    if done.returncode != 0:
        pytest.skip(f"PostgreSQL cannot be provided, so the PostgreSQL workload tests do not "
                    f"run: {done.stderr.strip()}")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def postgres_cluster(postgres_bindir: Path):
    cluster = PostgresCluster(bindir=postgres_bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_dsn(postgres_cluster: PostgresCluster) -> str:
    return postgres_cluster.dsn
