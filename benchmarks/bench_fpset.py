"""The fingerprint set against cykhash's Int64Set (if installed) and a Python set.

Each contender runs in a fresh subprocess: it adds ``--count`` random 64-bit fingerprints one
at a time as the search does (``key in seen``, then ``seen.add(key)``), then looks up as many
again (half present), then adds and looks up the same numbers as one int64 array (the
owner-sharded workers' batches); memory is the growth of the resident set while the
fingerprints are added, in bytes a fingerprint. Contenders are interleaved, ``--repeat``
times, best time kept: only ratios measured side by side mean much on a shared machine.

    python benchmarks/bench_fpset.py --count 2000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CHILD = r"""
import json, sys, time
import numpy as np
contender, count = sys.argv[1], int(sys.argv[2])

def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

keys = np.random.default_rng(1).integers(-2**63, 2**63 - 1, size=2 * count, dtype=np.int64)
added, probes = keys[:count].tolist(), keys[count // 2:count // 2 + count].tolist()
if contender == "refute":
    from refute.engine.fpset import FingerprintSet as make
elif contender == "cykhash":
    from cykhash import Int64Set as make
else:
    make = set
seen = make()
before = rss()
start = time.perf_counter()
for key in added:
    if key in seen:
        continue
    seen.add(key)
add_seconds = time.perf_counter() - start
grown = rss() - before
start = time.perf_counter()
hits = sum(1 for key in probes if key in seen)
lookup_seconds = time.perf_counter() - start
array_seconds = None
if contender != "python":
    fresh = make()
    found = np.zeros(count, dtype=bool)
    start = time.perf_counter()
    if contender == "refute":
        fresh.add_array(keys[:count])
        fresh.contains_array(keys[count // 2:count // 2 + count], found)
    else:
        import cykhash
        fresh.update(keys[:count])
        cykhash.isin_int64(keys[count // 2:count // 2 + count], fresh, found)
    array_seconds = time.perf_counter() - start
    assert int(found.sum()) == hits
print(json.dumps({"add": add_seconds, "lookup": lookup_seconds, "array": array_seconds,
                  "bytes": grown / count, "hits": hits}))
"""


def available(contender: str) -> bool:
    if contender != "cykhash":
        return True
    return subprocess.run([sys.executable, "-c", "import cykhash"], capture_output=True).returncode == 0


def run(contender: str, count: int) -> dict:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    out = subprocess.run([sys.executable, "-c", _CHILD, contender, str(count)], check=True,
                         capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    contenders = [c for c in ("refute", "cykhash", "python") if available(c)]
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for contender in contenders:
            got = run(contender, args.count)
            if contender in best:
                got = {k: (min(v, best[contender][k]) if isinstance(v, float) else v)
                       for k, v in got.items()}
            best[contender] = got
    assert len({m["hits"] for m in best.values()}) == 1, best
    base = best["cykhash" if "cykhash" in best else "python"]
    print(f"{args.count:,} fingerprints, best of {args.repeat}; ratios against "
          f"{'cykhash' if 'cykhash' in best else 'a Python set'} (lower is better)")
    print(f"{'contender':<9} {'add s':>7} {'lookup s':>9} {'arrays s':>9} {'bytes/fp':>9} "
          f"{'add':>6} {'lookup':>7} {'arrays':>7} {'bytes':>6}")
    for name in contenders:
        m = best[name]
        arrays = f"{m['array']:>9.3f}" if m["array"] is not None else f"{'-':>9}"
        array_ratio = (f"{m['array'] / base['array']:>7.2f}"
                       if m["array"] is not None and base["array"] else f"{'-':>7}")
        print(f"{name:<9} {m['add']:>7.3f} {m['lookup']:>9.3f} {arrays} {m['bytes']:>9.1f} "
              f"{m['add'] / base['add']:>6.2f} {m['lookup'] / base['lookup']:>7.2f} "
              f"{array_ratio} {m['bytes'] / base['bytes']:>6.2f}")


if __name__ == "__main__":
    main()
