"""Trace-validation, coverage and test-generation results for people (text) and tools (JSON).

The JSON of ``refute trace``::

    {"status": "ok"|"violation"|"incomplete"|"error", "spec": NAME,
     "logs": [{"log": FILE, "status": ..., "events": N, "seconds": S, "events_per_second": R,
               "final_states": N, "widest": N, "cuts": [...], "warnings": [...],
               "mismatch": null | {"event": I (1-based), "line": N, "action": NAME,
                                   "logged": {...the event as logged...},
                                   "possible_states": N,
                                   "candidates": [{"state": {...}, "allowed": [LABEL...],
                                                   "near": [{"step": LABEL|null,
                                                             "differences": [...]}]}]}}],
     "coverage": null | {...see Coverage.to_json...}}

``status`` is the worst over the logs (violation, then incomplete, then ok).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from refute.conformance.coverage import Coverage
from refute.conformance.validate import Mismatch, TraceResult
from refute.report.values import show, to_json
from refute.status import Status


def worst(statuses: list[Status]) -> Status:
    for status in (Status.ERROR, Status.VIOLATION, Status.INCOMPLETE):
        if status in statuses:
            return status
    return Status.OK


def trace_to_json(result: TraceResult, describe: Any) -> dict[str, Any]:
    return {
        "log": result.log, "status": result.status.value, "events": result.events,
        "seconds": round(result.seconds, 6), "events_per_second": round(result.events_per_second),
        "final_states": result.final_states, "widest": result.widest,
        "cuts": [cut.name.lower().replace("_", "-") for cut in result.cuts],
        "warnings": list(result.warnings),
        "mismatch": None if result.mismatch is None else mismatch_to_json(result.mismatch, describe),
    }


def mismatch_to_json(mismatch: Mismatch, describe: Any) -> dict[str, Any]:
    return {
        "event": mismatch.event.index + 1, "line": mismatch.event.line,
        "action": mismatch.event.action, "logged": mismatch.event.raw,
        "possible_states": mismatch.possible,
        "candidates": [{"state": to_json(describe(c.state)),
                        "allowed": [str(label) for label in c.allowed],
                        "near": [{"step": None if n.label is None else str(n.label),
                                  "differences": list(n.differences)} for n in c.near]}
                       for c in mismatch.candidates],
    }


def print_trace(result: TraceResult, describe: Any, console: Console) -> None:
    rate = f"{result.events_per_second:,.0f} events/s" if result.seconds else ""
    head = f"{escape(result.log)}: {result.events:,} event(s), {result.seconds:.2f} s, {rate}"
    mismatch = result.mismatch  # None for a log cut short by --time-limit
    if result.status is Status.OK:
        console.print(f"[bold green]✓ conforms[/]: {head}; a behaviour of {result.spec} matches "
                      f"every event ({result.final_states} spec state(s) possible at the end)")
    else:
        mark = ("[bold red]✗ does not conform[/]" if result.status is Status.VIOLATION
                else "[bold yellow]? incomplete[/]")
        console.print(f"{mark}: {head}")
    if mismatch is not None:
        console.print(f"  {escape(mismatch.summary)}")
        for cut in result.cuts:
            console.print(f"  [yellow]note[/]: {escape(cut.value)}: the log may still conform")
        shown = len(mismatch.candidates)
        more = f" (the first {shown} shown)" if shown < mismatch.possible else ""
        console.print(f"  {mismatch.possible} spec state(s) were possible just before it{more}:")
        for number, candidate in enumerate(mismatch.candidates, start=1):
            fields = ", ".join(f"{k}={show(v)}" for k, v in describe(candidate.state).items())
            console.print(f"  [bold]state {number}[/]: {escape(fields)}")
            allowed = ", ".join(str(label) for label in candidate.allowed) or "nothing (deadlock)"
            console.print(f"    allows: {escape(allowed)}")
            for near in candidate.near:
                step = str(near.label) if near.label is not None else "staying put"
                if near.differences:
                    console.print(f"    {escape(step)} would differ from the log:")
                    for difference in near.differences:
                        console.print(f"      {escape(difference)}")
            if not candidate.near:
                console.print(f"    {escape(str(mismatch.event.action))} is not enabled here")
    for warning in result.warnings:
        console.print(f"  [yellow]warning[/]: {escape(warning)}")


def print_coverage(coverage: Coverage, console: Console) -> None:
    def pct(a: int, b: int) -> str:
        return f"{a:,} of {b:,} ({100 * a / b:.0f}%)" if b else "0 of 0"

    console.print(f"[bold]model coverage[/] of {coverage.logs} log(s) "
                  f"({coverage.logs - len(coverage.failed)} conforming) against {coverage.spec}:")
    console.print(f"  states reached:           {pct(coverage.states_reached, coverage.states_total)}")
    console.print(f"  action instances reached: {pct(coverage.labels_reached, coverage.labels_total)}")
    for action in coverage.actions:
        flag = "  [red]never[/]" if action.reached == 0 else ""
        console.print(f"    {action.action:<24} {pct(action.reached, action.total)}{flag}")
    if coverage.unreached:
        console.print("  never reached, e.g. (shortest behaviours to states no log visited):")
        for path in coverage.unreached:
            console.print(f"    {escape(' → '.join(path) or 'an initial state')}")
    if not coverage.complete:
        console.print("  [yellow]note[/]: the spec was explored only to --max-states: the totals "
                      "are lower bounds")
