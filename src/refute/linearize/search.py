"""The search for a linearization: Wing & Gong's algorithm with Lowe's memoisation.

A history is linearizable when its completed operations, and any of its unknown-outcome
operations, can be put in one sequence that (1) the model accepts step by step and (2)
respects real time: an operation that returned before another was called comes first.

One object's operations are laid out as a doubly linked list of *entries*, a call entry and
a return entry per operation, sorted by time (calls before returns at equal times, because
intervals are closed). An operation whose call entry comes before the first return entry
still in the list can be linearized next: every operation that must precede it already has.
The search is a depth-first walk of that list:

- at a call entry, try to linearize the operation: if the model accepts it and the pair
  (set of linearized operations, new state) was never reached before, *lift* both its
  entries out of the list, push it, and start again from the head;
- at a return entry, the operation it ends could not be placed in time: pop the last
  linearized operation, *unlift* its entries back, and try the entry after it.

The memo of (linearized set, state) pairs is Lowe's: two paths reaching the same set with
the same state have the same futures, so the second is cut. Each configuration is entered
at most once, which bounds the work by their number.

A completed read (an operation the model's ``read_only`` says leaves every state as it is) is
placed as soon as it can be, without branching: if any order works, one that places it now
works too, since it changes nothing, here or later, and nothing still in the list had to come
before it. So when the search backs up over such a *forced* placement, it backs up once more.
An operation that only happens to leave the current state unchanged (writing the value
already there) is not forced: placed later, it could change the state.

Unknown-outcome operations (Jepsen ``:info``) have no return entry: nothing waits for them,
and the search is done when every *completed* operation is linearized. Two rules cut their
branching without losing linearizations:

- placing one that leaves the state unchanged is never needed (it is optional, and what
  follows could happen without it), so it is not tried;
- of several with equal inputs, the one called earlier can stand wherever a later one
  stands, so a later one is placed only after its earlier twin.

P-compositionality (Herlihy & Wing): a history is linearizable exactly when each
independent object's sub-history is. The model's ``partition`` hook splits the history, and
the objects are searched *interleaved*, in slices, so that a hard object neither hides a
quick violation in another nor blows the time limit unnoticed. When one object is not
linearizable the whole history is not, and the other searches stop.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from refute.errors import InputError, SpecError
from refute.limits import Limit, Watch
from refute.linearize.history import Operation
from refute.linearize.model import MODELS, Model, ModelError
from refute.linearize.result import CheckResult, PartitionResult, Stop, Verdict

__all__ = ["check_operations"]

_SLICE = 4096
"""Search steps per turn of one object: small enough to interleave objects and honour a
time limit to within milliseconds, large enough that switching costs nothing."""


def check_operations(model: Model, operations: Sequence[Operation], *,
                     time_limit: float | None = None, file: str | None = None,
                     failed: int = 0, skipped: int = 0,
                     memory_limit: int | None = None) -> CheckResult:
    """Check that ``operations`` are linearizable with respect to ``model``.

    ``time_limit`` (seconds, None for none) and ``memory_limit`` (bytes of resident memory)
    bound the search; objects not finished by then are ``unknown``, never guessed. ``file``,
    ``failed`` and ``skipped`` describe where the operations came from, for the report.
    """
    started = time.perf_counter()
    with Watch(time_limit, memory_limit) as watch:
        return _check(model, operations, watch, started, file, failed, skipped)


def _check(model: Model, operations: Sequence[Operation], watch: Watch, started: float,
           file: str | None, failed: int, skipped: int) -> CheckResult:
    searches = [_Search(model, key, ops, file)
                for key, ops in _partition(model, operations, file)]
    active = list(searches)
    violated = False
    while active and not violated:
        for search in list(active):
            if search.advance(_SLICE):
                active.remove(search)
                if search.stop is Stop.EXHAUSTED:
                    violated = True
                    break
        if watch.expired():
            break
    limit = Stop.MEMORY_LIMIT if watch.reason is Limit.MEMORY else Stop.TIME_LIMIT
    for search in active:
        search.stop = Stop.OTHER_VIOLATION if violated else limit
    results = tuple(search.result() for search in searches)
    verdicts = {part.verdict for part in results}
    if Verdict.NOT_LINEARIZABLE in verdicts:
        verdict = Verdict.NOT_LINEARIZABLE
    elif Verdict.UNKNOWN in verdicts:
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.LINEARIZABLE
    return CheckResult(verdict, results, model, time.perf_counter() - started,
                       time_limit=watch.time_limit, file=file, failed=failed, skipped=skipped,
                       memory_limit=watch.memory_limit)


def _partition(model: Model, operations: Iterable[Operation],
               file: str | None) -> list[tuple[Hashable, list[Operation]]]:
    """The operations of each independent object, objects in order of first appearance."""
    if model.partition is None:
        return [(None, list(operations))]
    groups: dict[Hashable, list[Operation]] = {}
    for op in operations:
        try:
            groups.setdefault(model.partition(op), []).append(op)
        except Exception as error:  # the user's hook: report it against the operation
            raise SpecError(f"the {model.name} model's partition failed on operation "
                            f"#{op.index}: {error!r}", file=file, line=op.line,
                            hint="partition(op) must return a hashable key for every "
                                 "operation") from error
    return list(groups.items())


class _Search:
    """The resumable search of one object's operations (see the module docstring).

    Invariant between calls of :meth:`advance`: ``linearized`` has bit ``i`` set exactly
    when operation ``i`` is on ``stack`` (lifted out of the list), ``state`` is the model's
    state after the stacked operations in order, and ``remaining`` counts the completed
    operations not yet linearized.
    """

    def __init__(self, model: Model, key: Hashable, operations: list[Operation],
                 file: str | None) -> None:
        self.model, self.key, self.operations, self.file = model, key, operations, file
        n = len(operations)
        events = []
        for i, op in enumerate(operations):
            events.append((op.call, 0, i))
            if op.ret is not None:
                events.append((op.ret, 1, i))
        events.sort()  # calls before returns at equal times: intervals are closed
        # Entry 0 is the head sentinel, entries 1..m the events, m+1 the tail sentinel.
        # code[e] is i for the call of operation i and -1 for a return (and the sentinels):
        # a return entry blocks the search until its operation is linearized.
        m = len(events)
        self.code = [-1] + [i if kind == 0 else -1 for _, kind, i in events] + [-1]
        self.nxt = list(range(1, m + 2)) + [m + 1]
        self.prv = [0] + list(range(0, m + 1))
        self.return_entry = [-1] * n
        for e, (_, kind, i) in enumerate(events, start=1):
            if kind == 1:
                self.return_entry[i] = e
        self.inputs = [op.input for op in operations]
        read_only = model.read_only
        self.reads = [op.ret is not None and bool(read_only and read_only(op.input))
                      for op in operations]
        self.outputs = [op.output for op in operations]
        self.twin = self._twins(operations)
        self.remaining = sum(op.ret is not None for op in operations)
        self.cache: set[tuple[int, Any]] = set()
        # (call entry, state before it, whether the placement was forced)
        self.stack: list[tuple[int, Any, bool]] = []
        self.linearized = 0
        self.state = model.init
        self.entry = self.nxt[0]
        self.stop: Stop | None = Stop.FOUND if self.remaining == 0 else None
        self.best: list[int] = []  # the longest linearized prefix seen, as operation ids
        self.best_depth = -1  # its length once a dead end has been recorded
        self.unplaceable: list[int] = []

    @staticmethod
    def _twins(operations: list[Operation]) -> list[int]:
        """twin[i]: the latest earlier-called unknown-outcome operation with operation
        i's input, or -1; operation i is placed only after it."""
        twin = [-1] * len(operations)
        latest: dict[Any, int] = {}
        for i in sorted(range(len(operations)), key=lambda i: operations[i].call):
            if operations[i].ret is None:
                try:
                    twin[i] = latest.get(operations[i].input, -1)
                    latest[operations[i].input] = i
                except TypeError:
                    pass  # an unhashable input has no twins we can find
        return twin

    def advance(self, budget: int) -> bool:
        """Search for up to ``budget`` steps; True when the search has ended."""
        if self.stop is not None:
            return True
        code, nxt, prv = self.code, self.nxt, self.prv
        return_entry, inputs, outputs, twin, reads = (self.return_entry, self.inputs,
                                                      self.outputs, self.twin, self.reads)
        step, cache, stack = self.model.step, self.cache, self.stack
        linearized, state, entry, remaining = (self.linearized, self.state, self.entry,
                                               self.remaining)
        cache_add, push, pop = cache.add, stack.append, stack.pop
        tail = len(code) - 1  # its code is -1: reaching it means "back up"
        i = -1
        try:
            for _ in range(budget):
                i = code[entry]
                if i >= 0:
                    legal, new_state = step(state, inputs[i], outputs[i])
                    if legal:
                        ret = return_entry[i]
                        if ret < 0 and (new_state == state or (
                                twin[i] >= 0 and not linearized >> twin[i] & 1)):
                            entry = nxt[entry]
                            continue
                        forced = reads[i] and new_state == state
                        configuration = (linearized | (1 << i), new_state)
                        seen = len(cache)
                        cache_add(configuration)  # adding and comparing sizes hashes once
                        if len(cache) == seen:
                            # a forced placement that already failed dooms this prefix too
                            entry = tail if forced else nxt[entry]
                            continue
                        push((entry, state, forced))
                        state = new_state
                        linearized = configuration[0]
                        # lift the call entry, and the return entry if there is one
                        nxt[prv[entry]] = nxt[entry]
                        prv[nxt[entry]] = prv[entry]
                        if ret >= 0:
                            nxt[prv[ret]] = nxt[ret]
                            prv[nxt[ret]] = prv[ret]
                            remaining -= 1
                            if remaining == 0:
                                self.stop = Stop.FOUND
                                self.best = [code[e] for e, _, _ in stack]
                                break
                        entry = nxt[0]
                        continue
                    entry = nxt[entry]
                else:
                    if len(stack) > self.best_depth:
                        self._record(entry)
                    if not stack:
                        self.stop = Stop.EXHAUSTED
                        break
                    entry, state, forced = pop()
                    i = code[entry]
                    linearized ^= 1 << i
                    ret = return_entry[i]
                    if ret >= 0:
                        nxt[prv[ret]] = ret
                        prv[nxt[ret]] = ret
                        remaining += 1
                    nxt[prv[entry]] = entry
                    prv[nxt[entry]] = entry
                    # after a forced placement there is no alternative to try: back up
                    entry = tail if forced else nxt[entry]
        except Exception as error:
            raise self._step_error(i, state, error) from error
        self.linearized, self.state, self.entry, self.remaining = (linearized, state, entry,
                                                                   remaining)
        return self.stop is not None

    def _record(self, blocking: int) -> None:
        """Keep the deepest dead end: the prefix on the stack, and the completed operations
        called before ``blocking`` (a return entry) that were not linearized. Each of them
        had to come next, and none was accepted: had one been, the search would have gone
        deeper than this deepest point."""
        self.best_depth = len(self.stack)
        self.best = [self.code[e] for e, _, _ in self.stack]
        waiting = []
        entry = self.nxt[0]
        while entry != blocking:
            i = self.code[entry]
            if i >= 0 and self.return_entry[i] >= 0:
                waiting.append(i)
            entry = self.nxt[entry]
        self.unplaceable = waiting

    def _step_error(self, i: int, state: Any, error: Exception) -> SpecError | InputError:
        op = self.operations[i]
        what = (f"the {self.model.name} model cannot step operation #{op.index} "
                f"(input {op.input!r}, output {op.output!r}) in state {state!r}: {error}")
        if isinstance(error, ModelError) or self.model in MODELS.values():
            return InputError(what, file=self.file, line=op.line,
                              hint="the built-in models read inputs as (f, value); check "
                                   f"that --object matches the history ({', '.join(MODELS)})")
        if isinstance(error, TypeError) and "unhashable" in str(error):
            return SpecError(what, file=self.file, line=op.line,
                             hint="model states must be hashable: use tuples, frozensets "
                                  "and frozen dataclasses instead of lists, sets and dicts")
        return SpecError(what, file=self.file, line=op.line,
                         hint="step(state, input, output) must return (legal, next_state) "
                              "for every operation of the history")

    def result(self) -> PartitionResult:
        stop = self.stop if self.stop is not None else Stop.TIME_LIMIT
        verdict = {Stop.FOUND: Verdict.LINEARIZABLE,
                   Stop.EXHAUSTED: Verdict.NOT_LINEARIZABLE}.get(stop, Verdict.UNKNOWN)
        order = [self.operations[i] for i in self.best]
        states = []
        state = self.model.init
        for op in order:
            state = self.model.step(state, op.input, op.output)[1]
            states.append(state)
        unplaceable = self.unplaceable if verdict is Verdict.NOT_LINEARIZABLE else []
        return PartitionResult(
            key=self.key, operations=tuple(self.operations), verdict=verdict, stop=stop,
            linearization=tuple(order), states=tuple(states),
            unplaceable=tuple(self.operations[i] for i in unplaceable),
            explored=len(self.cache))
