"""The Markov chain a side file makes of a state graph, at one set of parameter values.

**Discrete time.** In a state, an *enabled choice* (an action instance: the step's label
without its outcome argument) is taken with probability proportional to its action's
``weight`` (default 1: every enabled instance equally likely); then one of the choice's
steps by its outcome's probability (see :mod:`refute.perf.sidefile`; unlabelled steps
equally likely).

**Continuous time.** Each enabled choice fires at its action's ``rate``, split among its
steps by the outcome probabilities: a continuous-time chain (CTMC) whose generator has
``rate * probability`` on each step. It is analysed through its *event chain*: the
discrete chain of its steps, each taken with probability ``rate / total rate out of the
state`` (steps to the state itself included, so that their counters count), with time
added as an exponential delay of the state's total rate. Probabilities of outcomes and of
reaching states, and expected counters, are the event chain's; expected time sums mean
delays; long-run time averages weight the event chain's stationary distribution by the
mean delay (``pi_ctmc(s) ~ pi_event(s) / rate(s)``).

A state with no step stays where it is: the chain is stochastic (rows sum to 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from refute.errors import InputError
from refute.perf.graph import StateGraph
from refute.perf.sidefile import Amount, PerfSpec


@dataclass
class Chain:
    """The chain on the graph's states: per edge ``probability`` (of the event chain), per
    state ``rate`` (total rate out, continuous time only), and per counter, per edge, the
    increment (:class:`~refute.perf.sidefile.Amount` per edge *kind* (action, outcome):
    ``kind[e]`` indexes ``amounts[counter]``)."""

    graph: StateGraph
    perf: PerfSpec
    parameters: dict[str, float]
    probability: np.ndarray
    rate: np.ndarray | None
    kinds: np.ndarray
    amounts: dict[str, list[tuple[Amount, ...]]]
    initial: np.ndarray
    """The initial distribution: the initial states, equally likely."""

    @property
    def continuous(self) -> bool:
        return self.rate is not None

    @property
    def dead(self) -> np.ndarray:
        """States with no step (they keep their probability mass)."""
        return np.diff(self.graph.offsets) == 0

    def matrix(self) -> csr_matrix:
        """The transition matrix, a self-loop of probability 1 on states without a step."""
        g = self.graph
        n = g.size
        dead = np.flatnonzero(self.dead)
        rows = np.concatenate([g.sources, dead])
        cols = np.concatenate([g.targets, dead])
        data = np.concatenate([self.probability, np.ones(len(dead))])
        return csr_matrix((data, (rows, cols)), shape=(n, n))

    def mean_increment(self, counter: str) -> np.ndarray:
        """Per edge: the counter's expected increment (``steps``: 1; ``time``: the mean delay
        in the source state)."""
        g = self.graph
        if counter == "steps":
            return np.ones(g.edges)
        if counter == "time":
            return 1.0 / self.rate[g.sources]
        means = np.array([sum(a.mean for a in parts) for parts in self.amounts[counter]])
        return means[self.kinds] if len(means) else np.zeros(g.edges)

    def finite(self, counter: str) -> bool:
        """Whether every increment of ``counter`` takes finitely many values (exact
        propagation of its distribution is possible)."""
        if counter == "steps":
            return True
        if counter == "time":
            return False
        return all(a.finite for parts in self.amounts[counter] for a in parts)


def build(graph: StateGraph, perf: PerfSpec, overrides: Mapping[str, float] = {}) -> Chain:
    """The chain of ``graph`` under ``perf`` with parameters ``overrides`` applied."""
    parameters = perf.with_parameters(overrides)
    names = graph.action_names
    sources, actions, choices, outcomes = graph.sources, graph.actions, graph.choices, graph.outcomes

    def action_value(name: str, attribute: str, default: float | None) -> float:
        spec = perf.actions.get(name)
        expression = getattr(spec, attribute) if spec is not None else None
        if expression is None:
            if default is None:
                raise InputError(f"action {name} has no rate", file=perf.path,
                                 hint=f"in continuous time every action that fires needs "
                                      f"one: actions: {name}: rate: ...")
            return default
        value = expression.number(parameters)
        if value < 0:
            raise InputError(f"{expression.where}: {expression.text!r} is {value}, below 0",
                             file=perf.path)
        return value

    fired = set(np.unique(actions).tolist())
    attribute, default = ("rate", None) if perf.continuous else ("weight", 1.0)
    weight = np.array([action_value(name, attribute, default) if i in fired else 0.0
                       for i, name in enumerate(names)])

    # The outcome probability of each step within its choice.
    listed = np.zeros(len(graph.outcome_labels))
    leftover = np.ones(len(names))
    has_outcomes = np.zeros(len(names), dtype=bool)
    for i, (action, key) in enumerate(graph.outcome_labels):
        spec = perf.actions[action].outcomes[key]
        if spec.probability is None:
            raise InputError(f"actions.{action}.outcomes.{key} has no probability",
                             file=perf.path, hint="add probability: (a number or expression)")
        value = spec.probability.number(parameters)
        if not 0 <= value <= 1 + 1e-12:
            raise InputError(f"{spec.probability.where}: probability {value} is not in [0, 1]",
                             file=perf.path)
        listed[i] = value
    for i, name in enumerate(names):
        spec = perf.actions.get(name)
        if spec is not None and spec.outcomes:
            has_outcomes[i] = True
            total = sum(listed[graph.outcome_labels.index((name, k))] for k in spec.outcomes)
            leftover[i] = max(0.0, 1.0 - total)  # outcomes exclusive of each other may sum > 1
    base = np.where(outcomes >= 0, listed[np.maximum(outcomes, 0)] if len(listed) else 0.0,
                    np.where(has_outcomes[actions], leftover[actions], 1.0))
    _, same, count = np.unique(choices * (len(listed) + 1) + outcomes + 1,
                               return_inverse=True, return_counts=True)
    raw = base / count[same]
    choice_total = np.bincount(choices, raw, minlength=int(choices.max()) + 1 if len(choices) else 0)
    if len(choices) and (choice_total[choices] <= 0).any():
        e = int(np.flatnonzero(choice_total[choices] <= 0)[0])
        raise InputError(f"no outcome of {names[actions[e]]} enabled in state "
                         f"{int(sources[e])} has a positive probability", file=perf.path,
                         hint="give one of the outcomes enabled there a probability above 0")
    within = raw / choice_total[choices] if len(choices) else raw

    n = graph.size
    rate = None
    if perf.continuous:
        step_rate = weight[actions] * within
        rate = np.bincount(sources, step_rate, minlength=n)
        probability = np.divide(step_rate, rate[sources], out=np.zeros_like(step_rate),
                                where=rate[sources] > 0)
        stuck = (rate == 0) & (np.diff(graph.offsets) > 0)
    else:
        first = np.unique(choices, return_index=True)[1]
        state_total = np.bincount(sources[first], weight[actions[first]], minlength=n)
        probability = np.divide(weight[actions] * within, state_total[sources],
                                out=np.zeros(len(within)), where=state_total[sources] > 0)
        stuck = (state_total == 0) & (np.diff(graph.offsets) > 0)
    if stuck.any():
        s = int(np.flatnonzero(stuck)[0])
        raise InputError(f"in state {s} every enabled action has {attribute} 0: the chain "
                         "cannot leave it, yet the spec can", file=perf.path,
                         hint=f"give one of them a {attribute} above 0")

    # Counter increments per edge kind (action, outcome).
    kind_keys, kinds = np.unique(actions.astype(np.int64) * (len(listed) + 1) + outcomes + 1,
                                 return_inverse=True)
    amounts: dict[str, list[tuple[Amount, ...]]] = {}
    for counter in perf.counters:
        if counter in ("steps", "time"):
            continue
        per_kind = []
        for key in kind_keys:
            action, outcome = names[int(key) // (len(listed) + 1)], int(key) % (len(listed) + 1) - 1
            parts = []
            spec = perf.actions.get(action)
            if spec is not None:
                parts += [c.resolve(parameters) for c in spec.counters if c.name == counter]
                if outcome >= 0:
                    parts += [c.resolve(parameters)
                              for c in spec.outcomes[graph.outcome_labels[outcome][1]].counters
                              if c.name == counter]
            per_kind.append(tuple(parts))
        amounts[counter] = per_kind
    initial = np.bincount(graph.initial, minlength=n).astype(float)
    initial /= initial.sum()
    return Chain(graph, perf, parameters, probability, rate, kinds.astype(np.int64), amounts,
                 initial)
