"""The tracer an implementation calls to log its events for ``refute trace``.

::

    tracer = Tracer("run.jsonl")
    tracer.event("acquire", client=1, token=34, holder=1)   # an action, its arguments, and
    tracer.event("write", client=1, token=33,               # what the process can observe
                 state={"accepted": [34]})                   # (explicitly, when a name is
    tracer.close()                                           # both a parameter and a variable)

Each call writes one JSON line, ``{"action": NAME, ...fields}`` (see
:mod:`refute.conformance.log` for how refute reads it). Sets are written as arrays in a
canonical order, tuples as arrays, maps with non-text keys as ``json`` writes them
(``{1: 33}`` as ``{"1": 33}``), which is how refute compares them with the spec's values.

Cost: one ``json.dumps`` and one buffered write per event, a few microseconds (measured in
``benchmarks/bench_trace.py``), cheap enough to leave on in tests. The tracer is not
thread-safe; an asyncio program calls it from one thread, which also makes the log's order
the order in which things happened. Calls from several threads need a lock around ``event``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from refute.conformance.values import encode

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False,
                          default=encode).encode


class Tracer:
    """Writes one JSON line per :meth:`event` to a path (opened for writing) or an open file."""

    def __init__(self, target: str | IO[str], *, flush: bool = False) -> None:
        if isinstance(target, str):
            self._file: IO[str] = open(target, "w", encoding="utf-8", buffering=1 << 16)
            self._owned = True
        else:
            self._file, self._owned = target, False
        self._write = self._file.write
        self._flush = flush
        self.count = 0
        """Events written so far: the index the next event will have."""

    def event(self, action: str | None, /, **fields: Any) -> int:
        """Log that ``action`` happened, with its arguments and what is observable after it.

        ``action=None`` logs an observation of the state without a step. Returns the event's
        index (0-based), the number ``refute trace`` reports. ``args={...}``, ``state={...}``
        and ``meta={...}`` have the meanings of :mod:`refute.conformance.log`.
        """
        self._write(_dumps({"action": action, **fields}) + "\n")
        if self._flush:
            self._file.flush()
        self.count += 1
        return self.count - 1

    def observe(self, **state: Any) -> int:
        """Log what is observable now, without a step."""
        return self.event(None, **state)

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> Tracer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
