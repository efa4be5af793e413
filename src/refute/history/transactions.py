"""The values a transaction history is made of: micro-operations, transactions, histories.

A history file records *operations*: a client invokes a transaction and later learns its fate
(``ok`` committed, ``fail`` certainly aborted, ``info`` unknown: it may or may not have
committed). Readers in :mod:`refute.history.formats` pair each invocation with its completion
and hand the checker one :class:`Transaction` per pair.

Invariants every reader guarantees, which the analyses rely on:

- ``History.transactions[i].id == i``: a transaction's id is its position, so per-transaction
  tables are plain lists and graph vertices are small integers.
- Micro-operations are tuples ``(f, key, value)`` with ``f`` one of ``"append"``, ``"r"``,
  ``"w"``; keys and written values are hashable; a list-append read's value is a tuple (an
  empty read is ``()``) or ``None`` when the read's result is unknown (an ``info`` or ``fail``
  transaction repeats its invocation, whose reads are ``nil``).
- ``invoked``/``completed`` are positions in one total order of the file's events, used only
  for real-time precedence; ``completed`` is ``None`` when the transaction never completed
  (``info``, or an invocation with no completion), which puts it after everything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from refute.readers.edn import Keyword

APPEND, READ, WRITE = "append", "r", "w"


class Outcome(enum.Enum):
    """What the client learned about a transaction; the value is Jepsen's ``:type``."""

    OK = "ok"
    FAIL = "fail"
    INFO = "info"


MicroOp = tuple[str, Any, Any]


@dataclass(slots=True, eq=False)
class Transaction:
    """One transaction of the history and what the client learned about it.

    ``name`` is how explanations and JSON refer to it (``T12``: the completion's ``:index``
    when the file has one, otherwise its operation's position); ``where.line`` is the line of
    its completion (or of its invocation, when it never completed), computed on demand.
    """

    id: int
    name: str
    outcome: Outcome
    process: Any
    mops: tuple[MicroOp, ...]
    invoked: int | None
    completed: int | None
    where: Any

    @property
    def line(self) -> int | None:
        return self.where.line

    @property
    def committed(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def possible(self) -> bool:
        """Whether it may have committed: ``ok`` or ``info``. Only these are graph vertices."""
        return self.outcome is not Outcome.FAIL

    def describe(self) -> str:
        """``T12 (process 3, ok): [[:append 9 2] [:r 8 [1]]]``, for explanations."""
        body = " ".join(f"[{_mop_text(mop)}]" for mop in self.mops)
        return f"{self.name} (process {self.process}, {self.outcome.value}): [{body}]"


@dataclass(slots=True)
class History:
    """The transactions of one history file, in the order their first event appears.

    ``realtime`` says whether invocation and completion order is known (Jepsen histories);
    formats without it (PolySI text) only know each session's order, ``process`` order.

    A history proven clean without building its transactions (the C list-append check, see
    :mod:`refute.history.checker`) is made with ``loaded=None`` and a ``load`` function:
    ``transactions`` reads them the first time it is asked for, with the ordinary reader.
    """

    loaded: list[Transaction] | None
    file: str | None
    format: str
    realtime: bool
    notes: list[str] = field(default_factory=list)  # how the reader interpreted the file
    warnings: list[str] = field(default_factory=list)  # what in the file looks wrong
    load: Callable[[], History] | None = None

    @property
    def transactions(self) -> list[Transaction]:
        if self.loaded is None:
            assert self.load is not None, "a History has its transactions or a way to read them"
            self.loaded = self.load().transactions
        return self.loaded


def value_text(value: Any) -> str:
    """A value as the history file would write it: ``nil``, ``[1 2]``, ``:x``, ``7``."""
    if value is None:
        return "nil"
    if isinstance(value, (tuple, list)):
        return "[" + " ".join(value_text(v) for v in value) + "]"
    if isinstance(value, Keyword):
        return ":" + str.__str__(value)
    return str(value)


def _mop_text(mop: MicroOp) -> str:
    f, key, value = mop
    return f":{f} {value_text(key)} {value_text(value)}"
