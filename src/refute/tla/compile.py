"""TLA+ expressions compiled once to Python closures; never a tree walk per state.

Every expression becomes ``f(S, P, E)``: ``S`` the current state (a tuple of variable values
in declaration order, ``None`` when evaluating constants), ``P`` the next state (a tuple in
which unassigned variables hold :data:`UNSET`), ``E`` the tuple of bound values (quantifier
variables, operator parameters, LET parameters, ``@``), addressed by position resolved at
compile time.

Actions compile a second way (:meth:`Compiler.action`), to ``g(S, P, E)`` returning the
extensions of the partial next state ``P`` that satisfy the action, which is how TLC
enumerates successors: ``x' = e`` assigns ``x'`` if it is unassigned (else it tests), ``x' \\in
S`` branches over ``S``, ``UNCHANGED v`` assigns ``v' = v``, a disjunction or ``\\E`` branches,
``IF``/``CASE``/``LET`` and operator calls are followed, and any other conjunct is a guard.
``Init`` compiles the same way with unprimed variables in the role of primed ones.

Names resolve in a :class:`Context` (one per module instance: EXTENDS merge into it,
``INSTANCE`` makes a new one with its substitutions). An operator value (an argument to a
higher-order operator, a ``LAMBDA``) is a plain Python callable over evaluated arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from refute.values import FrozenMap
from refute.tla.parser import Instance, Node, OpDef
from refute.tla.values import (INT, NAT, REAL, STRING, LazyFn, LazySet, TLAError, apply_fn, as_set,
                               domain, make_fn, short, sorted_elements)

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


class Var:
    __slots__ = ("index", "name")

    def __init__(self, index: int, name: str):
        self.index, self.name = index, name


class Const:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Subst:
    """A constant or variable of an instantiated module, replaced by an outer expression."""

    __slots__ = ("fn", "arity", "node", "scope")

    def __init__(self, fn: Any, arity: int = 0, node: Any = None, scope: Any = None):
        self.fn, self.arity, self.node, self.scope = fn, arity, node, scope


class Builtin:
    __slots__ = ("fn", "arity", "op_args")

    def __init__(self, fn: Callable, arity: int, op_args: tuple = ()):
        self.fn, self.arity, self.op_args = fn, arity, op_args


class Def:
    """A user definition in a context, compiled on first use (value and action forms)."""

    __slots__ = ("opdef", "ctx", "value_fn", "action_fn", "busy", "const", "last")

    def __init__(self, opdef: OpDef, ctx: Context):
        self.opdef, self.ctx = opdef, ctx
        self.value_fn: Any = None
        self.action_fn: Any = None
        self.busy = False
        self.const: Any = None
        self.last: tuple = (None, None, None)  # (S, P, value) of the last state-dependent use


class InstDef:
    __slots__ = ("opdef", "ctx", "inner")

    def __init__(self, opdef: OpDef, ctx: Context):
        self.opdef, self.ctx = opdef, ctx
        self.inner: Context | None = None


class Context:
    """The names visible in one module instance; ``params`` prefix ``E`` of its definitions."""

    def __init__(self, compiler: Compiler, file: str | None, params: tuple[str, ...] = ()):
        self.compiler = compiler
        self.file = file
        self.names: dict[str, Any] = {}
        self.params = params
        contexts = getattr(compiler, "contexts", None)
        if contexts is not None:
            contexts.append(self)


def definition_key(entry: Any) -> Any:
    """What makes two entries the same definition (seen from different module instances); a
    module's :class:`OpDef` has the key of the entries made of it."""
    if isinstance(entry, Def):
        return ("def", id(entry.opdef))
    if isinstance(entry, OpDef):
        return ("def", id(entry))
    if isinstance(entry, Builtin):
        return ("builtin", entry.fn)
    return None


def apply_overrides(ctx: Context) -> None:
    """The model's ``Op <- Def`` replace ``Op`` wherever the same definition is visible (TLC
    overrides the definition itself, so also inside instantiated modules)."""
    for key, name, replacement in getattr(ctx.compiler, "def_overrides", ()):
        entry = ctx.names.get(name)
        if entry is not None and entry is not replacement and definition_key(entry) == key:
            ctx.names[name] = replacement


class Scope:
    """Compile-time scope: the context, the bound names (positions in ``E``), LET definitions."""

    __slots__ = ("ctx", "bound", "lets", "init")

    def __init__(self, ctx: Context, bound: tuple = (), lets: dict | None = None, init: bool = False):
        self.ctx, self.bound, self.init = ctx, bound, init
        self.lets = lets if lets is not None else {}

    def bind(self, *names: str) -> Scope:
        return Scope(self.ctx, self.bound + names, self.lets, self.init)


def _located(node: Node, exc: Exception) -> TLAError:
    if isinstance(exc, TLAError):
        if exc.node is None:
            exc.node = node
        return exc
    if isinstance(exc, RecursionError):
        return TLAError("recursion too deep (an unbounded recursive definition?)", node)
    return TLAError(f"{type(exc).__name__}: {exc}", node)


def _truth(v: Any, node: Node) -> bool:
    if v is True or v is False:
        return v
    raise TLAError(f"expected a boolean, got {short(v)}", node)


def _bool(f: Callable, node: Node) -> Callable:
    def g(S, P, E):
        v = f(S, P, E)
        if v is True or v is False:
            return v
        raise TLAError(f"expected a boolean, got {short(v)}", node)
    return g


def _int(v: Any) -> int:
    if type(v) is int:
        return v
    raise TLAError(f"expected an integer, got {short(v)}")


def _div(a, b):
    if b == 0:
        raise TLAError("division by zero")
    return _int(a) // _int(b)


def _mod(a, b):
    if _int(b) <= 0:
        raise TLAError(f"the second argument of % must be positive, got {b}")
    return _int(a) % b


def _range(a, b):
    return frozenset(range(_int(a), _int(b) + 1))


def _union(a, b):
    if _infinite(a) or _infinite(b):  # Nat \cup {-1}: kept lazy, a membership test
        return LazySet("Cup", a, b)
    a, b = as_set(a), as_set(b)
    if len(b) <= len(a) and b <= a:  # msgs \cup {m}, m already sent: the same set, not a copy
        return a
    return a | b


def _inter(a, b):
    if _infinite(a) and _infinite(b):
        return LazySet("Cap", a, b)
    if _infinite(a):
        return frozenset(x for x in as_set(b) if x in a)
    if _infinite(b):
        return frozenset(x for x in as_set(a) if x in b)
    return as_set(a) & as_set(b)


def _infinite(s: Any) -> bool:
    return isinstance(s, LazySet) and s.kind in ("Nat", "Int", "Real", "STRING", "Seq", "Diff", "Cap", "Cup")


def _minus(a, b):
    if _infinite(a):
        return LazySet("Diff", a, b)
    return as_set(a) - as_set(b)


def _subseteq(a, b):
    if isinstance(b, LazySet):
        return all(x in b for x in as_set(a))
    return as_set(a) <= b


def _in(a, b):
    if isinstance(b, (frozenset, LazySet)):
        try:
            return a in b
        except TypeError:
            return False
    raise TLAError(f"\\in applied to a non-set {short(b)}")


def _concat(a, b):
    if type(a) is tuple and type(b) is tuple:
        return a + b
    if type(a) is str and type(b) is str:
        return a + b
    raise TLAError(f"\\o applied to {short(a)} and {short(b)}")


def _colon_gt(a, b):
    return make_fn({a: b})


def _atat(f, g):
    from refute.tla.values import fn_to_dict
    merged = fn_to_dict(g)
    merged.update(fn_to_dict(f))
    return make_fn(merged)


def _lt(a, b):
    return _int(a) < _int(b)


def _gt(a, b):
    return _int(a) > _int(b)


def _le(a, b):
    return _int(a) <= _int(b)


def _ge(a, b):
    return _int(a) >= _int(b)


def _add(a, b):
    return _int(a) + _int(b)


def _sub(a, b):
    return _int(a) - _int(b)


def _mul(a, b):
    return _int(a) * _int(b)


def _pow(a, b):
    return _int(a) ** _int(b)


def _eq(a, b):
    return a == b


def _neq(a, b):
    return a != b


INFIX: dict[str, Callable] = {
    "+": _add, "-": _sub, "*": _mul, "\\div": _div, "%": _mod, "^": _pow, "..": _range,
    "<": _lt, ">": _gt, "=<": _le, ">=": _ge, "=": _eq, "#": _neq,
    "\\cup": _union, "\\cap": _inter, "\\": _minus, "\\subseteq": _subseteq,
    "\\subset": lambda a, b: _subseteq(a, b) and as_set(a) != as_set(b),
    "\\supseteq": lambda a, b: _subseteq(b, a),
    "\\supset": lambda a, b: _subseteq(b, a) and as_set(a) != as_set(b),
    "\\in": _in, "\\notin": lambda a, b: not _in(a, b), "\\o": _concat,
    ":>": _colon_gt, "@@": _atat,
}


_LOGIC = {"/\\", "\\/", "=>", "<=>", "=", "#", "\\in", "\\notin"}


class Compiler:
    """Compiles expressions of the modules a spec is made of; one per spec."""

    def __init__(self, variables: tuple[str, ...]):
        self.variables = variables
        self.nvars = len(variables)
        self.unset_state = (UNSET,) * len(variables)
        self.init_actions: dict[int, Callable] = {}
        self.contexts: list = []
        self.def_overrides: list = []
        self.action_levels: dict[int, tuple] = {}  # id(OpDef) -> (OpDef, whether its body is an action)
        self.reads: dict[tuple[int, int], frozenset | None] = {}  # (id(OpDef), id(Context))
        self.reading: dict[tuple[int, int], int] = {}  # definitions being read -> depth
        self.cycle = 1 << 30  # the least depth of one of them called recursively

    # ------------------------------------------------------------ resolution
    def lookup(self, scope: Scope, name: str, node: Node) -> Any:
        if name in scope.lets:
            return scope.lets[name]
        entry = scope.ctx.names.get(name)
        if entry is None:
            raise TLAError(f"unknown operator or variable '{name}'", node)
        return entry

    def bound_index(self, scope: Scope, name: str) -> int | None:
        b = scope.bound
        for i in range(len(b) - 1, -1, -1):
            if b[i] == name:
                return i
        return None

    def def_value_fn(self, d: Def) -> Callable:
        if d.value_fn is not None:
            return d.value_fn
        if d.busy:  # recursion: bind late
            return lambda S, P, E: d.value_fn(S, P, E)
        d.busy = True
        try:
            opdef = d.opdef
            scope = Scope(d.ctx, d.ctx.params + tuple(p for p, _ in opdef.params))
            if opdef.kind == "fn":
                body = self.fn_literal(opdef.body, scope, lazy=True)
            else:
                body = self.expr(opdef.body, scope)
            d.value_fn = body
        finally:
            d.busy = False
        return d.value_fn

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

    def instance_ctx(self, inst: InstDef) -> Context:
        if inst.inner is None:
            from refute.tla.modules import instantiate
            inst.inner = instantiate(self, inst.ctx, inst.opdef.body,
                                     tuple(p for p, _ in inst.opdef.params))
        return inst.inner

    # ------------------------------------------------------------ operator values
    def op_value(self, node: Node, scope: Scope, arity: int) -> Callable:
        """An argument for an operator parameter of ``arity``: ``f(S,P,E) -> callable``."""
        k = node.kind
        if k == "lambda":
            params, body = node.args
            n = len(scope.bound)
            fn = self.expr(body, scope.bind(*(p for p, _ in params)))
            return lambda S, P, E: (lambda *a: fn(S, P, E[:n] + a))
        if k == "opref":
            name = node.args[0]
            node = Node("name", (name,), node.line, node.col, node.file)
            k = "name"
        if k == "name":
            name = node.args[0]
            i = self.bound_index(scope, name)
            if i is not None:
                return lambda S, P, E: E[i]
            if name in scope.lets or name in scope.ctx.names:
                return self.callable_of(self.lookup(scope, name, node), scope, node)
            if name in INFIX:
                f = INFIX[name]
                return lambda S, P, E: f
            if name == "-." or name == "-":
                return lambda S, P, E: (lambda a, b=None: -a if b is None else a - b)
        if k == "inst":
            entry = self.resolve_inst(node, scope)
            return self.callable_of(entry, scope, node)
        f = self.expr(node, scope)  # an ordinary expression: a constant operator
        return lambda S, P, E: (lambda *a: f(S, P, E))

    def callable_of(self, entry: Any, scope: Scope, node: Node) -> Callable:
        if isinstance(entry, Builtin):
            fn = entry.fn
            return lambda S, P, E: fn
        if isinstance(entry, Def):
            prefix = len(entry.ctx.params)
            body = self.def_value_fn(entry)
            if prefix:
                return lambda S, P, E: (lambda *a: body(S, P, E[:prefix] + a))
            return lambda S, P, E: (lambda *a: body(S, P, a))
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            body = d.value_fn
            return lambda S, P, E: (lambda *a: body[0](S, P, E[:depth] + a))
        if isinstance(entry, Subst):
            fn = entry.fn
            return lambda S, P, E: fn(S, P, E)
        if isinstance(entry, Const):
            v = entry.value
            return lambda S, P, E: v
        raise TLAError("not an operator", node)

    def resolve_inst(self, node: Node, scope: Scope) -> Any:
        path, name, _ = node.args
        ctx = scope.ctx
        entry: Any = None
        for comp, args in path:
            entry = self.lookup(Scope(ctx), comp, node) if entry is None or not isinstance(entry, Context) \
                else entry.names.get(comp)
            if isinstance(entry, InstDef):
                if args:
                    raise TLAError("parameterised instances are applied with their arguments", node)
                ctx = self.instance_ctx(entry)
                entry = ctx
            else:
                raise TLAError(f"'{comp}' is not a module instance", node)
        found = ctx.names.get(name)
        if found is None:
            raise TLAError(f"the instance has no definition '{name}'", node)
        return found

    # ------------------------------------------------------------ expressions
    def expr(self, node: Node, scope: Scope) -> Callable:
        method = getattr(self, "x_" + node.kind, None)
        if method is None:
            raise TLAError(f"refute cannot evaluate this construct ({node.kind}) here", node)
        return method(node, scope)

    def x_num(self, node, scope):
        return _constant(node.args[0])

    x_str = x_bool = x_num

    def _overridden(self, name: str, node: Node, scope: Scope) -> Callable | None:
        """``Nat <- MCNat`` in the model: the built-in set's name stands for a definition."""
        entry = scope.ctx.names.get(name)
        if isinstance(entry, (Def, Const, Subst)) or (isinstance(entry, tuple) and entry[0] == "let"):
            return self.apply_entry(entry, (), node, scope)
        return None

    def x_set_nat(self, node, scope):
        return self._overridden("Nat", node, scope) or (lambda S, P, E: NAT)

    def x_set_int(self, node, scope):
        return self._overridden("Int", node, scope) or (lambda S, P, E: INT)

    def x_set_string(self, node, scope):
        return lambda S, P, E: STRING

    def x_set_bool(self, node, scope):
        v = frozenset((False, True))
        return lambda S, P, E: v

    def x_set_real(self, node, scope):
        return self._overridden("Real", node, scope) or (lambda S, P, E: REAL)

    def x_paren(self, node, scope):
        inner = node.args[0]
        if inner.kind == "times":
            return self.x_times(inner, scope)
        return self.expr(inner, scope)

    def x_name(self, node, scope):
        name = node.args[0]
        i = self.bound_index(scope, name)
        if i is not None:
            return _bound(i)
        entry = self.lookup(scope, name, node)
        return self.apply_entry(entry, (), node, scope)

    def x_at(self, node, scope):
        i = self.bound_index(scope, "@")
        if i is None:
            raise TLAError("@ outside of an EXCEPT", node)
        return lambda S, P, E: E[i]

    def apply_entry(self, entry: Any, args: tuple, node: Node, scope: Scope) -> Callable:
        """A call of ``entry`` (variable, constant, definition, builtin) on argument nodes."""
        if isinstance(entry, Var):
            return _variable(entry.index)
        if isinstance(entry, Const):
            v = entry.value
            if args:
                if callable(v):
                    fs = [self.expr(a, scope) for a in args]
                    return lambda S, P, E: v(*[f(S, P, E) for f in fs])
                raise TLAError("a constant takes no arguments", node)
            return _constant(v)
        if isinstance(entry, Subst):
            fn = entry.fn
            if entry.arity:
                fs = [self.expr(a, scope) for a in args]
                return lambda S, P, E: fn(S, P, E)(*[f(S, P, E) for f in fs])
            return fn
        if isinstance(entry, Builtin):
            fn = entry.fn
            fs = [self.op_value(a, scope, 1) if i in entry.op_args else self.expr(a, scope)
                  for i, a in enumerate(args)]
            if len(args) != entry.arity and entry.arity >= 0:
                raise TLAError(f"wrong number of arguments ({len(args)}, expected {entry.arity})", node)
            if not fs:
                try:
                    v = fn() if entry.arity == 0 else fn
                except TLAError as exc:  # an error where it is evaluated, as in TLC, not here
                    return _failing(_located(node, exc))
                return lambda S, P, E: v
            if len(fs) == 1:
                f0, = fs

                def call1(S, P, E):
                    try:
                        return fn(f0(S, P, E))
                    except TLAError as exc:
                        raise _located(node, exc) from None
                    except Exception as exc:
                        raise _located(node, exc) from exc
                return call1
            if len(fs) == 2:
                f0, f1 = fs

                def call2(S, P, E):
                    try:
                        return fn(f0(S, P, E), f1(S, P, E))
                    except TLAError as exc:
                        raise _located(node, exc) from None
                    except Exception as exc:
                        raise _located(node, exc) from exc
                return call2

            def calln(S, P, E):
                try:
                    return fn(*[f(S, P, E) for f in fs])
                except TLAError as exc:
                    raise _located(node, exc) from None
                except Exception as exc:
                    raise _located(node, exc) from exc
            return calln
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            params = d.opdef.params
            if len(args) != len(params):
                raise TLAError(f"{d.opdef.name} takes {len(params)} arguments", node)
            fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
                  for a, (_, ar) in zip(args, params)]
            cell = d.value_fn
            if not fs:
                def let_ref(S, P, E):
                    # TLC evaluates a LET definition once per evaluation of its LET (a lazy
                    # value): remembered here for the last (state, partial next state, bound
                    # values) it was evaluated with, so `mset` used in `maxbal`, `val` and a
                    # quantifier body is computed once, not once per use.
                    env = E[:depth]
                    last = d.last
                    if last[0] is S and last[1] is P and last[2] == env:
                        return last[3]
                    v = cell[0](S, P, env)
                    d.last = (S, P, env, v)
                    return v
                return let_ref
            return lambda S, P, E: cell[0](S, P, E[:depth] + tuple(f(S, P, E) for f in fs))
        if isinstance(entry, Def):
            params = entry.opdef.params
            if len(args) != len(params):
                raise TLAError(f"{entry.opdef.name} takes {len(params)} arguments, "
                               f"not {len(args)}", node)
            fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
                  for a, (_, ar) in zip(args, params)]
            prefix = len(entry.ctx.params)
            if not fs and not prefix:
                return self.zero_arity(entry, node)
            body = self.def_value_fn(entry)
            if len(fs) == 1 and not prefix:
                f0, = fs

                def call_def1(S, P, E):
                    try:
                        return body(S, P, (f0(S, P, E),))
                    except TLAError as exc:
                        raise _located(node, exc) from None
                    except Exception as exc:
                        raise _located(node, exc) from exc
                return call_def1

            def call_def(S, P, E):
                try:
                    return body(S, P, E[:prefix] + tuple([f(S, P, E) for f in fs]))
                except TLAError as exc:
                    raise _located(node, exc) from None
                except Exception as exc:
                    raise _located(node, exc) from exc
            return call_def
        if isinstance(entry, InstDef):
            raise TLAError(f"{entry.opdef.name} is a module instance: use {entry.opdef.name}!Op", node)
        if callable(entry):  # an operator parameter held in E
            raise TLAError("internal: unexpected operator entry", node)
        raise TLAError("cannot evaluate this name", node)

    def zero_arity(self, d: Def, node: Node) -> Callable:
        """A reference to a definition without parameters: constant ones are computed once;
        a state-dependent one is remembered, since a spec refers to the same definition
        (``vmem``, ``mset``) from several conjuncts and actions of one state. A state-level
        definition (no prime, no UNCHANGED, in it or what it calls) depends on the state only:
        remembered for the last two states it was evaluated in (a step check evaluates it on
        both the state and the next); an action-level one for the last (state, partial next
        state) pair. States are compared by identity and held, so an id cannot be reused while
        remembered; the value depends on nothing else (a zero-arity definition sees no bound
        variables)."""
        body = self.def_value_fn(d)
        state_level = d.opdef.kind == "op" and not self._def_is_action(d)

        def constant():
            c = d.const
            if c is None:
                try:
                    d.const = (True, body(None, None, ()))
                except Exception:
                    d.const = (False,)
            return d.const

        def evaluate(S, P):
            try:
                return body(S, P, ())
            except TLAError as exc:
                raise _located(node, exc) from None
            except Exception as exc:
                raise _located(node, exc) from exc

        if state_level:
            d.last = (None, None, None, None)

            def state_ref(S, P, E):
                c = d.const or constant()
                if c[0]:
                    return c[1]
                last = d.last
                if S is not None:
                    if last[0] is S:
                        return last[1]
                    if last[2] is S:
                        return last[3]
                v = evaluate(S, P)
                d.last = (S, v, last[0], last[1])
                return v
            return state_ref

        def ref(S, P, E):
            c = d.const or constant()
            if c[0]:
                return c[1]
            last = d.last
            if last[0] is S and last[1] is P and S is not None:
                return last[2]
            v = evaluate(S, P)
            d.last = (S, P, v)
            return v
        return ref

    def x_app(self, node, scope):
        name, args = node.args
        i = self.bound_index(scope, name)
        if i is not None:
            fs = [self.expr(a, scope) for a in args]
            return lambda S, P, E: E[i](*[f(S, P, E) for f in fs])
        return self.apply_entry(self.lookup(scope, name, node), args, node, scope)

    def x_inst(self, node, scope):
        path, name, args = node.args
        if path and path[0][1]:  # parameterised instance I(a)!Op(b)
            comp, inst_args = path[0]
            entry = self.lookup(scope, comp, node)
            if not isinstance(entry, InstDef):
                raise TLAError(f"'{comp}' is not a module instance", node)
            inner = self.instance_ctx(entry)
            target = inner.names.get(name)
            if not isinstance(target, Def):
                raise TLAError(f"the instance has no definition '{name}'", node)
            fs = [self.expr(a, scope) for a in inst_args + args]
            body = self.def_value_fn(target)
            return lambda S, P, E: body(S, P, tuple(f(S, P, E) for f in fs))
        entry = self.resolve_inst(node, scope)
        return self.apply_entry(entry, args, node, scope)

    def subexpr_target(self, node: Node, scope: Scope) -> tuple[Node, Scope]:
        """The expression ``Def!2!1`` selects and the scope to compile it in: ``n`` is the n-th
        conjunct/disjunct of a list, or the n-th operand of an operator; ``:`` is the body."""
        path, navs = node.args
        (name, args) = path[-1]
        if args:
            raise TLAError("a subexpression of an operator applied to arguments is not supported", node)
        if len(path) == 1:
            entry = self.lookup(scope, name, node)
        else:
            entry = self.resolve_inst(Node("inst", (path[:-1], name, ()), node.line, node.col, node.file),
                                      scope)
        if not isinstance(entry, Def) or entry.opdef.kind != "op" or entry.opdef.params or entry.ctx.params:
            raise TLAError(f"'{name}' is not a definition without parameters", node)
        target, tscope = entry.opdef.body, Scope(entry.ctx, (), init=scope.init)
        for nav in navs:
            while target.kind in ("paren", "label"):
                target = target.args[0] if target.kind == "paren" else target.args[-1]
            if nav == ":":
                continue
            k = target.kind
            if k in ("conj", "disj"):
                items = target.args[0]
            elif k in ("infix",):
                items = target.args[1:]
            elif k == "prefix":
                items = target.args[1:]
            elif k == "app":
                items = target.args[1]
            elif k == "if":
                items = target.args
            else:
                raise TLAError(f"cannot select subexpression {nav} of this expression ({k})", node)
            if not 0 < nav <= len(items):
                raise TLAError(f"the expression has no subexpression {nav}", node)
            target = items[nav - 1]
        return target, tscope

    def x_subexpr(self, node, scope):
        target, tscope = self.subexpr_target(node, scope)
        f = self.expr(target, tscope)
        return lambda S, P, E: f(S, P, ())

    def x_opref(self, node, scope):
        raise TLAError(f"operator {node.args[0]} used as a value", node)

    def x_infix(self, node, scope):
        op, a, b = node.args
        user = scope.ctx.names.get(op)
        if isinstance(user, Def) or op in scope.lets or (
                isinstance(user, Builtin) and op not in INFIX and op not in _LOGIC):
            return self.apply_entry(self.lookup(scope, op, node), (a, b), node, scope)
        fa, fb = self.expr(a, scope), self.expr(b, scope)
        if op == "/\\":
            return self._and([fa, fb], [a, b])
        if op == "\\/":
            return self._or([fa, fb], [a, b])
        if op == "=>":
            def implies(S, P, E):
                return not _truth(fa(S, P, E), a) or _truth(fb(S, P, E), b)
            return implies
        if op == "<=>":
            return lambda S, P, E: _truth(fa(S, P, E), a) == _truth(fb(S, P, E), b)
        if op in ("=", "#"):
            return _equality(fa, fb, op == "=", node)
        if op == "\\in":
            def member(S, P, E):
                x = fa(S, P, E)
                s = fb(S, P, E)
                if type(s) is frozenset:
                    try:
                        return x in s
                    except TypeError:
                        return False
                try:
                    return _in(x, s)
                except TLAError as exc:
                    raise _located(node, exc) from None
            return member
        if op == "\\notin":
            def nonmember(S, P, E):
                try:
                    return not _in(fa(S, P, E), fb(S, P, E))
                except TLAError as exc:
                    raise _located(node, exc) from None
            return nonmember
        if op in ("~>", "-+->", "\\cdot"):
            raise TLAError(f"temporal operator {op} in an ordinary expression", node)
        fn = INFIX.get(op)
        if fn is None:
            raise TLAError(f"unknown infix operator {op} (is its module EXTENDed?)", node)

        def infix(S, P, E):
            try:
                return fn(fa(S, P, E), fb(S, P, E))
            except TLAError as exc:
                raise _located(node, exc) from None
            except Exception as exc:
                raise _located(node, exc) from exc
        return infix

    def _and(self, fs, nodes):
        r"""``/\`` of boolean expressions, left to right, stopping at the first FALSE; the
        boolean check is inline (no wrapper call per conjunct)."""
        pairs = tuple(zip(fs, nodes))
        if len(pairs) == 2:
            (f0, n0), (f1, n1) = pairs

            def conj2(S, P, E):
                v = f0(S, P, E)
                if v is False:
                    return False
                if v is not True:
                    raise TLAError(f"expected a boolean, got {short(v)}", n0)
                v = f1(S, P, E)
                if v is True or v is False:
                    return v
                raise TLAError(f"expected a boolean, got {short(v)}", n1)
            return conj2

        def conj(S, P, E):
            for f, n in pairs:
                v = f(S, P, E)
                if v is False:
                    return False
                if v is not True:
                    raise TLAError(f"expected a boolean, got {short(v)}", n)
            return True
        return conj

    def _or(self, fs, nodes):
        r"""``\/`` of boolean expressions, left to right, stopping at the first TRUE."""
        pairs = tuple(zip(fs, nodes))

        def disj(S, P, E):
            for f, n in pairs:
                v = f(S, P, E)
                if v is True:
                    return True
                if v is not False:
                    raise TLAError(f"expected a boolean, got {short(v)}", n)
            return False
        return disj

    def x_conj(self, node, scope):
        items = node.args[0]
        return self._and([self.expr(i, scope) for i in items], items)

    def x_disj(self, node, scope):
        items = node.args[0]
        return self._or([self.expr(i, scope) for i in items], items)

    def x_prefix(self, node, scope):
        op, a = node.args
        if op == "UNCHANGED":
            f = self.expr(a, scope)
            return lambda S, P, E: f(P, None, E) == f(S, P, E)
        if op == "ENABLED":
            g = self.action(a, scope)
            unset = self.unset_state
            return lambda S, P, E: any(True for _ in g(S, unset, E))
        user = scope.ctx.names.get(op)
        if isinstance(user, (Def, Builtin)):
            return self.apply_entry(user, (a,), node, scope)
        f = self.expr(a, scope)
        if op == "~":
            return lambda S, P, E: not _truth(f(S, P, E), a)
        if op == "-.":
            return lambda S, P, E: -_int(f(S, P, E))
        if op == "SUBSET":
            return lambda S, P, E: LazySet("SUBSET", f(S, P, E))
        if op == "UNION":
            def union(S, P, E):
                out: set = set()
                for s in as_set(f(S, P, E)):
                    out.update(as_set(s))
                return frozenset(out)
            return union
        if op == "DOMAIN":
            def dom(S, P, E):
                try:
                    return domain(f(S, P, E))
                except TLAError as exc:
                    raise _located(node, exc) from None
            return dom
        raise TLAError(f"operator {op} cannot be evaluated here (temporal formula?)", node)

    def x_postfix(self, node, scope):
        op, a = node.args
        if op != "'":
            raise TLAError(f"operator {op} is not supported", node)
        if a.kind == "name" and self.bound_index(scope, a.args[0]) is None:
            entry = self.lookup(scope, a.args[0], node)
            if isinstance(entry, tuple) and entry[0] == "let" and isinstance(entry[1].const, tuple) \
                    and entry[1].const[0] == "var":
                entry = Var(entry[1].const[1], self.variables[entry[1].const[1]])
            if isinstance(entry, Var):
                i, name = entry.index, entry.name

                def primed(S, P, E):
                    v = P[i]
                    if v is UNSET:
                        raise TLAError(f"{name}' is read before it is given a value", node)
                    return v
                return primed
        f = self.expr(a, scope)
        read = self.variables_read(a, scope)

        def prime_expr(S, P, E):
            if P is None or (UNSET in P and (read is None or any(P[i] is UNSET for i in read))):
                raise TLAError("a primed expression is read before the next state is complete", node)
            return f(P, None, E)
        return prime_expr

    def variables_read(self, node: Any, scope: Scope) -> frozenset | None:
        r"""The indices of the state variables ``node`` reads, primed or not, following
        definitions, LET definitions, instances and their substitutions; ``None`` when unsure
        (parameterised instances, subexpression selectors, instances defined in a LET).

        Two uses, one answer: ``e'`` needs only those primed variables assigned, as in TLC
        (``t' \in {t, terminated'}`` once ``active'`` is, ``terminated`` reading ``active``);
        and an expression's value on a step depends on nothing else of the two states, so
        the temporal checks remember it by those (a refinement's ``[Next]_v`` reads the
        variables of the refinement mapping). Both need every variable counted: a missing one
        lets ``e'`` read an unassigned variable, or a remembered value go stale.

        A definition's reads are remembered by (definition, context), not by definition: the
        same ``Foo == x`` reads ``x`` where its module is EXTENDed and ``y`` where it is
        instantiated ``WITH x <- y``."""
        known: dict[str, frozenset | None] = dict.fromkeys(scope.bound, frozenset())
        if scope.lets:  # ("let", Def, depth) each, or an InstDef (unsure)
            known = self._let_reads(
                [(name, entry[1].opdef.body, entry[1].ctx) if isinstance(entry, tuple)
                 else (name, None, scope.ctx) for name, entry in scope.lets.items()], known)
        return self._reads(node, scope.ctx, known)

    def _reads(self, node: Any, ctx: Context, known: dict) -> frozenset | None:
        """``variables_read`` in ``ctx``; ``known``: the reads of the bound and LET-defined
        names in scope (a bound name reads nothing itself, nor does a name bound inside
        ``node``: TLA+ forbids shadowing, so it is found in neither ``known`` nor ``ctx``)."""
        if isinstance(node, tuple):
            out: frozenset = frozenset()
            for x in node:
                r = self._reads(x, ctx, known)
                if r is None:
                    return None
                out |= r
            return out
        if not isinstance(node, Node):
            return frozenset()  # a literal, an operator's or a field's name
        k = node.kind
        if k == "subexpr":
            return None
        if k == "let":
            defs, body = node.args
            return self._reads(body, ctx, self._let_reads(
                [(d.name, None if d.kind == "instance" else d.body, ctx) for d in defs], known))
        if k == "inst":
            path, _, args = node.args
            if any(a for _, a in path):
                return None
            try:
                entry = self.resolve_inst(node, Scope(ctx))
            except TLAError:
                return None
            used = self._entry_reads(entry)
            rest = self._reads(args, ctx, known)
            return None if used is None or rest is None else used | rest
        if k in ("name", "app", "opref", "infix", "prefix", "postfix", "set_nat", "set_int",
                 "set_real"):
            if k.startswith("set_"):
                name, args = {"set_nat": "Nat", "set_int": "Int", "set_real": "Real"}[k], ()
            else:
                name = node.args[0]
                args = node.args[1] if k == "app" else node.args[1:]
            used = known[name] if name in known else self._entry_reads(ctx.names.get(name))
            rest = self._reads(args, ctx, known)
            return None if used is None or rest is None else used | rest
        return self._reads(node.args, ctx, known)

    def _let_reads(self, defs: list[tuple[str, Any, Context]], known: dict) -> dict:
        """``known`` and the reads of LET definitions ``(name, body, context)`` (body
        ``None``: an instance, unsure): the least fixed point, since RECURSIVE definitions
        may call each other."""
        inner = dict(known)
        inner.update((name, None if body is None else frozenset()) for name, body, _ in defs)
        changed = True
        while changed:
            changed = False
            for name, body, ctx in defs:
                if inner[name] is not None:
                    r = self._reads(body, ctx, inner)
                    if r != inner[name]:
                        inner[name], changed = r, True
        return inner

    def _entry_reads(self, entry: Any) -> frozenset | None:
        if entry is None or isinstance(entry, (Const, Builtin)):
            return frozenset()  # a bound name (TLA+ forbids shadowing), a constant, a native
        if isinstance(entry, Var):
            return frozenset((entry.index,))
        if isinstance(entry, Subst):
            return None if entry.node is None else self._reads(entry.node, entry.scope.ctx, {})
        if isinstance(entry, Def) and entry.opdef.kind in ("op", "fn") \
                and isinstance(entry.opdef.body, Node):
            key = (id(entry.opdef), id(entry.ctx))
            if key in self.reads:
                return self.reads[key]
            if key in self.reading:  # a recursive call: the definition's other parts decide
                self.cycle = min(self.cycle, self.reading[key])
                return frozenset()
            depth = self.reading[key] = len(self.reading)
            outer, self.cycle = self.cycle, depth
            try:
                r = self._reads(entry.opdef.body, entry.ctx, {})
            finally:
                del self.reading[key]
            if self.cycle >= depth:  # it called no definition still being read but itself
                self.reads[key] = r  # (one that did is complete only as part of its caller's)
            self.cycle = min(outer, self.cycle)
            return r
        return None

    def x_if(self, node, scope):
        return self.conditional(node, scope, self.expr)

    def x_case(self, node, scope):
        return self.cases(node, scope, self.expr)

    def conditional(self, node, scope, branch):
        """IF c THEN t ELSE e, with the branches compiled by ``branch`` (expr or action)."""
        c, t, e = node.args
        fc, gt, ge = self.expr(c, scope), branch(t, scope), branch(e, scope)
        return lambda S, P, E: gt(S, P, E) if _truth(fc(S, P, E), c) else ge(S, P, E)

    def cases(self, node, scope, branch):
        """CASE arms (and OTHER), the values compiled by ``branch`` (expr or action)."""
        arms = [(self.expr(c, scope), branch(v, scope), c) for c, v in node.args[0]]
        other = branch(node.args[1], scope) if node.args[1] is not None else None

        def case(S, P, E):
            for c, g, cn in arms:
                if _truth(c(S, P, E), cn):
                    return g(S, P, E)
            if other is None:
                raise TLAError("no CASE arm applies and there is no OTHER", node)
            return other(S, P, E)
        return case

    def let_scope(self, defs, scope: Scope, tolerant: bool = False) -> Scope:
        """The scope inside ``LET defs IN``. ``tolerant``: a definition that does not compile
        as an expression (a temporal formula, in a PROPERTY) raises its error only if it is
        ever evaluated."""
        lets = dict(scope.lets)
        inner = Scope(scope.ctx, scope.bound, lets, scope.init)
        depth = len(scope.bound)
        for d in defs:
            if d.kind == "instance":
                lets[d.name] = InstDef(d, scope.ctx)
                continue
            holder = Def(d, scope.ctx)
            holder.value_fn = [None]
            lets[d.name] = ("let", holder, depth)
            body_scope = Scope(scope.ctx, scope.bound + tuple(p for p, _ in d.params), lets, scope.init)
            try:
                holder.value_fn[0] = (self.fn_literal(d.body, body_scope, lazy=True) if d.kind == "fn"
                                      else self.expr(d.body, body_scope))
            except TLAError as exc:
                if not tolerant:
                    raise
                holder.value_fn[0] = _failing(exc)
        return inner

    def x_let(self, node, scope):
        defs, body = node.args
        return self.expr(body, self.let_scope(defs, scope))

    def x_set(self, node, scope):
        fs = [self.expr(x, scope) for x in node.args[0]]
        if not fs:
            return _constant(frozenset())
        if all(hasattr(f, "value") for f in fs):
            try:
                return _constant(frozenset([f.value for f in fs]))
            except TypeError:
                pass
        return lambda S, P, E: frozenset([f(S, P, E) for f in fs])

    def x_tuple(self, node, scope):
        fs = [self.expr(x, scope) for x in node.args[0]]
        return lambda S, P, E: tuple([f(S, P, E) for f in fs])

    def x_times(self, node, scope):
        fs = [self.expr(x, scope) for x in node.args[0]]
        return lambda S, P, E: LazySet("Product", tuple(f(S, P, E) for f in fs))

    # bounds: [(pattern, set)] -> a function yielding extended environments
    def binder(self, bounds, scope: Scope, ordered: bool = False):
        names: list[str] = []
        sets = []
        patterns = []
        for pattern, s in bounds:
            if s is None:
                raise TLAError("TLC cannot evaluate an unbounded quantifier", None)
            sets.append(self.expr(s, scope))
            patterns.append(pattern)
            names.extend(pattern if isinstance(pattern, tuple) else (pattern,))
        inner = scope.bind(*names)
        simple = all(not isinstance(p, tuple) for p in patterns)
        order = sorted_elements if ordered else as_set

        if len(sets) == 1 and simple:
            f0 = sets[0]

            def envs1(S, P, E):
                for v in order(as_set(f0(S, P, E))):
                    yield E + (v,)
            return envs1, inner

        def envs(S, P, E):
            domains = [order(as_set(f(S, P, E))) for f in sets]
            for combo in itertools.product(*domains):
                out = E
                for pattern, v in zip(patterns, combo):
                    if isinstance(pattern, tuple):
                        if type(v) is not tuple or len(v) != len(pattern):
                            raise TLAError(f"{short(v)} does not match <<{', '.join(pattern)}>>")
                        out = out + v
                    else:
                        out = out + (v,)
                yield out
        return envs, inner

    def x_forall(self, node, scope):
        bounds, body = node.args
        if len(bounds) == 1 and not isinstance(bounds[0][0], tuple) and bounds[0][1] is not None:
            s = self.expr(bounds[0][1], scope)
            f = self.expr(body, scope.bind(bounds[0][0]))

            def forall1(S, P, E):
                for v in as_set(s(S, P, E)):
                    r = f(S, P, E + (v,))
                    if r is False:
                        return False
                    if r is not True:
                        raise TLAError(f"expected a boolean, got {short(r)}", body)
                return True
            return forall1
        envs, inner = self.binder(bounds, scope)
        f = _bool(self.expr(body, inner), body)
        return lambda S, P, E: all(f(S, P, e) for e in envs(S, P, E))

    def x_exists(self, node, scope):
        bounds, body = node.args
        if len(bounds) == 1 and not isinstance(bounds[0][0], tuple) and bounds[0][1] is not None:
            s = self.expr(bounds[0][1], scope)
            f = self.expr(body, scope.bind(bounds[0][0]))

            def exists1(S, P, E):
                for v in as_set(s(S, P, E)):
                    r = f(S, P, E + (v,))
                    if r is True:
                        return True
                    if r is not False:
                        raise TLAError(f"expected a boolean, got {short(r)}", body)
                return False
            return exists1
        envs, inner = self.binder(bounds, scope)
        f = _bool(self.expr(body, inner), body)
        return lambda S, P, E: any(f(S, P, e) for e in envs(S, P, E))

    def x_choose(self, node, scope):
        pattern, s, body = node.args
        envs, inner = self.binder([(pattern, s)], scope, ordered=True)
        f = _bool(self.expr(body, inner), body)
        width = len(pattern) if isinstance(pattern, tuple) else 1

        def choose(S, P, E):
            for e in envs(S, P, E):
                if f(S, P, e):
                    return e[-1] if width == 1 else e[-width:]
            raise TLAError("CHOOSE found no value satisfying its condition", node)
        return choose

    def x_filter(self, node, scope):
        (pattern, s), pred = node.args
        envs, inner = self.binder([(pattern, s)], scope)
        f = _bool(self.expr(pred, inner), pred)
        if not isinstance(pattern, tuple):
            sf = self.expr(s, scope)

            def filter1(S, P, E):
                return frozenset([v for v in as_set(sf(S, P, E)) if f(S, P, E + (v,))])
            return filter1
        n = len(pattern)
        return lambda S, P, E: frozenset([e[-n:] for e in envs(S, P, E) if f(S, P, e)])

    def x_setmap(self, node, scope):
        body, bounds = node.args
        envs, inner = self.binder(bounds, scope)
        f = self.expr(body, inner)
        return lambda S, P, E: frozenset([f(S, P, e) for e in envs(S, P, E)])

    def fn_literal(self, node, scope, lazy: bool = False):
        bounds, body = node.args
        envs, inner = self.binder(bounds, scope)
        f = self.expr(body, inner)
        n = len(scope.bound)
        if len(bounds) == 1 and not isinstance(bounds[0][0], tuple):
            sf = self.expr(bounds[0][1], scope)

            def fn1(S, P, E):
                dom = sf(S, P, E)
                if lazy or (isinstance(dom, LazySet) and dom.kind in ("Nat", "Int", "Real", "STRING", "Seq")):
                    return LazyFn(dom, lambda x: f(S, P, E + (x,)))
                return make_fn({v: f(S, P, E + (v,)) for v in as_set(dom)})
            return fn1

        def fnn(S, P, E):
            out = {}
            for e in envs(S, P, E):
                key = e[n:]
                out[key] = f(S, P, e)
            return make_fn(out)
        return fnn

    def x_fn(self, node, scope):
        return self.fn_literal(node, scope)

    def x_fnapp(self, node, scope):
        f, args = node.args
        ff = self.expr(f, scope)
        if len(args) == 1:
            fa = self.expr(args[0], scope)

            def app1(S, P, E):
                fv = ff(S, P, E)
                x = fa(S, P, E)
                if type(fv) is tuple:
                    if type(x) is int and 0 < x <= len(fv):
                        return fv[x - 1]
                elif type(fv) is FrozenMap:
                    try:
                        return fv[x]
                    except (KeyError, TypeError):
                        pass
                try:
                    return apply_fn(fv, x)
                except TLAError as exc:
                    raise _located(node, exc) from None
            return app1
        fas = [self.expr(a, scope) for a in args]

        def appn(S, P, E):
            try:
                return apply_fn(ff(S, P, E), tuple(a(S, P, E) for a in fas))
            except TLAError as exc:
                raise _located(node, exc) from None
        return appn

    def x_fnset(self, node, scope):
        a, b = self.expr(node.args[0], scope), self.expr(node.args[1], scope)
        if hasattr(a, "value") and hasattr(b, "value"):  # one set, built (and enumerated) once
            return _constant(LazySet("FcnSet", a.value, b.value))
        return lambda S, P, E: LazySet("FcnSet", a(S, P, E), b(S, P, E))

    def x_recset(self, node, scope):
        fields = [(name, self.expr(x, scope)) for name, x in node.args[0]]
        if all(hasattr(f, "value") for _, f in fields):
            return _constant(LazySet("RecSet", tuple((n, f.value) for n, f in fields)))
        return lambda S, P, E: LazySet("RecSet", tuple((n, f(S, P, E)) for n, f in fields))

    def x_record(self, node, scope):
        fields = [(name, self.expr(x, scope)) for name, x in node.args[0]]
        names = tuple(n for n, _ in fields)
        if len(set(names)) != len(names):
            return lambda S, P, E: FrozenMap({n: f(S, P, E) for n, f in fields})
        fs = tuple(f for _, f in fields)
        made: dict = {}  # the same record built again is the same object (hash computed once)

        def record(S, P, E):
            key = tuple([f(S, P, E) for f in fs])
            try:
                return made[key]
            except KeyError:
                pass
            except TypeError:
                return FrozenMap(zip(names, key))
            if len(made) > 65536:
                made.clear()
            r = made[key] = FrozenMap(zip(names, key))
            return r
        return record

    def x_field(self, node, scope):
        f = self.expr(node.args[0], scope)
        name = node.args[1]
        i = getattr(f, "bound", None)
        if i is not None:  # m.type of a bound m: one call, not two
            def bound_field(S, P, E):
                r = E[i]
                try:
                    return r[name]
                except (KeyError, TypeError, IndexError):
                    raise TLAError(f"record {short(r)} has no field {name}", node) from None
            bound_field.field = (i, name)
            return bound_field

        def field(S, P, E):
            r = f(S, P, E)
            try:
                return r[name]
            except (KeyError, TypeError, IndexError):
                raise TLAError(f"record {short(r)} has no field {name}", node) from None
        return field

    def x_except(self, node, scope):
        base = self.expr(node.args[0], scope)
        updates = []
        inner = scope.bind("@")
        for path, value in node.args[1]:
            keys = []
            for kind, arg in path:
                if kind == "fld":
                    keys.append((False, arg))
                else:
                    fs = [self.expr(a, scope) for a in arg]
                    keys.append((True, fs))
            updates.append((keys, self.expr(value, inner)))

        def set_path(f, keys, k, S, P, E, value):
            is_idx, spec = keys[k]
            if is_idx:
                key = spec[0](S, P, E) if len(spec) == 1 else tuple(x(S, P, E) for x in spec)
            else:
                key = spec
            if type(f) is tuple:
                if not (type(key) is int and 0 < key <= len(f)):
                    return f
                old = f[key - 1]
            elif isinstance(f, FrozenMap):
                if key not in f:
                    return f
                old = f[key]
            else:
                raise TLAError(f"EXCEPT applied to a non-function {short(f)}", node)
            new = value(S, P, E + (old,)) if k + 1 == len(keys) else \
                set_path(old, keys, k + 1, S, P, E, value)
            if type(f) is tuple:
                return f[:key - 1] + (new,) + f[key:]
            return f.set(key, new)

        def except_(S, P, E):
            f = base(S, P, E)
            for keys, value in updates:
                f = set_path(f, keys, 0, S, P, E, value)
            return f
        return except_

    def x_lambda(self, node, scope):
        raise TLAError("LAMBDA is only allowed as an operator argument", node)

    def x_stutter(self, node, scope):
        a, v = node.args
        fa, fv = self.expr(a, scope), self.expr(v, scope)
        return lambda S, P, E: fa(S, P, E) or fv(P, None, E) == fv(S, P, E)

    def x_nostutter(self, node, scope):
        a, v = node.args
        fa, fv = self.expr(a, scope), self.expr(v, scope)
        return lambda S, P, E: fa(S, P, E) and fv(P, None, E) != fv(S, P, E)

    # ------------------------------------------------------------ actions
    def action(self, node: Node, scope: Scope) -> Callable:
        """``g(S, P, E)``: the extensions of partial next state ``P`` satisfying the action."""
        k = node.kind
        if k == "conj":
            return self._conj_action([self.action(x, scope) for x in node.args[0]], scope.init)
        if k == "infix" and node.args[0] == "/\\" and node.args[0] not in scope.ctx.names:
            return self._conj_action([self.action(node.args[1], scope), self.action(node.args[2], scope)],
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
        if k == "subexpr":
            target, tscope = self.subexpr_target(node, scope)
            g = self.action(target, tscope)
            return lambda S, P, E: g(S, P, ())
        if k in ("app", "name", "inst"):
            g = self._call_action(node, scope)
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
            return ga(S, P, E) if _truth(fp(S, P, E), p) else (P,)
        return implies

    def _conj_action(self, gs, init: bool = False):
        r"""Conjuncts left to right; in Init each sees the variables assigned so far as ``S``.

        Once Init has assigned every variable, the conjuncts left are a condition on that one
        state, not a source of states: ``TypeOK /\ (P \/ Q)`` gives one initial state when
        both disjuncts hold, as TLC's ``getInitStates`` does (which its count of states
        generated shows: MCBakery's ISpec)."""
        if len(gs) == 1:
            return gs[0]
        if not init:
            return _fused_conj(gs)
        first, rest = gs[0], self._conj_action(gs[1:], init)

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
        if lhs.kind == "name" and lhs.args[0] in scope.lets and self.bound_index(scope, lhs.args[0]) is None:
            entry = scope.lets[lhs.args[0]]
            if isinstance(entry, tuple) and isinstance(entry[1].const, tuple) and entry[1].const[0] == "primed":
                return entry[1].const[1]
        if scope.init:
            if lhs.kind == "name" and self.bound_index(scope, lhs.args[0]) is None:
                entry = self.lookup(scope, lhs.args[0], lhs)
                if isinstance(entry, Var):
                    return entry.index
            return None
        if lhs.kind == "postfix" and lhs.args[0] == "'":
            inner = lhs.args[1]
            if inner.kind == "name" and inner.args[0] in scope.lets \
                    and self.bound_index(scope, inner.args[0]) is None:
                entry = scope.lets[inner.args[0]]
                if isinstance(entry, tuple) and entry[0] == "let" and isinstance(entry[1].const, tuple) \
                        and entry[1].const[0] == "var":
                    return entry[1].const[1]
                return None
            if inner.kind == "name" and self.bound_index(scope, inner.args[0]) is None:
                entry = self.lookup(scope, inner.args[0], inner)
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
                return (P,) if _in(old, s) else ()
            head, tail = P[:i], P[i + 1:]
            try:
                return [head + (v,) + tail for v in sorted_elements(as_set(s))]
            except TLAError as exc:
                raise _located(node, exc) from None
        return assign_in

    def _unchanged(self, v: Node, scope: Scope, node: Node) -> Callable:
        if v.kind == "tuple":
            indices = self._var_indices(v, scope)
            if indices is not None and not scope.init and len(indices) > 1:
                return _keep_all(indices)
            return self._conj_action([self._unchanged(x, scope, node) for x in v.args[0]], scope.init)
        if v.kind == "name" and not scope.init:
            indices = self._var_indices(v, scope)
            if indices is not None and len(indices) > 1:
                return _keep_all(indices)
        if v.kind == "name" and self.bound_index(scope, v.args[0]) is None:
            entry = self.lookup(scope, v.args[0], v)
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
        if v.kind == "name" and self.bound_index(scope, v.args[0]) is None and v.args[0] not in scope.lets:
            entry = scope.ctx.names.get(v.args[0])
            if isinstance(entry, Var):
                return (entry.index,)
            if isinstance(entry, Def) and not entry.opdef.params and entry.opdef.kind == "op":
                return self._var_indices(entry.opdef.body, Scope(entry.ctx), depth + 1)
        return None

    def _call_action(self, node: Node, scope: Scope) -> Callable | None:
        """An action-level call of a user operator: its body enumerated with the arguments."""
        if node.kind == "name":
            name, args = node.args[0], ()
            if self.bound_index(scope, name) is not None:
                return None
        elif node.kind == "app":
            name, args = node.args
            if self.bound_index(scope, name) is not None:
                return None
        else:
            path, name, args = node.args
            if path and path[0][1]:
                comp, inst_args = path[0]
                entry = self.lookup(scope, comp, node)
                inner = self.instance_ctx(entry)
                target = inner.names.get(name)
                if not isinstance(target, Def):
                    return None
                fs = [self.expr(a, scope) for a in inst_args + args]
                g = self.def_action_fn(target)
                return lambda S, P, E: g(S, P, tuple(f(S, P, E) for f in fs))
            entry = self.resolve_inst(node, scope)
            return self._entry_action(entry, args, scope, node)
        entry = self.lookup(scope, name, node)
        return self._entry_action(entry, args, scope, node)

    def _entry_action(self, entry, args, scope, node):
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            if d.action_fn is None:
                let_scope = Scope(scope.ctx, scope.bound[:depth] + tuple(p for p, _ in d.opdef.params),
                                  scope.lets, scope.init)
                d.action_fn = self.action(d.opdef.body, let_scope) if d.opdef.kind == "op" else None
            g = d.action_fn
            if g is None:
                return None
            fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
                  for a, (_, ar) in zip(args, d.opdef.params)]
            return lambda S, P, E: g(S, P, E[:depth] + tuple(f(S, P, E) for f in fs))
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
        if not entry.ctx.params and (any(self._action_level(a, scope) for a, (_, ar) in zip(args, params)
                                         if not ar) or (not scope.init and any(
                _primes_name(entry.opdef.body, p) for p, ar in params if not ar))):
            return self._inline_action(entry, args, scope)
        fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
              for a, (_, ar) in zip(args, params)]
        prefix = len(entry.ctx.params)
        if not fs and not prefix:
            return lambda S, P, E: g(S, P, ())

        def call(S, P, E):
            try:
                return g(S, P, E[:prefix] + tuple([f(S, P, E) for f in fs]))
            except TLAError as exc:
                raise _located(node, exc) from None
            except Exception as exc:
                raise _located(node, exc) from exc
        return call

    def _var_arg(self, arg: Node, scope: Scope) -> int | None:
        """The variable index if the argument ``arg`` is a plain state variable."""
        if arg.kind == "name" and self.bound_index(scope, arg.args[0]) is None \
                and arg.args[0] not in scope.lets:
            entry = scope.ctx.names.get(arg.args[0])
            if isinstance(entry, Var):
                return entry.index
        return None

    def _action_level(self, node: Any, scope: Scope) -> bool:
        """Whether ``node`` is an action (it primes a variable, says ``UNCHANGED`` or
        ``[A]_v``, itself or in a definition it calls, as SANY's level check would find).
        Passed to an operator, such an argument is substituted into the body (TLA+'s call by
        name, which is what TLC evaluates) so that its primed variables are still assigned:
        ``NoStutter(l0(self))`` with ``NoStutter(A) == (s = top) /\\ A /\\ (s' = s)``."""
        if isinstance(node, tuple):
            return any(self._action_level(x, scope) for x in node)
        if not isinstance(node, Node):
            return False
        k = node.kind
        if k in ("stutter", "nostutter") or (k == "postfix" and node.args[0] == "'") \
                or (k == "prefix" and node.args[0] == "UNCHANGED"):
            return True
        if k in ("name", "app") and self.bound_index(scope, node.args[0]) is None:
            entry = scope.lets.get(node.args[0]) or scope.ctx.names.get(node.args[0])
            if isinstance(entry, tuple) and entry[0] == "let":
                entry = entry[1]
            if isinstance(entry, Subst) and entry.node is not None and \
                    self._action_level(entry.node, entry.scope):
                return True
            if self._def_is_action(entry):
                return True
        if k == "inst" and not any(args for _, args in node.args[0]):
            try:
                entry = self.resolve_inst(node, scope)
            except TLAError:
                entry = None
            if self._def_is_action(entry):
                return True
        return any(self._action_level(a, scope) for a in node.args)

    def _def_is_action(self, entry: Any) -> bool:
        if not isinstance(entry, Def) or entry.opdef.kind != "op":
            return False
        known = self.action_levels.get(id(entry.opdef))
        if known is None:  # (the definition is kept with its answer, so that its id stays its own)
            self.action_levels[id(entry.opdef)] = (entry.opdef, False)  # recursion: its other parts decide
            level = self._action_level(entry.opdef.body,
                                       Scope(entry.ctx, tuple(p for p, _ in entry.opdef.params)))
            known = self.action_levels[id(entry.opdef)] = (entry.opdef, level)
        return known[1]

    def _inline_action(self, entry: Def, args: tuple, scope: Scope) -> Callable:
        """A call whose arguments are actions or primed: the parameters are bound by name (as
        TLA+ substitutes them), so that ``x'`` passed in can still be assigned in the body and
        an action passed in is enumerated where the body uses it. Operator parameters
        (``decr(_)`` given ``LAMBDA j: j - 1``) are bound values after the caller's."""
        depth = len(scope.bound)
        lets = {}
        ops = []
        for (pname, arity), arg in zip(entry.opdef.params, args):
            if arity:
                ops.append((pname, self.op_value(arg, scope, arity)))
                continue
            holder = Def(OpDef(pname, (), arg, arg.line, arg.col, arg.file), scope.ctx)
            holder.value_fn = [self.expr(arg, scope)]
            holder.action_fn = _lazy_action(self, arg, scope)
            lets[pname] = ("let", holder, depth)
            holder.const = ("primed", self._assignable(arg, scope))
            if holder.const[1] is None and not scope.init and self._var_arg(arg, scope) is not None:
                holder.const = ("var", self._var_arg(arg, scope))
        hidden = tuple("\0" + str(i) for i in range(depth))
        inner = Scope(entry.ctx, hidden + tuple(p for p, _ in ops), lets, scope.init)
        g = self.action(entry.opdef.body, inner)
        if not ops:
            return g
        fs = tuple(f for _, f in ops)
        return lambda S, P, E: g(S, P, E + tuple([f(S, P, E) for f in fs]))


def _lazy_action(compiler: Compiler, node: Node, scope: Scope) -> Callable:
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


def _bound(i: int) -> Callable:
    """The value of the bound variable at ``E[i]``; marked so that callers can inline it."""
    def bound(S, P, E):
        return E[i]
    bound.bound = i
    return bound


def _variable(i: int) -> Callable:
    """The value of state variable ``i``."""
    def variable(S, P, E):
        return S[i]
    variable.var = i
    return variable


def _equality(fa: Callable, fb: Callable, equal: bool, node: Node) -> Callable:
    """``a = b`` / ``a # b``, with a constant side or ``m.f`` of a bound ``m`` inlined:
    ``m.type = "phase2a"`` is the guard every message-passing spec evaluates most."""
    if not hasattr(fb, "value") and hasattr(fa, "value"):
        fa, fb = fb, fa
    if hasattr(fb, "value"):
        c = fb.value
        field = getattr(fa, "field", None)
        if field is not None:
            i, name = field

            def field_eq(S, P, E):
                r = E[i]
                try:
                    return (r[name] == c) is equal
                except (KeyError, TypeError, IndexError):
                    raise TLAError(f"record {short(r)} has no field {name}", node) from None
            return field_eq
        if equal:
            return lambda S, P, E: fa(S, P, E) == c
        return lambda S, P, E: fa(S, P, E) != c
    if equal:
        return lambda S, P, E: fa(S, P, E) == fb(S, P, E)
    return lambda S, P, E: fa(S, P, E) != fb(S, P, E)


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


_GUARD, _SET, _KEEP, _KEEP_ALL, _ACTION = range(5)


def _failing(exc: TLAError) -> Callable:
    def fail(S, P, E):
        raise exc
    return fail


def _constant(v: Any) -> Callable:
    """A closure returning ``v``; its ``value`` attribute lets enclosing set constructors
    whose parts are all constants build their set once, at compile time."""
    def const(S, P, E):
        return v
    const.value = v
    return const


def _fused_conj(gs: list) -> Callable:
    """A conjunction of actions (not in Init) as one closure: guards, ``x' = e`` and
    ``UNCHANGED`` conjuncts run inline on one partial state, left to right, with no list per
    conjunct; a conjunct with several results (``x' \\in S``, ``\\E``, ...) continues the rest
    of the conjunction on each of them. Same results, same order, as the nested form.

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
            else:
                if UNSET not in P:  # all assigned: TLC evaluates what is left as a formula
                    if not a(S, P, E):
                        return ()
                    continue
                ps = a(S, P, E)
                if k == n:
                    return ps
                out = []
                for p in ps:
                    out.extend(run(k, S, p, E))
                return out
        return (P,)

    def conj(S, P, E):
        return run(0, S, P, E)
    conj.steps = steps_t
    if n > 1 and steps_t[0][0] is _GUARD:  # for \E x \in S: the guard tested in its loop
        conj.first_guard = (steps_t[0][1], steps_t[0][2], lambda S, P, E: run(1, S, P, E))
    return conj


def _primes_name(node: Any, name: str) -> bool:
    """Whether ``node`` contains ``name'`` (a parameter primed in an operator's body)."""
    if isinstance(node, Node):
        if node.kind == "postfix" and node.args[0] == "'" and isinstance(node.args[1], Node) \
                and node.args[1].kind == "name" and node.args[1].args[0] == name:
            return True
        return any(_primes_name(a, name) for a in node.args)
    if isinstance(node, tuple):
        return any(_primes_name(a, name) for a in node)
    return False
