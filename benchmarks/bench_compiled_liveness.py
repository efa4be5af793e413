"""The liveness phase on the compiled backend: the liveness check's graph built from the native
search's arrays with its predicates evaluated natively (:mod:`refute.compiled.live`), against
the Python path it replaces (the same states and steps told to the
:class:`~refute.engine.fair_scc.GraphBuilder` one call at a time, each predicate and fairness
condition evaluated by the interpreter per state and per step: ``backend._replay``).

Measured in the same run on the same compiled model (CPU seconds, warm C build):

* the native search recording the graph (common to both);
* compiled: building the graph from the arrays (``live.load``), then the fair-cycle and
  tableau checks of every PROPERTY;
* baseline: decoding the states and telling the builder the first ``--steps`` steps (and the
  states they find), scaled to all of them (the whole pass takes many minutes on the default
  model; the scaling is printed as such), plus the same checks.

    nice -n 5 python benchmarks/bench_compiled_liveness.py [SPEC.tla CONFIG.cfg] [--steps N]

Default model: tlaplus/Examples' cf1s-folklore/cf1s_folklore (2,057,174 states, 22,438,432
steps, two temporal PROPERTYs under WF), from the oracle's copy beside the clone.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import time

from refute.compiled import backend, live
from refute.compiled.backend import compile_model, explore
from refute.engine import bfs
from refute.engine.fair_scc import GraphBuilder
from refute.engine.liveness import check_model, properties_of
from refute.engine.trace import ROOT
from refute.tla.model import TLAModel

_CF1S = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "oracles",
                     "tla", "examples-all", "specifications", "cf1s-folklore", "cf1s_folklore")


def _timed(target: object, name: str, spent: dict) -> None:
    """Wrap ``target.name`` to add its CPU seconds to ``spent[name]``."""
    inner = getattr(target, name)

    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - started
    setattr(target, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=_CF1S + ".tla")
    parser.add_argument("config", nargs="?", default=_CF1S + ".cfg")
    parser.add_argument("--steps", type=int, default=200_000)
    args = parser.parse_args()
    if not os.path.exists(args.spec):
        print(f"no {args.spec}: give a spec and its .cfg", file=sys.stderr)
        return 2
    model = TLAModel(args.spec, args.config)
    compiled = compile_model(model)  # (built, or found in the cache)
    spent: dict[str, float] = {}
    _timed(compiled.native, "run", spent)
    _timed(live, "load", spent)
    started = time.process_time()
    result = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    whole = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert compiled.interpreted_instead is None, compiled.interpreted_instead
    search = spent["run"]
    load = spent["load"]
    checks = whole - search - load  # (the rest: the fair-cycle and tableau searches, the result)

    # the Python path, on a prefix of the same recorded graph
    builder = GraphBuilder(model, properties_of(model))
    native = compiled.native
    n = native.counts()["distinct"]
    edges = native.edges()
    m = len(edges[0])
    sample = [column[:args.steps] for column in edges]
    told = len(sample[0])
    announced = sum(1 for p in native.array32("refute_parents", n) if p == ROOT)
    k = max(max(sample[1], default=0) + 1, announced)  # the states the sampled steps reach
    started = time.process_time()
    sample_states = native.states(k)
    decode = (time.process_time() - started) * n / k
    started = time.process_time()
    backend._replay(model, compiled, sample_states, sample, builder, None)
    replay = (time.process_time() - started) * m / max(told, 1)
    assert builder.error is None, builder.error
    baseline = decode + replay + checks

    print(f"{model.name}: {result.distinct_states:,} states, {m:,} steps, "
          f"{len(properties_of(model))} temporal properties, verdict {result.status.value}; "
          f"predicates evaluated in Python: {compiled.live_in_python}")
    print(f"native search recording the graph: {search:.2f} s CPU (both ways)")
    print(f"compiled liveness phase: graph from the arrays {load:.2f} s + checks {checks:.2f} s "
          f"= {load + checks:.2f} s CPU; whole run {whole:.2f} s, peak RSS {peak:,.0f} MiB")
    print(f"baseline liveness phase: decoding the states {decode:.1f} s + telling the builder "
          f"{replay:.1f} s (measured on {told:,} steps, scaled to {m:,}) + checks {checks:.2f} s "
          f"= {baseline:.1f} s CPU")
    print(f"ratio (liveness phase): {baseline / (load + checks):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
