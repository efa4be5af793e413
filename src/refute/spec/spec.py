"""Writing a spec: a Python class whose methods are the system's actions and properties.

::

    class DieHard(Spec):
        def init(self):
            return State(big=0, small=0)

        @action
        def fill_big(self, s):
            return s.update(big=5)

        @action
        def pour_small_into_big(self, s):
            if s.small > 0 and s.big < 5:           # the guard: return nothing, not enabled
                poured = min(s.small, 5 - s.big)
                return s.update(big=s.big + poured, small=s.small - poured)

        @invariant
        def big_is_not_4(self, s):
            return s.big != 4

An action returns the next state, ``None`` when it is not enabled, or ``yield``\\s several next
states (nondeterminism within one step). Its parameters after ``s`` take every value of a
finite domain, written as the default: ``def prepare(self, s, rm=each("rms"))`` is one action
instance per ``rm`` in ``self.rms``; the counterexample labels the step ``prepare(rm=r2)``.

The decorators only mark methods; :mod:`refute.spec.compile` turns a spec instance into the
engine's :class:`~refute.engine.model.Model`. Spec parameters are the ``__init__`` arguments,
given on the command line as ``-p name=value``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from refute.values import ModelValue, model_values

__all__ = ["Spec", "action", "constraint", "each", "invariant", "outcome", "terminal"]


class Role(enum.Enum):
    """What a marked method of a spec is for."""

    ACTION = "action"
    INVARIANT = "invariant"
    CONSTRAINT = "constraint"
    TERMINAL = "terminal"
    LIVENESS = "liveness"


_ROLE_ATTRIBUTE = "__refute_role__"
_DEFAULT_ATTRIBUTE = "__refute_default__"


def _marker(role: Role) -> Callable[[Callable], Callable]:
    def mark(method: Callable) -> Callable:
        if not callable(method):
            raise TypeError(f"@{role.value} decorates a method, got {method!r}")
        setattr(method, _ROLE_ATTRIBUTE, role)
        return method

    mark.__name__ = role.value
    return mark


def _check_marker(role: Role) -> Callable[..., Any]:
    """The marker of a check (an invariant, a property): ``@invariant`` or, for one checked
    only when asked for by name (``--invariant NAME``), ``@invariant(default=False)``."""
    plain = _marker(role)

    def mark(method: Callable | None = None, *, default: bool = True) -> Any:
        if not isinstance(default, bool):
            raise TypeError(f"@{role.value}(default=...) takes True or False, got {default!r}")
        if method is None:  # @invariant(default=False): the decorator to apply
            return lambda function: _with_default(plain(function), default)
        return _with_default(plain(method), default)

    mark.__name__ = role.value
    return mark


def _with_default(method: Callable, default: bool) -> Callable:
    setattr(method, _DEFAULT_ATTRIBUTE, default)
    return method


action = _marker(Role.ACTION)
action.__doc__ = """Mark a method ``(self, s, **params)`` as an action: it returns the next state,
``None`` when not enabled, or yields several next states."""

invariant = _check_marker(Role.INVARIANT)
invariant.__doc__ = """Mark a method ``(self, s) -> bool`` as an invariant, checked in every reachable
state; a falsy result is a violation. ``@invariant(default=False)`` declares one that is checked
only when selected by name (``refute check --invariant NAME``, ``refute.check(...,
invariants=[NAME])``) or listed in the spec's ``also_check``: a stronger requirement the
system is not meant to meet, kept to show why."""

constraint = _marker(Role.CONSTRAINT)
constraint.__doc__ = """Mark a method ``(self, s) -> bool`` as a state constraint (TLC's CONSTRAINT):
successors that fail it are counted as generated but neither checked nor explored, so a run
with a constraint explores a bounded part of the state space."""

terminal = _marker(Role.TERMINAL)
terminal.__doc__ = """Mark a method ``(self, s) -> bool`` that says a state may legitimately have no
successor (the protocol finished); such states are not reported as deadlocks."""


def role_of(member: Any) -> Role | None:
    return getattr(member, _ROLE_ATTRIBUTE, None)


def checked_by_default(member: Any) -> bool:
    """Whether a marked invariant or property is checked when none is selected by name."""
    return getattr(member, _DEFAULT_ATTRIBUTE, True)


@dataclass(frozen=True)
class each:  # noqa: N801 - reads as a word in a signature: rm=each("rms")
    """The finite domain an action parameter ranges over, written as its default value.

    ``each("rms")`` is the spec attribute ``self.rms``; ``each(range(3))`` or
    ``each(["a", "b"])`` a literal collection; ``each(lambda s: s.msgs)`` a domain computed
    from the current state (e.g. every message in flight). Sets are visited in canonical
    sorted order, so the exploration order never depends on Python's string hashing.
    """

    domain: str | Iterable[Any] | Callable[[Any], Iterable[Any]]


@dataclass(frozen=True, slots=True)
class outcome:  # noqa: N801 - reads as a word: yield outcome("hit", s.update(...))
    """Name one of an action's results, for performance models (:mod:`refute.perf`).

    An action that yields (or returns) ``outcome("miss", next_state)`` takes the step to
    ``next_state`` labelled ``lookup(outcome='miss')``: the side file of ``refute perf`` gives
    that outcome a probability and costs under ``lookup: outcomes: miss:``. Checking treats it
    as the bare state; results not labelled share the probability left equally.
    """

    name: str
    state: Any


class Spec:
    """Base class of Python specs.

    Subclasses define ``init(self)`` returning the initial state (or ``yield``\\ing several),
    actions (``@action``), invariants (``@invariant``), and optionally state constraints
    (``@constraint``), terminal states (``@terminal``), ``view(self, s)`` (the part of the
    state that identifies it: states with equal views are one state) and ``symmetry``: the
    names of attributes holding interchangeable model values, e.g. ``symmetry = ("rms",)``
    (TLC's ``SYMMETRY Permutations(RM)``). Temporal properties (``@liveness``) and
    ``fairness`` (``weak(...)``, ``strong(...)``) are described in :mod:`refute.spec.temporal`.
    ``also_check``: names of invariants or properties declared ``default=False`` that this
    instance checks by default all the same (set from a parameter, in ``__init__``).
    """

    symmetry: tuple[str, ...] = ()
    fairness: tuple[Any, ...] = ()
    also_check: tuple[str, ...] = ()

    @staticmethod
    def model_values(prefix: str, count: int) -> tuple[ModelValue, ...]:
        """``self.model_values("r", 3)`` is ``(r1, r2, r3)``: interchangeable constants."""
        return model_values(prefix, count)
