"""Consistent checkpoints of a sharded search, and resuming from them.

A checkpoint is taken at a level boundary, the only instant at which the sharded search has
no message in flight: every worker's owned fingerprints and frontier (ranks and states), and
the coordinator's parent links, counts, coverage and depth. That is everything the next level
needs, so a resumed run continues exactly as the interrupted one would have, with the same
counts and counterexample. Levels are the unit: the first boundary after the interval has
passed is checkpointed (a single level longer than the interval delays it).

Layout of ``DIR``: ``checkpoint-<depth>/`` (``meta.pkl``, ``shard-<i>.npz`` +
``shard-<i>.pkl``) and ``LATEST``, naming the last complete one. A checkpoint is written
into a temporary directory, synced, renamed, and only then named in ``LATEST`` (replaced
atomically), so a run killed at any instant (kill -9) leaves the previous checkpoint intact.
A resumed run may use a different number of workers: fingerprints are re-sharded by
``fp mod N`` and the frontier is dealt out again in rank order.

Each worker writes its own shard files (:meth:`~.shard.Workers.snapshot`) and the
coordinator only its ``meta.pkl``, so on a Ray cluster ``DIR`` must be one directory that
every node sees at the same path (a shared file system): :func:`save` checks that every
shard file is visible to the coordinator before it names the checkpoint in ``LATEST``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from refute.engine.bfs import Options
from refute.errors import UsageError

if TYPE_CHECKING:
    from refute.engine.model import ModelSource
    from refute.engine.shard import Coordinator, Workers

FORMAT = 3
"""Changed when a checkpoint of the previous one cannot be resumed (2: ``Meta.source`` is a
:class:`~refute.sources.Source`, with the ``--allow-read`` paths; 3: states and sources are
pickled from :mod:`refute.values` and :mod:`refute.sources`)."""


@dataclass
class Meta:
    """The coordinator's part of a checkpoint, and how to load the spec again."""

    source: ModelSource | None  # how to load the spec again (None: refute.check() of a Spec)
    spec: str
    options: Options
    workers: int
    depth: int
    generated: int
    parents: bytes
    ordinals: bytes
    fired: np.ndarray
    found: np.ndarray
    stop: Any
    seconds: float
    pruned: int = 0  # successors outside the state constraints so far
    format: int = FORMAT


def temporary(directory: str) -> str:
    path = os.path.join(directory, "checkpoint.partial")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_shard(path: str, index: int, fps: np.ndarray, ranks: np.ndarray, states: list) -> None:
    np.savez(os.path.join(path, f"shard-{index}.npz"), fps=fps, ranks=ranks)
    with open(os.path.join(path, f"shard-{index}.pkl"), "wb") as handle:
        pickle.dump(states, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())


def commit(directory: str, path: str, meta: Meta) -> str:
    """Write ``meta`` into the temporary checkpoint ``path`` and make it the latest."""
    with open(os.path.join(path, "meta.pkl"), "wb") as handle:
        pickle.dump(_portable(meta), handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    final = os.path.join(directory, f"checkpoint-{meta.depth}")
    shutil.rmtree(final, ignore_errors=True)
    os.rename(path, final)
    latest = os.path.join(directory, "LATEST")
    with open(latest + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(os.path.basename(final) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    previous = _latest_name(directory)
    os.replace(latest + ".tmp", latest)
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
    if previous and previous != os.path.basename(final):
        shutil.rmtree(os.path.join(directory, previous), ignore_errors=True)
    return final


def _portable(meta: Meta) -> Meta:
    """Options without the progress callback (a closure of the interrupted process)."""
    return replace(meta, options=replace(meta.options, progress=None))


def _latest_name(directory: str) -> str | None:
    try:
        with open(os.path.join(directory, "LATEST"), encoding="utf-8") as handle:
            return handle.read().strip() or None
    except FileNotFoundError:
        return None


def holds(directory: str) -> bool:
    """Whether ``directory`` holds a checkpoint of this kind (complete or not)."""
    return os.path.exists(os.path.join(directory, "LATEST"))


def load(directory: str) -> tuple[Meta, str]:
    """The latest complete checkpoint in ``directory``: its Meta and its path."""
    name = _latest_name(directory)
    if name is None:
        raise UsageError(f"{directory} holds no complete checkpoint",
                         hint="give the directory passed to --checkpoint of a run that "
                              "wrote at least one (see --checkpoint-interval)")
    path = os.path.join(directory, name)
    with open(os.path.join(path, "meta.pkl"), "rb") as handle:
        meta = pickle.load(handle)
    if getattr(meta, "format", None) != FORMAT:
        raise UsageError(f"{path} was written by another version of refute",
                         hint="run the check again from the start")
    return meta, path


def read_shards(path: str, workers: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Every fingerprint, and the whole frontier in rank order (ranks, states)."""
    fps, ranks, states = [], [], []
    for index in range(workers):
        with np.load(os.path.join(path, f"shard-{index}.npz")) as data:
            fps.append(data["fps"])
            ranks.append(data["ranks"])
        with open(os.path.join(path, f"shard-{index}.pkl"), "rb") as handle:
            states += pickle.load(handle)
    all_ranks = np.concatenate(ranks) if ranks else np.empty(0, np.int64)
    order = np.argsort(all_ranks, kind="stable")
    return (np.concatenate(fps) if fps else np.empty(0, np.int64), all_ranks[order],
            [states[i] for i in order])


class Schedule:
    """``--checkpoint DIR``: a checkpoint at the first level boundary after every interval."""

    def __init__(self, directory: str, interval: float, source: ModelSource | None) -> None:
        self.directory = os.path.abspath(directory)  # Ray actors need not share our cwd
        self.interval = interval
        self.source = source
        self.last = time.perf_counter()

    def at_boundary(self, coordinator: Coordinator, workers: Workers) -> None:
        if time.perf_counter() - self.last >= self.interval:
            save(self.directory, coordinator, workers, self.source)
            self.last = time.perf_counter()


def save(directory: str, coordinator: Coordinator, workers: Workers,
         source: ModelSource | None) -> str:
    """Checkpoint a run at a level boundary: each worker writes its shard, then the
    coordinator commits its own part (:class:`Meta`)."""
    path = temporary(directory)
    workers.snapshot(path)
    missing = [index for index in range(coordinator.workers)
               if not os.path.exists(os.path.join(path, f"shard-{index}.pkl"))]
    if missing:
        raise UsageError(
            f"--checkpoint {directory}: worker(s) {', '.join(map(str, missing))} wrote their "
            "shard where this process cannot see it",
            hint="on a Ray cluster, --checkpoint must be a directory that every node sees at "
                 "the same path (a shared file system such as NFS)")
    return commit(directory, path, Meta(
        source=source, spec=coordinator.model.name, options=coordinator.options,
        workers=coordinator.workers, depth=coordinator.depth, generated=coordinator.generated,
        parents=coordinator.parents.tobytes(), ordinals=coordinator.ordinals.tobytes(),
        fired=coordinator.fired.copy(), found=coordinator.found.copy(), stop=coordinator.stop,
        seconds=coordinator.seconds, pruned=coordinator.pruned))


def restore(directory: str, coordinator: Coordinator) -> tuple[list, np.ndarray]:
    """Put ``coordinator`` back where the latest checkpoint in ``directory`` was taken.

    Returns its frontier dealt out to ``coordinator.workers`` workers in rank order, as
    ``[(ranks, states)]``, and every fingerprint seen (each owner keeps its own).
    """
    model = coordinator.model
    model.init_states()  # a Model may set itself up there (SpecModel learns its state type)
    meta, path = load(directory)
    if meta.spec != model.name:
        raise UsageError(f"{directory} is a checkpoint of {meta.spec}, not {model.name}")
    coordinator.parents.frombytes(meta.parents)
    coordinator.ordinals.frombytes(meta.ordinals)
    coordinator.completed = len(coordinator.parents)
    coordinator.generated = meta.generated
    coordinator.depth = meta.depth
    coordinator.fired[:] = meta.fired
    coordinator.found[:] = meta.found
    coordinator.stop = meta.stop
    coordinator.pruned = meta.pruned
    coordinator.elapsed_before = meta.seconds
    fingerprints, ranks, states = read_shards(path, meta.workers)
    coordinator.level_base = int(ranks.min()) if len(ranks) else len(coordinator.parents)
    count = coordinator.workers
    return [(ranks[w::count], states[w::count]) for w in range(count)], fingerprints
