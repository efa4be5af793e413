"""Process and real-time order: the edges strict serializability adds to the data dependencies.

*Real-time*: a transaction that committed before another was invoked must precede it. All such
pairs number up to n², but cycle search only needs reachability, so, as Elle's
``realtime-graph`` does, only a transitive reduction is built: scanning the events in file
order, a *frontier* holds the committed transactions not yet known to precede another
committed one; each invocation gets an edge from every frontier member, and each commit
removes from the frontier the transactions that preceded its own invocation (they now reach
later transactions through it). The frontier is as large as the concurrency, so the edges are
O(n x concurrency).

*Process*: each client process runs its transactions one at a time, so a process's committed
transaction precedes its next one. With real-time order known this is implied, but an edge
labelled ``process`` explains itself better ("T3 and T7 ran in process 2, one after the
other"), and for formats without timing (PolySI text, whose sessions are processes) it is the
only order there is.

Transactions that never completed (``info``) get incoming edges only: they may have committed
at any later time. Failed transactions are not vertices at all.
"""

from __future__ import annotations

from typing import Any

from refute.history.graph import PROCESS, REALTIME, Graph
from refute.history.transactions import History, Outcome
from refute.limits import Watch, watched


def add_order_edges(history: History, graph: Graph, watch: Watch | None = None) -> None:
    """Add process edges, and real-time edges when the history records event order.

    ``watch`` is checked every 4096 transactions and events (:class:`LimitReached`)."""
    txns = history.transactions
    last: dict[Any, int] = {}
    for txn in watched(txns, watch):  # transactions are in order of their first event
        if txn.outcome is Outcome.FAIL:
            continue
        previous = last.get(txn.process)
        if previous is not None and txns[previous].outcome is Outcome.OK:
            graph.add(previous, txn.id, PROCESS)
        last[txn.process] = txn.id
    if not history.realtime:
        return
    events = []
    for txn in txns:
        if txn.outcome is Outcome.FAIL or txn.invoked is None:
            continue
        events.append((txn.invoked, 0, txn.id))
        if txn.completed is not None:
            events.append((txn.completed, 1, txn.id))
    events.sort()
    frontier: set[int] = set()
    preceded: dict[int, list[int]] = {}
    for _, is_completion, txn_id in watched(events, watch):
        if is_completion:
            frontier.difference_update(preceded.pop(txn_id))
            frontier.add(txn_id)
        else:
            before = list(frontier)
            preceded[txn_id] = before
            for earlier in before:
                graph.add(earlier, txn_id, REALTIME)


def explain_order(history: History, source: int, target: int, kind: int) -> str:
    """Why ``source`` precedes ``target`` in process or real-time order, in words.

    The pair may be a merged run of order edges (see ``graph.merge_order_runs``); both
    orders are transitive, so the sentence holds of its ends.
    """
    a, b = history.transactions[source], history.transactions[target]
    if kind == PROCESS:
        return (f"{a.name} and {b.name} ran in that order in process {a.process}, so "
                f"{a.name} must precede {b.name}")
    return (f"{a.name} committed (operation {a.completed + 1} of the history) before {b.name} "
            f"was invoked (operation {b.invoked + 1}), so in real time {a.name} must precede "
            f"{b.name}")
