"""``refute simulate SPEC``: random behaviours of a spec (any front end), checked step by step."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape

from refute.commands.common import (Outputs, limit_options, quiet_option, report_options,
                                    reports_errors, source_of, spec_options, write_itf,
                                    write_json)
from refute.engine.simulate import Simulation, SimulationOptions, simulate as run_simulation
from refute.report.json import result_to_json
from refute.report.text import print_result


@click.command()
@spec_options()
@report_options
@click.option("--traces", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many random behaviours to run.")
@click.option("--depth", type=click.IntRange(min=1), default=100, show_default=True,
              help="The most steps in one behaviour.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The random seed: the same seed gives the same behaviours and counterexample.")
@click.option("--no-swarm", is_flag=True,
              help="Let every trace take every action (default: each trace disables a random "
                   "subset of the actions, swarm testing).")
@click.option("--invariant", "invariants", multiple=True, metavar="NAME",
              help="Check only this invariant; repeatable. Default: all but those declared "
                   "default=False.")
@limit_options("the run ends (exit 3) with the traces run so far.")
@quiet_option()
@reports_errors
def simulate(spec: str, params: tuple[str, ...], config: str | None, allow_read: tuple[str, ...],
             traces: int, depth: int, seed: int, no_swarm: bool, invariants: tuple[str, ...],
             no_deadlock: bool, time_limit: float | None, json_path: str | None,
             itf_path: str | None, quiet: bool, html_path: str | None = None,
             memory_limit: int | None = None) -> int:
    """Run random behaviours of SPEC, checking invariants and deadlock at every step.

    A violation is shrunk and printed like any counterexample. Finding none proves nothing
    (exit 3), but the report says which bugs the clean traces make unlikely.
    Exit codes: 1 violation, 2 usage or spec error, 3 no violation found.
    """
    model = source_of(spec, params, config, allow_read).load()
    if not model.checks_deadlock:
        no_deadlock = True  # e.g. CHECK_DEADLOCK FALSE in a .cfg
    options = SimulationOptions(traces=traces, depth=depth, seed=seed, swarm=not no_swarm,
                                invariants=invariants or None, deadlock=not no_deadlock,
                                time_limit=time_limit, memory_limit=memory_limit)
    outcome = run_simulation(model, options)
    result = outcome.result
    outputs = Outputs()
    if itf_path:
        with outputs.writing("--itf", itf_path):
            write_itf(itf_path, result, model, Console(stderr=True))
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, {**result_to_json(result, model),
                                   "simulation": simulation_to_json(outcome)})
    if html_path:
        from refute.report.html import write_report
        mode = "swarm" if outcome.swarm else "uniform"
        with outputs.writing("--html", html_path):
            write_report(html_path, result, model, command="simulate",
                         notes=[f"simulated {outcome.traces:,} trace(s), {outcome.steps:,} "
                                f"steps, seed {outcome.seed}, {mode}"])
    if not quiet and json_path != "-":
        console = Console(highlight=False, soft_wrap=True)
        print_result(result, console, model=model)
        print_statistics(outcome, console)
    sys.stdout.flush()
    return outputs.exit_code(result.status.exit_code)


def simulation_to_json(outcome: Simulation) -> dict:
    """The ``simulation`` object of ``--json``: what was run and what it rules out."""
    return {"traces": outcome.traces, "steps": outcome.steps, "seed": outcome.seed,
            "swarm": outcome.swarm, "failing_trace": outcome.failing_trace,
            "original_length": outcome.original_length,
            "steps_per_second": round(outcome.steps_per_second, 1),
            "ruled_out_at_95": outcome.ruled_out_at_95}


def print_statistics(outcome: Simulation, console: Console) -> None:
    mode = "swarm" if outcome.swarm else "uniform"
    console.print(f"simulated {outcome.traces:,} trace(s), {outcome.steps:,} steps "
                  f"({outcome.steps_per_second:,.0f}/s), seed {outcome.seed}, {mode}")
    if outcome.failing_trace is not None:
        console.print(f"trace {outcome.failing_trace} failed after "
                      f"{outcome.original_length - 1} step(s); shrunk to "
                      f"{len(outcome.result.violation.trace) - 1} (rerun: --seed {outcome.seed})")
    p = outcome.ruled_out_at_95
    if outcome.result.violation is None and p is not None:
        console.print(escape(
            f"with {outcome.traces:,} clean traces, a bug that one trace hits with probability "
            f"{p:.2%} or more would have been found with 95% confidence ((1-p)^n <= 0.05); "
            "rarer bugs may remain"))
