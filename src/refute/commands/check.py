"""``refute check SPEC``: explore every reachable state of a spec (any front end)."""

from __future__ import annotations

import functools
import sys
from dataclasses import replace
from typing import Any

import click
from rich.console import Console

from refute.commands.common import (OUTPUT_DIR, OUTPUT_FILE, Outputs, check_writable, limit_options,
                                    quiet_option, report_options, reports_errors, source_of,
                                    spec_options, write_itf, write_json)
from refute.compiled.backend import choose as choose_backend
from refute.compiled.backend import ONE_PROCESS
from refute.compiled.backend import explore as explore_compiled
from refute.compiled.backend import verify as verify_backends
from refute.compiled import checkpoint as compiled_checkpoints
from refute.engine.bfs import Options, Progress
from refute.engine.run import native_scale, run
from refute.engine.scale import Scale
from refute.errors import RefuteError, UsageError
from refute.report.json import result_to_json
from refute.report.text import print_result
from refute.status import Status


@click.command()
@spec_options(required=False)
@report_options
@click.option("--invariant", "invariants", multiple=True, metavar="NAME",
              help="Check only this invariant or temporal property; repeatable. Default: all but those "
                   "declared default=False.")
@click.option("--max-states", type=click.IntRange(min=1), help="Stop after this many distinct states.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Do not explore states deeper than this.")
@limit_options("the run is then incomplete (exit 3) with the counts so far.",
               memory_help="Keep the run's memory under SIZE (e.g. 1G): states spill to disk, "
                           "and a run that does not fit even so stops, incomplete (exit 3).")
@quiet_option("No progress line and no report on stdout.")
@click.option("--isolation", metavar="LEVEL", default=None,
              help="Also check that every finished transaction history in the state satisfies "
                   "LEVEL (read-committed, repeatable-read, snapshot-isolation, serializable, "
                   "strict-serializable); see docs/isolation-in-models.md.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine (states sharded by fingerprint).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              metavar="[ADDRESS]", help="Run on a Ray cluster (default: connect to or start one "
              "locally), one actor per --workers. Needs pip install 'refute[ray]'.")
@click.option("--checkpoint", "checkpoint_dir", metavar="DIR", type=OUTPUT_DIR,
              help="Write a resumable checkpoint into DIR every --checkpoint-interval (the "
                   "compiled backend also where the run stops: time limit, --max-states, Ctrl-C).")
@click.option("--checkpoint-interval", type=click.FloatRange(min=0), default=300.0,
              show_default=True, metavar="SECONDS", help="Seconds between checkpoints.")
@click.option("--resume", "resume_dir", metavar="DIR",
              help="Continue the run checkpointed in DIR (SPEC, -p, --config, --allow-read and "
                   "bounds come from it; --max-states, --time-limit given again replace its).")
@click.option("--dump-graph", "graph_path", metavar="FILE.dot|FILE.json", type=OUTPUT_FILE,
              help="Write the reachable state graph the check explored: Graphviz DOT (.dot, "
                   ".gv) or JSON (.json): states with their values, initial states marked, "
                   "steps labelled with their action.")
@click.option("--backend", type=click.Choice(["auto", "compiled", "interpreted"]), default="auto",
              show_default=True, help="How to explore a TLA+ spec: native code built with the "
              "system's C compiler (compiled), the interpreter, or compiled when the model is in "
              "the compiled subset and a C compiler exists (auto); see docs/compiled.md.")
@click.option("--verify", is_flag=True, help="With the compiled backend: also explore with the "
              "interpreter and compare every state and its successor count; exit 2 on a difference.")
@reports_errors
def check(spec: str | None, params: tuple[str, ...], config: str | None, invariants: tuple[str, ...], no_deadlock: bool,
          max_states: int | None, max_depth: int | None, time_limit: float | None,
          json_path: str | None, itf_path: str | None, quiet: bool,
          html_path: str | None = None, isolation: str | None = None, workers: int = 1,
          ray_address: str | None = None, memory_limit: int | None = None,
          checkpoint_dir: str | None = None, checkpoint_interval: float = 300.0,
          resume_dir: str | None = None, allow_read: tuple[str, ...] = (),
          graph_path: str | None = None, backend: str = "auto", verify: bool = False) -> int:
    """Explore every reachable state of SPEC breadth-first; print the shortest counterexample.

    Exit codes: 0 every property holds, 1 violation, 2 usage or spec error, 3 incomplete.
    """
    source = None if spec is None else source_of(spec, params, config, allow_read)
    resumes_interpreted = False
    if resume_dir is not None:  # the spec and the search are the checkpointed run's
        if compiled_checkpoints.holds(resume_dir):
            backend, workers, resumed = _resuming_compiled(resume_dir, backend, workers)
        else:
            resumes_interpreted, resumed = True, _resuming_interpreted(resume_dir, backend)
        resumed_source, resumed_invariants, deadlock, resumed_bounds = resumed
        source = source if source is not None else resumed_source
        if source is None:
            raise UsageError(f"{resume_dir} does not say which spec it checkpoints (it was "
                             "written by refute.check(), not by refute check)",
                             hint=f"give the spec: refute check SPEC --resume {resume_dir}")
        invariants, no_deadlock = resumed_invariants, not deadlock
        # bounds given again replace the checkpointed run's (e.g. a larger --time-limit after
        # a run it stopped; the compiled backend refuses another --max-depth)
        max_states, max_depth, time_limit = (
            given if given is not None else recorded
            for given, recorded in zip((max_states, max_depth, time_limit), resumed_bounds))
        if checkpoint_dir is None:  # the run goes on checkpointing into the folder it resumes
            check_writable(resume_dir, "--resume", directory=True)
            checkpoint_dir = resume_dir
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
    if not model.checks_deadlock:
        no_deadlock = True  # e.g. CHECK_DEADLOCK FALSE in a .cfg: not checked, so not listed
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
                  memory_limit=memory_limit, source=source, ray=ray_address)
    compiled, notice = choose_backend(model, "compiled" if verify else backend,
                                      _elsewhere(scale, isolation, resumes_interpreted))
    if notice and not quiet:
        err.print(notice)
    if verify:
        if compiled is None:
            raise UsageError("--verify needs the compiled backend, which this run cannot use",
                             hint=notice or "give a TLA+ spec")
        outcome = verify_backends(model, compiled, replace(options, progress=None,
                                                           memory_limit=memory_limit))
        err.print(f"verify: {outcome.message}")
        if outcome.differs:
            raise RefuteError(f"the compiled and interpreted backends differ: {outcome.message}",
                              file=model.source,
                              hint="this is a bug of refute's compiled backend: run with "
                                   "--backend interpreted, and report it")
    plan = None if not (checkpoint_dir or resume_dir) else compiled_checkpoints.Plan(
        checkpoint_dir, checkpoint_interval, resume_dir, source)
    native = None if compiled is None else functools.partial(explore_compiled, model, compiled,
                                                             workers=workers, checkpoint=plan)
    result = run(model, options, scale, observer=graph, native=native)
    if compiled is not None and compiled.one_process and not quiet:
        err.print(ONE_PROCESS)
    if show_progress:
        err.print("\r" + " " * 100 + "\r", end="")
    outputs = Outputs()
    if itf_path:
        with outputs.writing("--itf", itf_path):
            write_itf(itf_path, result, model, err)
    if graph is not None:
        from refute.report.graph import write_graph

        with outputs.writing("--dump-graph", graph_path):
            write_graph(graph_path, graph, model, result)
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, {**result_to_json(result, model),
                                   "backend": "interpreted" if compiled is None else "compiled"})
    if html_path:
        from refute.report.html import write_report
        with outputs.writing("--html", html_path):
            write_report(html_path, result, model, command="check")
    if not quiet and json_path != "-":
        print_result(result, Console(highlight=False, soft_wrap=True), model=model)
        if isolation:
            from refute.isolation.check import anomaly_of, render_anomaly

            anomaly = anomaly_of(model, result)
            if anomaly is not None:
                click.echo()
                click.echo(render_anomaly(model, anomaly))
    sys.stdout.flush()
    if verify and not outcome.complete and result.status is Status.OK:
        return outputs.exit_code(Status.INCOMPLETE.exit_code)  # a comparison cut short: no "holds"
    return outputs.exit_code(result.status.exit_code)


def _elsewhere(scale: Scale, isolation: str | None, resumes_interpreted: bool) -> str | None:
    """An option of this run that the compiled backend does not take yet, if any."""
    if not native_scale(scale):
        return "--ray or --memory-limit with --workers"
    if resumes_interpreted:
        return "--resume of an interpreted run's checkpoint"
    if (scale.checkpoint or scale.resume) and scale.workers != 1:
        return "--checkpoint with --workers"
    if isolation:
        return "--isolation"
    return None


_Resumed = tuple[Any, tuple[str, ...], bool, tuple[int | None, int | None, float | None]]
"""What a checkpoint says of its run: its source, invariants, deadlock checking and bounds
(--max-states, --max-depth, --time-limit)."""


def _resuming_compiled(directory: str, backend: str, workers: int) -> tuple[str, int, _Resumed]:
    """The backend and workers that resume the compiled backend's checkpoint in
    ``directory``, and what it says of its run."""
    from refute.engine.checkpoint import holds as holds_interpreted
    from refute.sources import Source

    if holds_interpreted(directory):
        raise UsageError(f"{directory} holds checkpoints of both backends, so which run to "
                         "resume is not clear",
                         hint=f"remove {compiled_checkpoints.path_of(directory)} (the compiled "
                              "backend's) or the interpreter's checkpoint-*/ and LATEST")
    if backend == "interpreted":
        raise UsageError("the checkpoint was written by the compiled backend, which alone can "
                         "resume it", file=compiled_checkpoints.path_of(directory),
                         hint="resume with --backend compiled (or auto)")
    header, _ = compiled_checkpoints.read(directory)
    if workers != 1:
        Console(stderr=True, highlight=False).print(
            "a compiled backend's checkpoint is resumed in one process: --workers is not used")
    identity = header.identity
    source = None if header.source is None else Source(*header.source)
    return "compiled", 1, (source, identity.invariants, identity.deadlock,
                           (header.max_states, identity.max_depth, header.time_limit))


def _resuming_interpreted(directory: str, backend: str) -> _Resumed:
    """What the interpreter's checkpoint in ``directory`` says of its run (the error of none
    if it holds none)."""
    from refute.engine.checkpoint import load

    meta, _ = load(directory)
    if backend == "compiled":
        raise UsageError(f"{directory} holds a checkpoint of the interpreter, which alone can "
                         "resume it", hint="resume with --backend interpreted (or auto)")
    options = meta.options
    return (meta.source, tuple(options.invariants or ()), options.deadlock,
            (options.max_states, options.max_depth, options.time_limit))
