"""The compiled backend against the interpreter and TLC, whole process, in one run.

    .venv/bin/python benchmarks/bench_compiled.py [--rms 7 8] [--paxos-commit]
        [--interpreted 7] [--model SPEC.tla MODEL.cfg]... [--tlc PATH | --no-tlc]

Each model is checked by separate processes, timed from start to exit (wall clock, and the
CPU time the process used: on a shared machine the CPU time is the steadier figure) with
their peak RSS: ``refute check --backend compiled`` with a cold build cache (its compile time
is printed apart: lowering, emitting and the C compiler), the same with the cache warm,
``refute check --backend interpreted`` (only for the TwoPhase sizes given to --interpreted:
the interpreter needs minutes for the larger ones), and TLC with one worker (``-workers 1``;
its time includes the JVM's start). Counts are compared across all of them: a ratio is
printed only for runs that agree. Models: TwoPhase.tla (tlaplus/Examples, read from the oracle
folder) with N resource managers, PaxosCommit.tla with its own model (1,321,761 states), and
any ``--model`` (also run interpreted: e.g. a model with temporal properties, whose liveness
check runs on the natively explored state graph).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    ROOT, "..", "shared", "oracles", "tla", "examples")), "specifications", "transaction_commit")
TLC = os.path.join(ROOT, "..", "shared", "tools", "tlc", "tlc")


def timed(cmd: list[str], cwd: str, env: dict | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (bytes) and output of ``cmd``."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out


def refute(tla: str, cfg: str, backend: str, cache: str, tmp: str) -> dict:
    env = dict(os.environ, REFUTE_CACHE_DIR=cache)
    report = os.path.join(tmp, "result.json")
    seconds, cpu, rss, out = timed([sys.executable, "-m", "refute", "check", tla, "--config", cfg,
                               "--backend", backend, "--json", report, "-q"], tmp, env)
    with open(report, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["backend"] == backend, out
    return dict(seconds=seconds, cpu=cpu, rss=rss, distinct=data["distinct_states"],
                generated=data["states_generated"], status=data["status"], search=data["seconds"])


def compile_seconds(tla: str, cfg: str, cache: str) -> float:
    os.environ["REFUTE_CACHE_DIR"] = cache
    from refute.compiled.backend import compile_model
    from refute.tla.model import TLAModel

    return compile_model(TLAModel(tla, cfg)).compile_seconds


def tlc(path: str, tla: str, cfg: str, tmp: str) -> dict:
    seconds, cpu, rss, out = timed([path, "-workers", "1", "-config", cfg, tla], tmp)
    found = re.search(r"([\d,]+) states generated, ([\d,]+) distinct states found", out)
    if not found:
        sys.exit(f"TLC's output has no counts:\n{out[-3000:]}")
    generated, distinct = (int(x.replace(",", "")) for x in found.groups())
    return dict(seconds=seconds, cpu=cpu, rss=rss, distinct=distinct, generated=generated)


def row(name: str, r: dict, base: dict | None) -> str:
    ratio = ""
    if base is not None:  # the ratios: how many times faster than TLC, and RSS over TLC's
        same = (r["distinct"], r["generated"]) == (base["distinct"], base["generated"])
        ratio = (f"wall {base['seconds'] / r['seconds']:5.1f}x  cpu {base['cpu'] / r['cpu']:5.1f}x  "
                 f"rss {r['rss'] / base['rss']:4.2f}x") if same else "  counts differ!"
    return (f"  {name:28} {r['seconds']:8.2f} s wall {r['cpu']:8.2f} s cpu "
            f"{r['rss'] / 2**20:6.0f} MiB  "
            f"{r['distinct']:>10,} distinct {r['generated']:>12,} generated  {ratio}")


def bench(title: str, tla: str, cfg: str, interpreted: bool, tlc_path: str | None) -> None:
    print(f"{title}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        cold_compile = compile_seconds(tla, cfg, os.path.join(tmp, "probe-cache"))
        cold = refute(tla, cfg, "compiled", cache, tmp)
        warm = refute(tla, cfg, "compiled", cache, tmp)
        base = tlc(tlc_path, tla, cfg, tmp) if tlc_path else None
        slow = refute(tla, cfg, "interpreted", cache, tmp) if interpreted else None
    print(f"  compiling (cold cache): {cold_compile:.2f} s", flush=True)
    if base:
        print(row("TLC, -workers 1", base, None))
    print(row("refute compiled, cold cache", cold, base))
    print(row("refute compiled, warm cache", warm, base))
    if slow:
        print(row("refute interpreted", slow, base))
        print(f"  compiled (warm) vs interpreted: wall {slow['seconds'] / warm['seconds']:.1f}x, "
              f"cpu {slow['cpu'] / warm['cpu']:.1f}x")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rms", type=int, nargs="*", default=[7, 8])
    parser.add_argument("--interpreted", type=int, nargs="*", default=[7],
                        help="TwoPhase sizes also run with the interpreter")
    parser.add_argument("--paxos-commit", action="store_true", help="also PaxosCommit (TLC ~2 min)")
    parser.add_argument("--tlc", default=TLC, help="TLC launcher (default: ../shared/tools/tlc/tlc)")
    parser.add_argument("--no-tlc", action="store_true")
    parser.add_argument("--model", nargs=2, action="append", default=[], metavar=("TLA", "CFG"),
                        help="another model, also run with the interpreter")
    args = parser.parse_args()
    tlc_path = None if args.no_tlc or not os.path.exists(args.tlc) else os.path.abspath(args.tlc)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rms:
            cfg = os.path.join(tmp, f"TwoPhase{n}.cfg")
            with open(cfg, "w") as handle:
                rms = ", ".join(f"r{i}" for i in range(1, n + 1))
                handle.write(f"CONSTANT RM = {{{rms}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n")
            bench(f"TwoPhase, {n} RMs", os.path.join(SPECS, "TwoPhase.tla"), cfg,
                  n in args.interpreted, tlc_path)
    if args.paxos_commit:
        bench("PaxosCommit (its .cfg)", os.path.join(SPECS, "PaxosCommit.tla"),
              os.path.join(SPECS, "PaxosCommit.cfg"), False, tlc_path)
    for tla, cfg in args.model:
        bench(f"{os.path.basename(tla)} ({os.path.basename(cfg)})", os.path.abspath(tla),
              os.path.abspath(cfg), True, tlc_path)


if __name__ == "__main__":
    main()
