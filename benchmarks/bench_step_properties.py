"""A PROPERTY's ``[][A]_v`` checked natively on each step, against the way it was checked
before: the native search recording the state graph, then the interpreter's step test on each
recorded step in Python (what compiled/backend.py's ``_all_respected`` did for every step).

Both are measured in the same run on the same compiled model (CPU seconds, warm C build):

* native: ``backend.explore`` with every PROPERTY selected (the checks run in the search);
* baseline: the same search with the step checks off and the graph recorded, plus the
  interpreter's tests on the first ``--steps`` recorded steps, scaled to all of them (the
  whole pass takes minutes; the scaling is printed as such).

    nice -n 5 python benchmarks/bench_step_properties.py [SPEC.tla CONFIG.cfg] [--steps N]

Default model: tlaplus/Examples' braf/BufferedRandomAccessFile (eight ``[][A]_v``), from the
oracle's copy beside the clone.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from refute.compiled.backend import _labels, compile_model, explore
from refute.engine import bfs
from refute.tla.model import TLAModel

_BRAF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "oracles",
                     "tla", "examples-all", "specifications", "braf", "BufferedRandomAccessFile")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=_BRAF + ".tla")
    parser.add_argument("config", nargs="?", default=_BRAF + ".cfg")
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args()
    if not os.path.exists(args.spec):
        print(f"no {args.spec}: give a spec and its .cfg", file=sys.stderr)
        return 2
    model = TLAModel(args.spec, args.config)
    compiled = compile_model(model)  # (built, or found in the cache)
    started = time.process_time()
    result = explore(model, compiled, bfs.Options())
    native = time.process_time() - started
    assert compiled.interpreted_instead is None, compiled.interpreted_instead

    started = time.process_time()
    names = [n not in compiled.property_checks for n in compiled.invariant_names]
    compiled.native.run(names, True, None, None, None, keep=True, graph=True)
    n = compiled.native.counts()["distinct"]
    states = compiled.native.states(n)
    sources, targets, _, instances = compiled.native.edges()
    merged = model.view is not None or bool(model.symmetry)
    afters = compiled.native.states(len(sources), successors=True) if merged else \
        [states[t] for t in targets]
    search = time.process_time() - started
    labels = _labels(model)
    sample = min(args.steps, len(sources))
    started = time.process_time()
    for _, test, _ in model._action_checks:
        for s, a, after in zip(sources[:sample], instances[:sample], afters[:sample]):
            test(labels[a], states[s], after)
    per_step = (time.process_time() - started) / max(sample, 1)
    baseline = search + per_step * len(sources)
    print(f"{model.name}: {result.distinct_states:,} states, {result.states_generated:,} "
          f"generated, {len(model._action_checks)} [][A]_v")
    print(f"native checks in the search: {native:.2f} s CPU")
    print(f"baseline: search recording the graph {search:.2f} s + Python step tests "
          f"{per_step * 1e6:.0f} us/step x {len(sources):,} steps (measured on {sample:,}) "
          f"= {baseline:.1f} s CPU")
    print(f"ratio: {baseline / native:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
