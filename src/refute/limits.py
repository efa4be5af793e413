"""``--time-limit`` and ``--memory-limit``: one definition and one meaning for every command.

Both bound a run's work, and reaching one is never an error: the command stops at its next
unit of work (a block of state expansions, a trace, an event, a search step) and ends with
exit code 3 and the result of what it did, saying which limit stopped it (a history check
then says *incomplete*, a linearizability check *unknown*, an exploration *incomplete* with
``stop_reason`` ``time-limit`` or ``memory-limit``).

* ``--time-limit SECONDS``: wall-clock seconds from the start of the run's work.
* ``--memory-limit SIZE``: the resident memory (RSS) of refute's process. A watchdog thread
  (:class:`Watch`) reads it every few milliseconds; the search sees the flag at its next unit,
  as it sees the clock. ``refute check`` first spills states to disk to stay under the limit
  (:mod:`refute.engine.spill`, where the limit covers the coordinator and its workers) and
  stops only when even that does not fit. Python code cannot be interrupted in the middle of
  one allocation, so a single huge allocation can still overshoot the limit: this is a limit
  on a well-behaved run's growth, not a sandbox (use ``ulimit -v`` or a container for that).

The options are defined once (:func:`refute.commands.common.limit_options`, parsing with
:func:`parse_seconds` and :func:`parse_size` here), so that every command parses them alike: a
value that is not a positive number of seconds, or not a positive size, is a usage error
(exit 2) that says what to write.
"""

from __future__ import annotations

import enum
import math
import os
import re
import resource
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from refute.errors import UsageError

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20,
          "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40,
          "TB": 1 << 40, "TIB": 1 << 40}
_SIZE = re.compile(r"\s*(\d{1,30}(?:\.\d{1,30})?)\s*([A-Za-z]{0,3})\s*")
T = TypeVar("T")
_POLL = 0.02  # seconds between two readings of the RSS by the watchdog


class Limit(enum.Enum):
    """A limit that stopped a run; the value says it to a person."""

    TIME = "the --time-limit ran out"
    MEMORY = "the --memory-limit was reached"

    @property
    def option(self) -> str:
        return "--time-limit" if self is Limit.TIME else "--memory-limit"

    @property
    def json_name(self) -> str:
        return "time-limit" if self is Limit.TIME else "memory-limit"


# ----------------------------------------------------------------------------- parsing

def parse_seconds(value: Any, option: str = "--time-limit") -> float:
    """A positive, finite number of seconds; else a :class:`UsageError` saying what to write."""
    seconds = _seconds(value)
    if seconds is None:
        raise UsageError(f"{option} {_shown(value)}: {_NOT_SECONDS}", hint=_seconds_hint(option))
    return seconds


def parse_size(text: Any, option: str = "--memory-limit") -> int:
    """``"1G"`` -> 1073741824: a positive size, units K, M, G, T (powers of 1024), optional
    ``B``/``iB``; a bare number is bytes. Anything else is a :class:`UsageError`."""
    size = _size(text)
    if size is None:
        raise UsageError(f"{option} {_shown(text)}: {_NOT_SIZE}", hint=_size_hint(option))
    return size


_NOT_SECONDS = "not a positive number of seconds"
_NOT_SIZE = "not a positive size"


def _seconds_hint(option: str) -> str:
    return f"write e.g. {option} 60 or {option} 0.5"


def _size_hint(option: str) -> str:
    return f"write a size with a unit, e.g. {option} 800M or {option} 2G"


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _size(text: Any) -> int | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text > 0 else None
    match = _SIZE.fullmatch(text) if isinstance(text, str) else None
    unit = match.group(2).upper() if match else None
    if match is None or unit not in _UNITS:
        return None
    size = int(float(match.group(1)) * _UNITS[unit])
    return size if size > 0 else None


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ----------------------------------------------------------------------------- measuring

def rss() -> int:
    """This process's resident set size now, in bytes."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):  # no /proc: the peak is an upper bound
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def format_size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def watched(items: Iterable[T], watch: Watch | None, every: int = 4096) -> Iterable[T]:
    """``items``, checking ``watch`` (:meth:`Watch.check`) after every ``every`` of them, so
    that a long loop over a history stops soon after a limit is reached (and a short one
    finishes: the caller then reports what it read)."""
    if watch is None or not watch.active:
        return items
    return _watched(items, watch, every)


def _watched(items: Iterable[T], watch: Watch, every: int) -> Iterator[T]:
    for count, item in enumerate(items):
        if count % every == every - 1:
            watch.check()
        yield item


class LimitReached(Exception):
    """Raised by a long step (reading a file, building a graph) that saw its :class:`Watch`
    expire in the middle of its work; the caller turns it into an incomplete result."""


class Watch:
    """A run's limits while it runs: :meth:`expired` says whether to stop, :attr:`reason` why.

    Invariant: once expired, always expired, with the first limit reached as the reason (a
    search that was told to stop is never resumed). The memory limit is watched by a daemon
    thread that reads the RSS every few milliseconds and only sets a flag, so that
    :meth:`expired` costs a clock read at most; a limit already below the RSS when the run
    starts stops it before any work, deterministically. Use it as a context manager, or call
    :meth:`close`, to end the thread.
    """

    def __init__(self, time_limit: float | None = None, memory_limit: int | None = None) -> None:
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.started = time.perf_counter()
        self.deadline = None if time_limit is None else self.started + time_limit
        self.reason: Limit | None = None
        self.memory_used: int | None = None  # the RSS that tripped the memory limit
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        if memory_limit is not None and not self._over_memory():
            self._thread = threading.Thread(target=self._watch, name="refute-memory-watch",
                                            daemon=True)
            self._thread.start()

    @property
    def active(self) -> bool:
        """Whether there is any limit to watch."""
        return self.deadline is not None or self.memory_limit is not None

    def expired(self) -> bool:
        if self.reason is not None:
            return True
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            self.reason = Limit.TIME
            return True
        return False

    def check(self) -> None:
        """Raise :class:`LimitReached` if a limit has been reached."""
        if self.expired():
            raise LimitReached(self.reason)

    def note(self, done: str | None = None) -> str:
        """For the report: which limit stopped the run (after ``done``, when given)."""
        reason = self.reason or Limit.TIME
        text = reason.value
        if reason is Limit.MEMORY and self.memory_used is not None:
            text += (f" ({format_size(self.memory_used)} resident, limit "
                     f"{format_size(self.memory_limit or 0)})")
        return text if done is None else f"{text} after {done}"

    def _over_memory(self) -> bool:
        used = rss()
        if used > (self.memory_limit or 0):
            self.memory_used = used
            if self.reason is None:
                self.reason = Limit.MEMORY
            return True
        return False

    def _watch(self) -> None:
        while not self._closed.wait(_POLL):
            if self._over_memory():
                return

    def close(self) -> None:
        self._closed.set()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


NO_LIMITS = Watch()
"""A watch with no limit: never expires (a default argument for searches)."""
