"""The explored state graph, kept as arrays for the linear algebra of :mod:`refute.perf.solve`.

It is collected while :func:`refute.engine.bfs.explore` explores the spec (an observer, as
the liveness check's :class:`~refute.engine.fair_scc.GraphBuilder` is), with no invariant
checked, so the search never stops at a violation: a violating state is just a state, marked
in :attr:`StateGraph.violates`. Unlike the liveness graph, every step is kept, a step from a
state to itself and several steps to the same state included: each carries probability.

State ``i`` is the ``i``-th discovered (breadth-first). Its steps are
``offsets[i]:offsets[i+1]`` of the edge arrays, in ``next_states`` order. Per edge: the
target, the action (index into ``actions``), the *choice* (the action instance, i.e. the
label without its outcome argument, numbered globally; the steps of one choice out of one
state are its possible outcomes) and the outcome label (index into ``outcome_labels``, -1:
none the side file lists). What a side file's probabilities and counters need is resolved
per edge from these, vectorised, for every parameter value of a sweep, without exploring
again.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from refute.engine.bfs import Options, explore, state_fingerprint
from refute.engine.fpset import FingerprintMap
from refute.engine.model import Model
from refute.engine.result import Result
from refute.engine.trace import rebuild_trace
from refute.errors import RefuteError, SpecError
from refute.perf.sidefile import PerfSpec
from refute.status import Status


@dataclass
class StateGraph:
    """A spec's reachable states and steps as arrays (see the module docstring)."""

    model: Model
    initial: np.ndarray
    offsets: np.ndarray
    targets: np.ndarray
    actions: np.ndarray
    choices: np.ndarray
    outcomes: np.ndarray
    action_names: tuple[str, ...]
    outcome_labels: tuple[tuple[str, str], ...]
    violates: dict[str, np.ndarray]
    """Per invariant of the spec (and per ``reach`` predicate of the side file): whether each
    state violates it (satisfies the predicate, for ``reach``)."""
    measures: dict[str, np.ndarray]
    terminal_group: np.ndarray | None
    group_names: list[str]
    parents: array
    ordinals: array
    exploration: Result
    seconds: float

    @property
    def size(self) -> int:
        return len(self.offsets) - 1

    @property
    def edges(self) -> int:
        return len(self.targets)

    @cached_property
    def sources(self) -> np.ndarray:
        return np.repeat(np.arange(self.size), np.diff(self.offsets))

    def state(self, index: int) -> Any:
        """State number ``index``, rebuilt by replaying its path from an initial state."""
        return rebuild_trace(self.model, self.parents, self.ordinals, index)[-1].state


class IncompleteGraph(RefuteError):
    """The exploration stopped before the graph was complete: no figure can be given."""

    status = Status.INCOMPLETE


class _Collector:
    """The :class:`~refute.engine.bfs.GraphObserver` that fills a :class:`StateGraph`."""

    def __init__(self, model: Model, perf: PerfSpec, parameters: dict[str, float]) -> None:
        self.model, self.perf, self.parameters = model, perf, parameters
        self.numbers = FingerprintMap()
        self.parents, self.ordinals = array("I"), array("I")
        self.sources, self.targets = array("i"), array("i")
        self.label_of = array("i")  # per edge: its label's number in ``labels``
        self.labels: dict[Any, int] = {}
        self.tests = [(p.name, p.test, False) for p in model.invariants]
        self.tests += [(name, e, True) for name, e in perf.reach.items()]
        self.bits = {name: bytearray() for name, _, _ in self.tests}
        self.measure_values = {name: array("d") for name in perf.measures}
        self.group_ids: dict[Any, int] = {}
        self.group_of = array("i")
        self.needs_fields = bool(perf.measures or perf.reach or perf.group_by or perf.groups)

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None:
        self.numbers[key] = len(self.parents)
        self.parents.append(parent)
        self.ordinals.append(ordinal)
        fields = None
        doing = "an invariant"
        try:
            if self.needs_fields:
                fields = {**self.parameters, **self.model.describe_state(state)}
            for name, test, expression in self.tests:
                if expression:
                    doing = f"reach.{name}"
                    self.bits[name].append(1 if test(fields) else 0)
                else:
                    doing = f"invariant {name}"
                    self.bits[name].append(0 if test(state) else 1)
            for name, expression in self.perf.measures.items():
                doing = f"measures.{name}"
                self.measure_values[name].append(expression.number(fields))
            if self.perf.group_by is not None:
                doing = "terminal.group_by"
                value = self.perf.group_by(fields)
                self.group_of.append(self.group_ids.setdefault(
                    value if isinstance(value, str) else repr(value), len(self.group_ids)))
            elif self.perf.groups:
                doing = "terminal"
                name = next((n for n, e in self.perf.groups.items() if e(fields)), "other")
                self.group_of.append(self.group_ids.setdefault(name, len(self.group_ids)))
        except RefuteError:
            raise
        except Exception as exc:
            raise SpecError.from_exception(exc, doing, state, self.model.source) from None

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None:
        number = self.labels.get(label)
        if number is None:
            number = self.labels[label] = len(self.labels)
        self.sources.append(source)  # in order: the search expands states by number
        self.targets.append(self.numbers[key])
        self.label_of.append(number)


def _classify(labels: list[Any], model: Model, perf: PerfSpec
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...],
                         tuple[tuple[str, str], ...]]:
    """Per label: its action, its choice key (the label less its outcome argument) and its
    outcome (-1: none listed); then the action names and the listed outcomes.

    An action's *outcome argument* is decided over all its labels at once, after the
    exploration: ``outcome`` (a Python spec's :class:`~refute.spec.spec.outcome`) if its
    labels have one, else the argument whose values match the most listed outcome keys
    (a key is a value, or ``name=value``). Its labels that match no key still drop that
    argument from their choice: they are the choice's unlisted results.
    """
    names = list(model.action_names)
    action_ids = {name: i for i, name in enumerate(names)}
    outcome_ids: dict[tuple[str, str], int] = {}
    for act in perf.actions.values():
        for key in act.outcomes:
            outcome_ids[(act.name, key)] = len(outcome_ids)

    def text(value: Any) -> str:
        return value if isinstance(value, str) else str(value)

    def matches(action: str, arg: str, value: Any) -> str | None:
        outcomes = perf.actions[action].outcomes
        for key in (text(value), f"{arg}={text(value)}"):
            if key in outcomes:
                return key
        return None

    votes: dict[str, dict[str, int]] = {}
    marked: set[str] = set()
    for label in labels:
        name, args = label[0], tuple(label[1])
        act = perf.actions.get(name)
        if act is None or not act.outcomes:
            continue
        for arg, value in args:
            if arg == "outcome":
                marked.add(name)
            elif matches(name, arg, value):
                counts = votes.setdefault(name, {})
                counts[arg] = counts.get(arg, 0) + 1
    outcome_arg = {name: max(counts, key=counts.__getitem__) for name, counts in votes.items()}
    outcome_arg.update(dict.fromkeys(marked, "outcome"))

    actions = np.empty(len(labels), dtype=np.int64)
    choices = np.empty(len(labels), dtype=np.int64)
    outcomes = np.full(len(labels), -1, dtype=np.int64)
    choice_ids: dict[Any, int] = {}
    for i, label in enumerate(labels):
        name, args = label[0], tuple(label[1])
        if name not in action_ids:
            action_ids[name] = len(names)
            names.append(name)
        actions[i] = action_ids[name]
        arg = outcome_arg.get(name)
        rest = args
        if arg is not None:
            for position, (argument, value) in enumerate(args):
                if argument == arg:
                    key = matches(name, arg, value)
                    if key is not None:
                        outcomes[i] = outcome_ids[(name, key)]
                    rest = args[:position] + args[position + 1:]
                    break
        choices[i] = choice_ids.setdefault((name, rest), len(choice_ids))
    return actions, choices, outcomes, tuple(names), tuple(outcome_ids)


def explore_graph(model: Model, perf: PerfSpec, parameters: dict[str, float] | None = None,
                  max_states: int | None = None, time_limit: float | None = None,
                  memory_limit: int | None = None) -> StateGraph:
    """Explore every reachable state of ``model`` and return its graph; the side file's
    state expressions (measures, reach, terminal) read ``parameters`` (default: its own).

    A run cut short by a bound gives no graph (an :class:`~refute.errors.RefuteError` with
    the *incomplete* status): figures computed on part of a chain would be wrong, not rough.
    """
    started = time.perf_counter()
    collector = _Collector(model, perf, perf.parameters if parameters is None else parameters)
    result = explore(model, Options(invariants=(), deadlock=False, max_states=max_states,
                                    time_limit=time_limit, memory_limit=memory_limit),
                     graph=collector)
    if result.stop_reason is not None and result.stop_reason.name != "CONSTRAINT":
        raise IncompleteGraph(f"the exploration of {model.name} stopped early "
                            f"({result.stop_reason.value}) at {result.distinct_states:,} states: "
                            "a performance model needs every reachable state",
                            hint="raise --max-states / --time-limit, or make the spec smaller "
                                 "(a state constraint bounds it)")
    n = len(collector.parents)
    sources = np.frombuffer(collector.sources, dtype=np.int32).astype(np.int64)
    if len(sources) > 1 and (np.diff(sources) < 0).any():
        raise AssertionError("the search told the steps out of the order of their sources")
    offsets_array = np.concatenate([[0], np.cumsum(np.bincount(sources, minlength=n))])
    fp = state_fingerprint(model)
    initial = np.array([collector.numbers[fp(s)] for s in model.init_states()
                        if fp(s) in collector.numbers], dtype=np.int64)
    group = np.frombuffer(collector.group_of, dtype=np.int32).copy() \
        if len(collector.group_of) else None
    label_actions, label_choices, label_outcomes, action_names, outcome_labels = _classify(
        list(collector.labels), model, perf)
    label_of = np.frombuffer(collector.label_of, dtype=np.int32).astype(np.int64)
    # A choice is numbered per state: (source, choice key) pairs, in edge order.
    pairs = sources * max(int(label_choices.max(initial=0)) + 1, 1) + label_choices[label_of]
    _, choices = np.unique(pairs, return_inverse=True)
    return StateGraph(
        model=model, initial=initial,
        offsets=offsets_array,
        targets=np.frombuffer(collector.targets, dtype=np.int32).astype(np.int64),
        actions=label_actions[label_of], choices=choices.astype(np.int64),
        outcomes=label_outcomes[label_of],
        action_names=action_names, outcome_labels=outcome_labels,
        violates={name: np.frombuffer(bits, dtype=np.uint8).astype(bool)
                  for name, bits in collector.bits.items()},
        measures={name: np.frombuffer(values, dtype=np.float64).copy()
                  for name, values in collector.measure_values.items()},
        terminal_group=group, group_names=list(collector.group_ids),
        parents=collector.parents, ordinals=collector.ordinals, exploration=result,
        seconds=time.perf_counter() - started)
