"""``refute fuzz TARGET``: model-guided testing of an asyncio implementation against its spec."""

from __future__ import annotations

import json

import click

from refute.commands.common import (OUTPUT_FILE, Outputs, json_option, limit_options, quiet_option,
                                    reports_errors, write_json)
from refute.engine.model import Model
from refute.errors import InputError
from refute.limits import Watch
from refute.status import Status
from refute.testing.campaign import (STRATEGIES, fuzz as run_campaign, reachable_states,
                                     read_reproduction, run_once)
from refute.testing.oracle import ModelCoverage
from refute.testing.report import describe_run, text, to_html, to_json
from refute.testing.target import Target, load_target


@click.command()
@click.argument("target", metavar="TARGET.py[:NAME]")
@click.option("--strategy", "strategies", multiple=True, type=click.Choice(STRATEGIES),
              help="A strategy to run (repeatable); default: all three.")
@click.option("--runs", type=click.IntRange(min=1), default=200, show_default=True,
              help="The most runs per strategy.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The campaign's seed: the same seed gives the same runs.")
@click.option("--keep-going", is_flag=True,
              help="Do not stop at the first bug: use every run (for coverage figures).")
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Explore the spec whole up to this many states, to report the fraction "
                   "of its states covered (beyond it, the fraction is not reported).")
@click.option("--replay", "replay_path", metavar="FILE",
              help="Instead of fuzzing, replay the reproduction in FILE (refute fuzz --json "
                   "output): the same run again, reported; exit 1 if it fails again.")
@limit_options("the campaign then stops between two runs, and one that found no bug is "
               "incomplete (exit 3).")
@json_option()
@click.option("--html", "html_path", metavar="FILE", type=OUTPUT_FILE,
              help="Write an HTML report with the coverage chart.")
@quiet_option()
@reports_errors
def fuzz(target: str, strategies: tuple[str, ...], runs: int, seed: int, keep_going: bool,
         max_states: int, replay_path: str | None, json_path: str | None,
         html_path: str | None, quiet: bool, time_limit: float | None = None,
         memory_limit: int | None = None) -> int:
    """Run TARGET's implementation under simulated faults, checked against its spec.

    Each run is a deterministic simulation (virtual time, a faulty network, crashes) whose
    events are validated against the spec as they happen. Reports per strategy the run that
    found the first bug, model coverage over runs, and the chance that one more run reaches a
    new model state. Exit codes: 0 no bug, 1 a bug (with its reproduction), 2 usage or input
    error, 3 incomplete (a limit stopped a campaign that had found no bug). See
    docs/testing-implementations.md.
    """
    loaded = load_target(target)
    model = loaded.model()
    if replay_path:
        return _replay(loaded, model, replay_path, quiet)
    with Watch(time_limit, memory_limit) as watch:
        reachable = reachable_states(model, max_states, watch)
        campaigns = [run_campaign(loaded, strategy, runs, seed, model,
                                  stop_at_first_bug=not keep_going, reachable=reachable,
                                  watch=watch)
                     for strategy in (strategies or STRATEGIES)]
    verdict = (Status.VIOLATION if any(c.first_bug for c in campaigns)
               else Status.INCOMPLETE if any(c.stopped for c in campaigns) else Status.OK)
    if not quiet and json_path != "-":
        click.echo(text(campaigns, model))
    outputs = Outputs()
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, to_json(campaigns, model, target, verdict))
    if html_path:
        with outputs.writing("--html", html_path), open(html_path, "w", encoding="utf-8") as handle:
            handle.write(to_html(campaigns, model, target))
    return outputs.exit_code(verdict.exit_code)


def _replay(target: Target, model: Model, path: str, quiet: bool) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise InputError(f"cannot read the reproduction: {exc.strerror or exc}", file=path,
                         hint="give the path of refute fuzz --json output") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the reproduction is not JSON: {exc}", file=path,
                         hint="give the path of refute fuzz --json output") from None
    seed, schedule, faults = read_reproduction(data, path)
    run = run_once(target, ModelCoverage(model), seed, schedule, faults, count=False)
    if not quiet:
        click.echo(f"replay of {path}:")
        click.echo("\n".join(describe_run(run, model)))
    return 1 if run.failed else 0
