"""Model-guided testing: the simulated loop's speed, and guided against random runs-to-bug.

1. Loop speed: the same workload (five tasks passing a token through asyncio queues, each
   hop after an ``asyncio.sleep``, no spec checking) on refute's :class:`SimLoop` and on
   asyncio's default loop, as runs per second of wall time, with the ratio: once with
   delays (the default loop sleeps them in real time, scaled down by ``--scale``), once
   without (``sleep(0)`` on both: the loops' own overhead).
2. Runs to the first bug: for each bundled buggy target, ``--seeds`` campaigns of the
   random and the guided strategy (budget ``--budget`` runs each), their medians and ratio.
   A campaign that finds nothing counts as ``2 * budget`` (so a median beyond the budget
   says so), and how many did is printed.

    python benchmarks/bench_fuzz.py --seeds 20 --budget 3000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from refute.testing import fuzz, load_target  # noqa: E402
from refute.testing.loop import SimLoop  # noqa: E402

IMPL = os.path.join(os.path.dirname(__file__), "..", "examples", "impl")
TARGETS = ("commit.py:BUGGY", "election.py:BUGGY", "fencing_service.py:BUGGY")


async def workload(seed: int, scale: float) -> int:
    """Five nodes passing a token around 200 times, each hop delayed."""
    rng = random.Random(seed)
    queues = [asyncio.Queue() for _ in range(5)]
    hops = 0

    async def node(me: int) -> None:
        nonlocal hops
        while True:
            token = await queues[me].get()
            if token >= 200:
                for q in queues:
                    q.put_nowait(10**9)
                return
            hops += 1
            await asyncio.sleep(rng.uniform(0.0, 0.01) * scale)
            queues[(me + 1) % 5].put_nowait(token + 1)

    queues[0].put_nowait(0)
    await asyncio.wait_for(asyncio.gather(*(node(i) for i in range(5))), 1e6)
    return hops


def loop_speed(runs: int, scale: float) -> tuple[float, float]:
    """Runs per second of the workload on SimLoop (virtual delays) and on the default loop
    (the same delays times ``scale``, slept in real time; ``scale=0``: no delays on either,
    which measures the loops' own overhead)."""
    started = time.perf_counter()
    for seed in range(runs):
        loop = SimLoop()
        assert loop.run_until_complete(workload(seed, 1.0 if scale else 0.0)) == 200
        loop.close()
    simulated = runs / (time.perf_counter() - started)
    started = time.perf_counter()
    for seed in range(runs):
        loop = asyncio.new_event_loop()
        assert loop.run_until_complete(workload(seed, scale)) == 200
        loop.close()
    default = runs / (time.perf_counter() - started)
    return simulated, default


def runs_to_bug(reference: str, seeds: int, budget: int) -> dict[str, list[int]]:
    target = load_target(os.path.join(IMPL, reference))
    model = target.model()
    out: dict[str, list[int]] = {}
    for strategy in ("random", "guided"):
        out[strategy] = []
        for seed in range(seeds):
            campaign = fuzz(target, strategy, budget, seed, model)
            assert campaign.reproduction is None or campaign.reproduction.replays
            out[strategy].append(campaign.first_bug or 2 * budget)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--loop-runs", type=int, default=30)
    parser.add_argument("--scale", type=float, default=0.01,
                        help="the default loop's delays, as a fraction of the simulated ones")
    args = parser.parse_args()
    simulated, default = loop_speed(args.loop_runs, args.scale)
    print(f"loop, delayed hops: SimLoop {simulated:.1f} runs/s, default loop {default:.1f} "
          f"runs/s (its delays x{args.scale}, slept), ratio {simulated / default:.1f}x")
    simulated, default = loop_speed(args.loop_runs, 0.0)
    print(f"loop, no delays (the loops' own cost): SimLoop {simulated:.1f} runs/s, default loop "
          f"{default:.1f} runs/s, ratio {simulated / default:.2f}x")
    for reference in TARGETS:
        found = runs_to_bug(reference, args.seeds, args.budget)
        medians = {s: statistics.median(v) for s, v in found.items()}
        missed = {s: sum(1 for x in v if x > args.budget) for s, v in found.items()}
        print(f"{reference}: budget {args.budget}, {args.seeds} seeds; median runs to bug: "
              f"random {medians['random']}, guided {medians['guided']}, "
              f"guided/random {medians['guided'] / medians['random']:.3f}; "
              f"not found within budget: {missed}")
        print(f"  random: {sorted(found['random'])}")
        print(f"  guided: {sorted(found['guided'])}")


if __name__ == "__main__":
    main()
