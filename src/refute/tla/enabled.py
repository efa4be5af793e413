r"""``ENABLED`` written inside an instantiated module: evaluated before the substitution, as TLC.

TLC evaluates ``ENABLED A`` in a *branch* of the evaluation context (``Context.branch``), and
looking a state variable up stops at that branch (``Context.lookup(var, cutoff)``): the
instance's ``x <- e`` made outside the ``ENABLED`` is not seen, so ``x'`` inside it is the
module's own variable ``x``, bound by name in the partial next state, while an unprimed ``x``
still reads ``e``. With ``INSTANCE M WITH x <- z, y <- z``, M's ``ENABLED (x' = 0 /\ y' = 1)``
is TRUE, although ``z' = 0 /\ z' = 1`` is not. A substitution made inside the ``ENABLED``
(``ENABLED I!A`` in the outer module) is seen as usual: ``ENABLED I!A`` is FALSE there.

:func:`cut_context` gives the context such an ``ENABLED`` is compiled in: each variable of the
instance that its substitution does not leave as the same-named variable becomes a
:class:`~refute.tla.scope.CutVar`, a slot of the next state past the spec's variables; the
instance's definitions are compiled again there (fresh :class:`~refute.tla.scope.Def`\ s), so
that those an ``ENABLED`` calls see the cut too, as they do in TLC's context chain.
"""

from __future__ import annotations

from typing import Any

from refute.tla.scope import CutVar, Context, Def, InstDef, Var


def cut_context(ctx: Context, width: int) -> tuple[Context, int] | None:
    """The context an ``ENABLED`` written in instance context ``ctx`` is compiled in, and the
    width of its partial next states (``width``: that of ``ctx``'s own); ``None`` when no
    variable of the instance is cut (the root module, or substitutions by the same names)."""
    cut: dict[str, CutVar] = {}
    for name in sorted(getattr(ctx, "own_variables", ())):
        entry = ctx.names.get(name)
        read = entry.read if isinstance(entry, CutVar) else entry
        if isinstance(read, Var) and not isinstance(read, CutVar) and read.name == name:
            continue  # x <- x: the slot the name is bound to is the spec's own
        cut[name] = CutVar(width + len(cut), name, read)
    if not cut:
        return None
    inner = Context(ctx.compiler, ctx.file, ctx.params)
    inner.own_constants = ctx.own_constants  # type: ignore[attr-defined]
    inner.own_variables = ctx.own_variables  # type: ignore[attr-defined]
    inner.slot_width = width + len(cut)  # type: ignore[attr-defined]
    inner.names = {name: _rehome(entry, ctx, inner) for name, entry in ctx.names.items()}
    inner.names.update(cut)
    inner.replaced = {name: _rehome(entry, ctx, inner) for name, entry in ctx.replaced.items()}
    return inner, inner.slot_width  # type: ignore[attr-defined]


def _rehome(entry: Any, old: Context, new: Context) -> Any:
    """``entry`` of ``old`` as an entry of ``new``: its definitions and instances are made
    again there (compiled on first use, like any definition), everything else is shared."""
    if isinstance(entry, Def) and entry.ctx is old:
        return Def(entry.opdef, new)
    if isinstance(entry, InstDef) and entry.ctx is old:
        return InstDef(entry.opdef, new)
    return entry
