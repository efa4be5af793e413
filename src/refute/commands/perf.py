"""``refute perf SPEC``: probabilities, costs and "how long must I test" from a spec's graph.

The spec is loaded like ``refute check`` loads it (Python or TLA+); the performance model is
``--model FILE`` or, by default, ``SPEC.perf.yaml`` (``.perf.yml``, ``.perf.toml``) beside
the spec. ``-p NAME=VALUE`` sets a side-file parameter when the side file declares ``NAME``,
else a spec parameter. Exit codes: 0 figures computed, 2 usage or input error, 3 the
exploration stopped early (no figure is given on part of a chain).
"""

from __future__ import annotations

import shlex
import sys

import click

from refute.commands.common import (OUTPUT_FILE, Outputs, json_option, limit_options, quiet_option,
                                    reports_errors, source_of, write_json)
from refute.errors import UsageError
from refute.perf import sidefile
from refute.perf.analysis import analyse
from refute.perf.graph import explore_graph
from refute.perf.report import report_html, write_html
from refute.perf.result import format_number
from refute.perf.sweep import parse_sweep, run_sweep


def _split_parameters(params: tuple[str, ...], declared: dict[str, float]
                      ) -> tuple[dict[str, float], tuple[str, ...]]:
    """Side-file parameters (declared there, as numbers) and the spec's (the rest)."""
    side: dict[str, float] = {}
    spec: list[str] = []
    for item in params:
        name, equals, value = item.partition("=")
        if not equals:
            raise UsageError(f"-p {item!r} is not NAME=VALUE", hint="e.g. -p hit_ratio=0.8")
        if name in declared:
            try:
                side[name] = float(value)
            except ValueError:
                raise UsageError(f"-p {item}: {name} is a side-file parameter and needs a "
                                 "number") from None
        else:
            spec.append(item)
    return side, tuple(spec)


@click.command()
@click.argument("spec", metavar="SPEC.py[:Class] | SPEC.tla")
@click.option("--model", "model_path", metavar="FILE",
              help="The performance model (YAML or TOML); default: SPEC.perf.yaml beside the "
                   "spec, else every choice equally likely.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A side-file parameter, or a spec parameter if the side file has none of "
                   "that name; repeatable.")
@click.option("--config", metavar="FILE", help="The .cfg of a .tla spec (default: beside it).")
@click.option("--allow-read", "allow_read", multiple=True, metavar="PATH",
              help="Let the .tla spec read data files from this file or folder; repeatable.")
@click.option("--within", "within", multiple=True, type=click.IntRange(min=0), metavar="N",
              help="Also give P(the run ended / reached each predicate within N steps); "
                   "repeatable.")
@click.option("--depth", "depths", multiple=True, type=click.IntRange(min=1), metavar="N",
              help="How long must I test: the chance one random run of N steps finds each "
                   "invariant's violation, and the runs needed; repeatable.")
@click.option("--sweep", metavar="NAME=START:STOP:STEP",
              help="Compute the figures at every value of a side-file parameter.")
@click.option("--csv", "csv_path", metavar="FILE", type=OUTPUT_FILE, help="Write the sweep as CSV.")
@json_option("Write the figures as JSON ('-' for stdout).")
@click.option("--html", "html_path", metavar="FILE", type=OUTPUT_FILE,
              help="Write an HTML report (with the sweep's charts).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the simulation (used only for figures with no exact method).")
@click.option("--max-states", type=click.IntRange(min=1), help="Stop exploring (and give no "
              "figure) beyond this many states.")
@limit_options("the run then gives no figure and exits 3.")
@quiet_option()
@reports_errors
def perf(spec: str, model_path: str | None, params: tuple[str, ...], config: str | None,
         allow_read: tuple[str, ...], within: tuple[int, ...], depths: tuple[int, ...], sweep: str | None,
         csv_path: str | None, json_path: str | None, html_path: str | None, seed: int,
         max_states: int | None, time_limit: float | None, quiet: bool,
         memory_limit: int | None = None) -> int:
    """Probabilities, costs and "how long must I test", computed from SPEC's state graph.

    Exit codes: 0 figures computed, 2 usage or input error, 3 exploration incomplete.
    """
    perf_spec = sidefile.load(model_path or sidefile.default_path(spec))
    overrides, spec_params = _split_parameters(params, perf_spec.parameters)
    model = source_of(spec, spec_params, config, allow_read).load()
    perf_spec.check_actions(model.action_names)
    parameters = perf_spec.with_parameters(overrides)
    bounds = {"max_states": max_states, "time_limit": time_limit, "memory_limit": memory_limit}
    graph = explore_graph(model, perf_spec, parameters, **bounds)
    result = analyse(graph, perf_spec, overrides, within=within, depths=depths, seed=seed)

    swept = None
    if sweep:
        name, values = parse_sweep(sweep)
        perf_spec.with_parameters({name: values[0]})  # an unknown name fails here

        def at(value: float):
            point = {**overrides, name: value}
            g = graph
            if name in perf_spec.state_names:
                g = explore_graph(model, perf_spec, perf_spec.with_parameters(point), **bounds)
            return analyse(g, perf_spec, point, within=within, seed=seed)

        swept = run_sweep(name, values, at)
    elif csv_path:
        raise UsageError("--csv writes a sweep", hint="add --sweep NAME=START:STOP:STEP")

    outputs = Outputs()
    if csv_path and swept is not None:
        with outputs.writing("--csv", csv_path), open(csv_path, "w", encoding="utf-8") as handle:
            handle.write(swept.to_csv())
    if json_path:
        payload = result.to_json()
        if swept is not None:
            payload["sweep"] = swept.to_json()
        with outputs.writing("--json", json_path):
            write_json(json_path, payload)
    if html_path:
        command = "refute perf " + " ".join(shlex.quote(a) for a in sys.argv[2:])
        with outputs.writing("--html", html_path):
            write_html(html_path, report_html(result, swept, command))
    if not quiet and json_path != "-":
        for line in result.lines():
            click.echo(line)
        if swept is not None:
            columns = swept.columns()
            click.echo(f"sweep over {swept.parameter}:")
            click.echo("  " + "\t".join([swept.parameter, *columns]))
            for value, point in zip(swept.values, swept.results):
                figures = point.columns()
                click.echo("  " + "\t".join([format_number(value)] + [
                    format_number(figures[c]) if c in figures else "" for c in columns]))
    return outputs.exit_code(0)
