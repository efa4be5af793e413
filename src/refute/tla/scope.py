"""What a name means where a TLA+ expression is compiled: the entries of a module instance's
:class:`Context` and the compile-time :class:`Scope`.

A context maps each name visible in one module instance to an entry: a state variable
(:class:`Var`), a constant given by the model (:class:`Const`), a constant or variable of an
instantiated module replaced by an outer expression (:class:`Subst`), an operator implemented
natively (:class:`Builtin`), a user definition (:class:`Def`, compiled on first use) or a module
instance (:class:`InstDef`, instantiated on first use). A LET definition is the entry
``("let", Def, depth)`` in :attr:`Scope.lets`, ``depth`` being the number of bound values its
body sees before its own parameters.

These are plain data with no compiling logic, so that every part of the front end (the
expression and action compilers, the module loader, the temporal unfolder, the native standard
modules) can name them without importing the compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from refute.tla.parser import Node, OpDef
from refute.tla.values import TLAError

if TYPE_CHECKING:
    from refute.tla.compile import Compiler

#: An unassigned variable of a partial next state (and of Init's partial state).
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


class Param(str):
    """A bound name that is an operator's (or a LET definition's) ordinary parameter: its value
    in ``E`` may be a :class:`Deferred` error, so a read of it checks (a quantifier's variable,
    a plain ``str``, is read unchecked). Equal to its name, so a scope's bound names keep the
    mark through every slice and :meth:`Scope.bound_index` finds it as before."""

    __slots__ = ()


class Deferred:
    """The error an operator's argument raised, held in ``E`` in place of its value: TLC
    evaluates an argument only where the body reads it (``LazyValue``), so the error is raised
    at the first read of the parameter and never if the body does not read it (``Ignore(a, b)
    == a`` given ``CHOOSE z \\in {} : TRUE`` as ``b``). Arguments are evaluated eagerly
    otherwise: an argument that evaluates without error has the same value either way.

    A definition's body is compiled twice for this, so that the common call pays nothing: as
    is (its parameters read unchecked), called when every argument has a value, and, the first
    time one fails, with its ordinary parameters :class:`Param` (checked), called with the
    failed ones :class:`Deferred` (:class:`ArgumentsFailed`). A LET definition's body, compiled
    where the LET is, is compiled checked only."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


def params_of(opdef: OpDef) -> tuple:
    """The bound names an operator's parameters take in its body (ordinary ones marked)."""
    return tuple(p if arity else Param(p) for p, arity in opdef.params)


class ArgumentsFailed(Exception):
    """Raised by :func:`arguments` when an argument failed: ``values`` holds every argument,
    the failed ones :class:`Deferred`, for the body compiled checked."""

    def __init__(self, values: tuple):
        super().__init__("an argument failed")
        self.values = values


def arguments(fs: list, S: Any, P: Any, E: tuple) -> tuple:
    """The arguments ``fs`` evaluated; :class:`ArgumentsFailed` if one failed."""
    vals: list = []
    append = vals.append
    for f in fs:
        try:
            append(f(S, P, E))
        except Exception as exc:  # the rest evaluated too, each error deferred
            append(Deferred(exc))
            raise ArgumentsFailed(tuple(vals) + evaluate_args(fs[len(vals):], S, P, E)) from None
    return tuple(vals)


def evaluate_args(fs: list, S: Any, P: Any, E: tuple) -> tuple:
    """The arguments ``fs`` evaluated, an error held as a :class:`Deferred` (see there)."""
    vals: list = []
    append = vals.append
    for f in fs:
        try:
            append(f(S, P, E))
        except Exception as exc:  # any error of the argument, raised where it is read
            append(Deferred(exc))
    return tuple(vals)


class Var:
    """A state variable: its position in the state tuple."""

    __slots__ = ("index", "name")

    def __init__(self, index: int, name: str):
        self.index, self.name = index, name


class CutVar(Var):
    """A variable of an instantiated module inside ``ENABLED`` written in that module: TLC
    evaluates ``ENABLED`` before the instance's substitution (its context lookup stops at the
    branch ``ENABLED`` makes), so the primed variable is a next-state slot of its own, at
    ``index`` past the spec's variables, while its unprimed value is still the substitution's
    (``read``, the entry the instance gave it). :mod:`refute.tla.enabled` makes them."""

    __slots__ = ("read",)

    def __init__(self, index: int, name: str, read: Any):
        super().__init__(index, name)
        self.read = read


class Const:
    """A constant's value, given by the model (or a model value)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Subst:
    """A constant or variable of an instantiated module, replaced by an outer expression."""

    __slots__ = ("fn", "arity", "node", "scope")

    def __init__(self, fn: Any, arity: int = 0, node: Any = None, scope: Any = None):
        self.fn, self.arity, self.node, self.scope = fn, arity, node, scope


class Builtin:
    """An operator implemented natively; ``op_args``: positions of its operator parameters.
    One without arguments is evaluated once, when compiled, unless ``volatile`` (its value
    depends on where the run is: TLCExt's ``CounterExample``). ``at_state``, when given, is
    called instead of ``fn`` with the current state first (``None`` for constants):
    ``TLCGet("level")`` is the level of the state being explored. ``definition``: the
    module's own definition the native replaces, where it means the same value (a
    :class:`Def`; see :data:`refute.tla.community.NATIVE_FOR_SPEED`): the compiled backend
    lowers it where it has no native form of its own."""

    __slots__ = ("fn", "arity", "op_args", "volatile", "at_state", "definition")

    def __init__(self, fn: Callable, arity: int, op_args: tuple = (), volatile: bool = False,
                 at_state: Callable | None = None, definition: Def | None = None):
        self.fn, self.arity, self.op_args, self.volatile = fn, arity, op_args, volatile
        self.at_state, self.definition = at_state, definition

    def replacing(self, definition: Def) -> Builtin:
        """This native, standing for ``definition``."""
        return Builtin(self.fn, self.arity, self.op_args, self.volatile, self.at_state, definition)


class Def:
    """A user definition in a context, compiled on first use (value and action forms)."""

    __slots__ = ("opdef", "ctx", "value_fn", "action_fn", "busy", "const", "last", "caller", "checked")

    def __init__(self, opdef: OpDef, ctx: Context):
        self.opdef, self.ctx = opdef, ctx
        # an argument substituted for a parameter (its node is opdef.body): the caller's scope
        self.caller: Scope | None = None
        # the body compiled with its parameters' reads checked (see Deferred), on first need:
        # "value", "action", "init" -> the compiled body
        self.checked: dict[str, Any] = {}
        self.value_fn: Any = None
        self.action_fn: Any = None
        self.busy = False
        self.const: Any = None
        self.last: tuple = (None, None, None)  # (S, P, value) of the last state-dependent use


class InstDef:
    """``I == INSTANCE M ...``: its context is made (:meth:`.Compiler.instance_ctx`) on first use."""

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
        # name -> this instance's own definition, where the model's ``Op <- Def`` replaced it
        # (``I!Op`` names the instance's own definition, which TLC does not override)
        self.replaced: dict[str, Any] = {}
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
    overrides the definition itself, so also inside instantiated modules).

    A named instance's ``I!Op`` is another matter: SANY gives the instance a definition node of
    its own for each of the module's definitions, and TLC's ``Op <- Def`` replaces only the
    root module's nodes (``SpecProcessor.processConstantDefns`` sets the tool object of
    ``rootModule.getOpDefs()``), so ``I!Op`` still means the module's ``Op`` while the
    module's own references to ``Op`` are replaced (``LET CC == INSTANCE M IN CC!Op`` is how a
    replacement calls the definition it replaces). The instance's definition is kept in
    :attr:`Context.replaced`. ``Op <-[M] Def`` replaces ``Op``'s body (TLC sets the body's
    tool object), so it holds for ``I!Op`` too: those overrides are marked ``whole``."""
    for key, name, replacement, *whole in getattr(ctx.compiler, "def_overrides", ()):
        entry = ctx.names.get(name)
        if entry is not None and entry is not replacement and definition_key(entry) == key:
            if not whole:
                ctx.replaced.setdefault(name, entry)
            ctx.names[name] = replacement


class Scope:
    """Compile-time scope: the context, the bound names (positions in ``E``), LET definitions."""

    __slots__ = ("ctx", "bound", "lets", "init")

    def __init__(self, ctx: Context, bound: tuple = (), lets: dict | None = None, init: bool = False):
        self.ctx, self.bound, self.init = ctx, bound, init
        self.lets = lets if lets is not None else {}

    def bind(self, *names: str) -> Scope:
        return Scope(self.ctx, self.bound + names, self.lets, self.init)

    def bound_index(self, name: str) -> int | None:
        """The position in ``E`` of bound name ``name`` (the innermost one), or ``None``."""
        b = self.bound
        for i in range(len(b) - 1, -1, -1):
            if b[i] == name:
                return i
        return None

    def lookup(self, name: str, node: Node) -> Any:
        """The entry ``name`` stands for: a LET definition, else the context's."""
        if name in self.lets:
            return self.lets[name]
        entry = self.ctx.names.get(name)
        if entry is None:
            loader = getattr(self.ctx.compiler, "loader", None)
            bundled = getattr(loader, "bundled", ())
            note = (f" (refute's own {', '.join(bundled)} declare the operators of the "
                    "CommunityModules release TLC's jar has, listed in docs/tla.md; for another "
                    "release point REFUTE_TLA_MODULES at a copy of it)") if bundled else ""
            missing = loader.missing_note() if loader is not None else ""
            note += f" ({missing})" if missing else ""
            raise TLAError(f"unknown operator or variable '{name}'{note}", node)
        return entry

