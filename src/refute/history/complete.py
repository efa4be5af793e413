"""Complete checking of read-write register histories: every level, every version order.

A register history does not record the order in which writes to a key were installed, so
"the history satisfies level L" means "*some* version order makes it satisfy L". Inferring
only the edges a history shows (Elle's method for registers) can miss a violation that every
version order has; this module decides the question exactly:

- levels defined by forbidden cycles over dependency graphs (read committed, repeatable read,
  prefix consistency, parallel snapshot isolation, snapshot isolation, serializability,
  strict serializability)
  build the polygraph (:mod:`refute.history.polygraph`) and ask the solver
  (:mod:`refute.history.solver`);
- levels defined by commit-order axioms whose premises do not mention the commit order
  (read atomic, causal consistency) need no search: the edges their axioms force are
  computed directly (:mod:`refute.history.saturation`).

Each level's definition, source and the anomaly names it reports are in ``docs/isolation.md``
and in :data:`LEVELS`. A violation is a :class:`~refute.history.anomalies.Finding` whose
steps say, for every edge, whether the history shows it or the assumed version order does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from refute.history import anomalies as kinds
from refute.history.anomalies import Finding, Step
from refute.history.explain import cycle_text
from refute.history.graph import KIND_NAMES, ORDER, RW, WR, WW
from refute.history.polygraph import Stopped, build_polygraph
from refute.history.realtime import explain_order
from refute.history.solver import CycleEdge, Decision, decide
from refute.history.transactions import History, value_text

if TYPE_CHECKING:
    from refute.history.rw_register import RwRegisterAnalysis
    from refute.limits import Watch


@dataclass(frozen=True)
class Level:
    """How one isolation level is decided on register histories.

    ``rule`` is a solver cycle rule (``any``, ``si``, ``pc``, ``psi``, ``dependency``) or
    ``read-atomic`` / ``causal`` (decided by saturation); ``sessions`` whether session
    (process) order is part of the dependencies; ``realtime`` whether real-time order is.
    """

    rule: str
    sessions: bool
    realtime: bool = False


LEVELS = {
    "read-committed": Level("dependency", sessions=False),
    "read-atomic": Level("read-atomic", sessions=True),
    "causal": Level("causal", sessions=True),
    "repeatable-read": Level("any", sessions=False),
    "prefix-consistency": Level("pc", sessions=True),
    "parallel-snapshot-isolation": Level("psi", sessions=True),
    "snapshot-isolation": Level("si", sessions=True),
    "serializable": Level("any", sessions=True),
    "strict-serializable": Level("any", sessions=True, realtime=True),
}


@dataclass
class CompleteOutcome:
    """The decision on one level: ``holds`` True/False/None (unknown) and the evidence."""

    holds: bool | None
    finding: Finding | None
    edges: int
    notes: list[str]


def check_level(analysis: RwRegisterAnalysis, model: str, watch: Watch | None
                ) -> CompleteOutcome:
    """Decide ``model`` on the register history behind ``analysis``."""
    history = analysis.history
    level = LEVELS[model]
    if level.rule in ("read-atomic", "causal"):
        from refute.history.saturation import decide_by_saturation
        decision, edges = decide_by_saturation(analysis, level.rule, watch)
        notes = []
    else:
        try:
            graph = build_polygraph(analysis, level.realtime, level.sessions, watch)
        except Stopped:
            return CompleteOutcome(None, None, 0, ["the limit was reached while the "
                                                   "polygraph was being built"])
        edges = int((graph.var == 0).sum())
        rank = [_rank(t) for t in history.transactions]
        decision = decide(graph, level.rule, rank, watch)
        notes = [f"complete check: {graph.variables} version-order choice(s) left after "
                 f"pruning decided {graph.forced}; {decision.rounds} candidate order(s) "
                 f"tried, {decision.clauses} cycle(s) learnt"]
    if decision.holds is False:
        assert decision.cycle is not None
        return CompleteOutcome(False, _finding(decision, analysis, history, model), edges,
                               notes)
    return CompleteOutcome(decision.holds, None, edges, notes)


def _rank(txn: Any) -> float:
    """Where a transaction's writes most likely fall in the version order: its commit."""
    if txn.completed is not None:
        return float(txn.completed)
    return float("inf") if txn.invoked is not None else float(txn.id)


def _finding(decision: Decision, analysis: RwRegisterAnalysis, history: History,
             model: str) -> Finding:
    cycle = decision.cycle
    assert cycle is not None
    first = min(range(len(cycle)), key=lambda i: cycle[i].src)
    cycle = cycle[first:] + cycle[:first]
    steps = [Step(edge.src, edge.dst, KIND_NAMES[edge.kind], edge.key,
                  explain_edge(edge, analysis, history), inferred=edge.inferred)
             for edge in cycle]
    labels = [edge.kind for edge in cycle]
    anomaly = kinds.classify(labels)
    if model in ("read-atomic", "causal") and any(edge.via is not None or edge.kind == RW
                                                  for edge in cycle):
        anomaly = "fractured-read" if model == "read-atomic" else "causality-violation"
    finding = Finding(anomaly, [edge.src for edge in cycle], "", cycle=steps)
    assumed = [(key, history.transactions[a].name, history.transactions[b].name)
               for key, a, b in decision.assumed]
    finding.explanation = cycle_text(finding, history, assumed)
    return finding


def explain_edge(edge: CycleEdge, analysis: RwRegisterAnalysis, history: History) -> str:
    """Why ``edge.src`` precedes ``edge.dst``, in words; assumed orders say so."""
    txns = history.transactions
    a, b = txns[edge.src], txns[edge.dst]
    key = edge.key
    if edge.kind & ORDER:
        return explain_order(history, edge.src, edge.dst, edge.kind)
    if edge.kind == WR:
        return (f"{b.name} read key {value_text(key)} = {_written(analysis, key, edge.src)}, "
                f"which {a.name} wrote, so {a.name} must precede {b.name}")
    if edge.kind == WW and edge.via is not None:
        reader = txns[edge.via]
        return (f"derived: {reader.name} saw {a.name} (which wrote key {value_text(key)}) and "
                f"read key {value_text(key)} = {value_text(analysis.external_read(edge.via, key))} "
                f"from {b.name}, so {a.name}'s write must precede {b.name}'s in the version "
                "order")
    if edge.kind == WW:
        reason = ("assumed" if edge.var else
                  f"forced: {a.name} already precedes {b.name} through known edges, so "
                  "the other order would close a cycle;")
        return (f"{reason} version order of key {value_text(key)}: {a.name}'s write "
                f"{_written(analysis, key, edge.src)} before {b.name}'s "
                f"{_written(analysis, key, edge.dst)}")
    assert edge.kind == RW
    seen = analysis.external_read(edge.src, key)
    if seen is None:
        return (f"{a.name} read key {value_text(key)} before any write (nil), and {b.name} "
                f"wrote {_written(analysis, key, edge.dst)} to it, so {a.name} must precede "
                f"{b.name}")
    writer = txns[analysis.writer[key][seen]]
    how = "assumed" if edge.var else "forced" if edge.derived else "known"
    return (f"{a.name} read key {value_text(key)} = {value_text(seen)} (written by "
            f"{writer.name}), and in the {how} version order {writer.name}'s write precedes "
            f"{b.name}'s write of {_written(analysis, key, edge.dst)}, so {a.name} must "
            f"precede {b.name} (anti-dependency)")


def _written(analysis: RwRegisterAnalysis, key: Any, txn: int) -> str:
    value = analysis.final_write(txn, key)
    return value_text(value)
