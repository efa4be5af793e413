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
script (``refute/assets/counterexample.js``, inlined by :func:`refute.html_page.page`) turns
into elements, so a 1,000-step counterexample is a 0.17 MB page that opens in a few hundred
milliseconds instead of a megabyte of markup to parse. The script creates every
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

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from refute.engine.model import Label, Model
from refute.engine.result import Result, Violation, ViolationKind
from refute.errors import SpecError
from refute.html_page import escape as e
from refute.html_page import page
from refute.report.values import show, trace_fields
from refute.values import FrozenMap, Record, sort_canonically
from refute.status import Status

__all__ = ["STYLES", "diagram_data", "diff_parts", "diff_value", "e", "message_events",
           "render_report", "script_json", "text", "trace_data", "write_report"]

Event = tuple[str, Any, Any]
"""One event of a step for the sequence diagram: ``(kind, process, message)``."""

EVENT_KINDS = ("send", "receive", "local")


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
    return page(f"refute {command}: {verdict}", "\n".join(body), styles=STYLES,
                scripts=("counterexample.js",))


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
    if isinstance(old, Record) and isinstance(new, Record) and old._names is new._names:
        out = []  # the same fields (in whatever order each was written): field by field
        for name, a in zip(old._fields, old._values()):
            b = getattr(new, name)
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

STYLES = ("base.css", "report.css", "counterexample.css")
"""The stylesheets of a report page (refute/assets/): the shared look, then the step table's
and the diagram's."""
