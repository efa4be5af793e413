"""``TLCGet("spec")``: the model's parts as TLC describes them (its ``TLCGetSet.SPEC``).

A record of ten sets: ``inits``, ``actions``, ``invariants``, ``constraints``,
``actionconstraints``, ``temporals`` (the SPECIFICATION's fairness), ``impliedinits``,
``impliedactions``, ``impliedtemporals`` (what the PROPERTYs unfold to) and ``variables``, each
element ``[name |-> ..., location |-> [beginLine, beginColumn, endLine, endColumn, module]]``.
An action with parameters adds ``context`` (their values) and ``parameters`` (their names).

The locations are TLC's: that of the expression after a definition's name is followed to its
body (SANY's semantic nodes know no parentheses, so neither does a location), except for
constraints and action constraints, which TLC locates at the whole definition
(``Con == ...``), and variables, at their declaration. A fairness conjunct is named
``UnnamedAction``, as TLC names it.
"""

from __future__ import annotations

import os
from typing import Any

from refute.tla.parser import Node, OpDef
from refute.tla.scope import Context, Def
from refute.tla.values import make_fn


def _module_of(file: str | None) -> str:
    return os.path.splitext(os.path.basename(file))[0] if file else ""


def location(begin: tuple[int, int], end: tuple[int, int], file: str | None) -> Any:
    return make_fn({"beginLine": begin[0], "beginColumn": begin[1], "endLine": end[0],
                    "endColumn": end[1], "module": _module_of(file)})


def body_of(node: Node, ctx: Context) -> Node:
    """``node`` with names of definitions without parameters followed to their bodies, and
    parentheses dropped: the expression TLC locates."""
    while True:
        if node.kind == "paren":
            node = node.args[0]
            continue
        if node.kind == "name":
            entry = ctx.names.get(node.args[0])
            if isinstance(entry, Def) and entry.opdef.kind == "op" and not entry.opdef.params:
                node, ctx = entry.opdef.body, entry.ctx
                continue
        return node


def node_location(node: Node) -> Any:
    return location((node.line, node.col), node.end or (node.line, node.col), node.file)


def entry(name: str, node: Node, params: tuple = ()) -> Any:
    fields: dict = {"name": name, "location": node_location(node)}
    if params:
        fields["context"] = make_fn(dict(params))
        fields["parameters"] = tuple(p for p, _ in params)
    return make_fn(fields)


def definition_entry(name: str, opdef: OpDef) -> Any:
    """A constraint's element: located at its whole definition, name to body's end."""
    body = opdef.body
    end = getattr(body, "end", None) or (opdef.line, opdef.col)
    return make_fn({"name": name, "location": location((opdef.line, opdef.col), end, opdef.file)})


def variable_entry(name: str, module: str, line: int, col: int) -> Any:
    return make_fn({"name": name, "location": make_fn({
        "beginLine": line, "beginColumn": col, "endLine": line, "endColumn": col + len(name) - 1,
        "module": module})})


FIELDS = ("inits", "actions", "invariants", "constraints", "actionconstraints", "temporals",
          "impliedinits", "impliedactions", "impliedtemporals", "variables")


def spec_record(parts: dict[str, list]) -> Any:
    """The record from ``parts``: field -> its elements (a field missing is the empty set)."""
    return make_fn({f: frozenset(parts.get(f, ())) for f in FIELDS})
