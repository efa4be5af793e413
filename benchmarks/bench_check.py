"""refute check vs a hand-rolled BFS on TwoPhase, ratios from one run.

Each contender runs in a fresh subprocess (so peak RSS is its own) and the contenders are
interleaved, ``--repeat`` times, keeping each one's best time: these machines are noisy and
only ratios measured side by side mean anything.

    python benchmarks/bench_check.py --rms 8            # the issue's configuration
    python benchmarks/bench_check.py --rms 6 --repeat 3 # a quick look

Contenders: ``tuple`` (hand-rolled BFS, dict of tuple states + deque, the baseline),
``packed`` (the same with each state packed into one int), ``refute`` (refute.check on
examples/two_phase.py, one process).
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
sys.path[:0] = [{here!r}, {examples!r}]
contender, rms = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
if contender == "refute":
    import refute
    from two_phase import TwoPhase
    result = refute.check(TwoPhase(rms=rms))
    counts = (result.distinct_states, result.states_generated, result.depth)
else:
    import handrolled_bfs
    counts = getattr(handrolled_bfs, contender + "_bfs")(rms)
seconds = time.perf_counter() - start
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"counts": list(counts), "seconds": seconds, "rss_mib": rss_mib}}))
"""


def run(contender: str, rms: int) -> dict:
    code = _CHILD.format(here=HERE, examples=os.path.join(ROOT, "examples"))
    out = subprocess.run([sys.executable, "-c", code, contender, str(rms)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    contenders = ["tuple", "packed", "refute"]
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for contender in contenders:
            measured = run(contender, args.rms)
            if contender not in best or measured["seconds"] < best[contender]["seconds"]:
                best[contender] = measured
    counts = {tuple(m["counts"]) for m in best.values()}
    assert len(counts) == 1, f"contenders disagree on (distinct, generated, depth): {best}"
    base = best["tuple"]
    print(f"TwoPhase, {args.rms} RMs: (distinct, generated, depth) = {counts.pop()}; "
          f"best of {args.repeat}")
    print(f"{'contender':<10} {'seconds':>9} {'peak MiB':>9} {'time/tuple':>11} {'RSS/tuple':>10}")
    for name in contenders:
        m = best[name]
        print(f"{name:<10} {m['seconds']:>9.2f} {m['rss_mib']:>9.0f} "
              f"{m['seconds'] / base['seconds']:>11.2f} {m['rss_mib'] / base['rss_mib']:>10.2f}")
    print(f"refute / packed time: {best['refute']['seconds'] / best['packed']['seconds']:.2f}")


if __name__ == "__main__":
    main()
