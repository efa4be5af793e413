"""``refute check --dump-graph FILE``: the reachable state graph as Graphviz DOT or JSON.

The graph is the one the check explored (:class:`~refute.engine.state_graph.StateGraphRecorder`):
states numbered in discovery order, with their values as reports show them (the model's
``describe_state``), initial states marked, one edge per step kept, labelled with its action
instance. A run that stopped early (a violation, a bound, a limit) has explored only part of
the graph: the file says so (``"complete": false`` in JSON, a comment and the graph's label
in DOT), and holds what was explored.

JSON (schema ``graph`` in :mod:`refute.report.schemas`)::

    {"format_version": "1", "spec": NAME, "status": ..., "complete": BOOL,
     "states": [{"id": N, "initial": BOOL, "state": {field: value, ...}}, ...],
     "edges": [{"from": N, "to": N, "action": NAME, "label": "name(arg=value)"}, ...]}

DOT: a node per state, labelled ``field = value`` per line (initial states drawn bold with a
double border), an edge per step labelled with its action instance; every string is quoted
and escaped, so any value is safe in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from refute.engine.model import Model
from refute.engine.result import Result
from refute.engine.state_graph import StateGraphRecorder
from refute.errors import UsageError
from refute.report.schemas import FORMAT_VERSION, check_output
from refute.report.values import show, to_json

__all__ = ["FORMATS", "graph_format", "graph_to_dot", "graph_to_json", "write_graph"]

FORMATS = {".dot": "dot", ".gv": "dot", ".json": "json"}


def graph_format(path: str) -> str:
    """``dot`` or ``json``, by ``path``'s extension (checked before the run)."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(f"--dump-graph {path}: the file name must end in .dot, .gv or .json",
                         hint="e.g. --dump-graph graph.dot (Graphviz) or --dump-graph graph.json")
    return fmt


def write_graph(path: str, graph: StateGraphRecorder, model: Model, result: Result) -> None:
    if graph_format(path) == "dot":
        text = graph_to_dot(graph, model, result)
    else:
        import json

        payload = graph_to_json(graph, model, result)
        check_output("graph", payload)
        text = json.dumps(payload, indent=1) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the graph to {path[:200]!r}: {exc.strerror or exc}",
                         hint="give --dump-graph a path in a writable folder") from None


def _complete(result: Result) -> bool:
    return result.violation is None and result.stop_reason is None


def graph_to_json(graph: StateGraphRecorder, model: Model, result: Result) -> dict[str, Any]:
    initial = set(graph.initial)
    return {
        "format_version": FORMAT_VERSION,
        "spec": model.name,
        "status": result.status.value,
        "complete": _complete(result),
        "states": [{"id": n, "initial": n in initial,
                    "state": to_json(model.describe_state(state))}
                   for n, state in enumerate(graph.states)],
        "edges": [{"from": source, "to": target, "action": label.action,
                   "label": str(label)} for source, target, label in graph.edges],
    }


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as left-justified ``\\l``."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("\r", "").replace("\n", "\\l") + '"'


def graph_to_dot(graph: StateGraphRecorder, model: Model, result: Result) -> str:
    complete = _complete(result)
    title = f"{model.name}: {len(graph.states):,} states, {len(graph.edges):,} steps" + (
        "" if complete else f" (partial: the check stopped, {result.status.value})")
    lines = [f"// refute check --dump-graph: {title}",
             f"digraph {_quote(model.name)} {{",
             f"  label={_quote(title)};",
             '  node [shape=box, fontname="monospace", fontsize=10];',
             '  edge [fontname="monospace", fontsize=9];']
    initial = set(graph.initial)
    for number, state in enumerate(graph.states):
        fields = model.describe_state(state)
        text = "".join(f"{name} = {show(value)}\n" for name, value in fields.items())
        style = ", style=bold, peripheries=2" if number in initial else ""
        lines.append(f"  {number} [label={_quote(text)}{style}];")
    for source, target, label in graph.edges:
        lines.append(f"  {source} -> {target} [label={_quote(str(label))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
