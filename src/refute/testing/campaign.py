"""Fuzzing an implementation against its spec: runs, strategies, reproductions.

:func:`run_once` simulates a target under one schedule with the spec as the online oracle.
:func:`fuzz` runs a campaign of one strategy:

* ``random``: every run a fresh seed, the target's fault rates;
* ``swarm``: as random, but each run turns fault kinds on or off and picks their rates at
  random (swarm testing: a run without loss reaches states a lossy run rarely keeps);
* ``guided``: ModelFuzz's loop. A run whose events reached a spec state no earlier run
  reached joins the corpus; later runs mostly mutate a corpus schedule, injecting a fault
  right after the point where it reached something new and keeping the rest (see
  :class:`_Guide`), so what a run achieved is kept and extended.

A campaign is deterministic for its seed: run ``i``'s seed and mutations come from
``random.Random`` streams derived from the campaign seed alone.

The first failing run is shrunk (:func:`shrink`): each fault of its schedule is removed in
turn, and kept removed when the run still fails at an event of the same action; the result is
replayed once more and must fail identically (:func:`replay`), which is what makes it a
reproduction.
"""

from __future__ import annotations

import collections
import random
import time
from dataclasses import dataclass, field
from typing import Any

from refute.conformance.graph import build_graph
from refute.conformance.validate import Mismatch
from refute.engine.model import Model
from refute.errors import InputError
from refute.limits import NO_LIMITS, Watch
from refute.testing.oracle import ModelCoverage, Observer, SpecDivergence, describe_mismatch
from refute.testing.schedule import NO_FAULT, Chooser, Decision, Faults
from refute.testing.simulation import ImplementationError, Simulation
from refute.testing.target import Target

STRATEGIES = ("random", "swarm", "guided")


@dataclass
class Run:
    """One simulated run. ``schedule``: the genes it consumed (replaying them with ``seed``
    and ``faults`` replays it); ``events``: what the implementation logged, up to and
    including the event that diverged; ``states``: fingerprints of the model states reached."""

    seed: int
    faults: Faults
    schedule: list[float]
    decisions: list[Decision]
    events: list[dict[str, Any]]
    states: set[int]
    new_states: set[int]
    mismatch: Mismatch | None = None
    error: ImplementationError | None = None
    virtual_seconds: float = 0.0
    """Where the virtual clock stood when the run ended."""
    chances: list[int] = field(default_factory=list)
    """The genes that decided whether a fault happens."""
    novel_at: list[int] = field(default_factory=list)
    """For each event that reached model states no earlier run had: the genes used by then."""

    @property
    def failed(self) -> bool:
        return self.mismatch is not None or self.error is not None

    def signature(self) -> tuple:
        """What identifies the failure: the failing event and, for a divergence, the spec
        states possible before it. Equal for a run and its faithful replay."""
        if self.error is not None:
            return ("error", self.error.node, self.error.error, len(self.events))
        if self.mismatch is None:
            return ("ok",)
        m = self.mismatch
        return ("divergence", m.event.index, repr(m.event.raw),
                tuple(repr(c.state) for c in m.candidates))

    def failing_action(self) -> str | None:
        if self.mismatch is not None:
            return self.mismatch.event.action
        if self.error is not None:
            return "error:" + self.error.error.split(":")[0]
        return None


def run_once(target: Target, coverage: ModelCoverage, seed: int,
             genes: list[float] | None = None, faults: Faults | None = None,
             count: bool = True) -> Run:
    """Simulate ``target`` under ``(seed, genes)``; with ``count``, add its states to
    ``coverage`` (a replay for shrinking does not count)."""
    faults = faults or target.faults
    chooser = Chooser(seed, list(genes or ()))
    observer = Observer(coverage, target.options)

    novel_at: list[int] = []

    def check(event: dict[str, Any]) -> bool:
        try:
            if observer.observe(event):
                novel_at.append(chooser.used)
        except SpecDivergence:
            return False
        return True

    sim = Simulation(chooser, faults, target.horizon, check, target.crash_events)
    sim.run(target.setup)
    new = observer.finish() if count else set()
    return Run(seed, faults, chooser.schedule(), chooser.decisions, sim.log,
               set(observer.states), new, observer.mismatch, sim.error, sim.loop.time(),
               [g for g in chooser.chances if g < chooser.used], novel_at)


def replay(target: Target, run: Run, coverage: ModelCoverage) -> Run:
    """Run ``run``'s schedule again (not counted in coverage)."""
    return run_once(target, coverage, run.seed, run.schedule, run.faults, count=False)


def shrink(target: Target, run: Run, coverage: ModelCoverage, budget: int = 60) -> Run:
    """Remove the faults ``run`` does not need to fail (see the module docstring): the latest
    fault first, and again from the shorter schedule after each success, within ``budget``
    replays."""
    action = run.failing_action()
    best = run
    tries = 0
    shrunk = True
    while shrunk and tries < budget:
        shrunk = False
        for decision in sorted((d for d in best.decisions if d.fault), key=lambda d: -d.gene):
            if tries >= budget:
                break
            genes = list(best.schedule)
            genes[decision.gene] = NO_FAULT
            tries += 1
            candidate = run_once(target, coverage, best.seed, genes, best.faults, count=False)
            if candidate.failed and candidate.failing_action() == action:
                best, shrunk = candidate, True
                break
    return best


@dataclass
class Reproduction:
    """The shortest failing run found, checked to replay to the same failure."""

    run: Run
    replays: bool
    shrunk_from: int
    """How many faults the run had before shrinking."""

    def to_json(self, model: Model) -> dict[str, Any]:
        run = self.run
        out: dict[str, Any] = {
            "seed": run.seed, "faults": run.faults.to_json(), "schedule": run.schedule,
            "faults_injected": [{"gene": d.gene, "what": d.kind} for d in run.decisions
                                if d.fault],
            "faults_before_shrinking": self.shrunk_from,
            "events": run.events, "virtual_seconds": run.virtual_seconds,
            "replays": self.replays,
        }
        if run.mismatch is not None:
            out["divergence"] = describe_mismatch(model, run.mismatch)
        if run.error is not None:
            out["implementation_error"] = {"node": run.error.node, "error": run.error.error}
        return out


@dataclass
class Campaign:
    """A strategy's campaign over a target: coverage after each run, and the first bug."""

    target: str
    strategy: str
    seed: int
    budget: int
    runs: int = 0
    first_bug: int | None = None
    """1-based number of the first failing run (``None``: no run failed)."""
    coverage_curve: list[int] = field(default_factory=list)
    transitions: int = 0
    chance_of_new_state: float = 1.0
    reachable_states: int | None = None
    """The spec's distinct states under view and symmetry, if it was explored whole."""
    covered_reachable: int | None = None
    reproduction: Reproduction | None = None
    seconds: float = 0.0
    stopped: str | None = None
    """Why the campaign stopped before its budget without a bug (a ``--time-limit``, a
    ``--memory-limit``): it is then incomplete."""

    @property
    def states(self) -> int:
        return self.coverage_curve[-1] if self.coverage_curve else 0

    @property
    def fraction_covered(self) -> float | None:
        if not self.reachable_states:
            return None
        return (self.covered_reachable or 0) / self.reachable_states

    def to_json(self, model: Model) -> dict[str, Any]:
        return {
            "strategy": self.strategy, "seed": self.seed, "budget": self.budget,
            "runs": self.runs, "first_bug_run": self.first_bug,
            "states": self.states, "transitions": self.transitions,
            "coverage_curve": self.coverage_curve,
            "chance_next_run_reaches_new_state": self.chance_of_new_state,
            "reachable_states": self.reachable_states,
            "covered_reachable_states": self.covered_reachable,
            "fraction_covered": self.fraction_covered,
            "seconds": round(self.seconds, 3), "stopped": self.stopped,
            "reproduction": None if self.reproduction is None
            else self.reproduction.to_json(model),
        }


def _derive(seed: int, stream: str) -> random.Random:
    return random.Random(f"{seed}/{stream}")


FAULT_WINDOW = 8
"""How many fault decisions after a novel model state the guided strategy tries to flip."""

FRESH_RUNS = 0.2
"""The share of the guided strategy's runs that start from a fresh schedule (exploration)."""

LEAD_RUNS = 0.85
"""Below this roll (and above :data:`FRESH_RUNS`) a guided run follows a lead; above it, it
re-draws a few genes of a corpus schedule."""


@dataclass
class _Lead:
    """A point where a run reached a model state first: gene ``start`` of ``run``'s schedule.
    ``window``: the first fault decisions after it; ``tried``: how many were flipped."""

    run: Run
    start: int
    window: list[int]
    tried: int = 0


class _Guide:
    """The guided strategy's corpus: leads (see :func:`fuzz`).

    A run that reaches new model states adds one lead per event that did so. A mutant takes
    a lead and flips the next of the first :data:`FAULT_WINDOW` fault decisions after it (a
    message lost or duplicated, a crash, or one of these undone), keeping the rest of the
    schedule: a fault right where the implementation just did something new, which is
    where crash-recovery bugs live (a crash right after a decision, a message lost right
    after a vote). Leads are taken round by round, oldest first: every lead's first flip
    before any lead's second, so a new lead waits for at most one flip of each other lead.
    Leads run out as the model's states do, since only a first visit makes one. Between
    them, a few runs start fresh, and random re-draws of a corpus schedule's genes vary
    timing.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rounds: list[collections.deque[_Lead]] = [collections.deque()]
        self.runs: list[Run] = []

    def add(self, run: Run) -> None:
        self.runs.append(run)
        for start in run.novel_at:
            window = [g for g in run.chances if g >= start][:FAULT_WINDOW]
            if window:
                self.rounds[0].append(_Lead(run, start, window))

    def next_schedule(self) -> tuple[Faults | None, list[float] | None]:
        rng = self.rng
        roll = rng.random()
        if not self.runs or roll < FRESH_RUNS:
            return None, None
        waiting = next((queue for queue in self.rounds if queue), None)
        if waiting is not None and roll < LEAD_RUNS:
            lead = waiting.popleft()
            genes = list(lead.run.schedule)
            _flip(lead.run, genes, lead.window[lead.tried])
            lead.tried += 1
            if lead.tried < len(lead.window):
                if len(self.rounds) == lead.tried:
                    self.rounds.append(collections.deque())
                self.rounds[lead.tried].append(lead)
            return lead.run.faults, genes
        parent = self.runs[rng.randrange(len(self.runs))]
        genes = list(parent.schedule)
        if genes:
            for _ in range(1 + min(int(rng.expovariate(0.7)), 6)):
                genes[rng.randrange(len(genes))] = rng.random()
        return parent.faults, genes


def _flip(parent: Run, genes: list[float], index: int) -> None:
    """Turn a fault decision's outcome around: a fault happens there, or no longer does."""
    faulty = any(d.gene == index and d.fault for d in parent.decisions)
    genes[index] = NO_FAULT if faulty else 0.0


def fuzz(target: Target, strategy: str, runs: int, seed: int = 0, model: Model | None = None,
         stop_at_first_bug: bool = True, shrink_budget: int = 60,
         reachable: set[int] | None = None, watch: Watch = NO_LIMITS) -> Campaign:
    """A campaign of ``strategy`` (see the module docstring) for up to ``runs`` runs.

    ``reachable``: the fingerprints of every reachable spec state, when known, to report the
    fraction covered. ``watch``: limits, asked between runs; a campaign they stop before a
    bug says so in :attr:`Campaign.stopped`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    started = time.perf_counter()
    model = model or target.model()
    coverage = ModelCoverage(model)
    campaign = Campaign(target.name, strategy, seed, runs)
    seeds = _derive(seed, "seeds")
    choices = _derive(seed, "mutations")
    guide = _Guide(choices)
    first_failure: Run | None = None
    for _ in range(runs):
        if watch.expired():
            if first_failure is None:
                campaign.stopped = watch.note(f"{campaign.runs} run(s)")
            break
        run_seed = seeds.getrandbits(63)
        faults, genes = target.faults, None
        if strategy == "swarm":
            faults = target.faults.swarm(_derive(run_seed, "swarm"))
        elif strategy == "guided":
            parent_faults, genes = guide.next_schedule()
            faults = parent_faults or faults
        run = run_once(target, coverage, run_seed, genes, faults)
        campaign.runs += 1
        campaign.coverage_curve.append(coverage.states)
        if run.new_states and strategy == "guided":
            guide.add(run)
        if run.failed and first_failure is None:
            first_failure = run
            campaign.first_bug = campaign.runs
            if stop_at_first_bug:
                break
    campaign.transitions = len(coverage.transitions)
    campaign.chance_of_new_state = coverage.chance_of_new_state()
    if reachable is not None:
        campaign.reachable_states = len(reachable)
        campaign.covered_reachable = len(reachable.intersection(coverage.runs_reaching))
    if first_failure is not None:
        faults_before = sum(1 for d in first_failure.decisions if d.fault)
        shortest = shrink(target, first_failure, coverage, shrink_budget)
        again = replay(target, shortest, coverage)
        campaign.reproduction = Reproduction(shortest, again.signature() == shortest.signature(),
                                             faults_before)
    campaign.seconds = time.perf_counter() - started
    return campaign


def reachable_states(model: Model, max_states: int = 200_000,
                     watch: Watch = NO_LIMITS) -> set[int] | None:
    """Fingerprints (under view and symmetry) of every reachable state of ``model``, or
    ``None`` if it has more than ``max_states`` states (or ``watch`` stopped the search)."""
    graph = build_graph(model, max_states, watch)
    if not graph.complete:
        return None
    fingerprint = ModelCoverage(model).fingerprint
    return {fingerprint(state) for state in graph.states}



def read_reproduction(data: Any, source: str) -> tuple[int, list[float], Faults]:
    """``(seed, schedule, faults)`` of a reproduction: ``refute fuzz --json``'s output (its
    first strategy with one) or one reproduction object. Raises :class:`InputError`."""
    if isinstance(data, dict) and "strategies" in data:
        found = [s.get("reproduction") for s in data.get("strategies") or ()
                 if isinstance(s, dict) and s.get("reproduction")]
        if not found:
            raise InputError("the file holds no reproduction: no strategy found a bug",
                             file=source, hint="give the --json output of a refute fuzz run "
                                               "that found a bug")
        data = found[0]
    try:
        seed, schedule = data["seed"], data["schedule"]
        if type(seed) is not int or not all(isinstance(g, (int, float)) and 0 <= g < 1
                                            for g in schedule):
            raise ValueError("seed must be an integer and schedule numbers in [0, 1)")
        return seed, [float(g) for g in schedule], Faults.from_json(data["faults"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a reproduction: {exc}", file=source,
                         hint='give refute fuzz --json output, or an object with "seed", '
                              '"schedule" and "faults" as it writes them') from None
