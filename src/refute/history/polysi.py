"""The text history format of PolySI and IsoVista: one read or write per line.

    w(key,value,session,txn)        r(key,value,session,txn)

Keys, values, sessions and transaction ids are integers; every transaction committed, except
that IsoVista writes ``-1`` as the transaction of an aborted operation. A transaction's lines
need not be adjacent; its session is its process (session order is file order).

The initial state, two conventions, both accepted:

- **implicit** (PolySI): every key starts at 0, so ``r(k,0,...)`` with no write of ``0`` to
  ``k`` anywhere reads the initial version;
- **explicit** (IsoVista, and what PolySI's own loaders build): transaction 0 of session 0
  writes every key's initial value (``w(1,0,0,0)``, or another value such as 1). When the
  file's first transaction is transaction 0 of session 0, only writes, and is alone in its
  session, it *is* the initial state: it is not checked as a transaction, and reads of the
  values it wrote read the initial version (the same thing: the initial transaction precedes
  every other one). Any other transaction that writes 0 is an ordinary writer, and reads of
  that 0 read its write.

An aborted write (transaction ``-1``) becomes a failed transaction of its own, so that a
read of its value is reported as an aborted read (G1a); an aborted read says nothing.
"""

from __future__ import annotations

import re

from refute.limits import Watch, watched
from refute.errors import InputError
from refute.history.transactions import READ, WRITE, History, MicroOp, Outcome, Transaction

_LINE = re.compile(r"\s*([rw])\(\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*")
ABORTED = -1


class _Line:
    """The location of a transaction: the line of its first micro-op, known upfront."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line


def looks_like_text(head: str) -> bool:
    """Whether the first meaningful characters are a PolySI/IsoVista line."""
    return bool(re.match(r"[rw]\(", head))


def parse_text(text: str, file: str | None, watch: Watch | None = None) -> History:
    """Transactions in order of first appearance; see the module docstring."""
    lines: list[tuple[int, str, int, int, int, int]] = []  # (line, kind, key, value, s, t)
    for number, line in watched(enumerate(text.splitlines(), 1), watch):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            column = len(line) - len(line.lstrip()) + 1
            raise InputError(f"expected r(key,value,session,txn) or w(key,value,session,txn), "
                             f"found {line.strip()[:60]!r}", file=file, line=number,
                             column=column,
                             hint="PolySI text has one read or write per line, four integers")
        kind, key, value, session, txn_id = match.groups()
        try:
            lines.append((number, kind, int(key), int(value), int(session), int(txn_id)))
        except ValueError:  # more digits than int() converts
            raise InputError("a number on this line has too many digits", file=file,
                             line=number, column=match.start(2) + 1,
                             hint="keys, values, sessions and transactions are small "
                                  "integers") from None
    initial, first = _explicit_initial(lines)
    written = {(key, value) for _, kind, key, value, _, txn in lines
               if kind == "w" and txn != first}
    transactions: dict[int, Transaction] = {}
    ops: dict[int, list[MicroOp]] = {}
    aborted: list[Transaction] = []
    sessions: dict[int, int] = {}
    for number, kind, key, value, session, txn_id in lines:
        if txn_id == first:
            continue
        if txn_id == ABORTED:
            if kind == "w":
                aborted.append(Transaction(0, f"A{number}", Outcome.FAIL, session,
                                           ((WRITE, key, value),), None, None, _Line(number)))
            continue
        if kind == "r" and (key, value) not in written and \
                initial.get(key, 0) == value:
            value = None  # the initial version
        txn = transactions.get(txn_id)
        if txn is None:
            txn = transactions[txn_id] = Transaction(len(transactions), f"T{txn_id}",
                                                     Outcome.OK, session, (), None, None,
                                                     _Line(number))
            ops[txn_id] = []
            sessions.setdefault(session, txn_id)
        elif txn.process != session:
            raise InputError(f"transaction {txn_id} appears in sessions {txn.process} and "
                             f"{session}", file=file, line=number,
                             hint="a transaction belongs to one session")
        ops[txn_id].append((READ if kind == "r" else WRITE, key, value))
    for txn_id, txn in transactions.items():
        txn.mops = tuple(ops[txn_id])
    ordered = list(transactions.values()) + aborted
    ordered.sort(key=lambda t: t.line)
    for ident, txn in enumerate(ordered):
        txn.id = ident
    notes = []
    if first is not None:
        notes.append(f"transaction T{first} (line {lines[0][0]}) only writes and is alone in "
                     f"its session: it is read as the initial state of {len(initial)} key(s)")
    return History(ordered, file, "text", realtime=False, notes=notes)


def _explicit_initial(lines: list[tuple[int, str, int, int, int, int]]
                      ) -> tuple[dict[int, int], int | None]:
    """``(initial value per key, 0)`` when the file's first transaction is transaction 0 of
    session 0, only writes, and no other transaction shares its session; else ``({}, None)``."""
    if not lines or lines[0][4:] != (0, 0):
        return {}, None
    first, session = 0, 0
    values: dict[int, int] = {}
    for _, kind, key, value, s, txn in lines:
        if txn == first:
            if kind != "w" or key in values:
                return {}, None
            values[key] = value
        elif s == session and txn != ABORTED:
            return {}, None
    return values, first
