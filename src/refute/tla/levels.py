r"""TLA+ levels, and SANY's level errors, reported before anything is checked.

Every TLA+ expression has a level: 0 or 1 (a constant or a state function), 2 (an action: it
primes a variable, says ``UNCHANGED``, ``[A]_v`` or ``<<A>>_v``) or 3 (a temporal formula:
``[]``, ``<>``, ``~>``, ``WF``/``SF``). ``ENABLED A`` is a state predicate. SANY refuses,
in any definition of the spec (used or not):

- ``[]A`` with ``A`` an action that is not ``[B]_v``: "[] followed by action not of form
  [A]_v.";
- ``<>A`` with ``A`` an action that is not ``<<B>>_v``: "<> followed by action not of form
  <<A>>_v.";
- ``e'`` with ``e`` already an action (``x''``): "Level error in applying operator '".

TLC adds one of its own: an INVARIANT must be a state predicate ("The invariant Inv is not a
state predicate (one with no primes or temporal operators).").

:class:`Levels` computes levels over the compiled contexts (through definitions, instances'
substitutions and LET definitions); a name it cannot resolve (a bound variable) is a state
function, so that a level error is never reported where SANY would find none.
"""

from __future__ import annotations

from typing import Any

from refute.errors import InputError
from refute.tla.parser import Node
from refute.tla.scope import Context, Def, Scope, Subst

STATE, ACTION, TEMPORAL = 1, 2, 3
_TEMPORAL_INFIX = ("~>", "-+->")
_SANY = "SANY (TLC's parser) refuses this too: "


class Levels:
    """Levels of expressions of one spec, memoised per definition."""

    def __init__(self) -> None:
        self.memo: dict[int, int] = {}

    def of(self, node: Any, scope: Scope) -> int:
        if isinstance(node, tuple):
            return max((self.of(x, scope) for x in node), default=0)
        if not isinstance(node, Node):
            return 0
        k, a = node.kind, node.args
        if k in ("fair", "tforall", "texists") or (k == "prefix" and a[0] in ("[]", "<>")) \
                or (k == "infix" and a[0] in _TEMPORAL_INFIX):
            return TEMPORAL
        if k == "prefix" and a[0] == "ENABLED":
            return STATE
        if k in ("stutter", "nostutter") or (k == "postfix" and a[0] == "'") \
                or (k == "prefix" and a[0] == "UNCHANGED"):
            return max(ACTION, self.of(a[1:] if k == "prefix" else a, scope))
        if k == "let":  # its definitions count where used, which this does not follow
            return self.of(a[1], scope)
        if k in ("name", "app"):
            args = a[1] if k == "app" else ()
            entry = None if scope.bound_index(a[0]) is not None else scope.ctx.names.get(a[0])
            return max(self.of(args, scope), self.entry(entry))
        return self.of(a, scope)

    def entry(self, entry: Any) -> int:
        if isinstance(entry, Subst):
            return STATE if entry.node is None else self.of(entry.node, entry.scope)
        if not isinstance(entry, Def) or not isinstance(entry.opdef.body, Node):
            return STATE if entry is not None else 0
        key = id(entry)
        if key not in self.memo:
            self.memo[key] = 0  # a recursive definition: its other parts decide
            scope = Scope(entry.ctx, entry.ctx.params + tuple(p for p, _ in entry.opdef.params))
            self.memo[key] = self.of(entry.opdef.body, scope)
        return self.memo[key]

    # ------------------------------------------------------------------ SANY's errors
    def check_definitions(self, ctx: Context) -> None:
        """SANY's level errors in every definition visible in the root context ``ctx``."""
        done: set[int] = set()
        for entry in list(ctx.names.values()):
            if isinstance(entry, Def) and id(entry.opdef) not in done \
                    and isinstance(entry.opdef.body, Node):
                done.add(id(entry.opdef))
                scope = Scope(entry.ctx, entry.ctx.params + tuple(p for p, _ in entry.opdef.params))
                self._walk(entry.opdef.body, scope)

    def _walk(self, node: Any, scope: Scope) -> None:
        if isinstance(node, tuple):
            for x in node:
                self._walk(x, scope)
            return
        if not isinstance(node, Node):
            return
        k, a = node.kind, node.args
        if k == "prefix" and a[0] in ("[]", "<>"):
            form = "stutter" if a[0] == "[]" else "nostutter"
            arg = a[1]
            while arg.kind == "paren":
                arg = arg.args[0]
            if arg.kind != form and self.of(arg, scope) == ACTION:
                shape = "[A]_v" if a[0] == "[]" else "<<A>>_v"
                raise _error(f"{a[0]} followed by action not of form {shape}.", node,
                             f"write {a[0]}{shape.replace('A', '(...)')} with the variables as v")
        if k == "let":
            for d in a[0]:
                self._walk(d.body, scope)
        if k == "postfix" and a[0] == "'" and self.of(a[1], scope) >= ACTION:
            raise _error("Level error in applying operator ': the level of argument 1 exceeds "
                         "the maximum level allowed by the operator", node,
                         "prime only state functions (x' is allowed, x'' and (x')' are not)")
        self._walk(a, scope)


def _error(message: str, node: Node, hint: str) -> InputError:
    return InputError(message, file=node.file, line=node.line, column=node.col, hint=_SANY + hint)
