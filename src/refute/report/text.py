"""The terminal report: a summary, coverage, and the counterexample as a story.

A counterexample is printed as numbered states. The first shows every field; each later one
names the action instance that took the step and only what changed (``rm_state[r1]:
'working' -> 'prepared'``, ``msgs: + ('prepared', r1)``); unchanged fields are folded into
one line. The violating state is marked. A liveness counterexample is a lasso: the state
where its loop starts is marked, and a last line says "back to step N" (or that the behaviour
stays in its last state forever, stuttering).
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from refute.engine.model import Model
from refute.engine.result import Result, Violation, ViolationKind
from refute.report.values import off_by_default, show, trace_fields
from refute.values import FrozenMap, Record, sort_canonically
from refute.status import Status


def fields_of(state: Any) -> dict[str, Any]:
    if isinstance(state, Record):
        return state._asdict()
    if isinstance(state, dict):
        return dict(state)
    return {"state": state}


def render_result(result: Result, color: bool = True, width: int = 100) -> str:
    """The whole report as a string (ANSI colours only when ``color``)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, color_system="standard" if color else None,
                      width=width, highlight=False)
    print_result(result, console)
    return buffer.getvalue()


def print_result(result: Result, console: Console, model: Any = None) -> None:
    if result.violation is not None:
        print_violation(result.violation, console, model)
        console.print()
    print_summary(result, console, model)


def print_summary(result: Result, console: Console, model: Any = None) -> None:
    verdicts = {
        Status.OK: "[bold green]✓ holds[/]: every reachable state was explored and checked",
        Status.VIOLATION: f"[bold red]✗ {escape(result.violation.summary) if result.violation else 'violation'}[/]",
        Status.INCOMPLETE: "[bold yellow]? incomplete[/]: "
                           + escape(result.stop_reason.value if result.stop_reason else "stopped early")
                           + "; no violation found in the states explored, which proves nothing "
                             "about the rest",
        Status.ERROR: "[bold red]error[/]",
    }
    if result.status is Status.OK and result.pruned:
        verdicts[Status.OK] = (f"[bold green]✓ holds within the constraint[/] "
                               f"{escape(', '.join(result.constrained_by))}: every state it allows "
                               f"was explored and checked ({result.pruned:,} successors outside "
                               "it pruned, as TLC does)")
    console.print(verdicts[result.status])
    console.print(f"{escape(result.spec)}: {result.distinct_states:,} distinct states, "
                  f"{result.states_generated:,} generated, depth {result.depth}, "
                  f"{result.seconds:.2f} s")
    if result.checked:
        console.print("checked: " + escape(", ".join(result.checked)))
    skipped = off_by_default(model, result.checked) if model is not None else []
    if skipped:
        console.print("not checked (off by default, select with --invariant NAME): "
                      + escape(", ".join(skipped)))
    if result.coverage:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column("action")
        table.add_column("fired", justify="right")
        table.add_column("new states", justify="right")
        for row in result.coverage:
            style = "yellow" if row.fired == 0 else None
            table.add_row(escape(row.action), f"{row.fired:,}", f"{row.new_states:,}", style=style)
        console.print(table)
    for w in result.workers:
        console.print(f"worker {w.worker}: {w.distinct:,} distinct, {w.generated:,} generated, "
                      f"{w.states_per_second:,.0f} states/s, peak RSS {w.peak_rss / 2**20:,.0f} MiB"
                      + (", spilled to disk" if w.spilled else ""), style="dim")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    console.print(f"fingerprint collision probability: {result.collision_probability:.1e} "
                  "(estimated as TLC does)", style="dim")


def print_violation(violation: Violation, console: Console, model: Any = None) -> None:
    """``model`` (optional): its ``describe_state`` and ``format_value`` (e.g. TLA+ syntax) are
    used when it has them."""
    fmt = model.format_value if model is not None and model.format_value is not None else show
    describe = fmt is not show
    console.print(f"[bold red]{escape(violation.summary)}[/]"
                  + (f" ({len(violation.trace)} states)" if violation.trace else ""))
    previous: dict[str, Any] | None = None
    last = len(violation.trace) - 1
    shown = trace_fields(model, [step.state for step in violation.trace]) if describe else None
    for number, step in enumerate(violation.trace, start=1):
        current = shown[number - 1] if shown is not None else fields_of(step.state)
        heading = "initial state" if step.action is None else escape(str(step.action))
        marker = ""
        if violation.kind is ViolationKind.LIVENESS:
            if number - 1 == violation.loop_start:
                marker = "  [bold magenta]← loop starts here[/]"
        elif number - 1 == last:
            marker = ("  [bold red]← violates " + escape(violation.name) + "[/]"
                      if violation.kind is ViolationKind.INVARIANT
                      else "  [bold red]← deadlock: no action is enabled[/]")
        console.print(f"[bold]{number:>3}[/]  [cyan]{heading}[/]{marker}")
        if previous is None:
            width = max((len(n) for n in current), default=0)
            for name, value in current.items():
                console.print(f"       {escape(name.ljust(width))}  {escape(fmt(value))}")
        else:
            changes, unchanged = _diff(previous, current, fmt)
            for path, text in changes:
                console.print(f"       [bold]{escape(path)}[/]: {text}")
            if unchanged:
                console.print(f"       [dim]unchanged: {escape(', '.join(unchanged))}[/]")
        previous = current
    if violation.kind is ViolationKind.LIVENESS:
        _print_loop_end(violation, console)
    if violation.kind is ViolationKind.DEADLOCK:
        hint = model.deadlock_hint if model is not None else Model.deadlock_hint
        console.print(f"[yellow]hint:[/] {escape(hint)}")


def _print_loop_end(violation: Violation, console: Console) -> None:
    """The lasso's closing line: back to the loop's first state, or stuttering forever."""
    if violation.stutters:
        console.print(f"       [bold magenta]↻ stays in state {len(violation.trace)} forever "
                      "(stuttering): no fair action forces a step[/]")
    else:
        console.print(f"[bold]  ↻[/]  [cyan]{escape(str(violation.loop_action))}[/]  "
                      f"[bold magenta]back to step {violation.loop_start + 1}[/] (the loop "
                      f"{violation.loop_start + 1}..{len(violation.trace)} repeats forever)")


def _diff(before: dict[str, Any], after: dict[str, Any],
          fmt: Any = show) -> tuple[list[tuple[str, str]], list[str]]:
    changes: list[tuple[str, str]] = []
    unchanged: list[str] = []
    for name, new in after.items():
        old = before.get(name)
        if old == new:
            unchanged.append(name)
        else:
            changes.extend(_describe_change(name, old, new) if fmt is show
                           else [(name, f"{escape(fmt(old))} [dim]→[/] [bold yellow]{escape(fmt(new))}[/]")])
    return changes, unchanged


def _describe_change(path: str, old: Any, new: Any) -> list[tuple[str, str]]:
    if isinstance(old, FrozenMap) and isinstance(new, FrozenMap):
        out = []
        for key in sort_canonically(set(old) | set(new)):
            if key not in new:
                out.append((f"{path}[{show(key)}]", "[red]removed[/]"))
            elif key not in old:
                out.append((f"{path}[{show(key)}]", f"[green]+ {escape(show(new[key]))}[/]"))
            elif old[key] != new[key]:
                out.extend(_describe_change(f"{path}[{show(key)}]", old[key], new[key]))
        return out
    if isinstance(old, Record) and isinstance(new, Record) and old._names is new._names:
        out = []  # the same fields (in whatever order each was written): field by field
        for name, a in zip(old._fields, old._values()):
            b = getattr(new, name)
            if a != b:
                out.extend(_describe_change(f"{path}.{name}", a, b))
        return out
    if isinstance(old, frozenset) and isinstance(new, frozenset):
        parts = [f"[green]+ {escape(show(v))}[/]" for v in sort_canonically(new - old)]
        parts += [f"[red]- {escape(show(v))}[/]" for v in sort_canonically(old - new)]
        return [(path, ", ".join(parts))]
    return [(path, f"{escape(show(old))} [dim]→[/] [bold yellow]{escape(show(new))}[/]")]
