"""Anomaly kinds, which imply which, and which consistency models forbid them.

The tables follow Elle's ``elle.consistency-model`` (itself after Adya's *Weak Consistency*,
Adya, Liskov and O'Neil's *Generalized Isolation Level Definitions*, Cerone et al. and Bailis
et al.), extended with the levels of Cerone, Bernardi and Gotsman (read atomic, causal consistency,
prefix consistency, parallel snapshot isolation) as Biswas and Enea check them:

    strict-serializable ─► serializable ─┬─► repeatable-read ─────────────────┬─► read-committed
                                         └─► snapshot-isolation ─┬─► parallel- │   ─► read-
                                                 snapshot-isolation ─┤         │   uncommitted
                                             └─► prefix-consistency ─┴─► causal ─► read-atomic

(an arrow reads "implies": a history that is serializable is also repeatable-read).

A model is violated when the history shows an anomaly that the model, or a weaker model it
implies, forbids, or an anomaly that *implies* such an anomaly (``G0`` implies ``G1c``, a
``-process`` anomaly implies its ``-realtime`` form, and so on). The answer names the weakest
violated models (``not``) and the stronger ones that fall with them (``also_not``), as Elle's
``friendly-boundary`` does.

One deliberate difference from Elle: every dependency refute infers is an *item* dependency
(there are no predicate reads), and Adya defines G2-item as any cycle with an item
anti-dependency edge. So ``G-single`` and ``G-nonadjacent`` imply ``G2-item`` here, and
repeatable read is violated by them, as Adya's PL-2.99 says. (Elle keeps them apart and notes
the gap in a to-do comment in its own source.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from refute.history.graph import PROCESS, REALTIME, RW, WR

MODELS = ("read-uncommitted", "read-committed", "read-atomic", "causal", "repeatable-read",
          "prefix-consistency", "parallel-snapshot-isolation", "snapshot-isolation",
          "serializable", "strict-serializable")

# The models list-append histories are checked against (Elle's method, exact there).
LIST_APPEND_MODELS = ("read-uncommitted", "read-committed", "repeatable-read",
                      "snapshot-isolation", "serializable", "strict-serializable")

# Model -> the models it directly implies (weaker ones).
_IMPLIES_MODELS = {
    "strict-serializable": ("serializable",),
    "serializable": ("repeatable-read", "snapshot-isolation"),
    "repeatable-read": ("read-committed",),
    "snapshot-isolation": ("parallel-snapshot-isolation", "prefix-consistency"),
    "parallel-snapshot-isolation": ("causal",),
    "prefix-consistency": ("causal",),
    "causal": ("read-atomic",),
    "read-atomic": ("read-committed",),
    "read-committed": ("read-uncommitted",),
    "read-uncommitted": (),
}

# What each model forbids beyond the models it implies (Elle's direct-proscribed-anomalies,
# with intermediate models such as cursor stability folded into the six).
_FORBIDS = {
    "read-uncommitted": ("G0", "duplicate-elements", "garbage-read"),
    "read-committed": ("G1a", "G1b", "G1c"),
    "repeatable-read": ("G2-item", "lost-update"),
    "read-atomic": ("fractured-read",),
    "causal": ("causality-violation",),
    "parallel-snapshot-isolation": ("internal", "G-single", "lost-update"),
    # Prefix consistency allows lost updates and some G-single cycles (a ww edge then an rw);
    # which cycles it forbids depends on their edges, decided by the complete check.
    "prefix-consistency": ("internal",),
    "snapshot-isolation": ("G-nonadjacent",),
    "serializable": ("internal", "G2"),
    "strict-serializable": ("G1c-realtime", "G2-realtime", "G-nonadjacent-realtime"),
}

# Anomaly -> anomalies it directly implies (Elle's implied-anomalies, plus the item rule).
_IMPLIES = {
    "G0": ("G1c", "G0-process"),
    "G0-process": ("G1c-process", "G0-realtime"),
    "G0-realtime": ("G1c-realtime",),
    "G1c": ("G1c-process",),
    "G1c-process": ("G1c-realtime",),
    "G-single": ("G-nonadjacent", "G-single-process"),
    "G-single-process": ("G-nonadjacent-process", "G-single-realtime"),
    "G-single-realtime": ("G-nonadjacent-realtime",),
    "G-nonadjacent": ("G2-item", "G-nonadjacent-process"),
    "G-nonadjacent-process": ("G2-item-process", "G-nonadjacent-realtime"),
    "G-nonadjacent-realtime": ("G2-item-realtime",),
    "G2-item": ("G2", "G2-item-process"),
    "G2-item-process": ("G2-process", "G2-item-realtime"),
    "G2-item-realtime": ("G2-realtime",),
    "G2": ("G2-process",),
    "G2-process": ("G2-realtime",),
    "lost-update": ("G2-item",),
    "incompatible-order": ("G1a",),
    "dirty-update": ("G1a",),
    "future-read": ("G1c",),
}

DESCRIPTIONS = {
    "G0": "write cycle: transactions overwrite each other's writes in a cycle (dirty write)",
    "G1a": "aborted read: a committed transaction read a write of a transaction that failed",
    "G1b": "intermediate read: a transaction read a value another transaction overwrote "
           "before it committed",
    "G1c": "circular information flow: a cycle of write and read dependencies",
    "G-single": "read skew: a cycle with exactly one anti-dependency (rw) edge",
    "G-nonadjacent": "a cycle whose anti-dependency (rw) edges are never consecutive",
    "G2-item": "write skew: a cycle with consecutive anti-dependency (rw) edges",
    "G2": "anti-dependency cycle",
    "lost-update": "two committed transactions read the same version of a key and both "
                   "wrote it",
    "internal": "a transaction's read disagrees with its own earlier reads and writes",
    "future-read": "a transaction read a value it only wrote later",
    "dirty-update": "a committed write was stacked on a failed transaction's write",
    "duplicate-elements": "a read saw the same appended element more than once",
    "incompatible-order": "two reads of a key saw orders that no single list can explain",
    "garbage-read": "a read saw a value that no transaction wrote",
    "fractured-read": "a transaction saw another's write to one key but an older version of "
                      "a key that transaction also wrote (read atomic forbids it)",
    "causality-violation": "a transaction read a version older than one a transaction it "
                           "causally depends on wrote (causal consistency forbids it)",
}
for _base in ("G0", "G1c", "G-single", "G-nonadjacent", "G2-item"):
    DESCRIPTIONS[f"{_base}-process"] = (DESCRIPTIONS[_base] + ", closed by the order of "
                                        "transactions within one process")
    DESCRIPTIONS[f"{_base}-realtime"] = (DESCRIPTIONS[_base] + ", closed by real-time order "
                                         "(one transaction finished before another began)")

CYCLE_TYPES = frozenset(name for name in DESCRIPTIONS if name.startswith("G")
                        and name not in ("G1a", "G1b", "G2"))


def implied(anomalies: Iterable[str]) -> set[str]:
    """Every anomaly implied by ``anomalies``, including themselves."""
    seen = set()
    todo = list(anomalies)
    while todo:
        anomaly = todo.pop()
        if anomaly not in seen:
            seen.add(anomaly)
            todo.extend(_IMPLIES.get(anomaly, ()))
    return seen


def weaker_models(model: str) -> set[str]:
    """``model`` and every model it implies."""
    seen = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(_IMPLIES_MODELS[current])
    return seen


def forbidden_by(model: str) -> set[str]:
    """Every anomaly whose presence violates ``model`` (directly or through implication)."""
    direct = {anomaly for weaker in weaker_models(model) for anomaly in _FORBIDS[weaker]}
    candidates = set(DESCRIPTIONS) | set(_IMPLIES)
    return {anomaly for anomaly in candidates if implied([anomaly]) & direct}


def violated_models(anomalies: Iterable[str]) -> set[str]:
    """Every model the given anomalies rule out."""
    present = implied(anomalies)
    return {model for model in MODELS
            if present & {a for weaker in weaker_models(model) for a in _FORBIDS[weaker]}}


def stronger_models(model: str) -> set[str]:
    """``model`` and every model that implies it."""
    return {other for other in MODELS if model in weaker_models(other)}


def boundary(anomalies: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(not, also_not)``: the weakest violated models, and the other violated ones."""
    return models_boundary(violated_models(anomalies))


def models_boundary(violated: set[str]) -> tuple[list[str], list[str]]:
    """``(not, also_not)`` of a set of violated models (closed under "stronger than")."""
    weakest = [model for model in MODELS if model in violated and
               not any(other != model and other in violated and
                       other in weaker_models(model) for other in MODELS)]
    return weakest, [model for model in MODELS if model in violated and model not in weakest]


def classify(labels: list[int]) -> str:
    """The anomaly a cycle shows, from the kinds of its edges, as Elle's cycle explainer.

    ``labels`` are the edge kinds used, in cycle order (see :mod:`refute.history.graph`).
    One rw edge: G-single; several, none consecutive: G-nonadjacent; several with two
    consecutive: G2-item; else G1c with a wr edge, G0 without. A real-time edge makes it the
    ``-realtime`` form; only process edges, the ``-process`` form.
    """
    rw = labels.count(RW)
    if rw == 1:
        base = "G-single"
    elif rw > 1:
        adjacent = any(labels[i] == RW and labels[i - 1] == RW for i in range(len(labels)))
        base = "G2-item" if adjacent else "G-nonadjacent"
    elif WR in labels:
        base = "G1c"
    else:
        base = "G0"
    if REALTIME in labels:
        return f"{base}-realtime"
    if PROCESS in labels:
        return f"{base}-process"
    return base


@dataclass
class Step:
    """One edge of a cycle: ``source`` must precede ``target`` because ``text`` says so."""

    source: int
    target: int
    kind: str  # ww, wr, rw, process, realtime
    key: Any
    text: str
    inferred: bool = False  # the edge holds under an assumed or derived version order


@dataclass
class Finding:
    """One anomaly found in the history.

    ``txns`` are the ids of the transactions involved, in the order ``explanation`` names
    them; ``cycle`` is set for cycle anomalies, one :class:`Step` per edge, the last step
    returning to the first transaction; ``count`` says how many occurrences this finding
    stands for (a failed append that 40 reads saw is one finding with count 40).
    """

    type: str
    txns: list[int]
    explanation: str
    key: Any = None
    cycle: list[Step] | None = None
    count: int = 1
