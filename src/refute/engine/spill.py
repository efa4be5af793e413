"""Disk spill for the sharded explorer: state blocks, fingerprint sets and memory accounting.

``--memory-limit`` bounds the resident memory of the whole run (the coordinator and every
worker, their RSS summed, which over-counts pages a forked worker shares with its parent, so
the bound is conservative). What grows with the state space is, per worker:

* the **frontier** (the states of the level being expanded) and the **candidates** (states of
  the next level, held until their owners say whether they are new): by far the largest,
  hundreds of bytes a state. :class:`BlockStore` keeps them as blocks (a list of items with an
  int64 key array); once a worker is past its share of the budget, every finished block is
  pickled to a file and read back when it is needed, so at most a block or two of states is in
  memory at a time;
* the **fingerprint set** (about 16 bytes a state in a :class:`~refute.engine.fpset.FingerprintSet`):
  :class:`FingerprintStore`
  flushes it, past its share, to one sorted ``int64`` file on disk; membership of a batch is
  then ``searchsorted`` over a memory map that is unmapped after each batch (mapped file pages
  count as RSS only while mapped), as TLC's disk-based fingerprint set does with its sorted
  file and in-memory page index.

Python rarely returns freed memory to the system, so spilling starts early (at half a
worker's share) and stays on: from then on the RSS stays flat instead of going down. A run
whose RSS still exceeds the limit with everything spilled (the parent links, 8 bytes a state in
the coordinator, do not spill) raises :class:`OutOfMemory`, which says by how much; the
coordinator ends the run there, incomplete with the levels finished (stop reason
``memory-limit``), as every command ends at its limits (:mod:`refute.limits`).
"""

from __future__ import annotations

import os
import pickle
import resource
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from refute.engine.fpset import FingerprintSet
from refute.errors import RefuteError
from refute.limits import format_size, parse_size, rss

__all__ = ["BlockStore", "Budget", "FingerprintStore", "OutOfMemory", "format_size",
           "memory_note", "parse_size", "peak_rss", "rss", "worker_share"]


class OutOfMemory(RefuteError):
    """The run cannot fit in ``--memory-limit`` even with its states and fingerprints on disk."""


def peak_rss() -> int:
    """This process's peak resident set size, in bytes.

    From ``VmHWM`` in /proc, the high-water mark of this process image: ``ru_maxrss`` is not
    reset by exec, so a process started by a large parent (a test runner, say) would report
    the parent's size as its own peak.
    """
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Budget:
    """One process's share of ``--memory-limit``: when to spill, and when to give up."""

    def __init__(self, share: int | None) -> None:
        self.share = share
        self.spilling = False

    def check(self) -> bool:
        """Whether to spill from now on; raises :class:`OutOfMemory` past the share."""
        if self.share is None:
            return False
        used = rss()
        if not self.spilling and used > self.share // 2:
            self.spilling = True
        if used > self.share:
            raise OutOfMemory(
                f"the run does not fit in --memory-limit: a process uses {format_size(used)} "
                f"of its {format_size(self.share)} share with its states and fingerprints "
                "already spilled to disk",
                hint="raise --memory-limit, use fewer --workers (each costs a Python process), "
                     "or add a state constraint")
        return self.spilling


def worker_share(limit: int, workers: int, reserved: int, minimum: int = 32 << 20,
                 kind: str = "worker") -> int:
    """Each worker's share of ``--memory-limit`` once ``reserved`` bytes (the coordinator's)
    are set aside; :class:`OutOfMemory` when that leaves a worker less than ``minimum``."""
    share = int((limit - reserved) * 0.9 / workers)
    if share < minimum:
        raise OutOfMemory(
            f"--memory-limit {format_size(limit)} leaves {format_size(max(share, 0))} to each "
            f"of {workers} {kind}(s); a {kind} needs at least {format_size(minimum)}",
            hint="raise --memory-limit or use fewer --workers")
    return share


def memory_note(limit: int, peak: int, spilled: bool) -> str:
    """The Result's note on memory: the peak RSS reached against ``--memory-limit``."""
    return (f"memory: peak RSS {format_size(peak)} of the {format_size(limit)} --memory-limit "
            "(coordinator and workers summed); "
            + ("states were spilled to disk" if spilled else "nothing needed to spill"))


class BlockStore:
    """A sequence of blocks ``(keys, items)``, in memory or pickled to one file.

    Blocks are read back in the order they were added, so a store is a queue of blocks that can
    be iterated more than once (the frontier is read again to rebuild coverage at a cut).
    """

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._blocks: list[tuple[np.ndarray, list] | tuple[int, int]] = []
        self._file: Any = None
        self.size = 0

    def __len__(self) -> int:
        return self.size

    @property
    def blocks(self) -> int:
        """How many blocks were added."""
        return len(self._blocks)

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def append(self, keys: np.ndarray, items: list, spill: bool = False) -> int:
        """Add a block (to disk when ``spill``); returns its number."""
        self.size += len(items)
        self._blocks.append(self._write(keys, items) if spill else (keys, items))
        return len(self._blocks) - 1

    def get(self, number: int) -> tuple[np.ndarray, list]:
        block = self._blocks[number]
        if isinstance(block[0], np.ndarray):
            return block  # type: ignore[return-value]
        offset, length = block  # type: ignore[misc]
        self._file.seek(offset)
        return pickle.loads(self._file.read(length))

    def spill(self) -> None:
        """Move every in-memory block to disk."""
        self._blocks = [self._write(*block) if isinstance(block[0], np.ndarray) else block
                        for block in self._blocks]

    def _write(self, keys: np.ndarray, items: list) -> tuple[int, int]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._directory, prefix="refute-spill-")
        self._file.seek(0, os.SEEK_END)
        offset = self._file.tell()
        data = pickle.dumps((keys, items), protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(data)
        return offset, len(data)

    def __iter__(self) -> Iterator[tuple[np.ndarray, list]]:
        for number in range(len(self._blocks)):
            yield self.get(number)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._blocks = []
        self.size = 0


class FingerprintStore:
    """A set of 64-bit fingerprints: a C hash set, plus one sorted file once it is spilled."""

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._memory = FingerprintSet()
        self._path: str | None = None
        self._on_disk = 0

    def __len__(self) -> int:
        return len(self._memory) + self._on_disk

    @property
    def memory_bytes(self) -> int:
        return self._memory.memory_bytes

    def add(self, fps: np.ndarray) -> None:
        self._memory.add_array(np.ascontiguousarray(fps, dtype=np.int64))

    def contains(self, fps: np.ndarray) -> np.ndarray:
        fps = np.ascontiguousarray(fps, dtype=np.int64)
        found = np.zeros(len(fps), dtype=bool)
        self._memory.contains_array(fps, found)
        if self._on_disk:
            disk = np.memmap(self._path, dtype=np.int64, mode="r", shape=(self._on_disk,))
            where = np.searchsorted(disk, fps)
            where[where == self._on_disk] = 0
            found |= disk[where] == fps
            del disk
        return found

    def spill(self) -> None:
        """Merge the in-memory set into the sorted file and empty it."""
        if not len(self._memory):
            return
        merged = np.sort(np.concatenate([self._read_disk(), self._memory_array()]))
        if self._path is None:
            handle, self._path = tempfile.mkstemp(dir=self._directory, prefix="refute-fps-")
            os.close(handle)
        merged.tofile(self._path)
        self._on_disk = len(merged)
        self._memory = FingerprintSet()

    def _memory_array(self) -> np.ndarray:
        out = np.empty(len(self._memory), dtype=np.int64)
        return out[:self._memory.fingerprints(out)]

    def _read_disk(self) -> np.ndarray:
        if not self._on_disk:
            return np.empty(0, np.int64)
        return np.fromfile(self._path, dtype=np.int64, count=self._on_disk)

    def to_array(self) -> np.ndarray:
        """Every fingerprint (for checkpoints), in no particular order."""
        return np.concatenate([self._read_disk(), self._memory_array()])

    def close(self) -> None:
        if self._path is not None:
            os.unlink(self._path)
            self._path = None
            self._on_disk = 0
        self._memory = FingerprintSet()

