"""The seam between front ends and explorers: the :class:`Model` protocol.

Python specs (:mod:`refute.spec.compile`) and TLA+ modules compile to a ``Model``; explorers
(:mod:`refute.engine.bfs`, and the simulation, liveness and parallel explorers that build on
it) know nothing else about a spec. Keep it small: every member here is something an explorer
cannot do without.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from refute.errors import UsageError
from refute.values import show

if TYPE_CHECKING:
    from refute.engine.ltl import Formula

State = Any
"""A state is any immutable, hashable value built from refute's value types."""


class Label(NamedTuple):
    """Which action instance took a step: the action's name and its arguments.

    Rendered as ``rm_prepare(rm=r2)``, or just ``tm_commit`` for an action without arguments;
    arguments as states show their values (:func:`refute.values.show`: ``{r1}``, not
    ``frozenset({r1})``).
    A named tuple, so that explorers can count labels with C-level hashing.
    """

    action: str
    args: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        if not self.args:
            return self.action
        return f"{self.action}({', '.join(f'{name}={show(value)}' for name, value in self.args)})"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.action, "args": {name: value for name, value in self.args}}


class Successors(list):
    """``next_states``' result when the model also generated states that are not successors
    (TLA+'s action composition ``A \\cdot B``: TLC counts ``A``'s intermediate states as
    generated). ``intermediate``: ``(position, count)`` pairs, ``count`` states generated just
    before the successor at ``position`` (``len`` of the list: after the last one). Explorers
    count them as generated, and at a search stopped at successor ``i`` only those at positions
    up to ``i``, as TLC, which counts them when it computes them. A plain ``list`` has none."""

    __slots__ = ("intermediate",)

    def __init__(self, successors: list, intermediate: tuple[tuple[int, int], ...]):
        super().__init__(successors)
        self.intermediate = intermediate

    def generated_besides(self, ordinal: int | None = None) -> int:
        """The intermediate states generated (up to successor ``ordinal``, when given)."""
        return sum(count for position, count in self.intermediate
                   if ordinal is None or position <= ordinal)


@dataclass(frozen=True, slots=True)
class Predicate:
    """A named state predicate of a spec (an invariant, a constraint): ``test(state) -> bool``.

    ``where`` is ``file:line`` of its definition, for messages. ``test`` is the user's own
    callable, unwrapped, because explorers call it for every state. ``default``: an invariant
    is checked when no invariant is selected by name; one with ``default=False`` only when it
    is (``--invariant NAME``).
    """

    name: str
    test: Callable[[State], Any]
    where: str | None = None
    default: bool = True


class Temporal(enum.Enum):
    """The shapes of temporal property refute checks; the value is how it is written in TLA+."""

    EVENTUALLY = "<>P"
    ALWAYS_EVENTUALLY = "[]<>P"
    EVENTUALLY_ALWAYS = "<>[]P"
    LEADS_TO = "P ~> Q"
    WEAK_FAIR = "WF_v(A)"
    STRONG_FAIR = "SF_v(A)"
    FORMULA = "an LTL formula"


@dataclass(frozen=True, slots=True)
class TemporalProperty:
    """A temporal property over state predicates ``p`` (and ``q`` for :attr:`Temporal.LEADS_TO`).

    For :attr:`Temporal.WEAK_FAIR` / :attr:`Temporal.STRONG_FAIR` (a fairness condition as a
    property, e.g. of a refined spec) ``step(label, before, after)`` says whether a step is an
    ``A`` step; ``A`` counts as enabled in a state with such a step (``p`` is unused).
    For :attr:`Temporal.FORMULA`, ``formula`` is any formula of :mod:`refute.engine.ltl`
    (``p`` is unused), checked through a tableau (the other kinds have faster searches).
    It holds when every fair behaviour satisfies it. ``name`` identifies one instance, e.g.
    ``clients_will_obtain(c=c1, r=r1)``; ``where`` is ``file:line`` of its definition.
    ``default``: as :attr:`Predicate.default`, whether it is checked when none is named.
    """

    name: str
    kind: Temporal
    p: Callable[[State], Any]
    q: Callable[[State], Any] | None = None
    where: str | None = None
    step: Callable[[Label, State, State], Any] | None = None
    formula: Formula | None = None
    default: bool = True


@dataclass(frozen=True, slots=True)
class Fairness:
    """A family of fairness conditions (TLA+'s ``\\A c: WF_vars(A(c))``), weak or strong.

    ``instance(label, before, after)`` says which member of the family a step belongs to (any
    hashable key, e.g. the value of ``c``), or ``None`` for a step of no member. Each member
    ``A`` is one condition: an explorer calls ``A`` enabled in a state with a successor, other
    than the state itself, that belongs to ``A``. Weak: ``A`` cannot stay enabled forever
    without being taken; strong: it cannot be enabled infinitely often without being taken.
    """

    name: str
    strong: bool
    instance: Callable[[Label, State, State], Hashable | None]
    where: str | None = None
    enabled: Callable[[State], Sequence[Hashable]] | None = None
    """The members enabled in a state, evaluated (TLA+'s ``ENABLED <<A>>_v``, as TLC evaluates
    it) rather than read off the graph's edges, which a state constraint cuts: given by a
    model with constraints, so that an action whose only steps leave the constraint is still
    enabled, as in TLC. Its members count as enabled in addition to those with a step."""


@dataclass(frozen=True, slots=True)
class Settling:
    """An assumption on behaviours: from some point on, every step satisfies ``step(label,
    before, after)`` (TLA+'s ``<>[][A]_v`` as a conjunct of a specification; stuttering always
    satisfies it). Temporal properties are checked over the behaviours that also satisfy it,
    so a counterexample's cycle takes only such steps."""

    name: str
    step: Callable[[Label, State, State], Any]
    where: str | None = None


class Model(Protocol):
    """What an explorer knows about a spec.

    Invariants of implementations: ``next_states`` is deterministic for a given state (same
    successors in the same order, on every call and in every process started with the same
    hash seed); it raises :class:`~refute.errors.SpecError` (never another exception) when the
    spec fails; states it returns are immutable and hashable.

    A front end's model subclasses this class, and so inherits the defaults of the optional
    members below (the hooks): a spec that has no use for one leaves it alone, and explorers
    and reports call every member without asking whether it exists. A wrapper that forwards
    to another model (``__getattr__``) need not subclass it.
    """

    name: str
    """The spec's name, for reports."""

    source: str | None = None
    """The file the spec came from, if any."""

    action_names: Sequence[str]
    """Every action, in declaration order: coverage reports the ones that never fired."""

    invariants: Sequence[Predicate]
    constraints: Sequence[Predicate] = ()

    properties: Sequence[TemporalProperty] = ()
    """Temporal properties, checked over fair behaviours (:mod:`refute.engine.liveness`)."""

    fairness: Sequence[Fairness] = ()
    """Fairness conditions; none: a behaviour may stop (stutter) forever in any state."""

    settling: Sequence[Settling] = ()
    """Assumptions that a behaviour eventually takes only some steps (:class:`Settling`)."""

    symmetry: Sequence[Sequence[Any]] = ()
    """Groups of interchangeable values; states equal up to permuting each group are one state."""

    view: Callable[[State], Any] | None = None
    """The part of a state that identifies it; ``None``: the whole state."""

    step_violation: Callable[[State], tuple[State, str] | None] | None = None
    """Where a check of a step itself can fail (a TLA+ PROPERTY's ``[][A]_v``, or its initial
    predicate on an initial state): given a successor (an initial state), ``(state, name)``
    if it comes marked as failing the invariant ``name`` by its step, else None. The
    breadth-first search then judges ``state`` as TLC's Worker does (stored if new, its
    invariants checked if unseen, then the step's check, seen or not); ``None``: no such
    checks."""

    notes: Sequence[str] = ()
    """What the front end must tell the user with any result of this model (a TLA+ module it
    did without): the explorers add them to the result's warnings."""

    def init_states(self) -> list[State]:
        """The initial states, in a deterministic order."""
        ...

    def next_states(self, state: State) -> list[tuple[Label, State]]:
        """Every successor of ``state`` with the action instance that produced it."""
        ...

    def describe_state(self, state: State) -> dict[str, Any]:
        """The state as named fields, for reports (field name -> value)."""
        ...

    # -- optional hooks, with their defaults ----------------------------------------------

    checks_deadlock: bool = True
    """Whether the spec asks for deadlocks to be reported at all (TLC's ``CHECK_DEADLOCK
    FALSE`` says no); ``refute check --no-deadlock`` turns it off for any spec."""

    def is_terminal(self, state: State) -> bool:
        """Whether ``state`` may have no successor without that being a deadlock."""
        return False

    def prepare_run(self, deadlock: bool) -> None:
        """Told before a search starts whether it reports deadlocks (``--no-deadlock`` or the
        API's ``deadlock=False`` say not, whatever the spec says): a TLA+ spec reads it as
        ``TLCGet("config").deadlock``, which TLC's ``-deadlock`` sets."""

    deadlock_hint: str = ("if the spec simply finished in this state, run with --no-deadlock "
                          "to stop reporting states without successors")
    """What the report of a deadlock suggests, in the front end's terms: most deadlocks
    reported in new specs are a spec that finished, which each front end says otherwise."""

    format_value: Callable[[Any], str] | None = None
    """How reports write a value in the spec's own notation (TLA+ syntax for a TLA+ spec);
    None: refute's notation, close to Python's."""

    def describe_trace(self, states: Sequence[State]) -> list[dict[str, Any]]:
        """A trace's states as reports show them; by default each one's :meth:`describe_state`.
        A TLA+ model's ALIAS may look at the next state too."""
        return [self.describe_state(state) for state in states]

    message_flow: Callable[[Label, State, State], Any] | None = None
    """``message_flow(label, before, after)``: the messages a step sends and receives, as
    ``(kind, process, message)`` tuples, for the HTML report's sequence diagram; None: no
    diagram."""

    def check_postconditions(self, result: Any) -> Sequence[str]:
        """Check what must hold of the finished search's :class:`~refute.engine.result.Result`
        (TLC's ``POSTCONDITION``); raise :class:`~refute.errors.SpecError` if it does not.
        After a violation the result stands: what does not hold is returned, as warnings."""
        return ()

    transaction_history: str | None = None
    """The state field holding the transaction history that isolation checks read
    (:mod:`refute.isolation`); None: the field named ``history``, or the only one of that type."""

    transaction_programs: Any = None
    """For permissiveness: each transaction's possible programs (a mapping from transaction to
    a set of operation sequences); None: the programs seen in the explored histories."""


class ModelSource(Protocol):
    """How to load a model again, in another process: each Ray actor does
    (:mod:`refute.engine.ray_explorer`), and a checkpoint keeps one for ``--resume``
    (:mod:`refute.engine.checkpoint`). :class:`refute.sources.Source` is the one the commands
    use; the engine knows only this protocol, so it knows no front end. It must pickle."""

    def load(self) -> Model:
        """The model, loaded anew."""
        ...

    def under(self, directory: str) -> ModelSource:
        """The same source with relative paths resolved against ``directory``."""
        ...


@functools.singledispatch
def as_model(subject: Any) -> Model:
    """The engine's view of ``subject``: a :class:`Model` passes as it is; an object of a type
    a front end registered (``@as_model.register(Spec)`` in :mod:`refute.spec.compile`) is
    compiled by it. Library entry points (:func:`refute.check`, the isolation checks) take
    either, and the engine knows no front end."""
    if isinstance(subject, type) and as_model.dispatch(subject) is not as_model.dispatch(object):
        name = subject.__name__
        raise UsageError(f"needs an instance of {name}, not the class",
                         hint=f"write check({name}()) or pass parameters: check({name}(n=3))")
    if Model in type(subject).__mro__ or all(
            hasattr(subject, member) for member in ("init_states", "next_states", "invariants")):
        return subject
    raise UsageError(f"cannot check {subject!r}: it is neither a refute Spec nor a Model",
                     hint="subclass refute.Spec")

