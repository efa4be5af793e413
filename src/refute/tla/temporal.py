"""TLA+ temporal formulas (PROPERTY and the SPECIFICATION's fairness) for the liveness engine.

A PROPERTY is unfolded (definitions, conjunctions, ``\\A x \\in S`` over constant sets,
instances' definitions for refinement) into parts, each checked on its own (a conjunction
holds when each conjunct does). The common shapes have fast checks:

============================= =====================================================
``[]P``                       an invariant
``<>P``, ``[]<>P``, ``<>[]P`` :class:`~refute.engine.model.TemporalProperty`
``P ~> Q``, ``[](P => <>Q)``  a leads-to property
``[][A]_v``                   an action property: every step satisfies ``A \\/ v' = v``
``WF_v(A)``, ``SF_v(A)``      a fairness property (a refined spec's fairness)
``P`` (a state predicate)     holds in every initial state (a refined spec's Init)
============================= =====================================================

(``P``, ``Q`` state predicates.) Any other part is translated into a formula of
:mod:`refute.engine.ltl` and checked through its tableau, TLC's general method
(:meth:`Unfolder.formula`): ``~``, ``/\\``, ``\\/``, ``=>``, ``<=>``, ``[]``, ``<>``, ``~>``,
``WF``/``SF``, ``IF``/``CASE`` and ``LET`` around temporal formulas, ``\\A``/``\\E`` over
constant sets (a conjunction/disjunction of instances), and definitions (with constant
arguments) that stand for temporal formulas. Its leaves are atoms: a state predicate
(evaluated on a state), or an action (anything that reads the next state: ``<<A>>_v``,
``[A]_v``, primes; evaluated on a step). ``WF_v(A)`` inside a formula is
``[]<>~ENABLED <<A>>_v \\/ []<><<A>>_v`` with ``ENABLED`` read off the state graph (a state
has a successor by an ``<<A>>_v`` step), as for the fast fairness property.

The SPECIFICATION's fairness conjuncts (``WF_v(A)``, ``SF_v(A)``, under ``\\A c \\in S``)
become :class:`~refute.engine.model.Fairness` conditions, one per instance: a step belongs to
the condition when it satisfies ``A`` and changes ``v`` (TLA+'s ``<<A>>_v``).

What is refused, with a located message rather than skipped: temporal quantifiers (``\\AA``,
``\\EE``; TLC refuses them too), ``-+->``, quantifiers over sets that depend on the state
around a temporal formula, and a definition standing for a temporal formula called with
arguments that depend on the state.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any

from refute.engine import ltl
from refute.engine.model import Fairness, Temporal
from refute.errors import InputError
from refute.tla.parser import Node
from refute.tla.scope import Def, Scope, Subst
from refute.tla.values import TLAError, format_value

_TEMPORAL_PREFIX = ("[]", "<>")
_MAX_UNFOLDING = 200
"""Nested definitions followed while translating one formula (a temporal definition cannot be
recursive; this only turns a runaway unfolding into a located error)."""


@dataclass
class Parts:
    """What a PROPERTY (or a spec's fairness) unfolds to."""

    invariants: list = field(default_factory=list)        # (name, node, scope, env)
    properties: list = field(default_factory=list)        # (name, kind, (p, scope, env), q, node)
    actions: list = field(default_factory=list)           # (name, action, vars, scope, env, [A]_v node)
    initial: list = field(default_factory=list)           # (name, node, scope, env)
    fairness: list = field(default_factory=list)          # (name, strong, vars, action, scope, env)
    settling: list = field(default_factory=list)          # (name, [A]_v node, scope, env): <>[][A]_v
    fair_properties: list = field(default_factory=list)   # (name, strong, vars, action, scope, env, node)
    formulas: list = field(default_factory=list)          # (name, ltl formula, node)


class Unsupported(Exception):
    def __init__(self, message: str, node: Node | None):
        super().__init__(message)
        self.message, self.node = message, node


def _is_conj(node: Node) -> bool:
    return node.kind == "conj" or (node.kind == "infix" and node.args[0] == "/\\")


def _is_disj(node: Node) -> bool:
    return node.kind == "disj" or (node.kind == "infix" and node.args[0] == "\\/")


def _items(node: Node) -> tuple:
    return node.args[0] if node.kind in ("conj", "disj") else node.args[1:]


OnError = Callable[[TLAError, str, Any], Exception]


def _raise(exc: TLAError, doing: str, state: Any) -> Exception:
    return exc


class Unfolder:
    """Walks a temporal formula, resolving definitions, into :class:`Parts`.

    ``on_error(exc, doing, state)`` makes the exception raised when evaluating an atom of a
    general formula fails (the model adds the state to the message).
    """

    def __init__(self, compiler: Any, on_error: OnError = _raise):
        self.compiler = compiler
        self.on_error = on_error
        self._next_memo: dict[int, bool] = {}
        self._subscripts: dict[Any, _Recent] = {}
        self.labels: dict[str, Def] = {}
        """Label name -> the definition every step of the model with that label comes from
        (set by the model; a name that several definitions give is left out)."""
        self.origins: dict[Callable, tuple] = {}
        """A test this unfolder made -> what it evaluates, for the compiled backend to lower
        (:mod:`refute.compiled.live`): ``("state", node, scope, env)`` for a state
        predicate's ``test(state)``, ``("step", node, scope, env)`` for the ``test(label,
        before, after)`` of ``[A]_v`` or ``<<A>>_v`` (``node``), ``("moves", v, scope, env)``
        for a step's "``v`` changes". Tests not listed are evaluated here only."""

    # -------------------------------------------------------------- resolution
    def resolve(self, node: Node, scope: Scope, env: tuple) -> tuple[Node, Scope, tuple] | None:
        """A call of a user definition, replaced by its body (in the definition's scope).

        Arguments are evaluated once, as constants: a definition is unfolded only when they do
        not depend on the state (otherwise ``None``).
        """
        c = self.compiler
        k = node.kind
        if k == "paren":
            return node.args[0], scope, env
        if k in ("name", "app"):
            name = node.args[0]
            args = node.args[1] if k == "app" else ()
            if scope.bound_index(name) is not None:
                return None
            if name in scope.lets:
                entry = scope.lets[name]
                if isinstance(entry, Subst) and entry.node is not None and not args:
                    return entry.node, entry.scope, env[:len(entry.scope.bound)]
                if not (isinstance(entry, tuple) and entry[0] == "let"):
                    return None
                _, d, depth = entry
                params = d.opdef.params
                if len(args) != len(params) or any(ar for _, ar in params):
                    return None
                values = self._constants(args, scope, env)
                if values is None:
                    hidden = _hidden(depth, len(scope.bound))
                    return d.opdef.body, Scope(scope.ctx, scope.bound[:depth] + hidden,
                                               {**scope.lets, **self._by_name(params, args, scope)}), env
                inner = Scope(scope.ctx, scope.bound[:depth] + tuple(p for p, _ in params),
                              scope.lets, scope.init)
                return d.opdef.body, inner, env[:depth] + values
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
        values = self._constants(args, scope, env)
        if values is None:
            return entry.opdef.body, Scope(entry.ctx, _hidden(0, len(scope.bound)),
                                           self._by_name(params, args, scope)), env
        inner = Scope(entry.ctx, tuple(p for p, _ in params))
        return entry.opdef.body, inner, values

    def _by_name(self, params: tuple, args: tuple, scope: Scope) -> dict:
        """Parameters bound to argument expressions that depend on the state (``Ev(x = 3)``
        with ``Ev(p) == <>p``; ``MyFair(Next)`` with ``MyFair(A) == WF_x(A)``), as TLA+ (and
        TLC) substitute them: each stands for its argument, read in the caller's scope, whose
        bound values the body's environment keeps in front under hidden names."""
        return {p: Subst(_late(self.compiler, a, scope), 0, a, scope) for (p, _), a in zip(params, args)}

    def _constants(self, args: tuple, scope: Scope, env: tuple) -> tuple | None:
        try:
            return tuple(self.compiler.expr(a, scope)(None, None, env) for a in args)
        except Exception:  # an argument that depends on the state
            return None

    def let_scope(self, defs: tuple, scope: Scope) -> Scope:
        """The scope inside ``LET defs IN``, tolerating definitions of temporal formulas.

        The compiler compiles every LET definition as an expression, which a temporal one is
        not; such a definition is kept uncompiled here (it is unfolded where it is used, and
        its compilation error is raised if it is ever evaluated as an expression).
        """
        return self.compiler.let_scope(defs, scope, tolerant=True)

    def temporal(self, node: Node, scope: Scope, env: tuple, seen: frozenset = frozenset()) -> bool:
        """Whether ``node`` is a temporal formula (not a state or action expression)."""
        k = node.kind
        if k == "prefix" and node.args[0] in _TEMPORAL_PREFIX:
            return True
        if k in ("fair", "tforall", "texists") or (k == "infix" and node.args[0] in ("~>", "-+->")):
            return True
        if _is_conj(node) or _is_disj(node) or (k == "infix" and node.args[0] in ("=>", "<=>")):
            return any(self.temporal(x, scope, env, seen) for x in _items(node))
        if k == "prefix" and node.args[0] == "~":
            return self.temporal(node.args[1], scope, env, seen)
        if k in ("forall", "exists"):
            return self.temporal(node.args[1], scope.bind(*_names(node.args[0])),
                                 env + (None,) * len(_names(node.args[0])), seen)
        if k == "if":
            return any(self.temporal(x, scope, env, seen) for x in node.args)
        if k == "case":
            arms, other = node.args
            return any(self.temporal(x, scope, env, seen) for arm in arms for x in arm) or \
                (other is not None and self.temporal(other, scope, env, seen))
        if k == "let":
            defs, body = node.args
            return self.temporal(body, self.let_scope(defs, scope), env, seen)
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

    def uses_next(self, node: Any, scope: Scope) -> bool:
        """Whether an expression reads the next state (primes, ``UNCHANGED``, ``[A]_v``,
        ``<<A>>_v``), following definitions; ``ENABLED A`` does not, it is a state predicate.

        When unsure it says yes: an action atom is evaluated on steps, which is right for a
        state predicate too (only slower), while the converse would fail at run time.
        """
        if isinstance(node, tuple):
            return any(self.uses_next(x, scope) for x in node)
        if not isinstance(node, Node):
            return False
        k = node.kind
        if k in ("stutter", "nostutter") or (k == "postfix" and node.args[0] == "'"):
            return True
        if k == "prefix" and node.args[0] in ("UNCHANGED", "ENABLED"):
            return node.args[0] == "UNCHANGED"
        entry: Any = None
        if k in ("name", "app"):
            name = node.args[0]
            if self.uses_next(node.args[1] if k == "app" else (), scope):
                return True
            if scope.bound_index(name) is not None:
                return False
            entry = scope.lets.get(name, scope.ctx.names.get(name))
        elif k == "inst":
            path, _, args = node.args
            if self.uses_next((args,) + tuple(a for _, a in path), scope):
                return True
            try:
                entry = self.compiler.resolve_inst(node, scope)
            except TLAError:
                return True
        elif k == "infix" and isinstance(scope.ctx.names.get(node.args[0]), Def):
            entry = scope.ctx.names[node.args[0]]
            if self.uses_next(node.args[1:], scope):
                return True
        elif k == "let":  # its body sees its definitions (`LET G == INSTANCE Graphs IN G!Op`)
            defs, body = node.args
            inner = self.compiler.let_scope(defs, scope, tolerant=True)
            return any(self.uses_next(d.body, inner.bind(*(p for p, _ in d.params)))
                       for d in defs if d.kind != "instance") or self.uses_next(body, inner)
        else:
            return self.uses_next(node.args, scope)
        lets: dict = {}
        outer: tuple | None = None
        if isinstance(entry, tuple) and entry[0] == "let":  # its body sees the LET's names
            _, entry, depth = entry
            lets, outer = scope.lets, scope.bound[:depth]
        if isinstance(entry, Subst):
            return entry.node is None or self.uses_next(entry.node, entry.scope)
        if not isinstance(entry, Def):
            return False
        key = id(entry.opdef)
        if key not in self._next_memo:
            self._next_memo[key] = False  # a recursive definition: its other parts decide
            inner = Scope(entry.ctx, (entry.ctx.params if outer is None else outer)
                          + tuple(p for p, _ in entry.opdef.params), lets)
            self._next_memo[key] = self.uses_next(entry.opdef.body, inner)
        return self._next_memo[key]

    def is_state(self, node: Node, scope: Scope, env: tuple) -> bool:
        """A state predicate: neither temporal nor reading the next state."""
        return not self.temporal(node, scope, env) and not self.uses_next(node, scope)

    def instances(self, node: Node, scope: Scope, env: tuple) -> tuple[Scope, list[tuple]]:
        """The environments of ``\\A``/``\\E`` bounds over constant sets, in TLC's order."""
        bounds = node.args[0]
        try:
            envs, inner = self.compiler.binder(bounds, scope, ordered=True)
            return inner, list(envs(None, None, env))
        except TLAError as exc:
            raise Unsupported("around a temporal formula, a quantifier's set must be constant: "
                              f"{exc.message}", node) from None

    # -------------------------------------------------------------- properties
    def property(self, name: str, node: Node, scope: Scope, env: tuple, parts: Parts) -> None:
        """Unfold a PROPERTY body (at the start of a behaviour: a state predicate is checked
        on the initial states), using a fast shape where one fits."""
        k = node.kind
        if _is_conj(node):
            for item in _items(node):
                self.property(name, item, scope, env, parts)
            return
        if k == "forall" and self.temporal(node, scope, env):
            self._each(name, node, scope, env,
                       lambda label, body, inner, e: self.property(label, body, inner, e, parts))
            return
        if k == "fair":
            kind, vars_, action = node.args
            parts.fair_properties.append((name, kind == "SF", vars_, action, scope, env, node))
            return
        if k == "infix" and node.args[0] == "~>" and self._leads_to(
                name, node.args[1], scope, env, node.args[2], scope, env, parts, node):
            return
        if k == "prefix" and node.args[0] == "<>":
            body, bscope, benv = self._unwrap(node.args[1], scope, env)
            if body.kind == "prefix" and body.args[0] == "[]" and \
                    self.is_state(body.args[1], bscope, benv):
                parts.properties.append((name, Temporal.EVENTUALLY_ALWAYS,
                                         (body.args[1], bscope, benv), None, node))
                return
            if self.is_state(body, bscope, benv):
                parts.properties.append((name, Temporal.EVENTUALLY, (body, bscope, benv), None,
                                         node))
                return
        if k == "prefix" and node.args[0] == "[]":
            self._always(name, node.args[1], scope, env, parts, node)
            return
        if k in ("name", "app", "inst", "paren") and not self.is_state(node, scope, env):
            found = self.resolve(node, scope, env)
            if found is not None:
                self.property(name, *found, parts)
                return
        if self.temporal(node, scope, env) or self.uses_next(node, scope):
            self._general(name, node, scope, env, parts, node)
            return
        parts.initial.append((name, node, scope, env))

    def _unwrap(self, node: Node, scope: Scope, env: tuple) -> tuple[Node, Scope, tuple]:
        """Follow definitions while they lead to a temporal formula."""
        while node.kind in ("name", "app", "inst", "paren") and self.temporal(node, scope, env):
            node, scope, env = self.resolve(node, scope, env)
        return node, scope, env

    def _always(self, name, body, scope, env, parts, node) -> None:
        """``[]body``: ``[]`` distributes over conjunctions and ``\\A``."""
        body, scope, env = self._unwrap(body, scope, env)
        k = body.kind
        action = self.boxed_action("[]", body, scope, env)
        if action is not None:
            body, scope, env = action
            parts.actions.append((name, body.args[0], body.args[1], scope, env, body))
            return
        if self.is_state(body, scope, env):
            parts.invariants.append((name, body, scope, env))
            return
        if _is_conj(body):
            for item in _items(body):
                self._always(name, item, scope, env, parts, node)
            return
        if k == "forall" and self.temporal(body, scope, env):
            self._each(name, body, scope, env,
                       lambda label, b, inner, e: self._always(label, b, inner, e, parts, node))
            return
        if k == "prefix" and body.args[0] == "<>":
            inner, iscope, ienv = self._unwrap(body.args[1], scope, env)
            if self.is_state(inner, iscope, ienv):
                parts.properties.append((name, Temporal.ALWAYS_EVENTUALLY, (inner, iscope, ienv),
                                         None, node))
                return
        if k == "prefix" and body.args[0] == "[]":
            self._always(name, body.args[1], scope, env, parts, node)
            return
        if k == "infix" and body.args[0] == "=>":
            q, qscope, qenv = self._unwrap(body.args[2], scope, env)
            if q.kind == "prefix" and q.args[0] == "<>" and self._leads_to(
                    name, body.args[1], scope, env, q.args[1], qscope, qenv, parts, node):
                return
        if k == "infix" and body.args[0] == "~>" and self._leads_to(
                name, body.args[1], scope, env, body.args[2], scope, env, parts, node):
            return
        parts.formulas.append((name, self.prefixed("[]", body, scope, env, name), node))

    def _leads_to(self, name, p, pscope, penv, q, qscope, qenv, parts, node) -> bool:
        """``P ~> Q`` as the fast leads-to, when both are state predicates."""
        q, qscope, qenv = self._unwrap(q, qscope, qenv)
        if q.kind == "prefix" and q.args[0] == "<>":  # P ~> <>Q is P ~> Q
            q, qscope, qenv = self._unwrap(q.args[1], qscope, qenv)
        if not (self.is_state(p, pscope, penv) and self.is_state(q, qscope, qenv)):
            return False
        parts.properties.append((name, Temporal.LEADS_TO, (p, pscope, penv), (q, qscope, qenv),
                                 node))
        return True

    def _each(self, name, node, scope, env, visit) -> None:
        """``visit(label, body, scope, env)`` for each instance of ``\\A`` bounds."""
        inner, choices = self.instances(node, scope, env)
        for e in choices:
            values = e[len(env):]
            label = f"{name}({', '.join(format_value(v) for v in values)})" if "(" not in name \
                else name[:-1] + ", " + ", ".join(format_value(v) for v in values) + ")"
            visit(label, node.args[1], inner, e)

    def _general(self, name, node, scope, env, parts, where) -> None:
        parts.formulas.append((name, self.formula(node, scope, env, name), where))

    # -------------------------------------------------------------- any formula
    def formula(self, node: Node, scope: Scope, env: tuple, name: str,
                depth: int = 0) -> ltl.Formula:
        """``node`` as a formula of :mod:`refute.engine.ltl`, evaluated at the start of a
        behaviour (see the module docstring for what is translated)."""
        if depth > _MAX_UNFOLDING:
            raise Unsupported("temporal definitions nest too deeply (a recursive one?)", node)

        def sub(x: Node, s: Scope = scope, e: tuple = env) -> ltl.Formula:
            return self.formula(x, s, e, name, depth + 1)

        if not self.temporal(node, scope, env):
            return self.atom(node, scope, env, name)
        k = node.kind
        op = node.args[0] if k in ("infix", "prefix") else None
        if k == "paren":
            return sub(node.args[0])
        if _is_conj(node):
            return ltl.And(tuple(sub(x) for x in _items(node)))
        if _is_disj(node):
            return ltl.Or(tuple(sub(x) for x in _items(node)))
        if op == "=>":
            return ltl.implies(sub(node.args[1]), sub(node.args[2]))
        if op == "<=>":
            a, b = sub(node.args[1]), sub(node.args[2])
            return ltl.Or((ltl.And((a, b)), ltl.And((ltl.Not(a), ltl.Not(b)))))
        if op == "~>":
            return ltl.leads_to(sub(node.args[1]), sub(node.args[2]))
        if k == "prefix" and op == "~":
            return ltl.Not(sub(node.args[1]))
        if k == "prefix" and op in _TEMPORAL_PREFIX:
            return self.prefixed(op, node.args[1], scope, env, name, depth)
        if k == "fair":
            kind, vars_, action = node.args
            step = self.atom(Node("nostutter", (action, vars_), node.line, node.col, node.file),
                             scope, env, name, action=True)
            return ltl.strong_fairness(step) if kind == "SF" else ltl.weak_fairness(step)
        if k in ("forall", "exists"):
            inner, choices = self.instances(node, scope, env)
            items = tuple(sub(node.args[1], inner, e) for e in choices)
            return ltl.And(items) if k == "forall" else ltl.Or(items)
        if k == "if":
            c, then, else_ = (sub(x) for x in node.args)
            return ltl.Or((ltl.And((c, then)), ltl.And((ltl.Not(c), else_))))
        if k == "case":
            # TLC takes the first arm whose condition holds; none and no OTHER: FALSE here
            arms, other = node.args
            choices, before = [], []
            for condition, value in arms:
                c = sub(condition)
                choices.append(ltl.And(tuple(before) + (c, sub(value))))
                before.append(ltl.Not(c))
            if other is not None:
                choices.append(ltl.And(tuple(before) + (sub(other),)))
            return ltl.Or(tuple(choices))
        if k == "let":
            defs, body = node.args
            return sub(body, self.let_scope(defs, scope))
        if k in ("name", "app", "inst"):
            found = self.resolve(node, scope, env)
            if found is None:
                raise Unsupported("this definition stands for a temporal formula, and refute "
                                  "unfolds one only when its arguments are constants", node)
            return sub(*found)
        if k in ("tforall", "texists"):
            raise Unsupported("temporal quantification (\\AA, \\EE) is not supported "
                              "(TLC does not support it either)", node)
        raise Unsupported(f"refute cannot check this temporal formula ({op or k})", node)

    def prefixed(self, op: str, arg: Node, scope: Scope, env: tuple, name: str,
                 depth: int = 0) -> ltl.Formula:
        """``[]arg`` or ``<>arg``; ``[][A]_v`` and ``<><<A>>_v`` (also through definitions)
        with the action as one step atom."""
        action = self.boxed_action(op, arg, scope, env)
        if action is not None:
            inner: ltl.Formula = self.atom(*action, name, action=True)
        else:
            inner = self.formula(arg, scope, env, name, depth + 1)
        return ltl.Always(inner) if op == "[]" else ltl.Eventually(inner)

    def boxed_action(self, op: str, node: Node, scope: Scope, env: tuple
                     ) -> tuple[Node, Scope, tuple] | None:
        """``[A]_v`` under ``[]``, ``<<A>>_v`` under ``<>`` (following definitions), the only
        places besides WF/SF where TLA+ lets an action into a temporal formula."""
        form = "stutter" if op == "[]" else "nostutter"
        seen = 0
        while node.kind != form and node.kind in ("paren", "name", "app", "inst") \
                and seen < _MAX_UNFOLDING and not self.temporal(node, scope, env):
            found = self.resolve(node, scope, env)
            if found is None:
                return None
            node, scope, env = found
            seen += 1
        return (node, scope, env) if node.kind == form else None

    def atom(self, node: Node, scope: Scope, env: tuple, name: str,
             action: bool = False) -> ltl.Atom:
        """A leaf of a formula: a state predicate, or (``action``: as ``[A]_v`` under ``[]``,
        ``<<A>>_v`` under ``<>`` or in WF/SF) an action evaluated on a step.

        Actions elsewhere are refused, as SANY refuses them: TLA+'s rule is what makes every
        formula insensitive to stuttering steps, which the check relies on (a lasso is
        reported without its stuttering steps).
        """
        if not action and self.uses_next(node, scope):
            where, seen = node, 0
            while where.kind in ("paren", "name", "app", "inst") and seen < _MAX_UNFOLDING:
                found = self.resolve(where, scope, env)
                if found is None:
                    break
                where, scope, env = found
                seen += 1
            raise Unsupported("an action in a temporal formula: TLA+ allows one only as "
                              "[][A]_v, <><<A>>_v or inside WF_v/SF_v (write [][A]_v "
                              "for a property of every step)", where)
        on_error = self.on_error
        doing = f"evaluating property {name}"
        text = _text(node)
        if action:  # [A]_v or <<A>>_v
            step = self.step_test(node, scope, env, doing)
            self.origins[step] = ("step", node, scope, env)
            return ltl.step_atom(text, step)
        f = self.compiler.expr(node, scope)

        def state(s: Any) -> bool:
            try:
                v = f(s, None, env)
            except TLAError as exc:
                raise on_error(exc, doing, s) from None
            if v is True or v is False:
                return v
            raise on_error(TLAError(f"{text} is not a boolean: {format_value(v)}", node),
                           doing, s)
        self.origins[state] = ("state", node, scope, env)
        return ltl.state_atom(text, state)

    def step_test(self, node: Node, scope: Scope, env: tuple, doing: str) -> Callable:
        """The test of ``<<A>>_v`` or ``[A]_v`` (``node``) on a step, ``test(label, before,
        after) -> bool``, cheapest part first:

        * whether ``v`` changes (:meth:`subscript`: once per state for every test with the
          same subscript, as a refinement's ``vars`` can be costly); if not, the step is a
          ``[A]_v`` step and not an ``<<A>>_v`` one, and ``A`` is not evaluated;
        * for ``<<A>>_v``, first, ``A``'s guard (:meth:`guard`), once per state ``before``:
          where it is false, no step from the state is an ``A`` step (a fairness condition or
          an atom is tested on every edge, and is false on most; the guard of a refinement's
          ``[Next]_v`` would be true almost everywhere, and is not used);
        * a step labelled ``Op(args)`` when ``A`` is ``Op(args)`` and the model's steps of
          that label come from that very definition (:attr:`labels`) is an ``A`` step;
        * ``A`` itself, a boolean evaluated with both states known (every primed variable is
          given: no successor of ``A`` is enumerated), and remembered by the values of the
          variables it reads (:meth:`.ReadAnalysis.variables_read`) when it reads fewer than
          all: a refinement's abstract Next is evaluated once per step of the abstract
          states, however many steps of the implementation map to it.

        ``A`` is evaluated only on a step that changes ``v``, so an error it raises is not
        raised on a step that leaves ``v`` unchanged (TLC evaluates ``A`` first, and would).
        """
        action, vars_ = node.args
        fa = self.compiler.expr(action, scope)
        fv = self.subscript(vars_, scope, env)
        moving = node.kind == "nostutter"
        guard = self.guard(action, scope, env) if moving else None
        shortcut = self._label_shortcut(action, scope, env)
        on_error = self.on_error
        enabled: list = [None, True]  # a state, and whether A's guard holds in it
        read = self.compiler.reads.variables_read(action, scope)
        if read is not None and len(read) < len(self.compiler.variables):
            key = itemgetter(*sorted(read)) if read else _nothing
            known: dict | None = {}
        else:
            known = None

        def test(label: Any, before: Any, after: Any) -> bool:
            try:
                if guard is not None:
                    if before is not enabled[0]:
                        enabled[0], enabled[1] = before, guard(before)
                    if not enabled[1]:
                        return False
                if not fv.moves(before, after):
                    return not moving
                if shortcut is not None and label is not None and label.action == shortcut[0] \
                        and tuple(v for _, v in label.args) == shortcut[1]:
                    return True
                if known is None:
                    v = fa(before, after, env)
                else:
                    step = (key(before), key(after))
                    v = known.get(step)
                    if v is None:
                        v = fa(before, after, env)
                        if len(known) >= _KNOWN_STEPS:
                            known.clear()
                        known[step] = v
            except TLAError as exc:
                raise on_error(exc, doing, before) from None
            if v is True or v is False:
                return v
            raise on_error(TLAError(f"{_text(action)} is not a boolean: {format_value(v)}",
                                    action), doing, before)
        return test

    def guard(self, node: Node, scope: Scope, env: tuple) -> Callable[[Any], bool] | None:
        """A test of a state alone that is false where the action ``node`` holds on no step
        (see :meth:`_guard`), or ``None`` when there is none. It never raises: where it
        cannot be evaluated it is true, and ``A``'s own evaluation reports what it reports.
        Its verdicts are remembered by the values of the variables it reads, when it reads
        fewer than all (the enabling condition of a refined spec's action)."""
        found = self._guard(node, scope, 0)
        if found is None:
            return None
        g, read = found
        known: dict | None = None
        if read is not None and len(read) < len(self.compiler.variables):
            key = itemgetter(*sorted(read)) if read else _nothing
            known = {}

        def test(state: Any) -> bool:
            if known is not None:
                k = key(state)
                v = known.get(k)
                if v is not None:
                    return v
            try:
                v = bool(g(state, env))
            except Exception:  # A's own evaluation raises it, or does not reach it
                return True
            if known is not None:
                if len(known) >= _KNOWN_STEPS:
                    known.clear()
                known[k] = v
            return v
        return test

    def _guard(self, node: Node, scope: Scope, depth: int
               ) -> tuple[Callable[[Any, tuple], bool], frozenset | None] | None:
        """``(g, reads)``: ``g(state, E)`` is implied by the action ``node`` in the scope's
        bound values ``E``: for a conjunction, its conjuncts up to the first that reads the
        next state, and that one's guard; for a disjunction, some disjunct's guard; for
        ``\\E x \\in S : A``, some ``x``'s guard of ``A``; for a call of a definition (arguments
        not primed), the guard of its body with the arguments' values. A value that is not a
        boolean makes it true. ``reads``: the variables it reads
        (:meth:`.ReadAnalysis.variables_read`)."""
        if depth > _MAX_UNFOLDING:
            return None
        c = self.compiler
        k = node.kind
        if k == "paren":
            return self._guard(node.args[0], scope, depth + 1)
        if _is_disj(node):
            found = [self._guard(x, scope, depth + 1) for x in _items(node)]
            if any(f is None for f in found):
                return None
            guards = [g for g, _ in found]

            def some(S, E):
                for g in guards:
                    if g(S, E):
                        return True
                return False
            return some, _union(r for _, r in found)
        if _is_conj(node):
            fs: list = []  # the conjuncts that read the state only
            read: list = []
            last = None  # the guard of the first that reads the next state
            for item in _items(node):
                if self.uses_next(item, scope):
                    found = self._guard(item, scope, depth + 1)
                    if found is not None:
                        last = found[0]
                        read.append(found[1])
                    break
                fs.append(c.expr(item, scope))
                read.append(c.reads.variables_read(item, scope))
            if not fs:
                return None if last is None else (last, read[0])

            def every(S, E):
                for f in fs:
                    if f(S, None, E) is False:
                        return False
                return last is None or last(S, E)
            return every, _union(read)
        if k == "exists":
            bounds, body = node.args
            if any(b is None or self.uses_next(b, scope) for _, b in bounds):
                return None
            envs, inner = c.binder(bounds, scope)
            found = self._guard(body, inner, depth + 1)
            if found is None:
                return None
            g = found[0]

            def exists(S, E):
                for e in envs(S, None, E):
                    if g(S, e):
                        return True
                return False
            return exists, _union([found[1]] + [c.reads.variables_read(b, scope) for _, b in bounds])
        if k in ("name", "app", "inst"):
            name, args = node.args[0], node.args[1] if k == "app" else ()
            if k == "inst":
                path, _, args = node.args
                if path and path[0][1]:
                    return None  # a parameterised instance
                try:
                    entry = c.resolve_inst(node, scope)
                except TLAError:
                    return None
            elif scope.bound_index(name) is not None or name in scope.lets:
                return None
            else:
                entry = scope.ctx.names.get(name)
            if not isinstance(entry, Def) or entry.opdef.kind != "op" \
                    or len(args) != len(entry.opdef.params) \
                    or any(ar for _, ar in entry.opdef.params) or self.uses_next(args, scope):
                return None
            prefix = len(entry.ctx.params)
            found = self._guard(entry.opdef.body, Scope(entry.ctx, entry.ctx.params + tuple(
                p for p, _ in entry.opdef.params)), depth + 1)
            if found is None:
                return None
            g = found[0]
            read = _union([found[1]] + [c.reads.variables_read(a, scope) for a in args])
            fs = [c.expr(a, scope) for a in args]
            if not prefix and len(fs) == 1:
                f0 = fs[0]
                return (lambda S, E: g(S, (f0(S, None, E),))), read
            return (lambda S, E: g(S, E[:prefix] + tuple([f(S, None, E) for f in fs]))), read
        return None

    def _label_shortcut(self, action: Node, scope: Scope, env: tuple) -> tuple | None:
        """``(name, args)`` when ``action`` is a call ``Op(args)`` of a definition and the
        model's steps labelled ``Op`` come from that definition (:attr:`labels`): a step
        labelled ``Op(args)`` is then an ``Op(args)`` step without evaluating it."""
        if action.kind not in ("name", "app"):
            return None
        name = action.args[0]
        args = action.args[1] if action.kind == "app" else ()
        if scope.bound_index(name) is not None or name in scope.lets:
            return None
        entry = scope.ctx.names.get(name)
        if not isinstance(entry, Def) or self.labels.get(name) is not entry:
            return None
        values = self._constants(args, scope, env)
        return None if values is None else (name, values)

    def subscript(self, node: Node, scope: Scope, env: tuple) -> Callable[[Any], Any]:
        """``v``'s value in a state, remembered for the states of the last steps asked about
        (:class:`_Recent`), shared by the subscripts that are the same expression: a
        definition without parameters stands for its body, and two bodies written alike in
        the same module with the same bound values are one (``[][INext]_<<x, y>>`` and
        ``<<Do>>_vars`` with ``vars == <<x, y>>``)."""
        while node.kind in ("paren", "name") and not self.uses_next(node, scope):
            if node.kind == "name" and (node.args[0] in scope.lets or
                                        scope.bound_index(node.args[0]) is not None):
                break
            found = self.resolve(node, scope, env)
            if found is None or found[1].bound:
                break
            node, scope, env = found
        key = (repr(node), id(scope.ctx), scope.bound, env) if not scope.lets else (id(node), env)
        if key not in self._subscripts:
            read = self.compiler.reads.variables_read(node, scope)
            by = None
            if read is not None and len(read) < len(self.compiler.variables):
                by = itemgetter(*sorted(read)) if read else _nothing
            self._subscripts[key] = _Recent(self.compiler.expr(node, scope), env, by)
        return self._subscripts[key]

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
        settles = _eventually_always_step(node)
        if settles is not None:
            label = f"<>[][{_text(settles.args[0])}]_{_text(settles.args[1])}" if not name \
                else f"<>[][...]{name}"
            parts.settling.append((label, settles, scope, env))
            return
        if k == "forall":
            inner, choices = self.instances(node, scope, env)
            for e in choices:
                values = e[len(env):]
                self.fairness(node.args[1], inner, e, parts,
                              f"({', '.join(format_value(v) for v in values)})")
            return
        if k in ("name", "app", "inst", "paren"):
            found = self.resolve(node, scope, env)
            if found is not None:
                self.fairness(*found, parts, name)
                return
        raise Unsupported("refute checks specifications of the form Init /\\ [][Next]_v /\\ "
                          "fairness (WF/SF, <>[][A]_v, \\A over constant sets); this conjunct is "
                          "not one", node)


def _eventually_always_step(node: Node) -> Node | None:
    """``[A]_v`` when ``node`` is ``<>[][A]_v``: in a specification, an assumption that from
    some point on every step is an ``[A]_v`` step (TLC checks it on the graph, as an
    "eventually always" action of the property's negation)."""
    if node.kind != "prefix" or node.args[0] != "<>":
        return None
    inner = node.args[1]
    while inner.kind == "paren":
        inner = inner.args[0]
    if inner.kind != "prefix" or inner.args[0] != "[]":
        return None
    step = inner.args[1]
    while step.kind == "paren":
        step = step.args[0]
    return step if step.kind == "stutter" else None


class _Recent:
    """A state function remembering its value in the states it was last asked about: a state
    and its successors, as the safety search checks a state's steps and then gives them to
    the liveness graph. States are compared by identity and held (so an identity is never
    reused while remembered); the memory is cleared once it holds :data:`_RECENT` states.
    With ``by`` (the values of the variables the function reads, when it reads fewer than
    all: a refinement mapping), values are also remembered by those, up to
    :data:`_KNOWN_STEPS` of them. :meth:`moves` remembers its answer for the last step,
    which every fairness condition and atom with this subscript asks about in turn."""

    __slots__ = ("f", "env", "values", "step", "by", "known")

    def __init__(self, f: Callable, env: tuple, by: Callable | None = None):
        self.f, self.env, self.by = f, env, by
        self.values: dict[int, tuple[Any, Any]] = {}
        self.known: dict[Any, Any] = {}
        self.step: tuple = (None, None, False)

    def __call__(self, state: Any) -> Any:
        found = self.values.get(id(state))
        if found is not None and found[0] is state:
            return found[1]
        if self.by is None:
            value = self.f(state, None, self.env)
        else:
            key = self.by(state)
            known = self.known
            if key in known:
                value = known[key]
            else:
                value = self.f(state, None, self.env)
                if len(known) >= _KNOWN_STEPS:
                    known.clear()
                known[key] = value
        if len(self.values) >= _RECENT:
            self.values.clear()
        self.values[id(state)] = (state, value)
        return value

    def moves(self, before: Any, after: Any) -> bool:
        """Whether the value differs in ``after`` from ``before`` (the step is not a
        stuttering step of this subscript)."""
        step = self.step
        if step[0] is before and step[1] is after:
            return step[2]
        moved = self(after) != self(before)
        self.step = (before, after, moved)
        return moved


def _union(sets) -> frozenset | None:
    """The union of sets of variables, ``None`` if one is unknown."""
    out: frozenset = frozenset()
    for r in sets:
        if r is None:
            return None
        out |= r
    return out


def _nothing(state: Any) -> tuple:
    return ()


_KNOWN_STEPS = 1 << 16
"""Steps (by the values an action reads) whose verdict a step test remembers; beyond that
it forgets them all and starts again."""

_RECENT = 1024
"""States whose subscript values :class:`_Recent` remembers: more than any state has
successors in the oracle's models, so a step's two ends are evaluated once each."""


def _hidden(start: int, end: int) -> tuple:
    """Names no TLA+ identifier can be, for the caller's bound values a body cannot see."""
    return tuple("\0" + str(i) for i in range(start, end))


def _late(compiler: Any, node: Node, scope: Scope) -> Callable:
    """``node`` compiled in ``scope`` when first evaluated: an argument that is a temporal
    formula is unfolded, never compiled as an expression."""
    compiled: list = []

    def f(S, P, E):
        if not compiled:
            compiled.append(compiler.expr(node, scope))
        return compiled[0](S, P, E)
    return f


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
    if node.kind == "nostutter":
        return f"<<{_text(node.args[0])}>>_{_text(node.args[1])}"
    if node.kind == "stutter":
        return f"[{_text(node.args[0])}]_{_text(node.args[1])}"
    return f"line {node.line}"


def fairness_condition(unfolder: Unfolder, label: str, strong: bool, vars_: Node,
                       action: Node, scope: Scope, env: tuple, where: str | None,
                       constrained: bool = False) -> Fairness:
    """One fairness condition: a step belongs to it when it is an ``<<A>>_v`` step (tested
    as :meth:`Unfolder.step_test` tests one). In a ``constrained`` model (CONSTRAINT or
    ACTION_CONSTRAINT), it is enabled where ``ENABLED <<A>>_v`` evaluates to TRUE, as TLC
    decides it, also when each of its steps leaves the constraint and so is no edge of the
    graph."""
    step = Node("nostutter", (action, vars_), action.line, action.col, action.file)
    doing = f"evaluating fairness condition {label}"
    test = unfolder.step_test(step, scope, env, doing)

    def instance(step_label, before, after):
        return True if test(step_label, before, after) else None
    unfolder.origins[instance] = ("step", step, scope, env)
    if not constrained:
        return Fairness(label, strong, instance, where)
    at = (action.line, action.col, action.file)
    moves = Node("prefix", ("~", Node("prefix", ("UNCHANGED", vars_), *at)), *at)
    is_enabled = Node("prefix", ("ENABLED", Node("conj", ((action, moves),), *at)), *at)
    f = unfolder.compiler.expr(is_enabled, scope)
    on_error = unfolder.on_error

    def enabled(state):
        try:
            return (True,) if f(state, None, env) is True else ()
        except TLAError as exc:
            raise on_error(exc, doing, state) from None
    unfolder.origins[enabled] = ("state", is_enabled, scope, env)
    return Fairness(label, strong, instance, where, enabled)


def located(exc: Unsupported, what: str, cfg_file: str | None) -> InputError:
    node = exc.node
    return InputError(f"{what}: {exc.message}", file=getattr(node, "file", None) or cfg_file,
                      line=getattr(node, "line", None), column=getattr(node, "col", None),
                      hint="remove it from the .cfg to check the rest of the model")

