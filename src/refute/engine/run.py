"""The one place that chooses how to explore a model: :func:`run`.

Every caller (the ``check`` command, :func:`refute.check`, the isolation checks) hands it a
model, the search :class:`~refute.engine.bfs.Options` and a :class:`~refute.engine.scale.Scale`,
and gets the same :class:`~refute.engine.result.Result` whatever strategy ran:

* a spec with temporal properties: the sequential search collecting the state graph, then the
  fair-cycle searches (:mod:`.liveness`), in one process whatever the scale asked for (the
  result says so in a warning);
* ``scale.ray``: actors on a Ray cluster (:mod:`.ray_explorer`);
* more than one worker, a memory limit to spill under, or a checkpoint: worker processes on
  this machine (:mod:`.parallel`);
* otherwise the sequential breadth-first search (:mod:`.bfs`).

A new strategy is one module plus one branch here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from refute.engine.bfs import GraphObserver, Options, select_invariants
from refute.engine.liveness import check_model, properties_of
from refute.engine.model import Model
from refute.engine.result import Result
from refute.engine.scale import Scale
from refute.errors import UsageError

_ONE_PROCESS = ("the spec has temporal properties, which are checked in one process: "
                "--workers and --checkpoint were ignored, and --memory-limit stops the run "
                "instead of spilling states to disk")
_CHECKED_AS_TLC = ("the spec has a CONSTRAINT or a PROPERTY's [][A]_v, whose successors are "
                   "checked as TLC checks them in one process: --workers and --checkpoint were "
                   "ignored, and --memory-limit stops the run instead of spilling states to disk")


def run(model: Model, options: Options = Options(), scale: Scale = Scale(),
        observer: GraphObserver | None = None,
        native: Callable[[Options, GraphObserver | None], Result] | None = None) -> Result:
    """Explore ``model`` as ``scale`` says, check its invariants and properties, then its
    postconditions (:meth:`~refute.engine.model.Model.check_postconditions`).

    ``observer`` is told every state and step kept (e.g. ``--dump-graph``); it needs the
    one-process search, so it cannot be combined with a sharded ``scale``. ``native``, when
    given, is a native explorer of the same model (the compiled backend, :mod:`refute.compiled`,
    which promises the interpreter's exact result and state graph) run in place of the
    sequential search, temporal properties and ``observer`` included, when it takes the scale
    (:func:`native_scale`: ``native`` runs ``scale.workers`` workers itself).
    """
    if observer is not None and (scale.ray is not None or sharded(scale)):
        raise UsageError("the whole state graph is kept in one process",
                         hint="drop --workers, --ray, --memory-limit, --checkpoint and --resume")
    model.prepare_run(options.deadlock)
    result = _explore(model, options, scale, observer, native)
    failed = tuple(model.check_postconditions(result) or ())
    return replace(result, warnings=result.warnings + failed) if failed else result


def _explore(model: Model, options: Options, scale: Scale, observer: GraphObserver | None,
             native: Callable[[Options, GraphObserver | None], Result] | None) -> Result:
    if native is not None and native_scale(scale):
        if scale.memory_limit is not None:  # the native search stops there itself
            options = replace(options, memory_limit=scale.memory_limit)
        if observer is None and not properties_of(model):
            return native(options, None)
        result = check_model(model, options, observer=observer, native=native)
        if scale.workers != 1 or scale.checkpoint:
            result = replace(result, warnings=result.warnings + (_ONE_PROCESS,))
        return result
    if observer is not None:
        return check_model(model, options, observer=observer)
    if scale.ray is not None:
        from refute.engine.ray_explorer import check_on_ray

        return check_on_ray(model, options, scale, None if scale.ray == "auto" else scale.ray)
    if not sharded(scale):
        return check_model(model, options)
    one = (_ONE_PROCESS if properties_of(model, options.invariants)
           else _CHECKED_AS_TLC if _checks_every_successor(model, options) else None)
    if one is not None:
        memory_limit = scale.memory_limit if scale.memory_limit is not None else options.memory_limit
        result = check_model(model, replace(options, memory_limit=memory_limit))
        return replace(result, warnings=result.warnings + (one,))
    from refute.engine.parallel import explore_parallel

    return explore_parallel(model, options, scale)


def _checks_every_successor(model: Model, options: Options) -> bool:
    """Whether the search must judge successors the sharded search drops or counts otherwise:
    one outside the constraints, whose invariants TLC checks before dropping it, or one marked
    as failing a check of its step (:attr:`~refute.engine.model.Model.step_violation`), which
    :mod:`.bfs` judges as TLC does."""
    return (getattr(model, "step_violation", None) is not None
            or bool(model.constraints and select_invariants(model, options.invariants)))


def native_scale(scale: Scale) -> bool:
    """Whether the native explorer takes ``scale``: one machine, ``--workers``, checkpoints
    at most (its workers and checkpoints are its own, :mod:`refute.compiled`), or a memory
    limit with one worker (the native search stops at it, incomplete, where the
    interpreter's would spill to disk); no Ray."""
    return (scale.memory_limit is None or scale.workers == 1) and scale.ray is None


def sharded(scale: Scale) -> bool:
    """Whether ``scale`` asks for the sharded search rather than the sequential one."""
    return (scale.workers != 1 or scale.memory_limit is not None or bool(scale.checkpoint)
            or bool(scale.resume))
