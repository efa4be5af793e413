"""What a linearizability check found, as values that explain themselves.

A :class:`CheckResult` holds one :class:`PartitionResult` per independent object. Its
``verdict`` is ``not linearizable`` as soon as one object has no linearization (that is
certain, whatever the others do), ``unknown`` when some object's search was stopped before
it finished, and ``linearizable`` only when every object has a linearization. Printing and
JSON are methods here; the HTML lives in :mod:`refute.linearize.html`.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from refute.html_page import repr_html
from refute.limits import format_size
from refute.linearize.history import Operation
from refute.linearize.model import Model
from refute.status import Status

__all__ = ["CheckResult", "PartitionResult", "Verdict"]


class Verdict(enum.Enum):
    """The answer for a history or one of its objects. The value is the JSON ``verdict``."""

    LINEARIZABLE = "linearizable"
    NOT_LINEARIZABLE = "not linearizable"
    UNKNOWN = "unknown"

    @property
    def status(self) -> Status:
        return _STATUS[self]


_STATUS = {Verdict.LINEARIZABLE: Status.OK, Verdict.NOT_LINEARIZABLE: Status.VIOLATION,
           Verdict.UNKNOWN: Status.INCOMPLETE}


class Stop(enum.Enum):
    """Why a search ended; the value says it to a person."""

    FOUND = "found a linearization"
    EXHAUSTED = "every order that respects real time was tried: none is legal"
    TIME_LIMIT = "stopped at the time limit before finishing"
    MEMORY_LIMIT = "stopped at the memory limit before finishing"
    OTHER_VIOLATION = "stopped because another object is already not linearizable"


@dataclass(frozen=True)
class PartitionResult:
    """The search of one object's operations.

    ``linearization`` is a legal order of the operations (for a linearizable object, all
    completed ones and whichever unknown-outcome ones took effect), or for the others the
    *longest* legal order of a prefix that the search found, and ``states[i]`` the model's
    state after ``linearization[i]``. ``unplaceable`` are the completed operations that could
    go next after that prefix, by real time, yet none of which the model accepts there.
    """

    key: Hashable
    operations: tuple[Operation, ...]
    verdict: Verdict
    stop: Stop
    linearization: tuple[Operation, ...]
    states: tuple[Any, ...]
    unplaceable: tuple[Operation, ...] = ()
    explored: int = 0
    """Distinct (linearized set, state) configurations the search visited."""

    def state_after_prefix(self, model: Model) -> Any:
        return self.states[-1] if self.states else model.init


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a whole history, with one result per independent object."""

    verdict: Verdict
    partitions: tuple[PartitionResult, ...]
    model: Model = field(repr=False)
    seconds: float
    time_limit: float | None = None
    file: str | None = None
    failed: int = 0
    skipped: int = 0
    memory_limit: int | None = None

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def linearizable(self) -> bool | None:
        """True or False when certain; None when the search stopped before knowing."""
        if self.verdict is Verdict.UNKNOWN:
            return None
        return self.verdict is Verdict.LINEARIZABLE

    def __bool__(self) -> bool:
        raise TypeError("a CheckResult is not a bool: test .linearizable, which is None "
                        "when the answer is unknown")

    @property
    def operation_count(self) -> int:
        return sum(len(p.operations) for p in self.partitions)

    def describe(self, op: Operation) -> str:
        """One operation as a person reads it: ``#12 process 3: cas(1, 4) (line 40)``."""
        where = f" (line {op.line})" if op.line is not None else ""
        text = self.model.describe_operation(op.input, op.output)
        return f"#{op.index} process {op.process}: {text}{where}"

    def explain(self) -> str:
        """A few lines saying what was found and, for a violation, where it is."""
        objects = f"{len(self.partitions)} object{'s' if len(self.partitions) != 1 else ''}"
        head = (f"{self.verdict.value}: {self.operation_count} operations on {objects}, "
                f"model {self.model.name}, {self.seconds:.3f} s")
        lines = [head]
        if self.failed:
            lines.append(f"  ({self.failed} failed operations left out: they did not happen)")
        for part in self.partitions:
            if part.verdict is Verdict.NOT_LINEARIZABLE:
                lines.extend(self._explain_violation(part))
            elif part.stop in (Stop.TIME_LIMIT, Stop.MEMORY_LIMIT):
                lines.append(f"{self._name(part)}: unknown, {part.stop.value} "
                             f"({part.explored} configurations explored)")
        cut_short = [p for p in self.partitions if p.stop is Stop.OTHER_VIOLATION]
        if cut_short:
            lines.append(f"{len(cut_short)} other object(s) not searched to the end: "
                         f"{Stop.OTHER_VIOLATION.value}")
        stops = {p.stop for p in self.partitions}
        if self.verdict is Verdict.UNKNOWN and Stop.MEMORY_LIMIT in stops:
            lines.append(f"hint: raise --memory-limit (now {format_size(self.memory_limit or 0)})"
                         " to finish the search; unknown is not linearizable")
        elif self.verdict is Verdict.UNKNOWN and self.time_limit is not None:
            lines.append(f"hint: raise --time-limit (now {self.time_limit:g} s) to finish "
                         "the search; unknown is not linearizable")
        return "\n".join(lines)

    def _name(self, part: PartitionResult) -> str:
        if part.key is None and len(self.partitions) == 1:
            return "the history"
        return f"key {part.key!r}"

    def _explain_violation(self, part: PartitionResult) -> list[str]:
        state = self.model.describe_state(part.state_after_prefix(self.model))
        lines = [f"{self._name(part)}: not linearizable ({len(part.operations)} operations)",
                 f"  the longest linearizable prefix has {len(part.linearization)} "
                 f"operations and leaves the state {state}; it ends with:"]
        shown = part.linearization[-5:]
        if len(part.linearization) > len(shown):
            lines.append("    ...")
        first = len(part.linearization) - len(shown) + 1
        for position, (op, after) in enumerate(zip(shown, part.states[-len(shown):]), first):
            # "28. #27 ...": the 28th operation of the prefix (the HTML's point 28) is #27
            lines.append(f"    {position}. {self.describe(op)}  => "
                         f"{self.model.describe_state(after)}")
        lines.append(f"  none of the operations that must come next can take effect in "
                     f"state {state}:")
        lines.extend(f"    {self.describe(op)}" for op in part.unplaceable)
        return lines

    def _repr_html_(self) -> str | None:
        """The HTML report, inline in a notebook (rendered by :mod:`refute.linearize.html`,
        which registers itself with :func:`refute.html_page.register_inline`)."""
        return repr_html(self)

    def to_json(self) -> dict[str, Any]:
        """The ``refute linearizable --json`` object (see docs/linearizability.md)."""
        return {
            "status": self.status.value,
            "verdict": self.verdict.value,
            "seconds": round(self.seconds, 6),
            "model": self.model.name,
            "file": self.file,
            "operations": self.operation_count,
            "failed": self.failed,
            "skipped": self.skipped,
            "time_limit": self.time_limit,
            "memory_limit": self.memory_limit,
            "summary": self.explain(),
            "partitions": [self._partition_json(p) for p in self.partitions],
        }

    def _op_json(self, op: Operation) -> dict[str, Any]:
        return {"index": op.index, "process": op.process, "line": op.line,
                "operation": self.model.describe_operation(op.input, op.output)}

    def _partition_json(self, part: PartitionResult) -> dict[str, Any]:
        result: dict[str, Any] = {
            "key": part.key,
            "verdict": part.verdict.value,
            "reason": part.stop.value,
            "operations": len(part.operations),
            "explored": part.explored,
            "linearization": [
                {**self._op_json(op), "state": self.model.describe_state(state)}
                for op, state in zip(part.linearization, part.states)],
        }
        if part.verdict is Verdict.NOT_LINEARIZABLE:
            result["unplaceable"] = [self._op_json(op) for op in part.unplaceable]
        return result
