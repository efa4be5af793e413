r"""TLA+ expressions compiled once to Python closures; never a tree walk per state.

Every expression becomes ``f(S, P, E)``: ``S`` the current state (a tuple of variable values
in declaration order, ``None`` when evaluating constants), ``P`` the next state (a tuple in
which unassigned variables hold :data:`~refute.tla.scope.UNSET`), ``E`` the tuple of bound
values (quantifier variables, operator parameters, LET parameters, ``@``), addressed by
position resolved at compile time (:class:`~refute.tla.scope.Scope`).

:class:`ExpressionCompiler` has one ``x_<kind>`` method per kind of AST node. An operator
value (an argument to a higher-order operator, a ``LAMBDA``) is a plain Python callable over
evaluated arguments. The action form of an expression (for ``ENABLED``) and the contexts of
module instances are the business of the subclasses (:mod:`refute.tla.actions`,
:mod:`refute.tla.compile`); what an expression reads, of :mod:`refute.tla.reads`.

Closures carry attributes that enclosing constructs use to specialise at compile time:
``value`` (a constant: sets of constants are built once), ``bound`` (the bound value at
``E[i]``), ``field`` (``m.f`` of a bound ``m``).
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Callable
from typing import Any

from refute.values import FrozenMap
from refute.tla.operators import INFIX, LOGIC, as_int, is_element
from refute.tla.parser import Node, OpDef
from refute.tla.reads import ReadAnalysis
from refute.tla.enabled import cut_context
from refute.tla.stdlib import MODULE_SYMBOLS
from refute.tla.scope import (UNSET, ArgumentsFailed, Builtin, Const, Context, CutVar, Def, Deferred, InstDef,
                              Param, Scope, Subst, Var, arguments, evaluate_args, params_of)
from refute.tla.values import (INT, NAT, REAL, STRING, InfiniteSetError, LazyFn, LazySet,
                               RefuteLimitation, TLAError, apply_fn, as_set, domain, make_fn,
                               is_infinite, one_kind, short, sorted_elements, tlc_equal)


_NOT_YET = "TLC evaluates it; refute does not yet: rewrite this expression, or check the spec with TLC"


def locate(node: Node, exc: Exception) -> TLAError:
    """``exc`` as an evaluation error located at ``node`` (unless it already has a place)."""
    if isinstance(exc, TLAError):
        if exc.node is None:
            exc.node = node
        return exc
    if isinstance(exc, RecursionError):
        return TLAError("recursion too deep (an unbounded recursive definition?)", node)
    return TLAError(f"{type(exc).__name__}: {exc}", node)


def _undeclared(op: str, node: Node) -> TLAError:
    """SANY's refusal of an operator symbol whose module the spec does not extend."""
    module = MODULE_SYMBOLS[op]
    return TLAError(f"could not find a declaration or definition of symbol '{op.rstrip('.')}': "
                    f"it is defined in module {module}, which this module does not EXTEND "
                    f"(add EXTENDS {module})", node)


def truth(v: Any, node: Node) -> bool:
    """``v`` if it is a boolean, else an evaluation error at ``node``."""
    if v is True or v is False:
        return v
    raise TLAError(f"expected a boolean, got {short(v)}", node)


def _bool(f: Callable, node: Node) -> Callable:
    """``f`` checked to give a boolean (the body of a quantifier, a filter, CHOOSE)."""
    def g(S, P, E):
        v = f(S, P, E)
        if v is True or v is False:
            return v
        raise TLAError(f"expected a boolean, got {short(v)}", node)
    return g


class ExpressionCompiler(abc.ABC):
    """Compiles expressions of the modules a spec is made of to closures ``f(S, P, E)``.

    Abstract: expressions need two things only the layers above can give, the action form of
    a formula (``ENABLED A``; :class:`~refute.tla.actions.ActionCompiler`) and module instances
    (:class:`~refute.tla.compile.Compiler`, which knows modules)."""

    def __init__(self, variables: tuple[str, ...]):
        self.variables = variables
        self.unset_state = (UNSET,) * len(variables)
        self.contexts: list = []
        self.def_overrides: list = []
        self.reads = ReadAnalysis(self)
        self.reads_level = False  # whether the spec calls TLCGet (its "level" needs the levels)
        self.probing = False  # whether a definition is being evaluated to see if it is a constant
        self.substituting: set[int] = set()  # id(OpDef) of the bodies being substituted into

    @abc.abstractmethod
    def action(self, node: Node, scope: Scope) -> Callable:
        """The action form of ``node`` (``ENABLED A`` enumerates ``A``'s successors)."""

    @abc.abstractmethod
    def enabled_action(self, node: Node, scope: Scope) -> Callable:
        """The action form of ``node`` enumerated on its own (``ENABLED A``), not as part of
        a conjunction it is written in."""

    @abc.abstractmethod
    def composition_value(self, node: Node, scope: Scope) -> Callable:
        r"""``A \cdot B`` as a boolean of a step (its actions are enumerated)."""

    @abc.abstractmethod
    def instance_ctx(self, inst: InstDef) -> Context:
        """The context of module instance ``inst``, made on first use."""

    # ------------------------------------------------------------ definitions
    def def_value_fn(self, d: Def) -> Callable:
        """``d``'s body as an expression, compiled on first use (a recursive call binds late)."""
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

    def checked_body(self, d: Def, form: str) -> Callable:
        """``d``'s body compiled with its ordinary parameters' reads checked, for a call whose
        argument failed (:class:`~refute.tla.scope.Deferred`); ``form``: "value", "action" or
        "init" (an action enumerated in Init). Compiled the first time one is needed."""
        f = d.checked.get(form)
        if f is None:
            scope = Scope(d.ctx, d.ctx.params + params_of(d.opdef), init=form == "init")
            f = d.checked[form] = self.expr(d.opdef.body, scope) if form == "value" \
                else self.action(d.opdef.body, scope)
        return f

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
            i = scope.bound_index(name)
            if i is not None:
                return lambda S, P, E: E[i]
            if name in scope.lets or name in scope.ctx.names:
                return self.callable_of(scope.lookup(name, node), scope, node)
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
        for comp, args in path:  # the first name may be a LET's (LET I == INSTANCE M IN I!Op)
            entry = scope.lookup(comp, node) if entry is None or not isinstance(entry, Context) \
                else entry.names.get(comp)
            if isinstance(entry, InstDef):
                if args:
                    raise TLAError("parameterised instances are applied with their arguments", node)
                ctx = self.instance_ctx(entry)
                entry = ctx
            else:
                raise TLAError(f"'{comp}' is not a module instance", node)
        found = ctx.replaced.get(name) or ctx.names.get(name)
        if found is None:
            raise TLAError(f"the instance has no definition '{name}'", node)
        return found

    def expr(self, node: Node, scope: Scope) -> Callable:
        method = getattr(self, "x_" + node.kind, None)
        if method is None:
            raise RefuteLimitation(f"refute cannot evaluate this construct ({node.kind}) here",
                                   _NOT_YET, node)
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
        i = scope.bound_index(name)
        if i is not None:
            return _param(i) if type(scope.bound[i]) is Param else _bound(i)
        entry = scope.lookup(name, node)
        return self.apply_entry(entry, (), node, scope)

    def x_at(self, node, scope):
        i = scope.bound_index("@")
        if i is None:
            raise TLAError("@ outside of an EXCEPT", node)
        return lambda S, P, E: E[i]

    def apply_entry(self, entry: Any, args: tuple, node: Node, scope: Scope) -> Callable:
        """A call of ``entry`` (variable, constant, definition, builtin) on argument nodes."""
        if isinstance(entry, CutVar):  # unprimed, it is the instance's substitution
            return self.apply_entry(entry.read, args, node, scope)
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
            if entry.at_state is not None:
                at_state = entry.at_state
                self.reads_level = True

                def call_at(S, P, E):
                    if self.probing:  # its value is the state's, though it reads no variable
                        raise TLAError("not a constant")
                    try:
                        return at_state(S, *[f(S, P, E) for f in fs])
                    except TLAError as exc:
                        raise locate(node, exc) from None
                return call_at
            if not fs and entry.volatile:
                return lambda S, P, E: fn()
            if not fs:
                try:
                    v = fn() if entry.arity == 0 else fn
                except TLAError as exc:  # an error where it is evaluated, as in TLC, not here
                    return _failing(locate(node, exc))
                return lambda S, P, E: v
            if len(fs) == 1:
                f0, = fs

                def call1(S, P, E):
                    try:
                        return fn(f0(S, P, E))
                    except TLAError as exc:
                        raise locate(node, exc) from None
                    except Exception as exc:
                        raise locate(node, exc) from exc
                return call1
            if len(fs) == 2:
                f0, f1 = fs

                def call2(S, P, E):
                    try:
                        return fn(f0(S, P, E), f1(S, P, E))
                    except TLAError as exc:
                        raise locate(node, exc) from None
                    except Exception as exc:
                        raise locate(node, exc) from exc
                return call2

            def calln(S, P, E):
                try:
                    return fn(*[f(S, P, E) for f in fs])
                except TLAError as exc:
                    raise locate(node, exc) from None
                except Exception as exc:
                    raise locate(node, exc) from exc
            return calln
        if isinstance(entry, tuple) and entry[0] == "let":
            _, d, depth = entry
            params = d.opdef.params
            if len(args) != len(params):
                raise TLAError(f"{d.opdef.name} takes {len(params)} arguments", node)
            if self._substitutes(d, args, scope):
                hidden = tuple("\0" + str(i) for i in range(depth, len(scope.bound)))
                return self.substituted(d.opdef, scope.ctx, scope.bound[:depth] + hidden, scope.lets,
                                        args, scope, node)
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
            return lambda S, P, E: cell[0](S, P, E[:depth] + evaluate_args(fs, S, P, E))
        if isinstance(entry, Def):
            params = entry.opdef.params
            if len(args) != len(params):
                raise TLAError(f"{entry.opdef.name} takes {len(params)} arguments, "
                               f"not {len(args)}", node)
            if not entry.ctx.params and self._substitutes(entry, args, scope):
                hidden = tuple("\0" + str(i) for i in range(len(scope.bound)))
                return self.substituted(entry.opdef, entry.ctx, hidden, {}, args, scope, node)
            fs = [self.op_value(a, scope, ar) if ar else self.expr(a, scope)
                  for a, (_, ar) in zip(args, params)]
            prefix = len(entry.ctx.params)
            if not fs and not prefix:
                return self.zero_arity(entry, node)
            body = self.def_value_fn(entry)

            def call_checked(S, P, E):
                try:
                    return self.checked_body(entry, "value")(S, P, E)
                except TLAError as exc:
                    raise locate(node, exc) from None
                except Exception as exc:
                    raise locate(node, exc) from exc

            if len(fs) == 1 and not prefix:
                f0, = fs

                def call_def1(S, P, E):
                    try:
                        a = f0(S, P, E)
                    except Exception as exc:  # raised where the body reads it (Deferred)
                        return call_checked(S, P, (Deferred(exc),))
                    try:
                        return body(S, P, (a,))
                    except TLAError as exc:
                        raise locate(node, exc) from None
                    except Exception as exc:
                        raise locate(node, exc) from exc
                return call_def1
            if len(fs) == 2 and not prefix:
                f0, f1 = fs

                def call_def2(S, P, E):
                    try:
                        a = f0(S, P, E)
                    except Exception as exc:  # raised where the body reads it (Deferred)
                        return call_checked(S, P, (Deferred(exc),) + evaluate_args((f1,), S, P, E))
                    try:
                        b = f1(S, P, E)
                    except Exception as exc:
                        return call_checked(S, P, (a, Deferred(exc)))
                    try:
                        return body(S, P, (a, b))
                    except TLAError as exc:
                        raise locate(node, exc) from None
                    except Exception as exc:
                        raise locate(node, exc) from exc
                return call_def2

            def call_def(S, P, E):
                try:
                    args = arguments(fs, S, P, E)
                except ArgumentsFailed as failed:
                    return call_checked(S, P, E[:prefix] + failed.values)
                try:
                    return body(S, P, E[:prefix] + args)
                except TLAError as exc:
                    raise locate(node, exc) from None
                except Exception as exc:
                    raise locate(node, exc) from exc
            return call_def
        if isinstance(entry, InstDef):
            raise TLAError(f"{entry.opdef.name} is a module instance: use {entry.opdef.name}!Op", node)
        if callable(entry):  # an operator parameter held in E
            raise TLAError("internal: unexpected operator entry", node)
        raise TLAError("cannot evaluate this name", node)

    def _var_arg(self, arg: Node, scope: Scope) -> int | None:
        """The variable index if the argument ``arg`` is a plain state variable."""
        if arg.kind == "name" and scope.bound_index(arg.args[0]) is None \
                and arg.args[0] not in scope.lets:
            entry = scope.ctx.names.get(arg.args[0])
            if isinstance(entry, Var) and not isinstance(entry, CutVar):
                return entry.index
        return None

    def _substitutes(self, d: Def, args: tuple, scope: Scope) -> bool:
        """Whether a call of ``d`` substitutes its arguments: its body reads an ordinary
        parameter primed (``Later(t) == t'``) and is given an expression of the state there
        (``<<x, y>>``), which then means the expression primed (``<<x', y'>>``, TLA+'s
        substitution), not its value. A bound name or a constant is the same primed."""
        return not scope.init and any(
            not ar and self.reads.primes_param(d, p) and self.reads.variables_read(a, scope) != frozenset()
            for (p, ar), a in zip(d.opdef.params, args))

    def refuse_recursion(self, opdef: OpDef, node: Node) -> None:
        """A body being substituted into that calls itself (its arguments substituted again,
        without end): refused, not compiled."""
        if id(opdef) in self.substituting:
            raise RefuteLimitation(f"{opdef.name} is recursive and reads its parameter primed (or "
                                   "is given an action): refute substitutes the arguments of such "
                                   "a call into the body, which a recursive body cannot be",
                                   "SANY refuses a recursive operator whose parameter is primed "
                                   "too (\"Argument 2 of recursive operator R is primed\"): "
                                   "prime the argument where the operator is called", node)

    def substituted(self, opdef: OpDef, ctx: Context, bound: tuple, lets: dict, args: tuple,
                    scope: Scope, node: Node) -> Callable:
        """A call of ``opdef`` whose body is compiled at this call with the ordinary
        parameters bound by name to the arguments (LET definitions of the caller's scope, so
        that ``t'`` evaluates the argument in the next state, and a parameter is evaluated
        where the body reads it, once per state), as :meth:`.ActionCompiler._inline_action`
        does for actions. ``bound``: the caller's bound names as the body sees them (hidden
        ones for a top-level definition); operator parameters are bound values after them."""
        key = id(opdef)
        self.refuse_recursion(opdef, node)
        depth = len(scope.bound)
        lets = dict(lets)
        ops = []
        for (pname, arity), arg in zip(opdef.params, args):
            if arity:
                ops.append((pname, self.op_value(arg, scope, arity)))
                continue
            holder = Def(OpDef(pname, (), arg, arg.line, arg.col, arg.file), scope.ctx)
            holder.value_fn = [self.expr(arg, scope)]
            holder.caller = scope
            lets[pname] = ("let", holder, depth)
            i = None if scope.init else self._var_arg(arg, scope)
            if i is not None:  # x' where the parameter is the variable x: read directly
                holder.const = ("var", i)
        self.substituting.add(key)
        try:
            f = self.expr(opdef.body, Scope(ctx, bound + tuple(p for p, _ in ops), lets, scope.init))
        finally:
            self.substituting.discard(key)
        fs = tuple(g for _, g in ops)

        def call_substituted(S, P, E):
            try:
                return f(S, P, E + tuple([g(S, P, E) for g in fs]) if fs else E)
            except TLAError as exc:
                raise locate(node, exc) from None
            except Exception as exc:
                raise locate(node, exc) from exc
        return call_substituted

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
        state_level = d.opdef.kind == "op" and not self.reads.def_is_action(d)

        def constant():
            c = d.const
            if c is None:
                probing, self.probing = self.probing, True
                try:
                    v = body(None, None, ())
                    # a lazy value (f[x \in S] == ..., [x \in Nat |-> ...]) is made without
                    # reading the state: it is constant only if its definition reads none
                    lazy = isinstance(v, (LazyFn, LazySet))
                    d.const = (False,) if lazy and self.reads.definition_reads(d) != frozenset() \
                        else (True, v)
                except Exception:
                    d.const = (False,)
                finally:
                    self.probing = probing
            return d.const

        def evaluate(S, P):
            try:
                return body(S, P, ())
            except TLAError as exc:
                raise locate(node, exc) from None
            except Exception as exc:
                raise locate(node, exc) from exc

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
        i = scope.bound_index(name)
        if i is not None:
            fs = [self.expr(a, scope) for a in args]

            def apply_param(S, P, E):
                op = E[i]
                if op.__class__ is Deferred:
                    raise op.error
                return op(*[f(S, P, E) for f in fs])
            return apply_param
        return self.apply_entry(scope.lookup(name, node), args, node, scope)

    def x_inst(self, node, scope):
        path, name, args = node.args
        if path and path[0][1]:  # parameterised instance I(a)!Op(b)
            comp, inst_args = path[0]
            entry = scope.lookup(comp, node)
            if not isinstance(entry, InstDef):
                raise TLAError(f"'{comp}' is not a module instance", node)
            inner = self.instance_ctx(entry)
            target = inner.replaced.get(name) or inner.names.get(name)
            if not isinstance(target, Def):
                raise TLAError(f"the instance has no definition '{name}'", node)
            fs = [self.expr(a, scope) for a in inst_args + args]
            body = self.def_value_fn(target)
            return lambda S, P, E: body(S, P, tuple(f(S, P, E) for f in fs))
        entry = self.resolve_inst(node, scope)
        return self.apply_entry(entry, args, node, scope)

    def subexpr_target(self, node: Node, scope: Scope) -> tuple[Node, Scope, tuple]:
        """The expression ``Def!2!1`` selects, the scope to compile it in and the arguments
        its bound names take, as SANY's ``Generator`` selects (``ArgNum``): ``n`` is the n-th
        conjunct/disjunct of a list or operand of an operator, ``<<`` the first, ``>>`` the
        second of two; ``:`` is the body. Into an expression that binds identifiers (``\\A``,
        ``\\E``, CHOOSE, ``{x \\in S : P}``, ``{e : x \\in S}``, ``[x \\in S |-> e]``), ``n``
        is the n-th bound set and ``(e1, ..., ek)`` the body with its k bound identifiers
        equal to the ``e``'s (compiled in the caller's scope, bound in that order)."""
        path, navs = node.args
        (name, args) = path[-1]
        if args:
            raise RefuteLimitation("a subexpression of an operator applied to arguments is not "
                                   "supported", _NOT_YET, node)
        if len(path) == 1:
            entry = scope.lookup(name, node)
        else:
            entry = self.resolve_inst(Node("inst", (path[:-1], name, ()), node.line, node.col, node.file),
                                      scope)
        if not isinstance(entry, Def) or entry.opdef.kind != "op" or entry.opdef.params or entry.ctx.params:
            raise TLAError(f"'{name}' is not a definition without parameters", node)
        target, tscope = entry.opdef.body, Scope(entry.ctx, (), init=scope.init)
        given: tuple = ()
        for nav in navs:
            while target.kind in ("paren", "label"):
                target = target.args[0] if target.kind == "paren" else target.args[-1]
            if nav == ":":
                continue
            binding = _binding(target)
            if binding is not None:
                bounds, body = binding
                if isinstance(nav, tuple):  # Def!(e1, ..., ek): the body, its names bound
                    names = [x for pattern, _ in bounds
                             for x in (pattern if isinstance(pattern, tuple) else (pattern,))]
                    if len(names) != len(nav[1]):
                        raise TLAError(f"selector with {len(nav[1])} argument(s) used for a "
                                       f"quantifier with {len(names)} bound identifier(s)", node)
                    target, tscope, given = body, tscope.bind(*names), given + nav[1]
                    continue
                items = _bound_sets(bounds)
            elif isinstance(nav, tuple):
                raise TLAError("a selector with arguments selects the body of an expression that "
                               "binds identifiers (a quantifier, CHOOSE, a set or function "
                               "constructor)", node)
            else:
                items = _operands(target, nav, node)
            number = _arg_num(nav, len(items))
            if number is None:
                raise TLAError(f"the expression has no subexpression {nav}", node)
            target = items[number - 1]
        return target, tscope, given

    def x_subexpr(self, node, scope):
        target, tscope, given = self.subexpr_target(node, scope)
        f = self.expr(target, tscope)
        if not given:
            return lambda S, P, E: f(S, P, ())
        gs = [self.expr(a, scope) for a in given]
        return lambda S, P, E: f(S, P, tuple(g(S, P, E) for g in gs))

    def x_opref(self, node, scope):
        raise TLAError(f"operator {node.args[0]} used as a value", node)

    def x_infix(self, node, scope):
        op, a, b = node.args
        user = scope.ctx.names.get(op)
        if isinstance(user, Def) or op in scope.lets or (
                isinstance(user, Builtin) and op not in INFIX and op not in LOGIC):
            return self.apply_entry(scope.lookup(op, node), (a, b), node, scope)
        if op == "\\cdot":
            return self.composition_value(node, scope)
        fa, fb = self.expr(a, scope), self.expr(b, scope)
        if op == "/\\":
            return self._and([fa, fb], [a, b])
        if op == "\\/":
            return self._or([fa, fb], [a, b])
        if op == "=>":
            def implies(S, P, E):
                return not truth(fa(S, P, E), a) or truth(fb(S, P, E), b)
            return implies
        if op == "<=>":
            return lambda S, P, E: truth(fa(S, P, E), a) == truth(fb(S, P, E), b)
        if op in ("=", "#"):
            return _equality(fa, fb, op == "=", node)
        if op == "\\in":
            def member(S, P, E):
                x = fa(S, P, E)
                s = fb(S, P, E)
                if type(s) is frozenset:
                    try:
                        if x in s:
                            return True
                    except TypeError:
                        return False
                try:
                    return is_element(x, s)
                except TLAError as exc:
                    raise locate(node, exc) from None
            return member
        if op == "\\notin":
            def nonmember(S, P, E):
                try:
                    return not is_element(fa(S, P, E), fb(S, P, E))
                except TLAError as exc:
                    raise locate(node, exc) from None
            return nonmember
        if op in ("~>", "-+->"):
            raise TLAError(f"temporal operator {op} in an ordinary expression", node)
        fn = INFIX.get(op)
        if fn is None:
            raise TLAError(f"unknown infix operator {op} (is its module EXTENDed?)", node)
        if user is None and op in MODULE_SYMBOLS:
            raise _undeclared(op, node)

        def infix(S, P, E):
            try:
                return fn(fa(S, P, E), fb(S, P, E))
            except TLAError as exc:
                raise locate(node, exc) from None
            except Exception as exc:
                raise locate(node, exc) from exc
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
            width = getattr(scope.ctx, "slot_width", len(self.variables))
            ctx = scope.ctx
            cut = cut_context(ctx, width)
            if cut is not None:  # written in an instance: evaluated before its substitution
                ctx, width = cut
            # a next-state action even where it is written in Init (its x' are primed)
            g = self.enabled_action(a, Scope(ctx, scope.bound, scope.lets))
            unset = (UNSET,) * width
            # an int among the results is a composition's count of intermediate states
            return lambda S, P, E: any(type(p) is not int for p in g(S, unset, E))
        user = scope.ctx.names.get(op)
        if isinstance(user, (Def, Builtin)):
            return self.apply_entry(user, (a,), node, scope)
        if user is None and op in MODULE_SYMBOLS and op not in scope.lets:
            raise _undeclared(op, node)
        f = self.expr(a, scope)
        if op == "~":
            return lambda S, P, E: not truth(f(S, P, E), a)
        if op == "-.":
            return lambda S, P, E: -as_int(f(S, P, E))
        if op == "SUBSET":
            return lambda S, P, E: LazySet("SUBSET", f(S, P, E))
        if op == "UNION" and a.kind == "set" and a.args[0]:
            return self._union_of_listed(a, f, scope)
        if op == "UNION":
            def union(S, P, E):
                sets = f(S, P, E)
                out: set = set()
                try:
                    for s in as_set(sets):
                        out.update(as_set(s))
                except InfiniteSetError:  # UNION {[S -> Int]}: tested for membership only
                    return LazySet("Union", sets)
                return frozenset(out)
            return union
        if op == "DOMAIN":
            def dom(S, P, E):
                try:
                    return domain(f(S, P, E))
                except TLAError as exc:
                    raise locate(node, exc) from None
            return dom
        raise TLAError(f"operator {op} cannot be evaluated here (temporal formula?)", node)

    def _union_of_listed(self, listed: Node, whole: Callable, scope: Scope) -> Callable:
        r"""``UNION {S, T, ...}``: where one of S, T, ... is a set kept as its description
        (``[D -> SUBSET R]``), their union is kept as one too, tested for membership from
        theirs as TLC's UnionValue is. Building ``{S, T, ...}`` would hash, so enumerate, each:
        a type invariant ``r \in [f: UNION {[D -> SUBSET R]}]`` did so in every state."""
        parts = [self.expr(x, scope) for x in listed.args[0]]

        def union(S, P, E):
            values = [p(S, P, E) for p in parts]
            if all(type(v) is frozenset for v in values):
                return frozenset().union(*values)
            if not all(isinstance(v, (frozenset, LazySet)) for v in values):
                return as_set(whole(S, P, E))  # not sets: the literal's or UNION's error
            out = values[0]
            for v in values[1:]:
                out = LazySet("Cup", out, v)
            return out
        return union

    def x_postfix(self, node, scope):
        op, a = node.args
        if op != "'":
            raise RefuteLimitation(f"operator {op} is not supported", _NOT_YET, node)
        if a.kind == "name" and scope.bound_index(a.args[0]) is None:
            entry = scope.lookup(a.args[0], node)
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
        read = self.reads.variables_read(a, scope)

        def prime_expr(S, P, E):
            if P is None or (UNSET in P and (read is None or any(P[i] is UNSET for i in read))):
                raise TLAError("a primed expression is read before the next state is complete", node)
            return f(P, None, E)
        return prime_expr

    def x_if(self, node, scope):
        return self.conditional(node, scope, self.expr)

    def x_case(self, node, scope):
        return self.cases(node, scope, self.expr)

    def conditional(self, node, scope, branch):
        """IF c THEN t ELSE e, with the branches compiled by ``branch`` (expr or action)."""
        c, t, e = node.args
        fc, gt, ge = self.expr(c, scope), branch(t, scope), branch(e, scope)
        return lambda S, P, E: gt(S, P, E) if truth(fc(S, P, E), c) else ge(S, P, E)

    def cases(self, node, scope, branch):
        """CASE arms (and OTHER), the values compiled by ``branch`` (expr or action)."""
        arms = [(self.expr(c, scope), branch(v, scope), c) for c, v in node.args[0]]
        other = branch(node.args[1], scope) if node.args[1] is not None else None

        def case(S, P, E):
            for c, g, cn in arms:
                if truth(c(S, P, E), cn):
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
            body_scope = Scope(scope.ctx, scope.bound + params_of(d), lets, scope.init)
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
                items = [f.value for f in fs]
                one_kind(items, node)
                return _constant(frozenset(items))
            except TypeError:
                pass
            except TLAError as exc:
                return _failing(exc)
        if len(fs) == 1:
            f0 = fs[0]
            return lambda S, P, E: frozenset((f0(S, P, E),))

        def enumerated(S, P, E):
            items = [f(S, P, E) for f in fs]
            one_kind(items, node)
            return frozenset(items)
        return enumerated

    def x_tuple(self, node, scope):
        fs = [self.expr(x, scope) for x in node.args[0]]
        return lambda S, P, E: tuple([f(S, P, E) for f in fs])

    def x_times(self, node, scope):
        fs = [self.expr(x, scope) for x in node.args[0]]
        return lambda S, P, E: LazySet("Product", tuple(f(S, P, E) for f in fs))

    def binder(self, bounds, scope: Scope, ordered: bool = False):
        """``envs(S, P, E)`` yielding ``E`` extended with each binding of ``bounds`` (``[(pattern,
        set)]``), and the scope inside. ``ordered`` (actions, Init, CHOOSE): each set in
        canonical order, and with several bound variables the *first* varies fastest, as TLC's
        ``ContextEnumerator`` does, which is the order of its successors (and so of "generated"
        at a violation, and of the counterexample found). Otherwise (a value: ``\\A``, ``\\E``,
        a set or a function built) the order is the sets' own."""
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
            combos = itertools.product(*domains) if not ordered else \
                (c[::-1] for c in itertools.product(*domains[::-1]))
            for combo in combos:
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
                base = sf(S, P, E)
                if type(base) is LazySet:  # SUBSET S, [S -> T], Nat...: tested, not enumerated
                    return LazySet("Filter", base, lambda v: f(S, P, E + (v,)))
                return frozenset([v for v in as_set(base) if f(S, P, E + (v,))])
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
                if lazy or is_infinite(dom):
                    return LazyFn(dom, lambda x: f(S, P, E + (x,)))
                return make_fn({v: f(S, P, E + (v,)) for v in as_set(dom)})
            return fn1

        simple = all(not isinstance(pattern, tuple) for pattern, _ in bounds)
        sfs = [self.expr(s, scope) for _, s in bounds] if simple else []

        def fnn(S, P, E):
            if simple:  # [n \in Nat, v \in S |-> ...] (TransitiveClosure): applied on demand
                doms = [sf(S, P, E) for sf in sfs]
                if lazy or any(is_infinite(d) for d in doms):
                    return LazyFn(LazySet("Product", tuple(doms)), lambda x: f(S, P, E + x))
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
                    raise locate(node, exc) from None
            return app1
        fas = [self.expr(a, scope) for a in args]

        def appn(S, P, E):
            try:
                return apply_fn(ff(S, P, E), tuple(a(S, P, E) for a in fas))
            except TLAError as exc:
                raise locate(node, exc) from None
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


def _bound(i: int) -> Callable:
    """The value of the bound variable at ``E[i]``; marked so that callers can inline it."""
    def bound(S, P, E):
        return E[i]
    bound.bound = i
    return bound


def _param(i: int) -> Callable:
    """The value of the operator parameter at ``E[i]``: its argument's error, if evaluating
    it failed, is raised here, where the body reads it (:class:`~refute.tla.scope.Deferred`)."""
    def param(S, P, E):
        v = E[i]
        if v.__class__ is Deferred:
            raise v.error
        return v
    return param


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
        ct = type(c)
        field = getattr(fa, "field", None)
        if field is not None:
            i, name = field

            def field_eq(S, P, E):
                r = E[i]
                try:
                    v = r[name]
                except (KeyError, TypeError, IndexError):
                    raise TLAError(f"record {short(r)} has no field {name}", node) from None
                if type(v) is ct:
                    return (v == c) is equal
                return _tlc_equal(v, c, node) is equal
            return field_eq

        def const_eq(S, P, E):
            v = fa(S, P, E)
            if type(v) is ct and ct in _SCALARS:  # the common case: no kinds to check
                return (v == c) is equal
            return _tlc_equal(v, c, node) is equal
        return const_eq

    def eq(S, P, E):
        a, b = fa(S, P, E), fb(S, P, E)
        if type(a) is type(b) and type(a) in _SCALARS:
            return (a == b) is equal
        return _tlc_equal(a, b, node) is equal
    return eq


_SCALARS = (int, str, bool)


def _tlc_equal(a: Any, b: Any, node: Node) -> bool:
    try:
        return tlc_equal(a, b)
    except TLAError as exc:
        raise locate(node, exc) from None


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


def _binding(target: Node) -> tuple[list, Node] | None:
    """The bounds (``[(pattern, set)]``) and body of an expression that binds identifiers, or
    None for any other."""
    k = target.kind
    if k in ("forall", "exists", "fn"):
        return list(target.args[0]), target.args[1]
    if k == "choose":
        return [(target.args[0], target.args[1])], target.args[2]
    if k == "filter":
        return [target.args[0]], target.args[1]
    if k == "setmap":
        return list(target.args[1]), target.args[0]
    return None


def _bound_sets(bounds: list) -> list:
    """The sets of ``bounds`` as SANY numbers them: ``x, y \\in S`` is one."""
    sets: list = []
    for _, s in bounds:
        if s is None:
            continue
        if not sets or sets[-1] is not s:
            sets.append(s)
    return sets


def _operands(target: Node, nav: Any, node: Node) -> tuple:
    k = target.kind
    if k in ("conj", "disj"):
        return tuple(target.args[0])
    if k in ("infix", "prefix"):
        return tuple(target.args[1:])
    if k == "app":
        return tuple(target.args[1])
    if k == "if":
        return tuple(target.args)
    raise TLAError(f"cannot select subexpression {nav} of this expression ({k})", node)


def _arg_num(nav: Any, arity: int) -> int | None:
    """SANY's ``Generator.ArgNum``: ``n`` if there are that many, ``<<`` the first, ``>>`` the
    second of exactly two."""
    if nav == "<<":
        return 1 if arity > 0 else None
    if nav == ">>":
        return 2 if arity == 2 else None
    return nav if 0 < nav <= arity else None
