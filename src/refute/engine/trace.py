"""Rebuild a behaviour from parent links by replaying the recorded choices.

The seen-set stores no states, so a counterexample is recovered by walking ``parents`` from
the violating state back to an initial state, then replaying forward: from initial state
``ordinals[root]``, take successor number ``ordinals[i]`` of each state in turn. This relies
on the Model invariant that ``next_states`` is deterministic; the replay checks the lengths it
depends on and reports a nondeterministic spec rather than printing a wrong trace.
"""

from __future__ import annotations

from array import array

from refute.engine.model import Model
from refute.engine.result import Step
from refute.errors import SpecError

ROOT = 0xFFFFFFFF
"""``parents[i]`` of an initial state."""


def rebuild_trace(model: Model, parents: array, ordinals: array, index: int) -> tuple[Step, ...]:
    chain = [index]
    while parents[chain[-1]] != ROOT:
        chain.append(parents[chain[-1]])
    chain.reverse()
    initial = model.init_states()
    state = initial[ordinals[chain[0]]]
    steps = [Step(None, state)]
    for number in chain[1:]:
        successors = model.next_states(state)
        ordinal = ordinals[number]
        if ordinal >= len(successors):
            raise SpecError(
                f"replaying the counterexample, {model.name} gave different successors for the "
                "same state: the spec is not deterministic",
                file=model.source, detail=f"in state: {state!r}",
                hint="actions must compute the same successors, in the same order, every time: "
                     "do not use random numbers, clocks or mutable globals; iterate over "
                     "sorted(...) when yielding from a set")
        label, state = successors[ordinal]
        steps.append(Step(label, state))
    return tuple(steps)
