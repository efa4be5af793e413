"""--workers, --ray and --memory-limit on TwoPhase: speedups and peak memory, one run.

Each contender runs in a fresh subprocess, interleaved, ``--repeat`` times, best time kept
(the machine is shared and noisy: only side-by-side ratios mean anything). Peak RSS is the
coordinator's plus every worker's (``RUSAGE_CHILDREN`` gives the largest child only, so the
workers report their own through the result's memory note when --memory-limit is given).

    python benchmarks/bench_parallel.py --rms 7 --repeat 3
    python benchmarks/bench_parallel.py --rms 8 --contenders sequential,workers1,workers2,limit1G
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

_CHILD = r"""
import json, resource, sys, time
sys.path[:0] = [{examples!r}]
contender, rms = sys.argv[1], int(sys.argv[2])
import refute
from two_phase import TwoPhase
spec = TwoPhase(rms=rms)
kwargs = {{}}
if contender.startswith("workers"):
    kwargs = dict(workers=int(contender[len("workers"):]))
elif contender.startswith("ray"):
    import ray
    ray.init(address="local", _node_ip_address="127.0.0.1", include_dashboard=False,
             log_to_driver=False, configure_logging=False)
    from refute.engine.bfs import Options
    from refute.engine.parallel import Scale
    from refute.engine.ray_explorer import check_on_ray
    from refute.engine.command import load_model
    source = ({examples!r} + "/two_phase.py", ("rms=%d" % rms,), None)
elif contender == "limit1G":
    kwargs = dict(workers=2, memory_limit="1G")
start = time.perf_counter()
if contender.startswith("ray"):
    result = check_on_ray(load_model(*source), Options(),
                          Scale(workers=int(contender[3:]), source=source), None)
else:
    result = refute.check(spec, **kwargs)
seconds = time.perf_counter() - start
note = [w for w in result.warnings if w.startswith("memory:")]
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"counts": [result.distinct_states, result.states_generated, result.depth],
                  "seconds": seconds, "rss_mib": rss_mib, "note": note[0] if note else ""}}))
"""


def run(contender: str, rms: int) -> dict:
    code = _CHILD.format(examples=os.path.join(ROOT, "examples"))
    out = subprocess.run([sys.executable, "-c", code, contender, str(rms)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--contenders", default="sequential,workers1,workers2,ray2")
    args = parser.parse_args()
    contenders = args.contenders.split(",")
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for contender in contenders:
            measured = run(contender, args.rms)
            print(f"  {contender}: {measured['seconds']:.2f} s", file=sys.stderr, flush=True)
            if contender not in best or measured["seconds"] < best[contender]["seconds"]:
                best[contender] = measured
    counts = {tuple(m["counts"]) for m in best.values()}
    assert len(counts) == 1, f"contenders disagree on (distinct, generated, depth): {best}"
    base = best.get("workers1", best[contenders[0]])
    print(f"TwoPhase, {args.rms} RMs: (distinct, generated, depth) = {counts.pop()}; "
          f"best of {args.repeat}")
    print(f"{'contender':<11} {'seconds':>8} {'speedup vs workers1':>20}  memory")
    for name in contenders:
        m = best[name]
        print(f"{name:<11} {m['seconds']:>8.2f} {base['seconds'] / m['seconds']:>20.2f}  "
              f"{m['note'] or 'coordinator peak %.0f MiB' % m['rss_mib']}")


if __name__ == "__main__":
    main()
