"""The spec as an online oracle, and model coverage as the feedback of testing.

:class:`ModelCoverage` counts, over many runs, the distinct spec states (the engine's
fingerprint of each state's ``view``, least over the spec's symmetry, so states the checker
counts as one count as one here) and transitions that runs reached. :class:`Observer`
validates one run's events as they happen (:class:`refute.conformance.validate.Validator`,
the search of ``refute trace``), and answers each event with the model states it reached
that no run had reached before: the signal a coverage-guided fuzzer needs. An event no
behaviour of the spec explains raises :class:`SpecDivergence`, carrying the spec states
possible just before it and the steps they allowed.

When an event leaves the spec state ambiguous (several states match), every possible state
counts as reached, as in :mod:`refute.conformance.coverage`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refute.conformance.log import parse_event
from refute.conformance.values import encode
from refute.conformance.validate import Mismatch, Options, Validator, describe_event
from refute.engine.bfs import state_fingerprint
from refute.engine.model import Label, Model


class SpecDivergence(AssertionError):
    """An event of the implementation that no behaviour of the spec explains."""

    def __init__(self, mismatch: Mismatch) -> None:
        super().__init__(mismatch.summary)
        self.mismatch = mismatch


@dataclass
class ModelCoverage:
    """Spec states and transitions reached over runs (see the module docstring).

    ``runs_reaching[fp]``: how many runs reached state ``fp`` (the incidence counts the
    Good-Turing estimate needs); ``transitions``: ``(fp, action label, fp)`` triples.
    """

    model: Model
    runs: int = 0
    runs_reaching: dict[int, int] = field(default_factory=dict)
    transitions: set[tuple[int, str, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._fingerprint: Callable[[Any], int] = state_fingerprint(self.model)
        self._known: dict[Any, int] = {}

    def fingerprint(self, state: Any) -> int:
        """The state's fingerprint under view and symmetry, remembered: runs revisit the same
        states over and over, and symmetry costs one fingerprint per permutation."""
        fp = self._known.get(state)
        if fp is None:
            fp = self._known[state] = self._fingerprint(state)
        return fp

    @property
    def states(self) -> int:
        return len(self.runs_reaching)

    def observer(self, options: Options = Options()) -> Observer:
        """A new run's observer; its states count once the run is :meth:`Observer.finish`\\ ed."""
        return Observer(self, options)

    def chance_of_new_state(self) -> float:
        """Good-Turing (incidence form, Chao et al. 2014): the chance that one more run
        reaches a state no run reached, estimated as the share of runs ``f1 / n`` where
        ``f1`` counts the states exactly one run reached. Meaningful for runs drawn
        independently (the random and swarm strategies)."""
        if self.runs == 0:
            return 1.0
        singletons = sum(1 for count in self.runs_reaching.values() if count == 1)
        return min(1.0, singletons / self.runs)


class Observer:
    """Validates one run's events online and reports the new model states each reached."""

    def __init__(self, coverage: ModelCoverage, options: Options = Options()) -> None:
        self.coverage = coverage
        self.states: set[int] = set()
        self.transitions: set[tuple[int, str, int]] = set()
        self.events: list[dict[str, Any]] = []
        self.mismatch: Mismatch | None = None
        fingerprint = coverage.fingerprint
        self._fresh: set[int] = set()

        def visit(label: Label | None, state: Any) -> None:
            fp = fingerprint(state)
            if fp not in self.states:
                self.states.add(fp)
                if fp not in coverage.runs_reaching:
                    self._fresh.add(fp)

        def step(source: Any, label: Label, target: Any) -> None:
            self.transitions.add((fingerprint(source), str(label), fingerprint(target)))

        self._validator = Validator(coverage.model, options, "<run>", visit, step=step)

    @property
    def frontier(self) -> list[Any]:
        """The spec states possible after the events so far."""
        return self._validator.frontier

    def observe(self, event: dict[str, Any]) -> set[int]:
        """Check ``event`` (a log line's object: ``{"action": ..., ...}``) against the spec;
        return the fingerprints of the model states it reached for the first time over all
        runs. Raises :class:`SpecDivergence` when no behaviour of the spec explains it."""
        if self.mismatch is not None:
            raise SpecDivergence(self.mismatch)
        index = len(self.events)
        self.events.append(event)
        parsed = parse_event(json.dumps(event), index, index + 1, "<run>")
        self._fresh = set()
        mismatch = self._validator.feed(parsed)
        if mismatch is not None:
            self.mismatch = mismatch
            raise SpecDivergence(mismatch)
        return self._fresh

    def finish(self) -> set[int]:
        """Count this run into the coverage; returns the states no earlier run reached."""
        coverage = self.coverage
        new = {fp for fp in self.states if fp not in coverage.runs_reaching}
        coverage.runs += 1
        for fp in self.states:
            coverage.runs_reaching[fp] = coverage.runs_reaching.get(fp, 0) + 1
        coverage.transitions |= self.transitions
        return new


def describe_mismatch(model: Model, mismatch: Mismatch) -> dict[str, Any]:
    """The divergence as JSON: the event, and each spec state possible before it with the
    steps it allowed."""
    return {
        "event": mismatch.event.index + 1,
        "what": describe_event(mismatch.event),
        "possible_states": mismatch.possible,
        "candidates": [
            {"state": {name: encode(value)
                       for name, value in model.describe_state(c.state).items()},
             "allowed": [str(label) for label in c.allowed],
             "near_misses": [{"step": None if n.label is None else str(n.label),
                              "differences": list(n.differences)} for n in c.near]}
            for c in mismatch.candidates],
    }
