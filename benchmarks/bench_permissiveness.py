"""Benchmark ``refute permissiveness`` and ``--isolation`` against the plain model check.

    python benchmarks/bench_permissiveness.py            # best of 5 runs per figure
    python benchmarks/bench_permissiveness.py --runs 10

For each design of ``examples/mongodb_txn.py``, in one process: "check s" is the plain model
check (``refute.check``, no isolation), the baseline; "isolation s" the same check with the
snapshot-isolation invariant (``check_isolation``; it stops at a violation, so compare it with
the baseline only where the level holds); "protocol s" the exploration that collects the
finished histories for permissiveness; "level s" the independent enumeration of the histories
snapshot isolation allows, each checked by the history checker. "x check" is (protocol +
level) / check. The figure is the best of ``--runs`` runs (each run builds a fresh spec, so
the isolation verdict cache starts empty).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import refute  # noqa: E402
from mongodb_txn import MongoTxn  # noqa: E402
from refute.isolation import check_isolation  # noqa: E402
from refute.isolation.permissiveness import (_programs, allowed_histories,  # noqa: E402
                                             protocol_histories)
from refute.spec.compile import SpecModel  # noqa: E402

DESIGNS = [
    ("snapshot, blocking", dict()),
    ("snapshot, no blocking", dict(prepare_blocking=False)),
    ("local, blocking", dict(read_concern="local")),
    ("local, no blocking", dict(read_concern="local", prepare_blocking=False)),
]
LEVEL = "snapshot-isolation"


def best(runs: int, work) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - started)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| design | states | check s | isolation s | SI | protocol s | histories | level s "
          "| SI histories | x check |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, params in DESIGNS:
        check_s, result = best(args.runs, lambda: refute.check(MongoTxn(**params)))
        iso_s, checked = best(args.runs, lambda: check_isolation(MongoTxn(**params), LEVEL))
        proto_s, (histories, _) = best(
            args.runs, lambda: protocol_histories(SpecModel(MongoTxn(**params))))
        programs = _programs(SpecModel(MongoTxn(**params)), histories)
        level_s, allowed = best(args.runs, lambda: allowed_histories(programs, LEVEL))
        print(f"| {label} | {result.distinct_states} | {check_s:.3f} | {iso_s:.3f} | "
              f"{checked.status.value} | {proto_s:.3f} | {len(histories)} | {level_s:.3f} | "
              f"{len(allowed)} | {(proto_s + level_s) / check_s:.1f} |")


if __name__ == "__main__":
    main()
