"""Elle's own histories with Elle's verdicts (``../shared/oracles/isolation/elle``).

Every case of ``expected.json`` is driven from the file itself: verdicts per model, the anomaly
types Elle reports, equivalence of the EDN and JSON copies. Where Elle gives up (its cycle
search times out on huge-scc.edn) the checker must do better: name a concrete cycle.
"""

from __future__ import annotations

import functools
import json

import pytest

from refute.history import check_history
from refute.history.anomalies import CYCLE_TYPES, MODELS, implied

from .conftest import ORACLE

EXPECTED = ORACLE / "expected.json"
pytestmark = pytest.mark.skipif(not EXPECTED.exists(),
                                reason=f"the Elle oracle is absent ({EXPECTED})")
CASES = json.loads(EXPECTED.read_text())["cases"] if EXPECTED.exists() else {}


@functools.lru_cache(maxsize=None)
def _result(name, model="strict-serializable"):
    return check_history(ORACLE / name, model=model)


def _strongest_model(case):
    """The strongest model the case states a verdict for: the checks Elle ran there."""
    return max(case.get("verdict_under", {"strict-serializable": None}), key=MODELS.index)


@pytest.mark.parametrize("name", sorted(CASES))
def test_workload_is_detected(name):
    assert _result(name).workload == CASES[name]["workload"]


VERDICTS = [(name, model, valid) for name, case in sorted(CASES.items())
            for model, valid in case.get("verdict_under", {}).items()]


@pytest.mark.parametrize(("name", "model", "valid"), VERDICTS)
def test_verdict_under_model(name, model, valid):
    result = _result(name, model)
    assert result.valid is valid, result.to_json()
    assert result.status.exit_code == (0 if valid else 1)


@pytest.mark.parametrize("name", [n for n, c in sorted(CASES.items())
                                  if "expected_anomaly_types" in c])
def test_exact_anomaly_types(name):
    case = CASES[name]
    assert sorted(_result(name, _strongest_model(case)).counts) == \
        case["expected_anomaly_types"]


@pytest.mark.parametrize("name", [n for n, c in sorted(CASES.items())
                                  if "expected_anomalies_include" in c])
def test_anomalies_include(name):
    case = CASES[name]
    assert set(case["expected_anomalies_include"]) <= \
        set(_result(name, _strongest_model(case)).counts)


@pytest.mark.parametrize("name", [n for n, c in sorted(CASES.items()) if "same_as" in c])
def test_json_copy_gives_the_same_answer(name):
    original = CASES[name]["same_as"].split()[0]
    for model in ("serializable", "strict-serializable"):
        a, b = _result(name, model), _result(original, model)
        assert (a.status, a.counts, a.not_models, a.also_not) == \
            (b.status, b.counts, b.not_models, b.also_not)


@pytest.mark.parametrize("name", [n for n, c in sorted(CASES.items()) if "elle_verdict" in c])
def test_no_cycle_where_elle_finds_none(name):
    """Elle calls rw-register.edn valid; its x=3 is a garbage read, and nothing more."""
    assert CASES[name]["elle_verdict"] is True
    result = _result(name, "serializable")
    assert not set(result.counts) & CYCLE_TYPES
    assert set(result.counts) == {"garbage-read"}
    assert result.not_models == ["read-uncommitted"]


def test_paper_example_cycle_is_elles():
    """The Elle paper's cycle: T3 -wr-> T5 -ww-> T7 -rw-> T3."""
    result = _result("paper-example.edn", "serializable")
    [finding] = result.anomalies
    assert finding.type == "G-single"
    assert [(s.kind, s.key) for s in finding.cycle] == [("wr", 255), ("ww", 256), ("rw", 255)]
    assert result.not_models == ["repeatable-read", "parallel-snapshot-isolation"]


def test_si_without_g_single_matches_elles_boundary():
    """Elle: not #{:repeatable-read} with anomaly types [:G2-item]."""
    result = _result("si-without-g-single.edn", "snapshot-isolation")
    assert result.valid
    assert result.not_models == ["repeatable-read"]
    assert result.also_not == ["serializable", "strict-serializable"]


def test_huge_scc_names_a_concrete_realtime_cycle():
    """Elle's search times out here; a cycle implying its G2-item-realtime must be named."""
    case = CASES["huge-scc.edn"]
    assert "G2-item-realtime" in case["elle_result"]
    result = _result("huge-scc.edn")
    assert not result.valid
    cycles = [f for f in result.anomalies if f.cycle]
    assert cycles
    for finding in cycles:
        assert "G2-item-realtime" in implied([finding.type])
        assert any(step.kind in ("realtime", "process") for step in finding.cycle)
        assert finding.cycle[-1].target == finding.cycle[0].source
