"""Breadth-first exploration of every reachable state: safety and deadlock.

Data layout (the reason this is fast and small):

* the seen-set is a C hash set of 64-bit fingerprints (:class:`~refute.engine.fpset.FingerprintSet`),
  about 16 bytes a state, never the states themselves;
* state ``i`` (numbered in discovery order) has ``parents[i]``, the number of the state it
  was first reached from, and ``ordinals[i]``, its position in that parent's successor list,
  4 bytes each; a trace is rebuilt by replaying those choices from the initial state
  (:mod:`refute.engine.trace`);
* only the frontier (the current BFS level and the next) holds state objects; the states of
  a level are numbered consecutively, so a level is its list of states and its first number.

Time: a parent's successors go through one C call, ``FingerprintSet.scan`` (count each one's
action, fingerprint it, add it if new, and for a new one count it, check the invariants on it
and queue it), so that per parent only the new successors' positions come back to Python, to
be numbered. Constraints, the liveness graph and
the last level under ``--max-depth`` need every successor in Python: those parents take the
loop written out below, which numbers the same states in the same order.

Invariants kept: states are discovered level by level, so the first violation found is at
the least depth, and its trace is a shortest counterexample; among equally short ones it is
the first in exploration order (initial states in ``init_states`` order; successors in
``next_states`` order), which is deterministic because fingerprints and successor order are.

Counting follows TLC: ``generated`` is the initial states plus every successor computed
(duplicates and states outside the constraint included), up to the one the search stops at
(TLC's Worker counts and checks each successor as it generates it, so at a violation it has
generated none of the state's later successors); a successor that violates a state
constraint is neither stored nor explored, only counted as pruned (a run that
explored everything within the constraints holds *within the constraint*, as TLC reports
it, and says so), but its invariants are checked, as TLC (2.16+) checks it before dropping
it; a successor marked as failing a check of its step (:attr:`Model.step_violation`) is
stored only if new and within the constraints, and stops the search whether it is new or
not (TLC's Worker.addElement); a deadlock is a state with no successor at all (before
constraints), unless the spec says it is terminal.
"""

from __future__ import annotations

import gc
import time
from array import array
from collections import _count_elements as count_labels  # Counter.update's C loop
from itertools import repeat
from operator import itemgetter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from refute.engine.fingerprint import fingerprint
from refute.engine.fpset import FingerprintSet
from refute.engine.model import Model, Predicate
from refute.engine.result import ActionCoverage, Result, StopReason, Violation, ViolationKind
from refute.engine.symmetry import canonical_fingerprint
from refute.engine.trace import ROOT, rebuild_trace
from refute.errors import RefuteError, SpecError, UsageError
from refute.limits import Watch
from refute.status import Status

_CHECK_EVERY = 512  # at most this many expansions between clock reads (time limit, progress)
_CHECK_SECONDS = 0.1  # and about this long: where one expansion is slow, the clock is read sooner
_GC_YOUNG = 20_000  # allocations between collections of the youngest generation (see explore)
first = itemgetter(0)


class Progress(NamedTuple):
    """A snapshot of a running search, for progress displays."""

    distinct: int
    generated: int
    queue: int
    depth: int
    seconds: float


@dataclass(frozen=True)
class Options:
    """How to explore. ``invariants``: names to check (None: all); the bounds are optional.

    ``time_limit`` (seconds) and ``memory_limit`` (bytes of resident memory) stop the search
    with an incomplete result (:mod:`refute.limits`)."""

    invariants: Sequence[str] | None = None
    deadlock: bool = True
    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None
    memory_limit: int | None = None
    progress: Callable[[Progress], None] | None = None
    progress_interval: float = 0.5


def state_fingerprint(model: Model) -> Callable[[Any], int]:
    """The model's fingerprint function: of its view, canonical under its symmetry."""
    base = fingerprint
    if model.symmetry:
        base = canonical_fingerprint(fingerprint, model.symmetry)
    view = model.view
    if view is None:
        return base
    return lambda state: base(view(state))


def select_invariants(model: Model, names: Sequence[str] | None) -> tuple[Predicate, ...]:
    """The invariants named (an unknown name is a usage error), or with none named those
    checked by default (not the ones declared ``default=False``)."""
    if names is None:
        return tuple(p for p in model.invariants if p.default)
    known = {p.name: p for p in model.invariants}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"{model.name} has no invariant named {', '.join(unknown)}",
                         hint=f"its invariants are: {', '.join(known) or '(none)'}")
    return tuple(known[n] for n in names)


class GraphObserver(Protocol):
    """Told every state and step the search keeps, in order (the liveness check's state
    graph, :class:`refute.engine.fair_scc.GraphBuilder`): ``state`` for each new state as it
    is numbered (with its fingerprint, parent's number and position among the parent's
    successors), then ``edge`` for each successor within the constraints, new or not."""

    def state(self, state: Any, key: int, parent: int, ordinal: int) -> None: ...

    def edge(self, source: int, ordinal: int, key: int, label: Any, before: Any,
             after: Any) -> None: ...


def explore(model: Model, options: Options = Options(),
            graph: GraphObserver | None = None) -> Result:
    """Explore ``model`` breadth-first and return what was found; ``graph``, if given, is
    told every state and step kept (it is complete when the result is, or stopped only by
    the constraints)."""
    # The search allocates a few objects a successor, nearly all dead within the parent's
    # expansion; collecting the youngest generation every 700 allocations (Python's default)
    # traverses the frontier's new states again and again, about a sixth of the run (TwoPhase 6,
    # CPU time). Collecting every _GC_YOUNG allocations costs as little as no collection at all
    # and still frees any cycle a spec makes; the caller's thresholds come back afterwards.
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _GC_YOUNG), *thresholds[1:])
    try:
        return _explore(model, options, graph)
    finally:
        gc.set_threshold(*thresholds)


def _explore(model: Model, options: Options, graph: GraphObserver | None) -> Result:
    started = time.perf_counter()
    invariants = select_invariants(model, options.invariants)
    constraints = tuple(p.test for p in model.constraints)
    fp = state_fingerprint(model)
    next_states = model.next_states
    deadlock = options.deadlock
    max_states = options.max_states if options.max_states is not None else 1 << 62
    max_depth = options.max_depth
    watch = Watch(options.time_limit, options.memory_limit)
    report_progress = options.progress
    next_report = started + options.progress_interval

    seen = FingerprintSet()
    scan = seen.scan
    parents = array("I")
    ordinals = array("I")
    # Successors generated, by action: counted by scan() in fired_counts (by action number;
    # names outside action_names in the last slot), by the loop in Python in fired.
    action_numbers = {a: i for i, a in enumerate(model.action_names)}
    fired_counts = array("q", bytes(8 * (len(action_numbers) + 1)))
    found_counts = array("q", fired_counts)  # new states, by action number
    fired: dict[str, int] = {}
    found: dict[str, int] = {}  # action -> new states, counted by the loop in Python
    tests = tuple(p.test for p in invariants)
    # A successor marked as failing a check of its step (a TLA+ PROPERTY's [][A]_v) is judged
    # as TLC's Worker judges it: stored if new and within the constraints, its invariants
    # checked if not seen before (also outside the constraints), then the step's check, seen
    # or not. Those models take the loop written out in Python.
    step_violation = getattr(model, "step_violation", None)
    by_name = {p.name: p for p in invariants}
    where = [-1, 0]  # scan's: the invariant that raised (-1: none) and the successor's position
    generated = 0
    pruned = 0  # successors (and initial states) outside the state constraints
    depth = 0
    stop: StopReason | None = None
    violation: Violation | None = None
    checking: Predicate | None = None  # the invariant being evaluated, for error messages

    def finish(status: Status) -> Result:
        watch.close()
        fired_by_action = {a: fired.get(a, 0) + fired_counts[i]
                           for a, i in action_numbers.items()}
        found_by_action = {a: found.get(a, 0) + found_counts[i] for a, i in action_numbers.items()}
        return Result(
            status=status, spec=model.name, distinct_states=len(parents),
            states_generated=generated, depth=depth, seconds=time.perf_counter() - started,
            violation=violation, stop_reason=stop,
            coverage=tuple(ActionCoverage(a, fired_by_action[a], found_by_action[a])
                           for a in model.action_names),
            checked=tuple(p.name for p in invariants) + (("deadlock",) if deadlock else ()),
            warnings=_warnings(model, fired_by_action, complete=stop is None and violation is None),
            pruned=pruned, constrained_by=tuple(p.name for p in model.constraints) if pruned else ())

    def trace_to(index: int) -> tuple:
        return rebuild_trace(model, parents, ordinals, index)

    def trace_through(parent: int, ordinal: int) -> tuple:
        """The behaviour to successor ``ordinal`` of state ``parent`` (ROOT: initial state
        ``ordinal``), a state not stored (seen before, or outside the constraints)."""
        parents.append(parent)
        ordinals.append(ordinal)
        try:
            return trace_to(len(parents) - 1)
        finally:
            parents.pop()
            ordinals.pop()

    def judged(state: Any) -> tuple[Any, Predicate | None]:
        """A successor (initial state) and the selected check its step fails, if it comes
        marked so (:attr:`Model.step_violation`)."""
        marked = step_violation(state)
        if marked is None:
            return state, None
        return marked[0], by_name.get(marked[1])

    state: Any = None
    # when the clock is read next (see below): never when there is nothing to watch
    next_check = 0 if watch.active or report_progress else 1 << 62
    stride, last_check = 1, started
    try:
        # Level 1: the initial states.
        level_states: list[Any] = []
        level_start = 0  # the number of level_states[0]
        for ordinal, state in enumerate(model.init_states()):
            generated += 1
            failing = None
            if step_violation is not None:
                state, failing = judged(state)
            index = None  # as TLC's ModelChecker: outside the constraints, checked unstored
            if constraints and not _satisfies(constraints, state, model):
                pruned += 1
            else:
                key = fp(state)
                if key in seen:
                    continue
                seen.add(key)
                index = len(parents)
                parents.append(ROOT)
                ordinals.append(ordinal)
                depth = 1
            for checking in invariants + ((failing,) if failing else ()):
                if checking is failing or not checking.test(state):
                    violation = Violation(ViolationKind.INVARIANT, checking.name,
                                          trace_to(index) if index is not None
                                          else trace_through(ROOT, ordinal))
                    return finish(Status.VIOLATION)
            checking = None
            if index is None:
                continue
            if graph is not None:
                graph.state(state, key, ROOT, ordinal)
            level_states.append(state)

        while level_states:
            expanding_last_level = max_depth is not None and depth >= max_depth
            every_successor = (bool(constraints) or graph is not None or expanding_last_level
                               or step_violation is not None)
            next_level: list[Any] = []
            for parent, parent_state in enumerate(level_states, start=level_start):
                # before the expansion, so that both loops below (the C scan's ends in
                # ``continue``) are bounded by the limits
                if parent >= next_check:
                    if watch.expired():
                        stop = StopReason.of(watch.reason)
                        return finish(Status.INCOMPLETE)
                    now = time.perf_counter()
                    # the stride halves while the expansions between two reads take longer
                    # than _CHECK_SECONDS (a trace spec's states can take seconds each) and
                    # doubles back up to _CHECK_EVERY when they are quick
                    stride = (max(1, stride // 2) if now - last_check > _CHECK_SECONDS
                              else min(_CHECK_EVERY, stride * 2))
                    next_check, last_check = parent + stride, now
                    if report_progress and now >= next_report:
                        next_report = now + options.progress_interval
                        report_progress(Progress(len(parents), generated,
                                                 level_start + len(level_states) - parent + len(next_level),
                                                 depth, now - started))
                successors = next_states(parent_state)
                generated += len(successors)
                if type(successors) is not list:  # Successors: and intermediate states
                    generated += successors.generated_besides()
                if not successors and deadlock and not model.is_terminal(parent_state):
                    violation = Violation(ViolationKind.DEADLOCK, "deadlock", trace_to(parent))
                    if next_level:  # TLC's depth: the deepest state found so far
                        depth += 1
                    return finish(Status.VIOLATION)
                if not every_successor:
                    # One C call does the per-successor work (see FingerprintSet.scan); only
                    # the numbering is left, a level's states being numbered in order.
                    try:
                        new = scan(successors, fp, action_numbers, fired_counts, found_counts,
                                   tests, next_level, max_states - len(parents), where)
                    except Exception:
                        if where[0] >= 0:  # an invariant raised: name it and the state
                            checking, state = invariants[where[0]], successors[where[1]][1]
                            raise
                        for _, state in successors:  # again, to name the state that fails
                            fp(state)
                        raise
                    if type(new) is not tuple:
                        parents.fromlist([parent] * len(new))  # (fromlist: a list's fast path)
                        ordinals.fromlist(new)
                        continue
                    new, failed = new  # stopped at its last new successor
                    parents.extend(repeat(parent, len(new)))
                    ordinals.extend(new)
                    depth += 1
                    # the successors after it, and the intermediate states before them, were
                    # never generated, as TLC counts
                    generated -= len(successors) - 1 - new[-1] + _intermediate_after(successors,
                                                                                     new[-1])
                    if failed < 0:
                        stop = StopReason.MAX_STATES
                        return finish(Status.INCOMPLETE)
                    violation = Violation(ViolationKind.INVARIANT, invariants[failed].name,
                                          trace_to(len(parents) - 1))
                    return finish(Status.VIOLATION)
                count_labels(fired, map(first, map(first, successors)))
                for ordinal, (label, state) in enumerate(successors):
                    failing = None
                    if step_violation is not None:
                        state, failing = judged(state)
                    if constraints and not _satisfies(constraints, state, model):
                        pruned += 1
                        # TLC (2.16+) checks a successor outside the model before dropping
                        # it: not stored, so checked each time it is generated
                        for checking in invariants + ((failing,) if failing else ()):
                            if checking is failing or not checking.test(state):
                                break
                        else:
                            checking = None
                            continue
                        violation = Violation(ViolationKind.INVARIANT, checking.name,
                                              trace_through(parent, ordinal))
                        if next_level:  # TLC's depth: the deepest state found so far
                            depth += 1
                        generated -= _uncount(fired, successors, ordinal)
                        return finish(Status.VIOLATION)
                    key = fp(state)
                    if key in seen:
                        if failing is not None:  # a step into a state seen before
                            violation = Violation(ViolationKind.INVARIANT, failing.name,
                                                  trace_through(parent, ordinal))
                            if next_level:
                                depth += 1
                            generated -= _uncount(fired, successors, ordinal)
                            return finish(Status.VIOLATION)
                        if graph is not None:
                            graph.edge(parent, ordinal, key, label, parent_state, state)
                        continue
                    if expanding_last_level:
                        stop = StopReason.MAX_DEPTH
                        continue
                    seen.add(key)
                    index = len(parents)
                    parents.append(parent)
                    ordinals.append(ordinal)
                    found[label[0]] = found.get(label[0], 0) + 1
                    for checking in invariants + ((failing,) if failing else ()):
                        if checking is failing or not checking.test(state):
                            depth += 1
                            violation = Violation(ViolationKind.INVARIANT, checking.name,
                                                  trace_to(index))
                            generated -= _uncount(fired, successors, ordinal)
                            return finish(Status.VIOLATION)
                    checking = None
                    if graph is not None:
                        graph.state(state, key, parent, ordinal)
                        graph.edge(parent, ordinal, key, label, parent_state, state)
                    next_level.append(state)
                    if index + 1 >= max_states:
                        stop = StopReason.MAX_STATES
                        depth += 1
                        generated -= _uncount(fired, successors, ordinal)
                        return finish(Status.INCOMPLETE)
            level_start += len(level_states)
            level_states = next_level
            if level_states:
                depth += 1
    except RefuteError:
        watch.close()
        raise
    except Exception as exc:
        watch.close()
        doing = f"invariant {checking.name}" if checking is not None else "the view or symmetry"
        raise SpecError.from_exception(exc, doing, state, model.source) from None
    return finish(Status.INCOMPLETE if stop else Status.OK)


def _uncount(fired: dict[str, int], successors: list, ordinal: int) -> int:
    """The search stops at successor ``ordinal``: the ones after it were computed (a state's
    successors come as one list) but are not counted as generated, as TLC, which checks each
    successor as it generates it, never generates them. Takes them out of ``fired``; returns
    how many there were."""
    rest = successors[ordinal + 1:]
    for label, _ in rest:
        fired[label[0]] -= 1
    return len(rest) + _intermediate_after(successors, ordinal)


def _intermediate_after(successors: list, ordinal: int) -> int:
    """The states generated besides the successors (:class:`~refute.engine.model.Successors`)
    that TLC would have computed only after successor ``ordinal``."""
    if type(successors) is list:
        return 0
    return successors.generated_besides() - successors.generated_besides(ordinal)


def _satisfies(constraints: tuple, state: Any, model: Model) -> bool:
    try:
        return all(test(state) for test in constraints)
    except Exception as exc:
        raise SpecError.from_exception(exc, "a state constraint", state, model.source) from None


def _warnings(model: Model, fired: dict[str, int], complete: bool) -> tuple[str, ...]:
    return tuple(getattr(model, "notes", ())) + tuple(
        f"action {name} never fired: it is never enabled, or a guard is wrong"
        for name, count in fired.items() if count == 0 and complete)
