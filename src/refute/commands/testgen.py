"""``refute testgen SPEC``: a few behaviours that together cover every action or transition."""

from __future__ import annotations

import sys

import click

from refute.commands.common import (OUTPUT_FILE_OR_STDOUT, Outputs, json_option, limit_options,
                                    quiet_option, reports_errors, source_of, spec_options,
                                    write_json)
from refute.conformance.testgen import COVER, generate, write_suite
from refute.errors import UsageError
from refute.limits import Watch
from refute.status import Status


@click.command()
@spec_options()
@click.option("--cover", type=click.Choice(COVER), default="actions", show_default=True,
              help="Cover every action, or every reachable transition.")
@click.option("--out", "out_path", required=True, metavar="FILE", type=OUTPUT_FILE_OR_STDOUT,
              help="Write the paths here (JSON; '-' for stdout).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="The most spec states to explore.")
@limit_options("the spec is then explored only so far, as at --max-states (exit 3).")
@quiet_option("No summary on stdout.")
@json_option("Write the summary (what is covered, what is not) as JSON ('-' for stdout).")
@reports_errors
def testgen(spec: str, params: tuple[str, ...], config: str | None, allow_read: tuple[str, ...],
            cover: str, out_path: str, max_states: int, quiet: bool,
            json_path: str | None = None, time_limit: float | None = None,
            memory_limit: int | None = None) -> int:
    """Generate a few behaviours of SPEC that together cover every action or transition.

    Each path is a sequence of labelled steps with the state the spec expects after each;
    replay them against the implementation with refute.conformance.replay. Exit codes: 0
    done, 2 usage or spec error, 3 the spec was cut at --max-states.
    """
    if out_path == "-" and json_path == "-":
        raise UsageError("--out - and --json - would both write to standard output",
                         hint="give one of them a file")
    model = source_of(spec, params, config, allow_read).load()
    with Watch(time_limit, memory_limit) as watch:
        suite = generate(model, cover, max_states, watch=watch)
    status = Status.OK if suite.complete else Status.INCOMPLETE
    outputs = Outputs()
    with outputs.writing("--out", out_path):
        write_suite(suite, sys.stdout if out_path == "-" else out_path)
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, {
                "status": status.value, "spec": suite.spec, "cover": cover,
                "paths": len(suite.paths), "steps": suite.steps, "covered": suite.covered,
                "total": suite.total, "uncovered": list(suite.uncovered),
                "states": suite.states, "transitions": suite.transitions,
                "complete": suite.complete, "out": out_path})
    if not quiet and "-" not in (out_path, json_path):
        click.echo(f"{len(suite.paths)} path(s), {suite.steps} step(s) cover {suite.covered} of "
                   f"{suite.total} {cover} of {suite.spec} ({suite.states} states, "
                   f"{suite.transitions} transitions); written to {out_path}")
        if suite.uncovered:
            why = "not reachable" if suite.complete else "not reached within the bounds"
            click.echo(f"never covered ({why}): {', '.join(suite.uncovered[:10])}"
                       + (" ..." if len(suite.uncovered) > 10 else ""))
        if not suite.complete:
            bound = "--max-states" if watch.reason is None else watch.reason.option
            click.echo(f"note: the spec was explored only to {bound}; transitions beyond "
                       "it are not covered")
    return outputs.exit_code(status.exit_code)
