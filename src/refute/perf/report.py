"""The HTML report of ``refute perf``: the figures as tables and, for a sweep, one SVG line
chart per figure that changes with the parameter. Self-contained: inline CSS and SVG, no
script, nothing fetched; every text from the spec or side file is escaped."""

from __future__ import annotations

import html
import math

from refute.perf.result import PerfResult, format_number
from refute.perf.sweep import Sweep

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd;
text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.method { color: #777; font-size: 0.85em; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { border: 1px solid #ddd; padding: 6px; }
"""


def report_html(result: PerfResult, sweep: Sweep | None = None, command: str = "") -> str:
    """The whole page: the figures at the given parameters, and the sweep's charts."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'>"
             f"<title>refute perf: {html.escape(result.spec)}</title><style>{_STYLE}</style>"
             f"</head><body><h1>Performance of {html.escape(result.spec)}</h1>"]
    if command:
        parts.append(f"<p><code>{html.escape(command)}</code></p>")
    parts.append(f"<p>{result.states:,} states, {result.edges:,} steps; side file "
                 f"{html.escape(result.side_file or '(none)')}</p>")
    if sweep is not None:
        parts.append(f"<h2>Sweep over {html.escape(sweep.parameter)}</h2>")
        parts.append(sweep_charts(sweep))
    parts.append("<h2>Figures</h2>" + figures_table(result))
    if result.hunts:
        rows = "".join(
            f"<tr><td>{html.escape(h.target)}</td><td>{h.mode}</td><td class=n>{h.depth}</td>"
            f"<td class=n>{format_number(h.probability)}</td><td class=n>{h.runs_95 or 'never'}</td>"
            f"<td class=n>{h.runs_99 or 'never'}</td></tr>" for h in result.hunts)
        parts.append("<h2>How long must I test</h2><table><tr><th>bug</th><th>runs</th>"
                     "<th>steps</th><th>P(one run finds it)</th><th>runs for 95%</th>"
                     f"<th>runs for 99%</th></tr>{rows}</table>")
    parts += [f"<p class=method>warning: {html.escape(w)}</p>" for w in result.warnings]
    parts.append("</body></html>")
    return "".join(parts)


def figures_table(result: PerfResult) -> str:
    rows = []

    def row(name: str, figure) -> None:
        rows.append(f"<tr><td>{html.escape(name)}</td><td class=n>{format_number(figure.value)}</td>"
                    f"<td class=method>{html.escape(figure.method)}"
                    + (f" (95% CI {format_number(figure.low)}..{format_number(figure.high)})"
                       if figure.low is not None else f", ±{figure.precision:.1g}")
                    + "</td></tr>")

    for name, figure in result.outcomes.items():
        row(f"P({name})", figure)
    for name, counter in result.counters.items():
        if counter.mean is not None:
            row(f"mean {name}", counter.mean)
            for key, figure in counter.percentiles.items():
                row(f"{key} {name}", figure)
    for name, reach in result.reach.items():
        row(f"P(reach {name})", reach.ever)
    for name, figure in result.long_run.items():
        row(f"long-run {name}", figure)
    return ("<table><tr><th>figure</th><th>value</th><th>method, precision</th></tr>"
            + "".join(rows) + "</table>")


def sweep_charts(sweep: Sweep, width: int = 360, height: int = 220) -> str:
    """One line chart per column whose value changes across the sweep."""
    charts = []
    for column in sweep.columns():
        ys = sweep.series(column)
        points = [(x, y) for x, y in zip(sweep.values, ys) if y is not None and math.isfinite(y)]
        if len(points) < 2 or max(p[1] for p in points) - min(p[1] for p in points) < 1e-12:
            continue
        charts.append(_chart(sweep.parameter, column, points, width, height))
    if not charts:
        return "<p>No figure changes with the parameter.</p>"
    return "<div class=charts>" + "".join(charts) + "</div>"


def _chart(xlabel: str, ylabel: str, points: list[tuple[float, float]], width: int,
           height: int) -> str:
    left, right, top, bottom = 56, 12, 24, 36
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(0.0, min(ys)), max(ys)
    if y1 == y0:
        y1 = y0 + 1
    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)
    def sy(y: float) -> float:
        return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom)
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}"
                    for i, (x, y) in enumerate(points))
    dots = "".join(f"<circle cx='{sx(x):.1f}' cy='{sy(y):.1f}' r='2.5'><title>"
                   f"{html.escape(xlabel)}={format_number(x)}: {format_number(y)}</title></circle>"
                   for x, y in points)
    ticks = "".join(
        f"<text x='{left - 4}' y='{sy(v) + 4:.1f}' text-anchor='end' font-size='10'>"
        f"{format_number(v)}</text><line x1='{left}' x2='{width - right}' y1='{sy(v):.1f}' "
        f"y2='{sy(v):.1f}' stroke='#eee'/>" for v in (y0, (y0 + y1) / 2, y1))
    xticks = "".join(f"<text x='{sx(v):.1f}' y='{height - bottom + 14}' text-anchor='middle' "
                     f"font-size='10'>{format_number(v)}</text>" for v in (x0, (x0 + x1) / 2, x1))
    return (f"<svg class=chart role='img' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' xmlns='http://www.w3.org/2000/svg'>"
            f"<title>{html.escape(ylabel)} against {html.escape(xlabel)}</title>"
            f"<text x='{left}' y='14' font-size='12' font-weight='bold'>"
            f"{html.escape(ylabel)}</text>{ticks}{xticks}"
            f"<text x='{(width + left) / 2:.0f}' y='{height - 6}' text-anchor='middle' "
            f"font-size='11'>{html.escape(xlabel)}</text>"
            f"<path d='{path}' fill='none' stroke='#1f6feb' stroke-width='2'/>"
            f"<g fill='#1f6feb'>{dots}</g></svg>")


def write_html(path: str, text: str) -> None:
    from refute.errors import UsageError
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}",
                         hint="give a path in a writable folder") from None
