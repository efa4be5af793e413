"""Simulation throughput (steps/s) against exhaustive BFS (states/s) on the same spec.

Both run in this process, interleaved ``--repeat`` times, best of each kept: only ratios
measured side by side mean anything on a shared machine. BFS rates are given per state
*generated* (successors computed, TLC's count) and per distinct state; a simulation step
computes all successors of a state too, then picks one, and checks the invariants once.

    python benchmarks/bench_simulate.py                       # TwoPhase, 6 RMs
    python benchmarks/bench_simulate.py --rms 7 --traces 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))

from two_phase import TwoPhase  # noqa: E402

import refute  # noqa: E402
from refute.engine.simulate import SimulationOptions, simulate  # noqa: E402
from refute.spec.compile import SpecModel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=6)
    parser.add_argument("--traces", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best_bfs = best_sim = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = refute.check(TwoPhase(rms=args.rms))
        seconds = time.perf_counter() - started
        if best_bfs is None or seconds < best_bfs[0]:
            best_bfs = (seconds, result)
        outcome = simulate(SpecModel(TwoPhase(rms=args.rms)),
                           SimulationOptions(traces=args.traces, depth=args.depth, seed=0))
        if best_sim is None or outcome.result.seconds < best_sim.result.seconds:
            best_sim = outcome
    seconds, result = best_bfs
    generated_rate = result.states_generated / seconds
    distinct_rate = result.distinct_states / seconds
    sim = best_sim
    print(f"spec: TwoPhase(rms={args.rms}), best of {args.repeat}, Python {sys.version.split()[0]}")
    print(f"bfs       {result.distinct_states:>10,} distinct {result.states_generated:>11,} generated "
          f"{seconds:8.2f} s  {generated_rate:>10,.0f} generated/s  {distinct_rate:>10,.0f} distinct/s")
    print(f"simulate  {sim.traces:>10,} traces   {sim.steps:>11,} steps     "
          f"{sim.result.seconds:8.2f} s  {sim.steps_per_second:>10,.0f} steps/s      "
          f"{sim.result.states_generated / sim.result.seconds:>10,.0f} generated/s")
    print(f"ratio     simulation steps/s / BFS distinct states/s = "
          f"{sim.steps_per_second / distinct_rate:.2f}; "
          f"simulation generated/s / BFS generated/s = "
          f"{sim.result.states_generated / sim.result.seconds / generated_rate:.2f}")


if __name__ == "__main__":
    main()
