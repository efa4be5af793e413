"""Rendering fuzzing campaigns: terminal text, JSON, and an HTML page with the coverage chart.

Renders :class:`~refute.testing.campaign.Campaign` results only; it runs nothing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from refute.engine.model import Model
from refute.status import Status
from refute.html_page import page
from refute.testing.campaign import Campaign, Run


def text(campaigns: Sequence[Campaign], model: Model) -> str:
    lines = []
    for c in campaigns:
        found = (f"bug found in run {c.first_bug}" if c.first_bug
                 else f"no bug in {c.runs} runs" + (f" (stopped: {c.stopped})" if c.stopped
                                                    else ""))
        covered = ""
        if c.fraction_covered is not None:
            covered = (f", {c.covered_reachable}/{c.reachable_states} of the spec's reachable "
                       f"states ({100 * c.fraction_covered:.1f}%)")
        lines.append(f"{c.strategy:7} {found}; {c.states} distinct model states, "
                     f"{c.transitions} transitions{covered}; chance the next run reaches a new "
                     f"state (Good-Turing): {c.chance_of_new_state:.3f}; {c.seconds:.1f} s")
    for c in campaigns:
        if c.reproduction is not None:
            lines.append("")
            lines.extend(reproduction(c, model))
            break
    return "\n".join(lines)


def reproduction(campaign: Campaign, model: Model) -> list[str]:
    repro = campaign.reproduction
    assert repro is not None
    run = repro.run
    faults = sum(1 for d in run.decisions if d.fault)
    return [f"reproduction ({campaign.strategy}, run {campaign.first_bug}): "
            f"replays to the same failure: {'yes' if repro.replays else 'NO'}; "
            f"{faults} fault(s), shrunk from {repro.shrunk_from}",
            *describe_run(run, model)]


def describe_run(run: Run, model: Model) -> list[str]:
    """A run as a reproduction: its schedule, faults, events, and where it left the spec."""
    out = [f"  seed {run.seed}, {len(run.schedule)} schedule decisions, "
           f"{run.virtual_seconds:.3f} virtual seconds"]
    faults = [d for d in run.decisions if d.fault]
    out.append("  faults: " + (", ".join(f"{d.kind} [gene {d.gene}]" for d in faults)
                               or "none"))
    out.append("  implementation events:")
    for number, event in enumerate(run.events, 1):
        meta = event.get("meta", {})
        fields = ", ".join(f"{k}={json.dumps(v)}" for k, v in event.items()
                           if k not in ("action", "meta"))
        out.append(f"    {number:3}  t={meta.get('time', 0):8.3f}  {meta.get('node', ''):8} "
                   f"{event.get('action')}({fields})")
    if run.error is not None:
        out.append(f"  the implementation raised on node {run.error.node}: {run.error.error}")
    if run.mismatch is not None:
        m = run.mismatch
        out.append(f"  {m.summary}")
        for candidate in m.candidates[:3]:
            out.append("  the spec state there:")
            for name, value in model.describe_state(candidate.state).items():
                out.append(f"      {name} = {value!r}")
            out.append("    allowed: " + (", ".join(str(label) for label in candidate.allowed)
                                          or "nothing"))
    if not run.failed:
        out.append("  the run conforms to the spec")
    return out


def to_json(campaigns: Sequence[Campaign], model: Model, target: str,
            status: Status) -> dict[str, Any]:
    return {"status": status.value, "target": target, "spec": model.name,
            "strategies": [c.to_json(model) for c in campaigns]}


_COLOURS = {"random": "#d62728", "swarm": "#ff7f0e", "guided": "#1f77b4"}


def to_html(campaigns: Sequence[Campaign], model: Model, target: str) -> str:
    """A self-contained page (the shell of every report, :func:`refute.html_page.page`): the
    summary, a chart of distinct model states over runs, and the reproduction."""
    width, height, pad = 640, 300, 40
    longest = max((len(c.coverage_curve) for c in campaigns), default=1) or 1
    top = max((c.states for c in campaigns), default=1) or 1
    lines = []
    for c in campaigns:
        if not c.coverage_curve:
            continue
        points = " ".join(
            f"{pad + (width - 2 * pad) * i / max(1, longest - 1):.1f},"
            f"{height - pad - (height - 2 * pad) * value / top:.1f}"
            for i, value in enumerate(c.coverage_curve))
        colour = _COLOURS.get(c.strategy, "#444")
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{points}"><title>{c.strategy}</title></polyline>')
    legend = "".join(f'<text x="{pad + 10 + 90 * i}" y="20" fill="{_COLOURS.get(c.strategy)}">'
                     f"{html.escape(c.strategy)}</text>" for i, c in enumerate(campaigns))
    chart = (f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
             f'stroke="#999"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" '
             f'stroke="#999"/><text x="{width / 2}" y="{height - 8}">runs (0..{longest})</text>'
             f'<text x="4" y="{pad - 8}">model states (max {top})</text>{legend}'
             + "".join(lines) + "</svg>")
    summary = html.escape(text(campaigns, model))
    body = (f"<h1>refute fuzz {html.escape(target)}</h1><h2>Model coverage over runs</h2>"
            f"{chart}<h2>Summary</h2><pre>{summary}</pre>")
    return page(f"refute fuzz {target}", body, styles=("base.css", "report.css"))
