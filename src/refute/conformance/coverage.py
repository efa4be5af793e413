"""Model coverage of testing: which spec states and actions a set of logs reached.

Random testing of an implementation (ModelFuzz's observation) is measured best in the
spec's terms: of the states and action instances the spec can reach, which did the runs
visit? Each log is validated as by ``refute trace``; every state a matching behaviour may
pass through, and every action instance it may take, counts as reached. When a log leaves
the spec state ambiguous (several states match), all of them count, so the numbers are an
upper bound; logs that observe more are measured more exactly. Logs that do not conform
count up to their first unexplained event and are listed. The totals come from exploring the
spec whole (:mod:`refute.conformance.graph`), so the spec must be small enough to explore.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from refute.conformance.graph import StateGraph, build_graph
from refute.conformance.validate import Options, TraceResult, validate_log
from refute.engine.model import Label, Model


@dataclass(frozen=True)
class ActionReach:
    """Of an action's reachable instances (e.g. ``write(client=1, token=33)``), how many ran."""

    action: str
    reached: int
    total: int


@dataclass(frozen=True)
class Coverage:
    """``unreached`` lists up to a few spec states no log reached, each as the shortest
    behaviour leading to it (action labels), nearest first: what the tests never exercise."""

    spec: str
    logs: int
    results: tuple[TraceResult, ...]
    states_reached: int
    states_total: int
    labels_reached: int
    labels_total: int
    actions: tuple[ActionReach, ...]
    unreached: tuple[tuple[str, ...], ...]
    complete: bool

    @property
    def failed(self) -> tuple[TraceResult, ...]:
        return tuple(r for r in self.results if not r.conforms)

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec, "logs": self.logs, "conforming": self.logs - len(self.failed),
            "states": {"reached": self.states_reached, "total": self.states_total},
            "action_instances": {"reached": self.labels_reached, "total": self.labels_total},
            "actions": [{"action": a.action, "reached": a.reached, "total": a.total}
                        for a in self.actions],
            "unreached_examples": [list(path) for path in self.unreached],
            "complete": self.complete,
        }


def measure_coverage(model: Model, logs: Iterable[Any], options: Options = Options(),
                     max_states: int = 100_000, examples: int = 5,
                     graph: StateGraph | None = None) -> Coverage:
    """Validate every log and measure what they reached against the whole spec."""
    graph = graph or build_graph(model, max_states)
    states: set[Any] = set()
    labels: set[Label] = set()

    def visit(label: Label | None, state: Any) -> None:
        states.add(state)
        if label is not None:
            labels.add(label)

    results = tuple(validate_log(model, log, options, visit) for log in logs)
    every_label: dict[Label, None] = {}
    for out in graph.edges:
        for label, _ in out:
            every_label.setdefault(label, None)
    actions = []
    for action in model.action_names:
        instances = [label for label in every_label if label.action == action]
        actions.append(ActionReach(action, sum(1 for label in instances if label in labels),
                                   len(instances)))
    reached_numbers = {n for n in map(graph.number_of, states) if n is not None}
    unreached = []
    for number in range(len(graph.states)):
        if len(unreached) == examples:
            break
        if number not in reached_numbers:
            unreached.append(tuple(str(graph.edges[s][p][0]) for s, p in graph.path_to(number)))
    return Coverage(model.name, len(results), results, len(reached_numbers), len(graph.states),
                    sum(1 for label in labels if label in every_label), len(every_label),
                    tuple(actions), tuple(unreached), graph.complete)
