"""DBCop's history formats (Biswas and Enea's checker, ``github.com/rnbguy/dbcop``), as its
``docs/history-format.md`` defines them: JSON and a text notation.

Both describe *sessions*, each a list of transactions in session order; a transaction is a
list of events and whether it committed. Events are writes of a *version* to a *variable*
and reads of the version a variable had (or of no version: the variable was uninitialized).
Versions are unique across the history, so a read names the write it saw. There is no
timing: session order is the only order known.

- **JSON** (``--format dbcop``): the array of sessions, or an object whose ``"data"`` holds
  it (what ``dbcop generate`` writes, beside ``"params"``, ``"info"``, ``"start"``,
  ``"end"``). A transaction is ``{"events": [...], "committed": true}``; an event
  ``{"Write": {"variable": 0, "version": 1}}`` or ``{"Read": {"variable": 0, "version":
  null}}``.
- **Text** (``--format dbcop-text``): one line per run of transactions of a session,
  sessions separated by a line of dashes, ``//`` comments. A transaction is
  ``[x:=1 y==2 z==?]`` (write 1 to ``x``, read version 2 of ``y``, read ``z``
  uninitialized), followed by ``!`` when it did not commit.

Each becomes a read-write register history: a session is a process (numbered from 1, as
DBCop numbers them), a write ``x:=v`` is ``[:w x v]``, a read ``[:r x v]`` (``nil`` when
uninitialized), a committed transaction ``ok`` and an uncommitted one ``fail``. Transactions
are named ``T1``, ``T2``... in file order and located by the line they start on.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from refute.errors import InputError
from refute.history.transactions import READ, WRITE, History, MicroOp, Outcome, Transaction
from refute.limits import Watch, watched
from refute.readers import parse_json

_JSON_HINT = ('a DBCop JSON history is an array of sessions, each an array of transactions '
              '{"events": [{"Write": {"variable": 0, "version": 1}}], "committed": true}')
_TEXT_HINT = ("a DBCop text history has transactions such as [x:=1 y==2 z==?] (a trailing ! "
              "marks one that did not commit), sessions separated by a line of dashes")
_TEXT_START = re.compile(r"(?:\s*(?://[^\n]*)?\n)*\s*(?:-+\s*\n|\[\s*[A-Za-z_]\w*\s*(?::=|==))")
_JSON_START = re.compile(r'\s*(?:\[\s*\[\s*(?:\{\s*"(?:events|committed)"|\])|\{\s*"'
                         r'(?:params|info|start|end|data)")')
_TRANSACTION = re.compile(r"\[([^\[\]]*)\](!?)")
_EVENT = re.compile(r"([A-Za-z_]\w*)(:=|==)(\d+|\?)")
_DASHES = re.compile(r"-+")


class _Line:
    """The location of a transaction: the line it starts on."""

    __slots__ = ("line",)

    def __init__(self, line: int | None) -> None:
        self.line = line


def looks_like_dbcop_text(head: str) -> bool:
    """Whether the text starts (after blank and ``//`` comment lines) with a DBCop
    transaction or a session separator."""
    return bool(_TEXT_START.match(head))


def looks_like_dbcop_json(head: str) -> bool:
    """Whether the text starts as DBCop JSON: an array of arrays of transactions, or the
    object ``dbcop generate`` writes."""
    return bool(_JSON_START.match(head))


def parse_dbcop_json(text: str, file: str | None, watch: Watch | None = None) -> History:
    """The history of a DBCop JSON file; see the module docstring."""
    [document] = parse_json(text, file, hint=_JSON_HINT).values or [None]
    if isinstance(document, dict):
        document = document.get("data")
    if not isinstance(document, list) or not all(isinstance(s, list) for s in document):
        raise InputError("expected an array of sessions (arrays of transactions), or an "
                         'object with one under "data"', file=file, line=1, hint=_JSON_HINT)
    starts = [m.start() for m in re.finditer(r'"events"\s*:', text)]
    newlines = [m.start() for m in re.finditer("\n", text)]
    count = sum(len(session) for session in document)

    def line_of(number: int) -> int | None:
        if len(starts) != count:  # "events" inside a string: no reliable location
            return None
        return bisect.bisect_left(newlines, starts[number]) + 1

    transactions: list[Transaction] = []
    for session_number, session in enumerate(document, 1):
        for txn in watched(session, watch):
            where = _Line(line_of(len(transactions)))
            if not isinstance(txn, dict) or not isinstance(txn.get("events"), list) or \
                    not isinstance(txn.get("committed"), bool):
                raise InputError(f"transaction {len(transactions) + 1} is not "
                                 '{"events": [...], "committed": true|false}', file=file,
                                 line=where.line, hint=_JSON_HINT)
            mops = tuple(_json_event(event, file, where, len(transactions) + 1)
                         for event in txn["events"])
            outcome = Outcome.OK if txn["committed"] else Outcome.FAIL
            transactions.append(Transaction(len(transactions), f"T{len(transactions) + 1}",
                                            outcome, session_number, mops, None, None, where))
    return _history(transactions, file, "dbcop", len(document))


def _json_event(event: Any, file: str | None, where: _Line, number: int) -> MicroOp:
    kind, body = next(iter(event.items())) if isinstance(event, dict) and len(event) == 1 \
        else (None, None)
    if kind in ("Read", "Write") and isinstance(body, dict) and \
            set(body) == {"variable", "version"}:
        variable, version = body["variable"], body["version"]
        if isinstance(variable, (int, str)) and not isinstance(variable, bool) and (
                isinstance(version, int) and not isinstance(version, bool)
                or (version is None and kind == "Read")):
            return (READ if kind == "Read" else WRITE, variable, version)
    raise InputError(f"transaction {number} has the event {str(event)[:80]}, expected "
                     '{"Read": {"variable": V, "version": V or null}} or '
                     '{"Write": {"variable": V, "version": V}}', file=file, line=where.line,
                     hint=_JSON_HINT)


def parse_dbcop_text(text: str, file: str | None, watch: Watch | None = None) -> History:
    """The history of a DBCop text (``.hist``) file; see the module docstring."""
    transactions: list[Transaction] = []
    session = 1
    for number, raw in watched(enumerate(text.splitlines(), 1), watch):
        line = raw.split("//", 1)[0].rstrip()
        if not line.strip():
            continue
        if _DASHES.fullmatch(line.strip()):
            session += 1
            continue
        position = len(line) - len(line.lstrip())
        while position < len(line):
            match = _TRANSACTION.match(line, position)
            if match is None:
                raise InputError(f"expected a transaction [...], found {line[position:][:40]!r}",
                                 file=file, line=number, column=position + 1, hint=_TEXT_HINT)
            events = match.group(1).split()
            mops = []
            for event in events:
                parsed = _EVENT.fullmatch(event)
                if parsed is None or (parsed.group(2) == ":=" and parsed.group(3) == "?"):
                    raise InputError(f"expected x:=1, x==1 or x==?, found {event[:40]!r}",
                                     file=file, line=number, column=match.start(1) + 1,
                                     hint=_TEXT_HINT)
                variable, operator, version = parsed.groups()
                mops.append((WRITE if operator == ":=" else READ, variable,
                             None if version == "?" else int(version)))
            if not mops:
                raise InputError("a transaction has no events", file=file, line=number,
                                 column=match.start() + 1, hint=_TEXT_HINT)
            outcome = Outcome.FAIL if match.group(2) else Outcome.OK
            transactions.append(Transaction(len(transactions), f"T{len(transactions) + 1}",
                                            outcome, session, tuple(mops), None, None,
                                            _Line(number)))
            position = match.end()
            while position < len(line) and line[position] in " \t":
                position += 1
    return _history(transactions, file, "dbcop-text", session)


def _history(transactions: list[Transaction], file: str | None, format: str,
             sessions: int) -> History:
    note = (f"DBCop history: {sessions} session(s), read as processes 1-{sessions} with "
            "no timing (session order only)")
    return History(transactions, file, format, realtime=False, notes=[note])
