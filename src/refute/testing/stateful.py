"""Hypothesis bridge: a spec's actions as the rules of a ``RuleBasedStateMachine``.

:func:`state_machine(model, make_adapter)` returns a Hypothesis state machine with one rule
per action of the spec. A rule is enabled when the action has a step from the current spec
state; it draws one of those steps (its arguments), asks the implementation to take it
(``adapter.<action>(**arguments)``, the adapter ``refute testgen``'s replay uses) and then
checks, in lockstep, that what the implementation shows (``adapter.observe()``, named as
the spec's variables; variables it leaves out are not checked) is one of the states the step
may lead to. Hypothesis explores and shrinks sequences of steps; a failure reads as the
shortest sequence of spec steps after which the implementation and the spec disagree.

``hypothesis`` is imported here only, so refute needs it only when this bridge is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from refute.conformance.values import encode, matches
from refute.engine.model import Model


class LockstepDivergence(AssertionError):
    """The implementation shows a state no step of the spec leads to."""


def state_machine(model: Model, make_adapter: Callable[[], Any]) -> type[RuleBasedStateMachine]:
    """A ``RuleBasedStateMachine`` class driving ``make_adapter()`` along ``model``."""

    def setup(self: Any) -> None:
        self.adapter = make_adapter()
        self.states = list(dict.fromkeys(model.init_states()))
        self.taken: list[str] = []
        self._check("the initial state")

    def teardown(self: Any) -> None:
        close = getattr(getattr(self, "adapter", None), "close", None)
        if close is not None:
            close()

    def check(self: Any, after: str) -> None:
        observed = {name: encode(value) for name, value in self.adapter.observe().items()}
        kept = [state for state in self.states
                if all(matches(model.describe_state(state)[name], value)
                       for name, value in observed.items())]
        if not kept:
            raise LockstepDivergence(
                f"after {after}, the implementation shows {observed}, which no behaviour of "
                f"{model.name} reaches by {' -> '.join(self.taken) or 'its initial state'}; "
                f"the spec allowed: "
                + " | ".join(str(model.describe_state(s)) for s in self.states[:3]))
        self.states = kept

    def idle(self: Any) -> None:
        """No step: the implementation must still show a state of the spec (and a terminal
        state leaves Hypothesis a rule to run)."""
        self._check("a pause")

    namespace: dict[str, Any] = {"_check": check, "teardown": teardown,
                                 "setup": initialize()(setup), "idle": rule()(idle)}
    for action in model.action_names:
        namespace[f"do_{action}"] = _rule(model, action)
    return type(f"{model.name}Lockstep", (RuleBasedStateMachine,), namespace)


def _rule(model: Model, action: str) -> Callable[..., None]:
    def steps(machine: Any) -> list:
        return [(label, successor) for state in machine.states
                for label, successor in model.next_states(state) if label.action == action]

    @precondition(lambda machine: bool(steps(machine)))
    @rule(data=st.data())
    def take(machine: Any, data: Any) -> None:
        options = steps(machine)
        labels = list(dict.fromkeys(label for label, _ in options))
        label = data.draw(st.sampled_from(labels), label=action)
        getattr(machine.adapter, action)(**dict(label.args))
        machine.taken.append(str(label))
        machine.states = list(dict.fromkeys(s for lab, s in options if lab == label))
        machine._check(str(label))

    take.__name__ = f"do_{action}"
    return take
