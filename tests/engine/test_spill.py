"""``--memory-limit``: states and fingerprints spill to disk; counts do not change."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from two_phase import TwoPhase

import refute
from refute.engine.result import StopReason
from refute.engine.spill import BlockStore, FingerprintStore, parse_size

ROOT = Path(__file__).resolve().parents[2]


def test_parse_size():
    assert parse_size("1G") == 1 << 30
    assert parse_size("800M") == 800 << 20
    assert parse_size("1.5GiB") == 3 << 29


def test_fingerprint_store_answers_the_same_on_disk():
    store = FingerprintStore()
    rng = np.random.default_rng(1)
    first = rng.integers(-2**63, 2**63 - 1, 10_000, dtype=np.int64)
    store.add(first)
    store.spill()
    second = rng.integers(-2**63, 2**63 - 1, 10_000, dtype=np.int64)
    store.add(second)
    queries = np.concatenate([first[:100], second[:100],
                              rng.integers(-2**63, 2**63 - 1, 100, dtype=np.int64)])
    assert store.contains(queries).tolist() == [True] * 200 + [False] * 100
    assert len(store) == 20_000 and sorted(store.to_array()) == sorted(np.r_[first, second])
    store.close()


def test_block_store_round_trips_spilled_blocks():
    store = BlockStore()
    store.append(np.arange(3), ["a", "b", "c"])
    store.append(np.arange(3, 5), [("d",), frozenset({"e"})], spill=True)
    store.spill()
    assert [items for _, items in store] == [["a", "b", "c"], [("d",), frozenset({"e"})]]
    assert store.spilled and len(store) == 5
    store.close()


def test_spilling_run_under_a_memory_limit_gives_the_same_counts():
    """A limit low enough that the workers spill from the first levels on."""
    limit = 200 << 20
    out = subprocess.run([sys.executable, "-m", "refute", "check", "examples/two_phase.py",
                          "-p", "rms=6", "--workers", "2", "--memory-limit", str(limit),
                          "--json", "-"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == \
        (50_816, 402_306, 20)
    note = next(w for w in result["warnings"] if w.startswith("memory: peak RSS"))
    assert "states were spilled to disk" in note
    peak_mib = float(re.search(r"peak RSS ([0-9.]+) MiB", note).group(1))
    assert peak_mib * (1 << 20) < limit


def test_a_run_that_cannot_fit_says_so():
    """Incomplete, not an error (see refute.limits), with the reason in a warning."""
    result = refute.check(TwoPhase(rms=5), workers=2, memory_limit="40M")
    assert result.status is refute.Status.INCOMPLETE
    assert result.stop_reason is StopReason.MEMORY_LIMIT
    assert any(re.search("does not fit in --memory-limit|leaves", w) for w in result.warnings)
