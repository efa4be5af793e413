"""Model-guided testing of asyncio implementations against their specs.

* :class:`Target`: an implementation (``setup(sim)`` adds its nodes), its spec, its faults;
* :func:`run_once` / :func:`fuzz`: deterministic simulation runs, checked online against
  the spec; strategies ``random``, ``swarm``, ``guided``;
* :class:`ModelCoverage` / :class:`Observer`: model coverage, and ``observe(event)`` for an
  external fuzzer;
* :func:`assert_conforms`: the pytest entry; :mod:`refute.testing.stateful`: the Hypothesis
  bridge (imported on its own, as it needs ``hypothesis``).

See docs/testing-implementations.md.
"""

from refute.testing.assertions import ImplementationBug, assert_conforms
from refute.testing.campaign import STRATEGIES, Campaign, Reproduction, Run, fuzz, replay, run_once
from refute.testing.network import Node, NodeCrashed
from refute.testing.oracle import ModelCoverage, Observer, SpecDivergence
from refute.testing.schedule import Chooser, Faults
from refute.testing.simulation import CrashEvents, Simulation
from refute.testing.target import Target, load_target

__all__ = [
    "STRATEGIES", "Campaign", "Chooser", "CrashEvents", "Faults", "ImplementationBug",
    "ModelCoverage", "Node", "NodeCrashed", "Observer", "Reproduction", "Run", "Simulation",
    "SpecDivergence", "Target", "assert_conforms", "fuzz", "load_target", "replay", "run_once",
]
