"""Values shared where they are bound (an operator's arguments, a LET's definitions) against
the same model lowered without sharing, in one run.

    nice -n 5 .venv/bin/python benchmarks/bench_compiled_sharing.py [--states 2000] [--repeat 2]

dag-consensus/TLCSailfish1 of the TLC oracle (tlaplus/Examples) is lowered twice: as
``refute check`` lowers it (``compiled.from_tla.lower``: an argument or a LET definition
computed at its first use, then read back) and with ``Lowering(model, share=False)`` (each
computed again at every use: Linearize's and Descendants' definitions, read two or three
times at each level of their recursion, are then exponential in the DAG's depth). Both are
built and loaded the same way and explore the first ``--states`` distinct states; printed:
the CPU seconds of each search (``time.process_time``: the native search in this process,
the C compiler excluded), the counts (equal, or the benchmark fails) and the ratio (without
over with sharing: higher is faster).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, ROOT)

from refute.compiled.backend import Compiled, explore  # noqa: E402
from refute.compiled.emit_c import emit  # noqa: E402
from refute.compiled.from_tla import Lowering  # noqa: E402
from refute.compiled.native import Native, build  # noqa: E402
from refute.engine import bfs  # noqa: E402
from refute.tla.model import TLAModel  # noqa: E402
from tests.tla.oracle import EXAMPLES  # noqa: E402

SPEC = os.path.join(EXAMPLES, "specifications", "dag-consensus", "TLCSailfish1.tla")


def _compiled(model: TLAModel, share: bool) -> Compiled:
    ir = Lowering(model, share=share).lower_model()
    source, atoms = emit(ir)
    native = Native(build(source).path, atoms)
    return Compiled(native, list(model.config.invariants), ir.labels, 0.0, True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--states", type=int, default=2000, help="distinct states explored")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not os.path.exists(SPEC):
        sys.exit(f"no oracle at {SPEC} (set REFUTE_TLA_EXAMPLES)")
    options = bfs.Options(max_states=args.states)
    best = {}
    for _ in range(args.repeat):
        for share in (True, False):
            model = TLAModel(SPEC)
            compiled = _compiled(model, share)
            started = time.process_time()
            result = explore(model, compiled, options)
            cpu = time.process_time() - started
            counts = (result.distinct_states, result.states_generated, result.depth)
            print(f"sharing={'on ' if share else 'off'}  {cpu:8.2f} s CPU  "
                  f"distinct/generated/depth {counts}", flush=True)
            best.setdefault(share, (cpu, counts))
            assert best[share][1] == counts == best[True][1], "the counts differ"
            best[share] = (min(best[share][0], cpu), counts)
    print(f"without / with sharing: {best[False][0] / best[True][0]:.1f}x")


if __name__ == "__main__":
    main()
