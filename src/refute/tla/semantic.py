r"""SANY's semantic checks that TLC makes before it checks anything: names and arities.

SANY (TLC's front end) refuses a spec, whatever the model, when

- a module declares or defines a name twice, or defines a name a module it EXTENDS already
  declares or defines ("Multiply-defined symbol 'A'");
- a bound name (``\E x \in S``, an operator's or a LAMBDA's parameter, a LET definition,
  ``CHOOSE``, ``[x \in S |-> ...]``, ``{x \in S : ...}``) is a name already visible there:
  TLA+ forbids shadowing ("Multiply-defined symbol 'x'");
- an operator is applied to a number of arguments other than its arity ("The operator F
  requires 2 arguments"), or an operator argument of another arity is passed where an
  operator parameter expects one ("Argument number 1 to operator 'G' should be a 1-parameter
  operator").

refute reports these the same way, with SANY's words, before exploring (exit 2), so that a
spec TLC refuses is never checked. What is checked is each module's own text: names a module
imports by an unnamed ``INSTANCE`` are not counted as visible (SANY would also refuse a bound
name that shadows one; refute then evaluates the bound one), and a module written inside
another is left to its users (SANY only warns when it redeclares the enclosing constants).
Locations are those of the definition, or of the expression that binds or applies the name.
"""

from __future__ import annotations

from typing import Any

from refute.errors import InputError
from refute.tla.parser import Instance, Module, Node, OpDef
from refute.tla.stdlib import NATIVE_ONLY, natives_for

_SANY = "SANY (TLC's parser) refuses this too: "


def check_modules(loader: Any, root: Module) -> None:
    """SANY's checks on ``root`` and every module it uses (found by ``loader``)."""
    seen: set[str] = set()
    _check(loader, root, seen)


def _check(loader: Any, module: Module, seen: set[str]) -> None:
    if module.name in seen or module.name in NATIVE_ONLY:
        return
    seen.add(module.name)
    used = [*module.extends, *(i.module for i in module.order if isinstance(i, Instance)),
            *(d.body.module for d in module.definitions if d.kind == "instance")]
    for name in used:
        if name not in NATIVE_ONLY:
            _check(loader, loader.find(name, module), seen)
    if module.enclosed is None:
        _ModuleCheck(module, _extended_names(loader, module)).run()


def _extended_names(loader: Any, module: Module) -> dict[str, tuple]:
    """What the modules ``module`` EXTENDS make visible: name -> (arity, params, origin)."""
    out: dict[str, tuple] = {}
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        if name in NATIVE_ONLY:
            for op, builtin in natives_for(name).items():
                out.setdefault(op, (builtin.arity, None, ("native", name)))
            return
        other = loader.find(name, module)
        for ext in other.extends:
            visit(ext)
        for const, arity in other.constants:
            out.setdefault(const, (arity, None, ("declared", other.name, const)))
        for var in other.variables:
            out.setdefault(var, (0, None, ("declared", other.name, var)))
        for d in other.definitions:
            if not d.local:
                out.setdefault(d.name, (len(d.params), d.params if d.kind == "op" else None,
                                        ("def", id(d))))
    for ext in module.extends:
        visit(ext)
    return out


class _ModuleCheck:
    def __init__(self, module: Module, extended: dict[str, tuple]):
        self.module = module
        self.visible: dict[str, tuple] = dict(extended)  # name -> (arity, params, origin)

    def error(self, message: str, where: Any, hint: str) -> InputError:
        return InputError(message, file=getattr(where, "file", None) or self.module.file,
                          line=getattr(where, "line", None), column=getattr(where, "col", None),
                          hint=_SANY + hint)

    def run(self) -> None:
        """The module's declarations, definitions and assumptions in the order written: each
        name is visible after it (a definition not in its own body)."""
        m = self.module
        own: dict[str, Any] = {}
        items: list[tuple] = []
        for const, arity in m.constants:
            line, col = m.constant_at.get(const, (0, 0))
            items.append((line, col, "declare", (const, arity)))
        for var in m.variables:
            line, col = m.variable_at.get(var, (0, 0))
            items.append((line, col, "declare", (var, 0)))
        for d in m.order:
            if isinstance(d, OpDef):
                items.append((d.line, d.col, "define", d))
        for a in m.assumptions:
            items.append((a.line, a.col, "assume", a))
        for line, col, what, item in sorted(items, key=lambda i: (i[0], i[1])):
            if what == "declare":
                name, arity = item
                self._declare(own, name, arity, None, Node("name", (name,), line, col, m.file),
                              declared=True)
            elif what == "define":
                self.definition(item, {})
                params = item.params if item.kind == "op" else None
                self._declare(own, item.name, len(item.params), params, item, declared=False)
            else:
                self._walk(item, {})

    def _declare(self, own: dict, name: str, arity: int, params: Any, where: Any,
                 declared: bool) -> None:
        first = own.get(name)
        if first is None and name in self.visible and not declared:
            first = self.visible[name]
        if first is not None:
            at = f" at line {first.line}, col {first.col}" if getattr(first, "line", 0) else ""
            raise self.error(f"Multiply-defined symbol '{name}': this definition or declaration "
                             f"conflicts with the one{at}", where,
                             f"rename one of the two definitions of {name}")
        own[name] = where
        self.visible[name] = (arity, params, ("own", name))

    # ------------------------------------------------------------------ expressions
    def definition(self, d: OpDef, local: dict) -> None:
        """``d``'s body, its parameters bound (``local``: the bound names around it -> arity)."""
        if d.kind == "instance":
            for _, arg in d.body.substitutions:
                self._walk(arg, local)
            return
        inner = local
        for p, arity in d.params:
            inner = self.bind(p, inner, d, arity)
        self._walk(d.body, inner)

    def bind(self, name: str, local: dict, where: Any, arity: int = 0) -> dict:
        if name in self.visible or name in local:
            raise self.error(f"Multiply-defined symbol '{name}': a bound name may not be a name "
                             "already visible here (TLA+ forbids shadowing)", where,
                             f"rename the bound {name}")
        return {**local, name: arity}

    def _bounds(self, bounds: tuple, local: dict, where: Node) -> dict:
        for pattern, s in bounds:
            if s is not None:
                self._walk(s, local)
        for pattern, _ in bounds:
            for name in (pattern if isinstance(pattern, tuple) else (pattern,)):
                local = self.bind(name, local, where)
        return local

    def _walk(self, node: Any, local: dict) -> None:
        if isinstance(node, tuple):
            for x in node:
                self._walk(x, local)
            return
        if not isinstance(node, Node):
            return
        k, a = node.kind, node.args
        if k in ("exists", "forall", "fn"):
            self._walk(a[1], self._bounds(a[0], local, node))
            return
        if k == "filter":
            self._walk(a[1], self._bounds((a[0],), local, node))
            return
        if k == "setmap":
            self._walk(a[0], self._bounds(a[1], local, node))
            return
        if k == "choose":
            pattern, s, body = a
            if s is not None:
                self._walk(s, local)
            self._walk(body, self._bounds(((pattern, None),), local, node))
            return
        if k in ("tforall", "texists"):
            inner = local
            for name in a[0]:
                inner = self.bind(name, inner, node)
            self._walk(a[1], inner)
            return
        if k == "lambda":
            params, body = a
            inner = local
            for p, arity in params:
                inner = self.bind(p, inner, node, arity)
            self._walk(body, inner)
            return
        if k == "let":
            defs, body = a
            inner = local
            for d in defs:
                self.definition(d, inner)
                inner = self.bind(d.name, inner, d, len(d.params))
            self._walk(body, inner)
            return
        if k == "app":
            name, args = a
            self._arity(name, args, local, node)
            self._walk(args, local)
            return
        self._walk(a, local)

    def _arity(self, name: str, args: tuple, local: dict, node: Node) -> None:
        if name in local:
            known = local[name]
            params = None
        elif name in self.visible:
            known, params, _ = self.visible[name]
        else:
            return
        if known >= 0 and known != len(args):
            raise self.error(f"The operator {name} requires {known} arguments", node,
                             f"call {name} with {known} arguments")
        for i, (arg, (_, ar)) in enumerate(zip(args, params or ())):
            if ar and arg.kind in ("name", "opref") and arg.args[0] not in local \
                    and arg.args[0] in self.visible:
                given = self.visible[arg.args[0]][0]
                if given >= 0 and given != ar:
                    raise self.error(f"Argument number {i + 1} to operator '{name}' should be a "
                                     f"{ar}-parameter operator", node,
                                     f"pass an operator of {ar} arguments")
