"""``--ray [ADDRESS]``: the sharded search (:mod:`.shard`) with one Ray actor per shard.

The same :class:`~.shard.Shard` and :class:`~.shard.Coordinator` as ``--workers``; only the
transport differs (:class:`_RayWorkers` is the :class:`~.shard.Workers` of a Ray run). Ray
actors cannot share ``multiprocessing`` queues, so the driver runs each level in lockstep
rounds: every actor expands a few blocks (``expand``), the driver routes each batch of
candidate fingerprints to its owner (``answer``) and the answers back (``accept``), until
every actor's frontier is done; then the level's end is the same three steps as in :mod:`.parallel`
(``winners``, ``finish``, ``partial``). Fingerprint batches travel as numpy arrays through
Ray's object store; states never leave their actor except to rebalance (from actor to actor,
not through the driver) and at a resume.

The lockstep rounds cost two round trips through the driver per round, which is the overhead
against ``--workers`` on one machine (see benchmarks/RESULTS.md); on a cluster it buys more
cores than one machine has.

Memory, checkpoints and failures work as with ``--workers``, with the same code:

* ``--memory-limit`` bounds the driver's RSS plus every actor's, wherever they run (Ray's own
  processes and object store are not counted). Each actor's :class:`~.shard.Shard` spills
  (:mod:`.spill`) to the directory it is given (``Scale.spill_dir``; by default the
  temporary directory of the node it runs on: spill files are private to an actor, so a
  node-local disk is right).
* ``--checkpoint DIR``: at a checkpoint each actor writes its own shard into ``DIR``
  (:mod:`.checkpoint`) and the driver the rest, so on a cluster ``DIR`` must be one directory
  every node sees at the same path (a shared file system); a checkpoint whose shards the
  driver cannot see is refused with that explanation. ``--resume DIR --ray`` reads it back
  in the driver and deals the frontier out to the actors again.
* An actor that dies (its process killed, its node lost: Ray's ``RayActorError``) stops the
  run with :class:`~.parallel.WorkerDied` (exit code 3): its shard of the state space is
  lost, so no count is reported; resume from the last checkpoint.

The spec reaches the actors by pickling (Ray uses cloudpickle): a spec loaded from a file is
loaded again in each actor from its :class:`~refute.sources.Source` (the same paths, relative ones
resolved against the driver's working directory; the same ``--allow-read``), so its files and
the data files it reads must exist at those paths on every node.
"""

from __future__ import annotations

import gc
import os
import socket
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from refute.engine import checkpoint as checkpoints
from refute.engine.bfs import Options
from refute.engine.model import Model
from refute.engine.parallel import WorkerDied, explore_sharded
from refute.engine.scale import Scale
from refute.engine.result import Result, WorkerStats
from refute.engine.shard import (Coordinator, LevelReport, Partial, ProgressBoard, Shard)
from refute.engine.spill import rss, worker_share
from refute.errors import RefuteError, UsageError

if TYPE_CHECKING:
    from refute.engine.model import ModelSource

_BLOCKS_PER_ROUND = 4
"""Frontier blocks an actor expands per round: fewer round trips through the driver, and as
many candidate blocks held while their owners answer as a ``--workers`` process holds."""

_ACTOR_MINIMUM = 128 << 20
"""The least share of --memory-limit an actor can run in: a Ray worker process with refute
imported is about 95 MiB before it holds a state."""

_SHARED_DIRECTORY = ("on a Ray cluster, --checkpoint must be a directory that every node sees "
                     "at the same path (a shared file system such as NFS)")


class _Recipe:
    """How an actor gets the Model: the spec file again, or the pickled model itself."""

    def __init__(self, model: Model, source: ModelSource | None) -> None:
        # Actors need not share the driver's working directory.
        self.source = None if source is None else source.under(os.getcwd())
        self.model = None if source else model

    def build(self) -> Model:
        return self.model if self.model is not None else self.source.load()


class _ShardActor:
    """A Shard behind a Ray actor: the methods the driver calls, one per message kind."""

    def __init__(self, recipe: _Recipe, index: int, count: int, options: Options,
                 memory_share: int | None, spill_dir: str | None) -> None:
        model = recipe.build()
        model.init_states()  # a Model may set itself up there (SpecModel learns its state type)
        self.shard = Shard(model, index, count, options, memory_share, spill_dir)
        self.interval = options.progress_interval
        self.deadline: float | None = None
        self.rate = 0.0
        self.measured = (time.perf_counter(), 0)  # (when, generated) of the last rate

    def load(self, ranks, states, fingerprints) -> None:
        self.shard.load(ranks, states, fingerprints)

    def start_level(self, last: bool, seconds_left: float | None) -> None:
        gc.freeze()  # the frontier is long-lived: spare it the cyclic collector's scans
        self.shard.start_level(last)
        # Seconds rather than an instant: the nodes' clocks need not agree.
        self.deadline = None if seconds_left is None else time.perf_counter() + seconds_left

    def expand(self) -> tuple[bool, dict, tuple]:
        """Up to _BLOCKS_PER_ROUND blocks: ``{owner: [(chunk, fps, keys), ...]}``."""
        queries: dict[int, list] = {}
        for _ in range(_BLOCKS_PER_ROUND):
            for owner, query in self.shard.expand(self.deadline).items():
                queries.setdefault(owner, []).append(query)
            if not self.shard.expanding:
                break
        return self.shard.expanding, queries, self.progress()

    def progress(self) -> tuple[float, int, int, int, bool]:
        """(states/s, successors this level, frontier, RSS, spilling), as :mod:`.parallel`'s
        workers report it."""
        shard = self.shard
        now = time.perf_counter()
        then, generated = self.measured
        if now - then >= self.interval:
            self.rate = (shard.generated - generated) / (now - then)
            self.measured = (now, shard.generated)
        return self.rate, shard.level_generated, len(shard.frontier), rss(), shard.budget.spilling

    def answer(self, batches: list) -> list:
        return [(holder, chunk, self.shard.answer(holder, fps, keys))
                for holder, chunk, fps, keys in batches]

    def accept(self, owner_answers: list) -> None:
        for owner, chunk, new in owner_answers:
            self.shard.accept(chunk, owner, new)

    def winners(self):
        return self.shard.winners()

    def finish(self, keys, ranks) -> tuple[LevelReport, Partial]:
        report = self.shard.finish(keys, ranks)
        return report, self.shard.totals()

    def partial(self, key: int) -> Partial:
        return self.shard.partial(key)

    def give(self, amount: int):
        return self.shard.give(amount)

    def take(self, ranks, states) -> None:
        self.shard.take(ranks, states)

    def snapshot(self, path: str) -> None:
        if not os.path.isdir(path):
            raise UsageError(f"--checkpoint: worker {self.shard.index} cannot see {path} on its "
                             f"node ({socket.gethostname()})", hint=_SHARED_DIRECTORY)
        checkpoints.write_shard(path, self.shard.index, *self.shard.snapshot())

    def stop(self) -> WorkerStats:
        stats = self.shard.stats()
        self.shard.close()
        return stats


class _RayWorkers:
    """The :class:`~.shard.Workers` of a run on Ray: one actor per shard, in lockstep rounds.

    Invariant: Ray runs an actor's calls from one caller in the order they were made, so an
    ``accept`` need not be waited for before the same actor's next ``expand``; the level's end
    waits for all of them.
    """

    def __init__(self, ray: Any, model: Model, scale: Scale, coordinator: Coordinator) -> None:
        self.ray = ray
        self.model = model
        self.scale = scale
        self.count = scale.workers
        self.board = ProgressBoard(coordinator)
        self.actors: list = []
        self.index_of: dict[str, int] = {}
        self.accepting: list = []

    def start(self, shares: list, fingerprints: np.ndarray) -> None:
        share = None
        if self.scale.memory_limit is not None:
            share = worker_share(self.scale.memory_limit, self.count,
                                 rss() + len(fingerprints) * 8, _ACTOR_MINIMUM, "Ray actor")
        options = self.board.coordinator.options
        actor_options = Options(invariants=options.invariants, deadlock=options.deadlock,
                                progress_interval=options.progress_interval)
        recipe = _Recipe(self.model, self.scale.source)
        actor = self.ray.remote(num_cpus=1, max_restarts=0)(_ShardActor)
        self.actors = [actor.remote(recipe, index, self.count, actor_options, share,
                                    self.scale.spill_dir) for index in range(self.count)]
        self.index_of = {a._actor_id.hex(): index for index, a in enumerate(self.actors)}
        fingerprints_ref = self.ray.put(fingerprints)
        self.get([a.load.remote(ranks, states, fingerprints_ref)
                  for a, (ranks, states) in zip(self.actors, shares)])

    def get(self, refs: list) -> list:
        """``ray.get``, with Ray's failures turned into refute's."""
        ray = self.ray
        try:
            return ray.get(refs)
        except ray.exceptions.RayTaskError as exc:  # an actor's method raised
            cause = exc.cause
            if isinstance(cause, RefuteError):
                raise cause from None
            raise RefuteError(f"a Ray actor failed: {type(cause).__name__}: {cause}",
                              detail=str(exc)) from None
        except ray.exceptions.RayError as exc:  # an actor, its process or its node is gone
            raise self.died(exc) from None

    def died(self, exc: Exception) -> WorkerDied:
        index = self.index_of.get(getattr(exc, "actor_id", None) or "")
        who = "a worker" if index is None else f"worker {index}"
        if self.scale.checkpoint:
            hint = ("resume from the last checkpoint: refute check --resume "
                    f"{self.scale.checkpoint} --ray")
        else:
            hint = "run again; with --checkpoint DIR a run can be resumed after a failure"
        reason = str(exc).strip().splitlines()
        return WorkerDied(f"{who} (a Ray actor) died: the run is stopped, since its part of the "
                          "state space is lost and the counts would be wrong", hint=hint,
                          detail=f"Ray said: {reason[0]}" if reason else None)

    # -- the Workers protocol -----------------------------------------------------------

    def expand(self, last: bool, deadline: float | None) -> None:
        seconds_left = None if deadline is None else deadline - time.time()
        self.board.new_level()
        self.get([a.start_level.remote(last, seconds_left) for a in self.actors])
        actors = self.actors
        expanding = list(range(self.count))
        while expanding:
            rounds = self.get([actors[i].expand.remote() for i in expanding])
            batches: dict[int, list] = {}
            for holder, (_, queries, progress) in zip(expanding, rounds):
                self.board.update(holder, *progress)
                for owner, chunks in queries.items():
                    batches.setdefault(owner, []).extend(
                        (holder, chunk, fps, keys) for chunk, fps, keys in chunks)
            owners = sorted(batches)
            replies = self.get([actors[o].answer.remote(batches[o]) for o in owners])
            answers: dict[int, list] = {}
            for owner, reply in zip(owners, replies):
                for holder, chunk, new in reply:
                    answers.setdefault(holder, []).append((owner, chunk, new))
            self.accepting += [actors[h].accept.remote(a) for h, a in answers.items()]
            expanding = [i for i, (more, _, _) in zip(expanding, rounds) if more]
            self.board.maybe_report()
        self.get(self.accepting)
        self.accepting = []

    def winners(self) -> list:
        return self.get([a.winners.remote() for a in self.actors])

    def finish(self, per_holder: list) -> list:
        return self.get([a.finish.remote(keys, ranks)
                         for a, (keys, ranks) in zip(self.actors, per_holder)])

    def partial(self, key: int) -> list:
        return self.get([a.partial.remote(key) for a in self.actors])

    def rebalance(self, moves: list[tuple[int, int, int]]) -> None:
        taken = []
        for giver, taker, amount in moves:
            ranks, states = self.actors[giver].give.options(num_returns=2).remote(amount)
            taken.append(self.actors[taker].take.remote(ranks, states))
        self.get(taken)

    def snapshot(self, path: str) -> None:
        self.get([a.snapshot.remote(path) for a in self.actors])

    def shutdown(self) -> tuple[WorkerStats, ...]:
        """Stop every actor; their stats, or none if one could not answer."""
        stats: tuple[WorkerStats, ...] = ()
        try:
            stats = tuple(self.ray.get([a.stop.remote() for a in self.actors], timeout=60))
        except Exception:  # noqa: BLE001 - a dead actor: the run is failing anyway
            pass
        for a in self.actors:
            self.ray.kill(a)
        return stats


def check_on_ray(model: Model, options: Options, scale: Scale, address: str | None) -> Result:
    """Check ``model`` on a Ray cluster (``address`` None: connect to or start a local one)."""
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray, which is not installed",
                         hint="pip install 'refute[ray]'") from None
    if scale.workers < 1:
        raise UsageError("--workers must be at least 1")
    from refute.engine.liveness import properties_of

    if properties_of(model, options.invariants):
        raise UsageError("temporal properties are checked in one process, not on Ray",
                         hint="run without --ray, or select invariants with --invariant")
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    try:
        return _explore(ray, model, options, scale)
    finally:
        if started_here:
            ray.shutdown()


def _explore(ray: Any, model: Model, options: Options, scale: Scale) -> Result:
    return explore_sharded(model, options, scale,
                           lambda coordinator: _RayWorkers(ray, model, scale, coordinator))
