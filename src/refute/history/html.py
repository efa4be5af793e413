"""The HTML report of ``refute history``: the verdict, then each anomaly with its cycle drawn.

A cycle is drawn as a graph on a circle: one box per transaction (with its operations in the
tooltip and in the table below), one arrow per dependency edge, coloured and dashed by kind
as in the Graphviz plots of :mod:`refute.history.explain` (``ww``, ``wr`` solid, ``rw``
dashed, ``process``/``realtime`` dotted). Beside it, the edges in words: which operations
force each order. The page shares the look and the shell of the other reports (:mod:`refute.html_page`,
its CSS in ``refute/assets/history.css``): it is self-contained, loads nothing, and every
value from the history is escaped (histories come from systems under test).
"""

from __future__ import annotations

import math
from pathlib import Path

from refute.history.anomalies import DESCRIPTIONS, Finding
from refute.history.checker import HistoryResult
from refute.history.explain import _EDGE_COLOUR, _EDGE_STYLE
from refute.history.transactions import History, value_text
from refute.html_page import escape as e
from refute.html_page import page, register_inline

__all__ = ["render_history_html", "write_history_html"]

_VERDICT = {"ok": ("holds", "ok"), "violation": ("VIOLATED", "bad"),
            "incomplete": ("incomplete", "unknown")}
_DASH = {"solid": "", "dashed": ' stroke-dasharray="7 4"', "dotted": ' stroke-dasharray="2 3"'}
_BOX_W, _BOX_H = 92, 30


def write_history_html(result: HistoryResult, path: str | Path) -> None:
    Path(path).write_text(render_history_html(result), encoding="utf-8")


def render_history_html(result: HistoryResult) -> str:
    verdict, css = _VERDICT[result.status.value]
    body = [f'<h1>refute history: {e(result.model)} <span id="verdict" class="{css}">'
            f'{e(verdict)}</span></h1>',
            f'<div class="meta">{e(result.history.file or "history")}: '
            f'{result.transactions:,} transactions, {e(result.workload)}, {result.edges:,} '
            f'dependency edges, {result.seconds:.2f} s</div>']
    lines = []
    if result.not_models:
        lines.append(f"not {', '.join(result.not_models)}"
                     + (f"; also not {', '.join(result.also_not)}" if result.also_not else ""))
    if result.counts:
        lines.append("findings by type: " + ", ".join(f"{k}: {v}" for k, v in
                                                      sorted(result.counts.items())))
    lines.extend(f"note: {note}" for note in result.notes)
    if lines:
        body.append('<ul class="summary">' + "".join(f"<li>{e(x)}</li>" for x in lines)
                    + "</ul>")
    for title, findings in (("Anomalies", result.anomalies),
                            (f"Allowed by {result.model}", result.other_anomalies)):
        if findings:
            body.append(f"<h2>{e(title)}</h2>")
            body.extend(_finding(f, result.history) for f in findings)
    return page(f"refute history: {result.model} {verdict}", "\n".join(body),
                styles=("base.css", "report.css", "history.css"))



def _finding(finding: Finding, history: History) -> str:
    count = f" (×{finding.count})" if finding.count > 1 else ""
    head = (f'<summary><b>{e(finding.type)}</b>{e(count)}: '
            f'{e(DESCRIPTIONS.get(finding.type, ""))}</summary>')
    if finding.cycle is None:
        return (f'<details class="finding" open>{head}<pre>{e(finding.explanation)}</pre>'
                '</details>')
    txns = history.transactions
    rows = "".join(f"<tr><td><code>{e(txns[s.source].name)} → {e(txns[s.target].name)}"
                   f"</code></td><td class=\"kind-{e(s.kind)}\">{e(s.kind)}"
                   f"{' <i>(inferred)</i>' if s.inferred else ''}</td>"
                   f"<td>{e(s.text)}</td></tr>" for s in finding.cycle)
    ops = "".join(f"<li><code>{e(txns[t].describe())}</code>"
                  f"{f' (line {txns[t].line})' if txns[t].line is not None else ''}</li>"
                  for t in dict.fromkeys(s.source for s in finding.cycle))
    return (f'<details class="finding" open>{head}<div class="cycle">{cycle_svg(finding, history)}'
            f'<div><table class="edges">{rows}</table><ul class="txns">{ops}</ul>'
            f'<pre>{e(finding.explanation)}</pre></div></div></details>')


def cycle_svg(finding: Finding, history: History) -> str:
    """The cycle as an inline SVG: transactions on a circle, an arrow per edge."""
    assert finding.cycle is not None
    txns = history.transactions
    nodes = list(dict.fromkeys(step.source for step in finding.cycle))
    radius = max(70.0, len(nodes) * 34.0)
    size = 2 * radius + _BOX_W + 40
    centre = size / 2
    at = {t: (centre + radius * math.sin(2 * math.pi * i / len(nodes)),
              centre - radius * math.cos(2 * math.pi * i / len(nodes)))
          for i, t in enumerate(nodes)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cycle-graph" width="{size:.0f}" '
           f'height="{size:.0f}"><defs>']
    for kind, colour in _EDGE_COLOUR.items():
        out.append(f'<marker id="head-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
                   f'markerWidth="7" markerHeight="7" orient="auto">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    pairs: dict[tuple[int, int], int] = {}
    for step in finding.cycle:
        bend = pairs.get((step.source, step.target), 0)
        pairs[(step.source, step.target)] = bend + 1
        out.append(_edge(at[step.source], at[step.target], step, bend, len(nodes)))
    for t in nodes:
        x, y = at[t]
        out.append(f'<g class="txn"><rect x="{x - _BOX_W / 2:.1f}" y="{y - _BOX_H / 2:.1f}" '
                   f'width="{_BOX_W}" height="{_BOX_H}" rx="5"/><text x="{x:.1f}" '
                   f'y="{y + 4:.1f}" text-anchor="middle">{e(txns[t].name)}</text>'
                   f'<title>{e(txns[t].describe())}</title></g>')
    out.append("</svg>")
    return "".join(out)


def _edge(a: tuple[float, float], b: tuple[float, float], step, bend: int, n: int) -> str:
    """A curved arrow from box ``a`` to box ``b``, stopping at the boxes' edges; parallel
    edges bend further out, and in a 2-cycle the two directions bend to opposite sides."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    # leave each box where the line crosses its border
    cut = min(_BOX_W / 2 / (abs(ux) or 1e-9), _BOX_H / 2 / (abs(uy) or 1e-9)) + 3
    sx, sy, ex, ey = x1 + ux * cut, y1 + uy * cut, x2 - ux * cut, y2 - uy * cut
    offset = (0.0 if n > 2 else 30.0) + 22.0 * bend
    mx, my = (sx + ex) / 2 - uy * offset, (sy + ey) / 2 + ux * offset
    colour = _EDGE_COLOUR.get(step.kind, "#57606a")
    dash = _DASH["dashed" if step.inferred else _EDGE_STYLE.get(step.kind, "solid")]
    label = step.kind if step.key is None else f"{step.kind} {value_text(step.key)}"
    if step.inferred:
        label += " (inferred)"
    lx, ly = (sx + ex) / 4 + mx / 2, (sy + ey) / 4 + my / 2  # the curve's midpoint
    return (f'<g class="edge {e(step.kind)}"><path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} '
            f'{ex:.1f},{ey:.1f}" fill="none" stroke="{colour}" stroke-width="1.8"{dash} '
            f'marker-end="url(#head-{e(step.kind)})"/><text x="{lx:.1f}" y="{ly - 4:.1f}" '
            f'fill="{colour}" text-anchor="middle">{e(label)}</text>'
            f'<title>{e(step.text)}</title></g>')


register_inline(HistoryResult, render_history_html)
