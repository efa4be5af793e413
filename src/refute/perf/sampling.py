"""Simulation of a chain's runs, for what has no exact method: the distribution of a counter
with continuous increments (a ``scipy.stats`` distribution, or time in continuous time).

Runs are simulated together, as numpy arrays (one entry per run still going): each round
draws every run's next step at once (a binary search in the per-state cumulative
probabilities laid end to end, offset by the state's number) and samples the increments of
each counter by edge kind, one vectorised draw per kind. Runs are drawn in batches until the
**stopping rule** holds: at least ``min_runs`` runs and, for every counter, the 95%
confidence interval of its mean within ``relative`` (0.5%) of the mean; or the budget of
runs or seconds is spent (said in the result). Percentiles get distribution-free 95%
intervals from the binomial ranks of the order statistics.

Deterministic: a ``numpy.random.Generator`` (PCG64) seeded with ``seed``; the same seed gives
the same figures on every machine.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from refute.perf.chain import Chain

Z95 = 1.959963984540054


@dataclass
class Samples:
    """Totals of each counter over the finished runs; ``unfinished`` runs were cut at
    ``max_steps`` (their totals are not in ``totals``); ``stopped_by`` says which rule ended
    the simulation."""

    totals: dict[str, np.ndarray]
    runs: int
    unfinished: int
    seconds: float
    stopped_by: str

    def mean(self, counter: str) -> tuple[float, float]:
        """The sample mean and the half-width of its 95% confidence interval."""
        x = self.totals[counter]
        if len(x) < 2:
            return float(x.mean()) if len(x) else math.nan, math.inf
        return float(x.mean()), Z95 * float(x.std(ddof=1)) / math.sqrt(len(x))

    def percentile(self, counter: str, q: float) -> tuple[float, float, float]:
        """The sample ``q``-quantile and a 95% distribution-free interval around it."""
        x = np.sort(self.totals[counter])
        n = len(x)
        if n == 0:
            return math.nan, math.nan, math.nan
        spread = Z95 * math.sqrt(n * q * (1 - q))
        low = max(int(math.floor(n * q - spread)) - 1, 0)
        high = min(int(math.ceil(n * q + spread)), n - 1)
        point = x[min(max(int(math.ceil(n * q)) - 1, 0), n - 1)]
        return float(point), float(x[low]), float(x[high])


def _step_keys(chain: Chain) -> np.ndarray:
    g = chain.graph
    sources = g.sources
    cumulative = np.cumsum(chain.probability)
    base = np.concatenate([[0.0], cumulative])[g.offsets[:-1]]
    within = cumulative - base[sources]
    within[within >= 1 - 1e-12] = 1.0
    return sources + within


def simulate(chain: Chain, counters: list[str], stop: np.ndarray, seed: int = 0,
             relative: float = 0.005, batch: int = 20_000, min_runs: int = 40_000,
             max_runs: int = 2_000_000, max_steps: int = 100_000,
             time_budget: float = 60.0) -> Samples:
    """Simulate runs from the initial distribution until a ``stop`` state (see above)."""
    started = time.perf_counter()
    g = chain.graph
    rng = np.random.Generator(np.random.PCG64(seed))
    keys = _step_keys(chain)
    offsets, targets, kinds = g.offsets, g.targets, chain.kinds
    fixed: dict[str, np.ndarray] = {}
    random_kinds: dict[str, list[tuple[int, tuple]]] = {}
    for counter in counters:
        if counter in ("steps", "time"):
            continue
        parts = chain.amounts[counter]
        fixed[counter] = np.array([sum(a.mean for a in p if a.finite and len(a.values) == 1)
                                   for p in parts]) if parts else np.zeros(0)
        random_kinds[counter] = [(k, tuple(a for a in p if not (a.finite and len(a.values) == 1)))
                                 for k, p in enumerate(parts)]
        random_kinds[counter] = [(k, p) for k, p in random_kinds[counter] if p]
    collected: dict[str, list[np.ndarray]] = {c: [] for c in counters}
    runs = unfinished = 0
    stopped_by = "the stopping rule (every mean within ±{:.1%} at 95% confidence)".format(relative)
    while True:
        state = rng.choice(g.size, size=batch, p=chain.initial)
        totals = {c: np.zeros(batch) for c in counters}
        alive = np.arange(batch)
        for _ in range(max_steps):
            ended = stop[state]
            if ended.any():
                for c in counters:
                    collected[c].append(totals[c][alive[ended]])
                keep = ~ended
                state, alive = state[keep], alive[keep]
            if len(state) == 0:
                break
            u = rng.random(len(state))
            edge = np.searchsorted(keys, state + u, side="right")
            edge = np.clip(edge, offsets[state], offsets[state + 1] - 1)
            for c in counters:
                if c == "steps":
                    totals[c][alive] += 1
                elif c == "time":
                    totals[c][alive] += rng.exponential(1.0 / chain.rate[state])
                else:
                    kind = kinds[edge]
                    add = fixed[c][kind] if len(fixed[c]) else np.zeros(len(edge))  # a copy
                    for k, parts in random_kinds[c]:
                        hit = np.flatnonzero(kind == k)
                        if len(hit):
                            for amount in parts:
                                add[hit] += amount.sample(rng, len(hit))
                    totals[c][alive] += add
            state = targets[edge]
        unfinished += len(state)
        runs += batch
        finished = {c: np.concatenate(collected[c]) for c in counters}
        collected = {c: [finished[c]] for c in counters}
        sample = Samples(finished, runs, unfinished, time.perf_counter() - started, stopped_by)
        if runs >= min_runs and all(_precise(sample, c, relative) for c in counters):
            return sample
        if runs >= max_runs:
            sample.stopped_by = f"the budget of {max_runs:,} runs"
            return sample
        if time.perf_counter() - started > time_budget:
            sample.stopped_by = f"the time budget of {time_budget:g} s"
            return sample


def _precise(sample: Samples, counter: str, relative: float) -> bool:
    mean, half = sample.mean(counter)
    return half <= relative * abs(mean) or half <= 1e-12
