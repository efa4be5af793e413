"""A Python spec's action instances fused into one Python function: ``next_states`` without a
call per instance.

A spec's ``next_states`` calls every action instance on the state (37 calls a state for
TwoPhase with 7 resource managers, three quarters of them returning ``None``); entering an
action's frame from C costs about what its guard does. The fused function runs the same
bodies inline, in the same order, each action's instances a ``for`` loop over prebuilt
``(label, arguments)``, so that one call per state does what the instances did:

* an action's body is its own source (``inspect.getsource``), parsed and compiled again only if
  the result is the very code Python compiled for the method (same bytecode, names and
  constants), so that a stale source file, a decorator's wrapper or name mangling is never
  fused; its local names are renamed apart (``_a<number>_<name>``), its ``self`` and state
  parameter read the values the loop gives;
* ``return value`` becomes "keep ``value`` unless it is None, then the next instance"
  (``continue``); a state of the spec's state type is appended as the C dispatch loop does,
  anything else (a generator's items, an ``outcome``, a value to validate) goes to the same
  Python code as the dispatch loop hands it to (``hand``);
* a leading conjunct of an action's guard that reads only the state's fields and constants
  (``if ("commit",) in s.msgs: ...``) is evaluated once per state instead of once per
  instance: it is the same for every instance and evaluating it has no effect, states being
  immutable values.

Exactness: the successors, their order and labels are the unfused loop's. An action is fused
only when that is sure: not a generator, no ``return`` inside a loop, no ``try``/``with``/
``global``/``nonlocal``/``del``, no nested function, lambda or class, no closure, and every
local variable assigned before it can be read on every path (a fused loop's variables
survive from one instance to the next, where a call would have raised ``UnboundLocalError``).
Other actions are called in the fused function as the dispatch loop calls them. On any
exception the caller runs the state again through the unfused loop, which raises the spec's
located error (actions are deterministic functions of the state: traces are rebuilt by
replaying them).
"""

from __future__ import annotations

import __future__
import ast
import inspect
import re
import textwrap
import types
from collections.abc import Callable
from typing import Any

__all__ = ["fuse_actions"]

_REFUSED = (ast.Try, ast.With, ast.AsyncWith, ast.Global, ast.Nonlocal, ast.Delete,
            ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Yield,
            ast.YieldFrom, ast.Await)
if hasattr(ast, "TryStar"):
    _REFUSED += (ast.TryStar,)
_INTROSPECTION = frozenset({"locals", "vars", "dir", "eval", "exec", "super"})
_RESERVED = frozenset({"_spec", "_ST", "_checked", "_hand", "_instances", "_s", "_out",
                       "_append", "_label", "_r", "_function", "_args", "next_states", "_factory"})
_RENAMED = re.compile(r"_a[0-9]+_")
_PURE_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
                     ast.Is, ast.IsNot)


def fuse_actions(spec: Any, state_type: type, entries: list[tuple], unvalidated: set[str],
                 hand: Callable[..., None]) -> Callable[[Any], list] | None:
    """The fused ``next_states`` of ``entries`` (the plan's prebuilt instances, in order:
    ``(label, bound method, arity, first, second, args, generator)``), or None when no action
    can be fused (the dispatch loop is then as fast).

    ``unvalidated``: the names of the actions whose first successor is still to be checked
    (the set the caller empties, then calls the answer's ``refresh()``); the results of those
    actions, and all but states of the state type, go to ``hand(label, result, generator,
    state, out)``, as the dispatch loop hands them back.
    """
    groups: list[tuple[Callable, bool, list[tuple]]] = []  # consecutive instances of one action
    for label, function, _, _, _, args, generator in entries:
        if groups and groups[-1][0] == function and groups[-1][2][0][0].action == label.action:
            groups[-1][2].append((label, *args))
        else:
            groups.append((function, generator, [(label, *args)]))
    module_globals = None
    blocks: list[str] = []
    instances: list[list[tuple]] = []
    fused: list[str] = []
    for number, (function, generator, group) in enumerate(groups):
        body = None
        func = getattr(function, "__func__", None)
        if (not generator and type(function) is types.MethodType and function.__self__ is spec
                and type(func) is types.FunctionType
                and (module_globals is None or func.__globals__ is module_globals)):
            body = _fused_body(func, number, state_type, len(group[0]) - 1)
        if body is not None:
            module_globals = func.__globals__
            fused.append(group[0][0].action)
            instances.append(group)
            blocks.append(body)
        else:
            instances.append([(label, function, tuple(args)) for label, *args in group])
            blocks.append(_called(number, generator))
    if not fused:
        return None
    source = ("def _factory(_spec, _ST, _checked, _hand, _instances):\n"
              "    def next_states(_s):\n"
              "        _out = []\n"
              "        _append = _out.append\n"
              + "".join(textwrap.indent(block, " " * 8) for block in blocks)
              + "        return _out\n"
              "    return next_states\n")
    scratch: dict[str, Any] = {}
    exec(compile(source, f"<refute: {type(spec).__name__}'s actions fused>", "exec",  # noqa: S102
                 dont_inherit=True), scratch)
    factory = types.FunctionType(scratch["_factory"].__code__, module_globals)
    names = [group[0][0].action for _, _, group in groups]
    checked = [name not in unvalidated for name in names]
    fused_next_states = factory(spec, state_type, checked, hand, instances)

    def refresh() -> None:
        checked[:] = [name not in unvalidated for name in names]

    fused_next_states.refresh = refresh  # type: ignore[attr-defined]
    fused_next_states.fused_actions = tuple(fused)  # type: ignore[attr-defined]  # for tests
    return fused_next_states


def _emit(result: str, number: int, generator: bool) -> str:
    """Keep ``result`` (a name) of block ``number`` as the dispatch loop does (see
    _dispatch.c)."""
    if generator:
        return f"if {result} is not None:\n    _hand(_label, {result}, True, _s, _out)\n"
    return (f"if type({result}) is _ST and _checked[{number}]:\n"  # the common case first
            f"    _append((_label, {result}))\n"
            f"elif {result} is not None:\n"
            f"    _hand(_label, {result}, False, _s, _out)\n")


def _called(number: int, generator: bool) -> str:
    """The block of an action that is called, not fused."""
    return (f"for _label, _function, _args in _instances[{number}]:\n"
            f"    _r = _function(_s, *_args)\n"
            + textwrap.indent(_emit("_r", number, generator), "    "))


def _fused_body(func: types.FunctionType, number: int, state_type: type,
                arity: int) -> str | None:
    """The block running ``func``'s instances inline, or None when it cannot be fused."""
    code = func.__code__
    if code.co_freevars or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or \
            code.co_kwonlyargcount or code.co_posonlyargcount or code.co_argcount != arity + 2:
        return None
    try:
        lines, _ = inspect.getsourcelines(func)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    definition = tree.body[0]
    if definition.name != func.__name__ or not _same_code(definition, code):
        return None
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body or not _fusable(body):
        return None
    params = [a.arg for a in definition.args.args]
    local_names = set(code.co_varnames) | set(code.co_cellvars)
    if not _assigned_before_read(body, set(params), local_names):
        return None
    stored = {node.id for node in _walk(body) if isinstance(node, ast.Name)
              and not isinstance(node.ctx, ast.Load)}
    if any(isinstance(node, ast.Name) and node.id not in local_names
           and (node.id in _RESERVED or _RENAMED.match(node.id)) for node in _walk(body)):
        return None  # a global the fused function's own names would hide
    self_name, state_name = params[0], params[1]
    renames = {name: f"_a{number}_{name}" for name in local_names}
    if self_name not in stored:
        renames[self_name] = "_spec"
    if state_name not in stored:
        renames[state_name] = "_s"
    fields = frozenset(getattr(state_type, "_fields", ()))
    hoisted: ast.expr | None = None
    if arity and state_name not in stored and len(body) == 1 and isinstance(body[0], ast.If) \
            and not body[0].orelse:
        hoisted, rest = _split_guard(body[0].test, state_name, fields)
        if hoisted is not None:
            body = [ast.If(rest, body[0].body, [])] if rest is not None else body[0].body
    renamer = _Renamer(renames)
    statements = [_Returns(number).visit(renamer.visit(statement)) for statement in body]
    module = ast.Module(body=[s for group in statements for s in
                              (group if isinstance(group, list) else [group])], type_ignores=[])
    ast.fix_missing_locations(module)
    prelude = "".join(f"{renames[name]} = {replacement}\n" for name, replacement in
                      ((self_name, "_spec"), (state_name, "_s")) if name in stored)
    targets = ", ".join(["_label"] + [renames[p] for p in params[2:]])
    block = (f"for {targets}{',' if not arity else ''} in _instances[{number}]:\n"
             + textwrap.indent(prelude + ast.unparse(module) + "\n", "    "))
    if hoisted is not None:
        condition = ast.unparse(renamer.visit(hoisted))
        block = f"if {condition}:\n" + textwrap.indent(block, "    ")
    return block


def _same_code(definition: ast.FunctionDef, code: types.CodeType) -> bool:
    """Whether ``definition`` (its decorators left out) compiles to ``code``'s bytecode."""
    bare = ast.FunctionDef(definition.name, definition.args, definition.body, [],
                           definition.returns, definition.type_comment)
    module = ast.fix_missing_locations(ast.Module([bare], []))
    try:
        compiled = compile(module, code.co_filename, "exec", flags=_future_flags(code),
                           dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    found = [c for c in compiled.co_consts if isinstance(c, types.CodeType)]
    return len(found) == 1 and _code_equal(found[0], code)


def _future_flags(code: types.CodeType) -> int:
    """The ``from __future__`` features ``code`` was compiled with."""
    flags = 0
    for name in __future__.all_feature_names:
        flag = getattr(__future__, name).compiler_flag
        if code.co_flags & flag:
            flags |= flag
    return flags


def _code_equal(a: types.CodeType, b: types.CodeType) -> bool:
    if (a.co_code, a.co_names, a.co_varnames, a.co_cellvars, a.co_freevars, a.co_flags) != \
            (b.co_code, b.co_names, b.co_varnames, b.co_cellvars, b.co_freevars, b.co_flags):
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _code_equal(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _walk(statements: list[ast.stmt]):
    for statement in statements:
        yield from ast.walk(statement)


def _fusable(body: list[ast.stmt]) -> bool:
    """No construct the fused loop would change the meaning of (see the module docstring)."""
    for node in _walk(body):
        if isinstance(node, _REFUSED):
            return False
        if isinstance(node, ast.Name) and node.id in _INTROSPECTION:
            return False
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and any(
                isinstance(inner, ast.Return) for inner in _walk(node.body + node.orelse)):
            return False  # its `continue` would be the inner loop's
    return True


def _assigned_before_read(body: list[ast.stmt], params: set[str], local_names: set[str]) -> bool:
    """Whether every local name read is assigned on every path before (a conservative flow
    analysis: a name bound only inside a loop, or only in some branches, counts as unbound
    after them; a comprehension's own variables are bound within it)."""
    try:
        _Flow(local_names).block(body, set(params))
    except _Unbound:
        return False
    return True


class _Unbound(Exception):
    """A local name may be read before it is assigned, or a construct the analysis does not
    follow."""


class _Flow:
    """The definite-assignment analysis of :func:`_assigned_before_read`."""

    def __init__(self, local_names: set[str]) -> None:
        self.local_names = local_names

    def reads(self, node: ast.AST, assigned: set[str], bound: frozenset[str] = frozenset()) -> None:
        """Raise _Unbound if expression ``node`` reads a local name not yet assigned."""
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = set(bound)
            for generator in node.generators:
                self.reads(generator.iter, assigned, frozenset(inner))
                inner |= _targets(generator.target)
                for condition in generator.ifs:
                    self.reads(condition, assigned, frozenset(inner))
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for part in parts:
                self.reads(part, assigned, frozenset(inner))
            return
        if isinstance(node, ast.NamedExpr):
            raise _Unbound  # binds in the enclosing scope from inside an expression
        if isinstance(node, ast.Name):
            if (isinstance(node.ctx, ast.Load) and node.id in self.local_names
                    and node.id not in assigned and node.id not in bound):
                raise _Unbound
            return
        for child in ast.iter_child_nodes(node):
            self.reads(child, assigned, bound)

    def store(self, target: ast.expr, assigned: set[str]) -> None:
        """A store into ``target``: the reads it makes (``x[i] = v`` reads x and i), then the
        names it binds."""
        for node in ast.walk(target):
            if isinstance(node, (ast.Subscript, ast.Attribute)):
                self.reads(node.value, assigned)
                if isinstance(node, ast.Subscript):
                    self.reads(node.slice, assigned)
        assigned |= _targets(target)

    def block(self, statements: list[ast.stmt], assigned: set[str]) -> set[str] | None:
        """The names assigned after ``statements``, or None if they never fall through."""
        for statement in statements:
            if isinstance(statement, ast.Assign):
                self.reads(statement.value, assigned)
                for target in statement.targets:
                    self.store(target, assigned)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                self.reads(statement.value, assigned)
                self.store(statement.target, assigned)
            elif isinstance(statement, ast.AugAssign):
                self.reads(statement.value, assigned)
                target = statement.target
                self.reads(ast.Name(target.id, ast.Load()) if isinstance(target, ast.Name)
                           else target, assigned)
            elif isinstance(statement, ast.If):
                self.reads(statement.test, assigned)
                branches = [self.block(statement.body, set(assigned)),
                            self.block(statement.orelse, set(assigned))]
                live = [b for b in branches if b is not None]
                if not live:
                    return None
                assigned = set.intersection(*live)
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                self.reads(statement.iter, assigned)
                inner = set(assigned)
                self.store(statement.target, inner)
                self.block(statement.body, inner)
                self.block(statement.orelse, set(assigned))
            elif isinstance(statement, ast.While):
                self.reads(statement.test, assigned)
                self.block(statement.body, set(assigned))
                self.block(statement.orelse, set(assigned))
            elif isinstance(statement, (ast.Return, ast.Raise)):
                for child in ast.iter_child_nodes(statement):
                    self.reads(child, assigned)
                return None
            elif isinstance(statement, (ast.Expr, ast.Assert)):
                for child in ast.iter_child_nodes(statement):
                    self.reads(child, assigned)
            elif isinstance(statement, (ast.Break, ast.Continue)):
                return None
            elif not isinstance(statement, ast.Pass):
                raise _Unbound  # a statement this analysis does not follow (match, ...)
        return assigned


def _targets(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _split_guard(test: ast.expr, state: str, fields: frozenset[str]
                 ) -> tuple[ast.expr | None, ast.expr | None]:
    """(the leading conjuncts of ``test`` that read only the state's fields and constants,
    the rest), either None when empty."""
    conjuncts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) \
        else [test]
    count = 0
    while count < len(conjuncts) and _state_only(conjuncts[count], state, fields):
        count += 1
    if count == 0:
        return None, test

    def joined(parts: list[ast.expr]) -> ast.expr | None:
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else ast.BoolOp(ast.And(), parts)

    return joined(conjuncts[:count]), joined(conjuncts[count:])


def _state_only(node: ast.expr, state: str, fields: frozenset[str]) -> bool:
    """Whether ``node`` reads only constants and fields of the state (``s.field``), through
    comparisons, ``and``/``or``/``not``, tuples and subscripts: the same for every instance of
    the action, and without effect (the values in a state are immutable)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return (isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name)
                and node.value.id == state and node.attr in fields)
    if isinstance(node, ast.Tuple):
        return all(_state_only(e, state, fields) for e in node.elts)
    if isinstance(node, ast.Compare):
        return all(isinstance(op, _PURE_COMPARISONS) for op in node.ops) and all(
            _state_only(e, state, fields) for e in (node.left, *node.comparators))
    if isinstance(node, ast.BoolOp):
        return all(_state_only(e, state, fields) for e in node.values)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not) and _state_only(node.operand, state, fields)
    if isinstance(node, ast.Subscript):
        return _state_only(node.value, state, fields) and _state_only(node.slice, state, fields)
    return False


class _Renamer(ast.NodeTransformer):
    """Every ``Name`` of the action's locals renamed (consistently, so a comprehension's own
    variable of the same name stays its own)."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: ast.Name) -> ast.Name:
        new = self.renames.get(node.id)
        return node if new is None else ast.copy_location(ast.Name(new, node.ctx), node)


class _Returns(ast.NodeTransformer):
    """``return value`` as "keep value, next instance" (never inside a loop: refused)."""

    def __init__(self, number: int) -> None:
        self.number = number

    def visit_Return(self, node: ast.Return) -> list[ast.stmt]:
        if node.value is None or (isinstance(node.value, ast.Constant)
                                  and node.value.value is None):
            return [ast.copy_location(ast.Continue(), node)]
        keep = ast.parse(_emit("_r", self.number, False)).body
        return [ast.copy_location(ast.Assign([ast.Name("_r", ast.Store())], node.value), node),
                *keep, ast.Continue()]
