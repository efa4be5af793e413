"""The cost of action composition (``A \\cdot B``) against the same step written inline.

    .venv/bin/python benchmarks/bench_tla_composition.py

A composed step enumerates ``A``'s successors (the intermediate states, counted as generated
as TLC counts them) and then ``B`` from each (:func:`refute.tla.actions._composed`); a
successor list with intermediate states is a :class:`refute.engine.model.Successors`, whose
counts the search adds. This checks, in one run, a walk whose Next is ``Move \\cdot Wrap``
against the same relation written as one action (same states and steps; the composed run
also generates the intermediate states); the ratio is what composing costs per state.
"""

from __future__ import annotations

import os
import tempfile
import time

from refute.engine.bfs import Options, explore
from refute.tla.model import TLAModel

SPEC = """---- MODULE Walk ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y = 0
Move == \\E d \\in {{1, 2}} : x' = x + d /\\ y' = y
Wrap == x' = x % 300 /\\ y' = (y + 1) % 120
Inline == \\E d \\in {{1, 2}} : x' = (x + d) % 300 /\\ y' = (y + 1) % 120
Next == {next}
====
"""
NEXTS = {"inline": "Inline", "composed": "Move \\cdot Wrap"}


def _check(folder: str, next_: str) -> tuple[int, int, float]:
    with open(os.path.join(folder, "Walk.tla"), "w") as handle:
        handle.write(SPEC.format(next=next_))
    with open(os.path.join(folder, "Walk.cfg"), "w") as handle:
        handle.write("INIT Init\nNEXT Next\n")
    model = TLAModel(os.path.join(folder, "Walk.tla"), os.path.join(folder, "Walk.cfg"))
    start = time.perf_counter()
    result = explore(model, Options())
    return result.distinct_states, result.states_generated, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check(folder, NEXTS["inline"])  # warm: the modules parsed once
        runs: dict[str, list] = {name: [] for name in NEXTS}
        for _ in range(3):  # interleaved, so that both see the same machine
            for name, next_ in NEXTS.items():
                runs[name].append(_check(folder, next_))
        best = {name: min(results, key=lambda r: r[2]) for name, results in runs.items()}
        for name, (distinct, generated, seconds) in best.items():
            print(f"{name:9} {distinct:7,} distinct {generated:8,} generated  search {seconds:6.3f} s")
        assert best["inline"][0] == best["composed"][0]
        print(f"composed / inline: {best['composed'][2] / best['inline'][2]:.2f}x")


if __name__ == "__main__":
    main()
