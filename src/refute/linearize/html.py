"""A self-contained HTML page that shows a check: each object's history as client timelines.

One SVG per object: a row per client, a bar per operation from its call to its return
(unknown-outcome calls fade out to the right edge: they never returned). The linearization
the search found (for a violation, the longest legal prefix) is drawn as numbered points, one
inside each linearized operation's bar, joined in order; the operations that cannot follow
it are red. Clicking an operation shows its details and the model state after it.

Time is drawn by *rank*: the distinct call and return instants of an object, in order, each
get one column, so that short and long gaps read the same and bars that overlap in time
overlap on screen. The page loads nothing from the network, and every value from the history
is escaped, since histories come from systems under test. Its shell, CSS and script are
:mod:`refute.html_page` and ``refute/assets/linearize.*``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from refute.html_page import escape as _e
from refute.html_page import page, register_inline
from refute.linearize.history import Operation
from refute.linearize.result import CheckResult, PartitionResult, Verdict

__all__ = ["render_html", "write_html"]

_COLUMN = 46  # pixels per time rank
_ROW = 34  # pixels per client row
_LABEL = 110  # pixels for the client labels
_TOP = 12  # pixels above the first row, for the linearization points


def write_html(result: CheckResult, path: str | Path) -> None:
    """Write :func:`render_html` of ``result`` to ``path``."""
    Path(path).write_text(render_html(result), encoding="utf-8")


def render_html(result: CheckResult) -> str:
    """The whole page, as a string."""
    parts = sorted(result.partitions, key=lambda p: _ORDER[p.verdict])
    sections = "\n".join(_section(result, index, part) for index, part in enumerate(parts))
    title = f"refute linearizable: {result.verdict.value}"
    source = f" &middot; {_e(result.file)}" if result.file else ""
    meta = _e(f"model {result.model.name} · {result.operation_count} operations · "
              f"{len(result.partitions)} object(s) · {result.seconds:.3f} s") + source
    body = (f'<h1>refute linearizable: <span class="{_VERDICT_CLASS[result.verdict]}" '
            f'id="verdict">{_e(result.verdict.value)}</span></h1>\n'
            f'<div class="meta">{meta}</div>\n'
            f'<pre class="summary">{_e(result.explain())}</pre>\n'
            f'{sections}\n'
            '<div id="details">Click an operation to see its details.</div>')
    return page(title, body, styles=("base.css", "linearize.css"), scripts=("linearize.js",))


_ORDER = {Verdict.NOT_LINEARIZABLE: 0, Verdict.UNKNOWN: 1, Verdict.LINEARIZABLE: 2}
_VERDICT_CLASS = {Verdict.LINEARIZABLE: "ok", Verdict.NOT_LINEARIZABLE: "bad",
                  Verdict.UNKNOWN: "unknown"}


def _section(result: CheckResult, index: int, part: PartitionResult) -> str:
    name = "history" if part.key is None else f"key {part.key!r}"
    heading = (f"{name}: {part.verdict.value} · {len(part.operations)} operations · "
               f"{part.explored} configurations explored")
    open_ = " open" if part.verdict is not Verdict.LINEARIZABLE or index == 0 else ""
    note = ""
    if part.verdict is Verdict.NOT_LINEARIZABLE:
        state = result.model.describe_state(part.state_after_prefix(result.model))
        note = (f'<p class="note">The numbered points are the longest linearizable prefix '
                f'({len(part.linearization)} operations, numbered in their order{_example(part)}'
                f'), ending in state '
                f'<code>{_e(state)}</code>. The <span class="bad">red</span> operations had '
                f'to come next, and the model accepts none of them in that state.</p>')
    elif part.verdict is Verdict.UNKNOWN:
        note = f'<p class="note">{_e(part.stop.value)}; the points are the longest prefix ' \
               f'found so far.</p>'
    return (f'<details class="partition {_VERDICT_CLASS[part.verdict]}"{open_}>'
            f'<summary>{_e(heading)}</summary>{note}{_svg(result, index, part)}</details>')


def _svg(result: CheckResult, index: int, part: PartitionResult) -> str:
    ops = part.operations
    if not ops:
        return '<p class="note">no operations</p>'
    instants = sorted({op.call for op in ops} | {op.ret for op in ops if op.ret is not None})
    rank = {t: r for r, t in enumerate(instants)}
    end = len(instants)  # the column past the last instant: where unreturned calls fade
    clients = list(dict.fromkeys(op.process for op in ops))
    row = {client: r for r, client in enumerate(clients)}
    width = (end + 1) * _COLUMN + 20
    height = _TOP + len(clients) * _ROW + 10
    position = {op.index: k for k, op in enumerate(part.linearization)}
    unplaceable = {op.index for op in part.unplaceable}
    points = _points(part.linearization, rank)
    describe, show_state = result.model.describe_operation, result.model.describe_state
    # The client labels sit in their own SVG beside the scrolling timeline, so that they
    # stay in view when a long history is scrolled.
    out = [f'<div class="timeline"><svg class="labels" width="{_LABEL}" height="{height}">']
    for client, r in row.items():
        out.append(f'<text class="client" x="{_LABEL - 8}" y="{_TOP + r * _ROW + _ROW / 2 + 4}" '
                   f'text-anchor="end">{_e(client)}</text>')
    out.append(f'</svg><div class="scroll"><svg xmlns="http://www.w3.org/2000/svg" '
               f'width="{width}" height="{height}" data-partition="{index}">'
               f'<defs><linearGradient id="fade{index}"><stop offset="0" stop-color="#9aa4b1"/>'
               f'<stop offset="1" stop-color="#9aa4b1" stop-opacity="0"/></linearGradient></defs>')
    for r in range(len(clients)):
        y = _TOP + r * _ROW + _ROW - 2
        out.append(f'<line class="lane" x1="0" x2="{width}" y1="{y}" y2="{y}"/>')
    for op in ops:
        x1 = rank[op.call] * _COLUMN
        x2 = (rank[op.ret] if op.ret is not None else end) * _COLUMN + _COLUMN * 0.8
        y = _TOP + row[op.process] * _ROW + 4
        text = describe(op.input, op.output)
        numbered = f"#{op.index} {text}"  # as the text report and the JSON number it
        if op.index in unplaceable:
            kind = "unplaceable"
        elif op.index in position:
            kind = "linearized"
        else:
            kind = "other"
        details = {"operation": numbered, "process": str(op.process), "index": op.index,
                   "line": op.line, "call": str(op.call),
                   "return": "never (outcome unknown)" if op.ret is None else str(op.ret),
                   "status": _STATUS_TEXT[kind]}
        if op.index in position:
            k = position[op.index]
            details["linearized"] = f"point {k + 1} of {len(part.linearization)}"
            details["state after"] = show_state(part.states[k])
        fill = f' fill="url(#fade{index})"' if op.ret is None and kind == "other" else ""
        out.append(
            f'<g class="op {kind}{" open-ended" if op.ret is None else ""}" tabindex="0" '
            f'data-details="{_e(json.dumps(details))}">'
            f'<title>{_e(numbered)}</title>'
            f'<rect x="{x1}" y="{y}" width="{x2 - x1:.1f}" height="{_ROW - 10}" rx="4"{fill}/>'
            f'<text x="{x1 + 5}" y="{y + _ROW / 2 + 3}">'
            f'{_e(_clip(text, (x2 - x1 - 10) / 6.5))}</text></g>')
    if points:
        # a point sits on the top edge of its operation's bar, clear of the bar's text
        centres = [(_COLUMN * x, _TOP + row[op.process] * _ROW + 4) for op, x in points]
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in centres)
        out.append(f'<polyline class="order" points="{path}"/>')
        for k, ((op, _), (cx, cy)) in enumerate(zip(points, centres), start=1):
            out.append(f'<g class="point" data-operation="{op.index}"><circle cx="{cx:.1f}" '
                       f'cy="{cy:.1f}" r="7"/><text x="{cx:.1f}" y="{cy + 3:.1f}" '
                       f'text-anchor="middle">{k}</text></g>')
    out.append("</svg></div></div>")
    return "".join(out)


def _example(part: PartitionResult) -> str:
    """How a point's number relates to its operation's, with the prefix's last one (the text
    report lists it the same way: ``32. #31 ...``)."""
    if not part.linearization:
        return ""
    last = part.linearization[-1]
    return (f"; as in the text report, point {len(part.linearization)} is operation "
            f"#{last.index}")


_STATUS_TEXT = {"linearized": "linearized", "unplaceable": "cannot be placed next",
                "other": "not in the linearization shown"}


def _points(order: tuple[Operation, ...], rank: dict[Any, int]) -> list[tuple[Operation, float]]:
    """A drawing position for each linearization point, inside its operation's bar.

    The k-th point goes at the rank column of max(its call, the previous point's column):
    never before its call, and never after its return, because an operation linearized after
    another cannot have returned before that one's call. Points sharing a column are spread
    across it, in order.
    """
    columns: list[int] = []
    last = 0
    for op in order:
        last = max(last, rank[op.call])
        columns.append(last)
    counts: dict[int, int] = {}
    for column in columns:
        counts[column] = counts.get(column, 0) + 1
    seen: dict[int, int] = {}
    placed = []
    for op, column in zip(order, columns):
        seen[column] = seen.get(column, 0) + 1
        placed.append((op, column + 0.8 * seen[column] / (counts[column] + 1)))
    return placed


def _clip(text: str, chars: float) -> str:
    limit = max(int(chars), 1)
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + "…"


register_inline(CheckResult, render_html)
