r"""TLA+ actions compiled to closures that enumerate successors, as TLC does.

An action compiles to ``g(S, P, E)`` returning the extensions of the partial next state ``P``
that satisfy it: ``x' = e`` assigns ``x'`` if it is unassigned (else it tests), ``x' \in S``
branches over ``S``, ``UNCHANGED v`` assigns ``v' = v``, a disjunction or ``\E`` branches,
``IF``/``CASE``/``LET`` and operator calls are followed, and any other conjunct is a guard
(an expression, :mod:`refute.tla.expressions`). ``Init`` compiles the same way with unprimed
variables in the role of primed ones (``Scope.init``).

Successors come in a fixed order (disjuncts left to right, quantified values in canonical
order), which is the order the engine explores and so the trace it reports.

A conjunction of actions (outside Init) runs as one closure over "steps" (:func:`_fused_conj`):
each compiled conjunct carries ``step = (kind, a, b)`` (a guard, ``x' = e``, ``UNCHANGED x``,
``UNCHANGED <<x, y>>``, or any other action) so that the common conjuncts run inline.
"""

from __future__ import annotations

from collections.abc import Callable

from refute.tla.expressions import ExpressionCompiler, locate, truth
from refute.tla.operators import is_element
from refute.tla.parser import Node, OpDef
from refute.tla.reads import mentions, primes_name
from refute.tla.scope import (UNSET, ArgumentsFailed, CutVar, Def, Scope, Subst, Var, arguments, evaluate_args,
                              params_of)
from refute.tla.values import INFINITE_KINDS, LazySet, RefuteLimitation, TLAError, as_set, short, sorted_elements

_GUARD, _SET, _KEEP, _KEEP_ALL, _ACTION, _COMPOSE = range(6)  # the kinds of step of a fused conjunction


class ActionCompiler(ExpressionCompiler):
    """Compiles actions (and Init) to successor enumerators over expressions compiled by the
    :class:`~refute.tla.expressions.ExpressionCompiler` it extends."""

    def __init__(self, variables: tuple[str, ...]):
        super().__init__(variables)
        self.init_actions: dict[int, Callable] = {}  # id(Def) -> its body enumerated in Init
        self.fn_body_actions: dict[tuple, Callable] = {}  # (id(Def), init) -> f's body as an action
        self.fn_body_building: set[tuple] = set()  # those being compiled (recursion binds late)
        self.composes = False  # whether an action composes (A \cdot B): its results then hold counts

    def action(self, node: Node, scope: Scope) -> Callable:
        """``g(S, P, E)``: the extensions of partial next state ``P`` satisfying the action."""
        k = node.kind
        if k == "conj":
            return self.conjunction([self.action(x, scope) for x in node.args[0]], scope.init)
        if k == "infix" and node.args[0] == "/\\" and node.args[0] not in scope.ctx.names:
            return self.conjunction([self.action(node.args[1], scope), self.action(node.args[2], scope)],
                                     scope.init)
        if k == "disj" or (k == "infix" and node.args[0] == "\\/"):
            items = node.args[0] if k == "disj" else node.args[1:]
            gs = [self.action(x, scope) for x in items]

            def disj(S, P, E):
                out = []
                for g in gs:
                    out.extend(g(S, P, E))
                return out
            return disj
        if k == "exists":
            bounds, body = node.args
            envs, inner = self.binder(bounds, scope, ordered=True)
            g = self.action(body, inner)
            first_guard = getattr(g, "first_guard", None)
            if first_guard is not None and len(bounds) == 1 and not isinstance(bounds[0][0], tuple):
                return _exists_filtered(self.expr(bounds[0][1], scope), *first_guard)

            def exists(S, P, E):
                out = []
                for e in envs(S, P, E):
                    out.extend(g(S, P, e))
                return out
            return exists
        if k == "forall":
            bounds, body = node.args
            envs, inner = self.binder(bounds, scope, ordered=True)
            g = self.action(body, inner)

            def forall(S, P, E):
                ps = [P]
                for e in envs(S, P, E):
                    ps = [q for p in ps for q in g(S, p, e)]
                    if not ps:
                        break
                    if int in map(type, ps):
                        raise _nested_composition(node)
                return ps
            return forall
        if k == "if":
            return self.conditional(node, scope, self.action)
        if k == "infix" and node.args[0] == "=>" and "=>" not in scope.ctx.names:
            g = self._implies_action(node, scope)
            if g is not None:
                return g
        if k == "case":
            return self.cases(node, scope, self.action)
        if k == "let":
            defs, body = node.args
            return self.action(body, self.let_scope(defs, scope))
        if k == "prefix" and node.args[0] == "UNCHANGED":
            return self._unchanged(node.args[1], scope, node)
        if k == "stutter":
            a, v = node.args
            return self.action(Node("disj", ((a, Node("prefix", ("UNCHANGED", v), node.line, node.col)),),
                                    node.line, node.col), scope)
        if k == "infix" and node.args[0] in ("=", "\\in"):
            target = self._assignable(node.args[1], scope)
            if target is not None:
                return self._assign(target, node.args[0], node.args[2], scope, node)
        if k == "infix" and node.args[0] == "\\cdot" and "\\cdot" not in scope.ctx.names:
            return self._compose(node, scope)
        if k == "subexpr":
            target, tscope, given = self.subexpr_target(node, scope)
            g = self.action(target, tscope)
            if not given:
                return lambda S, P, E: g(S, P, ())
            gs = [self.expr(a, scope) for a in given]
            return lambda S, P, E: g(S, P, tuple(f(S, P, E) for f in gs))
        if k in ("app", "name", "inst"):
            g = self._call_action(node, scope)
            if g is not None:
                return g
        if k == "fnapp":
            g = self._fn_body_action(node, scope)
            if g is not None:
                return g
        f = self.expr(node, scope)

        def guard(S, P, E):
            v = f(S, P, E)
            if v is True:
                return (P,)
            if v is False:
                return ()
            raise TLAError(f"expected a boolean, got {short(v)}", node)
        guard.step = (_GUARD, f, node)
        return guard

    def enabled_action(self, node: Node, scope: Scope) -> Callable:
        g = self.action(node, scope)
        return isolated(g) if self.composes else g

    def _compose(self, node: Node, scope: Scope) -> Callable:
        r"""``A \cdot B``, action composition, as TLC enumerates it with
        ``-Dtlc2.tool.impl.Tool.cdot=true`` (Tool.getNextStates, OPCODE_cdot): ``A``'s
        successors ``t`` of ``S`` are the intermediate states, each a state ``B`` then steps
        from (its unprimed variables read ``t``); the step is ``S`` to each of ``B``'s. The
        result starts with the number of intermediate states (an ``int`` before the partial
        states), which TLC counts as generated (:func:`_composed`). A step whose every variable
        is already assigned is tested as a formula instead (:func:`_composition_holds`), as
        TLC's ``getNextStatesAllAssigned`` evaluates it (Tool.eval, OPCODE_cdot)."""
        if scope.init:
            raise TLAError("action composition (\\cdot) in the initial predicate: it is an "
                           "action, a step from one state to another", node)
        ga = self.action(node.args[1], scope)
        gb = self.action(node.args[2], scope)
        fb = self.expr(node.args[2], scope)
        names = self.variables
        self.composes = True

        def compose(S, P, E):
            if UNSET not in P:
                return (P,) if _composition_holds(ga, fb, node, names, S, P, E) else ()
            # inside a disjunct, \E or definition that more conjuncts follow: those conjuncts
            # are its continuation (TLC passes them down as its ActionItemList)
            return _composed(ga, gb, node, names, S, P, E, _pending[0])
        compose.step = (_COMPOSE, (ga, gb, fb, names), node)
        return compose

    def composition_value(self, node: Node, scope: Scope) -> Callable:
        r"""``A \cdot B`` as a boolean of a step (an action property, a fairness condition's
        step, ``ENABLED``'s conjuncts once all are assigned): TLC's ``eval`` of OPCODE_cdot."""
        ga = self.action(node.args[1], scope)
        fb = self.expr(node.args[2], scope)
        names = self.variables
        return lambda S, P, E: _composition_holds(ga, fb, node, names, S, P, E)

    def def_action_fn(self, d: Def) -> Callable:
        if d.action_fn is not None:
            return d.action_fn
        if d.busy:
            return lambda S, P, E: d.action_fn(S, P, E)
        d.busy = True
        try:
            opdef = d.opdef
            scope = Scope(d.ctx, d.ctx.params + tuple(p for p, _ in opdef.params))
            d.action_fn = self.action(opdef.body, scope)
        finally:
            d.busy = False
        return d.action_fn

    def _fn_body_action(self, node: Node, scope: Scope) -> Callable | None:
        r"""``f[a]`` in an action, ``f`` a function definition TLC keeps unevaluated: the body
        of ``f`` enumerated as an action with its parameters bound to the arguments, so that
        each true disjunct and each ``\E`` witness in it is one successor, as TLC counts them
        (Tool.getNextStates/getInitStates, OPCODE_fa: a ``FcnLambdaValue`` whose ``fcnRcd`` is
        still null is entered, not applied; VoteProof's ``SafeAt``, a recursive ``SA[b]``).

        TLC keeps a function unevaluated (lazy) when it is recursive; when it is defined in a
        LET or reads the state (evaluated on the spot with ``KeepLazy``, in a next-state
        relation only: Init evaluates functions with ``EvalControl.Init``, which builds them);
        and when its domain is infinite. A constant-level top-level definition is evaluated
        once before the search (SpecProcessor.processConstantDefns) and is applied. ``None``
        when ``f`` is not entered, or when its body is a condition only (then entering it
        changes nothing and the expression is faster)."""
        f, args = node.args
        if f.kind != "name" or scope.bound_index(f.args[0]) is not None:
            return None
        name = f.args[0]
        entry = scope.lookup(name, f)
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            prefix, ctx, lets, top = depth, scope.ctx, scope.lets, False
        elif isinstance(entry, Def) and not entry.opdef.params:
            d, prefix, ctx, lets, top = entry, len(entry.ctx.params), entry.ctx, {}, True
        else:
            return None
        body = d.opdef.body
        if not isinstance(body, Node) or body.kind != "fn" or d.opdef.kind not in ("op", "fn"):
            return None
        bounds, fbody = body.args
        if any(isinstance(pattern, tuple) for pattern, _ in bounds) or len(bounds) != len(args):
            return None
        recursive = d.opdef.kind == "fn" and mentions(fbody, name)
        if not recursive:
            if not scope.init and not top:
                lazy = None  # a LET's function: always entered
            elif not scope.init and self.reads.definition_reads(entry) != frozenset():
                lazy = None  # reads the state: evaluated lazily at each step
            else:  # built once (Init, or a constant): entered only if its domain is infinite
                lazy = _INFINITE_DOMAIN
        else:
            lazy = None
        base = Scope(ctx, ctx.params if top else scope.bound[:prefix], lets, scope.init)
        key = (id(d), scope.init)
        g = self.fn_body_actions.get(key)
        if g is None:
            if key in self.fn_body_building:  # recursion: bind late
                return self._fn_body_call(lambda S, P, E: self.fn_body_actions[key](S, P, E),
                                          base, node, scope, args, bounds, prefix, lazy)
            self.fn_body_building.add(key)
            try:
                g = self.action(fbody, base.bind(*(pattern for pattern, _ in bounds)))
            finally:
                self.fn_body_building.discard(key)
            self.fn_body_actions[key] = g
        steps = getattr(g, "steps", None) or ((g.step,) if hasattr(g, "step") else ())
        if steps and all(s[0] is _GUARD for s in steps):
            return None
        return self._fn_body_call(g, base, node, scope, args, bounds, prefix, lazy)

    def _fn_body_call(self, g, base, node, scope, args, bounds, prefix, lazy) -> Callable:
        """``f[a]`` entering ``f``'s body ``g``: the arguments, each checked against its
        domain (TLC's getFcnContext), bound after the definition's own bound values (the
        first ``prefix`` of the caller's). ``lazy``, when given, decides at run time from the
        domains whether ``f`` is entered (else applied, as TLC applies a function it built)."""
        fas = [self.expr(a, scope) for a in args]
        doms = [self.expr(s, base) for _, s in bounds]
        applied = self.expr(node, scope)

        def enter(S, P, E):
            vals = tuple(fa(S, P, E) for fa in fas)
            ds = [dom(S, P, E[:prefix]) for dom in doms]
            if lazy is not None and not lazy(ds):
                v = applied(S, P, E)
                if v is True:
                    return (P,)
                if v is False:
                    return ()
                raise TLAError(f"expected a boolean, got {short(v)}", node)
            for v, dom in zip(vals, ds):
                if not is_element(v, dom):
                    applied(S, P, E)  # raises the function's domain error
            return g(S, P, E[:prefix] + vals)
        return enter

    def _implies_action(self, node: Node, scope: Scope) -> Callable | None:
        """``P => A`` as TLC enumerates it: when ``P`` holds, the successors of ``A`` (each
        ``\\E`` witness or true disjunct of ``A`` is one, and ``A`` may assign primed
        variables); otherwise the partial state unchanged. ``None`` when ``A`` is a condition
        only: then the implication is one too (a guard, evaluated inline)."""
        _, p, a = node.args
        fp, ga = self.expr(p, scope), self.action(a, scope)
        step = getattr(ga, "step", None)
        steps = getattr(ga, "steps", None) or ((step,) if step else ())
        if steps and all(s[0] is _GUARD for s in steps):
            return None

        def implies(S, P, E):
            return ga(S, P, E) if truth(fp(S, P, E), p) else (P,)
        return implies

    def conjunction(self, gs, init: bool = False):
        r"""Conjuncts left to right; in Init each sees the variables assigned so far as ``S``.

        Once Init has assigned every variable, the conjuncts left are a condition on that one
        state, not a source of states: ``TypeOK /\ (P \/ Q)`` gives one initial state when
        both disjuncts hold, as TLC's ``getInitStates`` does (which its count of states
        generated shows: MCBakery's ISpec)."""
        if len(gs) == 1:
            return gs[0]
        if not init:
            return _fused_conj(gs, self.composes)
        first, rest = gs[0], self.conjunction(gs[1:], init)

        def init_conj(S, P, E):
            out = []
            for p in first(S, P, E):
                if UNSET in p:
                    out.extend(rest(p, p, E))
                elif rest(p, p, E):
                    out.append(p)
            return out
        return init_conj

    def _assignable(self, lhs: Node, scope: Scope) -> int | None:
        """The variable index if ``lhs`` is ``x'`` (or ``x`` in Init)."""
        if lhs.kind == "name" and lhs.args[0] in scope.lets and scope.bound_index(lhs.args[0]) is None:
            entry = scope.lets[lhs.args[0]]
            if isinstance(entry, tuple) and isinstance(entry[1].const, tuple) and entry[1].const[0] == "primed":
                return entry[1].const[1]
        if scope.init:
            if lhs.kind == "name" and scope.bound_index(lhs.args[0]) is None:
                entry = scope.lookup(lhs.args[0], lhs)
                if isinstance(entry, Var):
                    return entry.index
            return None
        if lhs.kind == "postfix" and lhs.args[0] == "'":
            inner = lhs.args[1]
            if inner.kind == "name" and inner.args[0] in scope.lets \
                    and scope.bound_index(inner.args[0]) is None:
                entry = scope.lets[inner.args[0]]
                if isinstance(entry, tuple) and entry[0] == "let" and isinstance(entry[1].const, tuple) \
                        and entry[1].const[0] == "var":
                    return entry[1].const[1]
                return None
            if inner.kind == "name" and scope.bound_index(inner.args[0]) is None:
                entry = scope.lookup(inner.args[0], inner)
                if isinstance(entry, Var):
                    return entry.index
        return None

    def _assign(self, i: int, op: str, rhs: Node, scope: Scope, node: Node) -> Callable:
        f = self.expr(rhs, scope)
        if op == "=":
            def assign(S, P, E):
                v = f(S, P, E)
                old = P[i]
                if old is UNSET:
                    return (P[:i] + (v,) + P[i + 1:],)
                return (P,) if old == v else ()
            assign.step = (_SET, i, f)
            return assign

        def assign_in(S, P, E):
            s = f(S, P, E)
            old = P[i]
            if old is not UNSET:
                return (P,) if is_element(old, s) else ()
            head, tail = P[:i], P[i + 1:]
            try:
                return [head + (v,) + tail for v in sorted_elements(as_set(s))]
            except TLAError as exc:
                raise locate(node, exc) from None
        return assign_in

    def _unchanged(self, v: Node, scope: Scope, node: Node) -> Callable:
        if v.kind == "tuple":
            indices = self._var_indices(v, scope)
            if indices is not None and not scope.init and len(indices) > 1:
                return _keep_all(indices)
            return self.conjunction([self._unchanged(x, scope, node) for x in v.args[0]], scope.init)
        if v.kind == "name" and not scope.init:
            indices = self._var_indices(v, scope)
            if indices is not None and len(indices) > 1:
                return _keep_all(indices)
        if v.kind == "name" and scope.bound_index(v.args[0]) is None:
            entry = scope.lookup(v.args[0], v)
            if isinstance(entry, tuple) and entry[1].caller is not None:  # a substituted argument
                return self._unchanged(entry[1].opdef.body, entry[1].caller, node)
            if isinstance(entry, CutVar):  # ENABLED's own slot, kept at the substitution's value
                return self._assign(entry.index, "=", v, scope, node)
            if isinstance(entry, Var):
                i = entry.index

                def keep(S, P, E):
                    old = P[i]
                    if old is UNSET:
                        return (P[:i] + (S[i],) + P[i + 1:],)
                    return (P,) if old == S[i] else ()
                if not scope.init:
                    keep.step = (_KEEP, i, None)
                return keep
            if isinstance(entry, Def) and not entry.opdef.params and entry.opdef.kind == "op":
                return self._unchanged(entry.opdef.body, Scope(entry.ctx), node)
            if isinstance(entry, Subst) and entry.node is not None:
                return self._unchanged(entry.node, entry.scope, node)
        f = self.expr(v, scope)

        def same(S, P, E):
            return (P,) if f(P, None, E) == f(S, P, E) else ()
        return same

    def _var_indices(self, v: Node, scope: Scope, depth: int = 0) -> tuple | None:
        """The variables ``v`` (a variable, a tuple of them, or a name defined as one) stands
        for, flattened; ``None`` if it is anything else."""
        if depth > 20:
            return None
        if v.kind == "tuple":
            out: tuple = ()
            for x in v.args[0]:
                sub = self._var_indices(x, scope, depth + 1)
                if sub is None:
                    return None
                out += sub
            return out
        if v.kind == "name" and scope.bound_index(v.args[0]) is None and v.args[0] not in scope.lets:
            entry = scope.ctx.names.get(v.args[0])
            if isinstance(entry, Var) and not isinstance(entry, CutVar):
                return (entry.index,)
            if isinstance(entry, Def) and not entry.opdef.params and entry.opdef.kind == "op":
                return self._var_indices(entry.opdef.body, Scope(entry.ctx), depth + 1)
        return None

    def _call_action(self, node: Node, scope: Scope) -> Callable | None:
        """An action-level call of a user operator: its body enumerated with the arguments."""
        if node.kind == "name":
            name, args = node.args[0], ()
            if scope.bound_index(name) is not None:
                return None
        elif node.kind == "app":
            name, args = node.args
            if scope.bound_index(name) is not None:
                return None
        else:
            path, name, args = node.args
            if path and path[0][1]:
                comp, inst_args = path[0]
                entry = scope.lookup(comp, node)
                inner = self.instance_ctx(entry)
                target = inner.names.get(name)
                if not isinstance(target, Def):
                    return None
                fs = [self.expr(a, scope) for a in inst_args + args]
                g = self.def_action_fn(target)
                return lambda S, P, E: g(S, P, tuple(f(S, P, E) for f in fs))
            entry = self.resolve_inst(node, scope)
            return self._entry_action(entry, args, scope, node)
        entry = scope.lookup(name, node)
        return self._entry_action(entry, args, scope, node)

    def _entry_action(self, entry, args, scope, node):
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            if d.action_fn is None:
                let_scope = Scope(scope.ctx, scope.bound[:depth] + params_of(d.opdef),
                                  scope.lets, scope.init)
                d.action_fn = self.action(d.opdef.body, let_scope) if d.opdef.kind == "op" else None
            g = d.action_fn
            if g is None:
                return None
            if self._assigns_through(args, d.opdef.params, scope) or self._substitutes(d, args, scope) or (
                    not scope.init and any(primes_name(d.opdef.body, p) for p, ar in d.opdef.params if not ar)):
                hidden = tuple("\0" + str(i) for i in range(depth, len(scope.bound)))
                return self._inline_action(d.opdef, scope.ctx, scope.bound[:depth] + hidden,
                                           scope.lets, args, scope, node)
            fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
                  for a, (_, ar) in zip(args, d.opdef.params)]
            return lambda S, P, E: g(S, P, E[:depth] + evaluate_args(fs, S, P, E))
        if isinstance(entry, Subst) and entry.node is not None and not args:
            return self.action(entry.node, entry.scope)
        if not isinstance(entry, Def) or entry.opdef.kind != "op":
            return None
        params = entry.opdef.params
        if len(args) != len(params):
            raise TLAError(f"{entry.opdef.name} takes {len(params)} arguments", node)
        if scope.init:  # Init enumerates the definition's body in init mode
            g = self.init_actions.get(id(entry))
            if g is None:
                g = self.init_actions[id(entry)] = self.action(
                    entry.opdef.body, Scope(entry.ctx, entry.ctx.params + tuple(p for p, _ in params),
                                            init=True))
        else:
            g = self.def_action_fn(entry)
        if not entry.ctx.params and (self._assigns_through(args, params, scope) or self._substitutes(entry, args, scope)
                                     or (not scope.init and any(primes_name(entry.opdef.body, p)
                                                                for p, ar in params if not ar))):
            hidden = tuple("\0" + str(i) for i in range(len(scope.bound)))
            return self._inline_action(entry.opdef, entry.ctx, hidden, {}, args, scope, node)
        fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
              for a, (_, ar) in zip(args, params)]
        prefix = len(entry.ctx.params)
        if not fs and not prefix:
            return lambda S, P, E: g(S, P, ())

        form = "init" if scope.init else "action"

        def call(S, P, E):
            try:
                try:
                    args = arguments(fs, S, P, E)
                except ArgumentsFailed as failed:  # the body compiled to read them checked
                    return self.checked_body(entry, form)(S, P, E[:prefix] + failed.values)
                return g(S, P, E[:prefix] + args)
            except TLAError as exc:
                raise locate(node, exc) from None
            except Exception as exc:
                raise locate(node, exc) from exc
        return call

    def _assigns_through(self, args: tuple, params: tuple, scope: Scope) -> bool:
        """Whether a call passes an action, or a variable its body may assign (``x'``; in
        Init, ``x``), as an argument: then the body is enumerated with the argument in place
        (:meth:`_inline_action`), as TLC's ``getInitStates`` / ``getNextStates`` substitute
        arguments and assign ``Set(v, val) == v = val`` called as ``Set(s, 1)``."""
        for a, (_, ar) in zip(args, params):
            if ar:
                continue
            if self.reads.is_action(a, scope) or (scope.init and self._assignable(a, scope) is not None):
                return True
        return False

    def _inline_action(self, opdef: OpDef, ctx, bound: tuple, lets: dict, args: tuple,
                       scope: Scope, node: Node) -> Callable:
        """A call whose arguments are actions or assignable variables: the parameters are
        bound by name (as TLA+ substitutes them), so that ``x'`` (``x`` in Init) passed in can
        still be assigned in the body and an action passed in is enumerated where the body
        uses it. ``bound``: the names of the caller's bound values as the body sees them
        (hidden ones for a top-level definition, which cannot see them); ``lets``: the LET
        definitions it sees. Operator parameters (``decr(_)`` given ``LAMBDA j: j - 1``) are
        bound values after the caller's."""
        depth = len(scope.bound)
        lets = dict(lets)
        ops = []
        for (pname, arity), arg in zip(opdef.params, args):
            if arity:
                ops.append((pname, self.op_value(arg, scope, arity)))
                continue
            holder = Def(OpDef(pname, (), arg, arg.line, arg.col, arg.file), scope.ctx)
            holder.value_fn = [self.expr(arg, scope)]
            holder.action_fn = _lazy_action(self, arg, scope)
            holder.caller = scope
            lets[pname] = ("let", holder, depth)
            holder.const = ("primed", self._assignable(arg, scope))
            if holder.const[1] is None and not scope.init and self._var_arg(arg, scope) is not None:
                holder.const = ("var", self._var_arg(arg, scope))
        inner = Scope(ctx, bound + tuple(p for p, _ in ops), lets, scope.init)
        self.refuse_recursion(opdef, node)
        self.substituting.add(id(opdef))
        try:
            g = self.action(opdef.body, inner)
        finally:
            self.substituting.discard(id(opdef))
        if not ops:
            return g
        fs = tuple(f for _, f in ops)
        return lambda S, P, E: g(S, P, E + tuple([f(S, P, E) for f in fs]))


def _INFINITE_DOMAIN(domains: list) -> bool:
    """Whether a function over ``domains`` stays unevaluated in TLC (a domain it cannot
    enumerate: not ``Reducible``)."""
    return any(isinstance(d, LazySet) and d.kind in INFINITE_KINDS for d in domains)


def _lazy_action(compiler: ActionCompiler, node: Node, scope: Scope) -> Callable:
    """The action form of an argument substituted into an operator, compiled in the caller's
    scope the first time the body uses the argument as an action."""
    cell: list = []

    def g(S, P, E):
        if not cell:
            cell.append(compiler.action(node, scope))
        return cell[0](S, P, E)
    return g


def _exists_filtered(set_fn: Callable, test: Callable, node: Node, rest: Callable) -> Callable:
    r"""``\E x \in S: G /\ A`` in an action, with the guard ``G`` tested in the loop over
    ``S`` (in canonical order, as every action quantifier): most messages of a
    message-passing spec fail the first guard (``m.type = "phase2a"``), and each costs one
    call here instead of three. Same successors, same order, as the general form."""
    def exists_filtered(S, P, E):
        out = []
        for v in sorted_elements(as_set(set_fn(S, P, E))):
            e = E + (v,)
            r = test(S, P, e)
            if r is True:
                out.extend(rest(S, P, e))
            elif r is not False:
                raise TLAError(f"expected a boolean, got {short(r)}", node)
        return out
    return exists_filtered


def _kept(S: tuple, P: tuple, indices: tuple) -> tuple | None:
    """``P`` with the variables at ``indices`` unchanged from ``S`` (one pass, one new tuple),
    or ``None`` when ``P`` already gives one of them another value."""
    out = None
    for i in indices:
        old = P[i]
        if old is UNSET:
            if out is None:
                out = list(P)
            out[i] = S[i]
        elif old != S[i]:
            return None
    return P if out is None else tuple(out)


def _keep_all(indices: tuple) -> Callable:
    """``UNCHANGED <<x, y, ...>>`` of plain variables."""
    def keep_all(S, P, E):
        kept = _kept(S, P, indices)
        return () if kept is None else (kept,)
    keep_all.step = (_KEEP_ALL, indices, None)
    return keep_all


def _fused_conj(gs: list, threaded: bool = False) -> Callable:
    """A conjunction of actions (not in Init) as one closure: guards, ``x' = e`` and
    ``UNCHANGED`` conjuncts run inline on one partial state, left to right, with no list per
    conjunct; a conjunct with several results (``x' \\in S``, ``\\E``, ...) continues the rest
    of the conjunction on each of them. Same results, same order, as the nested form.

    ``threaded`` (a composition was compiled before this conjunction, so one may be inside a
    conjunct): a conjunct that more conjuncts follow is enumerated with the rest of the
    conjunction as the continuation a composition inside it takes (:data:`_pending`).

    Once every variable is assigned, a conjunct still to come is a condition, not a source of
    successors (``x' = 1 /\\ (P \\/ Q)`` is one successor when both hold): TLC's
    ``getNextStatesAllAssigned`` evaluates the rest of the conjunction as booleans then."""
    steps: list = []
    for g in gs:
        inner = getattr(g, "steps", None)
        if inner is not None:
            steps.extend(inner)
        else:
            steps.append(getattr(g, "step", None) or (_ACTION, g, None))
    steps_t = tuple(steps)
    n = len(steps_t)

    def run(k, S, P, E):
        while k < n:
            kind, a, b = steps_t[k]
            k += 1
            if kind is _GUARD:
                v = a(S, P, E)
                if v is True:
                    continue
                if v is False:
                    return ()
                raise TLAError(f"expected a boolean, got {short(v)}", b)
            if kind is _SET:
                v = b(S, P, E)
                old = P[a]
                if old is UNSET:
                    P = P[:a] + (v,) + P[a + 1:]
                elif old != v:
                    return ()
            elif kind is _KEEP_ALL:
                P = _kept(S, P, a)
                if P is None:
                    return ()
            elif kind is _KEEP:
                old = P[a]
                if old is UNSET:
                    P = P[:a] + (S[a],) + P[a + 1:]
                elif old != S[a]:
                    return ()
            elif kind is _COMPOSE:
                ga, gb, fb, names = a
                if UNSET not in P:
                    if not _composition_holds(ga, fb, b, names, S, P, E):
                        return ()
                    continue
                # the conjuncts after A \cdot B are TLC's continuation (ActionItemList): they
                # follow both A (from S) and B (from the intermediate state), and so do those
                # of the conjunctions this one is a conjunct of
                pending = _pending[0]
                if pending is not None:
                    return _composed(ga, gb, b, names, S, P, E, _after(run, k, E, pending))
                rest = (lambda S2, p, E2, k=k: run(k, S2, p, E2)) if k < n else None
                return _composed(ga, gb, b, names, S, P, E, rest)
            else:
                if UNSET not in P:  # all assigned: TLC evaluates what is left as a formula
                    if not a(S, P, E):
                        return ()
                    continue
                if threaded and k < n:
                    return _threaded_step(a, run, k, S, P, E)
                ps = a(S, P, E)
                if k == n:
                    return ps
                out = []
                for p in ps:
                    if type(p) is int:  # a composition compiled after this conjunction
                        raise _nested_composition(b)
                    out.extend(run(k, S, p, E))
                return out
        return (P,)

    def conj(S, P, E):
        return run(0, S, P, E)
    conj.steps = steps_t
    if n > 1 and steps_t[0][0] is _GUARD:  # for \E x \in S: the guard tested in its loop
        conj.first_guard = (steps_t[0][1], steps_t[0][2], lambda S, P, E: run(1, S, P, E))
    return conj


def _composed(ga: Callable, gb: Callable, node: Node, names: tuple, S, P, E,
              rest: Callable | None) -> list:
    r"""The successors of ``A \cdot B`` extending partial state ``P``, after the number of
    intermediate states, as Tool.getNextStates (OPCODE_cdot) makes them: ``A`` runs from
    ``S`` on a partial state holding ``S``'s values of the variables ``P`` assigned already
    (TLCState.copyWith), followed by ``rest`` (the conjuncts after the composition, TLC's
    continuation, or None); each such ``t`` counts as generated (``incrementStatesGenerated``);
    then ``B`` runs from ``t`` on ``P`` followed by ``rest`` (``t`` as its unprimed state).

    A composition inside ``A``, ``B`` or ``rest`` counts nothing: TLC collects those states in
    a ``StateVec`` or a wrapper whose ``incrementStatesGenerated`` does nothing, so only the
    outermost composition's intermediate states are counted."""
    width = len(S)
    t0 = tuple(UNSET if p is UNSET else s for s, p in zip(S, P)) + (UNSET,) * (len(P) - width)
    ts = []
    saved, _pending[0] = _pending[0], None  # a composition inside A or B continues only them
    try:
        for t in ga(S, t0, E):
            if type(t) is int:
                continue
            if rest is None:
                ts.append(t)
            else:
                ts.extend(tuple(q) for q in rest(S, t, E) if type(q) is not int)
        if not ts:
            return []
        out: list = [len(ts)]
        for t in ts:
            _complete(t, width, names, node)
            for u in gb(t, P, E):
                if type(u) is int:
                    continue
                if rest is None:
                    out.append(u)
                else:
                    out.extend(q for q in rest(t, u, E) if type(q) is not int)
    finally:
        _pending[0] = saved
    return out


def _composition_holds(ga: Callable, fb: Callable, node: Node, names: tuple, S, P, E) -> bool:
    r"""``A \cdot B`` as a formula of the step from ``S`` to ``P`` (Tool.eval, OPCODE_cdot):
    some successor ``t`` of ``A`` from ``S`` (on an empty partial state, not one made from
    ``P``: TLC's comment there) from which ``B``, evaluated as a boolean, steps to ``P``."""
    width = len(S)
    saved, _pending[0] = _pending[0], None  # a formula: no continuation
    try:
        for t in ga(S, (UNSET,) * len(P), E):
            if type(t) is int:
                continue
            _complete(t, width, names, node)
            if truth(fb(t, P, E), node):
                return True
        return False
    finally:
        _pending[0] = saved


def _complete(t: tuple, width: int, names: tuple, node: Node) -> None:
    """An intermediate state must give every variable a value: ``B`` reads them unprimed."""
    if UNSET in t[:width]:
        missing = ", ".join(v + "'" for v, x in zip(names, t) if x is UNSET)
        raise TLAError(f"in A \\cdot B, A does not give a value to {missing}: the intermediate "
                       "state B starts from must be a whole state (refute requires it even where B "
                       "does not read the variable)", node)


_pending: list = [None]
"""The continuation of the conjunct being enumerated (``[rest]``, None at the top): the
conjuncts that follow it in the conjunctions it is part of, as a function ``rest(S, p, E)``
of a state and a partial next state. A composition reached inside the conjunct (in a
disjunct, under ``\\E``, in a definition's body) takes it as its continuation, as TLC's
getNextStates passes its ActionItemList down to ``OPCODE_cdot``; its results come back as
:class:`_Continued`. Set and restored around each conjunct by :func:`_threaded_step`."""


class _Continued(tuple):
    """A partial next state that every conjunct after the composition that made it has been
    applied to (:data:`_pending`): the conjunctions it passes through return it as it is."""

    __slots__ = ()


def _after(run: Callable, k: int, E: tuple, outer: Callable | None) -> Callable:
    """The continuation from conjunct ``k`` of a conjunction (``run``, in environment ``E``),
    then ``outer``, the continuation of the conjunction itself: results come back as
    :class:`_Continued` (or as a composition's counts, ``int``, which are passed up)."""
    def rest(S2, p, _E=None):
        saved, _pending[0] = _pending[0], outer
        try:
            qs = run(k, S2, p, E)
        finally:
            _pending[0] = saved
        out: list = []
        for q in qs:
            if type(q) is int or type(q) is _Continued:
                out.append(q)
            elif outer is None:
                out.append(_Continued(q))
            else:
                out.extend(outer(S2, q))
        return out
    return rest


def _threaded_step(a: Callable, run: Callable, k: int, S, P, E) -> list:
    """Conjunct ``a`` of a conjunction that composes, then the conjuncts from ``k`` on: a
    composition inside ``a`` takes them as its continuation (its results are then
    :class:`_Continued`), the other results go on through them here."""
    saved = _pending[0]
    _pending[0] = _after(run, k, E, saved)
    try:
        ps = a(S, P, E)
    finally:
        _pending[0] = saved
    out: list = []
    for p in ps:
        if type(p) is int or type(p) is _Continued:
            out.append(p)
        else:
            out.extend(run(k, S, p, E))
    return out


def unwrap_continued(p: tuple) -> tuple:
    """A successor as a plain tuple (a composition's continuation marks its results)."""
    return tuple(p) if type(p) is _Continued else p


def isolated(g: Callable) -> Callable:
    """``g`` enumerated on its own, not as part of an enclosing conjunction (``ENABLED A``
    inside a conjunct): no continuation reaches a composition in it."""
    def run_isolated(S, P, E):
        saved, _pending[0] = _pending[0], None
        try:
            return g(S, P, E)
        finally:
            _pending[0] = saved
    return run_isolated


def _nested_composition(node: Node | None) -> TLAError:
    return RefuteLimitation(
        "action composition (\\cdot) inside a \\A or a recursive definition that more conjuncts "
        "follow: TLC runs those conjuncts after A as well as after B, which refute does not here",
        "TLC checks this spec; refute does not yet: move the conjuncts that follow into the "
        "composition's B, or the composition out of the \\A (docs/tla.md, Action composition)", node)
