"""Operations, and the readers that turn history files into them.

An :class:`Operation` is one client's call, an interval ``[call, ret]`` of time with an input
and an output. The readers accept the formats histories come in:

    Jepsen EDN   one map per line, or a single vector of maps (``#jepsen.history.Op`` records
                 too): ``{:process 0, :type :invoke, :f :write, :value 3}``
    etcd log     the text logs of Jepsen's 2014 etcd test, as in Porcupine's test data:
                 ``INFO  jepsen.util - 3	:invoke	:cas	[1 4]`` (annotations after the
                 value, such as ``:hint 3``, are ignored)
    JSON         an array (or one object per line) of the same Jepsen events with string
                 values, or of Porcupine-style operations ``{"process": 0, "call": 0,
                 "return": 5, "input": ["write", 3], "output": null}``
    Python       a list of such dicts, or of :class:`Operation` values

Jepsen's semantics, which every reader follows:

- an event's ``:type`` is ``:invoke`` when a client calls; the same process's next event is
  the completion: ``:ok`` (it happened, with this output), ``:fail`` (it did *not* happen, so
  it is left out), or ``:info`` (unknown: it may take effect at any point after its call, or
  never). An invocation with no completion is ``:info`` too.
- the input of an operation is ``(f, value of the invocation)``, its output the value of
  the completion; the built-in models (:mod:`refute.linearize.model`) read both that way.
- time is the position of the event in the history: a history is a total order of events.
- events of the ``nemesis`` process are fault injections, not client operations: skipped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refute.errors import InputError
from refute.readers import Keyword, parse_all, parse_json, read_text, sniff

__all__ = ["UNKNOWN", "History", "Operation", "from_events", "from_operations", "parse",
           "read_history", "split_independent"]


class _Unknown:
    """The output of an operation whose outcome nobody saw (a Jepsen ``:info``)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
"""The output of an operation whose outcome is unknown; a model's ``step`` must accept it."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One client call: it took effect at one instant within the closed interval [call, ret].

    ``ret is None`` means the call never returned (Jepsen ``:info``): the operation may have
    taken effect at any instant after ``call``, or not at all, and its ``output`` is
    :data:`UNKNOWN`. Intervals are closed because two events with the same timestamp cannot be
    ordered, so operations that touch at an instant are taken to overlap.

    ``key`` names the independent object the operation acts on (``None``: the only one);
    ``index`` is the operation's position among the history's operations and ``line`` the
    line of its invocation in the file, for messages.
    """

    process: Hashable
    input: Any
    output: Any
    call: float
    ret: float | None
    key: Hashable = None
    index: int = 0
    line: int | None = None


@dataclass(frozen=True)
class History:
    """The operations read from one source, and what was left out of them and why."""

    operations: tuple[Operation, ...]
    file: str | None = None
    failed: int = 0
    """``:fail`` completions: those operations did not happen and are not in ``operations``."""
    skipped: int = 0
    """Events of processes that are not clients (the nemesis)."""

    def __len__(self) -> int:
        return len(self.operations)


_FORMATS = ("auto", "edn", "json", "etcd-log")


def read_history(path: str | Path, format: str = "auto", *, independent: bool = False) -> History:
    """Read a history file; ``format`` is one of ``auto``, ``edn``, ``json``, ``etcd-log``.

    ``auto`` goes by the content: lines from ``jepsen.util`` are an etcd log, a first
    character ``[`` or ``{`` followed by a JSON string is JSON, anything else EDN.
    ``independent`` splits Jepsen ``independent`` values ``[key value]``; see
    :func:`split_independent`.
    """
    name = str(path)
    text = read_text(path, "history", "give a readable UTF-8 text file")
    return parse(text, format, file=name, independent=independent)


def parse(text: str, format: str = "auto", *, file: str | None = None,
          independent: bool = False) -> History:
    """Parse a history from text; see :func:`read_history`."""
    if format not in _FORMATS:
        raise InputError(f"unknown history format {format!r}",
                         hint=f"use one of {', '.join(_FORMATS)}")
    if format == "auto":
        format = _sniff(text)
    if format == "etcd-log":
        history = _parse_etcd_log(text, file)
    elif format == "json":
        history = _parse_json(text, file)
    else:
        lines: dict[int, int] = {}
        forms = parse_all(text, file, map_lines=lines)
        if len(forms) == 1 and isinstance(forms[0], tuple):
            forms = list(forms[0])  # a single vector of operations
        history = from_events(forms, file=file, lines=[lines.get(id(f)) for f in forms])
    return split_independent(history) if independent else history


_ETCD_LINE = re.compile(r"^INFO\s+jepsen\.util\s+-\s+(\d+)\s+(:\S+)\s+(:\S+)\s+(.*?)\s*$")


def _sniff(text: str) -> str:
    head = text.lstrip()[:2000]
    if _ETCD_LINE.search(head.split("\n", 1)[0]) or "jepsen.util" in head:
        return "etcd-log"
    return sniff(text)


def _parse_etcd_log(text: str, file: str | None) -> History:
    """The ``jepsen.util`` lines of a Jepsen log; other log lines are not operations."""
    events: list[dict[str, Any]] = []
    lines: list[int] = []
    values: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "jepsen.util" not in line:
            continue
        match = _ETCD_LINE.match(line)
        if match is None:
            raise InputError(
                "expected a history line 'INFO jepsen.util - PROCESS :TYPE :F VALUE'",
                file=file, line=number, column=1,
                hint="the etcd-log format reads Jepsen's jepsen.util history lines; "
                     "use --format edn or json for other histories")
        process, type_, f, value = match.groups()
        if value not in values:  # few distinct values, each read once: they are immutable
            try:
                parsed = parse_all(value, file)
            except InputError as error:
                raise InputError(error.message, file=file, line=number,
                                 column=match.start(4) + (error.column or 1),
                                 hint=error.hint) from None
            # the value may be followed by annotations such as ":hint 3", in pairs
            if not parsed or len(parsed) % 2 == 0 or not all(
                    isinstance(name, Keyword) for name in parsed[1::2]):
                raise InputError(f"expected a value after {f}, then optional :name value "
                                 f"pairs, found {value!r}", file=file, line=number,
                                 column=match.start(4) + 1,
                                 hint="the value is nil, a number, a vector or a keyword")
            values[value] = parsed[0]
        if len(process) > 18:
            raise InputError(f"process number {process[:20]}... is too long", file=file,
                             line=number, column=match.start(1) + 1,
                             hint="processes are small integers")
        events.append({"process": int(process), "type": type_[1:], "f": f[1:],
                       "value": values[value]})
        lines.append(number)
    return from_events(events, file=file, lines=lines)


def _parse_json(text: str, file: str | None) -> History:
    forms = parse_json(text, file, hint="a JSON history is an array of objects, or one "
                                        "object per line")
    if forms.document and not isinstance(forms.values[0], dict):
        items = forms.values[0]
        if not isinstance(items, list):
            raise InputError("a JSON history must be an array of objects", file=file, line=1,
                             hint="wrap the operations in [ ... ]")
        lines: list[int | None] = [None] * len(items)
    else:
        items, lines = forms.values, list(forms.lines)
    items = [_tuples(item) for item in items]
    if items and isinstance(items[0], dict) and "type" in items[0]:
        return from_events(items, file=file, lines=lines)
    return from_operations(items, file=file, lines=lines)


def _tuples(value: Any) -> Any:
    """JSON arrays as tuples, so that values are hashable like EDN's."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def from_events(events: Iterable[Mapping[str, Any]], *, file: str | None = None,
                lines: list[int | None] | None = None) -> History:
    """Pair Jepsen events (``process``, ``type``, ``f``, ``value``; ``key`` optional).

    Each invocation is paired with the next event of the same process. ``lines[i]``, when
    given, is the line of ``events[i]``, for error messages.
    """
    events = list(events)
    lines = lines if lines is not None else [None] * len(events)
    pending: dict[Hashable, tuple[int, Mapping[str, Any], int]] = {}
    operations: list[tuple[int, Operation]] = []
    failed = skipped = 0
    for position, event in enumerate(events):
        line = lines[position]
        where = {"file": file, "line": line}
        if not isinstance(event, (dict, Mapping)):  # dict first: the ABC check is slow
            raise InputError(f"expected an operation map, found {_short(event)}", **where,
                             hint="each operation is a map with :process, :type, :f and "
                                  ":value")
        try:
            process, type_, f = event["process"], event["type"], event["f"]
        except KeyError as missing:
            raise InputError(f"this operation has no {missing.args[0]!r}: {_short(event)}",
                             **where, hint="each operation needs :process, :type and :f"
                             ) from None
        if not _hashable(process) or not _hashable(event.get("key")):
            raise InputError(f"the process or key of this operation is a map or set: "
                             f"{_short(event)}", **where,
                             hint="processes are numbers (or :nemesis); keys are numbers, "
                                  "strings or keywords")
        if process == "nemesis":
            skipped += 1
            continue
        if type_ == "invoke":
            if process in pending:
                raise InputError(
                    f"process {process!r} invokes again before its call at line "
                    f"{pending[process][2]} completed", **where,
                    hint="a process runs one operation at a time; complete the earlier "
                         "one with :ok, :fail or :info")
            pending[process] = (position, event, line)
            continue
        if type_ not in ("ok", "fail", "info"):
            raise InputError(f"unknown operation type {type_!r}", **where,
                             hint="the type is one of :invoke, :ok, :fail, :info")
        if process not in pending:
            if type_ == "info":
                skipped += 1  # an :info without invocation is a log message, not a call
                continue
            raise InputError(f"process {process!r} completes ({type_}) without an "
                             "invocation", **where,
                             hint="every :ok or :fail follows an :invoke of the same process")
        start, invocation, call_line = pending.pop(process)
        if invocation["f"] != f:
            raise InputError(
                f"process {process!r} invoked {invocation['f']!r} at line {call_line} but "
                f"completes {f!r}", **where, hint="a completion repeats its invocation's :f")
        if type_ == "fail":
            failed += 1
            continue
        ret, output = (position, event.get("value")) if type_ == "ok" else (None, UNKNOWN)
        operations.append((start, Operation(
            process=process, input=_input(invocation), output=output,
            call=start, ret=ret, key=invocation.get("key"), line=call_line)))
    for start, invocation, call_line in pending.values():
        operations.append((start, Operation(
            process=invocation["process"], input=_input(invocation),
            output=UNKNOWN, call=start, ret=None, key=invocation.get("key"),
            line=call_line)))
    operations.sort(key=lambda pair: pair[0])
    numbered = tuple(_renumber(op, index) for index, (_, op) in enumerate(operations))
    return History(numbered, file=file, failed=failed, skipped=skipped)


def _input(invocation: Mapping[str, Any]) -> tuple[Any, Any]:
    """``(f, value)``, with a keyword ``f`` as a plain ``str``: models compare it often."""
    f = invocation["f"]
    return (sys.intern(str(f)) if isinstance(f, str) else f), invocation.get("value")


_OPERATION_FIELDS = ("process", "input", "output", "call", "return")


def from_operations(items: Iterable[Operation | Mapping[str, Any]], *,
                    file: str | None = None,
                    lines: list[int | None] | None = None) -> History:
    """Operations given whole, Porcupine style: ``process`` (or ``client``), ``input``,
    ``output`` (absent when unknown), ``call``, ``return`` (absent or None: never returned),
    and optionally ``key``; or :class:`Operation` values.

    A history given as operations has no failed calls: leave them out.
    """
    items = list(items)
    lines = lines if lines is not None else [None] * len(items)
    operations = []
    for index, item in enumerate(items):
        where = {"file": file, "line": lines[index]}
        if isinstance(item, Operation):
            operations.append(_renumber(item, index))
            continue
        if not isinstance(item, Mapping):
            raise InputError(f"expected an operation, found {_short(item)}", **where,
                             hint="give Operation values or dicts with "
                                  + ", ".join(_OPERATION_FIELDS))
        process = item.get("process", item.get("client"))
        if process is None or "call" not in item or "input" not in item:
            raise InputError(f"operation {index} lacks process, call or input: "
                             f"{_short(item)}", **where,
                             hint="each operation has " + ", ".join(_OPERATION_FIELDS)
                                  + "; Jepsen events have a type instead")
        if not _hashable(process) or not _hashable(item.get("key")):
            raise InputError(f"operation {index}: its process or key is a map or set: "
                             f"{_short(item)}", **where,
                             hint="processes are numbers; keys are numbers or strings")
        call, ret = item["call"], item.get("return")
        if not isinstance(call, (int, float)) or not (ret is None or isinstance(ret, (int, float))):
            raise InputError(f"operation {index}: call and return must be numbers", **where,
                             hint="times are numbers; return is null if the call never "
                                  "returned")
        if ret is not None and ret < call:
            raise InputError(f"operation {index} returns ({ret}) before it is called "
                             f"({call})", **where, hint="swap call and return")
        output = item.get("output") if ret is not None and "output" in item else UNKNOWN
        operations.append(Operation(process=process, input=item["input"], output=output,
                                    call=call, ret=ret, key=item.get("key"), index=index,
                                    line=lines[index]))
    return History(tuple(operations), file=file)


def split_independent(history: History) -> History:
    """Jepsen's ``independent`` histories: values are ``[key value]`` pairs, one object per key.

    Each operation's input value and output become the inner values and ``key`` the first
    element, so that any model checks each key's object on its own.
    """
    split = []
    for op in history.operations:
        f, value = op.input
        if not (isinstance(value, tuple) and len(value) == 2 and _hashable(value[0])):
            raise InputError(f"with independent keys, values are [key value] pairs; "
                             f"operation {op.index} has {value!r}", file=history.file,
                             line=op.line, hint="drop --independent for plain histories")
        output = op.output
        if output is not UNKNOWN:
            if not (isinstance(output, tuple) and len(output) == 2 and output[0] == value[0]):
                raise InputError(f"operation {op.index} on key {value[0]!r} completes with "
                                 f"{output!r}, not a [key value] pair for that key",
                                 file=history.file, line=op.line,
                                 hint="drop --independent for plain histories")
            output = output[1]
        split.append(Operation(op.process, (f, value[1]), output, op.call, op.ret,
                               key=value[0], index=op.index, line=op.line))
    return History(tuple(split), file=history.file, failed=history.failed,
                   skipped=history.skipped)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _renumber(op: Operation, index: int) -> Operation:
    return Operation(op.process, op.input, op.output, op.call, op.ret, op.key, index, op.line)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
