"""One analysis: a state graph and a side file at given parameter values -> a PerfResult.

Which method gives which figure (each :class:`~refute.perf.result.Figure` says it):

=========================================  ============================================
terminal outcomes, P(the run ends)         absorbing-chain solve (:func:`solve.absorb`)
mean of every counter                      the same solve: visits times expected increments
percentiles of a counter                   exact propagation when every increment takes
                                           finitely many values, else simulation with
                                           95% intervals (:mod:`refute.perf.sampling`)
P(end / reach within N steps)              N vector-matrix products (:func:`solve.within`)
P(ever reach a predicate)                  absorbing solve with the predicate's states
                                           absorbing
long-run averages, throughput              stationary solve per bottom component
how long must I test                       :mod:`refute.perf.hunting`
=========================================  ============================================
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np

from refute.perf import sampling, solve
from refute.perf.chain import build
from refute.perf.graph import StateGraph
from refute.perf.hunting import hunt
from refute.perf.result import (EXACT_POWER, EXACT_PROPAGATION, EXACT_SOLVE, PERCENTILES,
                                CounterFigures, Figure, PerfResult, Reach)
from refute.perf.sidefile import PerfSpec

RUNS_FOREVER = "(runs forever)"
LISTED_END_STATES = 100


def analyse(graph: StateGraph, perf: PerfSpec, overrides: Mapping[str, float] = {},
            within: Sequence[int] = (), depths: Sequence[int] = (), seed: int = 0,
            simulation_budget: float = 60.0) -> PerfResult:
    """Every figure of ``graph`` under ``perf`` with ``overrides`` (see the module docstring).

    ``within``: step counts for "ended / reached within N steps"; ``depths``: run lengths for
    "how long must I test" (none: not computed)."""
    started = time.perf_counter()
    chain = build(graph, perf, overrides)
    P = chain.matrix()
    structure = solve.decompose(chain)
    bottom = structure.terminal | structure.recurrent
    absorption = solve.absorb(chain, bottom, P)
    residual = absorption.residual
    ends = float(absorption.absorbed[structure.terminal].sum())
    forever = float(absorption.absorbed[structure.recurrent].sum())
    warnings: list[str] = []
    if graph.exploration.stop_reason is not None:
        warnings.append("a state constraint cut steps off: probabilities are those of the "
                        "constrained chain (the steps left are scaled up)")

    outcomes = _outcomes(graph, structure, absorption, residual, warnings)
    if forever > 1e-15:
        outcomes[RUNS_FOREVER] = Figure(forever, EXACT_SOLVE, residual)
    terminates = Figure(ends, EXACT_SOLVE, residual)

    counters: dict[str, CounterFigures] = {}
    always_ends = forever <= 1e-12
    simulated: list[str] = []
    exact: dict[str, solve.Distribution] = {}
    for counter in perf.counters:
        if not always_ends:
            counters[counter] = CounterFigures(counter, None)
            continue
        distribution = solve.propagate(chain, counter, structure.terminal)
        if distribution is None:
            simulated.append(counter)
        else:
            exact[counter] = distribution
    samples = sampling.simulate(chain, simulated, structure.terminal, seed=seed,
                                time_budget=simulation_budget) if simulated else None
    for counter in perf.counters if always_ends else ():
        mean = Figure(solve.expected(chain, absorption, counter), EXACT_SOLVE, residual)
        percentiles: dict[str, Figure] = {}
        if counter in exact:
            distribution = exact[counter]
            for key, q in PERCENTILES:
                value, certain = distribution.percentile(q)
                percentiles[key] = Figure(value, EXACT_PROPAGATION,
                                          0.0 if certain else distribution.residual)
        else:
            method = (f"simulation: {samples.runs:,} runs, stopped by {samples.stopped_by}"
                      + (f"; {samples.unfinished:,} runs cut at 100,000 steps"
                         if samples.unfinished else ""))
            if len(samples.totals[counter]) == 0:
                warnings.append(f"no simulated run ended within 100,000 steps: no percentile "
                                f"of {counter}")
            else:
                for key, q in PERCENTILES:
                    value, low, high = samples.percentile(counter, q)
                    percentiles[key] = Figure(value, method, (high - low) / 2, low, high)
        counters[counter] = CounterFigures(counter, mean, percentiles, exact.get(counter))

    end_within = {}
    if within:
        found = solve.within(chain, structure.terminal, list(within), P)
        end_within = {k: Figure(v, EXACT_POWER) for k, v in found.items()}

    reach = {}
    for name, target in graph.violates.items():
        reach[name] = _reach(chain, P, structure, name, target, within)

    long_run = _long_run(chain, P, structure, absorption, forever, warnings)
    if perf.measures and not long_run:
        warnings.append("measures are long-run averages, and every run ends: none computed")

    hunts = []
    if depths:
        targets = {name: graph.violates[name] for name in
                   (p.name for p in graph.model.invariants) if graph.violates[name].any()}
        if len(targets) > 1:
            targets["any invariant"] = np.logical_or.reduce(list(targets.values()))
        hunts = hunt(graph, targets, list(depths), chain if perf.path else None)

    return PerfResult(
        spec=graph.model.name, side_file=perf.path, parameters=chain.parameters,
        continuous=perf.continuous, states=graph.size, edges=graph.edges,
        explore_seconds=graph.seconds, solve_seconds=time.perf_counter() - started,
        terminates=terminates, outcomes=outcomes, end_within=end_within, counters=counters,
        reach=reach, long_run=long_run, hunts=hunts, warnings=warnings)


def _outcomes(graph: StateGraph, structure: solve.Structure, absorption: solve.Absorption,
              residual: float, warnings: list[str]) -> dict[str, Figure]:
    """The terminal outcomes: by the side file's ``terminal:`` groups, else one per end
    state, named by its fields (at most :data:`LISTED_END_STATES`, the most likely; the
    others together)."""
    mass = absorption.absorbed
    ends = np.flatnonzero(structure.terminal & (mass > 1e-15))
    totals: dict[str, float] = {}
    others = 0.0
    if graph.terminal_group is None and len(ends) > LISTED_END_STATES:
        order = np.argsort(-mass[ends], kind="stable")
        others = float(mass[ends[order[LISTED_END_STATES:]]].sum())
        ends = np.sort(ends[order[:LISTED_END_STATES]])
        warnings.append(f"{len(order):,} end states: the {LISTED_END_STATES} most likely are "
                        "listed, the others together; name outcomes with terminal: group_by")
    if graph.terminal_group is not None:
        for s in ends:
            name = graph.group_names[graph.terminal_group[s]]
            totals[name] = totals.get(name, 0.0) + float(mass[s])
    else:
        describe = graph.model.describe_state
        for s in ends:
            fields = describe(graph.state(int(s)))
            name = ", ".join(f"{k}={v if isinstance(v, str) else repr(v)}"
                             for k, v in fields.items())
            totals[name] = totals.get(name, 0.0) + float(mass[s])
    if others:
        totals["(other end states)"] = others
    return {k: Figure(v, EXACT_SOLVE, residual) for k, v in totals.items()}


def _reach(chain, P, structure: solve.Structure, name: str, target: np.ndarray,
           within: Sequence[int]) -> Reach:
    """P(ever in a ``target`` state): absorb in the target or a bottom component; a bottom
    component that holds a target state reaches it with probability 1."""
    bottom = structure.terminal | structure.recurrent
    absorption = solve.absorb(chain, target | bottom, P)
    mass = absorption.absorbed
    hit = float(mass[target].sum())
    touched = np.unique(structure.component[target & bottom])
    inside = bottom & ~target & np.isin(structure.component, touched)
    hit += float(mass[inside].sum())
    found = solve.within(chain, target, list(within), P) if within else {}
    return Reach(name, Figure(min(hit, 1.0), EXACT_SOLVE, absorption.residual),
                 {k: Figure(v, EXACT_POWER) for k, v in found.items()})


def _long_run(chain, P, structure: solve.Structure, absorption: solve.Absorption,
              forever: float, warnings: list[str]) -> dict[str, Figure]:
    """Long-run averages over the runs that never end: per bottom component of several
    states, its stationary distribution; components weighted by the chance of ending in
    them. Per step in discrete time; per time unit (time-weighted) in continuous time."""
    if forever <= 1e-15:
        return {}
    g = chain.graph
    if forever < 1 - 1e-12:
        warnings.append(f"runs end with probability {1 - forever:.6g}: long-run averages are "
                        "over the runs that never end")
    weights = np.zeros(g.size)
    worst = 0.0
    for states in structure.bottoms:
        if len(states) < 2:
            continue
        share = float(absorption.absorbed[states].sum())
        if share <= 0:
            continue
        pi, residual = solve.stationary(chain, states, P)
        worst = max(worst, residual)
        if chain.continuous:
            pi = pi / chain.rate[states]
            pi = pi / pi.sum()
        weights[states] += share / forever * pi
    out: dict[str, Figure] = {}
    for name, values in g.measures.items():
        out[name] = Figure(float(np.dot(weights, values)), EXACT_SOLVE, worst)
    per_edge = weights[g.sources] * chain.probability
    if chain.continuous:
        per_edge = per_edge * chain.rate[g.sources]
    frequency = np.bincount(g.actions, per_edge, minlength=len(g.action_names))
    for i, name in enumerate(g.action_names):
        if frequency[i] > 0:
            out[f"throughput {name}"] = Figure(float(frequency[i]), EXACT_SOLVE, worst)
    for counter in chain.perf.counters:
        if counter in ("steps", "time"):
            continue
        rate = float(np.dot(per_edge, chain.mean_increment(counter)))
        out[f"{counter} rate"] = Figure(rate, EXACT_SOLVE, worst)
    return out
