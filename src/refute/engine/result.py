"""What a run found, as values: explorers build them, reports print them.

A :class:`Result` never claims more than the run established: ``status`` is
:attr:`~refute.status.Status.OK` only when every reachable state was explored and checked;
a run stopped by a bound says :attr:`~refute.status.Status.INCOMPLETE` and why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from refute.engine.model import Label
from refute.limits import Limit
from refute.status import Status


class StopReason(enum.Enum):
    """Why a run ended before exploring everything. The value explains it to the user."""

    MAX_STATES = "the --max-states bound was reached"
    MAX_DEPTH = "the --max-depth bound was reached: deeper states were not explored"
    TIME_LIMIT = "the --time-limit ran out"
    MEMORY_LIMIT = "the --memory-limit was reached"
    SIMULATION = "simulation runs random behaviours, not all of them"

    @classmethod
    def of(cls, limit: Limit | None) -> StopReason:
        """The stop reason for a :class:`~refute.limits.Limit` that stopped a run."""
        return cls.MEMORY_LIMIT if limit is Limit.MEMORY else cls.TIME_LIMIT


class ViolationKind(enum.Enum):
    INVARIANT = "invariant"
    DEADLOCK = "deadlock"
    LIVENESS = "liveness"


@dataclass(frozen=True)
class Step:
    """One state of a behaviour and the action instance that led to it (None: initial)."""

    action: Label | None
    state: Any


@dataclass(frozen=True)
class Violation:
    """A property that fails, with a behaviour that shows it.

    For invariants and deadlock the behaviour is a shortest one. For a temporal property
    (:attr:`ViolationKind.LIVENESS`) it is a lasso: ``trace[loop_start:]`` repeats forever,
    the last state stepping back to ``trace[loop_start]`` by ``loop_action``; when
    ``loop_start`` is the last index and ``loop_action`` is ``None`` the behaviour stays in
    that state forever (stuttering: nothing forces a step).
    """

    kind: ViolationKind
    name: str
    trace: tuple[Step, ...]
    loop_start: int | None = None
    loop_action: Label | None = None

    @property
    def stutters(self) -> bool:
        """Whether the lasso's loop is the last state repeated forever."""
        return self.loop_start is not None and self.loop_action is None

    @property
    def summary(self) -> str:
        if self.kind is ViolationKind.LIVENESS:
            if self.stutters:
                return (f"property {self.name} is violated: a fair behaviour stops after "
                        f"{len(self.trace) - 1} step(s) and stays there forever")
            return (f"property {self.name} is violated: a fair behaviour loops forever back "
                    f"to state {self.loop_start + 1} after {len(self.trace) - 1} step(s)")
        if self.kind is ViolationKind.DEADLOCK:
            return f"deadlock: no action is enabled after {len(self.trace) - 1} step(s)"
        return f"invariant {self.name} is violated after {len(self.trace) - 1} step(s)"


@dataclass(frozen=True)
class ActionCoverage:
    """How often an action fired (successors generated) and how many were new states."""

    action: str
    fired: int
    new_states: int


@dataclass(frozen=True)
class WorkerStats:
    """One worker of a sharded run (``--workers``, ``--ray``): its part of the work and memory.

    ``distinct``: the fingerprints it owns (its shard of the seen-set; the shards add up to
    the run's distinct states, except that a run stopped inside a level also counts the
    states of that level found past the stop); ``generated``: the successors it computed in
    this run (a resumed run counts from the resume); ``seconds``: from its start to the end
    of the run, and ``cpu_seconds`` the CPU its process used meanwhile (less than
    ``seconds`` when it waited for the others, or for a core); ``peak_rss``: its process's
    peak resident memory in bytes; ``spilled``: whether it moved states or fingerprints to
    disk (``--memory-limit``).
    """

    worker: int
    distinct: int
    generated: int
    seconds: float
    peak_rss: int
    spilled: bool = False
    cpu_seconds: float = 0.0

    @property
    def states_per_second(self) -> float:
        return self.generated / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Result:
    """The outcome of checking a spec.

    ``distinct_states``: states reached (after view and symmetry reduction); ``states_generated``:
    initial states plus every successor computed, as TLC counts; ``depth``: the number of
    states on the longest shortest path from an initial state (an initial state has depth 1).
    That is what TLC reports with one worker; with several, TLC's depth can come out larger and
    varies from run to run (tlaplus/tlaplus#883), which refute does not copy.
    ``collision_probability``: the chance that two distinct states shared a fingerprint and one
    was wrongly skipped, estimated as TLC does (``distinct * generated / 2**64``).
    ``workers``: one :class:`WorkerStats` per worker of a sharded run, empty otherwise.
    ``pruned``: the successors (and initial states) the state constraints ``constrained_by``
    excluded. A run that explored every state within them is OK, *within the constraint*: the
    constrained state space is the model, as TLC reports it (bounds such as ``--max-states``
    still make a run incomplete).
    """

    status: Status
    spec: str
    distinct_states: int
    states_generated: int
    depth: int
    seconds: float
    violation: Violation | None = None
    stop_reason: StopReason | None = None
    coverage: tuple[ActionCoverage, ...] = ()
    checked: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    workers: tuple[WorkerStats, ...] = ()
    pruned: int = 0
    constrained_by: tuple[str, ...] = ()

    @property
    def collision_probability(self) -> float:
        return self.distinct_states * self.states_generated / 2.0**64

    @property
    def holds(self) -> bool:
        return self.status is Status.OK
