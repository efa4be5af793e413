"""Benchmark ``refute history`` on generated list-append histories.

    python benchmarks/bench_history.py            # 10k and 100k transactions
    python benchmarks/bench_history.py --huge     # also 1M
    python benchmarks/bench_history.py --sizes 5000 --seed 3

The histories come from :func:`refute.history.synthetic.list_append_history` (seeded,
deterministic): 10 client processes invoke transactions of 1-4 micro-ops (appends and reads
over a rotating pool of keys, each key retired after 32 appends, as Elle's generator does); a
transaction takes effect atomically at its completion, so the history is strict
serializable. 5% of transactions fail (no effect) and 1% end ``info`` (half of those take
effect). With ``--anomalies`` rows, one committed read in 1,000 is stale (its last element
dropped), which produces real cycles for the checker to find and explain.

Each measurement is ``check_history(path)`` against strict serializability (the most work:
process and real-time edges too), the whole of what ``refute history FILE`` does, in a fresh
subprocess so that peak RSS is that run's alone. Columns: "total s" wall clock, "cpu s" CPU
time (steadier on a shared machine), "txn/s" transactions over "total s", "peak MB" the
subprocess's peak RSS; "python s" is the same check with the C proof of cleanliness disabled
(``checker._certify = None``: the pure-Python pipeline, the implementation before it), measured
in the same run as the baseline, and "speed-up" its ratio to "total s".
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(path: str, variant: str) -> dict:
    """Run in this process: the full check of ``path``; seconds, CPU seconds and peak RSS."""
    from refute.history import check_history, checker

    if variant == "python":
        checker._certify = None  # the baseline: the pure-Python pipeline
    started, cpu = time.perf_counter(), time.process_time()
    checked = check_history(path, model="strict-serializable")
    return {"transactions": checked.transactions, "status": checked.status.value,
            "anomalies": checked.counts, "edges": checked.edges,
            "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(path: str, variant: str) -> dict:
    output = subprocess.run([sys.executable, __file__, "--measure", variant, path],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--huge", action="store_true", help="also 1,000,000 transactions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-up-to", type=int, default=100_000, metavar="N",
                        help="also check with the pure-Python pipeline up to N transactions")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[1], args.measure[0])))
        return
    from refute.history.synthetic import list_append_history

    sizes = args.sizes + ([1_000_000] if args.huge else [])
    print(f"{'txns':>9} {'anom':>5} {'MB':>6} {'total s':>8} {'cpu s':>6} {'txn/s':>8} "
          f"{'peak MB':>8} {'python s':>9} {'speed-up':>8}  result")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            for anomalies in (False, True):
                path = str(Path(folder) / f"la-{n}-{anomalies}.edn")
                Path(path).write_text(list_append_history(
                    n, args.seed, stale_reads=0.001 if anomalies else 0.0))
                size = Path(path).stat().st_size / 1e6
                check = run(path, "c")
                total = check["seconds"]
                python = run(path, "python") if n <= args.baseline_up_to else None
                if python is not None:
                    assert (python["status"], python["anomalies"], python["edges"]) == \
                        (check["status"], check["anomalies"], check["edges"])
                print(f"{n:>9} {'yes' if anomalies else 'no':>5} {size:>6.1f} {total:>8.2f} "
                      f"{check['cpu']:>6.2f} {check['transactions'] / total:>8.0f} "
                      f"{check['peak_rss_mb']:>8.0f} "
                      + (f"{python['seconds']:>9.2f} {python['seconds'] / total:>7.1f}x"
                         if python else f"{'-':>9} {'-':>8}")
                      + f"  {check['status']} {check['anomalies']}", flush=True)


if __name__ == "__main__":
    main()
