"""Linearizability checking of histories, in the manner of Knossos and Porcupine.

    result = check("history.edn", "cas-register", time_limit=10)
    result.linearizable      # True, False, or None when the time limit stopped the search
    print(result.explain())  # for a violation: the longest legal prefix, what cannot follow
    write_html(result, "history.html")

A history is a file (Jepsen EDN, Jepsen etcd log, JSON), a :class:`History`, or a list of
Jepsen events or :class:`Operation` values; a model is the name of a built-in one (see
``MODELS``) or a :class:`Model` of your own. The semantics are Jepsen's: a ``:fail`` did not
happen, an ``:info`` may have happened at any point after its call, or never.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from refute.errors import UsageError
from refute.linearize.history import (UNKNOWN, History, Operation, from_events,
                                      from_operations, parse, read_history,
                                      split_independent)
from refute.linearize.html import render_html, write_html
from refute.linearize.model import MODELS, Model
from refute.linearize.result import CheckResult, PartitionResult, Verdict
from refute.linearize.search import check_operations

__all__ = [
    "CheckResult", "History", "MODELS", "Model", "Operation", "PartitionResult", "UNKNOWN",
    "Verdict", "check", "check_operations", "from_events", "from_operations", "parse",
    "read_history", "render_html", "split_independent", "write_html",
]


def check(history: str | Path | History | Sequence[Operation | Mapping[str, Any]],
          model: str | Model = "cas-register", *, time_limit: float | None = None,
          independent: bool = False, memory_limit: int | None = None) -> CheckResult:
    """Check a history for linearizability against ``model``.

    ``history``: a path, a :class:`History`, or a list of Jepsen events (dicts with
    ``process``, ``type``, ``f``, ``value``) or operations (:class:`Operation`, or dicts with
    ``process``, ``call``, ``return``, ``input``, ``output``). ``independent`` reads Jepsen
    ``[key value]`` values as one object per key. ``time_limit`` in seconds, and
    ``memory_limit`` in bytes of resident memory: past either, the verdict is ``unknown``,
    never a guess.
    """
    if isinstance(model, str):
        if model not in MODELS:
            raise UsageError(f"unknown model {model!r}",
                             hint=f"use one of {', '.join(MODELS)}, or pass a Model")
        model = MODELS[model]
    if isinstance(history, (str, Path)):
        history = read_history(history)
    elif not isinstance(history, History):
        items = list(history)
        if items and isinstance(items[0], Mapping) and "type" in items[0]:
            history = from_events(items)
        else:
            history = from_operations(items)
    if independent:
        history = split_independent(history)
    return check_operations(model, history.operations, time_limit=time_limit,
                            file=history.file, failed=history.failed,
                            skipped=history.skipped, memory_limit=memory_limit)
