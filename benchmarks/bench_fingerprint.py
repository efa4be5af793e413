"""Time per fingerprint of a typical state: the C fingerprint, its pure-Python twin, hash().

The typical state is a Record of five fields: a FrozenMap of 8 str -> str, a frozenset of 10
(str, ModelValue) tuples, two ints and a str. Two workloads, both with the baseline (builtin
``hash()``) measured in the same run:

* ``fresh``: each call gets a state it has never seen (new Record, FrozenMap and frozenset
  objects built from shared strings), as the checker does for newly generated states; hash()
  then has to compute the frozenset's and FrozenMap's hashes (only the str hashes are cached).
* ``same object``: the same state over and over; hash() answers from the frozenset's and the
  FrozenMap's cached hashes, which fingerprint() does not have (it caches nothing).

Run: ``.venv/bin/python benchmarks/bench_fingerprint.py [--n 20000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from refute.engine.fingerprint import IMPLEMENTATION, fingerprint, fingerprint_python
from refute.values import FrozenMap, Record, model_values

RMS = model_values("r", 10)
KEYS = [f"key{i}" for i in range(8)]
STATUSES = ["working", "prepared", "committed", "aborted"]


def typical_state(i: int) -> Record:
    """A state shaped like a real spec's; ``i`` varies a few of its values."""
    votes = FrozenMap({k: STATUSES[(i + j) % 4] for j, k in enumerate(KEYS)})
    msgs = frozenset((STATUSES[(i + j) % 4], rm) for j, rm in enumerate(RMS))
    return Record(votes=votes, msgs=msgs, round=i % 7, term=3, leader="node1")


def per_call_ns(function: Callable[[Any], Any], states: list, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for state in states:
            function(state)
        best = min(best, (time.perf_counter_ns() - start) / len(states))
    return best


def fresh_hash_ns(n: int, repeat: int) -> float:
    """hash() on never-hashed states: a new batch for every repetition (caches are per object)."""
    best = float("inf")
    for _ in range(repeat):
        states = [typical_state(i) for i in range(n)]
        start = time.perf_counter_ns()
        for state in states:
            hash(state)
        best = min(best, (time.perf_counter_ns() - start) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="states per timed loop")
    parser.add_argument("--repeat", type=int, default=5, help="timed loops; the best counts")
    args = parser.parse_args()

    states = [typical_state(i) for i in range(args.n)]
    assert all(fingerprint(s) == fingerprint_python(s) for s in states[:100])
    print(f"fingerprint implementation: {IMPLEMENTATION}; {args.n} states, best of {args.repeat}")

    one = [states[0]] * args.n
    hash(states[0])
    name = "fingerprint (C)" if IMPLEMENTATION == "c" else "fingerprint"
    rows = {
        "fresh": {
            "hash()": fresh_hash_ns(args.n, args.repeat),
            name: per_call_ns(fingerprint, states, args.repeat),
            "fingerprint_python": per_call_ns(fingerprint_python, states, args.repeat),
        },
        "same object": {
            "hash()": per_call_ns(hash, one, args.repeat),
            name: per_call_ns(fingerprint, one, args.repeat),
            "fingerprint_python": per_call_ns(fingerprint_python, one, args.repeat),
        },
    }
    for workload, timings in rows.items():
        baseline = timings["hash()"]
        print(f"\n{workload}:")
        for name, ns in timings.items():
            print(f"  {name:<20} {ns:9.1f} ns/state   {ns / baseline:6.2f}x hash()")
        fast = next(v for k, v in timings.items() if k.startswith("fingerprint") and "python" not in k)
        print(f"  python twin / C: {timings['fingerprint_python'] / fast:.1f}x")


if __name__ == "__main__":
    main()
