"""Temporal properties and fairness: what must *eventually* happen, and what may not stall.

A temporal property is a method marked ``@liveness`` that returns a formula over state
predicates (functions of a state)::

    class EWD840(Spec):
        def terminated(self, s):
            return not any(s.active.values())

        def termination_detected(self, s):
            return s.tpos == 0 and s.tcolor == "white" and ...

        @liveness
        def detection(self):                        # TLA+: terminated ~> terminationDetected
            return leads_to(self.terminated, self.termination_detected)

        @liveness                                   # TLA+: \\A c, r: r \\in unsat[c] ~> r \\in alloc[c]
        def clients_will_obtain(self, c=each("clients"), r=each("resources")):
            return leads_to(lambda s: r in s.unsat[c], lambda s: r in s.alloc[c])

Parameters with ``each`` domains quantify the property, as for actions: every instance must
hold, and a counterexample names the one that fails (``clients_will_obtain(c=c1, r=r1)``).

The four shapes, with TLA+'s notation:

=========================== ============ ==================================================
``eventually(p)``           ``<>P``      every behaviour reaches a ``p`` state
``always_eventually(p)``    ``[]<>P``    ``p`` holds again and again, forever
``eventually_always(p)``    ``<>[]P``    from some point on ``p`` holds for good
``leads_to(p, q)``          ``P ~> Q``   every ``p`` state is followed (or accompanied) by
                                         a ``q`` state
=========================== ============ ==================================================

Behaviours are TLA+'s: infinite, and a behaviour may *stutter* (take no step) forever in any
state unless fairness forbids it. So without fairness hardly any liveness property holds:
the system may simply stop. Fairness is declared by the spec's ``fairness`` attribute::

    self.fairness = (
        weak("return_", for_each="c", when=lambda s, c, S: S == s.alloc[c]),
        strong("allocate", for_each="c"),
    )

* ``weak(*actions)`` (TLA+'s ``WF``): the named actions, taken together as one action,
  cannot stay enabled forever without being taken. ``weak()`` with no names is
  ``WF_vars(Next)``: the system as a whole does not stop while it can move.
* ``strong(*actions)`` (``SF``): they cannot be enabled again and again without being taken.
* ``for_each="c"`` makes one condition per value of the parameter ``c`` (TLA+'s
  ``\\A c: WF_vars(A(c))``); name every parameter of the action to make each action instance
  fair on its own.
* ``when=lambda s, **args: ...`` keeps only the steps for which it is true, for a fair action
  narrower than the spec's action (``WF_vars(Return(c, alloc[c]))`` returns *everything* ``c``
  holds: ``when=lambda s, c, S: S == s.alloc[c]``).

An action counts as enabled in a state when it has a successor *different* from the state
(TLA+'s ``ENABLED <<A>>_vars``), and as taken only by such a step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from refute.engine.model import Temporal
from refute.spec.spec import Role, _check_marker

__all__ = ["always_eventually", "eventually", "eventually_always", "leads_to", "liveness",
           "strong", "weak"]

Predicate = Callable[[Any], Any]

liveness = _check_marker(Role.LIVENESS)
liveness.__doc__ = """Mark a method ``(self, **params) -> formula`` as a temporal property: it returns
``eventually(p)``, ``always_eventually(p)``, ``eventually_always(p)`` or ``leads_to(p, q)``;
parameters with ``each`` domains make one property instance per value.
``@liveness(default=False)``: checked only when selected by name (``--invariant NAME``), as
``@invariant(default=False)``."""


@dataclass(frozen=True)
class Formula:
    """A temporal formula over state predicates, as returned by a ``@liveness`` method."""

    kind: Temporal
    p: Predicate
    q: Predicate | None = None


def eventually(p: Predicate) -> Formula:
    """``<>P``: every fair behaviour reaches a state where ``p`` holds."""
    return Formula(Temporal.EVENTUALLY, p)


def always_eventually(p: Predicate) -> Formula:
    """``[]<>P``: in every fair behaviour ``p`` holds infinitely often."""
    return Formula(Temporal.ALWAYS_EVENTUALLY, p)


def eventually_always(p: Predicate) -> Formula:
    """``<>[]P``: in every fair behaviour ``p`` holds from some state on, for ever."""
    return Formula(Temporal.EVENTUALLY_ALWAYS, p)


def leads_to(p: Predicate, q: Predicate) -> Formula:
    """``P ~> Q``: whenever ``p`` holds, ``q`` holds then or later (``[](P => <>Q)``)."""
    return Formula(Temporal.LEADS_TO, p, q)


@dataclass(frozen=True)
class FairnessDeclaration:
    """One entry of a spec's ``fairness``: made by :func:`weak` or :func:`strong`.

    ``actions`` empty means every action (``WF_vars(Next)``). ``where`` is the ``file:line``
    of the call, so that an unknown action name is reported at the user's line.
    """

    strong: bool
    actions: tuple[str, ...]
    for_each: tuple[str, ...]
    when: Callable[..., Any] | None
    where: str | None

    def __str__(self) -> str:
        text = f"{'strong' if self.strong else 'weak'} fairness of "
        text += " or ".join(self.actions) if self.actions else "every action"
        if self.for_each:
            text += f" for each {', '.join(self.for_each)}"
        return text + (" (restricted by when=)" if self.when is not None else "")


def weak(*actions: str, for_each: str | tuple[str, ...] = (),
         when: Callable[..., Any] | None = None) -> FairnessDeclaration:
    """Weak fairness (``WF``) of ``actions`` taken together; none named: of every action."""
    return _declare(False, actions, for_each, when)


def strong(*actions: str, for_each: str | tuple[str, ...] = (),
           when: Callable[..., Any] | None = None) -> FairnessDeclaration:
    """Strong fairness (``SF``) of ``actions`` taken together; none named: of every action."""
    return _declare(True, actions, for_each, when)


def _declare(is_strong: bool, actions: tuple[str, ...], for_each: str | tuple[str, ...],
             when: Callable[..., Any] | None) -> FairnessDeclaration:
    caller = sys._getframe(2)
    where = f"{caller.f_code.co_filename}:{caller.f_lineno}"
    names = (for_each,) if isinstance(for_each, str) else tuple(for_each)
    return FairnessDeclaration(is_strong, tuple(actions), names, when, where)
