"""``refute testgen SPEC``: a few behaviours that together cover every action or transition."""

from __future__ import annotations

import sys

import click

from refute.commands.common import limit_options, reports_errors, source_of, spec_options
from refute.conformance.testgen import COVER, generate, write_suite
from refute.limits import Watch
from refute.status import Status


@click.command()
@spec_options()
@click.option("--cover", type=click.Choice(COVER), default="actions", show_default=True,
              help="Cover every action, or every reachable transition.")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Write the paths here (JSON; '-' for stdout).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="The most spec states to explore.")
@limit_options("the spec is then explored only so far, as at --max-states (exit 3).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stdout.")
@reports_errors
def testgen(spec: str, params: tuple[str, ...], config: str | None, allow_read: tuple[str, ...],
            cover: str, out_path: str, max_states: int, quiet: bool,
            time_limit: float | None = None, memory_limit: int | None = None) -> int:
    """Generate a few behaviours of SPEC that together cover every action or transition.

    Each path is a sequence of labelled steps with the state the spec expects after each;
    replay them against the implementation with refute.conformance.replay. Exit codes: 0
    done, 2 usage or spec error, 3 the spec was cut at --max-states.
    """
    model = source_of(spec, params, config, allow_read).load()
    with Watch(time_limit, memory_limit) as watch:
        suite = generate(model, cover, max_states, watch=watch)
    write_suite(suite, sys.stdout if out_path == "-" else out_path)
    if not quiet and out_path != "-":
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
    return (Status.OK if suite.complete else Status.INCOMPLETE).exit_code
