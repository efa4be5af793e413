"""``refute trace SPEC LOG...`` and ``refute testgen SPEC``: conformance of an implementation."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator

import click
from rich.console import Console

from refute.cli import reports_errors, write_json
from refute.conformance.coverage import measure_coverage
from refute.conformance.report import print_coverage, print_trace, trace_to_json, worst
from refute.conformance.testgen import COVER, generate, write_suite
from refute.conformance.validate import Options, TraceResult, validate_log
from refute.errors import InputError
from refute.limits import Watch, limit_options
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec, parse_parameters
from refute.status import Status


@click.command()
@click.argument("spec", metavar="SPEC.py[:Class]")
@click.argument("logs", nargs=-1, required=True, metavar="LOG.jsonl...")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A spec parameter (an argument of its __init__); repeatable.")
@click.option("--hidden", multiple=True, metavar="ACTION",
              help="An action the log never records; explored between events. Repeatable.")
@click.option("--hidden-depth", type=click.IntRange(min=1), default=3, show_default=True,
              help="The most hidden steps between two events.")
@click.option("--stutter", multiple=True, metavar="ACTION",
              help="Events of this action may leave the spec state unchanged (needed for an "
                   "event that is not a spec action). Repeatable.")
@click.option("--max-frontier", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="The most spec states kept as possible at once; beyond it, a rejection "
                   "is reported as incomplete.")
@click.option("--coverage", is_flag=True,
              help="Also report which spec states and action instances the logs reached, "
                   "against the whole spec (explored breadth-first).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="With --coverage: the most spec states to explore for the totals.")
@limit_options("logs are checked event by event until then, and a log not read to its "
               "end is incomplete (exit 3), unless it already failed.")
@click.option("--json", "json_path", metavar="FILE", help="Write the result as JSON ('-' for stdout).")
@click.option("-q", "--quiet", is_flag=True, help="No report on stdout.")
@reports_errors
def trace(spec: str, logs: tuple[str, ...], params: tuple[str, ...], hidden: tuple[str, ...],
          hidden_depth: int, stutter: tuple[str, ...], max_frontier: int, coverage: bool,
          max_states: int, json_path: str | None, quiet: bool,
          time_limit: float | None = None, memory_limit: int | None = None) -> int:
    """Check that each LOG (JSON lines, one event each) is a behaviour of SPEC.

    Reports, for a log that does not conform, the first event no behaviour explains and the
    spec states possible just before it. Exit codes: 0 every log conforms, 1 one does not,
    2 usage or input error, 3 incomplete (a bound cut the search). See docs/conformance.md.
    """
    model = SpecModel(load_spec(spec, parse_parameters(params)))
    options = Options(hidden=frozenset(hidden), hidden_depth=hidden_depth,
                      stutter=frozenset(stutter), max_frontier=max_frontier)
    measured = None
    with Watch(time_limit, memory_limit) as watch:
        sources: list = [_Watched(log, watch) for log in logs] if watch.active else list(logs)
        if coverage:
            measured = measure_coverage(model, sources, options, max_states=max_states)
            results = list(measured.results)
        else:
            results = [validate_log(model, log, options) for log in sources]
    results = [_cut_short(result, source, watch) for result, source in zip(results, sources)]
    if measured is not None:
        measured = dataclasses.replace(measured, results=tuple(results))
    status = worst([r.status for r in results])
    if measured is not None and not measured.complete and status is Status.OK:
        status = Status.INCOMPLETE
    if json_path:
        write_json(json_path, {
            "status": status.value, "spec": model.name,
            "logs": [trace_to_json(r, model.describe_state) for r in results],
            "coverage": None if measured is None else measured.to_json()})
    if not quiet and json_path != "-":
        console = Console(highlight=False, soft_wrap=True)
        for result in results:
            print_trace(result, model.describe_state, console)
        if measured is not None:
            print_coverage(measured, console)
    sys.stdout.flush()
    return status.exit_code


class _Watched:
    """A log's lines, until a limit is reached: reading stops between two events then."""

    def __init__(self, path: str, watch: Watch) -> None:
        self.name, self.watch, self.cut = path, watch, False

    def __iter__(self) -> Iterator[str]:
        try:
            with open(self.name, encoding="utf-8") as handle:
                for line in handle:
                    if self.watch.expired():
                        self.cut = True
                        return
                    yield line
        except FileNotFoundError:
            raise InputError(f"no log file {self.name!r}", file=self.name,
                             hint="give the path of a JSON Lines file") from None
        except OSError as exc:
            raise InputError(f"cannot read the log: {exc.strerror or exc}", file=self.name,
                             hint="give the path of a readable JSON Lines file") from None


def _cut_short(result: TraceResult, source: object, watch: Watch) -> TraceResult:
    """A log a limit stopped reading is incomplete, unless it already failed."""
    if not (isinstance(source, _Watched) and source.cut) or result.status is Status.VIOLATION:
        return result
    note = watch.note(f"{result.events} event(s); the rest of the log was not checked")
    warnings = tuple(w for w in result.warnings if "conforms trivially" not in w)
    return dataclasses.replace(result, status=Status.INCOMPLETE, warnings=(*warnings, note))


@click.command()
@click.argument("spec", metavar="SPEC.py[:Class]")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A spec parameter (an argument of its __init__); repeatable.")
@click.option("--cover", type=click.Choice(COVER), default="actions", show_default=True,
              help="Cover every action, or every reachable transition.")
@click.option("--out", "out_path", required=True, metavar="FILE",
              help="Write the paths here (JSON; '-' for stdout).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="The most spec states to explore.")
@limit_options("the spec is then explored only so far, as at --max-states (exit 3).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stdout.")
@reports_errors
def testgen(spec: str, params: tuple[str, ...], cover: str, out_path: str, max_states: int,
            quiet: bool, time_limit: float | None = None, memory_limit: int | None = None) -> int:
    """Generate a few behaviours of SPEC that together cover every action or transition.

    Each path is a sequence of labelled steps with the state the spec expects after each;
    replay them against the implementation with refute.conformance.replay. Exit codes: 0
    done, 2 usage or spec error, 3 the spec was cut at --max-states.
    """
    model = SpecModel(load_spec(spec, parse_parameters(params)))
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
