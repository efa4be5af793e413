"""``--workers N`` on the compiled backend against one worker, ratios from one run.

    python benchmarks/bench_compiled_workers.py                  # TwoPhase 8 RMs, TLA+ and Python
    python benchmarks/bench_compiled_workers.py --workers 1 2 3 --repeat 3 --models twophase,paxos
    python benchmarks/bench_compiled_workers.py --models paxoscommit   # PaxosCommit, 1.3M states
    python benchmarks/bench_compiled_workers.py --native [--base REF] [--models twophase,paxoscommit]

Contenders, each a whole fresh process (``refute check --backend compiled --workers N``, a
warm build cache filled by a first untimed run), interleaved, ``--repeat`` times, each one's
best kept, as in ``bench_python_specs.py``:

* ``wall``: the whole process (start-up, loading, the cached build's load, the search);
* ``search``: the search alone, as the result reports it (``seconds`` in the JSON);
* ``CPU``: user + system seconds of the process and its worker processes: what the workers
  cost beyond one (the claims they post and decide, their own copies of the states found,
  the barriers, states moved between them, the intern tables and memos they each grow); on a
  loaded machine the steady figure, where wall times say little;
* ``2 x w1``: two one-worker runs started together, whose wall time says what this machine
  gives two busy processes (shared caches and memory bandwidth): the ceiling for ``w2``.

Models: TwoPhase with ``--rms`` resource managers as TLA+ (TwoPhase.tla of tlaplus/Examples,
read from the oracle folder) and as the Python spec ``examples/two_phase.py``; with
``--models paxos``, single-decree Paxos (``benchmarks/tla/Paxos.tla`` and
``examples/paxos.py``); with ``--models paxoscommit``, PaxosCommit.tla of tlaplus/Examples
with its own .cfg (1,321,761 states, more work per state than TwoPhase). Every contender of
a model must report the same distinct, generated and depth (asserted). On a 2-core machine
two busy processes get at most the hardware's parallel throughput (measure it with two copies
of one run), so the ratio to read is the search's against that ceiling.

``--native`` measures the native search alone, as ``bench_runtime.py`` does: the TLA+ models'
generated C built with ``cc -O2`` into a program that runs the search with 1 and 2 workers,
once over the work tree's runtime and once over git revision ``--base``'s (default 747da64:
the workers' shared compare-and-swap fingerprint set), all interleaved, and two one-worker
runs at once for the ceiling. No Python start-up, so its ratios are the search's; CPU is the
program's and its worker processes'.
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

RUNTIME = os.path.join("src", "refute", "compiled", "runtime")
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include MODEL
int main(int argc, char **argv) {
    int workers = atoi(argv[1]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = workers > 1 ? refute_run_workers(workers, 1, INT64_MAX, -1, 0)
                             : refute_run(1, INT64_MAX, -1, 0, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t c[8];
    refute_counts(c);
    printf("%d %llu %llu %llu\n%.3f\n", status, (unsigned long long)c[0],
           (unsigned long long)c[1], (unsigned long long)c[2],
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
    return 0;
}
"""


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
    if "paxoscommit" in wanted:
        specs = os.path.dirname(TWO_PHASE_TLA)
        if os.path.exists(os.path.join(specs, "PaxosCommit.tla")):
            out["PaxosCommit (TLA+, its .cfg)"] = (os.path.join(specs, "PaxosCommit.tla"),
                                                   ["--config", os.path.join(specs, "PaxosCommit.cfg")])
    return out


def native_program(tla: str, cfg: str, runtime: str, out: str) -> str:
    from refute.compiled.emit_c import emit
    from refute.compiled.from_tla import lower
    from refute.tla.model import TLAModel

    with open(out + ".model.c", "w", encoding="utf-8") as handle:
        handle.write(emit(lower(TLAModel(tla, cfg)))[0])
    with open(out + ".main.c", "w", encoding="utf-8") as handle:
        handle.write(DRIVER)
    subprocess.run(["cc", "-O2", "-std=gnu11", "-w", "-I", runtime, f'-DMODEL="{out}.model.c"',
                    "-o", out, out + ".main.c"], check=True)
    return out


def run_native(commands: list[list[str]]) -> dict:
    """Programs started together: the wall time until the last ends, their CPU (with their
    worker processes'), the first one's counts and search seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, text=True) for c in commands]
    outs = [p.communicate()[0] for p in procs]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert all(p.returncode == 0 for p in procs), outs
    counts, search = outs[0].split("\n")[:2]
    return {"counts": counts, "search": float(search), "wall": wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def native_main(args: argparse.Namespace) -> None:
    specs = os.path.dirname(TWO_PHASE_TLA)
    with tempfile.TemporaryDirectory() as tmp:
        base_runtime = os.path.join(tmp, "base")
        os.makedirs(base_runtime)
        for name in ("runtime.c", "runtime.h", "workers.c"):
            text = subprocess.run(["git", "show", f"{args.base}:{RUNTIME}/{name}"], cwd=ROOT,
                                  check=True, capture_output=True, text=True).stdout
            with open(os.path.join(base_runtime, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        wanted = set(args.models.split(","))
        chosen = []
        if "twophase" in wanted:
            cfg = os.path.join(tmp, "TwoPhase.cfg")
            with open(cfg, "w") as handle:
                names = ", ".join(f"r{i}" for i in range(1, args.rms + 1))
                handle.write(f"CONSTANT RM = {{{names}}}\nINIT TPInit\nNEXT TPNext\n"
                             "INVARIANT TPTypeOK\n")
            chosen.append((f"TwoPhase, {args.rms} RMs", TWO_PHASE_TLA, cfg))
        if "paxoscommit" in wanted:
            chosen.append(("PaxosCommit (its .cfg)", os.path.join(specs, "PaxosCommit.tla"),
                           os.path.join(specs, "PaxosCommit.cfg")))
        for title, tla, cfg in chosen:
            work = native_program(tla, cfg, os.path.join(ROOT, RUNTIME), os.path.join(tmp, "work"))
            base = native_program(tla, cfg, base_runtime, os.path.join(tmp, "base-prog"))
            runs = {"w1": [[work, "1"]], "w2": [[work, "2"]], "base w2": [[base, "2"]],
                    "2 x w1": [[work, "1"], [work, "1"]]}
            best = best_of({name: (lambda c=c: run_native(c)) for name, c in runs.items()},
                           args.repeat)
            assert len({m["counts"] for m in best.values()}) == 1, best
            one, pair = best["w1"], best.pop("2 x w1")
            print(f"{title}, native search: {one['counts']} (status distinct generated depth); "
                  f"best of {args.repeat}")
            print(f"  {'workers':<8} {'search s':>9} {'CPU s':>8} {'search x':>9} {'CPU / w1':>9}")
            for name, m in best.items():
                print(f"  {name:<8} {m['search']:>9.2f} {m['cpu']:>8.2f} "
                      f"{one['search'] / m['search']:>9.2f} {m['cpu'] / one['cpu']:>9.2f}")
            print(f"  two w1 at once: {pair['wall']:.2f} s wall, {pair['cpu']:.2f} s CPU: the "
                  f"machine gives two busy processes {2 * one['wall'] / pair['wall']:.2f}x one's "
                  f"throughput (the ceiling for w2's search x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", default="twophase", help="comma-separated: twophase, paxos, paxoscommit")
    parser.add_argument("--native", action="store_true",
                        help="the native search alone, work tree against --base (see above)")
    parser.add_argument("--base", default="747da64", help="git revision of the baseline runtime")
    args = parser.parse_args()
    if args.native:
        native_main(args)
        return
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
