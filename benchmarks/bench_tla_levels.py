"""The cost of ``TLCGet("level")``: the levels of the states kept beside the search.

    .venv/bin/python benchmarks/bench_tla_levels.py

Issue 27 made ``TLCGet("level")`` the level of the state explored (TLC's ``s0.getLevel()``):
a spec that calls TLCGet has each state's level kept in a dict as its successors are
generated (:meth:`refute.tla.model.TLAModel.next_states`); a spec that does not pays nothing.
This checks, in one run, a grid walk whose invariant reads the level against the same walk
whose invariant reads only the variables (same states, same counts); the ratio is the cost of
the tracking. SANY's checks (:mod:`refute.tla.semantic`, :mod:`refute.tla.levels`) run once
per model load and are timed against the load itself.
"""

from __future__ import annotations

import os
import tempfile
import time

from refute.engine.bfs import Options, explore
from refute.tla.model import TLAModel

SPEC = """---- MODULE Walk ----
EXTENDS Naturals, TLC
VARIABLES x, y
Init == x = 0 /\\ y = 0
Next == \\/ x < 150 /\\ x' = x + 1 /\\ UNCHANGED y
        \\/ y < 150 /\\ y' = y + 1 /\\ UNCHANGED x
Inv == {inv}
====
"""
INVARIANTS = {"reads the variables": "x + y >= 0", "reads the level": 'TLCGet("level") >= 1'}


def _check(folder: str, inv: str) -> tuple[int, float, float]:
    with open(os.path.join(folder, "Walk.tla"), "w") as handle:
        handle.write(SPEC.format(inv=inv))
    with open(os.path.join(folder, "Walk.cfg"), "w") as handle:
        handle.write("INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    start = time.perf_counter()
    model = TLAModel(os.path.join(folder, "Walk.tla"), os.path.join(folder, "Walk.cfg"))
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    result = explore(model, Options())
    return result.distinct_states, time.perf_counter() - start, loaded


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check(folder, INVARIANTS["reads the variables"])  # warm: the modules parsed once
        runs: dict[str, list] = {name: [] for name in INVARIANTS}
        for _ in range(3):  # interleaved, so that both see the same machine
            for name, inv in INVARIANTS.items():
                runs[name].append(_check(folder, inv))
        times = {}
        for name, results in runs.items():
            best = times[name] = min(results, key=lambda r: r[1])
            print(f"invariant {name:20} {best[0]:7,} states  search {best[1]:6.3f} s  "
                  f"load {best[2] * 1e3:5.1f} ms")
        base, levels = times["reads the variables"][1], times["reads the level"][1]
        print(f"level tracking: {levels / base:.2f}x the search without it")


if __name__ == "__main__":
    main()
