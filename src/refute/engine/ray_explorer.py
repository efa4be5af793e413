"""``--ray [ADDRESS]``: the sharded search (:mod:`.shard`) with one Ray actor per shard.

The same :class:`~.shard.Shard` and :class:`~.shard.Coordinator` as ``--workers``; only the
transport differs. Ray actors cannot share ``multiprocessing`` queues, so the driver runs each
level in lockstep rounds: every actor expands one block (``expand``), the driver routes each
batch of candidate fingerprints to its owner (``answer``) and the answers back (``accept``),
until every actor's frontier is done; then the level's end is the same three calls as in
:mod:`.parallel` (``winners``, ``finish``, ``partial``). Fingerprint batches travel as numpy
arrays through Ray's object store; states never leave their actor except to rebalance.

The lockstep rounds cost a round trip through the driver per block, which is the overhead
against ``--workers`` on one machine (see benchmarks/RESULTS.md); on a cluster it buys more
cores than one machine has.

The spec reaches the actors by pickling (Ray uses cloudpickle): a spec loaded from a file is
re-imported in each actor from the same path, so the file must exist at that path on every
node (a shared file system, or Ray's ``runtime_env={"working_dir": ...}``). Checkpoints and
``--memory-limit`` are not supported on Ray yet: each actor may spill to its node's disk in
a later version; the options are refused rather than ignored.
"""

from __future__ import annotations

from typing import Any

from refute.engine.bfs import Options
from refute.engine.model import Model
from refute.engine.parallel import Scale
from refute.engine.result import Result
from refute.engine.shard import Coordinator, Shard, plan_rebalance
from refute.errors import UsageError


class _Recipe:
    """How an actor gets the Model: the spec file again, or the pickled model itself."""

    def __init__(self, model: Model, source: tuple | None) -> None:
        self.source = source
        self.model = None if source else model

    def build(self) -> Model:
        if self.model is not None:
            return self.model
        from refute.engine.command import load_model

        spec, params, config = self.source
        return load_model(spec, params, config)


class _ShardActor:
    """A Shard behind a Ray actor: the methods the driver calls, one per message kind."""

    def __init__(self, recipe: _Recipe, index: int, count: int, options: Options) -> None:
        model = recipe.build()
        model.init_states()  # a Model may set itself up there (SpecModel learns its state type)
        self.shard = Shard(model, index, count, options)

    def load(self, ranks, states, fingerprints) -> None:
        self.shard.load(ranks, states, fingerprints)

    def start_level(self, last: bool) -> None:
        self.shard.start_level(last)

    def expand(self) -> tuple[bool, dict]:
        queries = self.shard.expand()
        return self.shard.expanding, queries

    def answer(self, batches: list) -> list:
        return [(holder, chunk, self.shard.answer(holder, fps, keys))
                for holder, chunk, fps, keys in batches]

    def accept(self, owner_answers: list) -> None:
        for owner, chunk, new in owner_answers:
            self.shard.accept(chunk, owner, new)

    def winners(self):
        return self.shard.winners()

    def finish(self, keys, ranks):
        report = self.shard.finish(keys, ranks)
        return report, self.shard.totals()

    def partial(self, parent: int, key: int):
        return self.shard.partial(parent, key)

    def give(self, amount: int):
        return self.shard.give(amount)

    def take(self, ranks, states) -> None:
        self.shard.take(ranks, states)


def check_on_ray(model: Model, options: Options, scale: Scale, address: str | None) -> Result:
    """Check ``model`` on a Ray cluster (``address`` None: connect to or start a local one)."""
    try:
        import ray
    except ImportError:
        raise UsageError("--ray needs Ray, which is not installed",
                         hint="pip install 'refute[ray]'") from None
    if scale.memory_limit is not None or scale.checkpoint or scale.resume:
        raise UsageError("--memory-limit, --checkpoint and --resume are not supported with "
                         "--ray yet", hint="use --workers N on one machine for those")
    from refute.engine.liveness import properties_of

    if properties_of(model):
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
    count = scale.workers
    coordinator = Coordinator(model, options, count)
    result, shares, fingerprints = coordinator.initial()
    if result is not None:
        return result
    actor = ray.remote(num_cpus=1)(_ShardActor)
    recipe = _Recipe(model, scale.source)
    options = Options(invariants=options.invariants, deadlock=options.deadlock)
    actors = [actor.remote(recipe, index, count, options) for index in range(count)]
    fingerprints_ref = ray.put(fingerprints)
    ray.get([a.load.remote(ranks, states, fingerprints_ref)
             for a, (ranks, states) in zip(actors, shares)])
    del shares
    try:
        while True:
            ray.get([a.start_level.remote(coordinator.last_level) for a in actors])
            expanding = list(range(count))
            while expanding:
                rounds = ray.get([actors[i].expand.remote() for i in expanding])
                batches: dict[int, list] = {}
                for holder, (more, queries) in zip(expanding, rounds):
                    for owner, (chunk, fps, keys) in queries.items():
                        batches.setdefault(owner, []).append((holder, chunk, fps, keys))
                answers: dict[int, list] = {}
                owners = sorted(batches)
                replies = ray.get([actors[o].answer.remote(batches[o]) for o in owners])
                for owner, reply in zip(owners, replies):
                    for holder, chunk, new in reply:
                        answers.setdefault(holder, []).append((owner, chunk, new))
                ray.get([actors[h].accept.remote(a) for h, a in answers.items()])
                expanding = [i for i, (more, _) in zip(expanding, rounds) if more]
            winners = ray.get([a.winners.remote() for a in actors])
            least_new = [w[2] for w in winners if w[2] is not None]
            per_holder = coordinator.assign_ranks([w[:2] for w in winners])
            finished = ray.get([a.finish.remote(k, r) for a, (k, r) in zip(actors, per_holder)])
            reports = [f[0] for f in finished]
            event = coordinator.first_event(reports)
            if event is not None and event[1] != "error":
                limits = coordinator.cut_limits(event)
                counts = ray.get([a.partial.remote(*limits) for a in actors])
            else:
                counts = [f[1] for f in finished]
            result = coordinator.conclude(event, counts, min(least_new) if least_new else None,
                                          False)
            if result is not None:
                return result
            for giver, taker, amount in plan_rebalance([r.frontier for r in reports]):
                ranks, states = ray.get(actors[giver].give.remote(amount))
                ray.get(actors[taker].take.remote(ranks, states))
    finally:
        for a in actors:
            ray.kill(a)
