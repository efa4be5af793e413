"""A Python spec (:class:`refute.spec.compile.SpecModel`) lowered to the IR.

The compiler reads the spec's methods (their source, through :mod:`ast`) with the spec
instance at hand: ``self.x`` is the attribute's value now (the ``-p`` parameters are
constants), the spec's own helper methods are inlined, and the state is symbolic (``s.x`` is
variable ``x``; ``s.update(...)`` a new assignment of some variables). What it takes:

* statements: ``x = e`` (and ``x += e``, tuple targets), ``if``/``elif``/``else``, ``return``,
  ``yield`` (and ``yield from self.helper(...)``), ``for`` over a collection known now
  (unrolled, in Python's own iteration order) or over the state's values, ``break`` and
  ``continue`` in unrolled loops, ``pass``; inside a loop over the state's values, a local
  set, dict or list built up (``x.add(e)``, ``d.setdefault(k, set()).add(e)``, ``l.append(e)``,
  ``d[k] = e``);
* expressions: ints, strings, ``None``, booleans, model values, tuples, lists, sets, dicts,
  ``Record``/``State``, ``r.f``, ``r.update(...)``, ``m[k]``, ``m.get``, ``m.set``,
  ``m.keys()``/``values()``/``items()``, comprehensions, ``and``/``or``/``not``, comparisons,
  ``in``, ``+ - * // % | &``, conditional expressions, ``len``, ``all``, ``any``, ``sum``,
  ``min``, ``max``, ``sorted`` (of integers), ``set``, ``frozenset``, ``tuple``, ``list``,
  ``abs``, ``bool``, ``range`` of constants; ``each(...)`` domains (attributes, collections,
  functions of the state); ``@invariant`` and ``@constraint`` (``@liveness`` and fairness are
  the engine's, on the native search's graph: :mod:`.python_spec`);
* helpers that return a value and the state (``return part, s``, unpacked where assigned);
  ``raise`` (a stop: the interpreter runs the spec and reports the error);
* a ``FrozenMap`` subclass with methods of its own (``TxnHistory``) kept whole in a state
  field: its methods and properties inlined with ``self`` the value, as helpers are. The
  native values do not keep its class, so the field must keep it (its class is its initial
  value's) and such a value is refused inside another value.

The order the interpreter generates successors in is kept: actions in declaration order, the
instances of an action in ``itertools.product`` order over the ``each`` domains (each domain
in the interpreter's order), the ``yield``\\s of an action in program order. A loop whose
order would decide the successors' order, but whose order in the interpreter is Python's
iteration order of a set of the state (set by string hashing), is refused: the native code
cannot reproduce it. For the same reason a list built from a set (``[m for m in s.msgs]``,
in hash order) may be measured (``len``, ``any``, ``all``, ``sum``, ``min``, ``max``, ``in``,
iterated to build a set or such a list) but not stored, compared or indexed.

Anything else raises :class:`~refute.compiled.ir.Unsupported` located at the spec's
``file:line``, and ``--backend auto`` runs the interpreter. Known differences of values that
are not checked: Python's ``True == 1`` (and ``ModelValue("a") == "a"``) across containers,
and integers beyond 64 bits; specs that rely on them are rare, and ``--verify`` shows them.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import itertools
import textwrap
from collections.abc import Callable
from typing import Any

from refute.compiled.ir import Act, ActionInstance, Expr, IRModel, Unsupported
from refute.engine.model import Label
from refute.spec.spec import Spec, outcome
from refute.values import Bag, FrozenMap, Record, freeze

_NO = object()  # "no constant value known"
_INT64 = (-(1 << 62), 1 << 62)
_MAX_UNROLL = 256


class PV:
    """A lowered Python value: its IR expression, what kind of value it is when known
    (``set``, ``map``, ``tuple``, ``keys``, ``rec``, ``int``, ``bool``, ``str``, ``none``),
    its value when it is known now, whether it is a list in an order the native code
    cannot reproduce (built from a set), and its class when it is a subclass of
    ``FrozenMap`` with methods of its own (``TxnHistory``), which calls of them inline."""

    __slots__ = ("e", "kind", "const", "unordered", "cls")

    def __init__(self, e: Expr | None, kind: str | None = None, const: Any = _NO,
                 unordered: bool = False, cls: type | None = None):
        self.e, self.kind, self.const, self.unordered, self.cls = e, kind, const, unordered, cls


class SymState:
    """The state of an action: each variable's new expression, or None for unchanged."""

    __slots__ = ("fields",)

    def __init__(self, fields: list):
        self.fields = fields


class SymTuple:
    """A tuple of which an item is the state (``return part, s`` of a helper), unpacked
    where it is assigned (``part, s = self.helper(s)``)."""

    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items


class _Self:
    """``self``: the spec instance."""


class _Builtin:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class _Method:
    __slots__ = ("function",)

    def __init__(self, function: Callable):
        self.function = function


class _LocalFunction:
    """A ``def`` inside a method: inlined where it is called, in the scope it was made in."""

    __slots__ = ("node", "env")

    def __init__(self, node: Any, env: dict):
        self.node, self.env = node, env


class _Global:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


_BUILTINS = {"len", "all", "any", "sum", "min", "max", "sorted", "set", "frozenset", "tuple",
             "list", "abs", "bool", "range", "int", "dict", "zip", "isinstance"}

STOP = Act("guard", (Expr("bool", (False,), "b", False),))


def E(op: str, args: tuple, ty: str = "v", dyn: bool = True) -> Expr:
    return Expr(op, args, ty, dyn)


def _dyn(*xs: Any) -> bool:
    return any(x.dyn for x in xs if isinstance(x, Expr))


class _Ctx:
    """Where a block of statements is: action (``act``) or expression (``expr``) code, a
    generator or not, what follows the block, and the targets of ``break``/``continue``."""

    __slots__ = ("mode", "generator", "after", "brk", "cont", "fold")

    def __init__(self, mode: str, generator: bool, after: Callable, brk=None, cont=None,
                 fold: bool = False):
        self.mode, self.generator, self.after = mode, generator, after
        self.brk, self.cont, self.fold = brk, cont, fold

    def but(self, **changes: Any) -> _Ctx:
        c = _Ctx(self.mode, self.generator, self.after, self.brk, self.cont, self.fold)
        for k, v in changes.items():
            setattr(c, k, v)
        return c


class _Function:
    """A method's parsed source, with its file and first line for locations."""

    __slots__ = ("node", "file", "first")

    def __init__(self, node: Any, file: str, first: int):
        self.node, self.file, self.first = node, file, first


class Lowering:
    def __init__(self, model: Any):
        self.model = model
        self.spec: Spec = model.spec
        self.pool: list[Any] = []
        self._pool_index: dict = {}
        self._locals = 0
        self.shapes: list[tuple[str, ...]] = []
        self.fields: tuple[str, ...] = ()
        self.set_vars: set[int] = set()
        self._parsed: dict = {}
        self._where: list[tuple[str, int]] = []
        self._depth = 0
        self._globals: list[dict] = []
        self.steps: list[Any] = []  # each IR action instance's Label, or its action (dynamic domain)
        self.var_classes: list[type | None] = []  # each variable's FrozenMap subclass, if any

    # ------------------------------------------------------------------ pool and names
    def fresh(self) -> str:
        self._locals += 1
        return f"l{self._locals}"

    def k(self, value: Any, node: Any = None) -> PV:
        """The constant ``value``."""
        if isinstance(value, range):
            value = tuple(value)
        if isinstance(value, (list, set, dict)):
            value = freeze(value)
        kind = _kind_of(value)
        if value is True or value is False:
            return PV(E("bool", (value,), "b", False), "bool", value)
        if type(value) is int:
            if not _INT64[0] <= value <= _INT64[1]:
                raise Unsupported("an integer beyond 62 bits", self.loc(node))
            return PV(E("int", (value,), "i", False), "int", value)
        self.check_encodable(value, node, nested=False)
        key = _strict(value)  # not the value: Python has {1: 0} == {1: False}
        n = self._pool_index.get(key)
        if n is None:
            n = self._pool_index[key] = len(self.pool)
            self.pool.append(value)
        return PV(E("const", (n,), "v", False), kind, value, cls=_own_class(value))

    def check_encodable(self, value: Any, node: Any, nested: bool = True) -> None:
        """Refuse what the native values cannot hold; a value of a class of its own
        (:func:`_own_class`) is held as a map, so only where its class is known again:
        a variable's whole value, or a value the lowering keeps track of (not ``nested``)."""
        if value is None or isinstance(value, (bool, str)):
            return
        if nested and _own_class(value) is not None:
            raise Unsupported(f"a {type(value).__name__} inside another value", self.loc(node))
        if type(value) is int:
            if not _INT64[0] <= value <= _INT64[1]:
                raise Unsupported("an integer beyond 62 bits", self.loc(node))
            return
        if isinstance(value, Record):
            self.shapes.append(value._names)
            for x in value._stored():
                self.check_encodable(x, node)
            return
        if isinstance(value, Bag):
            raise Unsupported("a Bag", self.loc(node))
        if isinstance(value, (tuple, frozenset)):
            for x in value:
                self.check_encodable(x, node)
            return
        if isinstance(value, FrozenMap):
            for key, x in value.items():
                self.check_encodable(key, node)
                self.check_encodable(x, node)
            return
        raise Unsupported(f"a value of type {type(value).__name__} ({_short(value)})", self.loc(node))

    def loc(self, node: Any) -> str | None:
        if not self._where:
            return self.model.source
        file, first = self._where[-1]
        line = getattr(node, "lineno", None)
        return f"{file}:{first + line - 1}" if line else f"{file}:{first}"

    def no(self, what: str, node: Any) -> Unsupported:
        return Unsupported(what, self.loc(node))

    def parse(self, function: Callable) -> _Function:
        function = getattr(function, "__func__", function)
        cached = self._parsed.get(function)
        if cached is not None:
            return cached
        try:
            lines, first = inspect.getsourcelines(function)
        except (OSError, TypeError):
            raise Unsupported(f"{getattr(function, '__qualname__', function)} (its source is not "
                              "available)") from None
        tree = ast.parse(textwrap.dedent("".join(lines)))
        node = tree.body[0]
        while isinstance(node, ast.ClassDef):  # pragma: no cover - defensive
            node = node.body[0]
        parsed = _Function(node, function.__code__.co_filename, first)
        self._parsed[function] = parsed
        return parsed

    # ------------------------------------------------------------------ model
    def lower_model(self) -> IRModel:
        m = self.model
        for present, what in ((m.view is not None, "view (state views)"),
                              (bool(m.symmetry), "symmetry")):
            if present:
                raise Unsupported(what, m.source)
        states = m.init_states()
        first = states[0]
        if not isinstance(first, Record):
            raise Unsupported("a state that is not a State(...) record", m.source)
        # A record's shape is its field names sorted, its values in that order (the stored
        # layout: records equal whatever order their fields were written in are one value).
        self.fields = first._names
        self.set_vars = {i for i, v in enumerate(first._stored()) if isinstance(v, frozenset)}
        self.var_classes = [_own_class(v) for v in first._stored()]
        for state in states[1:]:
            if [_own_class(v) for v in state._stored()] != self.var_classes:
                raise Unsupported("initial states whose fields are of different classes", m.source)
        self.shapes.append(self.fields)
        nv = len(self.fields)
        inits = []
        for state in states:
            items = tuple(Act("assign", (i, self.k(v).e)) for i, v in enumerate(state._stored()))
            inits.append(Act("conj", items))
        init = inits[0] if len(inits) == 1 else Act("disj", tuple(inits))
        labels = list(m.action_names)
        actions = []
        for act in m._actions:
            where = act.where
            if all(p.values is not None for p in act.parameters):
                names = tuple(p.name for p in act.parameters)
                for args in itertools.product(*(p.values for p in act.parameters)):
                    bound = {p.name: self.k(v) for p, v in zip(act.parameters, args)}
                    body = self.action(act, bound, {})
                    actions.append(ActionInstance(labels.index(act.name), body, where))
                    self.steps.append(Label(act.name, tuple(zip(names, args))))  # the interpreter's
            else:
                actions.append(ActionInstance(labels.index(act.name), self.dynamic_action(act), where))
                self.steps.append(act)

        invariants = [self.predicate(getattr(self.spec, p.name)) for p in m.invariants]
        constraints = [self.predicate(getattr(self.spec, p.name)) for p in m.constraints]
        terminal = [self.predicate(test, strict=False) for test in m._terminal]
        return IRModel(nv, self.pool, labels, init, actions, invariants, constraints=constraints,
                       init_where=m.source, terminal=terminal)

    def dynamic_action(self, act: Any) -> Act:
        """An action with a domain computed from the state: loops over the domains (the
        first outermost, as ``itertools.product``), its body inside."""
        fn = self.parse(act.function)
        defaults = _defaults(fn.node)
        bound: dict = {}
        loops = []
        for p in act.parameters:
            if p.values is not None:
                loops.append((p.name, self.k(p.values).e))
                continue
            self._where.append((fn.file, fn.first))
            try:
                domain = self.domain(p, defaults.get(p.name))
            finally:
                self._where.pop()
            loops.append((p.name, domain.e))
        locals_ = {}
        for name, _ in loops:
            c = self.fresh()
            locals_[name] = c
            bound[name] = PV(E("local", (c,)))
        body = self.action(act, bound, {})
        for name, source in reversed(loops):
            body = Act("exists", (((locals_[name], source),), body))
        return body

    def domain(self, p: Any, default: Any) -> PV:
        compute = p.compute
        state = SymState([None] * len(self.fields))
        if isinstance(default, ast.Call) and default.args and isinstance(default.args[0], ast.Lambda):
            lam = default.args[0]
            if len(lam.args.args) != 1:
                raise self.no("an each(lambda ...) of more than the state", lam)
            env = {lam.args.args[0].arg: state}
            self._globals.append(getattr(compute, "__globals__", {}))
            try:
                pv = self.ex(lam.body, env)
            finally:
                self._globals.pop()
        elif inspect.ismethod(compute) and compute.__self__ is self.spec:
            pv = self.inline(compute, [state], {}, default, None)
        else:
            raise self.no("this each(...) domain", default)
        if pv.unordered:
            raise self.no("an each(...) domain in hash order", default)
        return pv

    def action(self, act: Any, bound: dict, _: dict) -> Act:
        fn = self.parse(act.function)
        args = fn.node.args
        names = [a.arg for a in args.args]
        env: dict = {names[0]: _Self(), names[1]: SymState([None] * len(self.fields))}
        env.update(bound)
        ctx = _Ctx("act", act.generator, lambda env: STOP)
        return self.body(fn, act.function, env, ctx)

    def body(self, fn: _Function, function: Callable, env: dict, ctx: _Ctx) -> Any:
        self._where.append((fn.file, fn.first))
        self._globals.append(getattr(getattr(function, "__func__", function), "__globals__", {}))
        try:
            return self.block(fn.node.body, 0, env, ctx)
        finally:
            self._where.pop()
            self._globals.pop()

    def predicate(self, method: Callable, strict: bool = True) -> Expr:
        """A predicate of the state: an invariant or constraint must give True or False
        (``strict``: anything else is the interpreter's error to report), a terminal test
        is taken for its truth."""
        fn = self.parse(method)
        names = [a.arg for a in fn.node.args.args]
        if len(names) != 2:
            raise Unsupported("a predicate that takes more than the state",
                              f"{fn.file}:{fn.first}")
        env = {names[0]: _Self(), names[1]: SymState([None] * len(self.fields))}
        result = self.body(fn, method, env, _Ctx("expr", False, lambda env: self.k(None)))
        if not isinstance(result, PV):
            raise Unsupported("a predicate that returns a state", f"{fn.file}:{fn.first}")
        if result.e.type == "b":
            return result.e
        if not strict:
            return self.truth(result)
        return E("as_bool", (result.e,), "b", result.e.dyn)

    # ------------------------------------------------------------------ statements
    def block(self, stmts: list, i: int, env: dict, ctx: _Ctx) -> Any:
        """The statements ``stmts[i:]`` then ``ctx.after``, in continuation-passing style:
        an Act (action code) or a PV (expression code)."""
        if i == len(stmts):
            return ctx.after(env)
        st = stmts[i]
        rest = lambda env2: self.block(stmts, i + 1, env2, ctx)  # noqa: E731
        if isinstance(st, ast.Pass) or (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)):
            return rest(env)
        if isinstance(st, ast.Assign):
            if len(st.targets) != 1:
                raise self.no("a chained assignment", st)
            return self.assign(st.targets[0], self.ex(st.value, env), env, rest, st)
        if isinstance(st, ast.AnnAssign) and st.value is not None:
            return self.assign(st.target, self.ex(st.value, env), env, rest, st)
        if isinstance(st, ast.AugAssign):
            if not isinstance(st.target, ast.Name) or st.target.id not in env:
                raise self.no("this augmented assignment", st)
            value = self.binop(st.op, env[st.target.id], self.ex(st.value, env), st)
            return self.assign(st.target, value, env, rest, st)
        if isinstance(st, ast.If):
            test = self.ex(st.test, env)
            if test.const is not _NO:
                return self.block(st.body if test.const else st.orelse, 0, env, ctx.but(after=rest))
            c = self.truth(test)
            a = self.block(st.body, 0, env, ctx.but(after=rest))
            b = self.block(st.orelse, 0, env, ctx.but(after=rest))
            return self.node_if(c, a, b, ctx, st)
        if isinstance(st, ast.Return):
            if ctx.fold:
                raise self.no("return inside a loop over the state's values", st)
            return self.result(st.value, env, ctx, st)
        if isinstance(st, ast.Expr) and isinstance(st.value, (ast.Yield, ast.YieldFrom)):
            if ctx.mode != "act" or not ctx.generator or ctx.fold:
                raise self.no("yield here", st)
            y = st.value
            if isinstance(y, ast.YieldFrom):
                first = self.inline_act(y.value, env, generator=True)
            else:
                first = self.successor(y.value, env, st)
            return Act("disj", (first, rest(env)))
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
            return rest(self.mutation(st.value, env, st))
        if isinstance(st, ast.For):
            return self.loop(st, env, ctx, rest)
        if isinstance(st, ast.FunctionDef):
            a = st.args
            if st.decorator_list or a.vararg or a.kwarg or a.kwonlyargs or a.defaults \
                    or a.posonlyargs or _yields(st.body):
                raise self.no("a local function other than def f(x, y): ... returning a value", st)
            env = dict(env)
            env[st.name] = _LocalFunction(st, env)
            return rest(env)
        if isinstance(st, ast.Raise):
            # the interpreter's error to report, located: reached, the native search stops and
            # the interpreter runs the model (a spec's own check, e.g. TxnHistory's misuse)
            if ctx.fold:
                raise self.no("raise inside a loop over the state's values", st)
            if ctx.mode == "act":
                return Act("guard", (E("interpreted", ("raise",), "b", True),))
            return PV(E("interpreted", ("raise",), "v", True))
        if isinstance(st, ast.Break):
            if ctx.brk is None:
                raise self.no("break outside a loop over values known now", st)
            return ctx.brk(env)
        if isinstance(st, ast.Continue):
            if ctx.cont is None:
                raise self.no("continue outside a loop over values known now", st)
            return ctx.cont(env)
        raise self.no(f"the statement {type(st).__name__.lower()}", st)

    def assign(self, target: Any, value: Any, env: dict, rest: Callable, st: Any) -> Any:
        env = dict(env)
        if isinstance(target, ast.Name):
            if isinstance(value, PV) and value.const is _NO and value.e.op not in ("local", "var", "const"):
                name = self.fresh()
                env[target.id] = PV(E("local", (name,), "v", True), value.kind, _NO, value.unordered,
                                    value.cls)
                body = rest(env)
                return self.node_let(name, value, body)
            env[target.id] = value
            return rest(env)
        if isinstance(target, ast.Tuple) and isinstance(value, SymTuple):
            if len(value.items) != len(target.elts) or \
                    not all(isinstance(t, ast.Name) for t in target.elts):
                raise self.no("unpacking this value", st)
            for t, item in zip(target.elts, value.items):
                env[t.id] = item  # (each a value already bound or the state's new fields)
            return rest(env)
        if isinstance(target, ast.Tuple):
            if not isinstance(value, PV):
                raise self.no("unpacking this value", st)
            if value.const is not _NO:
                items = tuple(value.const) if isinstance(value.const, (tuple, list)) else None
                if items is None or len(items) != len(target.elts):
                    raise self.no("unpacking this value", st)
                for t, v in zip(target.elts, items):
                    if not isinstance(t, ast.Name):
                        raise self.no("a nested unpacking target", st)
                    env[t.id] = self.k(v, st)
                return rest(env)
            name = self.fresh()
            whole = PV(E("local", (name,)))
            for n, t in enumerate(target.elts):
                if not isinstance(t, ast.Name):
                    raise self.no("a nested unpacking target", st)
                env[t.id] = PV(E("py_item", (whole.e, self.k(n).e)))
            return self.node_let(name, value, rest(env))
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                and isinstance(env.get(target.value.id), PV):
            d = env[target.value.id]
            key = self.ex(target.slice, env)
            env[target.value.id] = PV(E("py_map_set", (d.e, self.stored(key, st).e,
                                                       self.stored(value, st).e)), "map", cls=d.cls)
            return rest(env)
        raise self.no(f"assigning to {ast.unparse(target)}", st)

    def node_let(self, name: str, value: PV, body: Any) -> Any:
        if isinstance(body, Act):
            return Act("let", (name, value.e, body))
        if isinstance(body, SymState):  # a helper returning a state: each new value binds it
            return SymState([None if f is None else E("let", (name, value.e, f), f.type, True)
                             for f in body.fields])
        if isinstance(body, SymTuple):
            return SymTuple([self.node_let(name, value, item) for item in body.items])
        return PV(E("let", (name, value.e, body.e), body.e.type, _dyn(value.e, body.e)),
                  body.kind, _NO, body.unordered, body.cls)

    def node_if(self, c: Expr, a: Any, b: Any, ctx: _Ctx, st: Any) -> Any:
        if ctx.mode == "act":
            return Act("if", (c, a, b))
        if isinstance(a, SymTuple) or isinstance(b, SymTuple):
            if not (isinstance(a, SymTuple) and isinstance(b, SymTuple)
                    and len(a.items) == len(b.items)):
                raise self.no("a helper that returns the state in a tuple on some paths only", st)
            return SymTuple([self.node_if(c, x, y, ctx, st) for x, y in zip(a.items, b.items)])
        if isinstance(a, SymState) or isinstance(b, SymState):
            if not (isinstance(a, SymState) and isinstance(b, SymState)):
                raise self.no("a helper that returns a state on some paths only", st)
            out = []
            for i, (x, y) in enumerate(zip(a.fields, b.fields)):
                if x is None and y is None:
                    out.append(None)
                    continue
                x = x if x is not None else E("var", (i,))
                y = y if y is not None else E("var", (i,))
                out.append(E("if", (c, x, y), "v", True))
            return SymState(out)
        ty = a.e.type if a.e.type == b.e.type else "v"
        return PV(E("if", (c, a.e, b.e), ty, _dyn(c, a.e, b.e)), *_joined(a, b))

    def result(self, value: Any, env: dict, ctx: _Ctx, st: Any) -> Any:
        if ctx.mode == "expr":
            if value is None:
                return self.k(None)
            return self.ex(value, env)
        if ctx.generator:  # a generator's return ends its successors (values are refused)
            return STOP
        return self.successor(value, env, st)

    def successor(self, value: Any, env: dict, st: Any) -> Act:
        """The Act that takes the step to the state ``value`` (or none, for None)."""
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            return STOP
        if isinstance(value, ast.IfExp):
            test = self.ex(value.test, env)
            if test.const is not _NO:
                return self.successor(value.body if test.const else value.orelse, env, st)
            return Act("if", (self.truth(test), self.successor(value.body, env, st),
                              self.successor(value.orelse, env, st)))
        if isinstance(value, ast.Call) and self.is_helper(value.func, env):
            return self.inline_act(value, env, generator=False)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                and isinstance(self.x_Name(value.func, env), _Global) \
                and self.x_Name(value.func, env).value is outcome:
            # outcome(name, state): the state (the name is the interpreter's, for its label)
            if len(value.args) != 2 or value.keywords:
                raise self.no("outcome(...) other than outcome(name, state)", value)
            return self.successor(value.args[1], env, st)
        result = self.ex(value, env)
        if isinstance(result, PV) and result.const is None:
            return STOP
        if not isinstance(result, SymState):
            raise self.no("an action result that is not the state (s.update(...))", value)
        return Act("conj", tuple(Act("keep", (i,)) if e is None else Act("assign", (i, e))
                                 for i, e in enumerate(result.fields)))

    def is_helper(self, func: Any, env: dict) -> bool:
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and isinstance(env.get(func.value.id), _Self) \
            and inspect.ismethod(getattr(self.spec, func.attr, None))

    def inline_act(self, call: Any, env: dict, generator: bool) -> Act:
        """``self.helper(...)``'s successors, the helper's body lowered as action code."""
        if not (isinstance(call, ast.Call) and self.is_helper(call.func, env)):
            raise self.no("yield from something other than a helper of the spec", call)
        method = getattr(self.spec, call.func.attr)
        if inspect.isgeneratorfunction(method) != generator:
            raise self.no("a helper whose results are not returned as the action's", call)
        args, kwargs = self.call_args(call, env)
        return self.inline(method, args, kwargs, call, _Ctx("act", generator, lambda env: STOP))

    def loop(self, st: Any, env: dict, ctx: _Ctx, rest: Callable) -> Any:
        source = self.ex(st.iter, env)
        if st.orelse:
            raise self.no("for ... else", st)
        if source.const is not _NO:
            items = list(source.const.keys() if isinstance(source.const, FrozenMap) else source.const)
            if len(items) > _MAX_UNROLL:
                raise self.no(f"a loop over {len(items)} values (more than {_MAX_UNROLL})", st)

            def iteration(n: int, env2: dict) -> Any:
                if n == len(items):
                    return rest(env2)
                bound = self.bind_const(st.target, items[n], env2, st)
                inner = ctx.but(after=lambda e: iteration(n + 1, e), brk=rest,
                                cont=lambda e: iteration(n + 1, e))
                return self.block(st.body, 0, bound, inner)

            return iteration(0, env)
        if ctx.mode == "act" and _yields(st.body):
            ordered = self.in_order(source, "a loop that yields over a set of the state (the "
                                    "interpreter's order of its successors is Python's hash "
                                    "order)", st)
            if _returns(st.body) or _breaks(st.body):
                raise self.no("return or break in a loop over the state's values", st)
            source = PV(ordered, source.kind)
            name = self.fresh()
            bound = self.bind_target(st.target, PV(E("local", (name,))), dict(env), st)
            body = self.block(st.body, 0, bound, ctx.but(after=lambda e: STOP, brk=None, cont=None))
            return Act("disj", (Act("exists", (((name, source.e),), body)), rest(env)))
        env, tmp, folded = self.fold(st, source, env)
        return self.node_let(tmp, folded, rest(env))

    def fold(self, st: Any, source: PV, env: dict) -> tuple[dict, str, PV]:
        """A loop over the state's values that builds up local values: one fold, whose
        value (the tuple of the locals it sets) is to be bound to the C local returned."""
        if _returns(st.body) or _breaks(st.body) or _yields(st.body):
            raise self.no("return, break or yield in a loop over the state's values", st)
        assigned = _assigned_names(st.body)
        accs = [n for n in assigned if n in env and isinstance(env[n], PV)]
        cnames = {n: self.fresh() for n in accs}
        name = self.fresh()
        inner = dict(env)
        for n in accs:
            inner[n] = PV(E("local", (cnames[n],)), env[n].kind, _NO, env[n].unordered, env[n].cls)
        inner = self.bind_target(st.target, PV(E("local", (name,))), inner, st)
        out = self.fold_block(st.body, inner, not _ordered_kind(source))
        tmp = self.fresh()
        accs_ir = tuple((cnames[n], self.ordered(env[n], st).e) for n in accs)
        updates = tuple(out[n].e for n in accs)
        folded = PV(E("fold", (accs_ir, ((name, source.e, (), ()),), updates)))
        env = dict(env)
        for j, n in enumerate(accs):
            env[n] = PV(E("py_item", (E("local", (tmp,)), self.k(j).e)), out[n].kind, _NO,
                        out[n].unordered, _same_class(out[n], env[n]))
        return env, tmp, folded

    def fold_block(self, stmts: list, env: dict, unordered: bool) -> dict:
        """The locals after ``stmts`` (a loop body of assignments, ifs and mutations)."""
        env = dict(env)
        for st in stmts:
            if isinstance(st, ast.Pass):
                continue
            if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                env[st.targets[0].id] = self.ex(st.value, env)
            elif isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name) and st.target.id in env:
                env[st.target.id] = self.binop(st.op, env[st.target.id], self.ex(st.value, env), st)
            elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Subscript):
                if unordered:
                    raise self.no("d[k] = v in a loop over a set (the last write wins in hash order)", st)
                t = st.targets[0]
                if not (isinstance(t.value, ast.Name) and isinstance(env.get(t.value.id), PV)):
                    raise self.no(f"assigning to {ast.unparse(t)}", st)
                env[t.value.id] = PV(E("py_map_set", (env[t.value.id].e, self.ex(t.slice, env).e,
                                                      self.ex(st.value, env).e)), "map")
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                env = self.mutation(st.value, env, st, unordered)
            elif isinstance(st, ast.If):
                test = self.ex(st.test, env)
                if test.const is not _NO:
                    env = self.fold_block(st.body if test.const else st.orelse, env, unordered)
                    continue
                c = self.truth(test)
                a = self.fold_block(st.body, env, unordered)
                b = self.fold_block(st.orelse, env, unordered)
                merged = dict(env)
                for n in set(a) | set(b):
                    x, y = a.get(n), b.get(n)
                    if x is y:
                        merged[n] = x
                    elif isinstance(x, PV) and isinstance(y, PV):
                        merged[n] = PV(E("if", (c, x.e, y.e), x.e.type if x.e.type == y.e.type else "v",
                                         True), x.kind if x.kind == y.kind else None, _NO,
                                       x.unordered or y.unordered, _same_class(x, y))
                    else:
                        raise self.no("a variable set on one branch only, in a loop", st)
                env = merged
            else:
                raise self.no(f"the statement {type(st).__name__.lower()} in a loop over the "
                              "state's values", st)
        return env

    def mutation(self, call: Any, env: dict, st: Any, unordered: bool = False) -> dict:
        """``x.add(e)``, ``l.append(e)``, ``d.setdefault(k, d0).add(e)`` on a local: the
        local rebound to the new value."""
        f = call.func
        if not isinstance(f, ast.Attribute) or len(call.args) != 1 or call.keywords:
            raise self.no(f"the call {ast.unparse(call)} as a statement", st)
        target = f.value
        env = dict(env)
        if isinstance(target, ast.Name) and isinstance(env.get(target.id), PV):
            cur = env[target.id]
            x = self.ex(call.args[0], env)
            if f.attr == "add":
                env[target.id] = PV(E("py_binop", ("or", cur.e, E("setenum", (self.ordered(x, st).e,))))
                                    , "set")
                return env
            if f.attr == "append":
                env[target.id] = PV(E("py_binop", ("add", cur.e, E("tuple", (self.ordered(x, st).e,)))),
                                    "tuple", _NO, cur.unordered or unordered)
                return env
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) \
                and target.func.attr == "setdefault" and isinstance(target.func.value, ast.Name) \
                and isinstance(env.get(target.func.value.id), PV) and len(target.args) == 2 \
                and f.attr == "add":
            d = env[target.func.value.id]
            key = self.ordered(self.ex(target.args[0], env), st)
            dflt = self.ordered(self.ex(target.args[1], env), st)
            x = self.ordered(self.ex(call.args[0], env), st)
            old = E("py_map_get", (d.e, key.e, dflt.e))
            new = E("py_binop", ("or", old, E("setenum", (x.e,))))
            env[target.func.value.id] = PV(E("py_map_set", (d.e, key.e, new)), "map")
            return env
        raise self.no(f"the call {ast.unparse(call)} as a statement", st)

    def bind_const(self, target: Any, value: Any, env: dict, st: Any) -> dict:
        env = dict(env)
        if isinstance(target, ast.Name):
            env[target.id] = self.k(value, st)
            return env
        if isinstance(target, ast.Tuple) and isinstance(value, tuple) and not isinstance(value, Record) \
                and len(value) == len(target.elts):
            for t, v in zip(target.elts, value):
                env = self.bind_const(t, v, env, st)
            return env
        raise self.no(f"the loop target {ast.unparse(target)}", st)

    def bind_target(self, target: Any, value: PV, env: dict, st: Any) -> dict:
        if isinstance(target, ast.Name):
            env[target.id] = value
            return env
        if isinstance(target, ast.Tuple):
            for n, t in enumerate(target.elts):
                env = self.bind_target(t, PV(E("py_item", (value.e, self.k(n).e))), env, st)
            return env
        raise self.no(f"the loop target {ast.unparse(target)}", st)

    # ------------------------------------------------------------------ expressions
    def ex(self, node: Any, env: dict) -> Any:
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            raise self.no(f"the expression {_short_node(node)}", node)
        return method(node, env)

    def val(self, node: Any, env: dict) -> PV:
        """An expression that must be a value (not the state, self or a function)."""
        v = self.ex(node, env)
        if not isinstance(v, PV):
            raise self.no(f"{_short_node(node)} used as a value", node)
        return v

    def ordered(self, pv: PV, node: Any) -> PV:
        if pv.unordered:
            raise self.no("a list built from a set (in Python's hash order) used where its "
                          "order matters", node)
        return pv

    def field_value(self, i: int, pv: PV, node: Any) -> PV:
        """``pv`` as the new value of state variable ``i``: of the variable's own class, if
        it has one (:func:`_own_class`), as the native values are read back with it."""
        if pv.cls is not self.var_classes[i] and pv.e.op != "interpreted":
            raise self.no(f"the field {self.fields[i]} given a value of another class than its "
                          "initial value's", node)
        return pv

    def stored(self, pv: PV, node: Any) -> PV:
        """``pv`` put inside another value: in an order the native code reproduces, and not
        of a class of its own, which the native values would not keep there."""
        if pv.cls is not None:
            raise self.no(f"a {pv.cls.__name__} stored inside another value", node)
        return self.ordered(pv, node)

    def in_order(self, pv: PV, refusal: str, node: Any) -> Expr:
        """``pv`` iterated where its order matters: a tuple's or a map's as it is; a value
        of a kind not known now, checked at run time not to be a set (whose order in the
        interpreter is Python's hash order: the run then falls back to the interpreter)."""
        if pv.unordered or pv.kind == "set" or (pv.e.op == "var" and pv.e.args[0] in self.set_vars):
            raise self.no(refusal, node)  # (a variable that starts as a set is taken for one)
        if _ordered_kind(pv):
            return pv.e
        return E("py_ordered", (pv.e,), "v", pv.e.dyn)

    def truth(self, pv: PV) -> Expr:
        if pv.const is not _NO:
            return E("bool", (bool(pv.const),), "b", False)
        if pv.e.type == "b":
            return pv.e
        return E("py_truth", (pv.e,), "b", pv.e.dyn)

    def integer(self, pv: PV) -> Expr:
        if pv.e.type == "i":
            return pv.e
        return E("py_int", (pv.e,), "i", pv.e.dyn)

    def x_Constant(self, node, env):
        return self.k(node.value, node)

    def x_Name(self, node, env):
        name = node.id
        if name in env:
            return env[name]
        g = self._globals[-1] if self._globals else {}
        if name in g:
            value = g[name]
        elif name in _BUILTINS:
            return _Builtin(name)
        elif hasattr(builtins, name):
            raise self.no(f"the builtin {name}", node)
        else:
            raise self.no(f"the name {name}", node)
        if value is Record or value is FrozenMap or value is outcome:
            return _Global(value)
        if callable(value) or inspect.ismodule(value):
            return _Global(value)
        return self.k(value, node)

    def x_Attribute(self, node, env):
        base = self.ex(node.value, env)
        attr = node.attr
        if isinstance(base, _Self):
            value = getattr(self.spec, attr, _NO)
            if value is _NO:
                raise self.no(f"self.{attr}, which the spec does not have", node)
            if inspect.ismethod(value):
                return _Method(value)
            if callable(value) and not isinstance(value, (FrozenMap, Bag)):
                raise self.no(f"self.{attr}, a function", node)
            return self.k(value, node)
        if isinstance(base, SymState):
            if attr not in self.fields:
                raise self.no(f"the state has no field {attr}", node)
            i = self.fields.index(attr)
            e = base.fields[i]
            cls = self.var_classes[i]
            return PV(e if e is not None else E("var", (i,)), "map" if cls else None, cls=cls)
        if isinstance(base, PV):
            if base.const is not _NO and isinstance(base.const, Record):
                return self.k(getattr(base.const, attr), node)
            member = None if base.cls is None else _own_member(base.cls, attr)
            if isinstance(member, property):  # a property of the value's class: inlined
                return self.inline(member.fget, [], {}, node, None, this=base)
            if member is not None:
                raise self.no(f"{base.cls.__name__}.{attr} (not a property)", node)
            self.ordered(base, node)
            self.shapes_need(attr)
            return PV(E("py_get", (base.e, attr), "v", base.e.dyn))
        raise self.no(f"the attribute {attr} of {_short_node(node.value)}", node)

    def shapes_need(self, attr: str) -> None:
        """(Field names are looked up in the shapes' tables; nothing to register.)"""

    def x_Subscript(self, node, env):
        base = self.val(node.value, env)
        if isinstance(node.slice, ast.Slice):
            sl = node.slice
            if sl.step is not None:
                raise self.no("a slice with a step", node)
            lo = self.val(sl.lower, env) if sl.lower is not None else self.k(None)
            hi = self.val(sl.upper, env) if sl.upper is not None else self.k(None)
            self.ordered(base, node)
            return PV(E("py_slice", (base.e, lo.e, hi.e), "v", _dyn(base.e, lo.e, hi.e)), "tuple")
        key = self.val(node.slice, env)
        if base.const is not _NO and key.const is not _NO:
            try:
                return self.k(base.const[key.const], node)
            except (KeyError, IndexError, TypeError):
                pass
        self.ordered(base, node)
        return PV(E("py_item", (base.e, key.e), "v", _dyn(base.e, key.e)))

    def x_Tuple(self, node, env):
        lowered = [self.ex(x, env) for x in node.elts]
        if any(isinstance(x, SymState) for x in lowered) and isinstance(node, ast.Tuple):
            if not all(isinstance(x, (SymState, PV)) for x in lowered):
                raise self.no(f"{_short_node(node)} used as a value", node)
            return SymTuple(lowered)
        for x, n in zip(lowered, node.elts):
            if not isinstance(x, PV):
                raise self.no(f"{_short_node(n)} used as a value", n)
        items = [self.stored(x, node) for x in lowered]
        if all(i.const is not _NO for i in items):
            return self.k(tuple(i.const for i in items), node)
        return PV(E("tuple", tuple(i.e for i in items), "v", _dyn(*(i.e for i in items))), "tuple")

    x_List = x_Tuple

    def x_Set(self, node, env):
        items = [self.stored(self.val(x, env), node) for x in node.elts]
        if all(i.const is not _NO for i in items):
            try:
                return self.k(frozenset(i.const for i in items), node)
            except TypeError:
                raise self.no("an unhashable set element", node) from None
        return PV(E("setenum", tuple(i.e for i in items), "v", _dyn(*(i.e for i in items))), "set")

    def x_Dict(self, node, env):
        pairs = []
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.no("** in a dict display", node)
            pairs.append((self.stored(self.val(k, env), node).e, self.stored(self.val(v, env), node).e))
        return PV(E("py_dict", tuple(pairs), "v", _dyn(*(x for p in pairs for x in p))), "map")

    def x_IfExp(self, node, env):
        test = self.val(node.test, env)
        if test.const is not _NO:
            return self.ex(node.body if test.const else node.orelse, env)
        a, b = self.val(node.body, env), self.val(node.orelse, env)
        ty = a.e.type if a.e.type == b.e.type else "v"
        return PV(E("if", (self.truth(test), a.e, b.e), ty, True), *_joined(a, b))

    def x_BoolOp(self, node, env):
        values = [self.val(v, env) for v in node.values]
        is_and = isinstance(node.op, ast.And)
        # constants decide at once where Python would stop
        live = []
        for v in values:
            if v.const is not _NO:
                if bool(v.const) != is_and:  # False in an and, True in an or: the result
                    if not live:
                        return v
                    live.append(v)
                    break
                continue
            live.append(v)
        if not live:
            return values[-1]
        if len(live) == 1:
            return live[0]
        if all(v.e.type == "b" for v in live):
            return PV(E("and" if is_and else "or", tuple(v.e for v in live), "b",
                        _dyn(*(v.e for v in live))), "bool")
        out = live[-1]
        for v in reversed(live[:-1]):
            c = self.truth(v)
            a, b = (out, v) if is_and else (v, out)
            ty = a.e.type if a.e.type == b.e.type else "v"
            out = PV(E("if", (c, a.e, b.e), ty, True))
        return out

    def x_UnaryOp(self, node, env):
        x = self.val(node.operand, env)
        if isinstance(node.op, ast.Not):
            if x.const is not _NO:
                return self.k(not x.const, node)
            return PV(E("not", (self.truth(x),), "b", x.e.dyn), "bool")
        if isinstance(node.op, ast.USub):
            if x.const is not _NO and type(x.const) is int:
                return self.k(-x.const, node)
            return PV(E("neg", (self.integer(x),), "i", x.e.dyn), "int")
        if isinstance(node.op, ast.UAdd):
            return x
        raise self.no("the operator ~", node)

    def x_BinOp(self, node, env):
        return self.binop(node.op, self.val(node.left, env), self.val(node.right, env), node)

    def binop(self, op: Any, a: PV, b: PV, node: Any) -> PV:
        if not isinstance(a, PV) or not isinstance(b, PV):
            raise self.no("an operation on the state or a function", node)
        if a.const is not _NO and b.const is not _NO:
            try:
                return self.k(_PYOPS[type(op)](a.const, b.const), node)
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                pass
        name = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "div",
                ast.Mod: "mod", ast.BitOr: "or", ast.BitAnd: "and"}.get(type(op))
        if name is None:
            raise self.no(f"the operator {type(op).__name__}", node)
        ints = a.e.type == "i" or b.e.type == "i" or a.kind == "int" or b.kind == "int"
        if name in ("add", "sub", "mul", "div", "mod") and (ints or name in ("mul", "div", "mod")):
            return PV(E(name, (self.integer(a), self.integer(b)), "i", _dyn(a.e, b.e)), "int")
        if name in ("sub", "or", "and"):
            self.ordered(a, node)
            self.ordered(b, node)
        kind = a.kind if a.kind == b.kind else None
        return PV(E("py_binop", (name, a.e, b.e), "v", _dyn(a.e, b.e)), kind, _NO,
                  a.unordered or b.unordered)

    def x_Compare(self, node, env):
        left = self.val(node.left, env)
        parts = []
        for op, right_node in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right_node, (ast.ListComp, ast.GeneratorExp)):
                right = self.comprehension("list", right_node, env, strict=False)  # order-free
            else:
                right = self.val(right_node, env)
            parts.append(self.compare(op, left, right, node))
            left = right
        if len(parts) == 1:
            return parts[0]
        if all(p.const is not _NO for p in parts):
            return self.k(all(p.const for p in parts), node)
        return PV(E("and", tuple(self.truth(p) for p in parts), "b", True), "bool")

    def compare(self, op: Any, a: PV, b: PV, node: Any) -> PV:
        if a.const is not _NO and b.const is not _NO:
            try:
                return self.k(bool(_PYCMP[type(op)](a.const, b.const)), node)
            except (KeyError, TypeError):
                pass
        d = _dyn(a.e, b.e)
        if isinstance(op, (ast.In, ast.NotIn)):
            self.ordered(a, node)
            e = E("py_in", (a.e, b.e), "b", d)
            return PV(e if isinstance(op, ast.In) else E("not", (e,), "b", d), "bool")
        if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            if isinstance(op, (ast.Is, ast.IsNot)) and not (a.const is None or b.const is None):
                raise self.no("'is' other than 'is None'", node)
            self.ordered(a, node)
            self.ordered(b, node)
            if a.e.type == "i" and b.e.type == "i":
                e = E("eq", (a.e, b.e), "b", d)
            else:
                e = E("py_eq", (a.e, b.e), "b", d)
            return PV(e if isinstance(op, (ast.Eq, ast.Is)) else E("not", (e,), "b", d), "bool")
        name = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}[type(op)]
        if a.e.type == "i" or b.e.type == "i" or a.kind == "int" or b.kind == "int":
            return PV(E(name, (self.integer(a), self.integer(b)), "b", d), "bool")
        self.ordered(a, node)
        self.ordered(b, node)
        return PV(E("py_compare", (name, a.e, b.e), "b", d), "bool")

    # comprehensions -------------------------------------------------------------------
    def generators(self, gens: list, env: dict, node: Any, strict: bool = False
                   ) -> tuple[tuple, dict, bool]:
        """The clauses of a comprehension as the emitter's (name, source, parts, conds),
        the environment inside, and whether the order of its elements is hash order.
        ``strict``: the order matters; a source of a kind not known now (a record's field, a
        map's value) is then checked at run time not to be a set (``py_ordered``)."""
        out = []
        env = dict(env)
        unordered = False
        for g in gens:
            if g.is_async:
                raise self.no("async comprehension", node)
            source = self.val(g.iter, env)
            if source.const is not _NO and not isinstance(source.const, (tuple, frozenset, FrozenMap)):
                raise self.no("iterating this value", node)
            if strict and not _ordered_kind(source) and not source.unordered \
                    and source.kind != "set" and not (source.e.op == "var"
                                                      and source.e.args[0] in self.set_vars):
                source = PV(E("py_ordered", (source.e,), "v", source.e.dyn), "tuple")
            unordered = unordered or not _ordered_kind(source)
            name = self.fresh()
            parts: list = []
            env = self._bind_parts(g.target, E("local", (name,)), env, parts, node)
            conds = tuple(self.truth(self.val(c, env)) for c in g.ifs)
            out.append((name, source.e, tuple(parts), conds))
        return tuple(out), env, unordered

    def _bind_parts(self, target: Any, value: Expr, env: dict, parts: list, node: Any) -> dict:
        if isinstance(target, ast.Name):
            env[target.id] = PV(value)
            return env
        if isinstance(target, ast.Tuple):
            for n, t in enumerate(target.elts):
                pname = self.fresh()
                parts.append((pname, E("py_item", (value, self.k(n).e))))
                env = self._bind_parts(t, E("local", (pname,)), env, parts, node)
            return env
        raise self.no(f"the target {ast.unparse(target)}", node)

    def comprehension(self, kind: str, node: Any, env: dict, strict: bool = True) -> PV:
        """``strict``: the order of a list's elements matters where it is used."""
        gens, inner, unordered = self.generators(node.generators, env, node,
                                                 strict and kind != "set")
        if kind == "dict":
            k = self.stored(self.val(node.key, inner), node)
            v = self.stored(self.val(node.value, inner), node)
            if unordered:
                raise self.no("a dict comprehension over a set (equal keys: the last wins in "
                              "hash order)", node)
            return PV(E("comp", ("dict", gens, (k.e, v.e))), "map")
        elt = self.stored(self.val(node.elt, inner), node)
        if kind == "set":
            return PV(E("comp", ("set", gens, elt.e)), "set")
        return PV(E("comp", ("list", gens, elt.e)), "tuple", _NO, unordered)

    def x_SetComp(self, node, env):
        return self.comprehension("set", node, env)

    def x_ListComp(self, node, env):
        return self.comprehension("list", node, env)

    def x_GeneratorExp(self, node, env):
        return self.comprehension("list", node, env)

    def x_DictComp(self, node, env):
        return self.comprehension("dict", node, env)

    def over(self, node: Any, env: dict) -> tuple[tuple, Expr | None, dict]:
        """``f(x for x in S if c)`` or ``f(S)``: the generator clauses and the element."""
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)) and not isinstance(node, ast.SetComp):
            gens, inner, _ = self.generators(node.generators, env, node)
            return gens, node.elt, inner
        source = self.val(node, env)
        name = self.fresh()
        return ((name, source.e, (), ()),), E("local", (name,)), env

    # calls ----------------------------------------------------------------------------
    def call_args(self, node: Any, env: dict) -> tuple[list, dict]:
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.no("*args in a call", node)
            args.append(self.ex(a, env))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.no("**kwargs in a call", node)
            kwargs[kw.arg] = self.ex(kw.value, env)
        return args, kwargs

    def x_Call(self, node, env):
        f = node.func
        if isinstance(f, ast.Attribute):
            base = self.ex(f.value, env)
            if isinstance(base, SymState):
                if f.attr != "update" or node.args:
                    raise self.no(f"s.{f.attr}(...) (the state has update(field=...))", node)
                fields = list(base.fields)
                for kw in node.keywords:
                    if kw.arg not in self.fields:
                        raise self.no(f"update of {kw.arg}, which is not a field of the state", node)
                    i = self.fields.index(kw.arg)
                    fields[i] = self.field_value(i, self.ordered(self.val(kw.value, env), node), node).e
                return SymState(fields)
            if isinstance(base, _Self):
                method = getattr(self.spec, f.attr, None)
                if not inspect.ismethod(method):
                    raise self.no(f"self.{f.attr}(...)", node)
                args, kwargs = self.call_args(node, env)
                return self.inline(method, args, kwargs, node, None)
            if isinstance(base, PV):
                return self.method_call(base, f.attr, node, env)
            raise self.no(f"the call {_short_node(node)}", node)
        callee = self.ex(f, env)
        if isinstance(callee, _LocalFunction):
            args, kwargs = self.call_args(node, env)
            params = [p.arg for p in callee.node.args.args]
            if kwargs or len(args) != len(params):
                raise self.no(f"a call of {callee.node.name} other than with its arguments in order", node)
            inner = dict(callee.env)
            inner[callee.node.name] = callee
            inner.update(zip(params, args))
            if self._depth > 20:
                raise self.no("a recursive local function", node)
            self._depth += 1
            try:
                return self.block(callee.node.body, 0, inner,
                                  _Ctx("expr", False, lambda env: self.k(None)))
            finally:
                self._depth -= 1
        if isinstance(callee, _Method):
            args, kwargs = self.call_args(node, env)
            return self.inline(callee.function, args, kwargs, node, None)
        if isinstance(callee, _Builtin):
            return self.builtin(callee.name, node, env)
        if isinstance(callee, _Global):
            if callee.value is Record:
                if node.args:
                    raise self.no("Record with positional arguments", node)
                names = tuple(kw.arg for kw in node.keywords)
                if any(n is None for n in names):
                    raise self.no("Record(**...)", node)
                values = [self.ordered(self.val(kw.value, env), node) for kw in node.keywords]
                if len(set(names)) != len(names):
                    raise self.no("a repeated field", node)
                names, values = map(tuple, zip(*sorted(zip(names, values), key=lambda p: p[0]))) \
                    if names else ((), ())  # the stored layout (evaluated above, in written order)
                self.shapes.append(names)
                if all(v.const is not _NO for v in values):
                    return self.k(Record(**dict(zip(names, (v.const for v in values)))), node)
                if names == self.fields:  # State(...) of every field: a new state
                    return SymState([self.field_value(i, v, node).e for i, v in enumerate(values)])
                for v in values:
                    self.stored(v, node)
                return PV(E("py_record", (names, tuple(v.e for v in values)), "v",
                            _dyn(*(v.e for v in values))), "rec")
            if _is_map_class(callee.value) and callee.value is not FrozenMap:
                if node.args or node.keywords:
                    raise self.no(f"{callee.value.__name__}(...) with arguments", node)
                return self.k(callee.value(), node)  # an empty one, as in init
            if callee.value in _CONSTANT_FUNCTIONS:  # of values known now: the result is too
                args, kwargs = self.call_args(node, env)
                if all(isinstance(a, PV) and a.const is not _NO for a in [*args, *kwargs.values()]):
                    value = callee.value(*(a.const for a in args),
                                         **{k: v.const for k, v in kwargs.items()})
                    return self.k(tuple(value), node)
            if callee.value is outcome:
                raise self.no("outcome(...) (performance models are interpreted)", node)
            raise self.no(f"calling {getattr(callee.value, '__name__', 'this function')}", node)
        raise self.no(f"the call {_short_node(node)}", node)

    def method_call(self, base: PV, attr: str, node: Any, env: dict) -> PV:
        member = None if base.cls is None else _own_member(base.cls, attr)
        if member is not None:  # a method of the value's own class: inlined, self = the value
            if not inspect.isfunction(member):
                raise self.no(f"{base.cls.__name__}.{attr} (not a plain method)", node)
            args, kwargs = self.call_args(node, env)
            return self.inline(member, args, kwargs, node, None, this=base)
        if attr in ("union", "difference") and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], ast.Starred):
            # s.difference(*sets): less their union
            sets = self.val(node.args[0].value, env)
            every = E("py_union_all", (sets.e,), "v", sets.e.dyn)
            op = "or" if attr == "union" else "sub"
            return PV(E("py_binop", (op, E("py_to_set", (base.e,), "v", base.e.dyn), every), "v",
                        _dyn(base.e, every)), "set")
        args, kwargs = self.call_args(node, env)
        vals = [a for a in args if isinstance(a, PV)]
        if len(vals) != len(args) or any(not isinstance(v, PV) for v in kwargs.values()):
            raise self.no(f"the method {attr} with these arguments", node)
        d = _dyn(base.e, *(v.e for v in vals), *(v.e for v in kwargs.values()))
        if attr == "update" and not args:  # a record's
            self.ordered(base, node)
            e = base.e
            for name, v in kwargs.items():
                e = E("py_rec_set", (e, name, self.stored(v, node).e), "v", d)
            return PV(e, "rec")
        if attr == "set" and len(vals) == 2 and not kwargs:  # of the map's class, as FrozenMap.set
            return PV(E("py_map_set", (self.ordered(base, node).e, self.stored(vals[0], node).e,
                                       self.stored(vals[1], node).e), "v", d), "map", cls=base.cls)
        if attr == "get" and 1 <= len(vals) <= 2 and not kwargs:
            dflt = vals[1] if len(vals) == 2 else self.k(None)
            return PV(E("py_map_get", (base.e, vals[0].e, self.ordered(dflt, node).e), "v", d))
        if attr in ("values", "items", "keys") and not vals and not kwargs:
            kind = {"values": "tuple", "items": "tuple", "keys": "keys"}[attr]
            return PV(E("py_" + attr, (base.e,), "v", d), kind)
        if attr in ("union", "intersection", "difference") and len(vals) == 1 and not kwargs:
            op = {"union": "or", "intersection": "and", "difference": "sub"}[attr]
            return PV(E("py_binop", (op, base.e, E("py_to_set", (vals[0].e,), "v", d)), "v", d), "set")
        if attr in ("issubset", "issuperset") and len(vals) == 1 and not kwargs:
            op = "le" if attr == "issubset" else "ge"
            return PV(E("py_compare", (op, base.e, E("py_to_set", (vals[0].e,), "v", d)), "b", d), "bool")
        raise self.no(f"the method {attr}", node)

    def builtin(self, name: str, node: Any, env: dict) -> PV:
        if name in ("min", "max") and len(node.args) == 1 and len(node.keywords) == 1 \
                and node.keywords[0].arg == "default":
            # max(xs, default=d): d for no xs
            xs = self.comprehension("list", node.args[0], env, strict=False) \
                if isinstance(node.args[0], (ast.ListComp, ast.GeneratorExp)) else self.val(node.args[0], env)
            dflt = self.val(node.keywords[0].value, env)
            tmp = self.fresh()
            local = E("local", (tmp,))
            empty = E("eq", (E("py_len", (local,), "i", True), E("int", (0,), "i", False)), "b", True)
            pick = E("if", (empty, dflt.e, E("py_" + name, (local,), "v", True)), "v", True)
            return PV(E("let", (tmp, xs.e, pick), "v", True))
        if node.keywords:
            raise self.no(f"{name}(...) with keyword arguments", node)
        n = len(node.args)
        if name in ("all", "any") and n == 1:
            gens, elt, inner = self.over(node.args[0], env)
            e = self.truth(self.val(elt, inner)) if isinstance(elt, ast.AST) else \
                E("py_truth", (elt,), "b", True)
            return PV(E(name, (gens, e), "b", True), "bool")
        if name == "sum" and n == 1:
            gens, elt, inner = self.over(node.args[0], env)
            e = self.integer(self.val(elt, inner)) if isinstance(elt, ast.AST) else E("py_int", (elt,), "i", True)
            return PV(E("sum", (gens, e), "i", True), "int")
        if name == "isinstance" and n == 2:
            kinds = {"int": (0, int), "bool": (1, bool), "str": (2, str)}
            t = node.args[1]
            if not (isinstance(t, ast.Name) and t.id in kinds and t.id not in env):
                raise self.no("isinstance(x, T) other than T = int, bool or str", node)
            number, kind = kinds[t.id]
            x = self.val(node.args[0], env)
            if x.const is not _NO:
                return self.k(isinstance(x.const, kind), node)
            return PV(E("py_isinstance", (x.e, number), "b", x.e.dyn), "bool")
        order_free = name in ("len", "min", "max", "set", "frozenset", "sorted")
        args = [self.comprehension("list", a, env, strict=False)
                if order_free and isinstance(a, (ast.ListComp, ast.GeneratorExp))
                else self.val(a, env) for a in node.args]
        if all(a.const is not _NO for a in args):
            try:
                return self.k(getattr(builtins, name)(*(a.const for a in args)), node)
            except (TypeError, ValueError):
                pass
        if name == "len" and n == 1:
            return PV(E("py_len", (args[0].e,), "i", args[0].e.dyn), "int")
        if name in ("min", "max") and n == 1:
            return PV(E("py_" + name, (args[0].e,), "v", args[0].e.dyn), "int")
        if name in ("min", "max") and n == 2:
            return PV(E(name + "2", (self.integer(args[0]), self.integer(args[1])), "i",
                        _dyn(args[0].e, args[1].e)), "int")
        if name == "abs" and n == 1:
            x = self.integer(args[0])
            return PV(E("if", (E("lt", (x, E("int", (0,), "i", False)), "b", x.dyn),
                               E("neg", (x,), "i", x.dyn), x), "i", x.dyn), "int")
        if name == "bool" and n == 1:
            return PV(self.truth(args[0]), "bool")
        if name == "int" and n == 1:
            return PV(self.integer(args[0]), "int")
        if name in ("set", "frozenset"):
            if n == 0:
                return self.k(frozenset(), node)
            if n == 1:
                return PV(E("py_to_set", (args[0].e,), "v", args[0].e.dyn), "set")
        if name in ("tuple", "list"):
            if n == 0:
                return self.k((), node)
            if n == 1:
                return PV(E("py_to_tuple", (args[0].e,), "v", args[0].e.dyn), "tuple", _NO,
                          args[0].unordered or not _ordered_kind(args[0]))
        if name == "sorted" and n == 1:
            return PV(E("py_sorted", (args[0].e,), "v", args[0].e.dyn), "tuple")
        if name == "range" and n in (1, 2):
            lo, hi = (self.k(0), args[0]) if n == 1 else args
            return PV(E("py_range", (self.integer(lo), self.integer(hi)), "v", _dyn(lo.e, hi.e)), "tuple")
        if name == "zip" and n == 2:
            a, b = (self.in_order(x, "zip of a set (in Python's hash order)", node) for x in args)
            return PV(E("py_zip", (a, b), "v", _dyn(a, b)), "tuple")
        if name == "dict" and n == 0:
            return self.k(FrozenMap(), node)
        if name == "dict" and n == 1:  # a copy of a map (of pairs: the interpreter's)
            return PV(args[0].e if args[0].kind == "map" else
                      E("py_to_map", (args[0].e,), "v", args[0].e.dyn), "map")
        raise self.no(f"{name}(...) with {n} argument(s)", node)

    def inline(self, method: Callable, args: list, kwargs: dict, node: Any, ctx: _Ctx | None,
               this: PV | None = None) -> Any:
        """The spec's helper ``method`` called with ``args``: its body, lowered in place;
        ``this``: the value whose method it is instead (of a class of its own), for ``self``."""
        if self._depth > 20:
            raise self.no("a recursive helper", node)
        fn = self.parse(method)
        a = fn.node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
            raise Unsupported("a helper with *args, **kwargs or keyword-only parameters",
                              f"{fn.file}:{fn.first}")
        params = [p.arg for p in a.args]
        env: dict = {params[0]: _Self() if this is None else this}
        defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
        values = list(args)
        for p in params[1:]:
            if values:
                env[p] = values.pop(0)
            elif p in kwargs:
                env[p] = kwargs.pop(p)
            elif p in defaults:
                env[p] = self.k(ast.literal_eval(defaults[p]))
            else:
                raise self.no(f"a call of {method.__name__} without {p}", node)
        if values or kwargs:
            raise self.no(f"a call of {method.__name__} with extra arguments", node)
        if ctx is None:
            if inspect.isgeneratorfunction(method):
                raise self.no(f"the generator {method.__name__} used as a value", node)
            ctx = _Ctx("expr", False, lambda env: self.k(None))
        self._depth += 1
        try:
            return self.body(fn, method, env, ctx)
        finally:
            self._depth -= 1

    def x_Lambda(self, node, env):
        raise self.no("lambda", node)


_CONSTANT_FUNCTIONS = (itertools.combinations, itertools.permutations, itertools.product)

_PYOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
          ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
          ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b}
_PYCMP = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
          ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
          ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
          ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
          ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}


def _strict(value: Any) -> Any:
    """A key equal only for values of the same types throughout (unlike ``==``)."""
    if isinstance(value, Record):
        return ("rec", value._names, tuple(_strict(v) for v in value._stored()))
    if isinstance(value, tuple):
        return ("tuple", tuple(_strict(v) for v in value))
    if isinstance(value, frozenset):
        return ("set", frozenset(_strict(v) for v in value))
    if isinstance(value, FrozenMap):
        return ("map", type(value), tuple((_strict(k), _strict(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _kind_of(value: Any) -> str | None:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Record):
        return "rec"
    if isinstance(value, tuple):
        return "tuple"
    if isinstance(value, frozenset):
        return "set"
    if isinstance(value, FrozenMap):
        return "map"
    return None


def _same_class(a: PV, b: PV) -> type | None:
    """The class of a value that is ``a`` or ``b``: theirs if they have the same, else none
    (a value of a class of its own is then refused where it is stored)."""
    return a.cls if a.cls is b.cls else None


def _joined(a: PV, b: PV) -> tuple:
    """What is known of a value that is ``a`` or ``b`` (PV's kind, const, unordered, cls);
    a ``raise`` (no value: the interpreter's error) takes the other's."""
    if a.e.op == "interpreted":
        a = b
    elif b.e.op == "interpreted":
        b = a
    return a.kind if a.kind == b.kind else None, _NO, a.unordered or b.unordered, _same_class(a, b)


def _own_class(value: Any) -> type | None:
    """``value``'s class if a subclass of ``FrozenMap`` (which methods of its own may extend)."""
    cls = type(value)
    return cls if cls is not FrozenMap and issubclass(cls, FrozenMap) else None


def _is_map_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, FrozenMap)


def _own_member(cls: type, attr: str) -> Any:
    """The member ``attr`` that ``cls`` (a subclass of ``FrozenMap``) defines itself, if any."""
    for klass in cls.__mro__:
        if klass is FrozenMap:
            return None
        if attr in klass.__dict__:
            return klass.__dict__[attr]
    return None


def _ordered_kind(pv: PV) -> bool:
    """Whether iterating ``pv`` goes in an order the native code reproduces: a tuple's, a
    map's keys (kept sorted), a constant's (unrolled); not a set's (hash order)."""
    return not pv.unordered and (pv.kind in ("tuple", "map", "keys") or pv.const is not _NO)


def _walk_body(stmts: list):
    for st in stmts:
        for node in ast.walk(st):
            if isinstance(node, (ast.FunctionDef, ast.Lambda)):
                continue
            yield node


def _yields(stmts: list) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_body(stmts))


def _returns(stmts: list) -> bool:
    return any(isinstance(n, ast.Return) for n in _walk_body(stmts))


def _breaks(stmts: list) -> bool:
    return any(isinstance(n, (ast.Break, ast.Continue)) for n in _walk_body(stmts))


def _assigned_names(stmts: list) -> list[str]:
    out: list[str] = []
    for n in _walk_body(stmts):
        names = []
        if isinstance(n, ast.Assign):
            for t in n.targets:
                names += [t.id] if isinstance(t, ast.Name) else \
                    [t.value.id] if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) else []
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            names.append(n.target.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            base = n.func.value
            if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
                base = base.func.value
            if isinstance(base, ast.Name) and n.func.attr in ("add", "append"):
                names.append(base.id)
        for name in names:
            if name not in out:
                out.append(name)
    return out


def _defaults(node: Any) -> dict:
    a = node.args
    params = [p.arg for p in a.args]
    return dict(zip(params[len(params) - len(a.defaults):], a.defaults))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _short_node(node: Any) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - only for a message
        return type(node).__name__
    return text if len(text) <= 50 else text[:47] + "..."


def lower(model: Any) -> tuple[IRModel, Lowering]:
    """The IR of a Python spec's model and its lowering (the record shapes it builds, its
    action instances' labels, its variables' classes), or :class:`Unsupported`."""
    low = Lowering(model)
    ir = low.lower_model()
    return ir, low

