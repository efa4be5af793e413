"""Anomalies in words, as JSON, and as Graphviz pictures of their cycles.

A cycle is told edge by edge, each edge saying which operations force the order ("T2 read key
9 without T1's append of 2, so T2 must precede T1"), then what the cycle means: the first
transaction would have to precede itself, so no serial order exists, and which models forbid
that shape of cycle.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from refute.history.anomalies import DESCRIPTIONS, Finding, forbidden_by, MODELS
from refute.history.transactions import History, value_text

_EDGE_STYLE = {"ww": "solid", "wr": "solid", "rw": "dashed", "process": "dotted",
               "realtime": "dotted"}
_EDGE_COLOUR = {"ww": "#1f77b4", "wr": "#2ca02c", "rw": "#d62728", "process": "#7f7f7f",
                "realtime": "#9467bd"}


def cycle_text(finding: Finding, history: History,
               assumed: list[tuple[Any, str, str]] | None = None) -> str:
    """The explanation of a cycle finding: one line per edge, then the conclusion.

    Transactions are named with the line of the file they come from; an edge that holds
    only under an assumed (or derived) version order is marked ``inferred``. ``assumed``,
    for register histories, lists the version-order choices ``(key, first, second)`` the
    cycle relies on: every version order was tried, and each had some such cycle.
    """
    assert finding.cycle is not None
    txns = history.transactions
    names = [_located(txns[step.source]) for step in finding.cycle]
    lines = [" -> ".join(names + names[:1])]
    for step in finding.cycle:
        mark = ", inferred" if step.inferred else ""
        lines.append(f"  {txns[step.source].name} -> {txns[step.target].name} "
                     f"({step.kind}{mark}): {step.text}")
    forbidding = [model for model in MODELS if finding.type in forbidden_by(model)]
    if assumed is None:
        lines.append(f"So {txns[finding.cycle[0].source].name} must precede itself: no order "
                     f"of these transactions explains the history. {finding.type} is "
                     f"{DESCRIPTIONS[finding.type]}; {', '.join(forbidding)} forbid it.")
    else:
        orders = "; ".join(f"key {value_text(key)}: {first} before {second}"
                           for key, first, second in assumed)
        lines.append(("Assumed version order: " + orders + ". " if assumed else "")
                     + "No version order of the writes avoids a cycle of this kind (the check "
                     "decided it over all of them), so no order of these transactions "
                     f"explains the history. {finding.type} is {DESCRIPTIONS[finding.type]}"
                     + (f"; {', '.join(forbidding)} forbid it." if forbidding else "."))
    return "\n".join(lines)


def _located(txn: Any) -> str:
    """``T12@l.40``: a transaction with the line of the file it comes from."""
    return txn.name if txn.line is None else f"{txn.name}@l.{txn.line}"


def json_value(value: Any) -> Any:
    """A key or value for JSON: numbers and plain strings as they are, the rest as EDN text."""
    if value is None or isinstance(value, (bool, int, float)) or type(value) is str:
        return value
    return value_text(value)


def finding_json(finding: Finding, history: History) -> dict[str, Any]:
    txns = history.transactions
    result: dict[str, Any] = {
        "type": finding.type,
        "txns": [txns[t].name for t in finding.txns],
        "explanation": finding.explanation,
    }
    if finding.key is not None:
        result["key"] = json_value(finding.key)
    if finding.count > 1:
        result["count"] = finding.count
    if finding.cycle is not None:
        result["cycle"] = [{"from": txns[s.source].name, "to": txns[s.target].name,
                            "kind": s.kind, "key": json_value(s.key), "inferred": s.inferred,
                            "from_line": txns[s.source].line, "explanation": s.text}
                           for s in finding.cycle]
    result["operations"] = {txns[t].name: {"line": txns[t].line, "process":
                                           json_value(txns[t].process),
                                           "outcome": txns[t].outcome.value,
                                           "ops": txns[t].describe().split(": ", 1)[1]}
                            for t in dict.fromkeys(finding.txns)}
    return result


def cycle_dot(finding: Finding, history: History) -> str:
    """A Graphviz digraph of one cycle: transactions as boxes with their operations."""
    assert finding.cycle is not None
    txns = history.transactions
    out = [f'digraph "{finding.type}" {{',
           f'  label="{_escape(finding.type + ": " + DESCRIPTIONS[finding.type])}";',
           "  labelloc=t; rankdir=LR; node [shape=box, fontname=monospace];"]
    for t in dict.fromkeys(step.source for step in finding.cycle):
        out.append(f'  t{t} [label="{_escape(txns[t].describe())}"];')
    for step in finding.cycle:
        label = step.kind if step.key is None else f"{step.kind} {value_text(step.key)}"
        if step.inferred:
            label += " (inferred)"
        style = "dashed" if step.inferred else _EDGE_STYLE[step.kind]
        out.append(f'  t{step.source} -> t{step.target} [label="{_escape(label)}", '
                   f'style={style}, color="{_EDGE_COLOUR[step.kind]}", '
                   f'fontcolor="{_EDGE_COLOUR[step.kind]}", '
                   f'tooltip="{_escape(step.text)}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def write_plots(findings: list[Finding], history: History, directory: str | Path) -> list[Path]:
    """Write one ``TYPE-N.dot`` per cycle finding into ``directory``; also SVG if ``dot`` exists.

    Returns the files written. Rendering is best effort: without Graphviz installed the .dot
    files are still there to render elsewhere.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    dot = shutil.which("dot")
    written = []
    counters: dict[str, int] = {}
    for finding in findings:
        if finding.cycle is None:
            continue
        counters[finding.type] = counters.get(finding.type, 0) + 1
        path = folder / f"{finding.type}-{counters[finding.type]}.dot"
        path.write_text(cycle_dot(finding, history), encoding="utf-8")
        written.append(path)
        if dot:
            svg = path.with_suffix(".svg")
            subprocess.run([dot, "-Tsvg", str(path), "-o", str(svg)], check=False,
                           capture_output=True, timeout=60)
            if svg.exists():
                written.append(svg)
    return written


def _escape(text: str) -> str:
    return re.sub(r'(["\\])', r"\\\1", text).replace("\n", "\\n")
