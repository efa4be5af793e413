"""A loaded TLA+ model (:class:`refute.tla.model.TLAModel`) lowered to the IR.

Input: the model after modules, instances, ``.cfg`` values and substitutions are resolved
(its contexts' name tables), and its actions as the interpreter splits ``Next`` (each with
the bound values of the ``\\E`` and operator arguments the split unfolded). Output: an
:class:`~refute.compiled.ir.IRModel` whose actions are in the interpreter's order, so that the
native search generates successors in the same order and its counts and traces are the
interpreter's.

The lowering mirrors :mod:`refute.tla.compile`'s semantics construct by construct (the
reference): operators are inlined (arguments by name), ``LET`` definitions are expanded where
used, an action's conjuncts enumerate left to right, and once every variable is assigned the
rest of a conjunction is a condition (the emitter does that part). Anything else raises a
located :class:`~refute.compiled.ir.Unsupported`; the caller then runs the interpreter.
"""

from __future__ import annotations

from typing import Any, Callable

from refute.compiled.ir import Act, ActionInstance, Expr, IRModel, Unsupported
from refute.compiled.natives_tla import INFIX as NATIVE_INFIX, lower_native
from refute.tla import stdlib
from refute.tla.enabled import cut_context
from refute.tla.levels import ACTION, Levels
from refute.tla.parser import Node, OpDef
from refute.tla.scope import Builtin, Const, Def, InstDef, Scope, Subst, Var
from refute.tla.values import TLAError, tlc_key
from refute.engine.symmetry import permutations
from refute.values import FrozenMap, ModelValue

_ARITH = {"+": "add", "-": "sub", "*": "mul", "\\div": "div", "%": "mod", "^": "pow"}
_COMPARE = {"<": "lt", ">": "gt", "=<": "le", ">=": "ge"}
# standard operators the native code leaves to the interpreter, met where a spec evaluates
# them only on a path it does not take (EWD840_json's invariant exports the Trace only when
# the real invariant is violated): in refute each is a refusal (Trace, JsonSerialize) or
# changes TLC's registers (TLCSet), which the interpreter's run then does alone
_INTERPRETER_ONLY = frozenset({"Trace", "JsonSerialize", "ndJsonSerialize", "TLCSet"})
_SETOPS = {"\\cup": "cup", "\\cap": "cap", "\\": "minus"}


def _where(node: Any) -> str | None:
    file = getattr(node, "file", None)
    return f"{file}:{node.line}" if file else None


class _Env:
    """What names mean while lowering: the module context and the local bindings (bound
    variables, operator parameters and LET definitions; innermost wins)."""

    __slots__ = ("ctx", "bind")

    def __init__(self, ctx: Any, bind: dict | None = None):
        self.ctx, self.bind = ctx, bind or {}

    def extend(self, **more: Any) -> _Env:
        return _Env(self.ctx, {**self.bind, **more})

    def with_items(self, items: dict) -> _Env:
        return _Env(self.ctx, {**self.bind, **items})


class _LetDef:
    """A LET (or operator-argument) definition: its parameters, body and defining env."""

    __slots__ = ("params", "body", "env", "node", "recs", "shared")

    def __init__(self, params: tuple, body: Node, env: _Env, node: Any):
        self.params, self.body, self.env, self.node = params, body, env, node
        self.recs: dict = {}  # a recursive LET operator's lowering, by mode (init or not)
        # a definition of an expression's LET without parameters: its value lowered once,
        # then a "lazy" read of it wherever it is used (None: lowered at each use)
        self.shared: dict | None = None


class RecursiveFunction:
    """A recursive function definition ``f[x \\in S] == e`` (e applies f), as lowered once:
    its parameter (a local), domain and body, where applications of ``f`` are ``rcall``
    expressions pointing back here. The emitter makes it a (GCC nested) C function."""

    __slots__ = ("param", "domain", "body")

    def __init__(self) -> None:
        self.param: str = ""
        self.domain: Expr | None = None
        self.body: Expr | None = None


class _RecFnDef:
    """A recursive function definition met in a LET or a module, lowered on first use."""

    __slots__ = ("opdef", "env", "ir")

    def __init__(self, opdef: Any, env: _Env):
        self.opdef, self.env, self.ir = opdef, env, None


class RecursiveOperator:
    """A recursive operator ``F(p, q) == e`` (e calls F), lowered once: its parameters (as
    locals) and body, where calls of ``F`` are ``rcall_op`` expressions pointing back here."""

    __slots__ = ("params", "body")

    def __init__(self) -> None:
        self.params: tuple = ()
        self.body: Expr | None = None


class _RecOpRef:
    """The name of a recursive operator inside its own body."""

    __slots__ = ("rec",)

    def __init__(self, rec: RecursiveOperator):
        self.rec = rec


class _SharedTooSoon(Exception):
    """A value was shared in the body of a recursive operator (or function) it calls, taken
    not to vary before that body was lowered, and the body reads the next state: the model is
    lowered again, sharing nothing."""


def E(op: str, args: tuple, ty: str, dyn: bool) -> Expr:
    return Expr(op, args, ty, dyn)


def _dyn(*xs: Expr) -> bool:
    return any(x.dyn for x in xs)


class Lowering:
    def __init__(self, model: Any, share: bool = True):
        self.model = model
        self.share = share  # whether values are shared (shareable); see _SharedTooSoon
        self.pool: list[Any] = []
        self._pool_index: dict = {}
        self._locals = 0
        self._def_cache: dict = {}
        self._varying_recs: dict = {}  # id -> (recursive operator or function, kept alive; _varies)
        self._open_recs: set = set()  # ids of those whose bodies _varies is searching
        self._assumed_steady: dict = {}  # id -> one taken not to vary before it was lowered
        self._open_hits: set = set()  # ids of those met again while searched
        self._levels = Levels()
        self.labels = list(model.action_names)

    # ------------------------------------------------------------------ pool
    def const(self, value: Any) -> Expr:
        if value is True or value is False:
            return E("bool", (bool(value),), "b", False)
        if type(value) is int:
            return E("int", (value,), "i", False)
        _check_encodable(value)
        key = (type(value), value)
        k = self._pool_index.get(key)
        if k is None:
            k = self._pool_index[key] = len(self.pool)
            self.pool.append(value)
        return E("const", (k,), "v", False)

    def fresh(self, base: str) -> str:
        """A C local's name (the emitter's own: ``base``, the spec's name, is not used)."""
        self._locals += 1
        return f"l{self._locals}"

    # ------------------------------------------------------------------ model
    def lower_model(self) -> IRModel:
        m = self.model
        if not m.variables:
            return self.constant_module()
        if m._action_checks and m._action_constraints:
            # the interpreter tests a step's [][A]_v before the ACTION_CONSTRAINT, and keeps a
            # step that violates it whatever the constraint says: not mirrored
            raise Unsupported("a PROPERTY [][A]_v together with an ACTION_CONSTRAINT", m.config.file)
        if m._possible:  # counted by the interpreter's init_states / next_states
            raise Unsupported("_POSSIBLE", m.config.file)
        if not m.init_parts:  # a constant module: its ASSUMEs, checked when it was loaded
            raise Unsupported("a model without an initial predicate", m.config.file)
        init_parts = [self.action(node, _Env(ctx), init=True) for node, ctx in m.init_parts]
        init = init_parts[0] if len(init_parts) == 1 else Act("conj", tuple(init_parts))
        actions = []
        for (name, params, _g, env, node), scope in zip(m.actions, m.action_scopes):
            if scope.lets:
                raise Unsupported("LET around a split action", _where(node))
            bind = {b: self.const(v) for b, v in zip(scope.bound, env)}
            actions.append(ActionInstance(self.labels.index(name),
                                          self.action(node, _Env(scope.ctx, bind), init=False),
                                          _where(node)))
        invariants = [self.named_predicate(n) for n in m.config.invariants]
        invariants += [self.property_invariant(*part) for part in m.property_invariants]
        step_checks = [_or_none(self.property_step, part) for part in m.property_steps]
        initial_checks = [_or_none(self.property_invariant, part) for part in m.property_initials]
        live = [_or_none(self.live_piece, origin) for origin in live_origins(m)]
        constraints = [self.named_predicate(n) for n in m.config.constraints]
        action_constraints = [self.named_predicate(n) for n in m.config.action_constraints]
        view = self.named_predicate(m.config.view) if m.view is not None else None
        renamings = permutations(m.symmetry)[1:] if m.symmetry else []
        for renaming in renamings:
            for v in renaming:
                if not isinstance(v, ModelValue):
                    raise Unsupported("SYMMETRY over values other than model values", m.config.file)
        return IRModel(len(m.variables), self.pool, self.labels, init, actions, invariants,
                       constraints=constraints,
                       init_where=_where(m.init_parts[0][0]) if m.init_parts else None,
                       action_constraints=action_constraints, view=view, symmetry=renamings,
                       step_checks=step_checks, initial_checks=initial_checks, live=live)

    def constant_module(self) -> IRModel:
        """A spec without variables: no state, no behaviour; what it computes is its ASSUMEs
        (the root module's, those the interpreter checks when it loads the model), lowered to
        be evaluated natively (and compared with the interpreter's values by ``--verify``)."""
        m = self.model
        if m.init_parts:  # (the interpreter's one state of no variables: not mirrored)
            raise Unsupported("a spec without variables but with an initial predicate",
                              _where(m.init_parts[0][0]))
        assumptions = [self.expr(node, _Env(m.ctx), init=False) for node in m.module.assumptions]
        invariants = [self.named_predicate(n) for n in m.config.invariants]
        return IRModel(0, self.pool, self.labels, None, [], invariants, assumptions=assumptions)

    def named_predicate(self, name: str) -> Expr:
        node = Node("name", (name,), 0, 0, self.model.config.file)
        return self.expr(node, _Env(self.model.ctx), init=False)

    def property_invariant(self, name: str, body: Node, scope: Scope, env: tuple) -> Expr:
        """A PROPERTY's ``[]P`` (``P`` written where ``scope`` holds, its bound names given
        ``env``), checked on every state as the interpreter checks it: an invariant."""
        if scope.lets:
            raise Unsupported(f"PROPERTY {name}: a []P inside a LET", _where(body))
        bind = {b: self.const(v) for b, v in zip(scope.bound, env)}
        return self.expr(body, _Env(scope.ctx, bind), init=False)

    def property_step(self, name: str, action: Node, vars_: Node, scope: Scope, env: tuple) -> Expr:
        """A PROPERTY's ``[][A]_v``: ``v' = v \\/ A``, a boolean of the step, checked on every
        step as the interpreter checks it (:meth:`refute.tla.temporal.Unfolder.step_test`:
        ``A`` is evaluated only where ``v`` changes, as a boolean, its successors never
        enumerated)."""
        if scope.lets:
            raise Unsupported(f"PROPERTY {name}: a [][A]_v inside a LET", _where(action))
        env_ = _Env(scope.ctx, {b: self.const(v) for b, v in zip(scope.bound, env)})
        v = self.expr(vars_, env_, init=False)
        a = self.expr(action, env_, init=False)
        parts = v.args if v.op == "tuple" else (v,)  # <<x, y>>' = <<x, y>>: x' = x /\ y' = y
        same = E("and", tuple(E("eq", (_primed(p, vars_), p), "b", p.dyn) for p in parts), "b",
                 v.dyn) if parts else E("bool", (True,), "b", False)
        return E("or", (same, a), "b", True)

    def live_piece(self, kind: str, node: Node, scope: Scope, env: tuple) -> Expr:
        """A predicate of the liveness check (:attr:`refute.tla.temporal.Unfolder.origins`):
        a state predicate, ``[A]_v`` or ``<<A>>_v`` as a boolean of the step (``A`` a boolean
        with both states known, as :meth:`property_step`), or "``v`` changes"."""
        if scope.lets:
            raise Unsupported("a temporal property's predicate inside a LET", _where(node))
        if kind == "state":
            return self.property_invariant("", node, scope, env)
        env_ = _Env(scope.ctx, {b: self.const(v) for b, v in zip(scope.bound, env)})
        vars_ = node if kind == "moves" else node.args[1]
        v = self.expr(vars_, env_, init=False)
        parts = v.args if v.op == "tuple" else (v,)
        same = E("and", tuple(E("eq", (_primed(p, vars_), p), "b", p.dyn) for p in parts), "b",
                 v.dyn) if parts else E("bool", (True,), "b", False)
        if kind == "moves":
            return E("not", (same,), "b", True)
        a = self.expr(node.args[0], env_, init=False)
        if node.kind == "stutter":
            return E("or", (same, a), "b", True)
        return E("and", (E("not", (same,), "b", True), a), "b", True)

    # ------------------------------------------------------------------ names
    def lookup(self, name: str, env: _Env, node: Node) -> Any:
        if name in env.bind:
            return env.bind[name]
        entry = env.ctx.names.get(name)
        if entry is None:
            raise Unsupported(f"unknown name {name}", _where(node))
        return entry

    def call(self, name: str, args: tuple, env: _Env, node: Node, init: bool) -> Expr:
        """The value of ``name(args)`` (or of ``name``): a binding, a definition, a constant,
        a variable or a standard-module operator."""
        return self.call_entry(self.lookup(name, env, node), name, args, env, node, init)

    def call_entry(self, entry: Any, name: str, args: tuple, env: _Env, node: Node,
                   init: bool) -> Expr:
        """``name(args)`` where ``name`` means ``entry`` (a binding or a context's entry)."""
        if isinstance(entry, Subst):
            return self.substitution(entry, args, env, node, init)
        if isinstance(entry, Expr):
            if args:
                raise Unsupported("a value applied as an operator", _where(node))
            return entry
        if isinstance(entry, _LetDef):
            if entry.shared is not None and not entry.params and not args:
                return self.let_value(entry, init)
            name_ = getattr(entry.node, "name", None)
            if entry.params and name_ is not None and _mentions(entry.body, name_):
                # a RECURSIVE operator of a LET: lowered once per LET met (its body may read
                # the LET's enclosing bindings, which the nested C function sees)
                rec = entry.recs.get(init)
                if rec is None:
                    rec = entry.recs[init] = RecursiveOperator()
                    self.recursive_operator(rec, name_, entry.params, entry.body, entry.env, init,
                                            node)
                return self.rcall_op(rec, args, env, node, init)
            lets: list = []
            inner = self.bind_params(entry.params, args, entry.env, env, node, lets=lets)
            return _with_lets(lets, self.expr(entry.body, inner, init))
        if isinstance(entry, _RecFnDef):
            raise Unsupported("a recursive function used other than applied", _where(node))
        if isinstance(entry, _RecOpRef):
            if len(args) != len(entry.rec.params):
                raise Unsupported("wrong number of arguments", _where(node))
            xs = tuple(self.expr(a, env, init) for a in args)
            return E("rcall_op", (entry.rec, xs), "v", True)
        if isinstance(entry, Var):
            return E("var", (entry.index,), "v", True)
        if isinstance(entry, Const):
            return self.const(entry.value)
        if isinstance(entry, Def):
            if entry.ctx.params:  # within a parameterised instance: its parameters are bound
                return self.instance_definition(entry, args, self.instance_params(entry.ctx, env, node),
                                                env, node, init)
            d = entry.opdef
            if d.kind == "fn":
                if _mentions(d.body, d.name):
                    raise Unsupported("recursive function definition at module level", _where(d))
                return self.expr(d.body, _Env(entry.ctx), init)
            if d.kind != "op":
                raise Unsupported(f"{d.kind} definition", _where(node))
            if not d.params:
                key = (id(entry), init)
                cached = self._def_cache.get(key)
                if cached is None:
                    if key in self._def_cache:
                        raise Unsupported("recursive operator", _where(node))
                    self._def_cache[key] = None
                    cached = self._def_cache[key] = self.expr(d.body, _Env(entry.ctx), init)
                if args:
                    raise Unsupported("arguments to an operator without parameters", _where(node))
                return cached
            if _mentions(d.body, d.name):
                return self.recursive_call(entry, args, env, node, init)
            lets = []
            inner = self.bind_params(d.params, args, _Env(entry.ctx), env, node, lets=lets)
            return _with_lets(lets, self.expr(d.body, inner, init))
        if isinstance(entry, Builtin):
            return self.builtin(name, args, env, node, init, entry.definition)
        raise Unsupported(f"{type(entry).__name__} {name}", _where(node))

    def substitution(self, entry: Subst, args: tuple, env: _Env, node: Node, init: bool) -> Expr:
        """A constant or variable of an instantiated module, replaced by an outer expression
        (``WITH c <- e``, or the model's ``c <- Def``): that expression, lowered where it was
        written."""
        scope = entry.scope
        if entry.arity and scope is not None and not scope.bound and not scope.lets \
                and entry.node is not None and entry.node.kind in ("lambda", "name"):
            # Constraint <- LAMBDA s, l : TRUE: an operator argument, applied
            op = self.operator_argument(entry.node, entry.arity, _Env(scope.ctx), node)
            return self.call_entry(op, "", args, env, node, init)
        if entry.arity or args or scope is None or scope.lets or \
                any(b not in env.bind for b in scope.bound):
            raise Unsupported("an INSTANCE substitution with parameters or bound names", _where(node))
        # (bound names: a parameterised instance's parameters, bound where its definitions are
        # lowered: P(Succ) == INSTANCE M WITH Succ <- Succ)
        return self.expr(entry.node, _Env(scope.ctx, {b: env.bind[b] for b in scope.bound}), init)

    def instance_params(self, ctx: Any, env: _Env, node: Node) -> dict:
        """The values of a parameterised instance's parameters where one of its definitions
        calls another (bound when the first was entered: ``P(Succ)!Op``)."""
        if any(p not in env.bind for p in ctx.params):
            raise Unsupported("a definition of a parameterised INSTANCE", _where(node))
        return {p: env.bind[p] for p in ctx.params}

    def instance_definition(self, entry: Def, args: tuple, params: dict, env: _Env, node: Node,
                            init: bool) -> Expr:
        """``I(params)!Op(args)``: Op's body with the instance's parameters and its own bound."""
        d = entry.opdef
        if d.kind != "op" or _mentions(d.body, d.name):
            raise Unsupported("a recursive or function definition of a parameterised INSTANCE",
                              _where(node))
        lets: list = []
        inner = self.bind_params(d.params, args, _Env(entry.ctx, params), env, node, lets=lets)
        return _with_lets(lets, self.expr(d.body, inner, init))

    def instance_entry(self, node: Node, env: _Env) -> Any:
        """What ``I!Op`` names (``I`` an instance without parameters), as the interpreter's
        :meth:`~refute.tla.expressions.ExpressionCompiler.resolve_inst` finds it."""
        path, name, _ = node.args
        ctx = None
        for comp, args in path:
            entry = self.lookup(comp, env, node) if ctx is None else ctx.names.get(comp)
            if not isinstance(entry, InstDef) or args:
                raise Unsupported("a parameterised INSTANCE", _where(node))
            ctx = self.model.compiler.instance_ctx(entry)
        found = ctx.replaced.get(name) or ctx.names.get(name)
        if found is None:
            raise Unsupported(f"an unknown name of an instance ({name})", _where(node))
        return found

    def x_inst(self, node, env, init):
        path, name, args = node.args
        if len(path) == 1 and path[0][1]:  # a parameterised instance I(a)!Op(b)
            comp, inst_args = path[0]
            entry = self.lookup(comp, env, node)
            if not isinstance(entry, InstDef):
                raise Unsupported("a parameterised INSTANCE", _where(node))
            ctx = self.model.compiler.instance_ctx(entry)
            target = ctx.replaced.get(name) or ctx.names.get(name)
            if not isinstance(target, Def) or len(inst_args) != len(ctx.params):
                raise Unsupported("this definition of a parameterised INSTANCE", _where(node))
            params = {p: self.expr(a, env, init) for p, a in zip(ctx.params, inst_args)}
            return self.instance_definition(target, args, params, env, node, init)
        return self.call_entry(self.instance_entry(node, env), name, args, env, node, init)

    def recursive_call(self, entry: Def, args: tuple, env: _Env, node: Node, init: bool) -> Expr:
        """``F(args)`` of a recursive operator: its body is lowered once (per mode), with
        its parameters as locals, and becomes a C function (``rcall_op``)."""
        d = entry.opdef
        if any(arity for _, arity in d.params):
            raise Unsupported("recursive operator with operator parameters", _where(d))
        if len(args) != len(d.params):
            raise Unsupported("wrong number of arguments", _where(node))
        key = ("rec", id(entry), init)
        rec = self._def_cache.get(key)
        if rec is None:  # cached before its body is lowered: a call back to it, through other
            # operators of the module (mutual recursion), is a call of the same C function
            rec = self._def_cache[key] = RecursiveOperator()
            self.recursive_operator(rec, d.name, d.params, d.body, _Env(entry.ctx), init, node)
        return self.rcall_op(rec, args, env, node, init)

    def recursive_operator(self, rec: RecursiveOperator, name: str, params: tuple, body: Node,
                           outer: _Env, init: bool, node: Node) -> RecursiveOperator:
        """``rec`` made the operator ``name(params) == body`` (``body`` calls it), defined where
        ``outer`` holds: its parameters become locals and its calls ``rcall_op`` back to it."""
        if any(arity for _, arity in params):
            raise Unsupported("recursive operator with operator parameters", _where(node))
        locals_ = {p: E("local", (self.fresh(p),), "v", True) for p, _ in params}
        rec.params = tuple(x.args[0] for x in locals_.values())
        rec.body = self.expr(body, outer.with_items({**locals_, name: _RecOpRef(rec)}), init)
        self.steady_or_relower(rec)
        return rec

    def rcall_op(self, rec: RecursiveOperator, args: tuple, env: _Env, node: Node,
                 init: bool) -> Expr:
        if len(args) != len(rec.params):
            raise Unsupported("wrong number of arguments", _where(node))
        xs = tuple(self.expr(a, env, init) for a in args)
        return E("rcall_op", (rec, xs), "v", True)

    def bind_params(self, params: tuple, args: tuple, inner: _Env, outer: _Env, node: Node,
                    action: bool = False, lets: list | None = None) -> _Env:
        """``inner`` with the parameters bound to the arguments (lowered in ``outer``). In an
        action (``action``), an argument that is itself an action (``NoStutter(l0(self))``)
        is bound by name, to be lowered as an action where the body uses it: its assignments
        then happen in the body's order, as the interpreter evaluates them. Given ``lets``
        (a call in an expression), an argument worth sharing is bound to a "lazy" read of
        it and appended there, for the caller to wrap the body in its "shared"."""
        if len(params) != len(args):
            raise Unsupported("wrong number of arguments", _where(node))
        items = {}
        for (pname, arity), arg in zip(params, args):
            if arity:
                items[pname] = self.operator_argument(arg, arity, outer, node)
            elif action and not (arg.kind == "postfix" and arg.args[0] == "'") \
                    and self.is_action(arg, outer):  # (x' stays a value: Send(p, m, v, v'))
                items[pname] = _LetDef((), arg, outer, arg)
            else:
                value = self.expr(arg, outer, self._init)
                if lets is not None and not self._init and self.shareable(value):
                    name = self.fresh(pname)
                    lets.append((name, value))
                    value = E("lazy", (name, value), value.type, True)
                items[pname] = value
        return inner.with_items(items)

    def let_value(self, entry: _LetDef, init: bool) -> Expr:
        """A LET definition without parameters, used in its expression's body: lowered once,
        and where worth sharing, a "lazy" read of it (:meth:`x_let` declares it)."""
        found = entry.shared.get(init)
        if found is None:
            value = self.expr(entry.body, entry.env, init)
            if not init and self.shareable(value):
                value = E("lazy", (self.fresh("let"), value), value.type, True)
            found = entry.shared[init] = value
        return found

    def shareable(self, x: Expr) -> bool:
        """Whether ``x``, an operator's argument or a LET's value, is computed once where it is
        bound (the "shared" of a "lazy", evaluated at its first use, as TLC's LazyValue is)
        rather than at each use. Not: what costs nothing (a literal, a variable), what is
        computed once per run anyway (not ``dyn``), a set the emitter tests membership in
        from its description without building it (``SUBSET S``, ``[S -> T]``...), and what
        may have another value at another use: reading the next state (``x'``, ENABLED: the
        next state is assigned along the action), printing, or the interpreter's operators."""
        if not self.share or not x.dyn or x.op in _CHEAP or not _buildable(x):
            return False
        return not self._varies(x, set())

    def _varies(self, x: Any, seen: set) -> bool:
        """Whether an expression reachable from ``x`` is of :data:`_VARYING` (through the
        bodies of the recursive operators and functions it calls; one still being lowered
        is taken to vary)."""
        if isinstance(x, tuple):
            return any(self._varies(y, seen) for y in x)
        if isinstance(x, Expr):
            if id(x) in seen:
                return False
            seen.add(id(x))
            return x.op in _VARYING or self._varies(x.args, seen)
        if isinstance(x, (RecursiveOperator, RecursiveFunction)):
            parts = (x.body,) if isinstance(x, RecursiveOperator) else (x.domain, x.body)
            if any(p is None for p in parts):  # still being lowered (a call in its own body):
                self._assumed_steady[id(x)] = x  # checked once lowered (steady_or_relower)
                return False
            known = self._varying_recs.get(id(x))
            if known is not None:
                return known[1]
            if id(x) in self._open_recs:  # a call back into a body being searched adds nothing
                self._open_hits.add(id(x))
                return False
            self._open_recs.add(id(x))
            outer_hits, self._open_hits = self._open_hits, set()
            varies = self._varies(parts, set())
            self._open_recs.discard(id(x))
            self._open_hits.discard(id(x))
            if varies or not self._open_hits:  # (else it depends on a body still searched)
                self._varying_recs[id(x)] = (x, varies)
            self._open_hits |= outer_hits
            return varies
        return False

    def steady_or_relower(self, rec: RecursiveOperator | RecursiveFunction) -> None:
        """Once ``rec`` is lowered: a value shared in its own body was taken not to vary
        through its calls of ``rec``; if ``rec`` does vary (it reads the next state), that value
        may not be shared (:class:`_SharedTooSoon`)."""
        if self._assumed_steady.pop(id(rec), None) is not None and self._varies(rec, set()):
            raise _SharedTooSoon

    def is_action(self, arg: Node, env: _Env) -> bool:
        """Whether ``arg`` (written where ``env`` holds) is an action: a parameter bound to
        one, or an expression of TLA+'s action level."""
        if arg.kind == "name" and arg.args[0] in env.bind:
            bound = env.bind[arg.args[0]]
            return isinstance(bound, _LetDef) and not bound.params and \
                self.is_action(bound.body, bound.env)
        return self._levels.of(arg, Scope(env.ctx, tuple(env.bind))) >= ACTION

    def operator_argument(self, arg: Node, arity: int, outer: _Env, node: Node) -> _LetDef:
        if arg.kind == "lambda":
            params, body = arg.args
            names = tuple(p if isinstance(p, str) else p[0] for p in params)
            return _LetDef(tuple((p, 0) for p in names), body, outer, arg)
        if arg.kind == "name":
            name = arg.args[0]
            ps = tuple((f"\0{i}", 0) for i in range(arity))
            call = Node("app", (name, tuple(Node("name", (p,), arg.line, arg.col, arg.file)
                                            for p, _ in ps)), arg.line, arg.col, arg.file)
            return _LetDef(ps, call, outer, arg)
        if arg.kind == "opref" and arity in (1, 2):  # ReduceSet(\intersect, S, b): the symbol
            ps = tuple((f"\0{i}", 0) for i in range(arity))
            names = tuple(Node("name", (p,), arg.line, arg.col, arg.file) for p, _ in ps)
            applied = Node("infix" if arity == 2 else "prefix", (arg.args[0], *names), arg.line,
                           arg.col, arg.file)
            return _LetDef(ps, applied, outer, arg)
        raise Unsupported("this operator argument", _where(node))

    _init = False

    # ------------------------------------------------------------------ expressions
    def expr(self, node: Node, env: _Env, init: bool) -> Expr:
        saved, self._init = self._init, init
        try:
            method = getattr(self, "x_" + node.kind, None)
            if method is None:
                raise Unsupported(f"expression {node.kind}", _where(node))
            return method(node, env, init)
        finally:
            self._init = saved

    def x_num(self, node, env, init):
        return self.const(int(node.args[0]))

    def x_str(self, node, env, init):
        return self.const(node.args[0])

    def x_bool(self, node, env, init):
        return self.const(bool(node.args[0]))

    def x_paren(self, node, env, init):
        return self.expr(node.args[0], env, init)

    def x_name(self, node, env, init):
        return self.call(node.args[0], (), env, node, init)

    def x_app(self, node, env, init):
        return self.call(node.args[0], node.args[1], env, node, init)

    def overridden(self, name: str, node: Node, env: _Env, init: bool) -> Expr | None:
        """``Nat <- MCNat`` in the model: the built-in set's name stands for a definition."""
        entry = env.bind.get(name) or env.ctx.names.get(name)
        if isinstance(entry, (Def, Const, Subst, _LetDef)):
            return self.call_entry(entry, name, (), env, node, init)
        return None

    def x_set_nat(self, node, env, init):
        return self.overridden("Nat", node, env, init) or E("nat", (), "v", False)

    def x_set_int(self, node, env, init):
        return self.overridden("Int", node, env, init) or E("int_set", (), "v", False)

    def x_set_real(self, node, env, init):
        # the interpreter's Real holds the integers but is a value of its own (printed Real):
        # lowered only where the model overrides it (MCRealTime's Real == 0 .. MaxReal)
        real = self.overridden("Real", node, env, init)
        if real is None:
            raise Unsupported("the set Real", _where(node))
        return real

    def x_set_string(self, node, env, init):
        return E("string", (), "v", False)

    def x_set_bool(self, node, env, init):
        return E("boolean", (), "v", False)

    def x_at(self, node, env, init):
        at = env.bind.get("\0at")
        if at is None:
            raise Unsupported("@ outside EXCEPT", _where(node))
        return at

    def x_conj(self, node, env, init):
        items = tuple(self.expr(x, env, init) for x in node.args[0])
        return E("and", items, "b", _dyn(*items))

    def x_disj(self, node, env, init):
        items = tuple(self.expr(x, env, init) for x in node.args[0])
        return E("or", items, "b", _dyn(*items))

    def x_infix(self, node, env, init):
        op, a, b = node.args
        user = env.bind.get(op) or env.ctx.names.get(op)
        if isinstance(user, (Def, _LetDef)):
            return self.call(op, (a, b), env, node, init)
        if op in NATIVE_INFIX and isinstance(user, Builtin):  # Bags' (+), (-), \sqsubseteq
            return self.builtin(op, (a, b), env, node, init)
        if op in ("\\in", "\\notin") and b.kind == "prefix" and b.args[0] == "DOMAIN" \
                and self.is_ioenv(b.args[1], env):
            # "K" \in DOMAIN IOEnv: whether the run's environment has K, known now (the
            # interpreter's IOEnv is the environment when the model was loaded)
            x = self.expr(a, env, init)
            if x.op != "const" or not isinstance(self.pool[x.args[0]], str):
                raise Unsupported("DOMAIN IOEnv tested other than for a string", _where(node))
            has = self.pool[x.args[0]] in stdlib.ioenv()
            return E("bool", (has if op == "\\in" else not has,), "b", False)
        if op == "\\cdot":  # a boolean of the step (a PROPERTY's [][A \cdot B]_v)
            if init:
                raise Unsupported("action composition (\\cdot) in the initial predicate", _where(node))
            return E("composition", (self.action(a, env, init=False), self.expr(b, env, init=False),
                                     _where(node)), "b", True)
        x, y = self.expr(a, env, init), self.expr(b, env, init)
        d = _dyn(x, y)
        if op == "/\\":
            return E("and", (x, y), "b", d)
        if op == "\\/":
            return E("or", (x, y), "b", d)
        if op == "=>":
            return E("implies", (x, y), "b", d)
        if op == "<=>":
            return E("equiv", (x, y), "b", d)
        if op == "=":
            return E("eq", (x, y), "b", d)
        if op == "#":
            return E("neq", (x, y), "b", d)
        if op == "\\in":
            return E("in", (x, y), "b", d)
        if op == "\\notin":
            return E("not", (E("in", (x, y), "b", d),), "b", d)
        if op == "\\subseteq":
            return E("subseteq", (x, y), "b", d)
        if op == "\\supseteq":
            return E("subseteq", (y, x), "b", d)
        if op in _ARITH:
            return E(_ARITH[op], (x, y), "i", d)
        if op in _COMPARE:
            return E(_COMPARE[op], (x, y), "b", d)
        if op in _SETOPS:
            return E(_SETOPS[op], (x, y), "v", d)
        if op == "..":
            return E("range", (x, y), "v", d)
        if op == "\\o":
            return E("concat", (x, y), "v", d)
        if op == ":>":
            return E("single_fn", (x, y), "v", d)
        if op == "@@":
            return E("merge_fn", (x, y), "v", d)
        raise Unsupported(f"infix operator {op}", _where(node))

    def x_prefix(self, node, env, init):
        op, a = node.args
        user = env.bind.get(op) or env.ctx.names.get(op)
        if isinstance(user, (Def, _LetDef)):
            return self.call(op, (a,), env, node, init)
        if op == "UNCHANGED":  # e' = e for the variables of e
            indices = self.var_indices(a, env, 0)
            if indices is None:  # as a boolean of the step (a refinement's abstract action)
                if init:
                    raise Unsupported("UNCHANGED in the initial predicate", _where(node))
                e = self.expr(a, env, init)
                return E("eq", (_primed(e, node), e), "b", e.dyn)
            same = tuple(E("eq", (E("prime", (i,), "v", True), E("var", (i,), "v", True)), "b", True)
                         for i in indices)
            return E("and", same, "b", True)
        if op == "ENABLED":  # whether A has a successor (every variable assigned or not)
            if init:
                raise Unsupported("ENABLED in the initial predicate", _where(node))
            if cut_context(env.ctx, 0) is not None:
                # TLC evaluates it before the instance's substitution (refute.tla.enabled),
                # with slots for the cut variables that the native state does not have
                raise Unsupported("ENABLED written in an instance that substitutes its variables",
                                  _where(node))
            return E("enabled", (self.action(a, env, init=False),), "b", True)
        x = self.expr(a, env, init)
        if op == "~":
            return E("not", (x,), "b", x.dyn)
        if op == "-.":
            return E("neg", (x,), "i", x.dyn)
        if op == "SUBSET":
            return E("powerset", (x,), "v", x.dyn)
        if op == "UNION":
            return E("union", (x,), "v", x.dyn)
        if op == "DOMAIN":
            return E("domain", (x,), "v", x.dyn)
        raise Unsupported(f"{op} in an expression", _where(node))

    def x_postfix(self, node, env, init):
        op, a = node.args
        if op != "'" or init:
            raise Unsupported(f"primed expression {op}", _where(node))
        return _primed(self.expr(a, env, init), node)

    def x_if(self, node, env, init):
        c = self.expr(node.args[0], env, init)
        if c.op == "bool":  # a condition known now (IOEnv's): only the branch it takes
            return self.expr(node.args[1 if c.args[0] else 2], env, init)
        t, e = (self.expr(x, env, init) for x in node.args[1:])
        ty = _join(t, e)
        return E("if", (c, t, e), ty, _dyn(c, t, e))

    def x_case(self, node, env, init):
        arms = tuple((self.expr(c, env, init), self.expr(v, env, init)) for c, v in node.args[0])
        other = self.expr(node.args[1], env, init) if node.args[1] is not None else None
        values = [v for _, v in arms] + ([other] if other is not None else [])
        ty = values[0].type if all(v.type == values[0].type for v in values) else "v"
        dyn = any(c.dyn or v.dyn for c, v in arms) or (other is not None and other.dyn)
        return E("case", (arms, other), ty, dyn)

    def let_env(self, defs, env: _Env, node: Node) -> _Env:
        items: dict = {}
        inner = env
        for d in defs:
            if d.kind == "fn" or (d.kind == "op" and not d.params and d.body.kind == "fn"
                                  and _mentions(d.body, d.name)):
                items[d.name] = _RecFnDef(d, inner) if _mentions(d.body, d.name) else \
                    _LetDef((), d.body, inner, d)
            elif d.kind == "op":
                items[d.name] = _LetDef(tuple(d.params), d.body, inner, d)
            elif d.kind == "instance" and not d.params:
                # LET I == INSTANCE M: the module instantiated in the LET's module context,
                # as the interpreter's let_scope does (bound names are not substituted)
                key = ("let instance", id(d), id(env.ctx))
                if key not in self._def_cache:
                    self._def_cache[key] = InstDef(d, env.ctx)
                items[d.name] = self._def_cache[key]
            else:
                raise Unsupported(f"LET {d.kind}", _where(node))
            inner = env.with_items(items)
            for v in items.values():  # later definitions (and recursive ones) see earlier ones
                if not isinstance(v, InstDef):
                    v.env = inner
        return inner

    def x_let(self, node, env, init):
        out, lets = self.let_shared(node, env, init, self.expr)
        return _with_lets(lets, out)

    def let_shared(self, node: Node, env: _Env, init: bool, lower: Callable) -> tuple[Any, list]:
        """A LET's body lowered by ``lower`` (an expression's or an action's), and the
        (name, value) of its definitions without parameters worth sharing, outermost first:
        each computed at its first read, once per evaluation of the LET."""
        defs, body = node.args
        inner = self.let_env(defs, env, node)
        mine = [d for d in inner.bind.values() if isinstance(d, _LetDef) and d.env is inner
                and not d.params]
        for d in mine:
            d.shared = {}
        out = lower(body, inner, init)
        lets = [(x.args[0], x.args[1]) for d in mine for x in [d.shared.get(init)]
                if x is not None and x.op == "lazy"]
        return out, lets

    def x_set(self, node, env, init):
        items = tuple(self.expr(x, env, init) for x in node.args[0])
        return E("setenum", items, "v", _dyn(*items))

    def x_tuple(self, node, env, init):
        items = tuple(self.expr(x, env, init) for x in node.args[0])
        return E("tuple", items, "v", _dyn(*items))

    def x_times(self, node, env, init):
        items = tuple(self.expr(x, env, init) for x in node.args[0])
        return E("cross", items, "v", _dyn(*items))

    def binds(self, bounds, env: _Env, init: bool, node: Node) -> tuple[tuple, _Env]:
        out = []
        items = {}
        for pattern, s in bounds:
            if s is None:
                raise Unsupported("unbounded quantifier", _where(node))
            sx = self.expr(s, env, init)
            name = self.fresh("x")
            out.append((name, sx))
            element = E("local", (name,), "v", True)
            if isinstance(pattern, tuple):  # \E <<a, b>> \in S: the parts of each element
                if not all(isinstance(p, str) for p in pattern):
                    raise Unsupported("a nested tuple pattern", _where(node))
                for k, part in enumerate(pattern):
                    items[part] = E("tuple_part", (element, k + 1, len(pattern)), "v", True)
            else:
                items[pattern] = element
        return tuple(out), env.with_items(items)

    def x_forall(self, node, env, init):
        bounds, body = node.args
        bs, inner = self.binds(bounds, env, init, node)
        b = self.expr(body, inner, init)
        return E("forall", (bs, b), "b", _binder_dyn(bs, b))

    def x_exists(self, node, env, init):
        bounds, body = node.args
        bs, inner = self.binds(bounds, env, init, node)
        b = self.expr(body, inner, init)
        return E("exists", (bs, b), "b", _binder_dyn(bs, b))

    def x_choose(self, node, env, init):
        pattern, s, body = node.args
        if s is None:
            raise Unsupported("unbounded CHOOSE", _where(node))
        (bs, inner) = self.binds([(pattern, s)], env, init, node)
        b = self.expr(body, inner, init)
        return E("choose", (bs[0][0], bs[0][1], b), "v", _binder_dyn(bs, b))

    def x_filter(self, node, env, init):
        (pattern, s), pred = node.args
        (bs, inner) = self.binds([(pattern, s)], env, init, node)
        b = self.expr(pred, inner, init)
        return E("filter", (bs[0][0], bs[0][1], b), "v", _binder_dyn(bs, b))

    def x_setmap(self, node, env, init):
        body, bounds = node.args
        bs, inner = self.binds(bounds, env, init, node)
        b = self.expr(body, inner, init)
        return E("setmap", (bs, b), "v", _binder_dyn(bs, b))

    def x_fn(self, node, env, init):
        bounds, body = node.args
        (bs, inner) = self.binds(bounds, env, init, node)
        b = self.expr(body, inner, init)
        if len(bs) > 1:  # [x \in S, y \in T |-> e]: a function of the pairs <<x, y>>
            return E("fn_tuples", (bs, b), "v", _binder_dyn(bs, b))
        return E("fn", (bs[0][0], bs[0][1], b), "v", _binder_dyn(bs, b))

    def x_fnapp(self, node, env, init):
        f, args = node.args
        target = self.recursive_function(f, env) if f.kind == "name" else None
        if target is not None:
            rec = self.recursive(target, init, node)
            xs = tuple(self.expr(a, env, init) for a in args)  # f[a, b]: f applied to <<a, b>>
            x = xs[0] if len(xs) == 1 else E("tuple", xs, "v", _dyn(*xs))
            return E("rcall", (rec, x), "v", True)
        fx = self.expr(f, env, init)
        if len(args) != 1:
            xs = tuple(self.expr(a, env, init) for a in args)
            x = E("tuple", xs, "v", _dyn(*xs))
        else:
            x = self.expr(args[0], env, init)
        return E("apply", (fx, x), "v", _dyn(fx, x))

    def recursive_function(self, f: Node, env: _Env) -> _RecFnDef | None:
        """The recursive function ``f`` names (a LET's or a module's), if it is one."""
        name = f.args[0]
        if name in env.bind:
            bound = env.bind[name]
            return bound if isinstance(bound, _RecFnDef) else None
        entry = env.ctx.names.get(name)
        if not (isinstance(entry, Def) and entry.opdef.kind == "fn" and not entry.ctx.params
                and _mentions(entry.opdef.body, entry.opdef.name)):
            return None
        key = ("recfn", id(entry))
        found = self._def_cache.get(key)
        if found is None:
            found = self._def_cache[key] = _RecFnDef(entry.opdef, _Env(entry.ctx))
            found.env = _Env(entry.ctx, {entry.opdef.name: found})
        return found

    def recursive(self, d: _RecFnDef, init: bool, node: Node) -> RecursiveFunction:
        if d.ir is None:
            bounds, body = d.opdef.body.args
            if any(isinstance(pattern, tuple) for pattern, _ in bounds):
                raise Unsupported("a recursive function of a tuple pattern", _where(node))
            d.ir = rec = RecursiveFunction()
            bs, inner = self.binds(bounds, d.env, init, node)
            if len(bs) == 1:
                rec.param, rec.domain = bs[0]
            else:  # f[n \in Nat, v \in S]: a function of the tuples <<n, v>> of Nat \X S
                rec.param = self.fresh("x")
                whole = E("local", (rec.param,), "v", True)
                sets = tuple(sx for _, sx in bs)
                rec.domain = E("cross", sets, "v", _dyn(*sets))
                inner = d.env.with_items({
                    pattern: E("tuple_part", (whole, k + 1, len(bs)), "v", True)
                    for k, (pattern, _) in enumerate(bounds)})
            rec.body = self.expr(body, inner, init)
            self.steady_or_relower(rec)
        return d.ir

    def x_fnset(self, node, env, init):
        d, r = (self.expr(x, env, init) for x in node.args)
        return E("fnset", (d, r), "v", _dyn(d, r))

    def x_recset(self, node, env, init):
        fields = _sorted_fields(self, node.args[0], env, init)
        return E("recset", fields, "v", any(s.dyn for _, s in fields))

    def x_record(self, node, env, init):
        fields = _sorted_fields(self, node.args[0], env, init)
        return E("record", fields, "v", any(x.dyn for _, x in fields))

    def is_ioenv(self, node: Node, env: _Env) -> bool:
        """Whether ``node`` is IOUtils' ``IOEnv`` (the interpreter's: the environment)."""
        return node.kind == "name" and node.args[0] == "IOEnv" and \
            isinstance(env.bind.get("IOEnv") or env.ctx.names.get("IOEnv"), Builtin)

    def x_field(self, node, env, init):
        r, name = node.args
        if self.is_ioenv(r, env):
            # IOEnv.K: the variable's value, read only there (the rest of the environment
            # stays out of the generated code); unset, the interpreter's run reports it
            value = stdlib.ioenv().get(name)
            return self.const(value) if value is not None else E("interpreted", ("IOEnv",), "v", True)
        rx = self.expr(r, env, init)
        return E("apply", (rx, self.const(name)), "v", rx.dyn)

    def x_except(self, node, env, init):
        f, updates = node.args
        fx = self.expr(f, env, init)
        out = []
        at_name = self.fresh("at")
        at = E("local", (at_name,), "v", True)
        inner = env.extend(**{"\0at": at})
        for path, value in updates:
            keys = []
            for kind, arg in path:
                if kind == "fld":
                    keys.append(self.const(arg))
                elif len(arg) == 1:
                    keys.append(self.expr(arg[0], env, init))
                else:
                    xs = tuple(self.expr(a, env, init) for a in arg)
                    keys.append(E("tuple", xs, "v", _dyn(*xs)))
            out.append((tuple(keys), self.expr(value, inner, init)))
        dyn = fx.dyn or any(k.dyn for ks, _ in out for k in ks) or any(v.dyn for _, v in out)
        return E("except", (fx, tuple(out), at_name), "v", dyn)

    def x_subexpr(self, node, env, init):
        target, inner = self.subexpr_in(node, env)
        return self.expr(target, inner, init)

    def subexpr_in(self, node: Node, env: _Env, action: bool = False) -> tuple[Node, _Env]:
        """The expression ``Def!2!1`` selects (the interpreter's ``subexpr_target``) and the
        environment to lower it in: ``Def!(e1, ..., ek)``'s bound names as parameters given
        the ``e``'s."""
        path, _ = node.args
        if path[0][0] in env.bind:
            raise Unsupported("a subexpression of a LET definition", _where(node))
        try:
            target, scope, given = self.model.compiler.subexpr_target(node, Scope(env.ctx))
        except TLAError:
            raise Unsupported("this subexpression reference", _where(node)) from None
        if scope.lets:
            raise Unsupported("a subexpression with LET definitions", _where(node))
        return target, self.bind_params(tuple((x, 0) for x in scope.bound), given,
                                        _Env(scope.ctx), env, node, action=action)

    def builtin(self, name: str, args: tuple, env: _Env, node: Node, init: bool,
                definition: Def | None = None) -> Expr:
        """A native operator's IR: its own native form, else the module definition it
        replaces (the same value, e.g. refute's UndirectedGraphs' ConnectedComponents), else
        :class:`Unsupported`."""
        lowered = lower_native(self, name, args, env, node, init)
        if lowered is not None:
            return lowered
        if name == "SelectSeq" and len(args) == 2:
            seq = self.expr(args[0], env, init)
            test = self.operator_argument(args[1], 1, env, node)
            local = self.fresh("x")
            inner = test.env.with_items({test.params[0][0]: E("local", (local,), "v", True)})
            body = self.expr(test.body, inner, init)
            return E("selectseq", (seq, local, body), "v", seq.dyn or body.dyn)
        if name == "MapThenFoldSet" and len(args) == 5:
            return self.map_then_fold_set(args, env, node, init)
        if name == "IsInjective" and len(args) == 1:
            return self.is_injective(self.expr(args[0], env, init))
        if name == "RandomElement" and len(args) == 1:
            # the interpreter's RandomElement is deterministic: the first element in canonical
            # order, which is CHOOSE x \in S : TRUE (both fail on the empty set)
            s = self.expr(args[0], env, init)
            return E("choose", (self.fresh("x"), s, E("bool", (True,), "b", False)), "v", s.dyn)
        if name in ("Print", "PrintT") and len(args) == 2 - (name == "PrintT"):
            # printed each time it is evaluated, as the interpreter prints it: never a constant
            out = self.expr(args[0], env, init)
            then = self.expr(args[1], env, init) if name == "Print" else E("bool", (True,), "b", False)
            return E("print", (out, then, name == "Print"), then.type, True)
        if name == "IOEnv":
            raise Unsupported("IOEnv other than IOEnv.name or \"name\" \\in DOMAIN IOEnv", _where(node))
        if name == "Assert" and len(args) == 2:
            # TRUE where the condition holds; where it does not, the interpreter reports the
            # failed assertion (its message is a value, evaluated after the condition)
            cond, out = (self.expr(x, env, init) for x in args)
            if out.dyn:
                raise Unsupported("Assert with a message that depends on the state", _where(node))
            return E("if", (cond, E("bool", (True,), "b", False),
                            E("interpreted", ("Assert",), "b", True)), "b", cond.dyn)
        if name in _INTERPRETER_ONLY:
            # never evaluated natively: where the interpreter would evaluate it, the native
            # search stops and the interpreter runs the model (and refuses or performs it)
            return E("interpreted", (name,), "v", True)
        table = {("Cardinality", 1): ("card", "i"), ("Len", 1): ("len", "i"),
                 ("Append", 2): ("append", "v"), ("Head", 1): ("head", "v"),
                 ("Tail", 1): ("tail", "v"), ("SubSeq", 3): ("subseq", "v"),
                 ("Seq", 1): ("seqset", "v"), ("BOOLEAN", 0): ("boolean", "v"),
                 ("Nat", 0): ("nat", "v"), ("Int", 0): ("int_set", "v"),
                 ("STRING", 0): ("string", "v"), ("IsFiniteSet", 1): ("finite", "b"),
                 ("Max", 1): ("set_max", "i"), ("Min", 1): ("set_min", "i"),
                 ("Range", 1): ("range_of", "v"), ("ToSet", 1): ("range_of", "v")}
        op = table.get((name, len(args)))
        if op is None and definition is not None:
            return self.call_entry(definition, name, args, env, node, init)
        if op is None:  # (before its arguments: MapThenFoldSet's are operators)
            raise Unsupported(f"standard operator {name}", _where(node))
        xs = tuple(self.expr(a, env, init) for a in args)
        return E(op[0], xs, op[1], _dyn(*xs))

    def map_then_fold_set(self, args: tuple, env: _Env, node: Node, init: bool) -> Expr:
        """``MapThenFoldSet(op, base, f, choose, S)`` as Folds defines it (and
        :func:`refute.tla.community.map_then_fold_set` computes it): ``c1 = choose(S)``,
        ``c2 = choose(S \\ {c1})``, ..., then ``op(f(c1), op(f(c2), ... base))``, the first
        chosen applied last. A ``choose`` that returns no element of its argument is the
        interpreter's error to report."""
        op = self.operator_argument(args[0], 2, env, node)
        f = self.operator_argument(args[2], 1, env, node)
        choose = self.operator_argument(args[3], 1, env, node)
        base, s = self.expr(args[1], env, init), self.expr(args[4], env, init)
        x, acc, rest = self.fresh("x"), self.fresh("acc"), self.fresh("rest")
        chosen = self.expr(choose.body, choose.env.with_items(
            {choose.params[0][0]: E("local", (rest,), "v", True)}), init)
        fx = self.expr(f.body, f.env.with_items({f.params[0][0]: E("local", (x,), "v", True)}), init)
        body = self.expr(op.body, op.env.with_items({op.params[0][0]: fx,
                                                     op.params[1][0]: E("local", (acc,), "v", True)}),
                         init)
        return E("fold_chosen", (x, acc, s, base, body, rest, chosen), "v",
                 _dyn(s, base) or body.dyn or chosen.dyn)

    def is_injective(self, f: Expr) -> Expr:
        """Functions' IsInjective(f): \\A a, b \\in DOMAIN f : f[a] = f[b] => a = b, as the
        module defines it (and the interpreter evaluates it)."""
        dom = E("domain", (f,), "v", f.dyn)
        a, b = self.fresh("x"), self.fresh("x")
        la, lb = E("local", (a,), "v", True), E("local", (b,), "v", True)
        same = E("eq", (E("apply", (f, la), "v", True), E("apply", (f, lb), "v", True)), "b", True)
        body = E("implies", (same, E("eq", (la, lb), "b", True)), "b", True)
        return E("forall", (((a, dom), (b, dom)), body), "b", True)

    # ------------------------------------------------------------------ actions
    def action(self, node: Node, env: _Env, init: bool) -> Act:
        saved, self._init = self._init, init
        try:
            return self._action(node, env, init)
        finally:
            self._init = saved

    def _action(self, node: Node, env: _Env, init: bool) -> Act:
        k = node.kind
        user = None
        if k == "infix":
            user = env.bind.get(node.args[0]) or env.ctx.names.get(node.args[0])
        if k == "conj" or (k == "infix" and node.args[0] == "/\\" and user is None):
            items = node.args[0] if k == "conj" else node.args[1:]
            return Act("conj", tuple(self.action(x, env, init) for x in items))
        if k == "disj" or (k == "infix" and node.args[0] == "\\/" and user is None):
            items = node.args[0] if k == "disj" else node.args[1:]
            return Act("disj", tuple(self.action(x, env, init) for x in items))
        if k == "paren":
            return self.action(node.args[0], env, init)
        if k == "exists":
            bounds, body = node.args
            bs, inner = self.binds(bounds, env, init, node)
            return Act("exists", (bs, self.action(body, inner, init)))
        if k == "forall":
            # \A x \in S : A enumerates A for each x in turn, each extension of the
            # partial state going on to the next x: when A assigns nothing, that is one copy
            # of the state per combination of A's extensions (a condition when A is one)
            bounds, body = node.args
            bs, inner = self.binds(bounds, env, init, node)
            act = self.action(body, inner, init)
            if _guards_only(act):
                return Act("guard", (self.expr(node, env, init),))
            if _assigns(act):
                raise Unsupported("\\A over an action that assigns variables", _where(node))
            return Act("forall", (bs, act))
        if k == "if":
            c, t, e = node.args
            return Act("if", (self.expr(c, env, init), self.action(t, env, init),
                              self.action(e, env, init)))
        if k == "case":
            arms = tuple((self.expr(c, env, init), self.action(v, env, init)) for c, v in node.args[0])
            other = self.action(node.args[1], env, init) if node.args[1] is not None else None
            return Act("case", (arms, other))
        if k == "infix" and node.args[0] == "=>" and user is None:
            p, a = node.args[1], node.args[2]
            act = self.action(a, env, init)
            if _guards_only(act):
                return Act("guard", (self.expr(node, env, init),))
            return Act("implies", (self.expr(p, env, init), act))
        if k == "let":
            out, lets = self.let_shared(node, env, init, self.action)
            for name, value in reversed(lets):
                out = Act("shared", (name, value, out))
            return out
        if k == "prefix" and node.args[0] == "UNCHANGED":
            return self.unchanged(node.args[1], env, init, node)
        if k == "stutter":
            a, v = node.args
            return Act("disj", (self.action(a, env, init), self.unchanged(v, env, init, node)))
        if k == "infix" and node.args[0] == "\\cdot" and user is None:
            return self.compose(node, env, init)
        if k == "infix" and node.args[0] in ("=", "\\in") and user is None:
            target = self.assignable(node.args[1], env, init)
            if target is not None:
                rhs = self.expr(node.args[2], env, init)
                return Act("assign" if node.args[0] == "=" else "assign_in", (target, rhs))
        if k in ("name", "app", "inst"):
            if k == "inst":
                name, args = node.args[1], node.args[2]
                entry = self.instance_entry(node, env)
            else:
                name = node.args[0]
                args = node.args[1] if k == "app" else ()
                entry = self.lookup(name, env, node)
            if isinstance(entry, _LetDef):
                inner = self.bind_params(entry.params, args, entry.env, env, node, action=True)
                return self.action(entry.body, inner, init)
            if isinstance(entry, Def) and entry.opdef.kind == "op":
                if entry.ctx.params:
                    raise Unsupported("an action of a parameterised INSTANCE", _where(node))
                d = entry.opdef
                if _mentions(d.body, d.name):
                    raise Unsupported("recursive operator", _where(d))
                inner = self.bind_params(d.params, args, _Env(entry.ctx), env, node, action=True)
                return self.action(d.body, inner, init)
        if k == "subexpr":
            target, inner = self.subexpr_in(node, env, action=True)
            return self.action(target, inner, init)
        return Act("guard", (self.expr(node, env, init),))

    def compose(self, node: Node, env: _Env, init: bool) -> Act:
        r"""``A \cdot B``: both actions, and ``B`` as a boolean of a step (what the emitter
        tests where every variable is already assigned: the interpreter's
        ``_composition_holds``; None where ``B`` is not lowered as an expression, and the
        emitter then refuses that use alone)."""
        if init:  # the interpreter's error to report, located
            raise Unsupported("action composition (\\cdot) in the initial predicate", _where(node))
        a = self.action(node.args[1], env, init=False)
        b = self.action(node.args[2], env, init=False)
        known = set(self._def_cache)
        try:
            b_formula = self.expr(node.args[2], env, init=False)
        except Unsupported:
            b_formula = None
            for key in set(self._def_cache) - known:  # (definitions whose lowering failed
                if self._def_cache[key] is None:      # there, not recursive ones)
                    del self._def_cache[key]
        return Act("compose", (a, b, b_formula, _where(node)))

    def assignable(self, lhs: Node, env: _Env, init: bool) -> int | None:
        if init:
            if lhs.kind == "name" and lhs.args[0] not in env.bind:
                entry = env.ctx.names.get(lhs.args[0])
                if isinstance(entry, Var):
                    return entry.index
            if lhs.kind == "name" and isinstance(env.bind.get(lhs.args[0]), Expr) \
                    and env.bind[lhs.args[0]].op == "var":  # a parameter given x (call by name)
                return env.bind[lhs.args[0]].args[0]
            return None
        if lhs.kind == "name" and isinstance(env.bind.get(lhs.args[0]), Expr) \
                and env.bind[lhs.args[0]].op == "prime":  # a parameter given x' (call by name)
            return env.bind[lhs.args[0]].args[0]
        if lhs.kind == "postfix" and lhs.args[0] == "'":
            inner = lhs.args[1]
            if inner.kind == "name" and inner.args[0] not in env.bind:
                entry = env.ctx.names.get(inner.args[0])
                if isinstance(entry, Var):
                    return entry.index
            if inner.kind == "name" and isinstance(env.bind.get(inner.args[0]), Expr):
                e = env.bind[inner.args[0]]
                if e.op == "var":
                    return e.args[0]
        return None

    def unchanged(self, v: Node, env: _Env, init: bool, node: Node) -> Act:
        if init:
            raise Unsupported("UNCHANGED in the initial predicate", _where(node))
        indices = self.var_indices(v, env, 0)
        if indices is None:
            raise Unsupported("UNCHANGED of an expression other than variables", _where(node))
        return Act("conj", tuple(Act("keep", (i,)) for i in indices))

    def var_indices(self, v: Node, env: _Env, depth: int) -> tuple | None:
        if depth > 20:
            return None
        if v.kind == "tuple":
            out: tuple = ()
            for x in v.args[0]:
                sub = self.var_indices(x, env, depth + 1)
                if sub is None:
                    return None
                out += sub
            return out
        if v.kind == "paren":
            return self.var_indices(v.args[0], env, depth + 1)
        if v.kind == "name":
            b = env.bind.get(v.args[0])
            if isinstance(b, Expr):
                return (b.args[0],) if b.op == "var" else None
            if isinstance(b, _LetDef):
                return self.var_indices(b.body, b.env, depth + 1) if not b.params else None
            entry = env.ctx.names.get(v.args[0])
            if isinstance(entry, Var):
                return (entry.index,)
            if isinstance(entry, Subst) and entry.scope is not None and not entry.scope.bound \
                    and not entry.arity:
                return self.var_indices(entry.node, _Env(entry.scope.ctx), depth + 1)
            if isinstance(entry, Def) and not entry.opdef.params and entry.opdef.kind == "op":
                return self.var_indices(entry.opdef.body, _Env(entry.ctx), depth + 1)
        return None


def live_origins(model: Any) -> list[tuple]:
    """The liveness check's predicates the model's unfolder made (each ``(kind, node, scope,
    env)``), in the order it made them: the compiled model's ``live`` numbers."""
    unfolder = getattr(model, "_unfolder", None)
    return [] if unfolder is None else list(unfolder.origins.values())


def _or_none(lowering: Any, part: tuple) -> Expr | None:
    """A PROPERTY's part lowered, or None where it cannot be (its check is then made on the
    recorded states and steps, by the interpreter's code: the model still runs natively)."""
    try:
        return lowering(*part)
    except Unsupported:
        return None


def _primed(x: Any, node: Node) -> Any:
    """``e'``: the expression ``e`` (lowered) with every variable read in the next state
    (a shared value read in ``e`` is computed there, primed: its other uses are unprimed)."""
    if isinstance(x, Expr):
        if not x.dyn:
            return x
        if x.op == "var":
            return E("prime", x.args, x.type, True)
        if x.op == "lazy":
            return _primed(x.args[1], node)
        if x.op == "shared":
            return _primed(x.args[2], node)
        if x.op in ("prime", "rcall", "rcall_op", "enabled", "composition"):
            raise Unsupported("this primed expression", _where(node))
        return Expr(x.op, _primed(x.args, node), x.type, x.dyn)
    if isinstance(x, tuple):
        return tuple(_primed(y, node) for y in x)
    return x


_CHEAP = frozenset({"const", "bool", "int", "local", "var", "lazy", "tuple_part"})
"""Expressions as cheap to compute again as to read back."""

_VARYING = frozenset({"prime", "enabled", "composition", "print", "interpreted"})
"""Expressions whose value (or effect) may differ from one use to the next within one
evaluation: not shared (:meth:`Lowering.shareable`)."""

_DESCRIBED = frozenset({"nat", "int_set", "string", "seqset", "boolean", "powerset", "fnset",
                        "recset", "cross", "union", "range"})


def _buildable(x: Expr) -> bool:
    """Whether the set ``x`` (or any value) is built rather than tested from its description
    where the emitter meets ``e \\in x`` (emit_c's ``member``): sharing ``x`` builds it."""
    if x.op in _DESCRIBED:
        return False
    if x.op in ("cup", "cap", "minus"):
        return all(_buildable(y) for y in x.args)
    return True


def _binder_dyn(bs: tuple, body: Expr) -> bool:
    """``dyn`` of a construct binding the names of ``bs`` ((name, set) pairs) in ``body``:
    whether a set or the body depends on the state or on a name bound outside the construct
    (``{F(S, n) : n \\in 0..8}`` does not: it is computed once per run, not per state)."""
    if any(s.dyn for _, s in bs):
        return True
    uses: set = set()
    declared: set = {name for name, _ in bs}
    return _scan(body, uses, declared, set()) or not uses <= declared


_STATEFUL = frozenset({"var", "prime", "enabled", "composition", "print", "interpreted", "rcall",
                       "rcall_op"})
"""Expressions taken to depend on the state (a recursive operator or function: its body may)."""


def _scan(x: Any, uses: set, declared: set, seen: set) -> bool:
    """Whether ``x`` reads the state (:data:`_STATEFUL`); adds the locals it reads to
    ``uses`` and the names it declares to ``declared`` (locals are named uniquely by
    :meth:`Lowering.fresh`: a local read but not declared within is bound outside)."""
    if isinstance(x, tuple):
        return any(_scan(y, uses, declared, seen) for y in x)
    if isinstance(x, str):
        declared.add(x)
        return False
    if not isinstance(x, Expr) or not x.dyn or id(x) in seen:
        return False
    seen.add(id(x))
    if x.op == "local":
        uses.add(x.args[0])
        return False
    return x.op in _STATEFUL or _scan(x.args, uses, declared, seen)


def _with_lets(lets: list, body: Expr) -> Expr:
    """``body`` in the scope of the shared values ``lets`` ((name, value), the first
    outermost): each computed at its first "lazy" read, once per evaluation of the "shared"."""
    for name, value in reversed(lets):
        body = E("shared", (name, value, body), body.type, body.dyn)
    return body


def _sorted_fields(low: Lowering, fields, env, init) -> tuple:
    """Record fields as (pool atom, expression), in the order of the field names (a record's
    keys are sorted, in the runtime's order of atoms: TLC's, as ``tlc_key`` sorts them; the
    expressions keep their evaluation order in the emitter, which evaluates all before
    building)."""
    pairs = [(name, low.expr(x, env, init)) for name, x in fields]
    if len({n for n, _ in pairs}) != len(pairs):
        raise Unsupported("a record with a repeated field")
    return tuple((low.const(n), x) for n, x in sorted(pairs, key=lambda p: tlc_key(p[0])))


def _join(a: Expr, b: Expr) -> str:
    return a.type if a.type == b.type else "v"


def _guards_only(a: Act) -> bool:
    if a.op == "guard":
        return True
    if a.op == "conj":
        return all(_guards_only(x) for x in a.args)
    return False


def _assigns(a: Any) -> bool:
    if isinstance(a, Act):
        return a.op in ("assign", "assign_in", "keep") or any(_assigns(x) for x in a.args)
    if isinstance(a, (tuple, list)):
        return any(_assigns(x) for x in a)
    return False


def _mentions(node: Any, name: str) -> bool:
    if isinstance(node, Node):
        if node.kind in ("name", "app") and node.args[0] == name:
            return True
        return any(_mentions(a, name) for a in node.args)
    if isinstance(node, (tuple, list)):
        return any(_mentions(a, name) for a in node)
    if isinstance(node, OpDef):  # a LET definition inside
        return node.name != name and _mentions(node.body, name)
    return False


def _check_encodable(value: Any) -> None:
    if isinstance(value, (bool, int, str)):
        return
    if isinstance(value, (frozenset, tuple)):
        for x in value:
            _check_encodable(x)
        return
    if isinstance(value, FrozenMap):
        for k, x in value.items():
            _check_encodable(k)
            _check_encodable(x)
        return
    raise Unsupported(f"a constant of type {type(value).__name__}")


def lower(model: Any) -> IRModel:
    """The IR of ``model`` (a :class:`refute.tla.model.TLAModel`), or :class:`Unsupported`."""
    try:
        try:
            return Lowering(model).lower_model()
        except _SharedTooSoon:  # (rare: then every value is computed where it is used)
            return Lowering(model, share=False).lower_model()
    except RecursionError:  # operators inlined into each other without end (mutual recursion)
        raise Unsupported("mutually recursive operators (inlined without end)", model.source) from None
