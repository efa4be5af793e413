"""Time `refute linearizable` on Porcupine's test data, against a baseline in the same run.

    .venv/bin/python benchmarks/bench_linearize.py [--baseline-limit SECONDS] [--repeat N]

For each history of the Jepsen etcd set and the kv set it prints the time to parse, the time
to check (the best of ``--repeat`` runs), and the time of the baseline: Porcupine's
``checkSingle`` transcribed to Python as published (memoised on (linearized set, state),
unknown-outcome calls given a return at the end of the history, objects partitioned by
key but searched one after the other, none of refute's extra pruning). The baseline is cut
off at ``--baseline-limit`` seconds per history, and then shown as ``>LIMIT``. Porcupine
itself, in Go, takes 0.1 ms to 0.4 s per etcd history and 0.35 s for kv c50-ok on the
machine these figures were first taken on.

Each verdict is checked against expected.json; a mismatch stops the benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from refute.linearize import MODELS, Operation, read_history
from refute.linearize.search import check_operations

ORACLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "oracles" / \
    "linearizability" / "porcupine"


class _TooSlow(Exception):
    pass


def porcupine_baseline(model, operations: list[Operation], deadline: float) -> bool:
    """Porcupine's checkSingle, per key: the plain Wing & Gong / Lowe search."""
    groups: dict = {}
    for op in operations:
        groups.setdefault(op.key, []).append(op)
    return all(_check_single(model, ops, deadline) for ops in groups.values())


def _check_single(model, ops: list[Operation], deadline: float) -> bool:
    end = max([op.call for op in ops] + [op.ret for op in ops if op.ret is not None]) + 1
    events = sorted([(op.call, 0, i) for i, op in enumerate(ops)]
                    + [(end if op.ret is None else op.ret, 1, i) for i, op in enumerate(ops)])
    m = len(events)
    code = [-1] + [i if kind == 0 else -1 for _, kind, i in events] + [-1]
    nxt, prv = list(range(1, m + 2)) + [m + 1], [0] + list(range(0, m + 1))
    ret_entry = {i: e for e, (_, kind, i) in enumerate(events, 1) if kind == 1}
    outputs = [op.output for op in ops]  # UNKNOWN, placed last, is legal in any state
    cache, stack, linearized, state, entry = set(), [], 0, model.init, nxt[0]
    steps = 0
    while nxt[0] != m + 1:
        steps += 1
        if steps % 4096 == 0 and time.perf_counter() > deadline:
            raise _TooSlow
        i = code[entry]
        if i >= 0:
            legal, new = model.step(state, ops[i].input, outputs[i])
            key = (linearized | 1 << i, new)
            if legal and key not in cache:
                cache.add(key)
                stack.append((entry, state))
                state, linearized = new, key[0]
                for e in (entry, ret_entry[i]):
                    nxt[prv[e]], prv[nxt[e]] = nxt[e], prv[e]
                entry = nxt[0]
                continue
            entry = nxt[entry]
        else:
            if not stack:
                return False
            entry, state = stack.pop()
            i = code[entry]
            linearized ^= 1 << i
            for e in (ret_entry[i], entry):
                nxt[prv[e]] = prv[nxt[e]] = e
            entry = nxt[entry]
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-limit", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    expected = json.loads((ORACLE / "expected.json").read_text())
    sets = [("etcd", "jepsen", "cas-register", expected["jepsen_etcd"]["files"]),
            ("kv", "kv", "kv", expected["kv"]["files"])]
    print(f"{'history':<16}{'ops':>6}{'verdict':>18}{'parse ms':>10}{'check ms':>10}"
          f"{'baseline ms':>13}{'ratio':>8}")
    for label, folder, model_name, files in sets:
        model = MODELS[model_name]
        checks, parses, baselines, slow = [], [], [], 0
        for name, want in sorted(files.items()):
            started = time.perf_counter()
            history = read_history(ORACLE / folder / name)
            parses.append(time.perf_counter() - started)
            best = float("inf")
            for _ in range(args.repeat):
                result = check_operations(model, history.operations)
                best = min(best, result.seconds)
            if result.linearizable is not want:
                print(f"MISMATCH {name}: expected {want}, got {result.verdict.value}")
                return 1
            checks.append(best)
            started = time.perf_counter()
            try:
                porcupine_baseline(model, list(history.operations),
                                   started + args.baseline_limit)
                baseline = time.perf_counter() - started
                shown = f"{baseline * 1e3:13.1f}"
            except _TooSlow:
                baseline, slow = args.baseline_limit, slow + 1
                shown = f"{'>' + format(args.baseline_limit * 1e3, '.0f'):>13}"
            baselines.append(baseline)
            print(f"{name:<16}{len(history):>6}{result.verdict.value:>18}"
                  f"{parses[-1] * 1e3:>10.1f}{best * 1e3:>10.1f}{shown}"
                  f"{baseline / best:>8.1f}")
        print(f"== {label}: {len(checks)} histories; check total {sum(checks):.3f} s, "
              f"max {max(checks):.3f} s; parse total {sum(parses):.3f} s; baseline total "
              f"{'>=' if slow else ''}{sum(baselines):.3f} s ({slow} cut off at "
              f"{args.baseline_limit:g} s), ratio {'>=' if slow else ''}"
              f"{sum(baselines) / sum(checks):.1f}x\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
