"""Shared fixtures: the project's paths and the other tools' golden results (oracles)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORACLES = ROOT.parent / "shared" / "oracles"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

# The CommunityModules and TLAPS modules the oracle's specs EXTEND are refute's own (refute/tla/
# library), as a user without any setup has them: a module folder set in the environment
# running the tests would stand in for them, so the tests run without it (the tests of the
# variable itself set it).
os.environ.pop("REFUTE_TLA_MODULES", None)


# Every JSON output a test makes refute write (--json of each command, testgen's suite) is
# validated against its published schema (refute.report.schemas) before it is written, in
# this process and in the subprocesses tests start; a mismatch fails the run that wrote it.
os.environ["REFUTE_CHECK_JSON"] = "1"


@pytest.fixture(scope="session")
def plugin_args() -> list[str]:
    """The pytest options that load refute's pytest plugin in a child pytest: none where the
    package is installed (its ``pytest11`` entry point loads it; naming it again with ``-p``
    is refused as a second registration), ``-p refute.pytest_plugin`` where refute is only on
    the path."""
    from importlib import metadata
    installed = any(entry.value == "refute.pytest_plugin"
                    for entry in metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", "refute.pytest_plugin"]


@pytest.fixture(scope="session")
def oracles() -> Path:
    """``../shared/oracles`` beside the clone; tests that need it skip, loudly, without it."""
    if not ORACLES.is_dir():
        pytest.skip(f"the oracle directory {ORACLES} is absent: golden results from other tools "
                    "(TLC, Elle, Porcupine) cannot be compared; clone beside shared/ to run this")
    return ORACLES


@pytest.fixture(scope="session")
def community_modules(oracles: Path) -> Path:
    """The CommunityModules' own .tla files (tlaplus/CommunityModules, in the oracle directory),
    for the tests of a module folder named by REFUTE_TLA_MODULES: they skip without it."""
    return oracles / "tla" / "modules"


@pytest.fixture(scope="session")
def tlc_result(oracles: Path):
    """``tlc_result(folder, config)``: TLC's recorded result for a model of tlaplus/Examples."""

    def lookup(folder: str, config: str) -> dict:
        manifest = json.loads((oracles / "tla" / "examples" / "specifications" / folder /
                               "manifest.json").read_text())
        for module in manifest["modules"]:
            for model in module.get("models", []):
                if model["path"].endswith("/" + config):
                    return model
        raise LookupError(f"{folder}/{config} is not in the manifest")

    return lookup


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, installed by scripts/ensure-chromium.sh if missing."""
    run = subprocess.run([str(ROOT / "scripts" / "ensure-chromium.sh")], capture_output=True,
                         text=True)
    if run.returncode != 0:
        pytest.skip("BROWSER TESTS SKIPPED: Chromium is missing and could not be installed:\n"
                    + run.stderr)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    """A headless Chromium driven by Playwright (never `playwright install`: no downloads).

    One per test module, not per session: while Playwright's synchronous API is open, its
    event loop counts as running in the main thread, and a later test that runs asyncio code
    (the implementations under test in examples/impl) would fail with "Cannot run the event
    loop while another loop is running"."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the browser tests need playwright in the venv")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
