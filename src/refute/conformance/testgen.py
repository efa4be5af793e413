"""Test generation: a few behaviours of the spec that together take every action (or every
reachable transition), and a helper that replays them against the real implementation.

A generated path is a behaviour from an initial state: labelled steps with the state the
spec expects after each. Paths are built greedily: start with a shortest path to the first
uncovered target, then keep walking to the nearest state where an uncovered target leaves,
until none is reachable; repeat until everything reachable is covered. The result is small
(not minimal: minimal covering sets of paths are NP-hard in general), and deterministic
(breadth-first order, as ``refute check`` explores).

Replaying (:func:`replay`) drives an *adapter*, written by the user for their
implementation: one method per action, called with the step's arguments as keywords, and
``observe()`` returning what of the implementation's state it can read, as a dict named as
the spec's variables. Only the variables ``observe`` returns are compared; the first step
after which one differs from the spec's expectation fails the test, naming the path, the
step, and each difference.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import IO, Any

from refute.conformance.graph import StateGraph, build_graph
from refute.conformance.values import encode
from refute.engine.model import Model
from refute.errors import InputError, UsageError
from refute.limits import NO_LIMITS, Watch
from refute.report.schemas import FORMAT_VERSION, check_output

COVER = ("actions", "transitions")


@dataclass(frozen=True)
class TestStep:
    """One step of a path: ``action``/``args`` (None for the initial state) and the state the
    spec expects after it, as canonical JSON (:func:`~refute.conformance.values.encode`)."""

    action: str | None
    args: dict[str, Any]
    state: dict[str, Any]
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "args": self.args, "label": self.label, "state": self.state}


@dataclass(frozen=True)
class TestPath:
    """A behaviour to replay; ``covers`` names the targets it was the first to cover."""

    __test__ = False  # not a pytest test class

    id: str
    steps: tuple[TestStep, ...]
    covers: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.id

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "covers": list(self.covers),
                "steps": [s.to_json() for s in self.steps]}


@dataclass(frozen=True)
class TestSuite:
    """Paths covering ``covered`` of ``total`` targets (actions, or reachable transitions).

    ``uncovered``: targets no path takes (actions never enabled; transitions beyond
    ``max_states``); ``complete``: whether the whole state graph was built.
    """

    __test__ = False

    spec: str
    cover: str
    paths: tuple[TestPath, ...]
    total: int
    covered: int
    uncovered: tuple[str, ...] = ()
    states: int = 0
    transitions: int = 0
    complete: bool = True

    @property
    def steps(self) -> int:
        return sum(len(p.steps) - 1 for p in self.paths)

    def to_json(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION,
                "spec": self.spec, "cover": self.cover, "total": self.total,
                "covered": self.covered, "uncovered": list(self.uncovered),
                "states": self.states, "transitions": self.transitions,
                "complete": self.complete, "steps": self.steps,
                "paths": [p.to_json() for p in self.paths]}


def generate(model: Model, cover: str = "actions", max_states: int = 100_000,
             graph: StateGraph | None = None, watch: Watch = NO_LIMITS) -> TestSuite:
    """Paths that together cover every action or every reachable transition of ``model``;
    the spec is explored up to ``max_states`` or until ``watch`` (its limits) expires."""
    if cover not in COVER:
        raise UsageError(f"--cover {cover}: expected one of {', '.join(COVER)}")
    graph = graph or build_graph(model, max_states, watch)

    def targets_of(source: int, position: int) -> Any:
        label = graph.edges[source][position][0]
        return label[0] if cover == "actions" else (source, position)

    if cover == "actions":
        total = list(model.action_names)
    else:
        total = [(s, p) for s in range(len(graph.states)) for p in range(len(graph.edges[s]))]
    uncovered = dict.fromkeys(total)
    paths: list[TestPath] = []
    # Targets in breadth-first order of the state they leave from: the first is the nearest.
    order = [(s, p) for s in range(len(graph.states)) for p in range(len(graph.edges[s]))]
    cursor = 0
    while uncovered:
        while cursor < len(order) and targets_of(*order[cursor]) not in uncovered:
            cursor += 1
        if cursor == len(order):
            break  # the rest is unreachable
        source, position = order[cursor]
        edges = graph.path_to(source) + [(source, position)]
        start = graph.root_of(source)
        firsts: list[str] = []
        walked: list[tuple[int, int]] = []
        pending = edges
        while pending:
            for s, p in pending:
                target = targets_of(s, p)
                if target in uncovered:
                    del uncovered[target]
                    firsts.append(_name(graph, target, cover))
            walked += pending
            end = graph.edges[walked[-1][0]][walked[-1][1]][1]
            pending = _to_nearest(graph, end, lambda s, p: targets_of(s, p) in uncovered)
        paths.append(_path(model, graph, f"path-{len(paths) + 1}", start, walked, firsts))
    return TestSuite(model.name, cover, tuple(paths), len(total), len(total) - len(uncovered),
                     tuple(_name(graph, t, cover) for t in uncovered), len(graph.states),
                     graph.transitions, graph.complete)


def _to_nearest(graph: StateGraph, start: int, wanted: Any) -> list[tuple[int, int]]:
    """Edges of a shortest walk from ``start`` ending with a wanted edge; [] if none."""
    back: dict[int, tuple[int, int] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for position, (_, target) in enumerate(graph.edges[state]):
            if wanted(state, position):
                walk = [(state, position)]
                while back[state] is not None:
                    walk.append(back[state])
                    state = back[state][0]
                walk.reverse()
                return walk
            if target not in back:
                back[target] = (state, position)
                queue.append(target)
    return []


def _name(graph: StateGraph, target: Any, cover: str) -> str:
    if cover == "actions":
        return target
    source, position = target
    return f"{graph.edges[source][position][0]} from state {source + 1}"


def _path(model: Model, graph: StateGraph, name: str, start: int, walked: list[tuple[int, int]],
          covers: list[str]) -> TestPath:
    steps = [TestStep(None, {}, encode(model.describe_state(graph.states[start])))]
    for source, position in walked:
        label, target = graph.edges[source][position]
        steps.append(TestStep(label.action, {n: encode(v) for n, v in label.args},
                              encode(model.describe_state(graph.states[target])), str(label)))
    return TestPath(name, tuple(steps), tuple(covers))


# -- files ----------------------------------------------------------------------------------

def write_suite(suite: TestSuite, target: str | IO[str]) -> None:
    """The suite as ``refute testgen --out`` writes it (schema ``testgen``)."""
    payload = suite.to_json()
    check_output("suite", payload)
    text = json.dumps(payload, indent=1) + "\n"
    if isinstance(target, str):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        target.write(text)


def load_paths(source: str | IO[str] | TestSuite) -> list[TestPath]:
    """The paths of a ``refute testgen`` file, e.g. for ``pytest.mark.parametrize(..., ids=str)``."""
    if isinstance(source, TestSuite):
        return list(source.paths)
    name = source if isinstance(source, str) else getattr(source, "name", "<paths>")
    try:
        if isinstance(source, str):
            with open(source, encoding="utf-8") as handle:
                data = json.load(handle)
        else:
            data = json.load(source)
        return [TestPath(p["id"], tuple(TestStep(s["action"], s.get("args") or {}, s["state"],
                                                 s.get("label")) for s in p["steps"]),
                         tuple(p.get("covers", ())))
                for p in data["paths"]]
    except FileNotFoundError:
        raise InputError(f"no paths file {name!r}", file=name,
                         hint="write one with refute testgen SPEC --out FILE") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno,
                         column=exc.colno) from None
    except (KeyError, TypeError) as exc:
        raise InputError(f"not a refute testgen file: missing or malformed {exc}", file=name,
                         hint="write it with refute testgen SPEC --out FILE") from None


# -- replaying against an implementation ------------------------------------------------------

class Divergence(AssertionError):
    """The implementation left the spec's path: ``path`` and ``step`` (1-based; 0 = initial)."""

    def __init__(self, message: str, path: str, step: int, differences: tuple[str, ...]) -> None:
        super().__init__(message)
        self.path = path
        self.step = step
        self.differences = differences


def replay(path: TestPath, adapter: Any) -> None:
    """Drive ``adapter`` along ``path``; raise :class:`Divergence` at the first difference."""
    for number, step in enumerate(path.steps):
        if step.action is not None:
            method = getattr(adapter, step.action, None)
            if not callable(method):
                raise UsageError(f"the adapter {type(adapter).__name__} has no method "
                                 f"{step.action}", hint=f"define def {step.action}(self, "
                                 f"{', '.join(step.args)}) driving the implementation")
            try:
                method(**step.args)
            except Exception as exc:
                raise _divergence(path, number, (f"{step.label} raised {type(exc).__name__}: "
                                                 f"{exc}",)) from exc
        differences = _compare(step.state, adapter.observe())
        if differences:
            raise _divergence(path, number, differences)


def _compare(expected: dict[str, Any], observed: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for name, value in observed.items():
        if name not in expected:
            raise UsageError(f"observe() returned {name!r}, which is not a variable of the spec",
                             hint=f"the spec's variables are: {', '.join(expected)}")
        value = encode(value)
        if value != expected[name]:
            out.append(f"{name}: the spec expects {json.dumps(expected[name])}, "
                       f"the implementation has {json.dumps(value)}")
    return tuple(out)


def _divergence(path: TestPath, number: int, differences: tuple[str, ...]) -> Divergence:
    story = "\n".join(f"  {'→' if i == number else ' '} {i}. {s.label or 'initial state'}"
                      for i, s in enumerate(path.steps[:number + 1]))
    what = path.steps[number].label or "the initial state"
    message = (f"{path.id}, step {number} of {len(path.steps) - 1} ({what}): the implementation "
               f"diverges from the spec\n" + "\n".join(f"    {d}" for d in differences)
               + f"\n  the path so far:\n{story}")
    return Divergence(message, path.id, number, differences)
