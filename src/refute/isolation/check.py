"""Isolation as a property of the model: every finished history must satisfy a level.

:func:`with_isolation` wraps a model so that it has one more invariant, named after the
level (``snapshot-isolation``), and the engine runs it as any other: on every distinct
reachable state, with the shortest counterexample when it fails. The engine is not changed
and knows nothing of transactions.

The invariant holds in a state whose history has an open transaction (an unfinished
transaction promises nothing yet); otherwise the history goes to :mod:`refute.history`'s
checker (rw-register analysis, the same anomaly definitions as ``refute history``). Checking
every *finished* history rather than only those of final states is what makes the
counterexample shortest: adding finished transactions to a history only adds dependencies, so
an anomaly found early is still there at the end. Verdicts are cached by history, since many
states share one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from refute.engine.bfs import Options
from refute.engine.model import Model, Predicate, as_model
from refute.engine.result import Result
from refute.engine.run import run
from refute.errors import UsageError
from refute.history.anomalies import MODELS
from refute.history.checker import HistoryResult, check_history
from refute.isolation.history import TxnHistory, history_of, to_history
from refute.status import Status

class IsolationModel:
    """A model with one more invariant: the finished histories in its states satisfy ``level``.

    Everything else is the wrapped model's (attribute access is forwarded), so explorers see
    the same states, actions and numbering.
    """

    def __init__(self, model: Model, level: str, field: str | None = None) -> None:
        if level not in MODELS:
            raise UsageError(f"unknown isolation level {level!r}",
                             hint=f"use one of {', '.join(MODELS)}")
        self.inner = model
        self.level = level
        self.field, self.history = history_of(model, field)
        self._verdicts: dict[TxnHistory, bool] = {}
        self.predicate = Predicate(level, self._holds, model.source)
        # First, so that a state breaking both a spec invariant and the level is reported as
        # the isolation violation that --isolation asked about.
        self.invariants = (self.predicate,) + tuple(model.invariants)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _holds(self, state: Any) -> bool:
        history = self.history(state)
        verdict = self._verdicts.get(history)
        if verdict is None:
            verdict = not history.finished or self.check(history).status is not Status.VIOLATION
            self._verdicts[history] = verdict
        return verdict

    def check(self, history: TxnHistory) -> HistoryResult:
        """The history checker's full verdict on one history (anomalies explained)."""
        return check_history(to_history(history, getattr(self.inner, "source", None)),
                             model=self.level, workload="rw-register")


def with_isolation(model: Model, level: str, field: str | None = None) -> IsolationModel:
    """``model`` with the invariant that every finished history satisfies ``level``."""
    return IsolationModel(model, level, field)


@dataclass(frozen=True)
class IsolationResult:
    """A model check with an isolation level: the protocol's result and, on a violation of
    the level, the history checker's verdict on the counterexample's last history (which
    anomaly, which transactions, which cycle)."""

    result: Result
    level: str
    anomaly: HistoryResult | None

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def holds(self) -> bool:
        return self.result.holds

    @property
    def anomaly_types(self) -> list[str]:
        return [] if self.anomaly is None else self.anomaly.anomaly_types


def check_isolation(spec: Any, level: str, *, field: str | None = None,
                    invariants: Sequence[str] | None = None, deadlock: bool = True,
                    max_states: int | None = None, time_limit: float | None = None
                    ) -> IsolationResult:
    """``refute.check`` with the isolation invariant ``level`` added, for tests and notebooks.

    ``invariants`` selects among the spec's own invariants (default: all; ``()``: none); the
    isolation invariant is always checked, first.
    """
    model = with_isolation(as_model(spec), level, field)
    if invariants is not None and level not in invariants:
        invariants = tuple(invariants) + (level,)
    options = Options(invariants=invariants, deadlock=deadlock, max_states=max_states,
                      time_limit=time_limit)
    result = run(model, options)
    return IsolationResult(result, level, anomaly_of(model, result))


def anomaly_of(model: IsolationModel, result: Result) -> HistoryResult | None:
    """The history checker's verdict on the violating history, when the level was violated."""
    violation = result.violation
    if violation is None or violation.name != model.level:
        return None
    return model.check(model.history(violation.trace[-1].state))


def render_anomaly(model: IsolationModel, anomaly: HistoryResult) -> str:
    """The anomaly in the counterexample's history, as ``refute history`` words it."""
    lines = [f"The history at the last step violates {anomaly.model}"
             + (f" (not {', '.join(anomaly.not_models)}"
                + (f"; also not {', '.join(anomaly.also_not)}" if anomaly.also_not else "")
                + ")" if anomaly.not_models else "") + ":"]
    for txn in anomaly.history.transactions:
        lines.append(f"  {txn.describe()}")
    for finding in anomaly.anomalies:
        lines.append(f"{finding.type}: " + finding.explanation.replace("\n", "\n  "))
    return "\n".join(lines)

