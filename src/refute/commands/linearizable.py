"""``refute linearizable FILE``: check a history for linearizability.

Exit codes as every refute command: 0 linearizable, 1 not linearizable, 2 usage or input
error, 3 unknown (``--time-limit`` or ``--memory-limit`` stopped the search). ``--json FILE``
writes the result object described in docs/linearizability.md; ``--html FILE`` the timeline
visualisation.
"""

from __future__ import annotations

import click

from refute.commands.common import (OUTPUT_FILE, Outputs, aliased_option, json_option,
                                    limit_options, quiet_option, reports_errors, write_json)
from refute.linearize.history import read_history
from refute.linearize.html import write_html
from refute.linearize.model import MODELS
from refute.linearize.result import Verdict
from refute.linearize.search import check_operations

_COLOURS = {Verdict.LINEARIZABLE: "green", Verdict.NOT_LINEARIZABLE: "red",
            Verdict.UNKNOWN: "yellow"}


@click.command("linearizable")
@click.argument("file", type=click.Path(dir_okay=False))
@aliased_option("--object", "object_type", aliases=("--model",), metavar="TYPE",
                type=click.Choice(sorted(MODELS)), default="cas-register", show_default=True,
                help="The sequential object the history's operations act on: "
                     f"{', '.join(sorted(MODELS))}.")
@click.option("--format", "format_", type=click.Choice(["auto", "edn", "json", "etcd-log"]),
              default="auto", show_default=True,
              help="The history's format; auto goes by the content.")
@click.option("--independent", is_flag=True,
              help="Values are Jepsen independent [key value] pairs: one object per key.")
@limit_options("the verdict is then unknown (exit 3), never a guess.")
@json_option()
@click.option("--html", "html_path", metavar="FILE", default=None, type=OUTPUT_FILE,
              help="Write the history's timelines and linearization as HTML to FILE.")
@quiet_option("No verdict on stdout (errors still go to stderr).")
@reports_errors
def linearizable(file: str, object_type: str, format_: str, independent: bool,
                 time_limit: float | None, json_path: str | None,
                 html_path: str | None, quiet: bool = False,
                 memory_limit: int | None = None) -> int:
    """Check that the operations in the history FILE are linearizable.

    FILE is a Jepsen EDN history, a Jepsen etcd log, or JSON. A :fail operation did not
    happen; an :info one may have taken effect at any point after its call, or never.
    """
    history = read_history(file, format_, independent=independent)
    result = check_operations(MODELS[object_type], history.operations,
                              time_limit=time_limit, file=file, failed=history.failed,
                              skipped=history.skipped, memory_limit=memory_limit)
    if not quiet:
        head, _, rest = result.explain().partition("\n")
        click.secho(head, fg=_COLOURS[result.verdict], bold=True,
                    err=json_path == "-")
        if rest:
            click.echo(rest, err=json_path == "-")
    outputs = Outputs()
    if html_path:
        with outputs.writing("--html", html_path):
            write_html(result, html_path)
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, result.to_json())
    return outputs.exit_code(result.status.exit_code)
