"""Benchmark complete checking of read-write register histories.

    python benchmarks/bench_registers.py                      # 1k and 10k transactions
    python benchmarks/bench_registers.py --sizes 1000 10000 100000
    python benchmarks/bench_registers.py --files dgraph_si.txt pg_ser_bug.txt

Histories come from :func:`refute.history.synthetic.register_history` (seeded): serializable
ones, and ones with one injected write skew, lost update, or "hidden-order" violation (one
that only a version order shows). For each, in the same process
and on the same parsed history:

- "inferred s": Elle's method for registers, the baseline: only the edges the reads show
  (``RwRegisterAnalysis.graph``) and the cycle search over them. It is fast and incomplete:
  its verdict column shows what it misses (it says "ok" where a violation needs a version
  order);
- "ser s", "si s": the complete check (polygraph, pruning, SAT) under serializable and
  snapshot isolation, with their verdicts; "ratio" is ser s / inferred s.

``--files`` times published histories (PolySI / IsoVista text, Jepsen EDN or JSON) the same
way. Timings are wall clock, one run each (shared machines are noisy: compare ratios).
"""

from __future__ import annotations

import argparse
import time

from refute.history import check_history, parse_history, read_history
from refute.history.graph import BASE_SPECS, components_of, find_cycle
from refute.history.rw_register import RwRegisterAnalysis
from refute.history.synthetic import register_history


def inferred_only(history) -> tuple[str, float]:
    started = time.perf_counter()
    graph = RwRegisterAnalysis(history).graph
    found = any(find_cycle(graph, spec, scc, None, 2.0).cycle
                for scc in components_of(graph, None, -1) for spec in BASE_SPECS)
    return ("violation" if found else "ok"), time.perf_counter() - started


def complete(history, model: str) -> tuple[str, float]:
    started = time.perf_counter()
    result = check_history(history, model=model)
    return result.status.value, time.perf_counter() - started


def row(name: str, history) -> str:
    base, base_s = inferred_only(history)
    ser, ser_s = complete(history, "serializable")
    si, si_s = complete(history, "snapshot-isolation")
    return (f"| {name} | {len(history.transactions):,} | {base} | {base_s:.2f} | {ser} | "
            f"{ser_s:.2f} | {si} | {si_s:.2f} | {ser_s / base_s:.1f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--files", nargs="*", default=[])
    args = parser.parse_args()
    print("| history | txns | inferred | inferred s | ser | ser s | si | si s | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for anomaly in (None, "write-skew", "lost-update", "hidden-order"):
            text = register_history(n, seed=args.seed, anomaly=anomaly)
            history = parse_history(text, file=f"generated-{n}.edn")
            print(row(f"generated, {anomaly or 'serializable'}", history), flush=True)
    for path in args.files:
        print(row(path.rsplit("/", 1)[-1], read_history(path)), flush=True)


if __name__ == "__main__":
    main()
