"""Sets and maps of 64-bit fingerprints: what the explorers remember of the states they saw.

The checker keeps fingerprints, never states (:mod:`refute.engine.fingerprint`), in:

* :class:`FingerprintSet`: the seen-set of the sequential search, of simulation, of the
  owner-sharded workers and of the spilling store (:mod:`.spill`);
* :class:`FingerprintMap`: fingerprint -> state number, the liveness check's state graph
  (:mod:`.fair_scc`).

Both are C types from the extension :mod:`refute.engine._fpset` when it was built: open
addressing over a flat table of int64 words, 10.7 to 21.3 bytes a fingerprint in the set
(``benchmarks/bench_fpset.py`` measures it against a Python set). Without a C compiler the
pure-Python twins below stand in, a ``set`` and a ``dict`` with the same methods and the same
answers, several times larger and slower (:data:`IMPLEMENTATION` says which is in use;
``tests/engine/test_fpset.py`` runs one suite against both).

Beyond a set's ``add``, ``in`` and ``len``, the set answers for numpy int64 arrays
(``add_array``, ``contains_array``, ``fingerprints``), and ``scan``, the sequential search's
loop over one parent's successors (:func:`refute.engine.bfs.explore`): count each successor's
action, fingerprint it, add it, and answer the positions of those that were new.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["IMPLEMENTATION", "FingerprintMap", "FingerprintSet", "PyFingerprintMap",
           "PyFingerprintSet"]


class PyFingerprintSet(set):
    """The pure-Python :class:`FingerprintSet`: a ``set`` of ints with the C type's methods."""

    __slots__ = ()

    def add_array(self, fingerprints: np.ndarray) -> int:
        """Add an int64 array; how many were new."""
        before = len(self)
        self.update(np.asarray(fingerprints, dtype=np.int64).tolist())
        return len(self) - before

    def contains_array(self, fingerprints: np.ndarray, out: np.ndarray) -> None:
        """``out[i] = fingerprints[i] in self`` (out: one byte a fingerprint)."""
        found = [fp in self for fp in np.asarray(fingerprints, dtype=np.int64).tolist()]
        np.asarray(out).view(np.uint8)[:len(found)] = found

    def fingerprints(self, out: np.ndarray) -> int:
        """Write every fingerprint into the int64 array ``out``; how many."""
        if len(out) < len(self):
            raise ValueError("out is shorter than the set")
        out[:len(self)] = np.fromiter(self, dtype=np.int64, count=len(self))
        return len(self)

    def scan(self, successors: list, fingerprint: Callable[[Any], int], actions: dict,
             fired: Any, found: Any = None, tests: tuple = (), kept: list | None = None,
             room: int = 0, where: list | None = None) -> list[int] | tuple[list[int], int]:
        """The positions of the successors whose fingerprints were new (now added); each
        successor's action counted in ``fired[actions[label[0]]]`` (in ``fired[-1]`` if its
        name is not in ``actions``).

        Given ``kept`` (and ``found``, ``tests``, ``room``, ``where``), also what the search
        does with each new successor, in order: count its action in ``found``, call each of
        ``tests`` on its state, append the state to ``kept``; stop at the first new successor
        a test fails, or after the ``room``-th kept, answering ``(positions, stop)``, ``stop``
        the index of the failed test or -1 for ``room``; the successors after that one are
        left alone. On an exception ``where`` is [index of the test that raised it or -1, the
        successor's position]."""
        new: list[int] = []
        for position, (label, state) in enumerate(successors):
            test = -1
            try:
                action = actions.get(label[0], -1)
                fired[action] += 1
                key = fingerprint(state)
                if key in self:
                    continue
                set.add(self, key)
                new.append(position)
                if kept is None:
                    continue
                found[action] += 1
                for test, predicate in enumerate(tests):
                    if not predicate(state):
                        return new, test
                test = -1
                kept.append(state)
            except BaseException:
                if kept is not None and where is not None:
                    where[:] = [test, position]
                raise
            room -= 1
            if room <= 0:
                return new, -1
        return new

    @property
    def memory_bytes(self) -> int:
        """The set's table and its int objects (beyond the small ones Python shares)."""
        return sys.getsizeof(self) + 32 * len(self)


class PyFingerprintMap(dict):
    """The pure-Python :class:`FingerprintMap`: a ``dict`` from int to int that never forgets."""

    __slots__ = ()

    def __delitem__(self, key: Any) -> None:
        raise TypeError("a FingerprintMap never forgets a fingerprint")

    @property
    def memory_bytes(self) -> int:
        return sys.getsizeof(self) + 64 * len(self)


try:
    from refute.engine._fpset import FingerprintMap, FingerprintSet
except ImportError:  # not compiled (no compiler when installed): the twins stand in
    FingerprintSet, FingerprintMap = PyFingerprintSet, PyFingerprintMap  # type: ignore[misc]

IMPLEMENTATION = "python" if FingerprintSet is PyFingerprintSet else "c"
