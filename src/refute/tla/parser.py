"""TLA+ source to a small AST of refute's own, with the tree-sitter-tlaplus grammar.

tree-sitter gives a concrete syntax tree; :func:`parse_module` turns it into :class:`Node`
trees (expressions) inside :class:`Module` / :class:`OpDef` records, so that the compiler
(:mod:`refute.tla.compile`) never sees tree-sitter. Every node keeps its line and column for
located errors. Operator symbols are normalised to one spelling (``\\cup`` for ``\\union``,
``=<`` for ``\\leq`` ...). Proofs, theorems and comments are dropped here.

Expression kinds (``Node.kind`` and its ``args``):

    num n | str s | bool b | name id | at                       (``@`` in EXCEPT)
    app (name, args)      user or built-in operator applied to arguments (args may be ())
    inst (path, name, args)  ``I!J(3)!Op(x)``: path = ((I, ()), (J, (3,))), then Op(x)
    infix (op, a, b) | prefix (op, a) | postfix (op, a)
    conj (items) | disj (items) | if (c, t, e) | case (arms, other) | let (defs, body)
    set (items) | tuple (items) | times (sets)
    filter (bound, pred) | setmap (expr, bounds) | forall/exists (bounds, body)
    choose (pattern, set|None, body) | fn (bounds, body) | fnapp (f, args)
    fnset (S, T) | recset (fields) | record (fields) | field (e, name)
    except (f, updates)   updates: ((path, value), ...); path items ("idx", args) | ("fld", name)
    lambda (params, body) | opref (op)   an operator symbol passed as an argument
    stutter (A, v) ``[A]_v`` | nostutter (A, v) ``<<A>>_v`` | fair (kind, v, A)
    tforall/texists (names, body)   ``\\AA`` / ``\\EE``
    set_nat | set_int | set_real | set_bool | set_string

A bound is ``(pattern, set)``; a pattern is a name or a tuple of names (``<<x, y>> \\in S``);
the set is ``None`` in an unbounded quantifier.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import tree_sitter_tlaplus

from refute.errors import InputError

import warnings

with warnings.catch_warnings():  # the binding hands over an int pointer; tree-sitter 0.26 warns
    warnings.simplefilter("ignore", DeprecationWarning)
    _LANGUAGE = tree_sitter.Language(tree_sitter_tlaplus.language())


class Node:
    """An expression: ``kind`` (see the module docstring), ``args``, where it starts and,
    for one read from a file, where it ends: ``end`` is ``(line, column)`` of its last
    character (TLC's ``endLine``/``endColumn``), None for a node refute makes itself."""

    __slots__ = ("kind", "args", "line", "col", "file", "end")

    def __init__(self, kind: str, args: tuple, line: int = 0, col: int = 0, file: str | None = None,
                 end: tuple[int, int] | None = None):
        self.kind = kind
        self.args = args
        self.line = line
        self.col = col
        self.file = file
        self.end = end

    def __repr__(self) -> str:
        return f"{self.kind}{self.args!r}"


@dataclass
class OpDef:
    """``name(params) == body``; a param is ``(name, arity)`` (arity > 0: an operator argument).

    ``kind`` is "op", "fn" (``f[x \\in S] == e``: body is an ``fn`` node), or "instance"
    (``I(p) == INSTANCE M WITH ...``: ``body`` is an :class:`Instance`).
    """

    name: str
    params: tuple[tuple[str, int], ...]
    body: Any
    line: int
    col: int
    file: str | None
    local: bool = False
    kind: str = "op"


@dataclass
class Instance:
    module: str
    substitutions: tuple[tuple[str, Node], ...]
    local: bool
    line: int
    col: int


@dataclass
class Module:
    name: str
    file: str | None
    extends: tuple[str, ...] = ()
    constants: list[tuple[str, int]] = field(default_factory=list)
    constant_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (line, col)
    variables: list[str] = field(default_factory=list)
    variable_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (line, col)
    definitions: list[OpDef] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)  # unnamed INSTANCE
    assumptions: list[Node] = field(default_factory=list)
    submodules: dict[str, Module] = field(default_factory=dict)
    order: list[Any] = field(default_factory=list)  # definitions and instances, in order
    # a module written inside another: what of the enclosing module it does not see (declared
    # or defined after it), and where in the enclosing module's ``order`` it is written
    enclosed: tuple[frozenset, int] | None = None
    line: int = 1
    col: int = 1
    # What TLC's order of strings depends on (refute.tla.atoms): the module's names, keywords
    # and numbers as written, and its string literals' values, each in the order of the text.
    words: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)


_SYMBOLS = {
    "\\union": "\\cup", "\\intersect": "\\cap", "\\leq": "=<", "<=": "=<", "\\geq": ">=",
    "/=": "#", "\\neq": "#", "\\land": "/\\", "\\lor": "\\/", "\\lnot": "~", "\\neg": "~",
    "\\equiv": "<=>", "\\circ": "\\o", "\\times": "\\X", "\\subset": "\\subset",
    "\u2227": "/\\", "\u2228": "\\/", "\u00ac": "~", "\u2208": "\\in", "\u2209": "\\notin",
    "\u222a": "\\cup", "\u2229": "\\cap", "\u2286": "\\subseteq", "\u2260": "#",
    "\u2264": "=<", "\u2265": ">=", "\u21d2": "=>", "\u2261": "<=>", "\u00d7": "\\X",
    "\u2218": "\\o", "\u2192": "->", "\u21a6": "|->", "\u2200": "\\A", "\u2203": "\\E",
}

_PROOF_NODES = {"theorem", "use_or_hide", "comment", "block_comment", "single_line",
                "double_line", "header_line", "pcal_algorithm", "extramodular_text"}


def normalise_symbol(text: str) -> str:
    return _SYMBOLS.get(text, text)


class _Converter:
    def __init__(self, source: bytes, file: str | None):
        self.src = source
        self.file = file

    def text(self, n: tree_sitter.Node) -> str:
        return self.src[n.start_byte:n.end_byte].decode("utf-8")

    def error(self, n: tree_sitter.Node, message: str, hint: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=n.start_point[0] + 1,
                          column=n.start_point[1] + 1, hint=hint)

    def node(self, kind: str, args: tuple, n: tree_sitter.Node) -> Node:
        return Node(kind, args, n.start_point[0] + 1, n.start_point[1] + 1, self.file,
                    (n.end_point[0] + 1, n.end_point[1]))

    # ---------------------------------------------------------------- modules
    def module(self, n: tree_sitter.Node) -> Module:
        name_node = _one(n, "name")
        module = Module(self.text(name_node), self.file, line=n.start_point[0] + 1,
                        col=n.start_point[1] + 1)
        marks = []
        for child in _kids(n):
            if child.type == "module":
                marks.append((len(module.constants), len(module.variables), len(module.order)))
            self.unit(child, module, local=False)
        for sub, (c, v, o) in zip(module.submodules.values(), marks):
            later = {name for name, _ in module.constants[c:]} | set(module.variables[v:]) | \
                {item.name for item in module.order[o:] if isinstance(item, OpDef)}
            sub.enclosed = (frozenset(later), o)
        self.check_nested_use(module)
        self.tokens(n, module)
        return module

    def check_nested_use(self, module: Module) -> None:
        """SANY's rule for a module written inside ``module``: it may be used (INSTANCE,
        EXTENDS) only after it is written; before, SANY has already taken the name for a module
        of its own file and reports the inner one as a second definition."""
        for sub in module.submodules.values():
            _, at = sub.enclosed
            users = [(module.line, module.col)] if sub.name in module.extends else []
            for item in module.order[:at]:
                target = item.module if isinstance(item, Instance) else \
                    item.body.module if isinstance(item, OpDef) and item.kind == "instance" else None
                if target == sub.name:
                    users.append((item.line, item.col))
            if users:
                raise InputError(f"Multiply-defined module '{sub.name}': it is used at line "
                                 f"{users[0][0]} before it is written here", file=self.file,
                                 line=sub.line, column=sub.col,
                                 hint=f"write MODULE {sub.name} before its first use, as SANY "
                                      "requires of a module inside another")

    def tokens(self, n: tree_sitter.Node, module: Module) -> None:
        """Fill ``module.words`` and ``module.strings`` from its text, in order (an iterative
        walk: modules can be long). The ``MODULE`` of the header is not a word: SANY reads
        ``---- MODULE`` as one token."""
        stack = [n]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind == "string":
                module.strings.append(_string_value(self.text(node)[1:-1]))
            elif kind in _PROOF_NODES and kind not in ("theorem", "use_or_hide"):
                continue  # comments, PlusCal text in comments
            elif node.child_count == 0:
                text = self.text(node)
                if _WORD.fullmatch(text) and text != "MODULE":
                    module.words.append(text)
            else:
                stack.extend(reversed(node.children))

    def unit(self, c: tree_sitter.Node, module: Module, local: bool) -> None:
        t = c.type
        if t == "extends":
            module.extends = tuple(self.text(x) for x in _kids(c) if x.type == "identifier_ref")
        elif t == "constant_declaration":
            for x in _kids(c):
                if x.type == "identifier":
                    module.constants.append((self.text(x), 0))
                elif x.type == "operator_declaration":
                    module.constants.append(self.op_declaration(x))
                else:
                    continue
                module.constant_at[module.constants[-1][0]] = (x.start_point[0] + 1,
                                                               x.start_point[1] + 1)
        elif t == "variable_declaration":
            for x in _kids(c):
                if x.type == "identifier":
                    module.variables.append(self.text(x))
                    module.variable_at[module.variables[-1]] = (x.start_point[0] + 1,
                                                                x.start_point[1] + 1)
        elif t == "operator_definition":
            d = self.op_definition(c, local)
            module.definitions.append(d)
            module.order.append(d)
        elif t == "function_definition":
            d = self.fn_definition(c, local)
            module.definitions.append(d)
            module.order.append(d)
        elif t == "module_definition":
            d = self.module_definition(c, local)
            module.definitions.append(d)
            module.order.append(d)
        elif t == "instance":
            inst = self.instance(c, local)
            module.instances.append(inst)
            module.order.append(inst)
        elif t == "local_definition":
            for x in _kids(c):
                self.unit(x, module, local=True)
        elif t == "assumption":
            exprs = [x for x in _kids(c) if x.type not in ("identifier", "def_eq")]
            if exprs:
                body = self.expr(exprs[-1])
                module.assumptions.append(body)
                names = [x for x in _kids(c) if x.type == "identifier"]
                if names:  # ASSUME Name == e also defines Name (FastPaxos: ASSUME PaxosAssume /\ ...)
                    d = OpDef(self.text(names[0]), (), body, c.start_point[0] + 1,
                              c.start_point[1] + 1, self.file, local)
                    module.definitions.append(d)
                    module.order.append(d)
        elif t == "module":
            sub = self.module(c)
            module.submodules[sub.name] = sub
        elif t == "theorem":
            # THEOREM Name == e defines Name (MCVoting checks ``AllSafeAtZero!:``)
            name_node, stmt = _one(c, "name"), _one(c, "statement")
            if name_node is not None and stmt is not None and stmt.type not in (
                    "assume_prove", "new", "instance"):
                try:
                    body = self.expr(stmt)
                except InputError:
                    return
                d = OpDef(self.text(name_node), (), body, c.start_point[0] + 1,
                          c.start_point[1] + 1, self.file, local)
                module.definitions.append(d)
                module.order.append(d)
        elif t in ("recursive_declaration", "identifier") or t in _PROOF_NODES:
            pass
        elif t == "ERROR":
            raise self.error(c, "syntax error", "check the TLA+ syntax around here")
        # anything else (proof steps, unknown top-level units) carries no checkable meaning

    def op_declaration(self, n: tree_sitter.Node) -> tuple[str, int]:
        name = self.text(_one(n, "name"))
        arity = sum(1 for x in _kids(n) if x.type == "placeholder")
        return normalise_symbol(name), arity

    def params_of(self, n: tree_sitter.Node) -> tuple[tuple[str, int], ...]:
        params = []
        for c in _named(n, "parameter"):
            if c.type == "operator_declaration":
                params.append(self.op_declaration(c))
            else:
                params.append((self.text(c), 0))
        return tuple(params)

    def op_definition(self, n: tree_sitter.Node, local: bool) -> OpDef:
        name_node = _one(n, "name")
        name = normalise_symbol(self.text(name_node))
        body = self.expr(_one(n, "definition"))
        return OpDef(name, self.params_of(n), body, n.start_point[0] + 1, n.start_point[1] + 1,
                     self.file, local)

    def fn_definition(self, n: tree_sitter.Node, local: bool) -> OpDef:
        name = self.text(_one(n, "name"))
        bounds = self.bounds([c for c in _kids(n) if c.type == "quantifier_bound"])
        body = self.expr(_one(n, "definition"))
        return OpDef(name, (), self.node("fn", (bounds, body), n), n.start_point[0] + 1,
                     n.start_point[1] + 1, self.file, local, kind="fn")

    def module_definition(self, n: tree_sitter.Node, local: bool) -> OpDef:
        name = self.text(_one(n, "name"))
        inst = self.instance(_one(n, "definition"), local)
        return OpDef(name, self.params_of(n), inst, n.start_point[0] + 1, n.start_point[1] + 1,
                     self.file, local, kind="instance")

    def instance(self, n: tree_sitter.Node, local: bool) -> Instance:
        children = _kids(n)
        module = self.text(children[0])
        subs = []
        for c in children[1:]:
            if c.type == "substitution":
                parts = [x for x in _kids(c) if x.type != "gets"]
                subs.append((normalise_symbol(self.text(parts[0])), self.expr(parts[1])))
        return Instance(module, tuple(subs), local, n.start_point[0] + 1, n.start_point[1] + 1)

    # ------------------------------------------------------------ expressions
    def bound(self, n: tree_sitter.Node) -> list:
        """A quantifier_bound: several intros share one set; returns [(pattern, set)]."""
        out = []
        set_node = _one(n, "set")
        s = self.expr(set_node) if set_node is not None else None
        for c in _named(n, "intro"):
            out.append((self.pattern(c), s))
        return out

    def pattern(self, c: tree_sitter.Node) -> Any:
        if c.type == "tuple_of_identifiers":
            return tuple(self.text(x) for x in _kids(c) if x.type == "identifier")
        return self.text(c)

    def bounds(self, nodes: list) -> tuple:
        out = []
        for b in nodes:
            out.extend(self.bound(b))
        return tuple(out)

    def fields(self, n: tree_sitter.Node) -> list:
        return [n.children[i] for i in range(n.child_count) if n.children[i].is_named
                and n.children[i].type not in ("comment", "block_comment")]

    def expr(self, n: tree_sitter.Node) -> Node:
        t = n.type
        method = getattr(self, "x_" + t, None)
        if method is None:
            if t == "ERROR" or n.is_missing:
                raise self.error(n, "syntax error", "check the TLA+ syntax around here")
            raise self.error(n, f"unsupported TLA+ construct: {t}",
                             "refute does not evaluate this construct (see docs/tla.md)")
        return method(n)

    def x_parentheses(self, n):
        inner = self.fields(n)[0]
        e = self.expr(inner)
        if e.kind == "times":  # (A \X B) \X C is a pair whose first item is a pair
            return self.node("paren", (e,), n)
        return e

    def number(self, n: tree_sitter.Node, digits: str, base: int) -> Node:
        if len(digits) > _MAX_DIGITS:
            raise self.error(n, f"a number of {len(digits)} digits (at most {_MAX_DIGITS})",
                             "no model needs a number that large; TLC's integers have 32 bits")
        return self.node("num", (int(digits, base),), n)

    def x_nat_number(self, n):
        return self.number(n, self.text(n), 10)

    def x_octal_number(self, n):
        return self.number(n, self.text(n)[2:], 8)

    def x_hex_number(self, n):
        return self.number(n, self.text(n)[2:], 16)

    def x_binary_number(self, n):
        return self.number(n, self.text(n)[2:], 2)

    def x_real_number(self, n):
        raise self.error(n, "real numbers are not supported", "TLC does not support them either")

    def x_string(self, n):
        return self.node("str", (_string_value(self.text(n)[1:-1]),), n)

    def x_boolean(self, n):
        return self.node("bool", (self.text(n) == "TRUE",), n)

    def x_nat_number_set(self, n):
        return self.node("set_nat", (), n)

    def x_int_number_set(self, n):
        return self.node("set_int", (), n)

    def x_real_number_set(self, n):
        return self.node("set_real", (), n)

    def x_boolean_set(self, n):
        return self.node("set_bool", (), n)

    def x_string_set(self, n):
        return self.node("set_string", (), n)

    def x_identifier_ref(self, n):
        return self.node("name", (self.text(n),), n)

    x_identifier = x_identifier_ref

    def x_prev_func_val(self, n):
        return self.node("at", (), n)

    def x_bound_op(self, n):
        name = normalise_symbol(self.text(_one(n, "name")))
        args = tuple(self.expr(c) for c in _named(n, "parameter"))
        return self.node("app", (name, args), n)

    def x_bound_nonfix_op(self, n):
        # ``A!+(a, b)`` style or a symbol applied in prefix form
        sym = _one(n, "symbol")
        args = tuple(self.expr(c) for c in _kids(n) if c.id != sym.id)
        op = normalise_symbol(self.text(sym).strip())
        if len(args) == 2:
            return self.node("infix", (op, args[0], args[1]), n)
        return self.node("prefix", (op, args[0]), n)

    def x_infix_op_symbol(self, n):
        return self.node("opref", (normalise_symbol(self.text(n)),), n)

    x_prefix_op_symbol = x_postfix_op_symbol = x_infix_op_symbol

    def x_bound_infix_op(self, n):
        sym = normalise_symbol(self.text(_one(n, "symbol")))
        lhs = self.expr(_one(n, "lhs"))
        rhs = self.expr(_one(n, "rhs"))
        if sym == "\\X":
            left = list(lhs.args[0]) if lhs.kind == "times" else [lhs]
            return self.node("times", (tuple(left + [rhs]),), n)
        return self.node("infix", (sym, lhs, rhs), n)

    def x_bound_prefix_op(self, n):
        sym_node = _one(n, "symbol")
        sym = "-." if sym_node.type == "negative" else normalise_symbol(self.text(sym_node))
        return self.node("prefix", (sym, self.expr(_one(n, "rhs"))), n)

    def x_bound_postfix_op(self, n):
        sym = self.text(_one(n, "symbol"))
        return self.node("postfix", (sym, self.expr(_one(n, "lhs"))), n)

    def x_conj_list(self, n):
        items = [self.expr(self.fields(item)[-1]) for item in _kids(n) if item.type == "conj_item"]
        return items[0] if len(items) == 1 else self.node("conj", (tuple(items),), n)

    def x_disj_list(self, n):
        items = [self.expr(self.fields(item)[-1]) for item in _kids(n) if item.type == "disj_item"]
        return items[0] if len(items) == 1 else self.node("disj", (tuple(items),), n)

    def x_if_then_else(self, n):
        return self.node("if", (self.expr(_one(n, "if")),
                                self.expr(_one(n, "then")),
                                self.expr(_one(n, "else"))), n)

    def x_case(self, n):
        arms, other = [], None
        skip = ("case_arrow", "comment", "block_comment")  # a comment may sit after the arrow
        for c in _kids(n):
            if c.type == "case_arm":
                parts = [x for x in _kids(c) if x.type not in skip]
                arms.append((self.expr(parts[0]), self.expr(parts[1])))
            elif c.type == "other_arm":
                parts = [x for x in _kids(c) if x.type not in skip]
                other = self.expr(parts[0])
        return self.node("case", (tuple(arms), other), n)

    def x_let_in(self, n):
        defs = []
        for c in _named(n, "definitions"):
            if c.type == "operator_definition":
                defs.append(self.op_definition(c, False))
            elif c.type == "function_definition":
                defs.append(self.fn_definition(c, False))
            elif c.type == "module_definition":
                defs.append(self.module_definition(c, False))
        return self.node("let", (tuple(defs), self.expr(_one(n, "expression"))), n)

    def x_finite_set_literal(self, n):
        return self.node("set", (tuple(self.expr(c) for c in self.fields(n)),), n)

    def x_tuple_literal(self, n):
        items = [c for c in self.fields(n) if c.type not in ("langle_bracket", "rangle_bracket")]
        return self.node("tuple", (tuple(self.expr(c) for c in items),), n)

    def x_set_filter(self, n):
        (pattern, s), = self.bound(_one(n, "generator"))
        return self.node("filter", ((pattern, s), self.expr(_one(n, "filter"))), n)

    def x_set_map(self, n):
        gens = _named(n, "generator")
        return self.node("setmap", (self.expr(_one(n, "map")), self.bounds(gens)), n)

    def x_bounded_quantification(self, n):
        q = self.text(_one(n, "quantifier"))
        kind = "forall" if q in ("\\A", "\\forall", "\u2200") else "exists"
        gens = _named(n, "bound")
        return self.node(kind, (self.bounds(gens), self.expr(_one(n, "expression"))), n)

    def x_unbounded_quantification(self, n):
        q = self.text(_one(n, "quantifier"))
        kind = "forall" if q in ("\\A", "\\forall", "\u2200") else "exists"
        names = [self.text(c) for c in _named(n, "intro")]
        return self.node(kind, (tuple((x, None) for x in names),
                                self.expr(_one(n, "expression"))), n)

    def x_temporal_forall(self, n):
        names = tuple(self.text(c) for c in _kids(n) if c.type == "identifier")
        return self.node("tforall", (names, self.expr(_kids(n)[-1])), n)

    def x_temporal_exists(self, n):
        names = tuple(self.text(c) for c in _kids(n) if c.type == "identifier")
        return self.node("texists", (names, self.expr(_kids(n)[-1])), n)

    def x_choose(self, n):
        intro = _one(n, "intro")
        s = _one(n, "set")
        return self.node("choose", (self.pattern(intro), self.expr(s) if s is not None else None,
                                    self.expr(_one(n, "expression"))), n)

    def x_function_literal(self, n):
        gens = [c for c in _kids(n) if c.type == "quantifier_bound"]
        body = [c for c in self.fields(n) if c.type not in ("quantifier_bound", "all_map_to")][-1]
        return self.node("fn", (self.bounds(gens), self.expr(body)), n)

    def x_function_evaluation(self, n):
        parts = self.fields(n)
        return self.node("fnapp", (self.expr(parts[0]), tuple(self.expr(c) for c in parts[1:])), n)

    def x_set_of_functions(self, n):
        parts = [c for c in self.fields(n) if c.type != "maps_to"]
        return self.node("fnset", (self.expr(parts[0]), self.expr(parts[1])), n)

    def _pairs(self, n, skip):
        parts = [c for c in self.fields(n) if c.type not in skip]
        return tuple((self.text(parts[i]), self.expr(parts[i + 1])) for i in range(0, len(parts), 2))

    def x_set_of_records(self, n):
        return self.node("recset", (self._pairs(n, ("colon",)),), n)

    def x_record_literal(self, n):
        return self.node("record", (self._pairs(n, ("all_map_to",)),), n)

    def x_record_value(self, n):
        parts = self.fields(n)
        return self.node("field", (self.expr(parts[0]), self.text(parts[1])), n)

    def x_except(self, n):
        f = self.expr(_one(n, "expr_to_update"))
        updates = []
        for c in _kids(n):
            if c.type != "except_update":
                continue
            spec = _named(c, "update_specifier")[0]
            path = []
            for s in _kids(spec):
                if s.type == "except_update_fn_appl":
                    path.append(("idx", tuple(self.expr(x) for x in self.fields(s))))
                elif s.type == "except_update_record_field":
                    path.append(("fld", self.text(_kids(s)[0])))
            updates.append((tuple(path), self.expr(_named(c, "new_val")[0])))
        return self.node("except", (f, tuple(updates)), n)

    def x_lambda(self, n):
        names = [self.text(c) for c in _kids(n) if c.type == "identifier"]
        body = self.fields(n)[-1]
        return self.node("lambda", (tuple((x, 0) for x in names), self.expr(body)), n)

    def x_step_expr_or_stutter(self, n):
        parts = self.fields(n)
        return self.node("stutter", (self.expr(parts[0]), self.expr(parts[1])), n)

    def x_step_expr_no_stutter(self, n):
        parts = [c for c in self.fields(n) if c.type not in ("langle_bracket", "rangle_bracket_sub")]
        return self.node("nostutter", (self.expr(parts[0]), self.expr(parts[1])), n)

    def x_fairness(self, n):
        kind = self.text(n)[:2]
        parts = self.fields(n)
        return self.node("fair", (kind, self.expr(parts[0]), self.expr(parts[1])), n)

    def x_label(self, n):
        return self.expr(_one(n, "expression"))

    def x_subexpression(self, n):
        """``Def!2!1``, ``I!Def!:``, ``Def!<<``, ``Def!>>``, ``Def!(e)``: a subexpression of a
        definition, by position (``("args", (e, ...))``: a body with its bound identifiers
        given values)."""
        path: list = []
        navs: list = []
        parts = []
        for c in _kids(n):
            if c.type == "subexpr_prefix":
                parts.extend(_kids(c))
            else:
                parts.append(c)
        for c in parts:
            if c.type == "subexpr_component":
                if navs:
                    raise self.error(n, "unsupported subexpression selector", _SELECTOR_HINT)
                inner = _kids(c)[0]
                if inner.type == "bound_op":
                    e = self.x_bound_op(inner)
                    path.append((e.args[0], e.args[1]))
                else:
                    path.append((normalise_symbol(self.text(inner)), ()))
            elif c.type == "subexpr_tree_nav":
                inner = _kids(c)[0] if _kids(c) else c
                if inner.type == "child_id":
                    navs.append(int(self.text(inner)))
                elif inner.type == "colon":
                    navs.append(":")
                elif inner.type in ("langle_bracket", "rangle_bracket"):
                    navs.append("<<" if inner.type == "langle_bracket" else ">>")
                elif inner.type == "operator_args":
                    navs.append(("args", tuple(self.expr(a) for a in self.fields(inner))))
                else:
                    raise self.error(n, f"unsupported subexpression selector "
                                        f"'{self.text(inner)[:40]}'", _SELECTOR_HINT)
            else:
                raise self.error(n, "unsupported subexpression selector", _SELECTOR_HINT)
        return self.node("subexpr", (tuple(path), tuple(navs)), n)

    def x_prefixed_op(self, n):
        path = []
        for comp in _kids(_one(n, "prefix")):
            inner = _kids(comp)[0]
            if inner.type == "bound_op":
                e = self.x_bound_op(inner)
                path.append((e.args[0], e.args[1]))
            else:
                path.append((self.text(inner), ()))
        op = self.expr(_one(n, "op"))
        if op.kind == "name":
            name, args = op.args[0], ()
        elif op.kind == "app":
            name, args = op.args
        elif op.kind == "infix":
            name, args = op.args[0], op.args[1:]
        elif op.kind == "prefix":
            name, args = op.args[0], op.args[1:]
        else:
            raise self.error(n, "unsupported use of '!'",
                             "refute reads I!Op, I!Op(args) and I!+(a, b) for an instance I; "
                             "define the operator under a name in the instance's module")
        return self.node("inst", (tuple(path), name, tuple(args)), n)


_MAX_DIGITS = 1000  # in one number literal; Python's int() refuses more than 4300 decimal ones

_SELECTOR_HINT = ("refute reads selectors by name and position (Def!2!1, I!Def!:, Def!<<, "
                  "Def!>>, Def!(e) for a quantifier's body): write the subexpression as a "
                  "definition of its own")


_WORD = re.compile(r"[A-Za-z0-9_]+")


def _string_value(raw: str) -> str:
    """The value of a string literal written ``raw`` between its quotes (escapes resolved)."""
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "f": "\f"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _kids(n: tree_sitter.Node) -> list:
    """``n``'s named children but comments: the grammar lets a comment sit between any two
    tokens (EWD998Chan: in an INSTANCE's WITH, before a substitution's expression)."""
    return [c for c in n.named_children if c.type not in ("comment", "block_comment")]


def _named(n: tree_sitter.Node, name: str) -> list:
    """The named children in field ``name`` (the grammar's fields also hold punctuation)."""
    return [c for c in n.children_by_field_name(name)
            if c.is_named and c.type not in ("comment", "block_comment")]


def _one(n: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
    found = _named(n, name)
    if found:
        return found[0]
    return n.child_by_field_name(name)


def parse_source(source: bytes, file: str | None = None) -> Module:
    """Parse one .tla file's text into its (first) module; syntax errors are located."""
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[:exc.start].count(b"\n") + 1
        column = exc.start - source.rfind(b"\n", 0, exc.start)
        raise InputError("the module is not UTF-8 text", file=file, line=line, column=column,
                         hint="save the .tla file as UTF-8 (TLA+ is ASCII, plus Unicode "
                              "symbols)") from None
    root = _parse_tree(source, file).root_node
    modules = [c for c in _kids(root) if c.type == "module"]
    conv = _Converter(source, file)
    if not modules:
        raise _unparsed(source.decode("utf-8"), file)
    deep = _too_deep(root)
    if deep is not None:
        what, hint = _what_nests(deep)
        raise InputError(f"the expression here is {what}: more than {MAX_DEPTH} levels of "
                         "syntax, refute's limit", file=file, line=deep.start_point[0] + 1,
                         column=deep.start_point[1] + 1, hint=hint)
    if root.has_error:
        bad = _first_error(modules[0]) or _first_error(root)
        if bad is not None:
            what = f"missing {bad.type}" if bad.is_missing else "syntax error"
            snippet = conv.text(bad).strip().splitlines()[0][:40] if conv.text(bad).strip() else ""
            raise InputError(what + (f" at '{snippet}'" if snippet else ""), file=file,
                             line=bad.start_point[0] + 1, column=bad.start_point[1] + 1,
                             hint="fix the TLA+ syntax here (refute parses what SANY accepts)")
    main = conv.module(modules[0])
    for other in modules[1:]:  # braf: MODULE Common written after the main module's end, which
        sub = conv.module(other)  # SANY reads too; the file's modules are found as inner ones
        main.submodules.setdefault(sub.name, sub)
    return main


_HEADER = re.compile(r"^[ \t]*-{4,}[ \t]*MODULE[ \t]+(\w+)", re.M)
_END = re.compile(r"^[ \t]*={4,}", re.M)


def _unparsed(text: str, file: str | None) -> InputError:
    """Why a file gives no module: no header, no ``====`` end line after it (located at the
    end of the file, where TLC's parser expects it), or some other error in between."""
    header = _HEADER.search(text)
    if header is None:
        return InputError("no TLA+ module found", file=file, line=1, column=1,
                          hint="a module starts with a line like ---- MODULE Name ----")
    name, line = header.group(1), text.count("\n", 0, header.start()) + 1
    if _END.search(text, header.end()) is None:
        lines = text.split("\n")
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        return InputError(f"module {name} (line {line}) has no end line: '====' is missing at the "
                          "end of the file", file=file, line=len(lines), column=len(lines[-1]) + 1,
                          hint="end the module with a line of four or more '=' signs: ====")
    return InputError(f"syntax error: module {name} could not be parsed as a whole", file=file,
                      line=line, column=text.index("MODULE", header.start()) - header.start() + 1,
                      hint="look for an unfinished expression or definition, or a '====' line "
                           "inside the module")


MAX_DEPTH = 250
"""The most levels of syntax tree a module may nest (the deepest of the tlaplus/Examples
modules has 44). Conversion and compilation recurse over the tree, so without a bound a
deeply nested expression would exhaust Python's stack instead of getting a located error."""

_PARSE_SECONDS = 5.0
_PARSE_SECONDS_PER_MB = 20.0
_CHUNK = 1024


def _parse_tree(source: bytes, file: str | None) -> tree_sitter.Tree:
    """tree-sitter's tree for ``source``, within a time budget.

    Every real module parses in milliseconds, but the grammar's parse time grows faster than
    linearly with the depth of some constructs (thousands of nested ``IF`` or brackets, or a
    flat chain of tens of thousands of ``+``, take minutes). The source is handed over in
    chunks, and past the budget the parser is told the text ends, which makes it stop at once;
    the error points where it had got to.
    """
    parser = tree_sitter.Parser(_LANGUAGE)
    budget = _PARSE_SECONDS + len(source) / 1e6 * _PARSE_SECONDS_PER_MB
    deadline = time.perf_counter() + budget
    cut: list[bool] = []
    farthest = 0

    def read(offset: int, point: Any) -> bytes:
        nonlocal farthest
        if cut or time.perf_counter() > deadline:
            cut.append(True)
            return b""
        farthest = max(farthest, offset)
        return source[offset:offset + _CHUNK]

    tree = parser.parse(read)
    if cut:
        # The farthest offset read, not the point of the last request: tree-sitter may ask
        # again for text it has read before (after error recovery), which would place the
        # error at the start of a line it had long gone past.
        row = source.count(b"\n", 0, farthest)
        column = farthest - (source.rfind(b"\n", 0, farthest) + 1)
        what, hint = _what_nests(_deepest(tree.root_node))
        raise InputError(f"parsing the module took longer than {budget:.0f} s and was "
                         f"stopped here, in {what}; the parser slows down more than "
                         "linearly on such expressions", file=file, line=row + 1,
                         column=column + 1, hint=hint)
    return tree


_SPLIT = "split the expression into named definitions"


def _what_nests(node: tree_sitter.Node) -> tuple[str, str]:
    """What makes the syntax above ``node`` deep, in the writer's terms, and how to avoid
    it: a long flat chain ``a + b + c + ...`` nests one operation in the next although
    nothing was written nested, so saying "nesting" alone would not be true of it."""
    kinds: Counter[str] = Counter()
    while node is not None:
        kinds[node.type] += 1
        node = node.parent
    kind, count = kinds.most_common(1)[0]
    if kind == "bound_infix_op":
        return (f"a chain of at least {count:,} infix operations (a + b + c + ... holds each "
                "operation inside the next)",
                "split the chain into named definitions of at most 200 terms each (S1 == a1 + "
                "... + a200, then S1 + S2 + ...), or write it as a fold over a sequence")
    return f"{count:,} nested {_NESTED.get(kind, kind.replace('_', ' ') + ' expressions')}", _SPLIT


_NESTED = {"parentheses": "parenthesised expressions", "tuple_literal": "tuples << >>",
           "if_then_else": "IF/THEN/ELSE expressions",
           "function_literal": "function literals [x \\in S |-> ...]"}


def _deepest(root: tree_sitter.Node) -> tree_sitter.Node:
    """The deepest node of the tree (iteratively: the tree may be far deeper than Python's
    stack)."""
    stack, best, best_depth = [(root, 1)], root, 0
    while stack:
        node, depth = stack.pop()
        if depth > best_depth:
            best, best_depth = node, depth
        stack.extend((child, depth + 1) for child in node.children)
    return best


def _too_deep(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first node nested deeper than :data:`MAX_DEPTH`, if any (iteratively: the tree may
    be far deeper than Python's stack)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return None


def _first_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first ERROR or missing node in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def parse_file(path: str) -> Module:
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read the TLA+ module: {exc.strerror}", file=path,
                         hint="check the path of the .tla file") from None
    module = parse_source(source, path)
    stem = os.path.splitext(os.path.basename(path))[0]
    if module.name != stem:  # SANY finds a module by its file's name, and refuses the others
        raise InputError(f"File name '{stem}' does not match the name '{module.name}' of the "
                         "top level module it contains", file=path, line=module.line,
                         column=module.col, hint=f"rename the file {module.name}.tla, or write "
                         f"MODULE {stem} first in it (SANY reports this error too)")
    return module
