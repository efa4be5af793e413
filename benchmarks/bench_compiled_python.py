"""Python specs on the compiled backend against the interpreter and TLC, ratios from one run.

    python benchmarks/bench_compiled_python.py                     # TwoPhase 8 RMs and Paxos
    python benchmarks/bench_compiled_python.py --rms 6 --repeat 1 --no-interpreted

Contenders, each a whole fresh process (start-up included), interleaved, ``--repeat`` times,
each one's best kept (wall and CPU seconds, as in ``bench_python_specs.py``, whose TLC runner
this reuses):

* ``compiled``: ``refute check SPEC.py --backend compiled`` with a warm build cache (the
  cache is filled by a first, untimed run; that cold run's compile time, lowering + emitting +
  ``cc``, is printed apart);
* ``interp``: ``refute check SPEC.py --backend interpreted`` (``--no-interpreted`` skips it:
  minutes on TwoPhase 8);
* ``tlc``: TLC with one worker on the TLA+ twin (TwoPhase.tla of tlaplus/Examples from the
  oracle folder, ``benchmarks/tla/Paxos.tla``), ``-metadir`` in a temporary folder.

Models: TwoPhase with ``--rms`` resource managers (``examples/two_phase.py``) and
single-decree Paxos, 3 acceptors, 2 values, ballots 0..2 (``examples/paxos.py``). Every
contender of a model must report the same distinct states and depth (asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_python_specs import (ROOT, TLC, TWO_PHASE_TLA, _measure, best_of,  # noqa: E402
                                print_contenders, run_tlc)


def run_refute(spec: str, params: list[str], backend: str, cache: str, tmp: str) -> dict:
    result = os.path.join(tmp, "result.json")
    command = [sys.executable, "-m", "refute", "check", spec, "-q", "--json", result,
               "--backend", backend]
    for param in params:
        command += ["-p", param]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), REFUTE_CACHE_DIR=cache)
    _, wall, cpu = _measure(command, ROOT, env)
    with open(result) as handle:
        got = json.load(handle)
    assert got["backend"] == backend, got["backend"]
    return {"distinct": got["distinct_states"], "generated": got["states_generated"],
            "depth": got["depth"], "wall": wall, "cpu": cpu}


def compile_seconds(spec: str, params: list[str], cache: str) -> float:
    """Lowering, emitting and building (cold cache), in this process."""
    os.environ["REFUTE_CACHE_DIR"] = cache
    sys.path.insert(0, os.path.join(ROOT, "src"))
    from refute.compiled.backend import compile_spec
    from refute.spec.compile import SpecModel
    from refute.spec.loader import load_spec, parse_parameters

    model = SpecModel(load_spec(os.path.join(ROOT, spec), parse_parameters(params)))
    compiled = compile_spec(model)
    assert not compiled.cached
    return compiled.compile_seconds


def contenders(rms: int, interpreted: bool, tmp: str) -> dict[str, tuple[str, list[str], dict]]:
    cache = os.path.join(tmp, "cache")
    rm_names = ", ".join(f"r{i}" for i in range(1, rms + 1))
    models = {}
    for model, spec, params, tla, cfg in (
            (f"TwoPhase, {rms} RMs", "examples/two_phase.py", [f"rms={rms}"], TWO_PHASE_TLA,
             f"CONSTANT RM = {{{rm_names}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n"),
            ("Paxos, 3 acceptors, 3 ballots", "examples/paxos.py", [],
             os.path.join(HERE, "tla", "Paxos.tla"), None)):
        runs = {"compiled": lambda s=spec, p=params: run_refute(s, p, "compiled", cache, tmp)}
        if interpreted:
            runs["interp"] = lambda s=spec, p=params: run_refute(s, p, "interpreted", cache, tmp)
        if os.path.exists(TLC) and os.path.exists(tla):
            if cfg is None:
                with open(os.path.join(HERE, "tla", "Paxos.cfg")) as handle:
                    cfg = handle.read()
            runs["tlc"] = lambda t=tla, c=cfg: run_tlc(t, c, tmp)
        models[model] = (spec, params, runs)
    return models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-interpreted", action="store_true")
    parser.add_argument("--models", default="twophase,paxos", help="comma-separated: twophase, paxos")
    args = parser.parse_args()
    wanted = set(args.models.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        for model, (spec, params, runs) in contenders(args.rms, not args.no_interpreted, tmp).items():
            if model.split(",")[0].lower() not in wanted:
                continue
            cold = compile_seconds(spec, params, os.path.join(tmp, "cache"))
            best = best_of(runs, args.repeat)
            assert len({(m["distinct"], m["depth"]) for m in best.values()}) == 1, best
            print(f"{model}: best of {args.repeat}; cold compile {cold:.2f} s (wall, in-process)")
            print_contenders(best)
            for base in ("interp", "tlc"):
                if base in best:
                    print(f"  {base} / compiled: wall {best[base]['wall'] / best['compiled']['wall']:.1f}x, "
                          f"CPU {best[base]['cpu'] / best['compiled']['cpu']:.1f}x")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
