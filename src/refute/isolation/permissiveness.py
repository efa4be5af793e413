"""Permissiveness: how many distinct histories a protocol allows, against how many a level does.

After MongoDB's study of its transaction protocol (Schultz, Demirbas et al., VLDB 2025),
which projects TLC's state graph onto the protocol's ``ops`` variable: a protocol that aborts
or blocks less lets more schedules of reads and writes through, and the level itself bounds
how many it could.

**A history, here**, is what the clients see once every transaction has finished: for each
transaction, whether it committed, and if it did, its reads and writes in order with the
values read. An aborted transaction is just "aborted" (its reads promise nothing; a later
committed read of its write shows as a read of a value nobody committed). Interleavings,
timestamps and retries are projected away, as is real time, so strict serializability has no
permissiveness here (use serializable).

**The protocol's histories**: every reachable state whose history is finished and names every
transaction (those seen in any finished history) contributes its projection; the count is of
distinct projections.

**The level's histories**, enumerated without the protocol: the same transactions, each
either aborted or committed running one of its programs (the spec's ``programs`` attribute,
``{txn: (program, ...)}`` with a program a tuple of ``("r", key)`` and ``("w", key,
value)``; without it, the programs its committed transactions ran in the protocol's
histories), each read returning the initial value or a value another committed transaction
of the combination writes (or its own earlier write of the key); those the history checker
finds no anomaly in under the level.

The ratio (protocol histories the level allows) / (level histories) is the protocol's
permissiveness for that level: 1 when it allows every history the level does. A protocol
history the level forbids is not counted in the ratio but listed with its anomaly; one outside
the enumeration (a program not declared) is listed too.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from refute.engine.bfs import Options, explore
from refute.engine.model import Model, Predicate, as_model
from refute.engine.result import Result
from refute.errors import UsageError
from refute.history.anomalies import MODELS
from refute.history.checker import HistoryResult, check_history
from refute.history.transactions import READ, WRITE, History, Outcome, Transaction
from refute.isolation.history import ABORTED, COMMITTED, TxnHistory, _NOWHERE, history_of
from refute.status import Status

Projected = tuple[tuple[str, str, tuple], ...]
"""A projected history: ``(transaction, "committed" | "aborted", ops)`` per transaction."""

LEVELS = tuple(m for m in MODELS if m != "strict-serializable")


def project(history: TxnHistory) -> Projected:
    """What clients see of a finished history: each transaction's outcome and, if it
    committed, its operations with the values read and written."""
    rows = [(str(txn), entry.status, entry.ops if entry.status == COMMITTED else ())
            for txn, entry in history.items()]
    return tuple(sorted(rows))


def describe(projected: Projected) -> str:
    """``t1: w k1=t1, w k2=t1 | t2: r k1=nil, r k2=t1``."""
    parts = []
    for txn, status, ops in projected:
        if status == ABORTED:
            parts.append(f"{txn}: aborted")
            continue
        body = ", ".join(f"{f} {key}={'nil' if value is None else value}"
                         for f, key, value in ops)
        parts.append(f"{txn}: {body or '(no operations)'}")
    return " | ".join(parts)


@dataclass(frozen=True)
class Design:
    """The histories of one design (one parameter setting) against the level.

    ``protocol``: its distinct projected histories; ``allowed``: the level's, for the same
    transactions and programs; ``forbidden``: protocol histories the level forbids, with the
    checker's verdict; ``outside``: protocol histories the level allows that the enumeration
    did not produce (their programs were not declared).
    """

    label: str
    protocol: frozenset
    allowed: frozenset
    forbidden: tuple[tuple[Projected, HistoryResult], ...]
    outside: tuple[Projected, ...]
    result: Result
    seconds_protocol: float
    seconds_level: float

    @property
    def permitted(self) -> frozenset:
        """The protocol's histories that the level allows."""
        return self.protocol & self.allowed

    @property
    def ratio(self) -> float:
        """The share of the level's histories the protocol allows (1: all of them)."""
        return len(self.permitted) / len(self.allowed) if self.allowed else 0.0


@dataclass(frozen=True)
class Permissiveness:
    """The designs compared, in the order given. ``status`` is ``violation`` when a design
    allows a history the level forbids (a history found is real, even in an exploration that
    stopped early), else ``incomplete`` when an exploration stopped early."""

    level: str
    designs: tuple[Design, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status(self) -> Status:
        if any(d.forbidden for d in self.designs):
            return Status.VIOLATION
        if any(d.result.status is Status.INCOMPLETE for d in self.designs):
            return Status.INCOMPLETE
        return Status.OK

    def subset(self, a: int | str, b: int | str) -> bool:
        """Whether every history design ``a`` allows, design ``b`` allows too."""
        return self._get(a).protocol <= self._get(b).protocol

    def relations(self) -> list[str]:
        """Each pair of designs related by inclusion, in words."""
        out = []
        for a, b in itertools.combinations(self.designs, 2):
            if a.protocol == b.protocol:
                out.append(f"{a.label} = {b.label}: the same {len(a.protocol)} histories")
                continue
            for small, large in ((a, b), (b, a)):
                if small.protocol < large.protocol:
                    extra = len(large.protocol - small.protocol)
                    out.append(f"{small.label} ⊂ {large.label}: {large.label} allows every "
                               f"history {small.label} allows, and {_histories(extra)} more")
                    break
            else:
                out.append(f"{a.label} and {b.label} are incomparable: "
                           f"{_histories(len(a.protocol - b.protocol))} only {a.label} allows, "
                           f"{len(b.protocol - a.protocol)} only {b.label}")
        return out

    def _get(self, which: int | str) -> Design:
        if isinstance(which, int):
            return self.designs[which]
        for design in self.designs:
            if design.label == which:
                return design
        raise KeyError(which)


def permissiveness(designs: Any | Sequence[tuple[str, Any]], level: str = "snapshot-isolation",
                   *, field: str | None = None, time_limit: float | None = None,
                   memory_limit: int | None = None) -> Permissiveness:
    """Count the histories of each design (a spec, or ``(label, spec)`` pairs) and the level's.

    ``time_limit`` (seconds) and ``memory_limit`` (bytes of resident memory) bound each
    design's exploration; a design cut short is counted so far, and the result is incomplete.
    """
    if level not in LEVELS:
        raise UsageError(f"permissiveness cannot be measured against {level!r}",
                         hint=f"use one of {', '.join(LEVELS)}; the projected histories "
                              "forget real time, so strict serializable is not among them")
    if not isinstance(designs, (list, tuple)):
        designs = [(type(designs).__name__, designs)]
    enumerated: dict[tuple, frozenset] = {}
    out = []
    for label, spec in designs:
        model = as_model(spec)
        started = time.perf_counter()
        histories, result = protocol_histories(model, field, Options(
            deadlock=False, time_limit=time_limit, memory_limit=memory_limit))
        seconds_protocol = time.perf_counter() - started
        started = time.perf_counter()
        programs = _programs(model, histories)
        key = tuple(sorted((t, tuple(sorted(p))) for t, p in programs.items()))
        if key not in enumerated:
            enumerated[key] = allowed_histories(programs, level)
        allowed = enumerated[key]
        forbidden, outside = [], []
        for projected in sorted(histories - allowed, key=repr):
            verdict = check_projected(projected, level)
            if verdict.status is Status.VIOLATION:
                forbidden.append((projected, verdict))
            else:
                outside.append(projected)
        out.append(Design(label, frozenset(histories), allowed, tuple(forbidden), tuple(outside),
                          result, seconds_protocol, time.perf_counter() - started))
    return Permissiveness(level, tuple(out))


def _histories(count: int) -> str:
    return f"{count} histor{'y' if count == 1 else 'ies'}"


class _Collecting:
    """The model with one invariant only, which collects finished histories (always true)."""

    def __init__(self, model: Model, predicate: Predicate) -> None:
        self.inner = model
        self.invariants = (predicate,)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def protocol_histories(model: Model, field: str | None = None,
                       options: Options = Options(deadlock=False)
                       ) -> tuple[set[Projected], Result]:
    """The distinct projected histories of the model's finished states naming every
    transaction, and the exploration's result (deadlocks and the spec's invariants are not
    checked: only the histories are wanted; ``options`` gives the bounds and limits)."""
    _, get = history_of(model, field)
    finished: set[TxnHistory] = set()

    def collect(state: Any) -> bool:
        history = get(state)
        if history.finished:
            finished.add(history)
        return True

    collector = Predicate("collect finished histories", collect)
    result = explore(_Collecting(model, collector), replace(options, deadlock=False))
    everyone = {txn for history in finished for txn in history}
    projected = {project(h) for h in finished if len(h) == len(everyone)}
    return projected, result


def _programs(model: Model, histories: Iterable[Projected]) -> dict[str, set[tuple]]:
    declared = model.transaction_programs
    programs: dict[str, set[tuple]] = {}
    if isinstance(declared, Mapping):
        for txn, options in declared.items():
            programs[str(txn)] = {tuple(tuple(op) for op in program) for program in options}
        return programs
    for projected in histories:
        for txn, status, ops in projected:
            shapes = programs.setdefault(txn, set())
            if status == COMMITTED:
                shapes.add(tuple((f, key) if f == READ else (f, key, value)
                                 for f, key, value in ops))
    return programs


def allowed_histories(programs: Mapping[str, Iterable[tuple]], level: str) -> frozenset:
    """Every projected history of these transactions and programs that ``level`` allows."""
    txns = sorted(programs)
    options = [[None] + sorted(programs[t], key=repr) for t in txns]
    allowed = set()
    for combo in itertools.product(*options):
        committed = {t: p for t, p in zip(txns, combo) if p is not None}
        written: dict[Any, set] = {}
        for program in committed.values():
            for op in program:
                if op[0] == WRITE:
                    written.setdefault(op[1], set()).add(op[2])
        slots = []  # (txn, position, candidate values) per read
        for t, program in committed.items():
            own: dict[Any, Any] = {}
            for position, op in enumerate(program):
                if op[0] == WRITE:
                    own[op[1]] = op[2]
                elif op[1] in own:
                    slots.append((t, position, (own[op[1]],)))
                else:
                    mine = {o[2] for o in program if o[0] == WRITE and o[1] == op[1]}
                    others = sorted(written.get(op[1], set()) - mine, key=repr)
                    slots.append((t, position, (None, *others)))
        for values in itertools.product(*(candidates for _, _, candidates in slots)):
            ops = {t: list(p) for t, p in committed.items()}
            for (t, position, _), value in zip(slots, values):
                ops[t][position] = (READ, ops[t][position][1], value)
            projected = tuple(sorted(
                (t, COMMITTED, tuple(ops[t])) if t in committed else (t, ABORTED, ())
                for t in txns))
            if check_projected(projected, level).status is not Status.VIOLATION:
                allowed.add(projected)
    return frozenset(allowed)


def check_projected(projected: Projected, level: str) -> HistoryResult:
    """The history checker's verdict on a projected history (no real-time order)."""
    transactions = [
        Transaction(id=i, name=txn, outcome=Outcome.OK if status == COMMITTED else Outcome.FAIL,
                    process=txn, mops=tuple(ops), invoked=None, completed=None, where=_NOWHERE)
        for i, (txn, status, ops) in enumerate(projected)]
    return check_history(History(transactions, None, "model", realtime=False), model=level,
                         workload="rw-register")
