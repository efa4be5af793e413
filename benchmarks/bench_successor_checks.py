"""The interpreter's search on a spec with a PROPERTY's ``[][A]_v``: each successor judged as
TLC's Worker judges it (refute.engine.bfs with ``Model.step_violation``: the loop written out in
Python, a step into a seen state not a new one), against the way it ran before (the C scan
of ``FingerprintSet.scan``, the marked successor a state of its own), in the same run.

Model: benchmarks/tla/Paxos.tla with ``PROPERTY BalMono == [][\\A a \\in Acceptors : maxBal'[a]
>= maxBal[a]]_vars`` (it holds, so both ways explore the same states and their counts are
equal: asserted). CPU seconds, best of ``--repeat``.

    nice -n 5 python benchmarks/bench_successor_checks.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from refute.engine import bfs
from refute.tla.model import TLAModel

_HERE = os.path.dirname(os.path.abspath(__file__))
_PROPERTY = "BalMono == [][\\A a \\in Acceptors : maxBal'[a] >= maxBal[a]]_vars\n"


def _model(folder: str) -> TLAModel:
    with open(os.path.join(_HERE, "tla", "Paxos.tla")) as f:
        text = f.read()
    end = text.rindex("\n====") + 1
    with open(os.path.join(folder, "Paxos.tla"), "w") as f:
        f.write(text[:end] + _PROPERTY + text[end:])
    with open(os.path.join(_HERE, "tla", "Paxos.cfg")) as f:
        cfg = f.read()
    with open(os.path.join(folder, "Paxos.cfg"), "w") as f:
        f.write(cfg + "PROPERTY BalMono\n")
    return TLAModel(os.path.join(folder, "Paxos.tla"))


def _cpu(model: TLAModel) -> tuple[float, tuple]:
    started = time.process_time()
    result = bfs.explore(model)
    return time.process_time() - started, (result.status, result.distinct_states,
                                           result.states_generated, result.depth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    try:
        judged, scanned = [], []
        counts = set()
        for _ in range(args.repeat):
            model = _model(folder)
            seconds, result = _cpu(model)
            judged.append(seconds)
            counts.add(result)
            model = _model(folder)
            model.step_violation = None  # as before: the C scan, marked successors new states
            seconds, result = _cpu(model)
            scanned.append(seconds)
            counts.add(result)
        if len(counts) != 1:
            print(f"the two ways differ: {counts}", file=sys.stderr)
            return 1
        status, distinct, generated, depth = counts.pop()
        print(f"Paxos + PROPERTY BalMono: {status.name}, {distinct:,} distinct, {generated:,} "
              f"generated, depth {depth}")
        print(f"judged as TLC (Python loop): {min(judged):.2f} s CPU (best of {args.repeat})")
        print(f"before (C scan):             {min(scanned):.2f} s CPU")
        print(f"ratio: {min(judged) / min(scanned):.2f}x")
    finally:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
