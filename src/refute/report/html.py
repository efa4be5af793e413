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

**How the page is built.** The step table and the diagram travel as one JSON document
(:func:`trace_data`: each rendered value once, referred to by number) that a small inline
script turns into elements, so a 1,000-step counterexample is a 0.17 MB page that opens in a
few hundred milliseconds instead of a megabyte of markup to parse. The script creates every
row at once (number, action, badge: the rows can be searched and linked to, ``#step-N``), fills
in what changed for the rows at the top and around the violation before the first paint and
for the others in idle time after it, and fills an "unchanged" fold's values when it is first
opened. Past 200 steps the rows are ``content-visibility: auto`` (only those in view are laid
out) and the diagram, in a scroll box that opens at the violation (or the loop) with the
process names kept in view, draws only the rows near what is in view, and every arrow that
crosses them.

Every value comes from the spec and is escaped: the JSON has no ``<``, ``>`` or ``&``
(:func:`script_json`), and the script inserts every string as text (``textContent``), never
as markup. The page loads nothing from the network (its Content-Security-Policy forbids it),
so it opens from disk and can be attached to a ticket.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from refute.engine.model import Label, Model
from refute.engine.result import Result, Violation, ViolationKind
from refute.errors import SpecError
from refute.report.values import show, trace_fields
from refute.values import FrozenMap, Record, sort_canonically
from refute.status import Status

__all__ = ["diagram_data", "diff_parts", "diff_value", "message_events", "page",
           "render_report", "script_json", "text", "trace_data", "write_report"]

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
        data = trace_data(model, result.violation)
        states = len(result.violation.trace)
        if "diagram" in data:
            body.append('<h2>Sequence diagram</h2><div class="diagram" id="sequence"></div>')
        target = ("the loop" if result.violation.kind is ViolationKind.LIVENESS
                  else "the violating step")
        first = (result.violation.loop_start if result.violation.kind is ViolationKind.LIVENESS
                 else states - 1)
        body.append(f'<h2>Counterexample</h2>'
                    f'<p class="note">{states:,} states (<a href="#step-{first + 1}">go to '
                    f'{target}</a>). Each step shows what changed; '
                    '<button type="button" id="unfold">unfold</button> shows the unchanged '
                    'fields too.</p>'
                    '<div id="steps"></div><noscript><p class="note">The counterexample is '
                    'drawn by the page\'s inline script: allow scripts to see it.</p>'
                    '</noscript>'
                    f'<script type="application/json" id="trace">{script_json(data)}</script>')
    return page(f"refute {command}: {verdict}", "\n".join(body), _SCRIPT)


_VERDICT = {Status.OK: ("holds: every reachable state was explored and checked", "ok"),
            Status.VIOLATION: ("violation", "bad"),
            Status.INCOMPLETE: ("incomplete", "unknown"),
            Status.ERROR: ("error", "bad")}


def _meta(result: Result, model: Model) -> str:
    source = f" · {model.source}" if model.source else ""
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


# -- the counterexample as data ---------------------------------------------------------------
#
# The page does not carry the step table and the diagram as markup: a 1,000-step trace would be
# a megabyte of HTML for the browser to parse before it shows anything. It carries them as one
# compact JSON document (every value rendered once, by ``show``, and referred to by number
# after that) that a small inline script turns into the table and the diagram, inserting every
# string with ``textContent``, never as markup.

def trace_data(model: Model, violation: Violation) -> dict[str, Any]:
    """The counterexample as the page's script reads it.

    ``values`` holds each rendered value once; ``fields`` each field name once. Step ``i`` is
    ``{"a": heading, "k": classes, "b": badge, "bk": badge class, "s": [field, value, ...]
    (the first state in full), "c": changes, "u": [field, value, ...] (the unchanged
    fields)}``; a change is ``[path, "v", old, new]``, ``[path, "+", value]`` (a key added),
    ``[path, "-"]`` (a key removed) or ``[path, "s", [added...], [removed...]]`` (a set).
    ``end`` is the lasso's closing line, ``diagram`` the sequence diagram (see
    :func:`diagram_data`)."""
    values: dict[str, int] = {}
    fields: dict[str, int] = {}

    def value(v: Any) -> int:
        return values.setdefault(show(v), len(values))

    def field(name: str) -> int:
        return fields.setdefault(str(name), len(fields))

    def pairs(items: Iterable[tuple[str, Any]]) -> list[int]:
        return [n for name, v in items for n in (field(name), value(v))]

    steps: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    last = len(violation.trace) - 1
    lasso = violation.kind is ViolationKind.LIVENESS
    shown = trace_fields(model, [step.state for step in violation.trace])
    for index, step in enumerate(violation.trace):
        current = shown[index]
        row: dict[str, Any] = {"a": "initial state" if step.action is None else str(step.action)}
        if lasso and index >= violation.loop_start:
            row["k"] = "loop"
            if index == violation.loop_start:
                row.update(k="loop loop-start", b="loop starts here", bk="loop")
        elif not lasso and index == last:
            row.update(k="violating", bk="bad",
                       b=f"violates {violation.name}"
                       if violation.kind is ViolationKind.INVARIANT
                       else "deadlock: no action is enabled")
        if previous is None:
            row["s"] = pairs(current.items())
        else:
            changes: list[list[Any]] = []
            unchanged = []
            for name, new in current.items():
                old = previous.get(name)
                if old == new:
                    unchanged.append((name, new))
                    continue
                for path, kind, *args in diff_parts(str(name), old, new):
                    if kind == "s":
                        changes.append([path, kind, [value(v) for v in args[0]],
                                        [value(v) for v in args[1]]])
                    else:
                        changes.append([path, kind, *map(value, args)])
            if changes:
                row["c"] = changes
            if unchanged:
                row["u"] = pairs(unchanged)
        steps.append(row)
        previous = current
    data: dict[str, Any] = {"steps": steps}
    if lasso:
        if violation.stutters:
            data["end"] = ["", f"stays in state {len(violation.trace)} forever (stuttering): "
                               "no fair action forces a step"]
        else:
            data["end"] = [str(violation.loop_action),
                           f"back to step {violation.loop_start + 1}: the loop "
                           f"{violation.loop_start + 1}..{len(violation.trace)} repeats forever"]
    diagram = diagram_data(model, violation)
    if diagram is not None:
        data["diagram"] = diagram
    data["fields"] = list(fields)
    data["values"] = list(values)
    return data


def diff_parts(path: str, old: Any, new: Any) -> list[tuple[Any, ...]]:
    """What changed between two values: ``(path, "v", old, new)``, ``(path, "+", value)``
    for a key added to a map, ``(path, "-")`` for one removed, ``(path, "s", added,
    removed)`` for sets (sorted lists of elements). Maps and records are compared field by
    field."""
    if isinstance(old, FrozenMap) and isinstance(new, FrozenMap):
        out: list[tuple[Any, ...]] = []
        for key in sort_canonically(set(old) | set(new)):
            where = f"{path}[{show(key)}]"
            if key not in new:
                out.append((where, "-"))
            elif key not in old:
                out.append((where, "+", new[key]))
            elif old[key] != new[key]:
                out.extend(diff_parts(where, old[key], new[key]))
        return out
    if isinstance(old, Record) and isinstance(new, Record) and old._fields == new._fields:
        out = []
        for name, a, b in zip(old._fields, old._values(), new._values()):
            if a != b:
                out.extend(diff_parts(f"{path}.{name}", a, b))
        return out
    if isinstance(old, frozenset) and isinstance(new, frozenset):
        return [(path, "s", sort_canonically(new - old), sort_canonically(old - new))]
    return [(path, "v", old, new)]


def diff_value(path: str, old: Any, new: Any) -> list[tuple[str, str]]:
    """:func:`diff_parts` as ``(path, HTML)`` (the explorer's form): maps and records field
    by field, sets as what was added and removed, anything else as ``old → new``."""
    out = []
    for where, kind, *args in diff_parts(path, old, new):
        if kind == "-":
            out.append((where, '<span class="del">removed</span>'))
        elif kind == "+":
            out.append((where, f'<span class="add">+ {e(show(args[0]))}</span>'))
        elif kind == "s":
            parts = [f'<span class="add">+ {e(show(v))}</span>' for v in args[0]]
            parts += [f'<span class="del">- {e(show(v))}</span>' for v in args[1]]
            out.append((where, ", ".join(parts)))
        else:
            out.append((where, f'<span class="old">{e(show(args[0]))}</span> → '
                               f'<span class="new">{e(show(args[1]))}</span>'))
    return out


def script_json(data: Any) -> str:
    """``data`` as JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (so no
    ``</script>`` or ``<!--``), and no line separators a JS parser would trip on."""
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        out = out.replace(char, escape)
    return out


# -- the sequence diagram ---------------------------------------------------------------------

def flow_hook(model: Model) -> Callable[[Label, Any, Any], Iterable[Event] | None] | None:
    """The spec's ``message_flow`` hook (:class:`~refute.engine.model.Model`), or None."""
    return model.message_flow


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
                            file=model.source,
                            hint="fix message_flow, or remove it to report without a "
                                 "sequence diagram") from None
        for event in events:
            if not (isinstance(event, tuple) and len(event) == 3 and event[0] in EVENT_KINDS):
                raise SpecError(f"message_flow({after.action}) returned the event {event!r}",
                                file=model.source,
                                hint="return tuples (kind, process, message) with kind "
                                     "'send', 'receive' or 'local'")
        steps.append(events)
    return steps


def diagram_data(model: Model, violation: Violation) -> dict[str, Any] | None:
    """The sequence diagram of the counterexample as the page's script draws it (None when
    the spec has no ``message_flow``, or when it names no process): ``processes`` (names, in
    order of first appearance), ``arrows`` ``[from step, from process, to step, to process,
    message]`` (from step -1: in flight since the initial state, drawn from the left edge),
    ``notes`` ``[step, process, note]``, ``actors`` ``[step, process]``, ``flight``
    ``[step, process, message]`` (sent, never received) and ``band`` (``["violating",
    step]`` or ``["loop", first step]``); steps and processes are numbers from 0."""
    steps = message_events(model, violation)
    if steps is None:
        return None
    processes: dict[Any, int] = {}
    names: list[str] = []
    for events in steps:
        for _, process, _ in events:
            if _key(process) not in processes:
                processes[_key(process)] = len(names)
                names.append(text(process))
    if not processes:
        return None
    arrows: list[list[Any]] = []
    notes: list[list[Any]] = []
    actors: list[list[int]] = []
    sent: dict[Any, tuple[int, int, Any]] = {}  # message -> (step, sender, message)
    received: set[tuple[Any, int]] = set()
    for index, events in enumerate(steps):
        acting: dict[int, None] = {}
        for kind, process, message in events:
            p = processes[_key(process)]
            acting[p] = None
            if kind == "send":
                sent[_key(message)] = (index, p, message)
            elif kind == "receive":
                origin = sent.get(_key(message))
                if origin is not None:
                    received.add((_key(message), origin[0]))
                arrows.append([origin[0] if origin else -1, origin[1] if origin else -1,
                               index, p, text(message)])
            elif message is not None:
                notes.append([index, p, text(message)])
        actors.extend([index, p] for p in acting)
    flight = [[index, p, text(message)] for key, (index, p, message) in sent.items()
              if (key, index) not in received]
    lasso = violation.kind is ViolationKind.LIVENESS
    return {"processes": names,
            "arrows": arrows, "notes": notes, "actors": actors, "flight": flight,
            "band": ["loop", violation.loop_start] if lasso
            else ["violating", len(violation.trace) - 1]}


def _key(message: Any) -> Any:
    try:
        hash(message)
    except TypeError:
        return repr(message)
    return message


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
#steps .step { display: flex; border-top: 1px solid #eaeef2; padding: .35em 0; }
#steps.long .step { content-visibility: auto; contain-intrinsic-size: auto 5em; }
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
.diagram { overflow: auto; max-height: 75vh; border: 1px solid #d0d7de; border-radius: 6px; }
.diagram svg { display: block; }
.diagram svg.head { position: sticky; top: 0; z-index: 1; background: #fff; }
svg text { font: 12px ui-monospace, monospace; }
.lifeline { stroke: #9aa4b1; stroke-dasharray: 4 3; }
.process rect { fill: #ddf4ff; stroke: #54aeff; } .process text { font-weight: 600; }
.step-label { fill: #57606a; cursor: pointer; }
code.values { display: block; color: #57606a; } code.values .field { color: #8c959f; }
.step-label .n { font-weight: 600; fill: #1f2328; }
.actor { fill: #0969da; }
.message path { fill: none; stroke: #1f2328; stroke-width: 1.3; }
.message text { fill: #0550ae; } #sequence marker path { fill: #1f2328; }
.message.in-flight path { stroke: #9a6700; stroke-dasharray: 5 3; }
.message.in-flight text { fill: #9a6700; }
.note { fill: #57606a; font-style: italic; }
.violating-band { fill: #ffebe9; } .loop-band { fill: #fbefff; }
"""

_SCRIPT = r"""
(function () {
'use strict';
var source = document.getElementById('trace');
if (!source) return;
var data = JSON.parse(source.textContent), V = data.values, F = data.fields;
var doc = document, steps = doc.getElementById('steps');

// every string from the spec goes in as text: textContent or a text node, never markup
function el(tag, cls, text) {
  var node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
function fieldTable(pairs) {
  var table = el('table', 'fields'), body = el('tbody');
  for (var i = 0; i < pairs.length; i += 2) {
    var tr = el('tr'), value = el('td');
    tr.appendChild(el('td', 'field', F[pairs[i]]));
    value.appendChild(el('code', null, V[pairs[i + 1]]));
    tr.appendChild(value);
    body.appendChild(tr);
  }
  table.appendChild(body);
  return table;
}
function change(c) {
  var line = el('div', 'change');
  line.appendChild(el('code', 'path', c[0]));
  line.appendChild(doc.createTextNode(': '));
  if (c[1] === 'v') {
    line.appendChild(el('span', 'old', V[c[2]]));
    line.appendChild(doc.createTextNode(' \u2192 '));
    line.appendChild(el('span', 'new', V[c[3]]));
  } else if (c[1] === '+') {
    line.appendChild(el('span', 'add', '+ ' + V[c[2]]));
  } else if (c[1] === '-') {
    line.appendChild(el('span', 'del', 'removed'));
  } else {
    var parts = c[2].map(function (v) { return el('span', 'add', '+ ' + V[v]); })
      .concat(c[3].map(function (v) { return el('span', 'del', '- ' + V[v]); }));
    parts.forEach(function (part, i) {
      if (i) line.appendChild(doc.createTextNode(', '));
      line.appendChild(part);
    });
  }
  return line;
}
// the unchanged fields: folded, their values filled in when first unfolded
var folds = [];
function fold(pairs) {
  var names = [];
  for (var i = 0; i < pairs.length; i += 2) names.push(F[pairs[i]]);
  var details = el('details', 'unchanged');
  details.appendChild(el('summary', null, 'unchanged: ' + names.join(', ')));
  details.appendChild(el('code', 'values'));
  folds.push(pairs);
  details.dataset.fold = folds.length - 1;
  return details;
}
function fill(details) {
  var code = details.lastChild, pairs = folds[details.dataset.fold];
  if (code.firstChild || !pairs) return;
  for (var i = 0; i < pairs.length; i += 2) {
    var line = el('div');
    line.appendChild(el('span', 'field', F[pairs[i]]));
    line.appendChild(doc.createTextNode(' ' + V[pairs[i + 1]]));
    code.appendChild(line);
  }
}
function unchangedOf(target) {
  var details = target.closest && target.closest('details.unchanged');
  return details && steps.contains(details) ? details : null;
}
steps.addEventListener('click', function (event) {
  var details = unchangedOf(event.target);
  if (details) fill(details);
});
steps.addEventListener('toggle', function (event) {
  if (event.target.open && unchangedOf(event.target)) fill(event.target);
}, true);

function badge(cls, text) { return el('span', 'badge ' + cls, text); }
// every row is made at once (its number, action and badge: the page can be searched for
// them and linked to), what changed in it first for the rows in view at the top and at the
// violation, then for the rest in idle time, so a long trace is on screen at once
var n = data.steps.length, bodies = [], rows = doc.createDocumentFragment(), LONG = 200;
// a long trace: the browser lays out and paints only the rows in view
if (n > LONG) steps.className = 'long';
data.steps.forEach(function (s, i) {
  var row = el('div', s.k ? 'step ' + s.k : 'step'), body = el('div', 'body');
  var action = el('div', 'action', s.a);
  row.id = 'step-' + (i + 1);
  row.appendChild(el('div', 'n', String(i + 1)));
  if (s.b) action.appendChild(badge(s.bk, s.b));
  body.appendChild(action);
  row.appendChild(body);
  rows.appendChild(row);
  bodies.push(body);
});
function fillRow(i) {
  var body = bodies[i], s = data.steps[i];
  if (!body) return;
  bodies[i] = null;
  if (s.s) body.appendChild(fieldTable(s.s));
  if (s.c) s.c.forEach(function (c) { body.appendChild(change(c)); });
  if (s.u) body.appendChild(fold(s.u));
}
function fillNear(i) {
  for (var j = Math.max(0, i - 40); j < Math.min(n, i + 40); j++) fillRow(j);
}
function fillAll() { for (var i = 0; i < n; i++) fillRow(i); }
if (data.end) {  // the lasso's closing line
  var end = el('div', 'step loop loop-end'), endBody = el('div', 'body');
  var endAction = el('div', 'action', data.end[0]);
  endAction.appendChild(badge('loop', data.end[1]));
  end.appendChild(el('div', 'n', '\u21bb'));
  endBody.appendChild(endAction);
  end.appendChild(endBody);
  rows.appendChild(end);
}
fillNear(0);
fillNear(n - 1);
steps.appendChild(rows);
function fillTarget() {
  var m = /^#step-(\d+)$/.exec(location.hash);
  if (m) fillNear(+m[1] - 1);
}
fillTarget();
addEventListener('hashchange', fillTarget);
var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1); }, next = 0;
function fillSome() {
  var stop = performance.now() + 10;
  while (next < n && performance.now() < stop) fillRow(next++);
  if (next < n) idle(fillSome);
}
// after the first frame: work scheduled before the load event would delay it
addEventListener('load', function () {
  requestAnimationFrame(function () { setTimeout(fillSome, 0); });
});

var unfold = doc.getElementById('unfold');
unfold.addEventListener('click', function () {
  var open = unfold.textContent === 'unfold';
  if (open) fillAll();
  steps.querySelectorAll('details.unchanged').forEach(function (d) {
    if (open) fill(d);
    d.open = open;
  });
  unfold.textContent = open ? 'fold' : 'unfold';
});
if (location.hash) {
  var target = doc.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView();
}

// the sequence diagram: a head with the processes (it stays in view), a body with a row per
// step; a long trace draws only the rows near the part of the diagram in view
var D = data.diagram;
if (!D) return;
var NS = 'http://www.w3.org/2000/svg', COL = 160, ROW = 30, GUTTER = 260, HEAD = 44,
  TOP = 16, MARGIN = 60;
var P = D.processes.length;
var width = GUTTER + P * COL + 140, height = TOP + n * ROW;
function X(p) { return GUTTER + COL / 2 + p * COL; }
function Y(i) { return TOP + i * ROW; }
function svg(tag, attrs, text) {
  var node = doc.createElementNS(NS, tag);
  for (var name in attrs) node.setAttribute(name, attrs[name]);
  if (text !== undefined) node.textContent = text;
  return node;
}
function clip(value, limit) {
  return value.length <= limit ? value : value.slice(0, limit - 1) + '\u2026';
}
function label(parent, value, limit) {  // a tooltip with the whole text where clip cut it
  if (value.length > limit) parent.appendChild(svg('title', {}, value));
}
var box = doc.getElementById('sequence');
var head = svg('svg', {'class': 'head', width: width, height: HEAD});
var chart = svg('svg', {'class': 'body', width: width, height: height});
var defs = svg('defs', {}), marker = svg('marker', {id: 'arrow', viewBox: '0 0 10 10',
  refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'});
marker.appendChild(svg('path', {d: 'M0,0 L10,5 L0,10 z'}));
defs.appendChild(marker);
chart.appendChild(defs);
if (D.band[0] === 'loop') {
  var bandTop = Y(D.band[1]) - ROW / 2;
  chart.appendChild(svg('rect', {'class': 'loop-band', x: 0, y: bandTop, width: width,
                                height: height - bandTop}));
} else {
  chart.appendChild(svg('rect', {'class': 'violating-band', x: 0, y: Y(D.band[1]) - ROW / 2,
                                width: width, height: ROW}));
}
D.processes.forEach(function (name, p) {
  var g = svg('g', {'class': 'process'});
  head.appendChild(svg('line', {'class': 'lifeline', x1: X(p), x2: X(p), y1: HEAD - 8,
                                y2: HEAD}));
  chart.appendChild(svg('line', {'class': 'lifeline', x1: X(p), x2: X(p), y1: 0, y2: height}));
  g.appendChild(svg('rect', {x: X(p) - COL / 2 + 8, y: 4, width: COL - 16, height: HEAD - 12,
                             rx: 4}));
  g.appendChild(svg('text', {x: X(p), y: HEAD / 2 + 2, 'text-anchor': 'middle'},
                    clip(name, 18)));
  label(g, name, 18);
  head.appendChild(g);
});
var layer = svg('g', {});
chart.appendChild(layer);
box.appendChild(head);
box.appendChild(chart);

function arrow(a) {
  var x1 = a[0] < 0 ? GUTTER - 4 : X(a[1]), y1 = Y(a[0] < 0 ? a[2] : a[0]);
  var x2 = X(a[3]), y2 = Y(a[2]), path, tx, ty;
  if (x1 === x2) {  // a message to itself: a small loop out to the right
    path = 'M' + x1 + ',' + y1 + ' C' + (x1 + 60) + ',' + y1 + ' ' + (x2 + 60) + ',' + y2 +
      ' ' + (x2 + 6) + ',' + y2;
    tx = x1 + 48; ty = (y1 + y2) / 2;
  } else {
    path = 'M' + x1 + ',' + y1 + ' L' + (x2 + (x2 > x1 ? -6 : 6)) + ',' + y2;
    tx = (x1 + x2) / 2; ty = (y1 + y2) / 2 - 5;
  }
  var g = svg('g', {'class': 'message'});
  g.appendChild(svg('path', {d: path, 'marker-end': 'url(#arrow)'}));
  g.appendChild(svg('text', {x: tx, y: ty, 'text-anchor': 'middle'}, clip(a[4], 28)));
  label(g, a[4], 28);
  return g;
}
function inFlight(f) {
  var x1 = X(f[1]), y1 = Y(f[0]), g = svg('g', {'class': 'message in-flight'});
  g.appendChild(svg('path', {d: 'M' + x1 + ',' + y1 + ' l' + COL * 0.45 + ',' + ROW * 0.6,
                             'marker-end': 'url(#arrow)'}));
  g.appendChild(svg('text', {x: x1 + COL * 0.5, y: y1 + ROW * 0.6 + 12,
                             'text-anchor': 'middle'}, clip(f[2], 28) + ' (in flight)'));
  g.appendChild(svg('title', {}, f[2] + ': sent, never received'));
  return g;
}
var drawn = [-1, -1];
function draw(lo, hi) {  // the rows lo..hi, and every arrow that crosses them
  var out = doc.createDocumentFragment();
  function near(step) { return step >= lo && step <= hi; }
  for (var i = lo; i <= hi; i++) {
    var heading = data.steps[i].a;
    var t = svg('text', {'class': 'step-label', x: 8, y: Y(i) + 4, 'data-step': i + 1});
    t.appendChild(svg('tspan', {'class': 'n'}, String(i + 1)));
    t.appendChild(doc.createTextNode(' ' + clip(heading, 34)));
    label(t, heading, 34);
    out.appendChild(t);
  }
  D.arrows.forEach(function (a) {
    var from = a[0] < 0 ? a[2] : Math.min(a[0], a[2]), to = Math.max(a[0], a[2]);
    if (to >= lo && from <= hi) out.appendChild(arrow(a));
  });
  D.notes.forEach(function (m) {
    if (!near(m[0])) return;
    var t = svg('text', {'class': 'note', x: X(m[1]) + 8, y: Y(m[0]) - 6}, clip(m[2], 22));
    label(t, m[2], 22);
    out.appendChild(t);
  });
  D.actors.forEach(function (a) {
    if (near(a[0])) out.appendChild(svg('circle', {'class': 'actor', cx: X(a[1]), cy: Y(a[0]),
                                                   r: 5}));
  });
  D.flight.forEach(function (f) { if (near(f[0])) out.appendChild(inFlight(f)); });
  layer.textContent = '';
  layer.appendChild(out);
  drawn = [lo, hi];
}
function update() {
  var top = box.scrollTop - HEAD, lo = Math.max(0, Math.floor(top / ROW)),
    hi = Math.min(n - 1, Math.ceil((top + box.clientHeight) / ROW));
  if (lo >= drawn[0] && hi <= drawn[1]) return;
  draw(Math.max(0, lo - MARGIN), Math.min(n - 1, hi + MARGIN));
}
if (n <= LONG) {
  draw(0, n - 1);
} else {  // open at the violation (or the loop), then draw what comes into view
  box.scrollTop = D.band[0] === 'loop' ? Y(D.band[1]) - 3 * ROW : height;
  update();
  var pending = false;
  box.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }, {passive: true});
}
chart.addEventListener('click', function (event) {
  var step = event.target.closest('.step-label');
  if (step) location.hash = 'step-' + step.getAttribute('data-step');
});
})();
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
