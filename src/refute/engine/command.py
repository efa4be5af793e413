"""``refute check SPEC.py[:Class]``: explore every reachable state of a Python spec."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from refute.cli import reports_errors, write_json
from refute.engine.bfs import Options, Progress
from refute.engine.liveness import check_model
from refute.report.itf import violation_to_itf
from refute.report.json import result_to_json
from refute.report.text import print_result
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec, parse_parameters


@click.command()
@click.argument("spec", metavar="SPEC.py[:Class]")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A spec parameter (an argument of its __init__); repeatable.")
@click.option("--invariant", "invariants", multiple=True, metavar="NAME",
              help="Check only this invariant or temporal property; repeatable. Default: all.")
@click.option("--no-deadlock", is_flag=True, help="Do not report states without successors.")
@click.option("--max-states", type=click.IntRange(min=1), help="Stop after this many distinct states.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Do not explore states deeper than this.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop after this many seconds.")
@click.option("--json", "json_path", metavar="FILE", help="Write the result as JSON ('-' for stdout).")
@click.option("--itf", "itf_path", metavar="FILE",
              help="Write the counterexample in the ITF trace format (Apalache, Quint).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line and no report on stdout.")
@reports_errors
def check(spec: str, params: tuple[str, ...], invariants: tuple[str, ...], no_deadlock: bool,
          max_states: int | None, max_depth: int | None, time_limit: float | None,
          json_path: str | None, itf_path: str | None, quiet: bool) -> int:
    """Explore every reachable state of SPEC breadth-first; print the shortest counterexample.

    Exit codes: 0 every property holds, 1 violation, 2 usage or spec error, 3 incomplete.
    """
    model = SpecModel(load_spec(spec, parse_parameters(params)))
    err = Console(stderr=True, highlight=False)
    show_progress = not quiet and err.is_terminal

    def progress(p: Progress) -> None:
        rate = p.generated / p.seconds if p.seconds else 0
        err.print(f"\r{p.distinct:,} distinct, {p.generated:,} generated, queue {p.queue:,}, "
                  f"depth {p.depth}, {rate:,.0f} states/s", end="", soft_wrap=True)

    options = Options(invariants=invariants or None, deadlock=not no_deadlock,
                      max_states=max_states, max_depth=max_depth, time_limit=time_limit,
                      progress=progress if show_progress else None)
    result = check_model(model, options)
    if show_progress:
        err.print("\r" + " " * 100 + "\r", end="")
    if itf_path and result.violation is None:
        err.print(f"note: no counterexample, so --itf {itf_path} was not written")
    elif itf_path:
        with open(itf_path, "w", encoding="utf-8") as handle:
            json.dump(violation_to_itf(result.violation, model), handle, indent=2)
            handle.write("\n")
    if json_path:
        write_json(json_path, result_to_json(result, model))
    if not quiet and json_path != "-":
        print_result(result, Console(highlight=False, soft_wrap=True))
    sys.stdout.flush()
    return result.status.exit_code
