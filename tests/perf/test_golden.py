"""The golden figures of issue 23, asserted exactly (fractions to 1e-9) against closed forms.

Sources: Knuth and Yao's die (each face 1/6, 11/3 tosses, 75% within 3, 99.9% within 11:
FizzBee's published figures), von Neumann's coin (2 / (2 p (1 - p)) tosses), FizzBee's cache
example (84.4 ms, 28.6 ms, outcomes 0.20 / 0.72 / 0.08), the M/M/1/K closed forms, and the
retrying client's geometric sums.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from biased_coin import BiasedCoin
from cache_lookup import CacheLookup
from die_from_coin import DieFromCoin
from mm1k_queue import MM1KQueue
from retrying_client import RetryingClient

from refute.perf import performance
from refute.spec.compile import SpecModel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize("spec, counts", [
    (DieFromCoin(), (13, 15, 4)), (BiasedCoin(), (5, 7, 3)), (CacheLookup(), (5, 5, 3)),
    (MM1KQueue(), (11, 21, 11)), (RetryingClient(), (9, 9, 5)),
])
def test_the_examples_check_clean(spec, counts):
    """Checking ignores side files and outcome labels: each example holds, with its counts
    (distinct, generated, depth) pinned."""
    import refute

    result = refute.check(spec)
    assert result.status is refute.Status.OK
    assert (result.distinct_states, result.states_generated, result.depth) == counts


def close(value: float, exact) -> bool:
    return abs(value - float(exact)) <= 1e-9


def test_die_from_a_fair_coin():
    result = performance(SpecModel(DieFromCoin()), within=[3, 11])
    assert result.terminates.value == pytest.approx(1, abs=1e-12)
    assert len(result.outcomes) == 6
    for face in range(1, 7):
        assert close(result.outcomes[f"node=done, face={face}"].value, Fraction(1, 6))
    steps = result.counters["steps"]
    assert close(steps.mean.value, Fraction(11, 3))
    assert close(steps.cdf(3), Fraction(3, 4))
    assert close(steps.cdf(9), 1 - Fraction(1, 4 ** 4))
    assert close(steps.cdf(11), 1 - Fraction(1, 4 ** 5))
    assert steps.percentiles["p99.9"].value == 11
    assert steps.percentiles["p99.9"].precision == 0  # certified despite the residual mass
    assert steps.percentiles["p50"].value == 3
    assert close(result.end_within[3].value, Fraction(3, 4))
    assert result.end_within[11].value >= 0.999


@pytest.mark.parametrize("heads", [0.9, 0.5, 0.7])
def test_von_neumann_fair_coin_from_a_biased_one(heads):
    result = performance(SpecModel(BiasedCoin()), str(EXAMPLES / "biased_coin.perf.yaml"),
                         heads=heads)
    assert close(result.outcomes["heads"].value, 0.5)
    assert close(result.outcomes["tails"].value, 0.5)
    assert close(result.counters["steps"].mean.value, 2 / (2 * heads * (1 - heads)))
    if heads == 0.9:
        assert close(result.counters["steps"].mean.value, Fraction(100, 9))


@pytest.mark.parametrize("hit, mean", [(0.2, 84.4), (0.8, 28.6)])
def test_fizzbee_cache_example(hit, mean):
    result = performance(SpecModel(CacheLookup()), str(EXAMPLES / "cache_lookup.perf.yaml"),
                         hit_ratio=hit)
    assert close(result.counters["latency"].mean.value, mean)
    if hit == 0.2:
        assert {k: round(f.value, 12) for k, f in result.outcomes.items()} == \
            {"hit": 0.2, "found": 0.72, "not_found": 0.08}
        latency = result.counters["latency"]
        assert close(latency.cdf(10), 0.2) and close(latency.cdf(40), 0.28)
        assert latency.percentiles["p50"].value == 110


def test_cache_example_in_tla_gives_the_same_figures():
    from refute.tla.model import TLAModel

    model = TLAModel(str(EXAMPLES / "tla" / "CacheLookup.tla"), None, ())
    side = str(EXAMPLES / "cache_lookup.perf.yaml")
    python = performance(SpecModel(CacheLookup()), side)
    tla = performance(model, side)
    figures = {k: v for k, v in tla.columns().items() if k != "P(reach TypeOK)"}
    assert tla.columns()["P(reach TypeOK)"] == 0  # the TLA+ spec's invariant
    assert python.columns() == pytest.approx(figures, abs=1e-12)
    assert close(tla.counters["latency"].mean.value, 84.4)
    assert close(performance(model, side, hit_ratio=0.8).counters["latency"].mean.value, 28.6)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.5])
def test_mm1k_queue_matches_the_closed_forms(rho):
    K = 10
    result = performance(SpecModel(MM1KQueue(K)), str(EXAMPLES / "mm1k_queue.perf.yaml"),
                         arrival=rho, service=1.0)
    norm = sum(rho ** n for n in range(K + 1))
    pi = [rho ** n / norm for n in range(K + 1)]
    assert close(result.long_run["utilisation"].value, 1 - pi[0])
    assert close(result.long_run["in_system"].value, sum(n * p for n, p in enumerate(pi)))
    assert close(result.long_run["throughput arrive"].value, rho * (1 - pi[K]))
    assert result.outcomes == {"(runs forever)": result.outcomes["(runs forever)"]}


def test_retrying_client_retries_and_latency():
    loss, attempts = 0.05, 4
    result = performance(SpecModel(RetryingClient(attempts)),
                         str(EXAMPLES / "retrying_client.perf.yaml"))
    assert close(result.outcomes["gave_up"].value, loss ** attempts)
    assert close(result.counters["retries"].mean.value, sum(loss ** k for k in range(1, attempts)))
    assert close(result.counters["messages"].mean.value, sum(loss ** k for k in range(attempts)))
    # The mean latency is exact even though the round trip is continuous: lognormal's mean
    # (20 e^{0.125}) per delivered round trip, the timeout per lost one.
    import math
    round_trip = 20 * math.exp(0.5 ** 2 / 2)
    expected = sum(loss ** k * 100 for k in range(1, attempts + 1)) \
        + (1 - loss ** attempts) * round_trip
    assert close(result.counters["latency"].mean.value, expected)
    p99 = result.counters["latency"].percentiles["p99"]
    assert p99.method.startswith("simulation")
    assert p99.low <= p99.value <= p99.high
    assert 100 < p99.low and p99.high < 200  # a timeout plus a round trip


def test_simulation_is_deterministic():
    side = str(EXAMPLES / "retrying_client.perf.yaml")
    first = performance(SpecModel(RetryingClient()), side, seed=7)
    again = performance(SpecModel(RetryingClient()), side, seed=7)
    assert first.counters["latency"].percentiles == again.counters["latency"].percentiles


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", "perf", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_python_and_tla_with_the_same_side_file(tmp_path):
    out = {}
    for spec in ("examples/cache_lookup.py", "examples/tla/CacheLookup.tla"):
        path = tmp_path / "out.json"
        done = run_cli(spec, "--model", "examples/cache_lookup.perf.yaml", "-p", "hit_ratio=0.8",
                       "--json", str(path))
        assert done.returncode == 0, done.stderr
        out[spec] = json.loads(path.read_text())
    python, tla = out.values()
    assert close(python["counters"]["latency"]["mean"]["value"], 28.6)
    assert close(tla["counters"]["latency"]["mean"]["value"], 28.6)
    assert python["outcomes"].keys() == tla["outcomes"].keys() == {"hit", "found", "not_found"}


def test_cli_default_side_file_and_sweep_csv(tmp_path):
    csv_path = tmp_path / "sweep.csv"
    done = run_cli("examples/cache_lookup.py", "--sweep", "hit_ratio=0.1:0.9:0.1",
                   "--csv", str(csv_path))
    assert done.returncode == 0, done.stderr
    assert "cache_lookup.perf.yaml" in done.stdout
    lines = csv_path.read_text().splitlines()
    header = lines[0].split(",")
    assert header[0] == "hit_ratio" and len(lines) == 10
    rows = [dict(zip(header, line.split(","))) for line in lines[1:]]
    assert [float(r["hit_ratio"]) for r in rows] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    for row in rows:
        h = float(row["hit_ratio"])
        assert close(float(row["mean latency"]), 10 + (1 - h) * 93)


def test_cli_errors_are_clear():
    done = run_cli("examples/cache_lookup.py", "-p", "hit_ratio=abc")
    assert done.returncode == 2 and "needs a number" in done.stderr
    done = run_cli("examples/cache_lookup.py", "--sweep", "nope=0:1:0.5")
    assert done.returncode == 2 and "no parameter nope" in done.stderr
    done = run_cli("examples/cache_lookup.py", "--max-states", "2")
    assert done.returncode == 3 and "stopped early" in done.stderr


def test_json_follows_its_schema_with_a_sweep(tmp_path):
    from refute.report.schemas import validate

    path = tmp_path / "out.json"
    done = run_cli("examples/retrying_client.py", "--sweep", "loss=0.01:0.05:0.02", "--depth", "3",
                   "--within", "2", "--json", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(path.read_text())
    validate("perf", out)
    assert list(out)[0] == "format_version"
    assert [r["parameters"]["loss"] for r in out["sweep"]["results"]] == [0.01, 0.03, 0.05]
    error = run_cli("examples/cache_lookup.py", "--model", str(tmp_path / "missing.yaml"),
                    "--json", str(path))
    assert error.returncode == 2
    validate("perf", json.loads(path.read_text()))
