"""CPU seconds of ``refute check`` on the oracle's slow models, per backend, against TLC's figures.

    nice -n 5 .venv/bin/python benchmarks/tla_slow_models.py --backend auto --cap 100 [SUBSTRING...]

The models are those the TLC oracle test checks through the command line
(tests/tla/oracle.py ON_THE_COMMAND_LINE) and those it leaves out as too slow (UNSUPPORTED's
"too slow" entries). Each runs as a user runs it (``python -m refute check SPEC --config CFG
--backend B --json``, REFUTE_TLA_MODULES unset as tests/conftest.py has it) in a child process
limited to ``--cap`` seconds of CPU time; the CPU time counted is the child's and its
children's (the C compiler's included). One JSON line per model: refute's and TLC's
(manifest) verdict, distinct, generated and depth (the depth TLC gives with one worker where
the manifest has a multi-worker one, tests/tla/oracle.py DEPTH_ACCEPTED), the backend that
ran, the compiled backend's notice where it did not, and the load average (the machine is
shared: CPU time, not wall time, is the figure to compare).

With ``--tlc PATH`` (TLC built from source, e.g. /work/shared/tools/tlc/tlc), TLC runs each
model too, in the same run, under the same cap (``-workers 1``, its states in a temporary
-metadir): its CPU seconds, its counts as it prints them, and refute's CPU over TLC's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.tla.oracle import DEPTH_ACCEPTED, ON_THE_COMMAND_LINE, UNSUPPORTED, oracle_models  # noqa: E402
from tests.tla.test_tlc_oracle import spec_for  # noqa: E402

_VERDICT = {"ok": "success", "violation": "safety failure"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["auto", "compiled", "interpreted"], default="auto")
    parser.add_argument("--cap", type=int, default=100, help="CPU seconds per model")
    parser.add_argument("--tlc", help="TLC's launcher: run TLC on each model too, in the same run")
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    env.pop("REFUTE_TLA_MODULES", None)  # refute's own modules, as tests/conftest.py has it
    slow = ON_THE_COMMAND_LINE | {m for m, why in UNSUPPORTED.items() if why.startswith("too slow")}
    models = [m for m in oracle_models() if m["id"] in slow
              and (not args.only or any(o in m["id"] for o in args.only))]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (args.cap, args.cap + 5))

    with tempfile.TemporaryDirectory() as tmp:
        for m in models:
            out = os.path.join(tmp, "result.json")
            if os.path.exists(out):
                os.remove(out)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            run = subprocess.run([sys.executable, "-m", "refute", "check", spec_for(m), "--config", m["cfg"],
                                  "--backend", args.backend, "--json", out], env=env,
                                 capture_output=True, text=True, preexec_fn=limit)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            data = {}
            if os.path.exists(out) and os.path.getsize(out):
                with open(out, encoding="utf-8") as handle:
                    data = json.load(handle)
            notice = next((line for line in run.stderr.splitlines() if "compiled backend not used" in line), None)
            tlc_run = _tlc(args.tlc, m, tmp, limit) if args.tlc else {}
            if tlc_run.get("cpu_s"):
                tlc_run["refute_over_tlc"] = round(cpu / tlc_run["cpu_s"], 3)
            print(json.dumps({
                "model": m["id"], "backend": args.backend, "ran_on": data.get("backend"),
                "exit": run.returncode, "cpu_s": round(cpu, 1), "wall_s": round(time.monotonic() - started, 1),
                "load": round(os.getloadavg()[0], 1), "tlc_runtime": m.get("runtime"),
                "tlc": [m["result"], m.get("distinctStates"), m.get("totalStates"),
                        DEPTH_ACCEPTED.get(m["id"], m.get("stateDepth"))],
                "refute": [_VERDICT.get(data.get("status"), data.get("status")), data.get("distinct_states"),
                           data.get("states_generated"), data.get("depth")],
                "notice": notice, **({"tlc_measured": tlc_run} if args.tlc else {})}), flush=True)


def _tlc(launcher: str, m: dict, tmp: str, limit) -> dict:
    """TLC with one worker on the model: its CPU seconds and the counts it prints."""
    metadir = tempfile.mkdtemp(dir=tmp)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([launcher, "-workers", "1", "-metadir", metadir, "-config", m["cfg"], spec_for(m)],
                         capture_output=True, text=True, preexec_fn=limit)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"([\d,]+) states generated, ([\d,]+) distinct states found, 0 states left", run.stdout)
    depth = re.search(r"The depth of the complete state graph search is (\d+)", run.stdout)
    return {"exit": run.returncode,
            "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
            "distinct": int(found.group(2).replace(",", "")) if found else None,
            "generated": int(found.group(1).replace(",", "")) if found else None,
            "depth": int(depth.group(1)) if depth else None}


if __name__ == "__main__":
    main()
