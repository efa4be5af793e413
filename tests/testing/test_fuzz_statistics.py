"""Over 20 seeds, guided finds each planted bug in at most a fifth of random's runs (median).

Slow (minutes: random needs hundreds of runs per seed). The same figures, printed, come from
``python benchmarks/bench_fuzz.py --seeds 20 --budget 3000`` (benchmarks/RESULTS-fuzz.md).
"""

import os
import statistics

import pytest

from refute.testing import fuzz, load_target

IMPL = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "impl")
BUDGET = 3000


@pytest.mark.slow
@pytest.mark.parametrize("name", ["commit.py:BUGGY", "election.py:BUGGY",
                                  "fencing_service.py:BUGGY"])
def test_guided_needs_at_most_a_fifth_of_randoms_runs(name):
    target = load_target(os.path.join(IMPL, name))
    model = target.model()
    medians = {}
    for strategy in ("random", "guided"):
        found = []
        for seed in range(20):
            campaign = fuzz(target, strategy, BUDGET, seed, model)
            if campaign.reproduction is not None:
                assert campaign.reproduction.replays
            found.append(campaign.first_bug or 2 * BUDGET)  # not found: beyond the budget
        medians[strategy] = statistics.median(found)
    assert medians["guided"] <= BUDGET
    assert medians["guided"] * 5 <= medians["random"], medians
