"""TLA+ temporal formulas (PROPERTY and the SPECIFICATION's fairness) for the liveness engine.

A PROPERTY is unfolded (definitions, conjunctions, ``\\A x \\in S`` over constant sets,
instances' definitions for refinement) into parts the engine checks:

============================= =====================================================
``[]P``                       an invariant
``<>P``, ``[]<>P``, ``<>[]P`` :class:`~refute.engine.model.TemporalProperty`
``P ~> Q``, ``[](P => <>Q)``  a leads-to property
``[][A]_v``                   an action property: every step satisfies ``A \\/ v' = v``
``P`` (a state predicate)     holds in every initial state (a refined spec's Init)
============================= =====================================================

The SPECIFICATION's fairness conjuncts (``WF_v(A)``, ``SF_v(A)``, under ``\\A c \\in S``)
become :class:`~refute.engine.model.Fairness` conditions, one per instance: a step belongs to
the condition when it satisfies ``A`` and changes ``v`` (TLA+'s ``<<A>>_v``).

Anything else (fairness conditions or ``\\E`` inside a PROPERTY, temporal implications) is
refused with a located message rather than skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refute.engine.model import Fairness, Predicate, Temporal, TemporalProperty
from refute.errors import InputError
from refute.tla.compile import Def, InstDef, Scope, Subst
from refute.tla.format import format_value
from refute.tla.parser import Node
from refute.tla.values import TLAError

_TEMPORAL_PREFIX = ("[]", "<>")


@dataclass
class Parts:
    """What a PROPERTY (or a spec's fairness) unfolds to."""

    invariants: list = field(default_factory=list)        # (name, node, scope, env)
    properties: list = field(default_factory=list)        # (name, kind, (p, scope, env), q, node)
    actions: list = field(default_factory=list)           # (name, action node, vars node, scope, env)
    initial: list = field(default_factory=list)           # (name, node, scope, env)
    fairness: list = field(default_factory=list)          # (name, strong, vars, action, scope, env)
    fair_properties: list = field(default_factory=list)   # (name, strong, vars, action, scope, env, node)


class Unsupported(Exception):
    def __init__(self, message: str, node: Node | None):
        super().__init__(message)
        self.message, self.node = message, node


def _is_conj(node: Node) -> bool:
    return node.kind == "conj" or (node.kind == "infix" and node.args[0] == "/\\")


def _items(node: Node) -> tuple:
    return node.args[0] if node.kind == "conj" else node.args[1:]


class Unfolder:
    """Walks a temporal formula, resolving definitions, into :class:`Parts`."""

    def __init__(self, compiler: Any):
        self.compiler = compiler

    # -------------------------------------------------------------- resolution
    def resolve(self, node: Node, scope: Scope, env: tuple) -> tuple[Node, Scope, tuple] | None:
        """A call of a user definition, replaced by its body (in the definition's scope)."""
        c = self.compiler
        k = node.kind
        if k == "paren":
            return node.args[0], scope, env
        if k in ("name", "app"):
            name = node.args[0]
            args = node.args[1] if k == "app" else ()
            if c.bound_index(scope, name) is not None:
                return None
            if name in scope.lets:
                entry = scope.lets[name]
                if isinstance(entry, tuple) and entry[0] == "let" and not entry[1].opdef.params \
                        and not args:
                    _, d, depth = entry
                    inner = Scope(scope.ctx, scope.bound[:depth], scope.lets, scope.init)
                    return d.opdef.body, inner, env[:depth]
                return None
            entry = scope.ctx.names.get(name)
        elif k == "inst":
            path, name, args = node.args
            if path and path[0][1]:
                return None
            try:
                entry = c.resolve_inst(node, scope)
            except TLAError:
                return None
        else:
            return None
        if isinstance(entry, Subst) and entry.node is not None and not args:
            return entry.node, entry.scope, env[:len(entry.scope.bound)]
        if not isinstance(entry, Def) or entry.opdef.kind != "op":
            return None
        params = entry.opdef.params
        if len(args) != len(params) or any(ar for _, ar in params) or entry.ctx.params:
            return None
        try:
            values = tuple(c.expr(a, scope)(None, None, env) for a in args)
        except Exception:
            return None
        inner = Scope(entry.ctx, tuple(p for p, _ in params))
        return entry.opdef.body, inner, values

    def temporal(self, node: Node, scope: Scope, env: tuple, seen: frozenset = frozenset()) -> bool:
        """Whether ``node`` is a temporal formula (not a state or action expression)."""
        k = node.kind
        if k == "prefix" and node.args[0] in _TEMPORAL_PREFIX:
            return True
        if k in ("fair", "tforall", "texists") or (k == "infix" and node.args[0] in ("~>", "-+->")):
            return True
        if _is_conj(node) or k in ("disj",) or (k == "infix" and node.args[0] in ("\\/", "=>")):
            items = node.args[0] if k in ("conj", "disj") else node.args[1:]
            return any(self.temporal(x, scope, env, seen) for x in items)
        if k in ("forall", "exists"):
            return self.temporal(node.args[1], scope, env, seen)
        if k in ("name", "app", "inst", "paren"):
            key = (id(node), id(scope.ctx))
            if key in seen:
                return False
            try:
                found = self.resolve(node, scope, env)
            except TLAError:
                return False
            if found is None:
                return False
            body, inner, values = found
            return self.temporal(body, inner, values, seen | {key})
        return False

    # -------------------------------------------------------------- properties
    def property(self, name: str, node: Node, scope: Scope, env: tuple, parts: Parts,
                 top: bool = True) -> None:
        """Unfold a PROPERTY body; ``top``: not under ``[]`` (a state predicate is Init-like)."""
        k = node.kind
        if _is_conj(node):
            for item in _items(node):
                self.property(name, item, scope, env, parts, top)
            return
        if k in ("forall",) and self.temporal(node.args[1], scope.bind(*_names(node.args[0])),
                                              env + (None,) * len(_names(node.args[0]))):
            self._quantified(name, node, scope, env, parts, top)
            return
        if k == "fair":
            kind, vars_, action = node.args
            parts.fair_properties.append((name, kind == "SF", vars_, action, scope, env, node))
            return
        if k == "infix" and node.args[0] == "~>":
            self._leads_to(name, node.args[1], node.args[2], scope, env, parts, node)
            return
        if k == "prefix" and node.args[0] == "<>":
            body, bscope, benv = self._unwrap(node.args[1], scope, env)
            if body.kind == "prefix" and body.args[0] == "[]":
                self._state(body.args[1], bscope, benv, node)
                parts.properties.append((name, Temporal.EVENTUALLY_ALWAYS, (body.args[1], bscope, benv),
                                         None, node))
                return
            self._state(body, bscope, benv, node)
            parts.properties.append((name, Temporal.EVENTUALLY, (body, bscope, benv), None, node))
            return
        if k == "prefix" and node.args[0] == "[]":
            self._always(name, node.args[1], scope, env, parts, node)
            return
        if k in ("name", "app", "inst", "paren") and self.temporal(node, scope, env):
            body, inner, values = self.resolve(node, scope, env)
            self.property(name, body, inner, values, parts, top)
            return
        if self.temporal(node, scope, env):
            raise Unsupported("refute cannot check this temporal formula yet (supported: []P, <>P, "
                              "[]<>P, <>[]P, P ~> Q, [][A]_v, their conjunctions and \\A)", node)
        if top:
            parts.initial.append((name, node, scope, env))
            return
        raise Unsupported("internal: state predicate outside []", node)

    def _unwrap(self, node: Node, scope: Scope, env: tuple) -> tuple[Node, Scope, tuple]:
        """Follow definitions while they lead to a temporal formula."""
        while node.kind in ("name", "app", "inst", "paren") and self.temporal(node, scope, env):
            node, scope, env = self.resolve(node, scope, env)
        return node, scope, env

    def _always(self, name, body, scope, env, parts, node) -> None:
        body, scope, env = self._unwrap(body, scope, env)
        k = body.kind
        if k == "stutter":
            parts.actions.append((name, body.args[0], body.args[1], scope, env))
            return
        if not self.temporal(body, scope, env):
            parts.invariants.append((name, body, scope, env))
            return
        if _is_conj(body):
            for item in _items(body):
                self._always(name, item, scope, env, parts, node)
            return
        if k == "prefix" and body.args[0] == "<>":
            inner, iscope, ienv = self._unwrap(body.args[1], scope, env)
            self._state(inner, iscope, ienv, node)
            parts.properties.append((name, Temporal.ALWAYS_EVENTUALLY, (inner, iscope, ienv), None, node))
            return
        if k == "prefix" and body.args[0] == "[]":
            self._always(name, body.args[1], scope, env, parts, node)
            return
        if k == "infix" and body.args[0] == "=>":
            q, qscope, qenv = self._unwrap(body.args[2], scope, env)
            if q.kind == "prefix" and q.args[0] == "<>" and qscope is scope:
                self._leads_to(name, body.args[1], q.args[1], scope, env, parts, node)
                return
        if k == "infix" and body.args[0] == "~>":
            self._leads_to(name, body.args[1], body.args[2], scope, env, parts, node)
            return
        if k == "forall":
            self._quantified(name, body, scope, env, parts, False)
            return
        raise Unsupported("refute cannot check this formula under [] yet", body)

    def _leads_to(self, name, p, q, scope, env, parts, node) -> None:
        q, qscope, qenv = self._unwrap(q, scope, env)
        if q.kind == "prefix" and q.args[0] == "<>":  # P ~> <>Q is P ~> Q
            q = q.args[1]
        self._state(p, scope, env, node)
        self._state(q, qscope, qenv, node)
        parts.properties.append((name, Temporal.LEADS_TO, (p, scope, env), (q, qscope, qenv), node))

    def _quantified(self, name, node, scope, env, parts, top) -> None:
        bounds, body = node.args
        try:
            envs, inner = self.compiler.binder(bounds, scope, ordered=True)
            choices = list(envs(None, None, env))
        except TLAError as exc:
            raise Unsupported(f"the quantifier's set must be constant: {exc.message}", node) from None
        for e in choices:
            values = e[len(env):]
            label = f"{name}({', '.join(format_value(v) for v in values)})" if "(" not in name \
                else name[:-1] + ", " + ", ".join(format_value(v) for v in values) + ")"
            self.property(label, body, inner, e, parts, top)

    def _state(self, node, scope, env, where) -> None:
        if self.temporal(node, scope, env):
            raise Unsupported("a temporal formula where refute expects a state predicate", where)
        if _is_action(node):
            raise Unsupported("an action (<<A>>_v, primed variables) inside <> or ~> is not "
                              "supported yet: refute checks state predicates there", where)

    # -------------------------------------------------------------- fairness
    def fairness(self, node: Node, scope: Scope, env: tuple, parts: Parts, name: str = "") -> None:
        k = node.kind
        if _is_conj(node):
            for item in _items(node):
                self.fairness(item, scope, env, parts, name)
            return
        if k == "fair":
            kind, vars_, action = node.args
            label = f"{kind}({_text(action)})" if not name else f"{kind}{name}"
            parts.fairness.append((label, kind == "SF", vars_, action, scope, env))
            return
        if k == "forall":
            bounds, body = node.args
            try:
                envs, inner = self.compiler.binder(bounds, scope, ordered=True)
                choices = list(envs(None, None, env))
            except TLAError as exc:
                raise Unsupported(f"the quantifier's set must be constant: {exc.message}", node) from None
            for e in choices:
                values = e[len(env):]
                self.fairness(body, inner, e, parts,
                              f"({', '.join(format_value(v) for v in values)})")
            return
        if k in ("name", "app", "inst", "paren"):
            found = self.resolve(node, scope, env)
            if found is not None:
                self.fairness(*found, parts, name)
                return
        raise Unsupported("refute checks specifications of the form Init /\\ [][Next]_v /\\ "
                          "fairness (WF/SF, \\A over constant sets); this conjunct is not one", node)


def _is_action(node: Any) -> bool:
    if isinstance(node, Node):
        if node.kind in ("nostutter", "stutter") or (node.kind == "postfix" and node.args[0] == "'"):
            return True
        if node.kind == "prefix" and node.args[0] in ("UNCHANGED", "ENABLED"):
            return node.args[0] == "UNCHANGED"
        return any(_is_action(a) for a in node.args)
    if isinstance(node, tuple):
        return any(_is_action(a) for a in node)
    return False


def _names(bounds) -> tuple:
    out: list = []
    for pattern, _ in bounds:
        out.extend(pattern if isinstance(pattern, tuple) else (pattern,))
    return tuple(out)


def _text(node: Node) -> str:
    if node.kind == "name":
        return node.args[0]
    if node.kind == "app":
        return node.args[0] + "(...)"
    if node.kind == "inst":
        return node.args[1]
    return f"line {node.line}"


def fairness_condition(compiler: Any, label: str, strong: bool, vars_: Node, action: Node,
                       scope: Scope, env: tuple, where: str | None,
                       on_error: Callable[[TLAError, str, Any], Exception]) -> Fairness:
    """One fairness condition: a step belongs to it when it is an ``<<A>>_v`` step."""
    fa = compiler.expr(action, scope)
    fv = compiler.expr(vars_, scope)
    shortcut = _label_shortcut(compiler, action, scope, env)

    def instance(step_label, before, after):
        try:
            if fv(after, None, env) == fv(before, None, env):
                return None
            if shortcut is not None and step_label.action == shortcut[0] \
                    and tuple(v for _, v in step_label.args) == shortcut[1]:
                return True
            return True if fa(before, after, env) is True else None
        except TLAError as exc:
            raise on_error(exc, f"evaluating fairness condition {label}", before) from None
    return Fairness(label, strong, instance, where)


def _label_shortcut(compiler: Any, action: Node, scope: Scope, env: tuple):
    """(name, args) when ``action`` is a call ``Op(args)`` of a definition: a step TLC labels
    ``Op(args)`` is an ``Op(args)`` step without evaluating it."""
    if action.kind not in ("name", "app"):
        return None
    name = action.args[0]
    args = action.args[1] if action.kind == "app" else ()
    if compiler.bound_index(scope, name) is not None or name in scope.lets:
        return None
    if not isinstance(scope.ctx.names.get(name), Def):
        return None
    try:
        return name, tuple(compiler.expr(a, scope)(None, None, env) for a in args)
    except Exception:  # arguments that depend on the state: no shortcut
        return None


def located(exc: Unsupported, what: str, cfg_file: str | None) -> InputError:
    node = exc.node
    return InputError(f"{what}: {exc.message}", file=getattr(node, "file", None) or cfg_file,
                      line=getattr(node, "line", None), column=getattr(node, "col", None),
                      hint="remove it from the .cfg to check the rest of the model")


_ = (InstDef, Predicate, TemporalProperty)
