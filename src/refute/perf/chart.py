"""SVG line charts of a sweep: one small chart per figure that changes with the parameter.

Plain inline SVG (no script, nothing fetched), every label escaped; each point carries a
``<title>`` tooltip with its exact value.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from refute.perf.result import format_number

if TYPE_CHECKING:
    from refute.perf.sweep import Sweep


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
