"""The HTML report of ``refute check`` and ``refute simulate``: one self-contained page.

The page has the verdict, the counts and the action coverage, then the counterexample as a
step table: the first state in full, each later step as the action instance that took it and
what changed (``rm_state[r1]: 'working' → 'prepared'``, ``msgs: + ('prepared', r1)``), the
unchanged fields folded, the violating step highlighted, and, for a lasso, the loop marked.

**Sequence diagram.** When the spec says which process took each step and which messages it
sent and received, the page also draws a sequence diagram: a lifeline per process, an arrow
from each send to each receive of that message. A spec says so with one optional method::

    def message_flow(self, label, before, after):
        if label.action == "rm_prepare":
            rm = label.args[0][1]
            return [("send", rm, ("prepared", rm))]
        ...

It returns an iterable of events ``(kind, process, message)``: ``kind`` is ``"send"``,
``"receive"`` or ``"local"`` (a step of ``process`` with no message; ``message`` is then a
note, or None). A receive is matched to the latest earlier send of an equal message (a
broadcast received by several processes is one send with several arrows); a send never
received is drawn as a message still in flight. Nothing is guessed from field names: a spec
without ``message_flow`` gets no diagram, and a step for which it returns nothing is drawn
as no event.

Every value comes from the spec and is escaped; the page loads nothing from the network
(its Content-Security-Policy forbids it), so it opens from disk and can be attached to a
ticket.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from refute.engine.model import Label, Model
from refute.engine.result import Result, Violation, ViolationKind
from refute.errors import SpecError
from refute.report.values import show
from refute.spec.values import FrozenMap, Record, sort_canonically
from refute.status import Status

__all__ = ["message_events", "page", "render_report", "sequence_diagram", "text",
           "write_report"]

Event = tuple[str, Any, Any]
"""One event of a step for the sequence diagram: ``(kind, process, message)``."""

EVENT_KINDS = ("send", "receive", "local")


def e(value: Any) -> str:
    """``value`` as HTML text: every character that could start markup escaped."""
    return html.escape(str(value), quote=True)


def text(value: Any) -> str:
    """A value for people: plain strings as they are (names, notes), the rest as ``show``."""
    return str.__str__(value) if type(value) is str else show(value)


def write_report(path: str | Path, result: Result, model: Model, **options: Any) -> None:
    """Write :func:`render_report` to ``path``."""
    Path(path).write_text(render_report(result, model, **options), encoding="utf-8")


def render_report(result: Result, model: Model, command: str = "check",
                  notes: Sequence[str] = ()) -> str:
    """The whole page for ``refute COMMAND``'s ``result``; ``notes`` are extra summary lines."""
    verdict, verdict_class = _VERDICT[result.status]
    if result.violation is not None:
        verdict = result.violation.summary
    body = [f'<h1>refute {e(command)}: <span id="verdict" class="{verdict_class}">'
            f'{e(verdict)}</span></h1>',
            f'<div class="meta">{e(_meta(result, model))}</div>']
    body.append(_summary(result, notes))
    if result.violation is not None:
        diagram = sequence_diagram(model, result.violation)
        if diagram:
            body.append('<h2>Sequence diagram</h2>' + diagram)
        body.append(f'<h2>Counterexample</h2>'
                    f'<p class="note">{len(result.violation.trace)} states. Each step shows '
                    f'what changed; <button type="button" id="unfold">unfold</button> shows '
                    f'the unchanged fields too.</p>')
        body.append(step_table(model, result.violation))
    return page(f"refute {command}: {verdict}", "\n".join(body), _SCRIPT)


_VERDICT = {Status.OK: ("holds: every reachable state was explored and checked", "ok"),
            Status.VIOLATION: ("violation", "bad"),
            Status.INCOMPLETE: ("incomplete", "unknown"),
            Status.ERROR: ("error", "bad")}


def _meta(result: Result, model: Model) -> str:
    source = f" · {model.source}" if getattr(model, "source", None) else ""
    return (f"{result.spec}: {result.distinct_states:,} distinct states, "
            f"{result.states_generated:,} generated, depth {result.depth}, "
            f"{result.seconds:.2f} s{source}")


def _summary(result: Result, notes: Sequence[str]) -> str:
    lines = []
    if result.status is Status.INCOMPLETE:
        reason = result.stop_reason.value if result.stop_reason else "stopped early"
        lines.append(f"{reason}; no violation found in the states explored, which proves "
                     "nothing about the rest")
    if result.checked:
        lines.append("checked: " + ", ".join(result.checked))
    lines.extend(notes)
    lines.extend(f"warning: {w}" for w in result.warnings)
    lines.append(f"fingerprint collision probability: {result.collision_probability:.1e} "
                 "(estimated as TLC does)")
    out = ['<ul class="summary">' + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>"]
    if result.coverage:
        rows = "".join(
            f'<tr{" class=never" if c.fired == 0 else ""}><td>{e(c.action)}</td>'
            f'<td class="num">{c.fired:,}</td><td class="num">{c.new_states:,}</td></tr>'
            for c in result.coverage)
        out.append('<details class="coverage" open><summary>Coverage</summary>'
                   '<table><thead><tr><th>action</th><th>fired</th><th>new states</th></tr>'
                   f'</thead><tbody>{rows}</tbody></table></details>')
    return "".join(out)


# -- the step table ---------------------------------------------------------------------------

def step_table(model: Model, violation: Violation) -> str:
    """One row per state of the counterexample, as HTML."""
    out = ['<div id="steps">']
    previous: dict[str, Any] | None = None
    last = len(violation.trace) - 1
    lasso = violation.kind is ViolationKind.LIVENESS
    for index, step in enumerate(violation.trace):
        current = model.describe_state(step.state)
        classes = ["step"]
        badge = ""
        if lasso and index >= violation.loop_start:
            classes.append("loop")
            if index == violation.loop_start:
                classes.append("loop-start")
                badge = '<span class="badge loop">loop starts here</span>'
        elif not lasso and index == last:
            classes.append("violating")
            badge = (f'<span class="badge bad">violates {e(violation.name)}</span>'
                     if violation.kind is ViolationKind.INVARIANT
                     else '<span class="badge bad">deadlock: no action is enabled</span>')
        heading = "initial state" if step.action is None else str(step.action)
        if previous is None:
            cell = _fields(current.items())
        else:
            cell = _changes(previous, current)
        out.append(f'<div class="{" ".join(classes)}" id="step-{index + 1}">'
                   f'<div class="n">{index + 1}</div>'
                   f'<div class="body"><div class="action">{e(heading)}{badge}</div>{cell}'
                   '</div></div>')
        previous = current
    if lasso:
        if violation.stutters:
            end = (f"stays in state {len(violation.trace)} forever (stuttering): no fair "
                   "action forces a step")
            action = ""
        else:
            end = (f"back to step {violation.loop_start + 1}: the loop "
                   f"{violation.loop_start + 1}..{len(violation.trace)} repeats forever")
            action = e(violation.loop_action)
        out.append(f'<div class="step loop loop-end"><div class="n">↻</div><div class="body">'
                   f'<div class="action">{action}<span class="badge loop">{e(end)}</span>'
                   '</div></div></div>')
    out.append("</div>")
    return "".join(out)


def _fields(items: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f'<tr><td class="field">{e(name)}</td><td><code>{e(show(value))}</code>'
                   f'</td></tr>' for name, value in items)
    return f'<table class="fields">{rows}</table>'


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = []
    unchanged = []
    for name, new in after.items():
        old = before.get(name)
        if old == new:
            unchanged.append((name, new))
            continue
        for path, change in diff_value(name, old, new):
            lines.append(f'<div class="change"><code class="path">{e(path)}</code>: '
                         f'{change}</div>')
    if unchanged:
        names = ", ".join(name for name, _ in unchanged)
        # one text node per field, not a table: a long trace has a fold on every step
        values = "".join(f"<div><span class=field>{e(name)}</span> {e(show(value))}</div>"
                         for name, value in unchanged)
        lines.append(f'<details class="unchanged"><summary>unchanged: {e(names)}</summary>'
                     f'<code class="values">{values}</code></details>')
    return "".join(lines)


def diff_value(path: str, old: Any, new: Any) -> list[tuple[str, str]]:
    """What changed between two values, as ``(path, HTML)``: maps and records field by
    field, sets as what was added and removed, anything else as ``old → new``."""
    if isinstance(old, FrozenMap) and isinstance(new, FrozenMap):
        out = []
        for key in sort_canonically(set(old) | set(new)):
            where = f"{path}[{show(key)}]"
            if key not in new:
                out.append((where, '<span class="del">removed</span>'))
            elif key not in old:
                out.append((where, f'<span class="add">+ {e(show(new[key]))}</span>'))
            elif old[key] != new[key]:
                out.extend(diff_value(where, old[key], new[key]))
        return out
    if isinstance(old, Record) and isinstance(new, Record) and old._fields == new._fields:
        out = []
        for name, a, b in zip(old._fields, old._values(), new._values()):
            if a != b:
                out.extend(diff_value(f"{path}.{name}", a, b))
        return out
    if isinstance(old, frozenset) and isinstance(new, frozenset):
        parts = [f'<span class="add">+ {e(show(v))}</span>' for v in sort_canonically(new - old)]
        parts += [f'<span class="del">- {e(show(v))}</span>' for v in sort_canonically(old - new)]
        return [(path, ", ".join(parts))]
    return [(path, f'<span class="old">{e(show(old))}</span> → '
                   f'<span class="new">{e(show(new))}</span>')]


# -- the sequence diagram ---------------------------------------------------------------------

def flow_hook(model: Model) -> Callable[[Label, Any, Any], Iterable[Event] | None] | None:
    """The spec's ``message_flow`` method, on the model or on the spec it was compiled from."""
    for owner in (model, getattr(model, "spec", None)):
        hook = getattr(owner, "message_flow", None)
        if callable(hook):
            return hook
    return None


def message_events(model: Model, violation: Violation) -> list[list[Event]] | None:
    """The events of each step of the counterexample (the initial state has none), or
    None when the spec has no ``message_flow``."""
    hook = flow_hook(model)
    if hook is None:
        return None
    steps: list[list[Event]] = [[]]
    for before, after in zip(violation.trace, violation.trace[1:]):
        try:
            events = list(hook(after.action, before.state, after.state) or ())
        except Exception as exc:
            raise SpecError(f"message_flow({after.action}) raised {type(exc).__name__}: {exc}",
                            file=getattr(model, "source", None),
                            hint="fix message_flow, or remove it to report without a "
                                 "sequence diagram") from None
        for event in events:
            if not (isinstance(event, tuple) and len(event) == 3 and event[0] in EVENT_KINDS):
                raise SpecError(f"message_flow({after.action}) returned the event {event!r}",
                                file=getattr(model, "source", None),
                                hint="return tuples (kind, process, message) with kind "
                                     "'send', 'receive' or 'local'")
        steps.append(events)
    return steps


_COL = 160  # pixels between lifelines
_ROW = 30  # pixels per step
_GUTTER = 260  # pixels for the step numbers and actions on the left
_HEAD = 44  # pixels for the process boxes at the top


def sequence_diagram(model: Model, violation: Violation) -> str:
    """An inline SVG sequence diagram of the counterexample ('' when the spec has no
    ``message_flow``, or when it names no process)."""
    steps = message_events(model, violation)
    if steps is None:
        return ""
    processes: dict[Any, int] = {}
    for events in steps:
        for _, process, _ in events:
            processes.setdefault(process, len(processes))
    if not processes:
        return ""
    x = {p: _GUTTER + _COL // 2 + i * _COL for p, i in processes.items()}
    y = [_HEAD + 16 + i * _ROW for i in range(len(steps))]
    width = _GUTTER + len(processes) * _COL + 140  # room for notes right of the last lifeline
    height = y[-1] + _ROW
    last = len(steps) - 1
    lasso = violation.kind is ViolationKind.LIVENESS
    out = [f'<div class="diagram"><svg xmlns="http://www.w3.org/2000/svg" id="sequence" '
           f'width="{width}" height="{height}">'
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/>'
           '</marker></defs>']
    if lasso:
        top = y[violation.loop_start] - _ROW / 2
        out.append(f'<rect class="loop-band" x="0" y="{top}" width="{width}" '
                   f'height="{height - top - 4}"/>')
    else:
        out.append(f'<rect class="violating-band" x="0" y="{y[last] - _ROW / 2}" '
                   f'width="{width}" height="{_ROW}"/>')
    for process, cx in x.items():
        out.append(f'<line class="lifeline" x1="{cx}" x2="{cx}" y1="{_HEAD - 8}" '
                   f'y2="{height}"/><g class="process"><rect x="{cx - _COL / 2 + 8}" y="4" '
                   f'width="{_COL - 16}" height="{_HEAD - 12}" rx="4"/>'
                   f'<text x="{cx}" y="{_HEAD / 2 + 2}" text-anchor="middle">'
                   f'{e(_clip(text(process), 18))}</text></g>')
    for index, step in enumerate(violation.trace):
        heading = "initial state" if step.action is None else str(step.action)
        out.append(f'<text class="step-label" x="8" y="{y[index] + 4}" '
                   f'data-step="{index + 1}"><tspan class="n">{index + 1}</tspan> '
                   f'{e(_clip(heading, 34))}{_title(heading, 34)}</text>')
    sent: dict[Any, tuple[int, Any]] = {}  # message -> (step, sender) of its latest send
    received: set[Any] = set()
    for index, events in enumerate(steps):
        actors = []
        for kind, process, message in events:
            actors.append(process)
            if kind == "send":
                sent[_key(message)] = (index, process)
            elif kind == "receive":
                origin = sent.get(_key(message))
                if origin is not None:
                    received.add((_key(message), origin[0]))
                out.append(_arrow(x, y, origin, index, process, message))
            elif message is not None:
                out.append(f'<text class="note" x="{x[process] + 8}" y="{y[index] - 6}">'
                           f'{e(_clip(text(message), 22))}{_title(text(message), 22)}</text>')
        for process in dict.fromkeys(actors):
            out.append(f'<circle class="actor" cx="{x[process]}" cy="{y[index]}" r="5"/>')
    for message, (index, process) in sent.items():
        if (message, index) not in received:
            out.append(_in_flight(x, y, index, process, message))
    out.append("</svg></div>")
    return "".join(out)


def _key(message: Any) -> Any:
    try:
        hash(message)
    except TypeError:
        return repr(message)
    return message


def _arrow(x: dict, y: list, origin: tuple[int, Any] | None, index: int, process: Any,
           message: Any) -> str:
    label = text(message)
    if origin is None:  # in flight from the initial state: drawn from the left edge
        x1, y1 = _GUTTER - 4, y[index]
    else:
        x1, y1 = x[origin[1]], y[origin[0]]
    x2, y2 = x[process], y[index]
    if x1 == x2:  # a message to itself: a small loop out to the right
        path = f"M{x1},{y1} C{x1 + 60},{y1} {x2 + 60},{y2} {x2 + 6},{y2}"
        tx, ty = x1 + 48, (y1 + y2) / 2
    else:
        path = f"M{x1},{y1} L{x2 + (-6 if x2 > x1 else 6)},{y2}"
        tx, ty = (x1 + x2) / 2, (y1 + y2) / 2 - 5
    return (f'<g class="message"><path d="{path}" marker-end="url(#arrow)"/>'
            f'<text x="{tx}" y="{ty}" text-anchor="middle">{e(_clip(label, 28))}</text>'
            f'{_title(label, 28)}</g>')


def _in_flight(x: dict, y: list, index: int, process: Any, message: Any) -> str:
    x1, y1 = x[process], y[index]
    label = text(message)
    return (f'<g class="message in-flight"><path d="M{x1},{y1} l{_COL * 0.45},{_ROW * 0.6}" '
            f'marker-end="url(#arrow)"/><text x="{x1 + _COL * 0.5}" y="{y1 + _ROW * 0.6 + 12}" '
            f'text-anchor="middle">{e(_clip(label, 28))} (in flight)</text>'
            f'<title>{e(label)}: sent, never received</title></g>')


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _title(value: str, limit: int) -> str:
    """A tooltip with the whole text, only where :func:`_clip` cut it (a long trace has
    thousands of labels, and every element costs when the page opens)."""
    return "" if len(value) <= limit else f"<title>{e(value)}</title>"


# -- the page ---------------------------------------------------------------------------------

def page(title: str, body: str, script: str = "", style: str = "") -> str:
    """A self-contained page: ``body`` is HTML (already escaped), ``script`` inline JS,
    ``style`` CSS added to the shared :data:`STYLE`."""
    return _PAGE.format(title=e(title), style=STYLE + style, body=body, script=script)


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.15em; margin: 1.2em 0 .4em; }
h1 .ok { color: #1a7f37; } h1 .bad { color: #cf222e; } h1 .unknown { color: #9a6700; }
.meta, .note { color: #57606a; }
ul.summary { background: #f6f8fa; padding: .6em 2em; margin: .6em 0; }
table { border-collapse: collapse; }
.coverage table td, .coverage table th { padding: .1em .8em .1em 0; text-align: left; }
td.num { text-align: right; } tr.never td { color: #9a6700; background: #fff8c5; }
summary { cursor: pointer; }
code { font: 12.5px ui-monospace, monospace; }
#steps .step { display: flex; border-top: 1px solid #eaeef2; padding: .35em 0;
  content-visibility: auto; contain-intrinsic-size: auto 5em; }
#steps .n { flex: none; width: 2.5em; padding-right: .8em; text-align: right; color: #57606a;
  font-weight: 600; }
#steps .action { font: 600 13px ui-monospace, monospace; color: #0550ae; }
#steps .violating { background: #ffebe9; } #steps .violating > .n { color: #cf222e; }
#steps .loop > .n { border-left: 4px solid #8250df; }
#steps .step:target { outline: 2px solid #0969da; }
.badge { font: 600 12px system-ui, sans-serif; margin-left: 1em; padding: .05em .5em;
  border-radius: 1em; }
.badge.bad { background: #cf222e; color: #fff; } .badge.loop { background: #8250df; color: #fff; }
table.fields td { padding: 0 1em 0 0; vertical-align: top; } td.field { color: #57606a; }
.change .path { font-weight: 600; }
.old { color: #57606a; font-family: ui-monospace, monospace; }
.new { background: #fff8c5; font: 600 12.5px ui-monospace, monospace; }
.add { color: #1a7f37; font: 600 12.5px ui-monospace, monospace; }
.del { color: #cf222e; font: 600 12.5px ui-monospace, monospace; }
details.unchanged summary { color: #8c959f; font-size: 12px; }
.diagram { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; }
svg text { font: 12px ui-monospace, monospace; }
.lifeline { stroke: #9aa4b1; stroke-dasharray: 4 3; }
.process rect { fill: #ddf4ff; stroke: #54aeff; } .process text { font-weight: 600; }
.step-label { fill: #57606a; cursor: pointer; }
code.values { display: block; color: #57606a; } code.values .field { color: #8c959f; } .step-label .n { font-weight: 600; fill: #1f2328; }
.actor { fill: #0969da; }
.message path { fill: none; stroke: #1f2328; stroke-width: 1.3; }
.message text { fill: #0550ae; } #sequence marker path { fill: #1f2328; }
.message.in-flight path { stroke: #9a6700; stroke-dasharray: 5 3; }
.message.in-flight text { fill: #9a6700; }
.note { fill: #57606a; font-style: italic; }
.violating-band { fill: #ffebe9; } .loop-band { fill: #fbefff; }
"""

_SCRIPT = """
var diagram = document.getElementById('sequence');
if (diagram) diagram.addEventListener('click', function (event) {
  var label = event.target.closest('.step-label');
  if (label) location.hash = 'step-' + label.getAttribute('data-step');
});
var unfold = document.getElementById('unfold');
if (unfold) unfold.addEventListener('click', function () {
  var open = unfold.textContent === 'unfold';
  document.querySelectorAll('details.unchanged').forEach(function (d) { d.open = open; });
  unfold.textContent = open ? 'fold' : 'unfold';
});
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<script>{script}</script>
</body>
</html>
"""
