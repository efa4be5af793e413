"""Finding modules and filling contexts: EXTENDS, INSTANCE (named, parameterised, WITH).

A module named in EXTENDS or INSTANCE is looked up in the spec's own folder first, then in
the module libraries named by ``REFUTE_TLA_MODULES`` (folders separated by ``os.pathsep``,
each searched directly and in its ``standard``, ``community`` and ``tlaps`` subfolders, e.g. a
checkout of tlaplus/CommunityModules). refute ships no third-party module text. The
standard modules TLC implements in Java (Naturals, Integers, Sequences, FiniteSets, Bags, TLC,
...) are native here (:mod:`refute.tla.stdlib`) and their sources are not read; community
modules are read from source, with the operators :mod:`refute.tla.stdlib` implements natively
replacing their TLA+ definitions (TLC's "module overrides").

Besides modules, the only files a spec can make refute read are the data files of Json's
deserialising operators, and only below the paths the user allowed (:attr:`Loader.readable`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from refute.errors import InputError
from refute.tla.parser import Instance, Module, Node, OpDef, parse_file
from refute.tla.scope import (apply_overrides, definition_key, Builtin, Const, Context, Def, InstDef, Scope,
                              Subst, Var)
from refute.tla.community import NATIVE_FOR_SPEED, SAME_AS_DEFINITION
from refute.tla.stdlib import NATIVE_ONLY, natives_for
from refute.tla.temporal import Unfolder
from refute.tla.values import RefuteLimitation, TLAError

if TYPE_CHECKING:
    from refute.tla.compile import Compiler

def _library_roots() -> list[str]:
    return [d for d in os.environ.get("REFUTE_TLA_MODULES", "").split(os.pathsep) if d]


LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "library")
"""refute's own declaration modules (FiniteSetsExt, Functions, SequencesExt, Folds, TLAPS):
the operators it implements natively, written by refute; searched after the user's folders."""


class Loader:
    """Parses each module once; ``find(name)`` resolves a module name to its AST: beside the
    spec, then in ``REFUTE_TLA_MODULES``'s folders, then in refute's :data:`LIBRARY`.
    ``bundled``: the names of the modules found in the library."""

    def __init__(self, spec_dir: str, root: Module):
        self.dirs = [spec_dir]
        for root_dir in _library_roots():
            for sub in ("standard", "community", "tlaps", ""):
                self.dirs.append(os.path.join(root_dir, sub))
        self.dirs.append(LIBRARY)
        self.bundled: list[str] = []
        self.cache: dict[str, Module] = {root.name: root}
        self.inner: dict[str, Module] = _inner_modules(root)
        self.spec_dir = spec_dir
        self.readable: tuple[str, ...] = ()  # files or folders data may be read from (real paths)
        self.missing: dict[str, Module] = {}  # module EXTENDed but not found -> the module naming it

    def read_data(self, path: str, operator: str) -> str:
        """The text of a data file a spec reads (``JsonDeserialize("trace.json")``), if it is
        one of :attr:`readable` or below one of them. A relative path is TLC's: relative to the
        working directory (TLC opens a Java ``File``), else, where no such file is there, to the
        spec's folder (so that a spec and its data checked from elsewhere still read)."""
        target = os.path.realpath(path)
        if not os.path.isabs(path) and not os.path.exists(target):
            target = os.path.realpath(os.path.join(self.spec_dir, path))
        allowed = any(target == root or os.path.commonpath([target, root]) == root
                      for root in self.readable)
        if not allowed:
            raise RefuteLimitation(f"{operator}({path!r}) reads {target}, which was not "
                                   "allowed", hint="TLC would read it; refute reads a spec's "
                                   "data files only where you say, e.g. refute check "
                                   f"--allow-read {target}")
        try:
            with open(target, encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            raise TLAError(f"{operator} cannot read {target}: {exc.strerror}") from None

    def find(self, name: str, where: Any = None) -> Module:
        if name in self.cache:
            return self.cache[name]
        if name in self.inner:
            return self.inner[name]
        for d in self.dirs:
            path = os.path.join(d, name + ".tla")
            if os.path.isfile(path):
                module = parse_file(path)
                self.cache[name] = module
                self.inner.update(_inner_modules(module))
                if d == LIBRARY:
                    self.bundled.append(name)
                return module
        if isinstance(where, Module) and name in where.extends:
            return self._left_out(name, where)
        raise InputError(f"module {name} not found", file=getattr(where, "file", None),
                         line=getattr(where, "line", None),
                         hint="put its .tla file next to the spec, or point REFUTE_TLA_MODULES at a "
                              "folder holding it (e.g. a checkout of tlaplus/CommunityModules); "
                              "the standard modules (Naturals, Sequences, TLC, ...) are built in")

    def _left_out(self, name: str, where: Module) -> Module:
        """A module EXTENDed but not found, taken as empty: specs EXTEND TLAPS's library
        (FunctionTheorems, ...) for their proofs only, and TLA+ forbids redefining a name, so
        leaving out a module that defines nothing the model uses changes no value. If the
        model uses one of its names, that name is unknown and the error says which module
        was not found (:meth:`Scope.lookup`); the result says the module was left out
        (:attr:`~refute.tla.model.TLAModel.notes`). TLC needs every module to parse a spec."""
        self.missing[name] = where
        module = self.cache[name] = Module(name, None)
        return module

    def missing_note(self) -> str:
        """What to say of the modules left out, in an error or a result ("" if none)."""
        if not self.missing:
            return ""
        names = ", ".join(f"{name} (EXTENDS in {os.path.basename(where.file or where.name)})"
                          for name, where in self.missing.items())
        return (f"module{'s' if len(self.missing) > 1 else ''} {names} not found and left out: "
                "put the .tla file next to the spec or in a folder of REFUTE_TLA_MODULES")


def _inner_modules(module: Module) -> dict[str, Module]:
    """The modules written inside ``module`` (or after it in its file), at any depth."""
    out: dict[str, Module] = {}
    for name, sub in module.submodules.items():
        out.setdefault(name, sub)
        for inner_name, inner in _inner_modules(sub).items():
            out.setdefault(inner_name, inner)
    return out


def variables_of(loader: Loader, module: Module, seen: set | None = None) -> list[str]:
    """Every variable of ``module`` and the modules it EXTENDS, in declaration order."""
    seen = set() if seen is None else seen
    out: list[str] = []
    for name in module.extends:
        if name in seen or name in NATIVE_ONLY:
            continue
        seen.add(name)
        out.extend(v for v in variables_of(loader, loader.find(name, module), seen) if v not in out)
    out.extend(v for v in module.variables if v not in out)
    return out


def variable_declarations(loader: Loader, module: Module, seen: set | None = None) -> list[tuple]:
    """``(name, module, line, column)`` of each variable of ``variables_of``, where declared."""
    seen = set() if seen is None else seen
    out: list[tuple] = []
    for name in module.extends:
        if name in seen or name in NATIVE_ONLY:
            continue
        seen.add(name)
        out.extend(v for v in variable_declarations(loader, loader.find(name, module), seen)
                   if v[0] not in {w[0] for w in out})
    out.extend((v, module.name, *module.variable_at.get(v, (0, 0))) for v in module.variables
               if v not in {w[0] for w in out})
    return out


def constants_of(loader: Loader, module: Module, seen: set | None = None) -> list[tuple[str, int]]:
    seen = set() if seen is None else seen
    out: list[tuple[str, int]] = []
    for name in module.extends:
        if name in seen or name in NATIVE_ONLY:
            continue
        seen.add(name)
        out.extend(constants_of(loader, loader.find(name, module), seen))
    out.extend(module.constants)
    return out


def constant_declaration(loader: Loader, module: Module, name: str) -> tuple | None:
    """``(file, line, column)`` of the CONSTANT declaration of ``name`` in ``module`` or a
    module it EXTENDS, for messages that say which constant lacks a value."""
    if name in module.constant_at:
        return (module.file, *module.constant_at[name])
    for extended in module.extends:
        if extended not in NATIVE_ONLY:
            found = constant_declaration(loader, loader.find(extended, module), name)
            if found is not None:
                return found
    return None


def load_into(compiler: Compiler, ctx: Context, module: Module, seen: set | None = None) -> None:
    """Add ``module``'s definitions (and those it EXTENDS) to ``ctx``."""
    loader: Loader = compiler.loader
    seen = set() if seen is None else seen
    if module.name in seen:
        return
    seen.add(module.name)
    for name in module.extends:
        if name in NATIVE_ONLY:
            install_natives(ctx, name)
        else:
            load_into(compiler, ctx, loader.find(name, module), seen)
    natives = natives_for(module.name, loader.read_data)
    for item in module.order:
        if isinstance(item, Instance):
            if item.module in NATIVE_ONLY:
                install_natives(ctx, item.module)
                continue
            inner = instantiate(compiler, ctx, item, ())
            for name, entry in inner.names.items():
                if isinstance(entry, Def) and entry.opdef.local:
                    continue
                if name not in inner.own_constants:
                    ctx.names[name] = entry
            continue
        if item.name in natives:
            native = natives[item.name]
            same = module.name in NATIVE_FOR_SPEED or item.name in SAME_AS_DEFINITION.get(module.name, ())
            ctx.names[item.name] = native.replacing(Def(item, ctx)) if same else native
        elif item.kind == "instance":
            ctx.names[item.name] = InstDef(item, ctx)
        else:
            ctx.names[item.name] = Def(item, ctx)
    apply_overrides(ctx)


def modules_used(loader: Loader, module: Module, seen: set | None = None) -> set[str]:
    """``module``'s name and those of the modules it EXTENDS or INSTANCEs (named or not; the
    standard modules too), and of the modules those use."""
    seen = set() if seen is None else seen
    seen.add(module.name)
    used = [*module.extends]
    for item in module.order:
        if isinstance(item, Instance):
            used.append(item.module)
        elif item.kind == "instance":
            used.append(item.body.module)
    for name in used:
        if name in NATIVE_ONLY:
            seen.add(name)
        elif name not in seen:
            modules_used(loader, loader.find(name, module), seen)
    return seen


def definition_in(loader: Loader, module_name: str, name: str, seen: set | None = None) -> Any:
    """The :func:`~refute.tla.compile.definition_key` of ``name`` as module ``module_name``
    defines it (itself, natively, or by a module it EXTENDS or INSTANCEs unnamed), what a
    model's ``name <-[module_name] Def`` replaces; None if it defines no ``name`` (a CONSTANT
    is not a definition: TLC does not replace one this way either)."""
    seen = set() if seen is None else seen
    if module_name in seen:
        return None
    seen.add(module_name)
    natives = natives_for(module_name)
    if name in natives:
        return definition_key(natives[name])
    if module_name in NATIVE_ONLY:
        return None
    module = loader.find(module_name)
    for item in module.order:
        if isinstance(item, OpDef) and item.name == name and item.kind != "instance":
            return definition_key(item)
    used = [*module.extends, *(item.module for item in module.order if isinstance(item, Instance))]
    for other in used:
        key = definition_in(loader, other, name, seen)
        if key is not None:
            return key
    return None


def install_natives(ctx: Context, module_name: str) -> None:
    for name, builtin in natives_for(module_name).items():
        ctx.names[name] = builtin


def instantiate(compiler: Compiler, outer: Context, inst: Instance, params: tuple[str, ...]) -> Context:
    """A context for ``INSTANCE M WITH ...`` inside ``outer`` (``params``: I(p) == INSTANCE)."""
    loader: Loader = compiler.loader
    module = loader.find(inst.module, inst)
    inner = Context(compiler, module.file, outer.params + params)
    inner.own_constants = set()
    inner.own_variables = frozenset(variables_of(loader, module))
    if module.enclosed is not None and outer.file == module.file:
        # a module written inside another sees what the enclosing module declared and
        # defined before it (its own declarations, given values below, come on top)
        later, _ = module.enclosed
        inner.names.update((name, entry) for name, entry in outer.names.items() if name not in later)
    if module.name in NATIVE_ONLY:
        install_natives(inner, module.name)
        return inner
    subs = dict(inst.substitutions)
    scope = Scope(outer, outer.params + params)
    declared = [(c, a) for c, a in constants_of(loader, module)] + \
               [(v, 0) for v in variables_of(loader, module)]
    for name, arity in declared:
        inner.own_constants.add(name)
        node = subs.get(name)
        if node is None and name in scope.bound:  # P(Succ) == INSTANCE M: M's Succ is the parameter
            node = Node("name", (name,), inst.line, inst.col, outer.file)
        if node is None:
            entry = outer.names.get(name)
            if entry is None:
                raise InputError(f"INSTANCE {module.name}: no value for its constant or variable "
                                 f"'{name}'", file=outer.file, line=inst.line, column=inst.col,
                                 hint=f"add WITH {name} <- ... or declare {name} in this module")
            inner.names[name] = entry
            continue
        if node.kind == "name" and node.args[0] not in scope.bound:
            entry = outer.names.get(node.args[0])
            if isinstance(entry, (Var, Const)):
                inner.names[name] = entry
                continue
        try:
            if arity:
                fn = compiler.op_value(node, scope, arity)
            else:
                fn = compiler.expr(node, scope)
        except TLAError as exc:
            raise InputError(exc.message, file=outer.file, line=getattr(exc.node, "line", inst.line)) from None
        n = len(scope.bound)
        outer_fn = _state_function(compiler, fn, node, scope) if not arity and not n \
            else _outer_env(fn, n)
        inner.names[name] = Subst(outer_fn, arity, node, scope)
    load_into(compiler, inner, module)
    return inner


# Context gets an attribute for the names an instance declares (filled by instantiate).
Context.own_constants = frozenset()  # type: ignore[attr-defined]
Context.own_variables = frozenset()  # type: ignore[attr-defined]

__all__ = ["Loader", "constant_declaration", "constants_of", "definition_in", "forward_constant", "instantiate",
           "load_into", "modules_used", "variables_of", "Builtin", "OpDef"]


def forward_constant(compiler: Compiler, ctx: Context, name: str, arity: int) -> Subst:
    """The entry of constant ``name`` of ``ctx`` while the model's ``name <- Def`` is not yet
    applied (it is, once the modules are loaded, since ``Def`` may be defined after an
    ``INSTANCE``): an unnamed ``INSTANCE M`` loaded before then takes ``name`` from ``ctx``
    (TLC's implicit ``WITH name <- name``) and gets this, which compiles ``name`` in ``ctx``
    the first time it is evaluated, by then ``Def``."""
    node = Node("name", (name,))
    scope = Scope(ctx)
    compiled: list = []

    def forward(S, P, E):
        if not compiled:
            compiled.append(compiler.op_value(node, scope, arity) if arity else compiler.expr(node, scope))
        return compiled[0](S, P, ())
    return Subst(forward, arity, node, scope)


def _outer_env(fn, n: int):
    """A substitution is evaluated where the instance's definitions use it, with their bound
    values after the instance's own: it sees only the first ``n`` (its scope's)."""
    def subst(S, P, E):
        return fn(S, P, E[:n] if len(E) != n else E)
    return subst


def _state_function(compiler: Compiler, fn, node: Any, scope: Scope):
    """A substitution ``x <- e`` without parameters or bound names (a refinement mapping's
    ``pc <- [p \\in ProcSet |-> ...]``): ``e`` is evaluated once per state. A refined spec's
    step check reads ``x`` and ``x'`` many times per step (each disjunct of its Next, each
    ``\\E`` witness), so the values in the last two states are remembered, keyed by the
    states' identity (held, so an identity is not reused while remembered): the state and
    its successor of the step being checked. ``e`` sees no bound names, so its value depends
    on the state alone, unless it reads the next state (primes, ``UNCHANGED``): such an ``e``
    (found the first time it is evaluated, once every definition it names is loaded) is
    evaluated every time, as it is written."""
    last: list = [None, None, None, None]  # a state, e's value there, the one before, its value
    mode: list = []  # [True] when e reads only the state

    def subst(S, P, E):
        if S is None:
            return fn(S, P, ())
        if not mode:
            mode.append(not Unfolder(compiler).uses_next(node, scope))
        if not mode[0]:
            return fn(S, P, ())
        if S is last[0]:
            return last[1]
        if S is last[2]:
            return last[3]
        v = fn(S, P, ())
        last[2], last[3] = last[0], last[1]
        last[0], last[1] = S, v
        return v
    return subst
