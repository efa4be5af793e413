"""Checking a history against an isolation model: the pipeline and its result.

    read history ─► workload analysis (version orders, ww/wr/rw edges, non-cycle anomalies)
                 ─► process + real-time edges (strict serializable only)
                 ─► SCCs of the whole graph ─► in each SCC, cycles of each kind, worst first
                 ─► verdict: which models the anomalies rule out (anomalies.py)

Which cycles are searched: every data-dependency kind (G0 ... G2-item) always, because they are
cheap once the SCCs are known and they tell which weaker and stronger models fall too; the
process/real-time kinds only when the requested model is strict serializable, since only it
needs the order edges (Elle's ``additional-graphs`` rule). A kind already implied by one found
in the same SCC is not searched again (a G0 there already shows G1c).

``status`` is about the requested model: ``violation`` when a found anomaly rules it out,
``incomplete`` when the time limit stopped a search that could still have ruled it out, ``ok``
otherwise. ``not``/``also_not`` list every model the found anomalies rule out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refute.errors import UsageError
from refute.history import anomalies as kinds
from refute.history.anomalies import Finding, Step
from refute.history.complete import LEVELS, CompleteOutcome, check_level
from refute.history.explain import cycle_text, finding_json
from refute.history.cobra import looks_like_cobra, read_cobra
from refute.history.formats import parse_history, read_history_text
from refute.history.graph import (
    BASE_SPECS,
    KIND_NAMES,
    ORDER,
    ORDERED_SPECS,
    components_of,
    find_cycle,
    merge_order_runs,
)
from refute.history.list_append import ListAppendAnalysis
from refute.history.realtime import add_order_edges, explain_order
from refute.history.rw_register import RwRegisterAnalysis
from refute.history.transactions import APPEND, WRITE, History
from refute.html_page import repr_html
from refute.limits import Limit, LimitReached, Watch, format_size, rss
from refute.status import Status

try:  # the C proof that a list-append history is clean; without it the Python path decides
    from refute.history._listappend import certify as _certify
except ImportError:  # pragma: no cover - the C extension did not compile
    _certify = None

WORKLOADS = ("list-append", "rw-register")
DEFAULT_MODEL = "strict-serializable"  # Elle's and elle-cli's default
MAX_FINDINGS_PER_TYPE = 50
_SMALL_TEXT = 16 << 20  # bytes of text read even past --memory-limit (see _check)
_BUDGET_AFTER_FIRST = 2.0  # seconds spent improving a cycle once one is found, per kind and SCC


@dataclass
class HistoryResult:
    """The verdict on one history: a value that explains itself; printing is separate.

    ``anomalies`` holds the findings the requested model forbids (at most
    ``MAX_FINDINGS_PER_TYPE`` of each type; ``counts`` has the totals); ``other_anomalies`` the
    ones it allows, which still show in ``not``/``also_not``.
    """

    status: Status
    model: str
    workload: str
    history: History
    anomalies: list[Finding]
    other_anomalies: list[Finding]
    counts: dict[str, int]
    not_models: list[str]
    also_not: list[str]
    seconds: float
    transactions: int
    edges: int
    notes: list[str] = field(default_factory=list)
    stop_reason: Limit | None = None  # the limit that stopped the cycle search, if any
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status is Status.OK

    @property
    def anomaly_types(self) -> list[str]:
        return sorted({finding.type for finding in self.anomalies})

    def _repr_html_(self) -> str | None:
        """The HTML report, inline in a notebook (rendered by :mod:`refute.history.html`,
        which registers itself with :func:`refute.html_page.register_inline`)."""
        return repr_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "valid": self.valid,
            "model": self.model,
            "workload": self.workload,
            "not": self.not_models,
            "also_not": self.also_not,
            "anomaly_types": self.anomaly_types,
            "anomaly_counts": self.counts,
            "anomalies": [finding_json(f, self.history) for f in self.anomalies],
            "other_anomalies": [finding_json(f, self.history) for f in self.other_anomalies],
            "transactions": self.transactions,
            "edges": self.edges,
            "notes": self.notes,
            "warnings": self.warnings,
            "stop_reason": None if self.stop_reason is None else self.stop_reason.json_name,
            "seconds": round(self.seconds, 3),
        }


def check_history(source: str | Path | History, model: str = DEFAULT_MODEL,
                  workload: str | None = None, time_limit: float | None = None,
                  format: str | None = None, memory_limit: int | None = None) -> HistoryResult:
    """Check a history file (or a parsed :class:`History`) against ``model``.

    ``workload`` is ``list-append`` or ``rw-register``, detected from the micro-ops when None;
    ``time_limit`` (seconds, from the start of the check) and ``memory_limit`` (bytes of
    resident memory) bound every stage, reading and graph building included: the result is
    then ``incomplete`` rather than wrong, unless the cycle search had already found a
    violation (a violation found is real).
    """
    started = time.monotonic()
    with Watch(time_limit, memory_limit) as watch:
        return _check(source, model, workload, format, watch, started)


def _check(source: str | Path | History, model: str, workload: str | None,
           format: str | None, watch: Watch, started: float) -> HistoryResult:
    if model not in kinds.MODELS:
        raise UsageError(f"unknown model {model!r}",
                         hint=f"use one of {', '.join(kinds.MODELS)}")
    if isinstance(source, History):
        history = source
    else:
        unread = History([], str(source), format or "unknown", False)
        needed = _text_memory(source)
        if watch.memory_limit and needed > _SMALL_TEXT and \
                rss() + needed > watch.memory_limit:
            # Reading the text is one allocation the watchdog cannot interrupt: refuse it
            # rather than overshoot the limit by the file's size. A small file is read
            # anyway, so that the result can say what it holds.
            watch.reason = Limit.MEMORY
            return _stopped(unread, model, workload or "unknown", watch, started,
                            f"reading the history (its text alone takes "
                            f"{format_size(needed)})")
        try:
            if format == "cobra" or (format is None and looks_like_cobra(source)):
                return _check_parsed(read_cobra(source, watch), model, workload, watch,
                                     started)
            text = read_history_text(source)
            clean = _certified(text, str(source), model, workload, format, watch, started)
            if clean is not None:
                return clean
            history = parse_history(text, file=str(source), format=format, watch=watch)
        except LimitReached:
            return _stopped(unread, model, workload or "unknown", watch, started,
                            "reading the history")
    return _check_parsed(history, model, workload, watch, started)


def _check_parsed(history: History, model: str, workload: str | None, watch: Watch,
                  started: float) -> HistoryResult:
    workload = workload or detect_workload(history)
    if workload not in WORKLOADS:
        raise UsageError(f"unknown workload {workload!r}",
                         hint=f"use one of {', '.join(WORKLOADS)}")
    if workload == "list-append" and model not in kinds.LIST_APPEND_MODELS:
        raise UsageError(f"{model} is checked on rw-register histories only",
                         hint=f"for list-append use one of {', '.join(kinds.LIST_APPEND_MODELS)}")
    if watch.expired():
        return _stopped(history, model, workload, watch, started, "reading the history")
    try:
        if workload == "rw-register" and model in LEVELS:
            return _check_complete(history, model, watch, started)
        return _check_graph(history, model, workload, watch, started)
    except LimitReached:
        return _stopped(history, model, workload, watch, started, "building the graph")


def _check_graph(history: History, model: str, workload: str, watch: Watch, started: float
                 ) -> HistoryResult:
    """Elle's method: the edges the history shows, then cycles of each kind in the SCCs."""
    limits = watch if watch.active else None
    analysis: ListAppendAnalysis | RwRegisterAnalysis = (
        ListAppendAnalysis(history, limits) if workload == "list-append"
        else RwRegisterAnalysis(history, limits))
    graph = analysis.graph
    watch.check()
    ordered = model == "strict-serializable"
    notes = list(history.notes)
    if ordered:
        add_order_edges(history, graph, limits)
        if not history.realtime:
            notes.append("the history records no timing, so real-time order is unknown: only "
                         "process (session) order was checked")
    specs = BASE_SPECS + (ORDERED_SPECS if ordered else ())
    findings = list(analysis.findings)
    incomplete = False
    forbidden = kinds.forbidden_by(model)
    for scc in sorted(components_of(graph, None, -1, limits), key=min):
        found: set[str] = set()
        for spec in specs:
            if spec.name in kinds.implied(found):
                continue
            outcome = find_cycle(graph, spec, scc, watch if watch.active else None,
                                 _BUDGET_AFTER_FIRST)
            if outcome.cycle is None:
                if not outcome.complete and spec.name in forbidden:
                    incomplete = True
                continue
            finding = _cycle_finding(outcome.cycle, analysis, history)
            found.add(finding.type)
            findings.append(finding)
    types = {finding.type for finding in findings}
    not_models, also_not = kinds.boundary(types)
    if model in not_models or model in also_not:
        status = Status.VIOLATION
    elif incomplete:
        status = Status.INCOMPLETE
        notes.append(f"{watch.note()}: the cycle search stopped before it was exhaustive")
    else:
        status = Status.OK
    reported, others, counts = _select(findings, forbidden)
    return HistoryResult(status, model, workload, history, reported, others, counts,
                         not_models, also_not, time.monotonic() - started,
                         len(history.transactions), graph.edge_count(), notes,
                         watch.reason if incomplete else None, history_warnings(history))


def _certified(text: str, file: str, model: str, workload: str | None, format: str | None,
               watch: Watch, started: float) -> HistoryResult | None:
    """The result for a list-append EDN history the C check proves clean, else None.

    ``_listappend.certify`` mirrors this module's list-append pipeline (reader, version
    orders, non-cycle anomalies, graph with process and real-time edges for strict
    serializability) on integer arrays, and answers only when that pipeline would find no
    anomaly, no reader warning and no cycle: then the verdict is ``ok`` with the same edge
    count, and nothing else in the result depends on the transactions, which are read only
    if someone asks for them. Any other history (an anomaly, a cycle, strings or maps in it,
    another format) gets None and goes through the Python path, which explains what it finds.
    """
    if _certify is None or format not in (None, "edn") or \
            workload not in (None, "list-append") or model not in kinds.LIST_APPEND_MODELS:
        return None
    remaining = -1.0 if watch.deadline is None else max(0.0, watch.deadline - time.perf_counter())
    proof = _certify(text, model == "strict-serializable", remaining, watch.memory_limit or 0)
    if proof is False:
        raise LimitReached(watch.reason)
    if proof is None:
        return None
    transactions, edges = proof
    history = History(None, file, "edn", True,
                      load=lambda: parse_history(text, file=file, format="edn"))
    not_models, also_not = kinds.boundary(())
    return HistoryResult(Status.OK, model, "list-append", history, [], [], {}, not_models,
                         also_not, time.monotonic() - started, transactions, edges)


def _text_memory(source: str | Path) -> int:
    """The memory reading a history file's text takes at its peak: its bytes and, while
    they are decoded, the string (0 for a folder or a path that cannot be read)."""
    try:
        path = Path(source)
        return 2 * path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _stopped(history: History, model: str, workload: str, watch: Watch, started: float,
             during: str) -> HistoryResult:
    """The result when a limit is reached before any anomaly could be looked for."""
    if watch.reason is None:  # the C check saw the limit first
        watch.reason = Limit.MEMORY if watch.memory_limit and rss() > watch.memory_limit \
            else Limit.TIME
    warnings = history_warnings(history) if history.transactions else []
    return HistoryResult(Status.INCOMPLETE, model, workload, history, [], [], {}, [], [],
                         time.monotonic() - started, len(history.transactions), 0,
                         [f"{watch.note()} while {during}: nothing was decided"],
                         watch.reason, warnings)


def _check_complete(history: History, model: str, watch: Watch, started: float
                    ) -> HistoryResult:
    """Registers: the non-cycle anomalies the reads show, then the complete check of
    ``model`` over every version order (:mod:`refute.history.complete`)."""
    analysis = RwRegisterAnalysis(history, watch if watch.active else None)
    findings = list(analysis.findings)
    violated = kinds.violated_models({finding.type for finding in findings})
    if model not in violated and watch.expired():
        return _stopped(history, model, "rw-register", watch, started, "indexing the reads")
    if model in violated:  # the reads alone rule the model out: no search needed
        outcome = CompleteOutcome(False, None, 0, [
            "the anomalies the reads show rule the model out: version orders not searched"])
    else:
        outcome = check_level(analysis, model, watch if watch.active else None)
    if outcome.holds is False:
        violated |= kinds.stronger_models(model)
        cycle = outcome.finding.cycle if outcome.finding is not None else None
        if cycle and not any(step.inferred for step in cycle):
            # A cycle of edges every version order has: its shape rules out what it rules
            # out for any level (a write skew on initial values is not repeatable read).
            violated |= kinds.violated_models({outcome.finding.type})
    not_models, also_not = kinds.models_boundary(violated)
    notes = history.notes + outcome.notes
    if model in violated:
        status = Status.VIOLATION
    elif outcome.holds is None:
        status = Status.INCOMPLETE
        notes.append(f"{watch.note()}: the search over version orders stopped before it "
                     "decided")
    else:
        status = Status.OK
    forbidden = kinds.forbidden_by(model)
    reported, others, counts = _select(findings, forbidden)
    if outcome.finding is not None:
        reported.insert(0, outcome.finding)
        counts[outcome.finding.type] = counts.get(outcome.finding.type, 0) + 1
    return HistoryResult(status, model, "rw-register", history, reported, others,
                         dict(sorted(counts.items())), not_models, also_not,
                         time.monotonic() - started, len(history.transactions), outcome.edges,
                         notes, watch.reason if status is Status.INCOMPLETE else None,
                         history_warnings(history))


def history_warnings(history: History) -> list[str]:
    """What makes a verdict say little (no transaction, or none that committed), and what
    the reader found suspicious in the file."""
    if not history.transactions:
        return ["the history has no transactions: nothing was checked"] + history.warnings
    if not any(txn.committed for txn in history.transactions):
        return [f"none of the history's {len(history.transactions)} transactions committed "
                "(all failed or unknown): nothing was checked"] + history.warnings
    return list(history.warnings)


def detect_workload(history: History) -> str:
    """``list-append`` if any transaction appends, ``rw-register`` if any writes.

    A history of reads only is list-append when some read returned a list.
    """
    functions = {f for txn in history.transactions for f, _, _ in txn.mops}
    if APPEND in functions and WRITE in functions:
        raise UsageError("the history mixes :append and :w micro-ops",
                         hint="a history is either list-append or rw-register; split it")
    if APPEND in functions:
        return "list-append"
    if WRITE in functions:
        return "rw-register"
    lists = any(isinstance(v, tuple) for txn in history.transactions for _, _, v in txn.mops)
    return "list-append" if lists else "rw-register"


def _cycle_finding(cycle: list[tuple[int, int, int]], analysis: Any,
                   history: History) -> Finding:
    """Turn a cycle of (source, target, kind) into an explained :class:`Finding`."""
    cycle = merge_order_runs(cycle)
    first = min(range(len(cycle)), key=lambda i: cycle[i][0])
    cycle = cycle[first:] + cycle[:first]
    steps = []
    for source, target, kind in cycle:
        if kind & ORDER:
            key, text = None, explain_order(history, source, target, kind)
        else:
            key, text = analysis.explain(source, target, kind)
        steps.append(Step(source, target, KIND_NAMES[kind], key, text))
    finding = Finding(kinds.classify([kind for _, _, kind in cycle]),
                      [source for source, _, _ in cycle], "", cycle=steps)
    finding.explanation = cycle_text(finding, history)
    return finding


def _select(findings: list[Finding], forbidden: set[str]
            ) -> tuple[list[Finding], list[Finding], dict[str, int]]:
    """Split findings into forbidden and allowed ones, at most MAX_FINDINGS_PER_TYPE each."""
    counts: dict[str, int] = {}
    reported, others = [], []
    for finding in findings:
        counts[finding.type] = counts.get(finding.type, 0) + 1
        if counts[finding.type] <= MAX_FINDINGS_PER_TYPE:
            (reported if finding.type in forbidden else others).append(finding)
    return reported, others, dict(sorted(counts.items()))
