"""Shared fixtures: the project's paths and the other tools' golden results (oracles)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORACLES = ROOT.parent / "shared" / "oracles"

if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


@pytest.fixture(scope="session")
def oracles() -> Path:
    """``../shared/oracles`` beside the clone; tests that need it skip, loudly, without it."""
    if not ORACLES.is_dir():
        pytest.skip(f"the oracle directory {ORACLES} is absent: golden results from other tools "
                    "(TLC, Elle, Porcupine) cannot be compared; clone beside shared/ to run this")
    return ORACLES


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
