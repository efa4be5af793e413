"""refute perf: the exact solve's time against the exploration's, and simulation's speed.

The chain: a job climbs ``N`` stages (``advance``: up one stage with probability 0.9, back
one with 0.1); stage ``N`` is terminal: ``N + 1`` states, ``2N`` steps. The exploration
(refute's BFS with the graph collector) is the baseline, measured in the same run; the
exact analysis (building the chain, the bottom components, the absorbing solve and the
expected steps) is compared with it. (Percentiles of a counter over runs of ~10^6 steps are
a propagation of ~10^6 rounds: not part of this figure.) Then the simulator's throughput, in runs per second, on
the retrying client (a continuous latency, so simulated), against the exact solve of the
same chain.

    python benchmarks/bench_perf.py --stages 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "examples"))

from refute import Spec, State, action, outcome, terminal  # noqa: E402
from refute.engine.bfs import Options  # noqa: E402
from refute.engine.bfs import explore as explore_plain  # noqa: E402
from refute.perf import explore_graph, sidefile  # noqa: E402
from refute.perf.chain import build  # noqa: E402
from refute.perf.sampling import simulate  # noqa: E402
from refute.perf.sidefile import parse_document  # noqa: E402
from refute.perf.solve import absorb, decompose, expected  # noqa: E402
from refute.spec.compile import SpecModel  # noqa: E402


class Stages(Spec):
    def __init__(self, stages: int):
        self.stages = stages

    def init(self):
        return State(n=0)

    @action
    def advance(self, s):
        if s.n < self.stages:
            yield outcome("ok", s.update(n=s.n + 1))
            yield outcome("fail", s.update(n=max(s.n - 1, 0)))

    @terminal
    def done(self, s):
        return s.n == self.stages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stages", type=int, default=1_000_000)
    args = parser.parse_args()
    perf = parse_document({"actions": {"advance": {"outcomes": {"ok": 0.9, "fail": 0.1}}}},
                          "bench")
    model = SpecModel(Stages(args.stages))
    started = time.perf_counter()
    explore_plain(model, Options(deadlock=False))
    plain = time.perf_counter() - started
    started = time.perf_counter()
    graph = explore_graph(model, perf)
    explore = time.perf_counter() - started
    started = time.perf_counter()
    chain = build(graph, perf)
    structure = decompose(chain)
    absorption = absorb(chain, structure.terminal | structure.recurrent)
    mean = expected(chain, absorption, "steps")
    solve = time.perf_counter() - started
    print(f"chain: {graph.size:,} states, {graph.edges:,} steps")
    print(f"exploration without the graph (refute check's search): {plain:.2f} s")
    print(f"exploration collecting the graph (baseline): {explore:.2f} s  "
          f"ratio to the plain search {explore / plain:.2f}")
    print(f"exact solve:            {solve:.2f} s  ratio solve/exploration {solve / explore:.3f} "
          f"(mean steps {mean:,.6g}, residual {absorption.residual:.1e})")

    from retrying_client import RetryingClient

    side = sidefile.load(str(ROOT / "examples" / "retrying_client.perf.yaml"))
    graph = explore_graph(SpecModel(RetryingClient()), side)
    chain = build(graph, side)
    structure = decompose(chain)
    started = time.perf_counter()
    absorb(chain, structure.terminal | structure.recurrent)
    exact = time.perf_counter() - started
    started = time.perf_counter()
    sample = simulate(chain, ["latency", "steps"], structure.terminal, min_runs=200_000,
                      max_runs=200_000)
    seconds = time.perf_counter() - started
    steps = float(sample.totals["steps"].sum())
    print(f"simulation: {sample.runs:,} runs of the retrying client in {seconds:.2f} s: "
          f"{sample.runs / seconds:,.0f} runs/s, {steps / seconds:,.0f} steps/s "
          f"(exact solve of the same chain: {exact * 1000:.1f} ms)")

    from die_from_coin import DieFromCoin

    none = sidefile.load(None)
    graph = explore_graph(SpecModel(DieFromCoin()), none)
    chain = build(graph, none)
    structure = decompose(chain)
    started = time.perf_counter()
    sample = simulate(chain, ["steps"], structure.terminal, min_runs=200_000, max_runs=200_000)
    seconds = time.perf_counter() - started
    steps = float(sample.totals["steps"].sum())
    print(f"simulation: {sample.runs:,} runs of the die from a coin in {seconds:.2f} s: "
          f"{sample.runs / seconds:,.0f} runs/s, {steps / seconds:,.0f} steps/s")


if __name__ == "__main__":
    main()
