"""States per second of the TLA+ front end next to the Python spec, in the same run.

    .venv/bin/python benchmarks/bench_tla.py [--rms 7] [--paxos-commit]

TwoPhase.tla (tlaplus/Examples, read from the oracle folder, not copied) with a generated
.cfg of N resource managers, and examples/two_phase.py with rms=N, both explored by the same
engine (refute.engine.bfs); the ratio is TLA+ time over Python-spec time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from refute.engine.bfs import Options, explore
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec
from refute.tla.model import TLAModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    ROOT, "..", "shared", "oracles", "tla", "examples")), "specifications", "transaction_commit")


def run(model, max_states: int | None = None) -> tuple[int, int, float]:
    started = time.perf_counter()
    result = explore(model, Options(max_states=max_states))
    return result.distinct_states, result.states_generated, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rms", type=int, default=7)
    parser.add_argument("--paxos-commit", type=int, nargs="?", const=200_000, default=None,
                        metavar="STATES", help="also PaxosCommit.tla, its first STATES distinct "
                        "states (default 200,000 of 1,321,761; 0 for all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "TwoPhase.cfg")
        with open(cfg, "w") as handle:
            rms = ", ".join(f"r{i}" for i in range(1, args.rms + 1))
            handle.write(f"CONSTANT RM = {{{rms}}}\nINIT TPInit\nNEXT TPNext\nINVARIANT TPTypeOK\n")
        tla = run(TLAModel(os.path.join(SPECS, "TwoPhase.tla"), cfg))
    py = run(SpecModel(load_spec(os.path.join(ROOT, "examples", "two_phase.py"), {"rms": str(args.rms)})))
    for name, (distinct, generated, seconds) in (("TwoPhase.tla", tla), ("two_phase.py", py)):
        print(f"{name:14} rms={args.rms}: {distinct:,} distinct, {generated:,} generated, {seconds:.2f} s, "
              f"{distinct / seconds:,.0f} distinct/s, {generated / seconds:,.0f} generated/s")
    print(f"TLA+ / Python-spec time ratio: {tla[2] / py[2]:.2f}")
    if args.paxos_commit is not None:
        d, g, s = run(TLAModel(os.path.join(SPECS, "PaxosCommit.tla"), os.path.join(SPECS, "PaxosCommit.cfg")),
                      args.paxos_commit or None)
        print(f"PaxosCommit.tla: {d:,} distinct, {g:,} generated, {s:.1f} s, {d / s:,.0f} distinct/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
