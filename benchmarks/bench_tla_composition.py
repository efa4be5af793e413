"""The cost of action composition (``A \\cdot B``) against the same step written inline.

    .venv/bin/python benchmarks/bench_tla_composition.py [--backend interpreted|compiled] [--scale K]

A composed step enumerates ``A``'s successors (the intermediate states, counted as generated
as TLC counts them) and then ``B`` from each (:func:`refute.tla.actions._composed`); a
successor list with intermediate states is a :class:`refute.engine.model.Successors`, whose
counts the search adds. This checks, in one run, a walk whose Next is ``Move \\cdot Wrap``
against the same relation written as one action (same states and steps; the composed run
also generates the intermediate states); the ratio is what composing costs per state. With
``--backend compiled``, the same on the native search (runtime.c's stack of intermediate
states, the generated code's two passes over the rest of the action), the build excluded;
``--scale K`` makes the walk K * K times larger (36,000 states at 1).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from refute.compiled import backend
from refute.engine.bfs import Options, explore
from refute.tla.model import TLAModel

SPEC = """---- MODULE Walk ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y = 0
Move == \\E d \\in {{1, 2}} : x' = x + d /\\ y' = y
Wrap == x' = x % {width} /\\ y' = (y + 1) % {height}
Inline == \\E d \\in {{1, 2}} : x' = (x + d) % {width} /\\ y' = (y + 1) % {height}
Next == {next}
====
"""
NEXTS = {"inline": "Inline", "composed": "Move \\cdot Wrap"}


def _check(folder: str, next_: str, compiled: bool, scale: int) -> tuple[int, int, float]:
    with open(os.path.join(folder, "Walk.tla"), "w") as handle:
        handle.write(SPEC.format(next=next_, width=300 * scale, height=120 * scale))
    with open(os.path.join(folder, "Walk.cfg"), "w") as handle:
        handle.write("INIT Init\nNEXT Next\n")
    model = TLAModel(os.path.join(folder, "Walk.tla"), os.path.join(folder, "Walk.cfg"))
    if compiled:
        native = backend.compile_model(model)
        start = time.process_time()
        result = backend.explore(model, native, Options())
    else:
        start = time.process_time()
        result = explore(model, Options())
    return result.distinct_states, result.states_generated, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["interpreted", "compiled"], default="interpreted")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    compiled, scale = args.backend == "compiled", args.scale
    with tempfile.TemporaryDirectory() as folder:
        for next_ in NEXTS.values():  # warm: the modules parsed once, the builds cached
            _check(folder, next_, compiled, scale)
        runs: dict[str, list] = {name: [] for name in NEXTS}
        for _ in range(3):  # interleaved, so that both see the same machine
            for name, next_ in NEXTS.items():
                runs[name].append(_check(folder, next_, compiled, scale))
        best = {name: min(results, key=lambda r: r[2]) for name, results in runs.items()}
        for name, (distinct, generated, seconds) in best.items():
            print(f"{name:9} {distinct:7,} distinct {generated:8,} generated  search {seconds:6.3f} s CPU")
        assert best["inline"][0] == best["composed"][0]
        print(f"composed / inline: {best['composed'][2] / best['inline'][2]:.2f}x")


if __name__ == "__main__":
    main()
