"""``refute trace SPEC LOG...``: is each implementation log a behaviour of the spec?"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from typing import Any

import click
from rich.console import Console

from refute.commands.common import (Outputs, json_option, limit_options, quiet_option,
                                    reports_errors, source_of, spec_options, write_json)
from refute.conformance.concurrent import describe_order, validate_concurrent
from refute.conformance.coverage import measure_coverage
from refute.conformance.log import read_log
from refute.conformance.report import print_coverage, print_trace, trace_to_json, worst
from refute.conformance.validate import Options, TraceResult, validate_log
from refute.errors import InputError, UsageError
from refute.limits import Watch
from refute.status import Status


@click.command()
@spec_options()
@click.argument("logs", nargs=-1, required=True, metavar="LOG.jsonl...")
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
@click.option("--clocks", is_flag=True,
              help="Events carry vector clocks (\"meta\": {\"node\": N, \"clock\": {...}}): "
                   "check every order of the events the clocks allow, not the log's order.")
@click.option("--coverage", is_flag=True,
              help="Also report which spec states and action instances the logs reached, "
                   "against the whole spec (explored breadth-first).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="With --coverage: the most spec states to explore for the totals.")
@limit_options("logs are checked event by event until then, and a log not read to its "
               "end is incomplete (exit 3), unless it already failed.")
@json_option()
@quiet_option()
@reports_errors
def trace(spec: str, logs: tuple[str, ...], params: tuple[str, ...], config: str | None,
          allow_read: tuple[str, ...], hidden: tuple[str, ...],
          hidden_depth: int, stutter: tuple[str, ...], max_frontier: int, clocks: bool,
          coverage: bool,
          max_states: int, json_path: str | None, quiet: bool,
          time_limit: float | None = None, memory_limit: int | None = None) -> int:
    """Check that each LOG (JSON lines, one event each) is a behaviour of SPEC.

    Reports, for a log that does not conform, the first event no behaviour explains and the
    spec states possible just before it. Exit codes: 0 every log conforms, 1 one does not,
    2 usage or input error, 3 incomplete (a bound cut the search). See docs/conformance.md.
    """
    model = source_of(spec, params, config, allow_read).load()
    options = Options(hidden=frozenset(hidden), hidden_depth=hidden_depth,
                      stutter=frozenset(stutter), max_frontier=max_frontier)
    measured = None
    if clocks and coverage:
        raise UsageError("--clocks and --coverage cannot be combined",
                         hint="measure coverage on the logs' own order, without --clocks")
    with Watch(time_limit, memory_limit) as watch:
        sources: list = [_Watched(log, watch) for log in logs] if watch.active else list(logs)
        if clocks:
            results = [_every_order(model, source, options) for source in sources]
        elif coverage:
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
    outputs = Outputs()
    if json_path:
        with outputs.writing("--json", json_path):
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
    return outputs.exit_code(status.exit_code)


def _every_order(model: Any, source: Any, options: Options) -> TraceResult:
    """The log checked in every order its vector clocks allow; a failing order is named."""
    name = getattr(source, "name", source)
    found = validate_concurrent(model, read_log(source, name), options, name)
    if not found.order:
        return found.result
    return dataclasses.replace(found.result, warnings=(
        *found.result.warnings, f"the order that fails: {describe_order(found.order)}"))


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
