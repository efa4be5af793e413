"""The fingerprint set that ``--workers`` processes on one machine share, in one memory map.

With a shared set a worker knows at once, without asking anyone, whether a successor is new:
one compare-and-swap per successor (``claim``) where the owner-sharded search
(:mod:`.shard`'s default, which Ray and ``--memory-limit`` use) sends each successor's
fingerprint to its owner and waits for the answer. The set maps each fingerprint to the least
discovery key claimed for it (``parent rank << 20 | position``); a worker keeps a successor
while its key is the least, and at the level's end keeps exactly those it still holds the
least key of (:meth:`lookup`), which are the states the sequential search numbers first: the
counts and counterexamples do not change (``engine/_shared_seen.c`` states the invariants).

The set lives in a file mapped ``MAP_SHARED`` by every process: in ``/dev/shm`` (memory) when it
has room, else in the temporary directory. It cannot grow in place; when a level could fill it
the coordinator copies it into one twice or more as large between levels (:meth:`grown`), and
if a level fills it anyway (``claim`` answers -1), the level is expanded again with a larger
set holding only the earlier levels' fingerprints.
"""

from __future__ import annotations

import mmap
import os
import tempfile

import numpy as np

try:
    from refute.engine._shared_seen import HEADER_BYTES, SharedSeen
except ImportError:  # no C compiler at install time: --workers uses the owner-sharded search
    SharedSeen = None
    HEADER_BYTES = 64

SLOT_BYTES = 16
MIN_CAPACITY = 1 << 16
FILL = 0.5
"""Fraction of the slots a set is sized to have in use when a level starts (it refuses new
fingerprints at 0.75)."""


def available() -> bool:
    """Whether the C extension is built (else the owner-sharded search is used)."""
    return SharedSeen is not None


def capacity_for(entries: int) -> int:
    """The power of two of slots that holds ``entries`` at :data:`FILL`."""
    capacity = MIN_CAPACITY
    while capacity * FILL < entries:
        capacity *= 2
    return capacity


def _directory(size: int, fallback: str | None) -> str:
    """``/dev/shm`` if it has room for ``size`` bytes twice over, else the spill directory or
    the temporary directory (a file there is page cache all the same while memory allows)."""
    try:
        stats = os.statvfs("/dev/shm")
        if stats.f_bavail * stats.f_frsize >= 2 * size:
            return "/dev/shm"
    except OSError:
        pass
    return fallback or tempfile.gettempdir()


def private(entries: int) -> SharedSeen:
    """A set of the same kind in this process's own memory (a worker's fingerprints of the
    level, with owner-sharded membership), sized for ``entries``."""
    capacity = capacity_for(entries)
    return SharedSeen(bytearray(HEADER_BYTES + SLOT_BYTES * capacity), capacity, create=True)


def doubled(table: SharedSeen) -> SharedSeen:
    """A :func:`private` set twice as large as ``table``, with all its entries."""
    bigger = private(table.capacity)  # capacity_for(n) holds n at FILL = 0.5: twice the slots
    table.copy_into(bigger, np.iinfo(np.int64).max)
    return bigger


class SharedFingerprints:
    """A :class:`~refute.engine._shared_seen.SharedSeen` and the file that holds it.

    Created by the coordinator before the workers are forked (they inherit the mapping), or
    opened by path in a worker when the coordinator grew it; the coordinator deletes the file
    as soon as every worker has it mapped (:meth:`unlink`).
    """

    def __init__(self, path: str, capacity: int, create: bool) -> None:
        self.path = path
        self.capacity = capacity
        self._creator = os.getpid() if create else None  # forked workers inherit the object
        size = HEADER_BYTES + SLOT_BYTES * capacity
        descriptor = os.open(path, os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0), 0o600)
        try:
            if create:
                os.ftruncate(descriptor, size)
            self._map = mmap.mmap(descriptor, size, mmap.MAP_SHARED,
                                  mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(descriptor)
        self.table = SharedSeen(self._map, capacity, create)
        self.claim = self.table.claim

    @classmethod
    def create(cls, entries: int, directory: str | None = None) -> SharedFingerprints:
        """A new empty set sized for ``entries`` fingerprints."""
        capacity = capacity_for(entries)
        descriptor, path = tempfile.mkstemp(
            prefix="refute-seen-", suffix=".bin",
            dir=_directory(HEADER_BYTES + SLOT_BYTES * capacity, directory))
        os.close(descriptor)
        os.unlink(path)  # re-created exclusively by __init__, which sizes and maps it
        return cls(path, capacity, create=True)

    def __len__(self) -> int:
        return len(self.table)

    def add(self, fingerprints: np.ndarray, key: int = -1) -> int:
        """Add fingerprints of states already numbered (initial or restored: key -1)."""
        return self.table.add(np.ascontiguousarray(fingerprints, dtype=np.int64), key)

    def lookup(self, fingerprints: np.ndarray) -> np.ndarray:
        """The least key claimed for each fingerprint (``INT64_MAX`` if absent)."""
        out = np.empty(len(fingerprints), np.int64)
        self.table.lookup(np.ascontiguousarray(fingerprints, dtype=np.int64), out)
        return out

    def fingerprints(self) -> np.ndarray:
        """Every fingerprint in the set (for a checkpoint)."""
        out = np.empty(len(self), np.int64)
        return out[:self.table.fingerprints(out)]

    def grown(self, entries: int, below: int, directory: str | None = None
              ) -> SharedFingerprints:
        """A new set sized for ``entries`` with this one's entries of key < ``below``."""
        bigger = SharedFingerprints.create(max(entries, len(self)), directory)
        self.table.copy_into(bigger.table, below)
        return bigger

    def unlink(self) -> None:
        """Delete the file (in the process that created it), once every process that needs
        it has it mapped: the memory stays until the last one unmaps it, and nothing is left
        behind in /dev/shm even if the run is killed."""
        if self._creator == os.getpid():
            self._creator = None
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def close(self) -> None:
        """Unmap (and, if still there, delete) the file."""
        self.table.release()
        self._map.close()
        self.unlink()
