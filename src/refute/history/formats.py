"""Readers for the history formats, each producing a :class:`History`.

- **Jepsen EDN**: one operation map per line, or one vector of maps; ``;`` comments. An
  operation is ``{:type :invoke|:ok|:fail|:info, :process P, :f :txn, :value [mops]}`` where a
  micro-op is ``[:append k v]``, ``[:r k list-or-nil]`` or ``[:w k v]``, ``[:r k v]``.
- **Jepsen JSON**, as elle-cli reads it: the same maps with string values (``"type": "ok"``,
  ``["append", 253, 1]``), as a JSON array or one object per line.
- **PolySI / IsoVista text**: one micro-op a line, ``r(key,value,session,txn)`` or
  ``w(key,value,session,txn)``, with the initial state implicit (0) or written by a first
  transaction (:mod:`refute.history.polysi`).
- **DBCop** JSON and text (:mod:`refute.history.dbcop`) and **Cobra**'s binary client logs
  (:mod:`refute.history.cobra`), read as register histories with session order only.

Jepsen operations are paired per process: an invocation and the next completion of the same
process are one transaction. An invocation that never completes is ``info`` (it may have
committed). Operations of non-client processes (a keyword process such as ``:nemesis``) and
operations whose ``:f`` is not ``:txn`` are skipped, as Elle's ``client-ops`` does.

Every problem raises :class:`refute.errors.InputError` naming the file, line and column and
what was expected there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from refute.errors import InputError
from refute.readers import FormLocator, parse_all, parse_json, read_text, sniff
from refute.readers.source import meaningful_head
from refute.limits import Watch, watched
from refute.history.cobra import looks_like_cobra, read_cobra
from refute.history.dbcop import (
    looks_like_dbcop_json,
    looks_like_dbcop_text,
    parse_dbcop_json,
    parse_dbcop_text,
)
from refute.history.polysi import looks_like_text, parse_text
from refute.history.transactions import (
    APPEND,
    READ,
    WRITE,
    History,
    MicroOp,
    Outcome,
    Transaction,
    value_text,
)

FORMATS = ("edn", "json", "text", "dbcop", "dbcop-text", "cobra")
_CHUNK = 1 << 20  # characters of EDN read between two checks of the limits

_OUTCOMES = {"ok": Outcome.OK, "fail": Outcome.FAIL, "info": Outcome.INFO}
_MOP_KINDS = {APPEND: APPEND, READ: READ, WRITE: WRITE}


def read_history(path: str | Path, format: str | None = None) -> History:
    """Read a history file; ``format`` is ``edn``, ``json``, ``text`` or None to detect it.

    Detection looks at the content, never the extension: a folder of binary ``S``-records
    (or one such file) is Cobra's logs; then the first meaningful characters: ``r(``/``w(``
    is PolySI text, ``[x:=1`` or a line of dashes DBCop text, an array of arrays of
    ``{"events"`` DBCop JSON, ``{"`` or ``[{"`` (or ``[]``) Jepsen JSON, anything else EDN.
    """
    if format == "cobra" or (format is None and looks_like_cobra(path)):
        return read_cobra(path)
    return parse_history(read_history_text(path), file=str(path), format=format)


def read_history_text(path: str | Path) -> str:
    """The text of a history file, or an :class:`InputError` saying why it cannot be read."""
    return read_text(path, "history", "histories are EDN, JSON or PolySI text files")


def parse_history(text: str, file: str | None = None, format: str | None = None,
                  watch: Watch | None = None) -> History:
    """Parse the text of a history; see :func:`read_history`.

    ``watch`` bounds the work: it is checked between chunks of EDN and every 4096
    operations, and :class:`~refute.limits.LimitReached` is raised once it has expired.
    """
    format = format or detect_format(text)
    if format == "text":
        return parse_text(text, file, watch)
    if format == "dbcop":
        return parse_dbcop_json(text, file, watch)
    if format == "dbcop-text":
        return parse_dbcop_text(text, file, watch)
    if format == "cobra":
        raise InputError("Cobra histories are binary logs: give the file or folder path",
                         hint="refute history LOGS/ --format cobra")
    if format == "json":
        forms = _parse_json(text, file)
    elif format == "edn":
        forms = _parse_edn(text, file, watch)
    else:
        raise InputError(f"unknown history format {format!r}",
                         hint=f"use one of {', '.join(FORMATS)}")
    depth = 0
    if len(forms) == 1 and isinstance(forms[0], (tuple, list)):
        forms, depth = forms[0], 1  # a single vector (array) of operations
    return _pair_operations(watched(forms, watch), text, file, format, depth)


def detect_format(text: str) -> str:
    """The format, from the first characters that are not blank or comment: ``text``,
    ``dbcop-text``, ``dbcop`` (JSON), ``json`` or ``edn``."""
    if looks_like_text(meaningful_head(text)):
        return "text"
    head = text[:4096]
    if looks_like_dbcop_text(head):
        return "dbcop-text"
    if looks_like_dbcop_json(head):
        return "dbcop"
    return sniff(text)


def _parse_edn(text: str, file: str | None, watch: Watch | None) -> list[Any]:
    """Every form of an EDN history; under a limit, in chunks of about 1 MB with the watch
    checked between them.

    A chunk ends just before a line that starts with ``{``, where an operation per line
    starts. Should that line be inside a string or a multi-line form, the chunk before it does
    not parse (an unclosed form or string): then the whole text is read in one piece, which
    gives the same forms, or the error located in the file.
    """
    if watch is None or not watch.active or len(text) <= 4 * _CHUNK:
        return parse_all(text, file)
    forms: list[Any] = []
    start = 0
    try:
        while start < len(text):
            watch.check()
            end = text.find("\n{", start + _CHUNK)
            end = len(text) if end < 0 else end + 1
            forms.extend(parse_all(text[start:end], file))
            start = end
    except InputError:
        return parse_all(text, file)
    return forms


def _parse_json(text: str, file: str | None) -> list[Any]:
    return parse_json(text, file, hint="a JSON history is an array of operation objects, "
                                        "or one object per line").values


def _pair_operations(forms: Iterable[Any], text: str, file: str | None, format: str,
                     depth: int) -> History:
    """Pair invocations with completions per process and build the transactions."""
    transactions: list[Transaction] = []
    warnings: list[str] = []
    pending: dict[Any, tuple[int, Mapping[str, Any], int]] = {}
    forms_index = FormLocator(text, file, depth)

    def add(outcome: Outcome, value: Any, process: Any, index: Any, invoked: int | None,
            completed: int | None, form_number: int) -> None:
        ident = len(transactions)
        name = f"T{index}" if isinstance(index, int) else f"T{form_number}"
        where = _Where(forms_index, form_number)
        mops = _micro_ops(value, outcome, where)
        transactions.append(Transaction(ident, name, outcome, process, mops, invoked,
                                        completed, where))

    for number, op in enumerate(forms):
        if type(op) is not dict and not isinstance(op, Mapping):
            _Where(forms_index, number).fail(
                f"expected an operation map, found {value_text(op)[:60]}",
                "each operation is a map such as {:type :ok, :process 0, :f :txn, "
                ":value [[:r 1 nil]]}")
        process = op.get("process")
        function = op.get("f")
        try:
            hash(process)
        except TypeError:
            _Where(forms_index, number).fail(
                f"operation :process is {value_text(process)[:60]}, expected a number",
                "client processes are numbered 0, 1, 2...; the nemesis is :nemesis")
        if isinstance(process, str) or (function is not None and function != "txn"):
            continue  # a nemesis or a non-transaction operation
        kind = op.get("type")
        if kind == "invoke":
            if process in pending:
                earlier = pending.pop(process)
                add(Outcome.INFO, earlier[1].get("value"), process, earlier[1].get("index"),
                    earlier[0], None, earlier[2])
            pending[process] = (number, op, number)
            continue
        outcome = _OUTCOMES.get(kind) if isinstance(kind, str) else None
        if outcome is None:
            _Where(forms_index, number).fail(
                f"operation :type is {value_text(kind)}, expected :invoke, :ok, :fail or :info",
                "give every operation a :type")
        invocation = pending.pop(process, None)
        value = op.get("value")
        if value is None and invocation is not None:
            value = invocation[1].get("value")
        elif invocation is not None and outcome is Outcome.OK and \
                _writes(value) != _writes(invocation[1].get("value")):
            line = _Where(forms_index, number).line
            warnings.append(f"line {line}: the completion's writes differ from its invocation's "
                            f"(line {_Where(forms_index, invocation[0]).line}); the "
                            "completion's are checked")
        add(outcome, value, process, op.get("index"),
            invocation[0] if invocation else None,
            number if outcome is Outcome.OK else None, number)
    for invoked, op, number in pending.values():
        add(Outcome.INFO, op.get("value"), op.get("process"), op.get("index"), invoked, None,
            number)
    # Invocations left open were appended last; restore the order of first events.
    transactions.sort(key=lambda t: t.invoked if t.invoked is not None else t.where.number)
    for ident, txn in enumerate(transactions):
        txn.id = ident
    return History(transactions, file, format, realtime=True, warnings=warnings)


def _writes(value: Any) -> list[Any]:
    """The write micro-ops (``:w``, ``:append``) of an operation's value, as written."""
    if not isinstance(value, (tuple, list)):
        return []
    return [tuple(mop) for mop in value if isinstance(mop, (tuple, list)) and len(mop) == 3
            and mop[0] in (WRITE, APPEND)]


def _micro_ops(value: Any, outcome: Outcome, where: _Where) -> tuple[MicroOp, ...]:
    if type(value) is tuple:
        # The common case, EDN vectors of three-element vectors with hashable contents, in
        # one comprehension; anything else takes the checks below.
        try:
            if all(type(mop) is tuple for mop in value):
                mops = tuple([(_MOP_KINDS[f], key, arg) for f, key, arg in value])
                hash(mops)
                return mops
        except (KeyError, ValueError, TypeError):
            pass
    if not isinstance(value, (tuple, list)):
        where.fail(f"the operation's :value is {value_text(value)[:60]}, expected a vector "
                   "of micro-ops", "write the transaction as [[:append k v] [:r k nil] ...]")
    mops = []
    for position, mop in enumerate(value, 1):
        if not isinstance(mop, (tuple, list)) or len(mop) != 3:
            where.fail(f"micro-op {position} is {value_text(mop)[:60]}, expected [f key value]",
                       "micro-ops are [:append k v], [:r k v] or [:w k v]")
        f, key, arg = mop
        kind = _MOP_KINDS.get(f) if isinstance(f, str) else None
        if kind is None:
            where.fail(f"micro-op {position} has function {value_text(f)}, expected :append, "
                       ":r or :w", "list-append uses :append and :r; rw-register :w and :r")
        if isinstance(arg, list):
            arg = tuple(arg)
        try:
            hash(key)
            hash(arg)
        except TypeError:
            where.fail(f"micro-op {position} has a key or value that is a map or set",
                       "keys and values are numbers, strings, keywords or (for reads) lists")
        mops.append((kind, key, arg))
    return tuple(mops)


class _Where:
    """The location of one operation, computed only when an error or a report needs it.

    Readers do not keep a line per operation (that costs time on million-operation files);
    the shared :class:`~refute.readers.FormLocator` finds every form's offset in one scan,
    the first time any location is asked for.
    """

    __slots__ = ("forms", "number")

    def __init__(self, forms: FormLocator, number: int) -> None:
        self.forms, self.number = forms, number

    @property
    def line(self) -> int | None:
        return self.forms.position(self.number)[0]

    def fail(self, message: str, hint: str) -> NoReturn:
        line, column = self.forms.position(self.number)
        raise InputError(f"operation {self.number + 1}: {message}", file=self.forms.file,
                         line=line, column=column, hint=hint)
