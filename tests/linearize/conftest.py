"""Shared fixtures of the linearizability tests: the Porcupine oracle and a real browser."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ORACLE = PROJECT / ".." / "shared" / "oracles" / "linearizability" / "porcupine"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, installed by scripts/ensure-chromium.sh if missing."""
    script = PROJECT / "scripts" / "ensure-chromium.sh"
    run = subprocess.run([str(script)], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip("BROWSER TESTS SKIPPED: Chromium is missing and could not be installed:\n"
                    + run.stderr)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """A headless Chromium driven by Playwright (never `playwright install`: no downloads)."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the browser tests need playwright in the venv")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
