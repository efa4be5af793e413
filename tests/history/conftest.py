"""Helpers for writing small histories inline."""

from __future__ import annotations

from pathlib import Path

from refute.history import check_history, parse_history

ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "oracles" / "isolation" / "elle"


def committed(*txns: str, start: int = 1) -> str:
    """EDN lines for transactions that each completed ``ok`` with no invocation recorded.

    Transaction i (from ``start``) is named ``T<i>`` and runs in process i; with no
    invocations there is no real-time order, only the data dependencies.
    """
    return "\n".join(f"{{:type :ok, :f :txn, :process {i}, :index {i}, :value {value}}}"
                     for i, value in enumerate(txns, start))


def sequential(*ops: tuple[str, int, str]) -> str:
    """EDN lines for (type, process, value) ops in order: each is invoked then completed."""
    lines = []
    for i, (kind, process, value) in enumerate(ops):
        lines.append(f"{{:type :invoke, :f :txn, :process {process}, :index {2 * i}, "
                     f":value {value}}}")
        lines.append(f"{{:type :{kind}, :f :txn, :process {process}, :index {2 * i + 1}, "
                     f":value {value}}}")
    return "\n".join(lines)


def check(text: str, model: str = "serializable", **options):
    """Check an inline history; returns the :class:`HistoryResult`."""
    return check_history(parse_history(text, file="inline.edn", format=options.pop(
        "format", None)), model=model, **options)


def types(result) -> set[str]:
    """Every anomaly type found, whether or not the model forbids it."""
    return set(result.counts)

