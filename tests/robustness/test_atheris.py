"""Coverage-guided fuzzing of the EDN and .cfg readers with atheris, for a bounded time.

Slow (``pytest -m slow``): each target runs ``atheris_harness.py`` in a process of its own
for ``REFUTE_ATHERIS_SECONDS`` (default 60) from the seeds in ``corpus/`` (and the oracle's
.cfg files when present), in a scratch copy of the corpus, since libFuzzer adds the inputs
it finds to it. A finding fails the test with libFuzzer's report and the crashing input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _fuzz import CORPUS, ORACLES

pytest.importorskip("atheris", reason="atheris is installed by pip install -e '.[test]' on "
                                      "Linux x86-64; elsewhere the coverage-guided fuzzers "
                                      "are skipped")

HARNESS = Path(__file__).parent / "atheris_harness.py"
SECONDS = int(os.environ.get("REFUTE_ATHERIS_SECONDS", "60"))


def _seeds(target: str) -> list[Path]:
    if target == "edn":
        return sorted(p for p in CORPUS.glob("*") if p.suffix in (".edn", ".log", ".json"))
    found = sorted((CORPUS / "tla").glob("*.cfg")) + sorted(CORPUS.glob("crash-*.cfg"))
    examples = ORACLES / "tla" / "examples" / "specifications"
    if examples.is_dir():
        found += sorted(examples.rglob("*.cfg"))[:40]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("target", ["edn", "cfg"])
def test_coverage_guided_fuzzing_finds_nothing(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number, seed in enumerate(_seeds(target)):
        shutil.copyfile(seed, corpus / f"{number:03d}-{seed.name}")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    run = subprocess.run(
        [sys.executable, str(HARNESS), target, f"-max_total_time={SECONDS}",
         "-rss_limit_mb=4096", "-timeout=20", "-max_len=20000", "-print_final_stats=1",
         f"-artifact_prefix={artifacts}/", str(corpus)],
        capture_output=True, text=True, timeout=SECONDS + 300)
    found = sorted(artifacts.iterdir())
    report = run.stderr[-4000:] + "".join(
        f"\n--- {p.name}: {p.read_bytes()[:500]!r}" for p in found)
    assert run.returncode == 0 and not found, report
    assert "stat::number_of_executed_units" in run.stderr, report
