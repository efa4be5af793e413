"""Simulation: random behaviours, checked step by step, for state spaces too big to exhaust.

Each of ``traces`` runs starts in a random initial state and takes up to ``depth`` random
steps, checking the invariants in every state and deadlock in every state without successor.
A violation is *shrunk* (:func:`shrink`) to a shorter behaviour that breaks the same property
and reported like any counterexample; a run that finds nothing ends *incomplete*, with what it
buys: after ``n`` clean traces, a bug that one trace hits with probability ``p`` has been
missed with probability ``(1 - p)**n``, so the run rules out, at 95% confidence, every bug with
``p >= 1 - 0.05**(1/n)`` (:attr:`Simulation.ruled_out_at_95`).

**Swarm testing** (Groce et al., "Swarm Testing", ISSTA 2012; FoundationDB's simulator and
Hypothesis do the same): each trace draws a random subset of the actions (each kept with
probability 1/2, never none) and prefers those. Uniform random walks spread their steps
over every action and rarely sustain the long runs of one kind of step (many emits, no
cleanup) that many bugs need; a trace with some actions switched off does. The subset is a
preference, not a wall: in a state where none of the chosen actions is enabled, the trace
takes any enabled action instead. Ending the trace there instead made most swarm traces a
few steps long (examples/dns_race.py: 3.6 steps on average, its race never reached in 1,000
traces, while uniform traces found it in 9); with the preference the defaults find every
bundled example's bug (tests/engine/test_simulate.py). A trace ends at ``depth`` steps, or
in a state without successor (a deadlock unless the state is terminal) or whose successors
the state constraints all exclude; when traces end far short of ``depth`` on average, the
result says so: longer behaviours were not tried.

**Determinism**: trace ``i`` draws from its own ``random.Random`` seeded with ``(seed, i)``
(string seeding hashes with SHA-512, the same in every process), the Model's successors are
deterministic, and shrinking uses no randomness: the same seed gives the same counterexample,
byte for byte. Traces are independent, so one that fails can be rerun alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


from refute.engine.bfs import select_invariants, state_fingerprint
from refute.engine.liveness import properties_of
from refute.engine.fpset import FingerprintSet
from refute.engine.model import Label, Model, Predicate
from refute.engine.result import (ActionCoverage, Result, Step, StopReason, Violation,
                                  ViolationKind)
from refute.errors import RefuteError, SpecError
from refute.limits import Watch
from refute.status import Status

_CHECK_EVERY = 64  # traces between clock reads
_SHORT = 4  # traces averaging under depth / _SHORT steps are "far short" of --depth


@dataclass(frozen=True)
class SimulationOptions:
    """How to simulate: ``traces`` behaviours of at most ``depth`` steps from ``seed``."""

    traces: int = 1000
    depth: int = 100
    seed: int = 0
    swarm: bool = True
    invariants: Sequence[str] | None = None
    deadlock: bool = True
    time_limit: float | None = None
    memory_limit: int | None = None


@dataclass(frozen=True)
class Simulation:
    """A simulation's outcome: the :class:`Result` every report reads, and its statistics.

    In ``result``, ``distinct_states`` counts the distinct states the traces visited,
    ``states_generated`` every successor computed, ``depth`` the longest trace (in states),
    and ``coverage`` per action the steps taken (``fired``) and the states first seen by them.
    ``failing_trace`` is the number of the trace that found the violation (``None``: none).
    """

    result: Result
    traces: int
    steps: int
    seed: int
    swarm: bool
    failing_trace: int | None
    original_length: int | None

    @property
    def ruled_out_at_95(self) -> float | None:
        """The least per-trace probability of hitting a bug that the clean traces rule out."""
        clean = self.traces if self.failing_trace is None else self.failing_trace
        return 1 - 0.05 ** (1 / clean) if clean else None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.result.seconds if self.result.seconds else 0.0


def trace_random(seed: int, trace: int) -> random.Random:
    """The random source of trace number ``trace``: independent of every other trace."""
    return random.Random(f"refute-simulate:{seed}:{trace}")


def simulate(model: Model, options: SimulationOptions = SimulationOptions()) -> Simulation:
    """Run random behaviours of ``model``; stop at the first violation, shrunk."""
    model.prepare_run(options.deadlock)
    started = time.perf_counter()
    invariants = select_invariants(model, options.invariants)
    constraints = tuple(p.test for p in model.constraints)
    fp = state_fingerprint(model)
    next_states = model.next_states
    actions = tuple(model.action_names)
    seen = FingerprintSet()
    taken = dict.fromkeys(actions, 0)
    new_states = dict.fromkeys(actions, 0)
    generated = steps = longest = traces_run = constrained = 0
    violation: Violation | None = None
    failing: int | None = None
    original_length: int | None = None
    stop = StopReason.SIMULATION
    watch = Watch(options.time_limit, options.memory_limit)
    state: Any = None
    checking: Predicate | None = None
    try:
        initial = model.init_states()
        generated += len(initial)
        for number in range(options.traces):
            if number % _CHECK_EVERY == 0 and watch.expired():
                stop = StopReason.of(watch.reason)
                break
            traces_run += 1
            rng = trace_random(options.seed, number)
            allowed = _swarm(rng, actions) if options.swarm else None
            state = rng.choice(initial)
            path: list[Step] = [Step(None, state)]
            key = fp(state)
            if key not in seen:
                seen.add(key)
            broken = _broken(invariants, state)
            for _ in range(options.depth):
                if broken is not None:
                    break
                successors = next_states(state)
                generated += len(successors)
                if type(successors) is not list:  # Successors: and intermediate states
                    generated += successors.generated_besides()
                if not successors:
                    if options.deadlock and not model.is_terminal(state):
                        broken = "deadlock"
                    break
                if constraints:
                    successors = [s for s in successors if all(t(s[1]) for t in constraints)]
                    if not successors:
                        constrained += 1
                        break
                if allowed is not None:
                    successors = [s for s in successors if s[0].action in allowed] or successors
                label, state = rng.choice(successors)
                steps += 1
                taken[label.action] += 1
                path.append(Step(label, state))
                key = fp(state)
                if key not in seen:
                    seen.add(key)
                    new_states[label.action] += 1
                for checking in invariants:
                    if not checking.test(state):
                        broken = checking.name
                        break
                checking = None
            longest = max(longest, len(path))
            if broken is not None:
                failing, original_length = number, len(path)
                kind = ViolationKind.DEADLOCK if broken == "deadlock" else ViolationKind.INVARIANT
                shrunk = shrink(model, path, _violates(model, invariants, broken))
                violation = Violation(kind, broken, tuple(shrunk))
                break
    except RefuteError:
        raise
    except Exception as exc:
        doing = f"invariant {checking.name}" if checking is not None else "a state constraint"
        raise SpecError.from_exception(exc, doing, state, model.source) from None
    finally:
        watch.close()
    warnings = [*getattr(model, "notes", ())]
    warnings += [f"action {name} was never taken: it is never enabled, a guard is wrong, or "
                "the traces are too short or too few" for name in actions if taken[name] == 0
                and violation is None]
    if violation is None and traces_run and steps / traces_run < options.depth / _SHORT:
        warnings.append(_short_traces(steps / traces_run, options.depth, traces_run, constrained))
    if properties_of(model, options.invariants):
        warnings.append("temporal properties are not checked by simulation: use refute check")
    result = Result(
        status=Status.VIOLATION if violation else Status.INCOMPLETE, spec=model.name,
        distinct_states=len(seen), states_generated=generated, depth=longest,
        seconds=time.perf_counter() - started, violation=violation,
        stop_reason=None if violation else stop,
        coverage=tuple(ActionCoverage(a, taken[a], new_states[a]) for a in actions),
        checked=tuple(p.name for p in invariants) + (("deadlock",) if options.deadlock else ()),
        warnings=tuple(warnings))
    return Simulation(result, traces_run, steps, options.seed, options.swarm, failing,
                      original_length)


def _short_traces(mean: float, depth: int, traces: int, constrained: int) -> str:
    """The warning for traces that end far short of ``--depth``: what ended them, what to do."""
    where = (f"{constrained:,} of {traces:,} where the state constraints exclude every "
             "successor, the others in states without successor" if constrained
             else "in states without successor")
    return (f"the traces took {mean:.1f} steps on average, far short of --depth {depth}: they "
            f"ended {where}, so longer behaviours were not tried; if the spec's behaviours "
            "are all this short, refute check explores every one of them")


def _swarm(rng: random.Random, actions: tuple[str, ...]) -> frozenset[str]:
    chosen = frozenset(a for a in actions if rng.random() < 0.5)
    return chosen or frozenset((rng.choice(actions),))


def _broken(invariants: tuple[Predicate, ...], state: Any) -> str | None:
    for invariant in invariants:
        if not invariant.test(state):
            return invariant.name
    return None


def _violates(model: Model, invariants: tuple[Predicate, ...], name: str):
    """The test a shrunk behaviour must still fail: the same invariant, or deadlock."""
    if name == "deadlock":
        return lambda state: not model.next_states(state) and not model.is_terminal(state)
    test = next(p.test for p in invariants if p.name == name)
    return lambda state: not test(state)


def shrink(model: Model, path: list[Step], violates) -> list[Step]:
    """A shorter behaviour that still ends in a ``violates`` state, without randomness.

    Two passes, repeated until neither helps: cut every loop (a state visited twice: keep the
    behaviour from its last visit), then delete steps, in blocks of halving size as in delta
    debugging, keeping a deletion when the remaining action labels can still be replayed
    from the same initial state and reach a violation (the behaviour is cut at the first one).
    Each candidate is shorter, so it ends.
    """
    best = _cut_loops(path)
    improved = True
    while improved:
        improved = False
        size = max((len(best) - 1) // 2, 1)
        while size >= 1:
            start = 1
            while start < len(best):
                labels = [step.action for step in best[1:start]] + \
                         [step.action for step in best[start + size:]]
                candidate = _replay(model, best[0].state, labels, violates)
                if candidate is not None and len(candidate) < len(best):
                    best = _cut_loops(candidate)
                    improved = True
                else:
                    start += size
            size //= 2
    return best


def _cut_loops(path: list[Step]) -> list[Step]:
    """``path`` without its loops: from each state, continue after its last visit."""
    last = {step.state: index for index, step in enumerate(path)}
    out: list[Step] = []
    index = 0
    while index < len(path):
        out.append(path[index])
        index = last[path[index].state] + 1
    return out


def _replay(model: Model, initial: Any, labels: list[Label | None], violates) -> list[Step] | None:
    """Take the steps named by ``labels`` from ``initial``; the behaviour up to its first
    violating state, or ``None`` if a label is not enabled or no state violates."""
    path = [Step(None, initial)]
    if violates(initial):
        return path
    state = initial
    for label in labels:
        for candidate, successor in model.next_states(state):
            if candidate == label:
                state = successor
                break
        else:
            return None
        path.append(Step(label, state))
        if violates(state):
            return path
    return None
