"""The cost of checkpoints on the compiled backend: the same native search with a checkpoint
every ``--interval`` seconds and without any, alternated in one process.

    PYTHONPATH=src python benchmarks/bench_compiled_checkpoint.py [--rms 8] [--interval 1]
        [--repeat 3] [--model SPEC.tla MODEL.cfg]

TwoPhase (the tlaplus/Examples copy in the oracle, ``$REFUTE_TLA_EXAMPLES``) with ``--rms``
resource managers by default. The model is compiled once; each run is
:func:`refute.compiled.backend.explore` (the search and the Result, no process start-up),
timed in CPU seconds (``time.process_time``: other jobs stretch wall time) and wall seconds.
Printed: each run's times, the checkpoints written and the size of the last, the ratio of the
best of each (with checkpoints over without: the cost) and the time of one checkpoint
(the difference over their number); the counts of every run are checked equal. Then the
time to resume: a run stopped half way by ``--max-states`` (its checkpoint written at the
stop) resumed to the end, against the second half's share of an uninterrupted run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    ROOT, "..", "shared", "oracles", "tla", "examples")), "specifications", "transaction_commit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rms", type=int, default=8)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", nargs=2, metavar=("SPEC.tla", "MODEL.cfg"))
    args = parser.parse_args()

    from refute.compiled import checkpoint as checkpoints
    from refute.compiled.backend import compile_model, explore
    from refute.engine.bfs import Options
    from refute.tla.model import TLAModel

    written = [0]
    write = checkpoints.Writer.write

    def counted(self, why):  # noqa: ANN001, ANN202
        written[0] += 1
        return write(self, why)

    checkpoints.Writer.write = counted
    tmp = tempfile.mkdtemp(prefix="refute-bench-ckpt-")
    try:
        if args.model:
            tla, cfg = map(os.path.abspath, args.model)
            title = f"{os.path.basename(tla)} ({os.path.basename(cfg)})"
        else:
            tla = os.path.join(SPECS, "TwoPhase.tla")
            if not os.path.exists(tla):
                sys.exit(f"no TwoPhase.tla at {tla}: set REFUTE_TLA_EXAMPLES or give --model")
            cfg = os.path.join(tmp, "TwoPhase.cfg")
            rms = ", ".join(f"r{k}" for k in range(1, args.rms + 1))
            with open(cfg, "w", encoding="utf-8") as handle:
                handle.write(f"CONSTANT RM = {{{rms}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n")
            title = f"TwoPhase, {args.rms} RMs"
        model = TLAModel(tla, cfg)
        compiled = compile_model(model)
        directory = os.path.join(tmp, "ckpt")
        plan = checkpoints.Plan(directory, args.interval)
        best = {"none": (1e9, 1e9), "every": (1e9, 1e9)}
        counts = set()
        print(f"{title}: checkpoint every {args.interval:g} s against none, {args.repeat} times")
        for _ in range(args.repeat):
            for kind in ("none", "every"):
                shutil.rmtree(directory, ignore_errors=True)
                written[0] = 0
                cpu, wall = time.process_time(), time.perf_counter()
                result = explore(model, compiled, Options(),
                                 checkpoint=plan if kind == "every" else None)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                counts.add((result.distinct_states, result.states_generated, result.depth))
                size = os.path.getsize(checkpoints.path_of(directory)) if written[0] else 0
                print(f"  {kind:5}  cpu {cpu:6.2f} s  wall {wall:6.2f} s  checkpoints {written[0]:3}"
                      f"  last {size / 2**20:6.1f} MiB  ({result.distinct_states:,} distinct)")
                best[kind] = (min(best[kind][0], cpu), min(best[kind][1], wall))
                if kind == "every":
                    every_written = written[0]
        assert len(counts) == 1, counts
        (cpu0, wall0), (cpu1, wall1) = best["none"], best["every"]
        print(f"  best: with checkpoints / without = {cpu1 / cpu0:.3f}x CPU, {wall1 / wall0:.3f}x wall;"
              f" {every_written} checkpoints, {(cpu1 - cpu0) / max(every_written, 1):.3f} s CPU each")
        distinct = counts.pop()[0]
        half = Options(max_states=distinct // 2)
        shutil.rmtree(directory, ignore_errors=True)
        explore(model, compiled, half, checkpoint=plan)
        cpu = time.process_time()
        explore(model, compiled, Options(), checkpoint=checkpoints.Plan(None, args.interval, directory))
        resumed = time.process_time() - cpu
        print(f"  resume from half way ({distinct // 2:,} states, "
              f"{os.path.getsize(checkpoints.path_of(directory)) / 2**20:.1f} MiB): {resumed:.2f} s CPU "
              f"to the end, against {cpu0:.2f} s for the whole run uninterrupted")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
