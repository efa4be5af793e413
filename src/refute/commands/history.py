"""``refute history FILE``: check a transaction history against an isolation level.

Same contract as ``refute check``: exit 0 when the level (``--isolation``; ``--model`` is its
older spelling) holds, 1 on a violation, 2 on a usage or input error, 3 when
``--time-limit`` or ``--memory-limit`` cut the search short; ``--json FILE`` writes
``{"status", "valid", "model", "not", "also_not", "anomalies", ..., "stop_reason",
"seconds"}``.

The default level is strict serializable, as for Elle and elle-cli (whose
``--consistency-models`` defaults to ``strict-serializable``).
"""

from __future__ import annotations

import click

from refute.commands.common import (OUTPUT_DIR, OUTPUT_FILE, Outputs, aliased_option,
                                    json_option, limit_options, quiet_option, reports_errors,
                                    write_json)
from refute.history.anomalies import MODELS
from refute.history.checker import DEFAULT_MODEL, WORKLOADS, HistoryResult, check_history
from refute.history.explain import write_plots
from refute.history.formats import FORMATS


@click.command("history")
@click.argument("file", type=click.Path())  # a folder: Cobra's client logs
@aliased_option("--isolation", "-i", "model", aliases=("--model", "-m"), metavar="LEVEL",
                type=click.Choice(MODELS), default=DEFAULT_MODEL, show_default=True,
                help="The isolation level the history should satisfy: "
                     f"{', '.join(MODELS)}.")
@click.option("--workload", "-w", type=click.Choice(WORKLOADS), default=None,
              help="list-append or rw-register; detected from the micro-ops when omitted.")
@click.option("--format", "format_", type=click.Choice(FORMATS), default=None,
              help="edn, json or text (PolySI); detected from the content when omitted.")
@json_option()
@click.option("--plot", "plot_dir", type=OUTPUT_DIR, default=None, metavar="DIR",
              help="Write a Graphviz .dot file per anomaly cycle into DIR (and .svg when "
                   "`dot` is installed).")
@limit_options("the result is then incomplete (exit 3), unless a violation was already "
               "found, with the anomalies found so far.")
@click.option("--html", "html_path", type=OUTPUT_FILE, default=None, metavar="FILE",
              help="Write a self-contained HTML report, each anomaly's cycle drawn as a graph.")
@quiet_option()
@reports_errors
def history(file: str, model: str, workload: str | None, format_: str | None,
            json_path: str | None, plot_dir: str | None, time_limit: float | None,
            html_path: str | None = None, quiet: bool = False,
            memory_limit: int | None = None) -> int:
    """Check the transaction history in FILE (Jepsen EDN or JSON, or PolySI/IsoVista text)
    for isolation anomalies: list-append as Jepsen's Elle does, read-write registers over
    every version order.

    Exit codes: 0 the level holds, 1 violation, 2 usage or input error, 3 incomplete.
    """
    result = check_history(file, model=model, workload=workload, time_limit=time_limit,
                           format=format_, memory_limit=memory_limit)
    speak = not quiet and json_path != "-"
    if speak:
        click.echo(render(result))
    outputs = Outputs()
    if plot_dir:
        with outputs.writing("--plot", plot_dir):
            written = write_plots(result.anomalies + result.other_anomalies, result.history,
                                  plot_dir)
            if speak:
                click.echo(f"wrote {len(written)} plot file(s) to {plot_dir}")
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, result.to_json())
    if html_path:
        from refute.history.html import write_history_html
        with outputs.writing("--html", html_path):
            write_history_html(result, html_path)
    return outputs.exit_code(result.status.exit_code)


def render(result: HistoryResult) -> str:
    """The human-readable report: verdict, the models ruled out, then each anomaly."""
    lines = [f"{result.history.file}: {result.transactions} transactions, {result.workload}, "
             f"{result.edges} dependency edges, {result.seconds:.2f} s"]
    verdict = {"ok": f"{result.model}: holds" + (" (but see the warnings below)" if result.warnings
                                             else ""),
               "violation": f"{result.model}: VIOLATED",
               "incomplete": f"{result.model}: incomplete (no violation found, none ruled out)"}
    lines.append(verdict[result.status.value])
    if result.not_models:
        lines.append(f"not {', '.join(result.not_models)}"
                     + (f"; also not {', '.join(result.also_not)}" if result.also_not else ""))
    for title, findings in (("anomalies", result.anomalies),
                            (f"allowed by {result.model}", result.other_anomalies)):
        if not findings:
            continue
        lines.append(f"{title}:")
        for finding in findings:
            body = finding.explanation.replace("\n", "\n    ")
            lines.append(f"  {finding.type}: {body}")
    shown = len(result.anomalies) + len(result.other_anomalies)
    total = sum(result.counts.values())
    if total > shown:
        lines.append(f"({total - shown} more findings not shown; counts by type: "
                     f"{result.counts})")
    lines.extend(f"note: {note}" for note in result.notes)
    lines.extend(f"warning: {warning}" for warning in result.warnings)
    return "\n".join(lines)
