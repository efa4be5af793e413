"""``--workers N`` on the compiled backend against one worker, ratios from one run.

    python benchmarks/bench_compiled_workers.py                  # TwoPhase 8 RMs, TLA+ and Python
    python benchmarks/bench_compiled_workers.py --workers 1 2 3 --repeat 3 --models twophase,paxos

Contenders, each a whole fresh process (``refute check --backend compiled --workers N``, a
warm build cache filled by a first untimed run), interleaved, ``--repeat`` times, each one's
best kept, as in ``bench_python_specs.py``:

* ``wall``: the whole process (start-up, loading, the cached build's load, the search);
* ``search``: the search alone, as the result reports it (``seconds`` in the JSON);
* ``CPU``: user + system seconds of the process and its worker processes: what the workers
  cost beyond one (their share of the barriers, the claims' atomics, states moved between
  them, the intern tables they each grow);
* ``2 x w1``: two one-worker runs started together, whose wall time says what this machine
  gives two busy processes (shared caches and memory bandwidth): the ceiling for ``w2``.

Models: TwoPhase with ``--rms`` resource managers as TLA+ (TwoPhase.tla of tlaplus/Examples,
read from the oracle folder) and as the Python spec ``examples/two_phase.py``; with
``--models paxos``, single-decree Paxos (``benchmarks/tla/Paxos.tla`` and
``examples/paxos.py``). Every contender of a model must report the same distinct, generated
and depth (asserted). On a 2-core machine two busy processes get at most the hardware's
parallel throughput (measure it with two copies of one run), so the ratio to read is the
search's against that ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_python_specs import ROOT, TWO_PHASE_TLA, _measure  # noqa: E402


def run_refute(spec: str, args: list[str], workers: int, cache: str, tmp: str) -> dict:
    result = os.path.join(tmp, f"result-{workers}.json")
    command = [sys.executable, "-m", "refute", "check", spec, *args, "-q", "--json", result,
               "--backend", "compiled", "--workers", str(workers)]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), REFUTE_CACHE_DIR=cache)
    _, wall, cpu = _measure(command, ROOT, env)
    with open(result) as handle:
        got = json.load(handle)
    assert got["backend"] == "compiled", got["backend"]
    return {"distinct": got["distinct_states"], "generated": got["states_generated"],
            "depth": got["depth"], "search": got["seconds"], "wall": wall, "cpu": cpu}


def run_pair(spec: str, args: list[str], cache: str, tmp: str) -> dict:
    """Two one-worker runs at once: their wall time, against which ``w2`` is measured (what two
    busy processes get from this machine, whatever the software)."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), REFUTE_CACHE_DIR=cache)
    commands = [[sys.executable, "-m", "refute", "check", spec, *args, "-q", "--json",
                 os.path.join(tmp, f"pair-{k}.json"), "--backend", "compiled"] for k in (0, 1)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for c in commands]
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert all(code in (0, 1) for code in codes), codes
    with open(os.path.join(tmp, "pair-0.json")) as handle:
        got = json.load(handle)
    return {"distinct": got["distinct_states"], "generated": got["states_generated"],
            "depth": got["depth"], "search": got["seconds"], "wall": wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def best_of(runs: dict, repeat: int) -> dict[str, dict]:
    """Each contender's best wall, search and CPU seconds over ``repeat`` rounds, the
    contenders interleaved within a round (a load that comes and goes falls on all)."""
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            got = run()
            if name in best:
                for what in ("wall", "search", "cpu"):
                    got[what] = min(got[what], best[name][what])
            best[name] = got
    return best


def models(rms: int, wanted: set[str], tmp: str) -> dict[str, tuple[str, list[str]]]:
    out = {}
    if "twophase" in wanted:
        cfg = os.path.join(tmp, f"TwoPhase{rms}.cfg")
        with open(cfg, "w") as handle:
            names = ", ".join(f"r{i}" for i in range(1, rms + 1))
            handle.write(f"CONSTANT RM = {{{names}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n")
        if os.path.exists(TWO_PHASE_TLA):
            out[f"TwoPhase, {rms} RMs (TLA+)"] = (TWO_PHASE_TLA, ["--config", cfg])
        out[f"TwoPhase, {rms} RMs (Python)"] = ("examples/two_phase.py", ["-p", f"rms={rms}"])
    if "paxos" in wanted:
        out["Paxos (TLA+)"] = (os.path.join(HERE, "tla", "Paxos.tla"),
                               ["--config", os.path.join(HERE, "tla", "Paxos.cfg")])
        out["Paxos (Python)"] = ("examples/paxos.py", [])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", default="twophase", help="comma-separated: twophase, paxos")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        for title, (spec, extra) in models(args.rms, set(args.models.split(",")), tmp).items():
            run_refute(spec, extra, 1, cache, tmp)  # fills the build cache
            runs = {f"w{n}": (lambda n=n, s=spec, e=extra: run_refute(s, e, n, cache, tmp))
                    for n in args.workers}
            runs["2 x w1"] = lambda s=spec, e=extra: run_pair(s, e, cache, tmp)
            best = best_of(runs, args.repeat)
            pair = best.pop("2 x w1")
            assert len({(m["distinct"], m["generated"], m["depth"]) for m in best.values()}) == 1, best
            one = best[f"w{args.workers[0]}"]
            print(f"{title}: {one['distinct']:,} distinct, {one['generated']:,} generated, "
                  f"depth {one['depth']}; best of {args.repeat}")
            print(f"  {'workers':<8} {'wall s':>8} {'search s':>9} {'CPU s':>8} "
                  f"{'wall x':>7} {'search x':>9} {'CPU / w1':>9}")
            for name, m in best.items():
                print(f"  {name:<8} {m['wall']:>8.2f} {m['search']:>9.2f} {m['cpu']:>8.2f} "
                      f"{one['wall'] / m['wall']:>7.2f} {one['search'] / m['search']:>9.2f} "
                      f"{m['cpu'] / one['cpu']:>9.2f}")
            print(f"  two w1 runs at once: {pair['wall']:.2f} s wall, so this machine gives two "
                  f"busy processes {2 * one['wall'] / pair['wall']:.2f}x one's throughput "
                  f"(w2's wall ratio against that ceiling: "
                  f"{one['wall'] / best['w2']['wall'] / (2 * one['wall'] / pair['wall']):.0%})"
                  if "w2" in best else "")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
