"""What an expression reads, found from its syntax before it is ever evaluated.

Two questions, answered once per definition and remembered:

- :meth:`ReadAnalysis.variables_read`: which state variables an expression reads (primed or
  not), following definitions, LET definitions, instances and substitutions; used by ``e'``
  (it needs only those primed variables assigned) and by the temporal checks (which remember
  a value by what it reads).
- :meth:`ReadAnalysis.is_action`: whether an expression is an action (primes a variable,
  says ``UNCHANGED`` or ``[A]_v``, itself or in what it calls), SANY's level check; used
  to pass an action argument by name and to remember a state-level definition's value by
  the state alone.

Both follow definitions across module instances, so the analysis holds the compiler (to
resolve ``I!Op``, which may instantiate a module) but compiles nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from refute.tla.parser import Node
from refute.tla.scope import Builtin, Const, Context, CutVar, Def, Scope, Subst, Var
from refute.tla.values import TLAError

if TYPE_CHECKING:
    from refute.tla.compile import Compiler


class ReadAnalysis:
    """The reads and levels of one spec's definitions; one per :class:`.Compiler`."""

    def __init__(self, compiler: Compiler):
        self.compiler = compiler
        self.action_levels: dict[int, tuple] = {}  # id(OpDef) -> (OpDef, whether its body is an action)
        self.reads: dict[tuple[int, int], frozenset | None] = {}  # (id(OpDef), id(Context))
        self.reading: dict[tuple[int, int], int] = {}  # definitions being read -> depth
        self.cycle = 1 << 30  # the least depth of one of them called recursively
        self.primed_params: dict[tuple, tuple] = {}  # (id(OpDef), id(Context), name) -> (Def, answer)

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
                entry = self.compiler.resolve_inst(node, Scope(ctx))
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

    def definition_reads(self, entry: Any) -> frozenset | None:
        """The state variables a definition (a context's entry) reads; ``None`` when unsure."""
        return self._entry_reads(entry)

    def _entry_reads(self, entry: Any) -> frozenset | None:
        if entry is None or isinstance(entry, (Const, Builtin)):
            return frozenset()  # a bound name (TLA+ forbids shadowing), a constant, a native
        if isinstance(entry, CutVar):  # ENABLED's own slot: primed or not, unsure
            return None
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

    def is_action(self, node: Any, scope: Scope) -> bool:
        """Whether ``node`` is an action (it primes a variable, says ``UNCHANGED`` or
        ``[A]_v``, itself or in a definition it calls, as SANY's level check would find).
        Passed to an operator, such an argument is substituted into the body (TLA+'s call by
        name, which is what TLC evaluates) so that its primed variables are still assigned:
        ``NoStutter(l0(self))`` with ``NoStutter(A) == (s = top) /\\ A /\\ (s' = s)``."""
        if isinstance(node, tuple):
            return any(self.is_action(x, scope) for x in node)
        if not isinstance(node, Node):
            return False
        k = node.kind
        if k in ("stutter", "nostutter") or (k == "postfix" and node.args[0] == "'") \
                or (k == "prefix" and node.args[0] == "UNCHANGED"):
            return True
        if k in ("name", "app") and scope.bound_index(node.args[0]) is None:
            entry = scope.lets.get(node.args[0]) or scope.ctx.names.get(node.args[0])
            if isinstance(entry, tuple) and entry[0] == "let":
                entry = entry[1]
            if isinstance(entry, Subst) and entry.node is not None and \
                    self.is_action(entry.node, entry.scope):
                return True
            if self.def_is_action(entry):
                return True
        if k == "inst" and not any(args for _, args in node.args[0]):
            try:
                entry = self.compiler.resolve_inst(node, scope)
            except TLAError:
                entry = None
            if self.def_is_action(entry):
                return True
        return any(self.is_action(a, scope) for a in node.args)

    def def_is_action(self, entry: Any) -> bool:
        if not isinstance(entry, Def) or entry.opdef.kind != "op":
            return False
        known = self.action_levels.get(id(entry.opdef))
        if known is None:  # (the definition is kept with its answer, so that its id stays its own)
            self.action_levels[id(entry.opdef)] = (entry.opdef, False)  # recursion: its other parts decide
            level = self.is_action(entry.opdef.body,
                                       Scope(entry.ctx, tuple(p for p, _ in entry.opdef.params)))
            known = self.action_levels[id(entry.opdef)] = (entry.opdef, level)
        return known[1]

    def primes_param(self, d: Def, name: str) -> bool:
        r"""Whether the body of ``d`` reads its ordinary parameter ``name`` primed: inside
        ``e'``, ``UNCHANGED e`` or the subscript of ``[A]_e`` / ``<<A>>_e``, or in an argument
        of an operator whose parameter it reads primed (``Later2(t) == Later(t)``, ``Later(t)
        == t'``). A call passing an expression there substitutes it into the body (TLA+'s
        meaning of ``t'``: the expression primed), not its value. Remembered per definition."""
        key = (id(d.opdef), id(d.ctx), name)
        known = self.primed_params.get(key)
        if known is None:
            self.primed_params[key] = (d, False)  # recursion: its other parts decide
            known = self.primed_params[key] = (d, self._primed_in(d.opdef.body, name, d.ctx, False))
        return known[1]

    def _primed_in(self, node: Any, name: str, ctx: Context, primed: bool) -> bool:
        if isinstance(node, tuple):
            return any(self._primed_in(a, name, ctx, primed) for a in node)
        if not isinstance(node, Node):
            return False
        k = node.kind
        if k == "name":
            return primed and node.args[0] == name
        if (k == "postfix" and node.args[0] == "'") or (k == "prefix" and node.args[0] == "UNCHANGED"):
            return self._primed_in(node.args[1], name, ctx, True)
        if k in ("stutter", "nostutter"):
            return self._primed_in(node.args[0], name, ctx, primed) or \
                self._primed_in(node.args[1], name, ctx, True)
        if k == "app":
            op, args = node.args
            if self._primed_in(args, name, ctx, primed):
                return True
            callee = ctx.names.get(op)
            return isinstance(callee, Def) and callee.opdef.kind == "op" and any(
                not ar and mentions(a, name) and self.primes_param(callee, p)
                for (p, ar), a in zip(callee.opdef.params, args))
        return self._primed_in(node.args, name, ctx, primed)


def mentions(node: Any, name: str) -> bool:
    """Whether ``node`` reads the name ``name``."""
    if isinstance(node, Node):
        if node.kind in ("name", "app") and node.args and node.args[0] == name:
            return True
        return any(mentions(a, name) for a in node.args)
    if isinstance(node, tuple):
        return any(mentions(a, name) for a in node)
    return False


def primes_name(node: Any, name: str) -> bool:
    """Whether ``node`` contains ``name'`` (a parameter primed in an operator's body)."""
    if isinstance(node, Node):
        if node.kind == "postfix" and node.args[0] == "'" and isinstance(node.args[1], Node) \
                and node.args[1].kind == "name" and node.args[1].args[0] == name:
            return True
        return any(primes_name(a, name) for a in node.args)
    if isinstance(node, tuple):
        return any(primes_name(a, name) for a in node)
    return False
