"""``refute check SPEC``: explore every reachable state of a Python or TLA+ spec."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import click
from rich.console import Console

from refute.cli import reports_errors, write_json
from refute.engine.bfs import Options, Progress
from refute.errors import UsageError
from refute.limits import limit_options
from refute.report.itf import violation_to_itf
from refute.report.json import result_to_json
from refute.report.text import print_result
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec, parse_parameters


def load_model(spec: str, params: tuple[str, ...] = (), config: str | None = None,
               allow_read: tuple[str, ...] = ()):
    """The Model for a spec path: ``.tla`` (with its .cfg) or a Python spec ``.py[:Class]``."""
    if spec.endswith(".tla"):
        from refute.tla.model import TLAModel
        return TLAModel(spec, config, allow_read)
    if allow_read:
        raise UsageError("--allow-read is for .tla specs (a Python spec reads what its code reads)")
    return SpecModel(load_spec(spec, parse_parameters(params)))


class Source(NamedTuple):
    """The arguments :func:`load_model` loads a spec from, kept to load it again: each Ray
    actor does (:mod:`.ray_explorer`), and a checkpoint records them for ``--resume``
    (:mod:`.checkpoint`). Every one is needed for the same model: a TLA+ spec that reads a
    data file cannot be loaded without its ``--allow-read``. Relative paths are relative to
    the working directory of the process given them."""

    spec: str
    params: tuple[str, ...] = ()
    config: str | None = None
    allow_read: tuple[str, ...] = ()

    def load(self):
        return load_model(*self)

    def under(self, directory: str) -> Source:
        """The same, with relative paths resolved against ``directory``."""
        return self._replace(spec=os.path.join(directory, self.spec),
                             config=self.config and os.path.join(directory, self.config),
                             allow_read=tuple(os.path.join(directory, p) for p in self.allow_read))


def run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``refute check`` and ``refute simulate`` share, defined once: spec
    parameters, deadlock, the reports, and the limits (:func:`refute.limits.limit_options`)."""
    for option in reversed((
        click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="A spec parameter (an argument of its __init__); repeatable."),
        click.option("--no-deadlock", is_flag=True,
                     help="Do not report states without successors."),
        click.option("--json", "json_path", metavar="FILE",
                     help="Write the result as JSON ('-' for stdout)."),
        click.option("--itf", "itf_path", metavar="FILE",
                     help="Write the counterexample in the ITF trace format (Apalache, Quint)."),
        click.option("--html", "html_path", metavar="FILE",
                     help="Write a self-contained HTML report (step table, sequence diagram)."),
    )):
        command = option(command)
    return command


def write_itf(itf_path: str, result: Any, model: Any, err: Console) -> None:
    """``--itf FILE``: the counterexample, or a note that there is none."""
    if result.violation is None:
        err.print(f"note: no counterexample, so --itf {itf_path} was not written")
        return
    with open(itf_path, "w", encoding="utf-8") as handle:
        json.dump(violation_to_itf(result.violation, model), handle, indent=2)
        handle.write("\n")


@click.command()
@click.argument("spec", metavar="SPEC.py[:Class] | SPEC.tla", required=False)
@run_options
@click.option("--invariant", "invariants", multiple=True, metavar="NAME",
              help="Check only this invariant or temporal property; repeatable. Default: all.")
@click.option("--config", "config", metavar="FILE",
              help="The TLC model (.cfg) of a .tla spec; default: the .cfg next to it.")
@click.option("--allow-read", "allow_read", multiple=True, metavar="PATH",
              help="Let the .tla spec read data files (Json's JsonDeserialize) from this file or "
                   "folder; repeatable. Otherwise a spec reads no file but its modules (and never "
                   "writes one or runs a program).")
@click.option("--max-states", type=click.IntRange(min=1), help="Stop after this many distinct states.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Do not explore states deeper than this.")
@limit_options("the run is then incomplete (exit 3) with the counts so far.",
               memory_help="Keep the run's memory under SIZE (e.g. 1G): states spill to disk, "
                           "and a run that does not fit even so stops, incomplete (exit 3).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line and no report on stdout.")
@click.option("--isolation", metavar="LEVEL", default=None,
              help="Also check that every finished transaction history in the state satisfies "
                   "LEVEL (read-committed, repeatable-read, snapshot-isolation, serializable, "
                   "strict-serializable); see docs/isolation-in-models.md.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine (states sharded by fingerprint).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              metavar="[ADDRESS]", help="Run on a Ray cluster (default: connect to or start one "
              "locally), one actor per --workers. Needs pip install 'refute[ray]'.")
@click.option("--checkpoint", "checkpoint_dir", metavar="DIR",
              help="Write a resumable checkpoint into DIR every --checkpoint-interval.")
@click.option("--checkpoint-interval", type=click.FloatRange(min=0), default=300.0,
              show_default=True, metavar="SECONDS", help="Seconds between checkpoints.")
@click.option("--resume", "resume_dir", metavar="DIR",
              help="Continue the run checkpointed in DIR (SPEC, -p, --config, --allow-read and "
                   "bounds come from it).")
@click.option("--dump-graph", "graph_path", metavar="FILE.dot|FILE.json",
              help="Write the reachable state graph the check explored: Graphviz DOT (.dot, "
                   ".gv) or JSON (.json): states with their values, initial states marked, "
                   "steps labelled with their action.")
@reports_errors
def check(spec: str | None, params: tuple[str, ...], config: str | None, invariants: tuple[str, ...], no_deadlock: bool,
          max_states: int | None, max_depth: int | None, time_limit: float | None,
          json_path: str | None, itf_path: str | None, quiet: bool,
          html_path: str | None = None, isolation: str | None = None, workers: int = 1,
          ray_address: str | None = None, memory_limit: int | None = None,
          checkpoint_dir: str | None = None, checkpoint_interval: float = 300.0,
          resume_dir: str | None = None, allow_read: tuple[str, ...] = (),
          graph_path: str | None = None) -> int:
    """Explore every reachable state of SPEC breadth-first; print the shortest counterexample.

    Exit codes: 0 every property holds, 1 violation, 2 usage or spec error, 3 incomplete.
    """
    from refute.engine.parallel import Scale, check_scaled

    source = None if spec is None else Source(spec, params, config, allow_read)
    if resume_dir is not None:  # the spec and the bounds are the checkpointed run's
        from refute.engine.checkpoint import load

        meta, _ = load(resume_dir)
        if source is None:
            source = meta.source
        if source is None:
            raise UsageError(f"{resume_dir} does not say which spec it checkpoints (it was "
                             "written by refute.check(), not by refute check)",
                             hint=f"give the spec: refute check SPEC --resume {resume_dir}")
        invariants = tuple(meta.options.invariants or ())
        no_deadlock, max_states = not meta.options.deadlock, meta.options.max_states
        max_depth, time_limit = meta.options.max_depth, meta.options.time_limit
        checkpoint_dir = checkpoint_dir or resume_dir
    elif source is None:
        raise UsageError("missing SPEC", hint="refute check path/to/spec.py[:Class]")
    graph = None
    if graph_path is not None:
        from refute.engine.state_graph import StateGraphRecorder
        from refute.report.graph import graph_format

        graph_format(graph_path)  # a wrong extension is a usage error before the run
        if workers != 1 or ray_address is not None or memory_limit is not None \
                or checkpoint_dir or resume_dir:
            raise UsageError("--dump-graph needs the whole graph in one process",
                             hint="drop --workers, --ray, --memory-limit, --checkpoint and "
                                  "--resume, or --dump-graph")
        graph = StateGraphRecorder()
    model = source.load()
    if not getattr(getattr(model, "config", None), "check_deadlock", True):
        no_deadlock = True  # CHECK_DEADLOCK FALSE in the .cfg: not checked, so not listed
    if isolation:
        from refute.isolation.check import with_isolation
        model = with_isolation(model, isolation)
        invariants = invariants + (isolation,) if invariants and isolation not in invariants \
            else invariants
    err = Console(stderr=True, highlight=False)
    show_progress = not quiet and err.is_terminal

    def progress(p: Progress) -> None:
        rate = p.generated / p.seconds if p.seconds else 0
        per_worker = "".join(f" | w{w.worker} {w.states_per_second:,.0f}/s {w.rss >> 20} MiB"
                             + (" spilling" if w.spilling else "")
                             for w in getattr(p, "workers", ()))  # --workers, --ray
        err.print(f"\r{p.distinct:,} distinct, {p.generated:,} generated, queue {p.queue:,}, "
                  f"depth {p.depth}, {rate:,.0f} states/s{per_worker}", end="", soft_wrap=True)

    options = Options(invariants=invariants or None, deadlock=not no_deadlock,
                      max_states=max_states, max_depth=max_depth, time_limit=time_limit,
                      progress=progress if show_progress else None)
    scale = Scale(workers=workers, checkpoint=checkpoint_dir,
                  checkpoint_interval=checkpoint_interval, resume=resume_dir,
                  memory_limit=memory_limit, source=source)
    if graph is not None:  # the one-process search, telling the recorder what it keeps
        from refute.engine.liveness import check_model

        result = check_model(model, options, observer=graph)
    elif ray_address is not None:
        from refute.engine.ray_explorer import check_on_ray

        result = check_on_ray(model, options, scale, None if ray_address == "auto" else ray_address)
    else:
        result = check_scaled(model, options, scale)
    if show_progress:
        err.print("\r" + " " * 100 + "\r", end="")
    check_postconditions = getattr(model, "check_postconditions", None)  # TLA+'s POSTCONDITION
    if check_postconditions is not None:
        check_postconditions(result)
    if itf_path:
        write_itf(itf_path, result, model, err)
    if graph is not None:
        from refute.report.graph import write_graph

        write_graph(graph_path, graph, model, result)
    if json_path:
        write_json(json_path, result_to_json(result, model))
    if html_path:
        from refute.report.html import write_report
        write_report(html_path, result, model, command="check")
    if not quiet and json_path != "-":
        print_result(result, Console(highlight=False, soft_wrap=True), model=model)
        if isolation:
            from refute.isolation.command import print_anomaly
            print_anomaly(model, result)
    sys.stdout.flush()
    return result.status.exit_code
