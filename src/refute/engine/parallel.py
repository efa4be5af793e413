"""``--workers N``: the sharded search (:mod:`.shard`) in N processes on one machine.

The main process is the coordinator (ranks, parent links, events, checkpoints; it expands
nothing, so N workers keep N cores busy); each worker process owns one :class:`~.shard.Shard`.
Workers are forked, so a spec loaded from a file (or built in a notebook) needs no pickling.
The level loop is :meth:`.shard.Coordinator.run`, shared with ``--ray``; :class:`_Run` is its
:class:`~.shard.Workers`, carrying the steps of a level as messages.

Within a level the workers talk to each other directly and asynchronously: a worker sends
each owner its candidate fingerprints for a block and goes on expanding the next block while
the answers come back; each process has one inbox (a ``multiprocessing.Queue``, whose sends
never block, so two workers sending to each other cannot deadlock). Only the level's end is a
barrier: a worker reports *done* once it has expanded everything and every question it asked
was answered, which also means every question asked *of* it was answered; when all are done no
message of the level is in flight.

Failure: a worker that dies (killed, out of memory) stops the run with :class:`WorkerDied`;
nothing is ever counted from a partial level. With ``--checkpoint`` the run can be resumed
from the last level boundary checkpointed (:mod:`.checkpoint`). Workers exit when the
coordinator dies.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from refute.engine import checkpoint as checkpoints
from refute.engine.bfs import Options
from refute.engine.model import Model
from refute.engine.result import Result, WorkerStats
from refute.engine.scale import Scale
from refute.engine.shard import ORDINAL_BITS, Coordinator, ProgressBoard, Shard, with_workers
from refute.engine.shared_seen import SharedFingerprints, available
from refute.engine.spill import OutOfMemory, rss, worker_share
from refute.errors import RefuteError, UsageError
from refute.status import Status

_IN_FLIGHT = 4
"""Chunks a worker may have sent for membership answers before it waits for some."""

class WorkerDied(RefuteError):
    """A worker (a process, or a Ray actor) ended during the run; its shard is lost, so the
    run stops without counts: incomplete (exit code 3), nothing being wrong with the spec."""

    status = Status.INCOMPLETE


def explore_parallel(model: Model, options: Options = Options(), scale: Scale = Scale()) -> Result:
    """Explore ``model`` with ``scale.workers`` processes; the same Result as bfs.explore."""
    if scale.workers < 1:
        raise UsageError("--workers must be at least 1")
    return explore_sharded(model, options, scale,
                           lambda coordinator: _Run(model, options, scale, coordinator))


def explore_sharded(model: Model, options: Options, scale: Scale,
                    transport: Callable[[Coordinator], Any]) -> Result:
    """The sharded search, whatever carries it: ``transport(coordinator)`` makes the workers
    (processes here, Ray actors in :mod:`.ray_explorer`), which the coordinator's level loop
    drives through the :class:`~.shard.Workers` protocol, with checkpoints at level
    boundaries."""
    coordinator, shares, fingerprints = begin(model, options, scale)
    if isinstance(coordinator, Result):
        return coordinator
    workers = transport(coordinator)
    schedule = (checkpoints.Schedule(scale.checkpoint, scale.checkpoint_interval, scale.source)
                if scale.checkpoint else None)

    def boundary() -> None:
        if schedule is not None:
            schedule.at_boundary(coordinator, workers)
        workers.board.maybe_report()

    try:
        try:
            workers.start(shares, fingerprints)
            del shares, fingerprints
            result = coordinator.run(workers, boundary)
        except OutOfMemory as exc:  # at the start: the levels' own are handled by run
            result = coordinator.out_of_memory(exc)
    finally:
        stats = workers.shutdown()
    return with_workers(result, stats, scale.memory_limit)


def begin(model: Model, options: Options, scale: Scale) -> tuple:
    """``(coordinator, [(ranks, states)] per worker, fingerprints)``: the first level, or the
    checkpoint of ``scale.resume``; ``(Result, None, None)`` if an initial state ends the run."""
    coordinator = Coordinator(model, options, scale.workers)
    if scale.resume is not None:
        shares, fingerprints = checkpoints.restore(scale.resume, coordinator)
        return coordinator, shares, fingerprints
    result, shares, fingerprints = coordinator.initial()
    if result is not None:
        return result, None, None
    return coordinator, shares, fingerprints


class _Run:
    """The worker processes of a run, and the messages that drive them: the
    :class:`~.shard.Workers` of ``--workers``."""

    def __init__(self, model: Model, options: Options, scale: Scale, coordinator: Coordinator):
        self.model = model
        self.options = options
        self.scale = scale
        self.count = scale.workers
        self.context = multiprocessing.get_context("fork")
        self.inbox = self.context.Queue()
        self.inboxes = [self.context.Queue() for _ in range(self.count)]
        self.processes: list = []
        self.board = ProgressBoard(coordinator)
        self.coordinator = coordinator
        self.shared: SharedFingerprints | None = None
        self.last_frontier = 0  # the previous level's size, to foresee the next one's

    def start(self, shares: list, fingerprints: np.ndarray) -> None:
        share = None
        if self.scale.memory_limit is not None:
            share = worker_share(self.scale.memory_limit, self.count,
                                 rss() + len(fingerprints) * 8)
        elif self.scale.shared_fingerprints and available():
            # Without --memory-limit (whose fingerprints may have to move to disk) the
            # workers share one fingerprint set instead of asking each other.
            self.shared = SharedFingerprints.create(len(fingerprints) + self.foreseen(),
                                                    self.scale.spill_dir)
            self.shared.add(fingerprints)
        for index in range(self.count):
            process = self.context.Process(
                target=_worker_main, name=f"refute-worker-{index}", daemon=True,
                args=(index, self.count, self.model, self.options, share, self.scale.spill_dir,
                      self.shared, self.inboxes, self.inbox, shares[index], fingerprints,
                      os.getpid()))
            process.start()
            self.processes.append(process)
        if self.shared is not None:
            self.shared.unlink()  # the workers inherited the mapping

    def foreseen(self) -> int:
        """A generous guess at the new states of the level about to be expanded: twice the
        frontier, or more when the levels are growing fast."""
        frontier = self.coordinator.frontier
        growth = frontier / self.last_frontier if self.last_frontier else 1.0
        return int(frontier * 2 * max(growth, 1.0))

    def grow(self, entries: int, below: int) -> tuple[str, int]:
        """Replace the shared set by one sized for ``entries``, with the entries of key
        < ``below``; the new one's (path, capacity), for the workers to open."""
        bigger = self.shared.grown(entries, below, self.scale.spill_dir)
        self.shared.close()
        self.shared = bigger
        return bigger.path, bigger.capacity

    # -- messages -----------------------------------------------------------------------

    def broadcast(self, *message: Any) -> None:
        for inbox in self.inboxes:
            inbox.put(message)

    def collect(self, kind: str, count: int | None = None) -> dict[int, tuple]:
        """``count`` (default: every worker) messages of ``kind``, one per worker, by worker."""
        received = self.receive((kind,), self.count if count is None else count)
        return {message[1]: message[2:] for message in received}

    def receive(self, kinds: tuple[str, ...], count: int) -> list[tuple]:
        """The next ``count`` messages of the ``kinds``, in the order they arrived (progress
        reports are shown, a worker's crash is raised, any other message is a bug)."""
        got: list[tuple] = []
        while len(got) < count:
            try:
                message = self.inbox.get(timeout=0.25)
            except queue.Empty:
                self.check_alive()
                self.board.maybe_report()
                continue
            if message[0] == "progress":
                self.board.update(message[1], *message[2:])
                self.board.maybe_report()
            elif message[0] == "crash":
                raise message[2]
            elif message[0] in kinds:
                got.append(message)
            else:
                raise RuntimeError(f"unexpected message {message[0]} while waiting for {kinds}")
        return got

    def collect_all(self, kind: str) -> list[tuple]:
        """One message of ``kind`` from every worker, in worker order."""
        got = self.collect(kind)
        return [got[index] for index in range(self.count)]

    def check_alive(self) -> None:
        for index, process in enumerate(self.processes):
            if process.exitcode is not None:
                how = (f"was killed by signal {-process.exitcode}" if process.exitcode < 0
                       else f"exited with code {process.exitcode}")
                hint = ("resume from the last checkpoint: refute check --resume "
                        f"{self.scale.checkpoint}" if self.scale.checkpoint else
                        "run again; with --checkpoint DIR a run can be resumed after a failure")
                if process.exitcode == -9:
                    hint += " (signal 9 is often the kernel's out-of-memory killer: see " \
                            "--memory-limit)"
                raise WorkerDied(f"worker {index} {how}: the run is stopped, since its part of "
                                 "the state space is lost and the counts would be wrong",
                                 hint=hint)

    # -- the Workers protocol -----------------------------------------------------------

    def expand(self, last: bool, deadline: float | None) -> None:
        self.board.new_level()
        resized = None
        foreseen = self.foreseen()
        self.last_frontier = self.coordinator.frontier
        if self.shared is not None and len(self.shared) + foreseen > 0.75 * self.shared.capacity:
            resized = self.grow(len(self.shared) + foreseen, below=np.iinfo(np.int64).max)
        self.broadcast("level", last, deadline, resized)
        while any(overflowed for overflowed, in self.collect("done").values()):
            # A level found more new states than foreseen: start it again with a set twice as
            # large, holding the earlier levels' fingerprints only.
            earlier = self.coordinator.level_base << ORDINAL_BITS
            self.broadcast("retry", self.grow(2 * len(self.shared), below=earlier))
        if self.shared is not None:
            self.shared.unlink()  # every worker has opened the set it was sent, if any

    def winners(self) -> list:
        self.broadcast("end")
        return self.collect_all("winners")

    def finish(self, per_holder: list) -> list:
        for index, (keys, ranks) in enumerate(per_holder):
            self.inboxes[index].put(("finish", keys, ranks))
        return self.collect_all("report")

    def partial(self, key: int) -> list:
        self.broadcast("partial", key)
        return [p[0] for p in self.collect_all("partial")]

    def rebalance(self, moves: list[tuple[int, int, int]]) -> None:
        if not moves:
            return
        for giver, taker, amount in moves:
            self.inboxes[giver].put(("give", taker, amount))
        self.receive(("given", "taken"), 2 * len(moves))

    def snapshot(self, path: str) -> None:
        self.broadcast("snapshot", path)
        self.collect("snapshot")

    def shutdown(self) -> tuple[WorkerStats, ...]:
        """Stop every worker; their stats, or none if one could not answer."""
        stats: tuple[WorkerStats, ...] = ()
        alive = [p for p in self.processes if p.exitcode is None]
        if alive:
            try:
                self.broadcast("stop")
                byes = self.collect("bye", len(alive))
                if len(byes) == self.count:
                    stats = tuple(byes[index][0] for index in range(self.count))
            except Exception:  # noqa: BLE001 - a worker failed: the run is failing anyway
                pass
        for process in self.processes:
            process.join(timeout=2)
            if process.exitcode is None:
                process.kill()
                process.join()
        for inbox in [self.inbox, *self.inboxes]:
            inbox.close()
            inbox.cancel_join_thread()
        if self.shared is not None:
            self.shared.close()
        return stats


def _worker_main(index: int, count: int, model: Model, options: Options, share: int | None,
                 spill_dir: str | None, shared: SharedFingerprints | None, inboxes: list,
                 coordinator: Any, initial: tuple[np.ndarray, list], fingerprints: np.ndarray,
                 parent_pid: int) -> None:
    try:
        _serve(index, count, model, options, share, spill_dir, shared, inboxes, coordinator,
               initial, fingerprints, parent_pid)
    except BaseException as exc:  # reported to the coordinator, which re-raises it
        if not isinstance(exc, RefuteError):
            exc = RefuteError(f"worker {index} failed: {type(exc).__name__}: {exc}",
                              detail=traceback.format_exc())
        coordinator.put(("crash", index, exc))
        coordinator.close()
        coordinator.join_thread()
        os._exit(1)


def _serve(index: int, count: int, model: Model, options: Options, share: int | None,
           spill_dir: str | None, shared: SharedFingerprints | None, inboxes: list,
           coordinator: Any, initial: tuple[np.ndarray, list], fingerprints: np.ndarray,
           parent_pid: int) -> None:
    shard = Shard(model, index, count, options, share, spill_dir, shared)
    shard.load(initial[0], initial[1], fingerprints)
    del initial, fingerprints
    inbox = inboxes[index]
    active = False
    done = True
    early: list[tuple] = []
    interval = options.progress_interval
    next_progress = time.perf_counter() + interval
    last_time, last_generated = time.perf_counter(), 0
    deadline: float | None = None
    # Work stealing (shared set only, where the order blocks are expanded in does not matter):
    # a worker out of frontier asks the others in turn for a block before it reports done.
    victims: list[int] = []
    asking = False

    def handle(message: tuple) -> bool:
        nonlocal active, done, deadline, level, victims, asking
        kind = message[0]
        if kind == "query":
            if message[1] > level:  # a faster worker's next level, before our "level" arrived
                early.append(message)
                return True
            _, _, holder, chunk, fps, keys = message
            inboxes[holder].put(("reply", index, chunk, shard.answer(holder, fps, keys)))
        elif kind == "reply":
            shard.accept(message[2], message[1], message[3])
        elif kind == "level":
            level += 1
            gc.freeze()  # the frontier is long-lived: spare it the cyclic collector's scans
            if message[3] is not None:  # the coordinator grew the shared set
                shard.shared.close()
                shard.shared = SharedFingerprints(*message[3], create=False)
            shard.start_level(message[1])
            deadline = message[2] - time.time() + time.perf_counter() if message[2] else None
            active, done = True, False
            victims, asking = _victims(index, count, shard), False
            for query in early:
                handle(query)
            early.clear()
        elif kind == "retry":
            shard.restart_level(SharedFingerprints(*message[1], create=False))
            active, done = True, False
            victims, asking = _victims(index, count, shard), False
        elif kind == "steal":  # another worker is idle: give it a block of this level, if any
            block = shard.give_block() if message[1] == level and active else None
            inboxes[message[2]].put(("loot", index, block))
        elif kind == "loot":
            asking = False
            if message[2] is None:
                victims.remove(message[1])
            elif not (shard.event or shard.timed_out or shard.overflowed):
                shard.expand_stolen(*message[2])
        elif kind == "end":
            active = False
            coordinator.put(("winners", index, *shard.winners()))
        elif kind == "finish":
            report = shard.finish(message[1], message[2])
            coordinator.put(("report", index, report, shard.totals()))
        elif kind == "partial":
            coordinator.put(("partial", index, shard.partial(message[1])))
        elif kind == "give":
            inboxes[message[1]].put(("transfer", index, *shard.give(message[2])))
            coordinator.put(("given", index))
        elif kind == "transfer":
            shard.take(message[2], message[3])
            coordinator.put(("taken", index))
        elif kind == "snapshot":
            checkpoints.write_shard(message[1], index, *shard.snapshot())
            coordinator.put(("snapshot", index))
        elif kind == "stop":
            stats = shard.stats()
            shard.close()
            coordinator.put(("bye", index, stats))
            return False
        return True

    level = 0
    while True:
        # Backpressure: a worker expands no further while _IN_FLIGHT of its chunks await
        # answers; their candidate states are held until then, so without this bound a fast
        # worker's held states (and the queues) grow without limit when the other is slow.
        if active and shard.expanding and shard.waiting < _IN_FLIGHT:
            while True:
                try:
                    message = inbox.get_nowait()
                except queue.Empty:
                    break
                handle(message)
            for owner, (chunk, fps, keys) in shard.expand(deadline).items():
                inboxes[owner].put(("query", level, index, chunk, fps, keys))
            now = time.perf_counter()
            if now >= next_progress:
                next_progress = now + interval
                rate = (shard.generated - last_generated) / max(now - last_time, 1e-9)
                last_time, last_generated = now, shard.generated
                coordinator.put(("progress", index, rate, shard.level_generated,
                                 len(shard.frontier), rss(), shard.budget.spilling))
                if os.getppid() != parent_pid:
                    os._exit(1)
            continue
        if active and not done and shard.waiting == 0:
            if shard.event or shard.timed_out or shard.overflowed:
                victims = []
            if not victims:
                done = True
                coordinator.put(("done", index, shard.overflowed))
            elif not asking:
                asking = True
                inboxes[victims[0]].put(("steal", level, index))
        try:
            message = inbox.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent_pid:
                os._exit(1)
            continue
        if not handle(message):
            return


def _victims(index: int, count: int, shard: Shard) -> list[int]:
    """The workers an idle one asks for work, nearest first; none without a shared set."""
    if shard.shared is None:
        return []
    return [(index + step) % count for step in range(1, count)]
