"""CPU seconds of one search, in this process: for before/after comparisons on a busy machine.

    PYTHONPATH=src python benchmarks/cpu_seconds.py twophase 6   # refute on examples/two_phase.py
    PYTHONPATH=src python benchmarks/cpu_seconds.py paxos 3      # refute on examples/paxos.py
    python benchmarks/cpu_seconds.py tuple 6                     # the hand-rolled BFS
    PYTHONPATH=src python benchmarks/cpu_seconds.py tla 60000 benchmarks/tla/Paxos.tla [CFG]
                                     # the TLA+ interpreter, its first 60,000 distinct states (0: all)

``time.process_time()`` around the search alone (imports excluded): other jobs on the machine
stretch wall time far more than the CPU time a process is given. Point ``PYTHONPATH`` at
another checkout's ``src`` to measure an earlier version on the same specs. Prints the counts
(distinct, generated, depth) beside the seconds, so that runs can be checked against each other.
"""

from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "examples")]


def main() -> None:
    what, size = sys.argv[1], int(sys.argv[2])
    started = time.process_time()
    if what == "tla":
        from refute.engine.bfs import Options, explore
        from refute.tla.model import TLAModel

        result = explore(TLAModel(*sys.argv[3:5]), Options(max_states=size or None))
        counts = (result.distinct_states, result.states_generated, result.depth)
    elif what == "tuple":
        import handrolled_bfs

        counts = handrolled_bfs.tuple_bfs(size)
    else:
        import refute

        if what == "paxos":
            from paxos import Paxos

            result = refute.check(Paxos(ballots=size))
        else:
            from two_phase import TwoPhase

            result = refute.check(TwoPhase(rms=size))
        counts = (result.distinct_states, result.states_generated, result.depth)
    print(f"{what} {size}: {counts}, {time.process_time() - started:.2f} CPU s")


if __name__ == "__main__":
    main()
