"""Python specs against a hand-rolled BFS and TLC (one worker), ratios from one run.

    python benchmarks/bench_python_specs.py                       # TwoPhase 8 RMs and Paxos
    python benchmarks/bench_python_specs.py --rms 6 --repeat 1    # a quick look
    python benchmarks/bench_python_specs.py --before ../main/src  # and another checkout's refute

Models and contenders, each run as a whole fresh process (start-up included, as a user meets
it), interleaved, ``--repeat`` times, each one's best kept:

* TwoPhase with ``--rms`` resource managers: ``tuple`` (``handrolled_bfs.py``: dict of tuple
  states and a deque, no library: the floor), ``refute`` (``refute check
  examples/two_phase.py``), ``tlc`` (``tlc -workers 1`` on TwoPhase.tla of tlaplus/Examples,
  read from the oracle folder ``../shared/oracles``, never copied; skipped without it);
* single-decree Paxos, 3 acceptors, 2 values, ballots 0..2: ``refute`` (``examples/paxos.py``)
  and ``tlc`` on its twin ``benchmarks/tla/Paxos.tla``;
* with ``--before SRC``, on both models, ``before``: the same ``refute check`` run with the
  package of another checkout (``SRC``, its ``src`` folder, C extensions built in place), for a
  before/after comparison within one run.

Every contender of a model must report the same distinct states (asserted). Two times are
kept: wall (what a user waits) and CPU (user + system seconds of the process and its threads,
from ``getrusage``), which a machine shared with other jobs inflates far less than wall time;
TLC's CPU time includes its JIT compiler and garbage-collector threads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TLC = os.environ.get("REFUTE_TLC", os.path.join(ROOT, "..", "shared", "tools", "tlc", "tlc"))
TWO_PHASE_TLA = os.path.join(os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    ROOT, "..", "shared", "oracles", "tla", "examples")), "specifications", "transaction_commit",
    "TwoPhase.tla")

_TUPLE = r"""
import json, sys
sys.path.insert(0, {here!r})
import handrolled_bfs
print(json.dumps(handrolled_bfs.tuple_bfs(int(sys.argv[1]))))
"""


def _measure(command: list[str], cwd: str, env: dict | None = None) -> tuple[str, float, float]:
    """(stdout, wall seconds, CPU seconds) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"{command} exited {out.returncode}: {(out.stdout + out.stderr)[-2000:]}")
    return out.stdout, wall, cpu


def run_tuple(rms: int, tmp: str) -> dict:
    stdout, wall, cpu = _measure([sys.executable, "-c", _TUPLE.format(here=HERE), str(rms)], tmp)
    distinct, generated, depth = json.loads(stdout)
    return {"distinct": distinct, "generated": generated, "depth": depth, "wall": wall, "cpu": cpu}


def run_refute(spec: str, params: list[str], tmp: str, src: str = os.path.join(ROOT, "src")) -> dict:
    result = os.path.join(tmp, "result.json")
    command = [sys.executable, "-m", "refute", "check", spec, "-q", "--json", result,
               "--backend", "interpreted"]  # (auto compiles the spec: bench_compiled_python.py)
    for param in params:
        command += ["-p", param]
    env = dict(os.environ, PYTHONPATH=src)
    _, wall, cpu = _measure(command, ROOT, env)
    with open(result) as handle:
        got = json.load(handle)
    return {"distinct": got["distinct_states"], "generated": got["states_generated"],
            "depth": got["depth"], "wall": wall, "cpu": cpu}


def run_tlc(tla: str, cfg_text: str, tmp: str) -> dict:
    work = tempfile.mkdtemp(dir=tmp)
    folder = os.path.dirname(tla)
    for name in os.listdir(folder):  # the modules it may extend or instantiate
        if name.endswith(".tla"):
            shutil.copy(os.path.join(folder, name), work)
    cfg = os.path.join(work, "Model.cfg")
    with open(cfg, "w") as handle:
        handle.write(cfg_text)
    stdout, wall, cpu = _measure([TLC, "-workers", "1", "-deadlock", "-config", cfg,
                                  os.path.basename(tla)], work)
    found = re.search(r"([\d,]+) states generated, ([\d,]+) distinct states found", stdout)
    depth = re.search(r"depth of the complete state graph search is (\d+)", stdout)
    if not found or not depth:
        raise RuntimeError(f"TLC did not finish: {stdout[-2000:]}")
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    return {"distinct": number(found[2]), "generated": number(found[1]),
            "depth": int(depth[1]), "wall": wall, "cpu": cpu}


def contenders(rms: int, tmp: str, before: str | None = None) -> dict[str, dict]:
    rm_names = ", ".join(f"r{i}" for i in range(1, rms + 1))
    two_phase = {
        "tuple": lambda: run_tuple(rms, tmp),
        "refute": lambda: run_refute("examples/two_phase.py", [f"rms={rms}"], tmp),
    }
    paxos = {"refute": lambda: run_refute("examples/paxos.py", [], tmp)}
    if before:
        two_phase["before"] = lambda: run_refute("examples/two_phase.py", [f"rms={rms}"], tmp,
                                                 before)
        paxos["before"] = lambda: run_refute("examples/paxos.py", [], tmp, before)
    if os.path.exists(TLC) and os.path.exists(TWO_PHASE_TLA):
        two_phase["tlc"] = lambda: run_tlc(
            TWO_PHASE_TLA, f"CONSTANT RM = {{{rm_names}}}\nINIT TPInit\nNEXT TPNext\n"
                           "INVARIANT TPTypeOK\n", tmp)
    if os.path.exists(TLC):
        with open(os.path.join(HERE, "tla", "Paxos.cfg")) as handle:
            paxos_cfg = handle.read()
        paxos["tlc"] = lambda: run_tlc(os.path.join(HERE, "tla", "Paxos.tla"), paxos_cfg, tmp)
    return {f"TwoPhase, {rms} RMs": two_phase, "Paxos, 3 acceptors, 3 ballots": paxos}


def best_of(runs: dict, repeat: int) -> dict[str, dict]:
    """Each contender's best wall and CPU time over ``repeat`` rounds, the contenders
    interleaved within a round (so that a load that comes and goes falls on all of them)."""
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            got = run()
            if name in best:
                got["wall"] = min(got["wall"], best[name]["wall"])
                got["cpu"] = min(got["cpu"], best[name]["cpu"])
            best[name] = got
    return best


def print_contenders(best: dict[str, dict]) -> None:
    print(f"  {'contender':<9} {'distinct':>10} {'generated':>11} {'depth':>5} "
          f"{'wall s':>8} {'CPU s':>8}")
    for name, m in best.items():
        print(f"  {name:<9} {m['distinct']:>10,} {m['generated']:>11,} {m['depth']:>5} "
              f"{m['wall']:>8.2f} {m['cpu']:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--models", default="twophase,paxos",
                        help="comma-separated: twophase, paxos")
    parser.add_argument("--contenders", default="tuple,refute,before,tlc",
                        help="comma-separated: tuple, refute, before, tlc (those that apply)")
    parser.add_argument("--before", metavar="SRC",
                        help="also run refute from this src folder (another checkout's)")
    args = parser.parse_args()
    wanted = set(args.models.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        before = os.path.abspath(args.before) if args.before else None
        for model, runs in contenders(args.rms, tmp, before).items():
            if model.split(",")[0].lower() not in wanted:
                continue
            chosen = set(args.contenders.split(","))
            best = best_of({name: run for name, run in runs.items() if name in chosen},
                           args.repeat)
            assert len({m["distinct"] for m in best.values()}) == 1, best
            print(f"{model}: best of {args.repeat}")
            print_contenders(best)
            for name in ("refute", "before"):
                for base in ("tuple", "tlc"):
                    if name in best and base in best:
                        print(f"  {name} / {base}: wall {best[name]['wall'] / best[base]['wall']:.2f}, "
                              f"CPU {best[name]['cpu'] / best[base]['cpu']:.2f}")
            if "before" in best:
                print(f"  refute / before: wall {best['refute']['wall'] / best['before']['wall']:.2f}, "
                      f"CPU {best['refute']['cpu'] / best['before']['cpu']:.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
