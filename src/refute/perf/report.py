"""The HTML report of ``refute perf``: the figures as tables and, for a sweep, one SVG line
chart per figure that changes with the parameter (:mod:`refute.perf.chart`). A page of
:func:`refute.html_page.page`: self-contained, no script, nothing fetched; every text from
the spec or side file is escaped. Importing this module registers the pages that
:class:`~refute.perf.result.PerfResult` and :class:`~refute.perf.sweep.Sweep` show in
notebooks (``_repr_html_``)."""

from __future__ import annotations

import html

from refute.html_page import page, register_inline
from refute.perf.chart import sweep_charts
from refute.perf.result import PerfResult, format_number
from refute.perf.sweep import Sweep

def report_html(result: PerfResult, sweep: Sweep | None = None, command: str = "") -> str:
    """The whole page: the figures at the given parameters, and the sweep's charts."""
    parts = [f"<h1>Performance of {html.escape(result.spec)}</h1>"]
    if command:
        parts.append(f"<p><code>{html.escape(command)}</code></p>")
    parts.append(f"<p class=meta>{result.states:,} states, {result.edges:,} steps; side file "
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
    parts += [f"<p class=note>warning: {html.escape(w)}</p>" for w in result.warnings]
    return page(f"refute perf: {result.spec}", "".join(parts), styles=("base.css", "perf.css"))


def sweep_html(sweep: Sweep) -> str:
    """A page of a sweep alone: its charts, and the figures at its first value."""
    return report_html(sweep.results[0], sweep)


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


register_inline(PerfResult, report_html)
register_inline(Sweep, sweep_html)


def write_html(path: str, text: str) -> None:
    """Write the report; an ``OSError`` is the command's to report (it keeps the verdict)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
