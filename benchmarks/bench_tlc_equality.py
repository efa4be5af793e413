"""TLC's comparability checks on the equality hot path, against plain Python equality.

    .venv/bin/python benchmarks/bench_tlc_equality.py

Issue 27 made ``a = b`` raise TLC's error for values of kinds TLC does not compare
(:func:`refute.tla.values.tlc_equal`). Scalars of one type take a fast path (a ``type`` test,
then ``==``); other values pay a kind check, and unequal sets or functions a look at the parts
that decide. This times, in one run, the compiled ``=`` of the interpreter on typical operands
against the plain ``==`` closure it replaced; the ratio is new / old (1.0 = no cost).
"""

from __future__ import annotations

import time

from refute.tla.expressions import _equality
from refute.tla.parser import Node
from refute.values import FrozenMap

CASES = {
    "int = int (unequal)": (3, 4),
    "string = string (equal)": ("prepared", "prepared"),
    "record = record (unequal)": (FrozenMap({"type": "1a", "bal": 1}), FrozenMap({"type": "1b", "bal": 1})),
    "set = set (unequal)": (frozenset({1, 2, 3}), frozenset({1, 2, 4})),
    "tuple = tuple (unequal)": ((1, 2, 3), (1, 2, 4)),
}
N = 300_000


def _time(f) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(N):
            f(None, None, ())
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    node = Node("infix", ("=", None, None))
    print(f"{'operands':28} {'old ns':>8} {'new ns':>8} {'ratio':>6}")
    for name, (a, b) in CASES.items():
        fa, fb = (lambda S, P, E: a), (lambda S, P, E: b)
        old = _time(lambda S, P, E: fa(S, P, E) == fb(S, P, E))
        new = _time(_equality(fa, fb, True, node))
        print(f"{name:28} {old / N * 1e9:8.0f} {new / N * 1e9:8.0f} {new / old:6.2f}")


if __name__ == "__main__":
    main()
