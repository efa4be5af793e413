"""The compiled backend against SPIN's compiled verifier on TwoPhase (issue 20's moonshot:
within 2x of SPIN), whole processes, in one run.

    .venv/bin/python benchmarks/bench_spin.py [--rms 7 8] [--repeat 2] [--spin PATH]

SPIN (Debian's ``spin`` package: ``apt-get install spin``) checks a Promela twin of
tlaplus/Examples' TwoPhase.tla written here from the TLA+ (``promela``): one process whose
loop takes one of the spec's actions per iteration, each an atomic ``d_step`` (a guard, then the
updates), one branch per action and resource manager, so that SPIN's states are the spec's
states: its "states, stored" must equal refute's distinct states (checked; the ratio is
printed only then). SPIN's time is ``spin -a`` (generating pan.c), ``cc -O2 -DSAFETY``
(exhaustive search, no partial-order reduction as there is one process) and ``./pan``, apart
and together; refute's is ``refute check TwoPhase.tla --backend compiled`` with a warm build
cache, whole process (Python's start-up included) and the search alone (the JSON's seconds).
refute also checks TPTypeOK on every state; pan checks nothing (the Promela types make it
true), so the comparison leans SPIN's way. Best of ``--repeat``, interleaved.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_compiled import SPECS, refute, timed  # noqa: E402

WORKING, PREPARED, COMMITTED, ABORTED = range(4)
INIT, TM_COMMITTED, TM_ABORTED = range(3)


def promela(n: int) -> str:
    """TwoPhase.tla with ``n`` resource managers in Promela: ``rm[i]`` is rmState, ``tm``
    tmState, ``prepared[i]`` tmPrepared, ``msg_prepared[i]``/``msg_commit``/``msg_abort`` the
    messages in ``msgs`` (a set: sending one twice changes nothing)."""
    options = []
    for i in range(n):
        options.append(f"tm == {INIT} && msg_prepared[{i}] && !prepared[{i}] -> prepared[{i}] = 1")
    every_prepared = " && ".join(f"prepared[{i}]" for i in range(n))
    options.append(f"tm == {INIT} && {every_prepared} -> tm = {TM_COMMITTED}; msg_commit = 1")
    options.append(f"tm == {INIT} -> tm = {TM_ABORTED}; msg_abort = 1")
    for i in range(n):
        options.append(f"rm[{i}] == {WORKING} -> rm[{i}] = {PREPARED}; msg_prepared[{i}] = 1")
        options.append(f"rm[{i}] == {WORKING} -> rm[{i}] = {ABORTED}")
        options.append(f"msg_commit && rm[{i}] != {COMMITTED} -> rm[{i}] = {COMMITTED}")
        options.append(f"msg_abort && rm[{i}] != {ABORTED} -> rm[{i}] = {ABORTED}")
    # TLA+ steps that change nothing (TMRcvPrepared of a known rm, a second commit message
    # received) are stuttering: no new state, so the guards above leave them out
    body = "\n".join(f"  :: d_step {{ {option} }}" for option in options)
    return (f"byte rm[{n}]; byte tm; bit prepared[{n}]; bit msg_prepared[{n}];\n"
            f"bit msg_commit; bit msg_abort;\n"
            f"active proctype TwoPhase() {{\n  do\n{body}\n  od\n}}\n")


def spin(spin_path: str, n: int, tmp: str) -> dict:
    """SPIN on the twin: seconds and CPU of generating, compiling and searching, its states."""
    model = os.path.join(tmp, f"twophase{n}.pml")
    with open(model, "w", encoding="utf-8") as handle:
        handle.write(promela(n))
    gen = timed([spin_path, "-a", model], tmp)
    cc = timed(["cc", "-O2", "-DSAFETY", "-DMEMLIM=8192", "-o", "pan", "pan.c"], tmp)
    run = timed(["./pan", "-m1000", "-w23", "-E"], tmp)  # -E: final states are no error (TLC: stuttering)
    stored = re.search(r"([\d.e+]+) states, stored", run[3])
    if not stored or "errors: 0" not in run[3]:
        sys.exit(f"pan's output has no count or an error:\n{run[3][-3000:]}")
    return dict(build_seconds=gen[0] + cc[0], seconds=run[0], cpu=run[1], rss=run[2],
                distinct=int(float(stored.group(1))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rms", type=int, nargs="*", default=[7, 8])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--spin", default=shutil.which("spin"), help="SPIN (default: on PATH)")
    args = parser.parse_args()
    if not args.spin or shutil.which("cc") is None:
        sys.exit("SPIN or a C compiler is missing: apt-get install spin (Debian), then run again")
    print(f"SPIN {subprocess.run([args.spin, '-V'], capture_output=True, text=True).stdout.strip()}")
    for n in args.rms:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, f"TwoPhase{n}.cfg")
            with open(cfg, "w", encoding="utf-8") as handle:
                rms = ", ".join(f"r{i}" for i in range(1, n + 1))
                handle.write(f"CONSTANT RM = {{{rms}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n")
            cache = os.path.join(tmp, "cache")
            tla = os.path.join(SPECS, "TwoPhase.tla")
            refute(tla, cfg, "compiled", cache, tmp)  # fills the build cache
            runs_spin, runs_refute = [], []
            for _ in range(args.repeat):
                runs_spin.append(spin(args.spin, n, tmp))
                runs_refute.append(refute(tla, cfg, "compiled", cache, tmp))
        best_spin = min(runs_spin, key=lambda r: r["seconds"])
        best = min(runs_refute, key=lambda r: r["seconds"])
        print(f"TwoPhase, {n} RMs")
        print(f"  SPIN pan (search):        {best_spin['seconds']:7.2f} s wall {best_spin['cpu']:7.2f} s cpu "
              f"{best_spin['rss'] / 2**20:6.0f} MiB  {best_spin['distinct']:>10,} states stored; "
              f"spin -a + cc: {best_spin['build_seconds']:.2f} s")
        print(f"  refute compiled (whole):  {best['seconds']:7.2f} s wall {best['cpu']:7.2f} s cpu "
              f"{best['rss'] / 2**20:6.0f} MiB  {best['distinct']:>10,} distinct; "
              f"search {best['search']:.2f} s")
        if best_spin["distinct"] != best["distinct"]:
            print("  states differ: no ratio")
            continue
        print(f"  refute / SPIN: wall {best['seconds'] / best_spin['seconds']:.2f}x, "
              f"cpu {best['cpu'] / best_spin['cpu']:.2f}x, refute's search / pan's wall "
              f"{best['search'] / best_spin['seconds']:.2f}x (target: within 2x)")


if __name__ == "__main__":
    main()
