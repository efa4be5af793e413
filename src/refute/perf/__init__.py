"""Performance models on the state graph: probabilities, costs and "how long must I test".

A spec's explored state graph (:mod:`refute.perf.graph`), a side file of probabilities or
rates and counters (:mod:`refute.perf.sidefile`), and the Markov chain they make
(:mod:`refute.perf.chain`) give exact figures by sparse linear algebra
(:mod:`refute.perf.solve`), simulated ones where no exact method applies
(:mod:`refute.perf.sampling`), and the chance a random run finds a bug
(:mod:`refute.perf.hunting`). ``refute perf SPEC`` drives it; in Python::

    from refute.perf import performance
    result = performance(model, "cache_lookup.perf.yaml", hit_ratio=0.8)
    result.counters["latency"].mean.value   # 28.6

This package reads a spec only through the engine's Model protocol: it imports no front end.
"""

from __future__ import annotations

from collections.abc import Sequence

from typing import Any

from refute.engine.model import as_model
from refute.perf import report, sidefile  # noqa: F401 - report registers the notebook pages
from refute.perf.analysis import analyse
from refute.perf.graph import StateGraph, explore_graph
from refute.perf.result import CounterFigures, Figure, PerfResult, Reach
from refute.perf.sidefile import PerfSpec

__all__ = ["CounterFigures", "Figure", "PerfResult", "PerfSpec", "Reach", "StateGraph",
           "analyse", "explore_graph", "performance"]


def performance(model: Any, side_file: str | PerfSpec | None = None,
                within: Sequence[int] = (), depths: Sequence[int] = (), seed: int = 0,
                **parameters: float) -> PerfResult:
    """Explore ``model`` (a Model, or a spec such as ``CacheLookup()``) and compute its
    figures under ``side_file`` (a path, a parsed :class:`PerfSpec`, or ``None``: every
    choice equally likely) with ``parameters``."""
    model = as_model(model)
    perf = side_file if isinstance(side_file, PerfSpec) else sidefile.load(side_file)
    perf.check_actions(model.action_names)
    graph = explore_graph(model, perf, perf.with_parameters(parameters))
    return analyse(graph, perf, parameters, within=within, depths=depths, seed=seed)
