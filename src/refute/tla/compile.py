"""The TLA+ compiler of one spec: expressions and actions to closures, modules instantiated
on first use.

The front end is in rooms, each a module:

- :mod:`refute.tla.scope`: what a name means (the entries of a module instance's
  :class:`~refute.tla.scope.Context`) and the compile-time :class:`~refute.tla.scope.Scope`;
- :mod:`refute.tla.operators`: the standard modules' infix operators as functions;
- :mod:`refute.tla.expressions`: expressions to closures ``f(S, P, E)``;
- :mod:`refute.tla.actions`: actions and Init to successor enumerators ``g(S, P, E)``;
- :mod:`refute.tla.reads`: what an expression reads (variables, level), from its syntax;
- :mod:`refute.tla.modules`: EXTENDS and INSTANCE, filling contexts.

:class:`Compiler` assembles them: the action compiler (which extends the expression
compiler) plus the one thing that needs the module loader, making an instance's context.
Names resolve in a context (one per module instance: EXTENDS merge into it, ``INSTANCE``
makes a new one with its substitutions).
"""

from __future__ import annotations

from refute.tla.actions import ActionCompiler
from refute.tla.modules import instantiate
from refute.tla.scope import Context, InstDef


class Compiler(ActionCompiler):
    """Compiles the expressions and actions of the modules a spec is made of; one per spec.
    ``loader`` (a :class:`~refute.tla.modules.Loader`) is set by whoever loads the modules."""

    def instance_ctx(self, inst: InstDef) -> Context:
        if inst.inner is None:
            inst.inner = instantiate(self, inst.ctx, inst.opdef.body,
                                     tuple(p for p, _ in inst.opdef.params))
        return inst.inner
