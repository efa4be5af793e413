"""Trace validation: is an implementation's log a behaviour of the spec?

The search is breadth-first over the spec's states, one log event at a time. ``frontier``
holds every spec state some behaviour matching the log so far can be in (duplicates
merged); an event keeps the successors, by the action it names with the arguments it gives,
that agree with what it observed. The log conforms when the frontier never empties. When it
empties, the event that emptied it is the first one no behaviour explains, and the states
of the frontier just before it, with the steps each would have allowed, are the explanation.

Events may stand for more or less than one spec step, where the user says so:

* ``hidden`` actions are never logged: before each event, the frontier is closed under them,
  up to ``hidden_depth`` consecutive hidden steps;
* ``stutter`` actions may also leave the spec state unchanged (an implementation event the
  spec does not model, a retry); an action that is not in the spec at all must be one.

Honesty: a conforming answer is exact (a matching behaviour exists). A rejection is exact
only when nothing was cut: if the frontier was truncated at ``max_frontier`` states, or the
hidden closure stopped at ``hidden_depth`` with new states still appearing, the answer is
:attr:`~refute.status.Status.INCOMPLETE`, with the event where the search gave up.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from refute.conformance.log import Event, iter_log
from refute.conformance.values import encode, matches
from refute.engine.model import Label, Model
from refute.errors import InputError, RefuteError, SpecError, UsageError
from refute.status import Status


class Cut(enum.Enum):
    """Why a rejection might be wrong: the search dropped something. The value explains it."""

    FRONTIER = "more spec states matched the log than --max-frontier allows; some were dropped"
    HIDDEN_DEPTH = ("hidden steps were explored only to --hidden-depth; a longer run of hidden "
                    "steps might explain the event")


@dataclass(frozen=True)
class Options:
    """How events map to spec steps (see the module docstring) and the search's bounds.

    ``observe(state) -> dict``: what the log's observed variables are checked against; by
    default the model's :meth:`~refute.engine.model.Model.describe_state` (the spec's fields).
    """

    hidden: frozenset[str] = frozenset()
    hidden_depth: int = 3
    stutter: frozenset[str] = frozenset()
    max_frontier: int = 10_000
    observe: Callable[[Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class NearMiss:
    """A successor by the logged action that the event still does not match, and why."""

    label: Label | None  # None: the state staying put (a stuttering event)
    differences: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A spec state possible just before the unexplained event, and what it would allow."""

    state: Any
    allowed: tuple[Label, ...]
    near: tuple[NearMiss, ...]


@dataclass(frozen=True)
class Mismatch:
    """The first event no behaviour explains, and the spec states possible just before it.

    ``candidates`` holds at most ``shown`` of the ``possible`` states (in discovery order).
    """

    event: Event
    candidates: tuple[Candidate, ...]
    possible: int

    @property
    def summary(self) -> str:
        return (f"no behaviour of the spec explains event {self.event.index + 1} "
                f"(line {self.event.line}): {describe_event(self.event)}")


@dataclass(frozen=True)
class TraceResult:
    """The outcome of validating one log.

    ``events``: events read (for a violation, up to and including the unexplained one);
    ``final_states``: spec states still possible after the last event; ``widest``: the most
    states possible at once (1 throughout means the log pins the spec state down exactly).
    """

    status: Status
    spec: str
    log: str
    events: int
    seconds: float
    final_states: int = 0
    widest: int = 0
    mismatch: Mismatch | None = None
    cuts: tuple[Cut, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def conforms(self) -> bool:
        return self.status is Status.OK

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


Visit = Callable[[Label | None, Any], None]
"""Called with every step a matching behaviour may take (``None`` for an initial state)."""


Step = Callable[[Any, Label, Any], None]
"""Called with every transition ``(source, label, successor)`` a matching behaviour may take."""


class Validator:
    """The search of :func:`validate`, one event at a time: feed events as they happen.

    ``frontier`` holds the spec states possible after the events fed so far. :meth:`feed`
    returns ``None`` when the event is explained, or the :class:`Mismatch` that explains why
    not (the frontier is then the states possible just before the event, and the validator
    should not be fed again).
    ``step`` (optional) sees every transition a matching behaviour may take, with its
    source, which model coverage counts. Raises :class:`InputError` for a malformed event and
    :class:`SpecError` when the spec fails.
    """

    def __init__(self, model: Model, options: Options = Options(), log_name: str = "<log>",
                 visit: Visit | None = None, show_candidates: int = 10,
                 step: Step | None = None) -> None:
        actions = frozenset(model.action_names)
        unknown = sorted(set(options.hidden) - actions)
        if unknown:
            raise UsageError(f"--hidden {', '.join(unknown)}: not an action of {model.name}",
                             hint=f"its actions are: {', '.join(model.action_names)}")
        self.model = model
        self.options = options
        self.log_name = log_name
        self.count = 0
        self.widest = 0
        self.cuts: set[Cut] = set()
        self._actions = actions
        self._visit = visit
        self._step = step
        self._show = show_candidates
        self._observe = options.observe or model.describe_state
        self._parameters: dict[str, frozenset[str]] = {}
        self._variables: frozenset[str] | None = None
        self._event: Event | None = None
        try:
            self.frontier = list(dict.fromkeys(model.init_states()))
        except RefuteError:
            raise
        except Exception as exc:
            raise SpecError.from_exception(exc, "init()", None, model.source) from None
        if visit:
            for state in self.frontier:
                visit(None, state)

    def feed(self, event: Event) -> Mismatch | None:
        """Advance the frontier by ``event`` (see the class docstring)."""
        self._event = event
        try:
            return self._feed(event)
        except RefuteError:
            raise
        except Exception as exc:
            raise SpecError.from_exception(
                exc, f"matching event {event.index + 1} (line {event.line})", None,
                self.model.source) from None

    def _feed(self, event: Event) -> Mismatch | None:
        model, options, log_name = self.model, self.options, self.log_name
        actions, observe, visit, step = self._actions, self._observe, self._visit, self._step
        hidden, stutter = options.hidden, options.stutter
        next_states = model.next_states
        parameters = self._parameters
        frontier = self.frontier
        self.count += 1
        action = event.action
        if action is not None and action not in actions:
            if action not in stutter:
                raise InputError(
                    f"{action!r} is not an action of {model.name}", file=log_name,
                    line=event.line, detail=describe_event(event),
                    hint=f"name the action as the spec does ({', '.join(model.action_names)}), "
                         f"or pass --stutter {action} if this event changes nothing the spec "
                         "models")
            if event.flat:
                if self._variables is None:
                    self._variables = frozenset(observe(frontier[0]))
                event.split(frozenset(k for k in event.flat if k not in self._variables))
                event.args.clear()  # arguments of an action the spec does not model
        cache: dict[Any, list] = {}
        if hidden:
            frontier, cut = _close(frontier, hidden, options.hidden_depth, next_states, cache,
                                   visit, step)
            if cut:
                self.cuts.add(Cut.HIDDEN_DEPTH)
        if action in parameters and event.flat:
            event.split(parameters[action])
        logged_args, logged_state = event.args, event.state
        matched: dict[Any, None] = {}
        for state in frontier:
            if action is None or action in stutter:
                if _observed(state, logged_state, observe, event, log_name):
                    matched[state] = None
                if action is None or action not in actions:
                    continue
            successors = cache.get(state)
            if successors is None:
                successors = next_states(state)
            for label, successor in successors:
                if label[0] != action:
                    continue
                if event.flat:
                    parameters[action] = frozenset(name for name, _ in label[1])
                    event.split(parameters[action])
                if logged_args and not _arguments(label, logged_args, event, log_name):
                    continue
                if logged_state and not _observed(successor, logged_state, observe, event,
                                                  log_name):
                    continue
                if step:
                    step(state, label, successor)
                if successor not in matched:
                    matched[successor] = None
                    if visit:
                        visit(label, successor)
        if not matched:
            self.frontier = frontier
            return _explain(model, frontier, event, observe, next_states, cache, stutter,
                            self._show)
        frontier = list(matched)
        if len(frontier) > options.max_frontier:
            del frontier[options.max_frontier:]
            self.cuts.add(Cut.FRONTIER)
        if len(frontier) > self.widest:
            self.widest = len(frontier)
        self.frontier = frontier
        return None


def validate(model: Model, events: Iterable[Event], options: Options = Options(),
             log_name: str = "<log>", visit: Visit | None = None,
             show_candidates: int = 10) -> TraceResult:
    """Search for a behaviour of ``model`` that matches ``events`` (see the module docstring)."""
    started = time.perf_counter()
    validator = Validator(model, options, log_name, visit, show_candidates)
    try:
        for event in events:
            mismatch = validator.feed(event)
            if mismatch is not None:
                cuts = validator.cuts
                status = Status.INCOMPLETE if cuts else Status.VIOLATION
                return TraceResult(status, model.name, log_name, validator.count,
                                   time.perf_counter() - started, len(validator.frontier),
                                   validator.widest, mismatch,
                                   tuple(sorted(cuts, key=lambda c: c.name)))
    except UnicodeDecodeError as exc:  # reading the log, not running the spec
        raise InputError(f"the log is not UTF-8 text: {exc.reason}",
                         file=log_name, hint="write the log as UTF-8 JSON Lines") from None
    warnings = ()
    if validator.count == 0:
        warnings = ("the log has no events: it conforms trivially",)
    return TraceResult(Status.OK, model.name, log_name, validator.count,
                       time.perf_counter() - started, len(validator.frontier), validator.widest,
                       None, tuple(sorted(validator.cuts, key=lambda c: c.name)), warnings)


def describe_event(event: Event) -> str:
    """``write(client=1, token=33) observing accepted=[34, 33]``, as the log gave it."""
    args = {**event.args, **event.flat}
    text = event.action or "(observation)"
    if args:
        text += "(" + ", ".join(f"{k}={_show(v)}" for k, v in args.items()) + ")"
    if event.state:
        text += " observing " + ", ".join(f"{k}={_show(v)}" for k, v in event.state.items())
    return text


def _show(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "))


def _arguments(label: Label, logged: dict[str, Any], event: Event, log_name: str) -> bool:
    found = 0
    for name, value in label[1]:
        if name in logged:
            if not matches(value, logged[name]):
                return False
            found += 1
    if found != len(logged):
        names = {name for name, _ in label[1]}
        extra = ", ".join(sorted(set(logged) - names))
        raise InputError(f"{label[0]} has no parameter {extra}", file=log_name, line=event.line,
                         detail=describe_event(event),
                         hint=f"its parameters are: {', '.join(sorted(names)) or '(none)'}")
    return True


def _observed(state: Any, logged: dict[str, Any], observe: Callable, event: Event,
              log_name: str) -> bool:
    if not logged:
        return True
    fields = observe(state)
    for name, value in logged.items():
        if name not in fields:
            raise InputError(
                f"the log observes {name!r}, which is not a variable of the spec",
                file=log_name, line=event.line, detail=describe_event(event),
                hint=f"the spec's variables are: {', '.join(fields)}; log other data under "
                     '"meta", which is ignored')
        if not matches(fields[name], value):
            return False
    return True


def _close(frontier: list, hidden: frozenset[str], depth_bound: int, next_states: Callable,
           cache: dict, visit: Visit | None, step: Step | None = None) -> tuple[list, bool]:
    """The frontier plus every state reachable by up to ``depth_bound`` hidden steps."""
    seen = dict.fromkeys(frontier)
    layer = frontier
    for depth in range(depth_bound + 1):
        fresh = []
        for state in layer:
            successors = cache.get(state)
            if successors is None:
                successors = cache[state] = next_states(state)
            for label, successor in successors:
                if label[0] in hidden and step:
                    step(state, label, successor)
                if label[0] in hidden and successor not in seen:
                    if depth == depth_bound:
                        return list(seen), True  # one more hidden step would reach a new state
                    seen[successor] = None
                    fresh.append(successor)
                    if visit:
                        visit(label, successor)
        layer = fresh
        if not layer:
            break
    return list(seen), False


def _explain(model: Model, frontier: list, event: Event, observe: Callable, next_states: Callable,
             cache: dict, stutter: frozenset[str], limit: int) -> Mismatch:
    candidates = []
    for state in frontier[:limit]:
        successors = cache.get(state) or next_states(state)
        allowed = tuple(dict.fromkeys(label for label, _ in successors))
        near = []
        if event.action in model.action_names:
            for label, successor in successors:
                if label[0] == event.action:
                    near.append(NearMiss(label, _differences(label, successor, event, observe)))
        if event.action is None or event.action in stutter:
            near.append(NearMiss(None, _differences(None, state, event, observe)))
        candidates.append(Candidate(state, allowed, tuple(near)))
    return Mismatch(event, tuple(candidates), len(frontier))


def _differences(label: Label | None, state: Any, event: Event, observe: Callable) -> tuple[str, ...]:
    out = []
    if label is not None:
        spec_args = dict(label[1])
        for name, value in {**event.args, **event.flat}.items():
            if name in spec_args and not matches(spec_args[name], value):
                out.append(f"argument {name}: the log has {_show(value)}, this step "
                           f"{_show(encode(spec_args[name]))}")
    if event.state:
        fields = observe(state)
        for name, value in event.state.items():
            if name in fields and not matches(fields[name], value):
                out.append(f"{name}: the log observes {_show(value)}, the spec has "
                           f"{_show(encode(fields[name]))}")
    return tuple(out)


def validate_log(model: Model, log: Any, options: Options = Options(), visit: Visit | None = None,
                 name: str | None = None) -> TraceResult:
    """:func:`validate` a log file (a path, an open file, or lines), read as it is searched."""
    if isinstance(log, str):
        try:
            with open(log, encoding="utf-8") as handle:
                return validate(model, iter_log(handle, name or log), options, name or log, visit)
        except FileNotFoundError:
            raise InputError(f"no log file {log!r}", file=log,
                             hint="give the path of a JSON Lines file written by "
                                  "refute.conformance.Tracer (or by your own logger)") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"the log is not UTF-8 text: {exc.reason}", file=log,
                             hint="write the log as UTF-8 JSON Lines") from None
        except OSError as exc:  # a directory, no permission, an I/O error
            raise InputError(f"cannot read the log: {exc.strerror or exc}", file=log,
                             hint="give the path of a readable JSON Lines file") from None
    name = name or getattr(log, "name", None) or "<log>"
    return validate(model, iter_log(log, name), options, name, visit)
