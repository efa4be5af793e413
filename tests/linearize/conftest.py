"""Shared fixtures of the linearizability tests: the Porcupine oracle and a real browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ORACLE = PROJECT / ".." / "shared" / "oracles" / "linearizability" / "porcupine"


def oracle_cases() -> list[tuple[str, str, bool]]:
    """(path relative to the oracle, model, expected linearizable) for every verdict in
    Porcupine's expected.json; empty when the oracle directory is absent."""
    expected_file = ORACLE / "expected.json"
    if not expected_file.exists():
        return []
    expected = json.loads(expected_file.read_text())
    cases = [(f"jepsen/{name}", "cas-register", verdict)
             for name, verdict in expected["jepsen_etcd"]["files"].items()]
    cases += [(f"kv/{name}", "kv", verdict) for name, verdict in expected["kv"]["files"].items()]
    return sorted(cases)


@pytest.fixture(scope="session")
def oracle() -> Path:
    if not (ORACLE / "expected.json").exists():
        pytest.skip(f"the Porcupine oracle is not at {ORACLE}: the verdict tests need "
                    "../shared/oracles/linearizability/porcupine beside the project")
    return ORACLE
