"""How long must I test: exact per-run probabilities, checked against hand computations and
against ``refute simulate`` itself (the figures must describe the runs it draws)."""

from __future__ import annotations

import math

import pytest
from dns_race import DnsRace
from fencing_lock import FencingLock

from refute import Spec, State, action, invariant
from refute.engine.simulate import SimulationOptions, simulate
from refute.perf import performance
from refute.perf.hunting import Hunt
from refute.spec.compile import SpecModel


class Ladder(Spec):
    """``climb`` three times in a row to reach the top; ``slip`` goes back to the bottom;
    ``rest`` stays. Uniformly: each step climbs with probability 1/3."""

    def init(self):
        return State(rung=0)

    @action
    def climb(self, s):
        return s.update(rung=s.rung + 1) if s.rung < 3 else None

    @action
    def slip(self, s):
        return s.update(rung=0) if s.rung < 3 else None

    @action
    def rest(self, s):
        return s if s.rung < 3 else None

    @invariant
    def not_at_the_top(self, s):
        return s.rung < 3


def _by(result, mode, depth):
    return next(h for h in result.hunts if h.mode == mode and h.depth == depth)


def test_ladder_against_hand_computation():
    result = performance(SpecModel(Ladder()), depths=[3, 4])
    assert _by(result, "uniform", 3).probability == pytest.approx(1 / 27, abs=1e-12)
    # within 4 steps: climb x3 (1/27), or 4 steps with 3 climbs and one slip or rest that
    # undoes nothing: slip/rest first (2 ways) or a rest second or third (2 ways): 4/81
    assert _by(result, "uniform", 4).probability == pytest.approx(1 / 27 + 4 / 81, abs=1e-12)
    # swarm: 7 subsets + the singleton bonus; only subsets with climb can reach the top:
    # {climb} (1/8 + 1/24) -> 1; {climb, x} (1/8 each) -> (1/2)^3; all three (1/8) -> 1/27
    swarm = (1 / 8 + 1 / 24) + 2 * (1 / 8) / 8 + (1 / 8) / 27
    assert _by(result, "swarm", 3).probability == pytest.approx(swarm, abs=1e-12)
    hunt = _by(result, "uniform", 3)
    assert hunt.runs_95 == math.ceil(math.log(0.05) / math.log(1 - 1 / 27))
    assert hunt.runs_99 == math.ceil(math.log(0.01) / math.log(1 - 1 / 27))


def test_runs_needed_edges():
    assert Hunt("x", "uniform", 1, 0.0, True).runs_95 is None
    assert Hunt("x", "uniform", 1, 1.0, True).runs_99 == 1
    assert Hunt("x", "uniform", 1, 0.5, True).runs_95 == 5  # 1 - 0.5^5 = 0.969 >= 0.95


def test_dns_race_and_fencing_figures():
    """The figures docs/performance-models.md shows."""
    dns = performance(SpecModel(DnsRace()), depths=[10, 100])
    assert _by(dns, "uniform", 100).probability == pytest.approx(0.0466303, abs=1e-7)
    # swarm runs fall back on any enabled action where their kept ones are all disabled
    assert _by(dns, "swarm", 100).probability == pytest.approx(0.0899844, abs=1e-7)
    assert _by(dns, "uniform", 10).probability == 0  # the shortest counterexample has 11 steps
    assert (_by(dns, "uniform", 100).runs_95, _by(dns, "uniform", 100).runs_99) == (63, 97)
    fencing = performance(SpecModel(FencingLock()), depths=[100])
    targets = {h.target for h in fencing.hunts}
    assert "accepted_tokens_increase" in targets
    hunt = next(h for h in fencing.hunts
                if h.target == "accepted_tokens_increase" and h.mode == "uniform")
    assert 0 < hunt.probability < 1
    assert hunt.probability == pytest.approx(fencing.reach["accepted_tokens_increase"].ever.value,
                                             abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("swarm", [False, True])
def test_dns_race_figure_describes_refute_simulate(swarm):
    """3,000 single-trace runs of ``refute simulate``: the share that finds the race is
    within 4 standard errors of the exact figure."""
    model = SpecModel(DnsRace())
    exact = _by(performance(model, depths=[100]), "swarm" if swarm else "uniform", 100).probability
    runs = 3000
    found = sum(simulate(model, SimulationOptions(traces=1, depth=100, seed=i, swarm=swarm,
                                                  deadlock=False)).result.violation is not None
                for i in range(runs))
    error = math.sqrt(exact * (1 - exact) / runs)
    assert abs(found / runs - exact) <= 4 * error
