"""Isolation checking of transaction histories, in the manner of Jepsen's Elle.

    from refute.history import check_history
    result = check_history("history.edn", model="snapshot-isolation")
    result.status, result.not_models, [a.type for a in result.anomalies]

The modules, each one concept: ``formats`` (pairing Jepsen EDN/JSON operations) and
``polysi`` (PolySI/IsoVista text), ``transactions`` (the history's values), ``list_append``
and ``rw_register`` (what each workload's reads prove: version orders, dependency edges,
non-cycle anomalies), ``realtime`` (process and real-time order), ``graph`` (SCCs and cycle
search), ``complete`` (deciding a level on register histories over every version order) with
``polygraph`` (known edges and per-pair constraints), ``solver`` (SAT with lazily learnt
cycles) and ``saturation`` (read atomic, causal), ``synthetic`` (generated register
histories with known answers), ``anomalies`` (anomaly kinds and the models that forbid
them), ``explain`` (words, JSON and Graphviz), ``checker`` (the pipeline) and ``html`` (the
report page; imported here so that a result shows it inline in a notebook). The command is
``refute.commands.history``.
"""

from refute.history.anomalies import MODELS, Finding, Step
from refute.history.checker import DEFAULT_MODEL, WORKLOADS, HistoryResult, check_history
from refute.history.formats import parse_history, read_history
from refute.history.html import render_history_html, write_history_html
from refute.history.transactions import History, Outcome, Transaction

__all__ = [
    "DEFAULT_MODEL", "Finding", "History", "HistoryResult", "MODELS", "Outcome", "Step",
    "Transaction", "WORKLOADS", "check_history", "parse_history", "read_history",
    "render_history_html", "write_history_html",
]
