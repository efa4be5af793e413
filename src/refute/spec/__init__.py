"""Writing Python specs: the Spec base class, markers, and immutable values."""

from refute.spec import compile as _compile  # noqa: F401 - registers Spec with as_model
from refute.spec.spec import Spec, action, constraint, each, invariant, outcome, terminal
from refute.spec.temporal import (always_eventually, eventually, eventually_always, leads_to,
                                  liveness, strong, weak)
from refute.values import Bag, FrozenMap, ModelValue, Record, State, freeze, model_values

__all__ = ["Bag", "FrozenMap", "ModelValue", "Record", "Spec", "State", "action",
           "always_eventually", "constraint", "each", "eventually", "eventually_always", "freeze",
           "invariant", "leads_to", "liveness", "model_values", "outcome", "strong", "terminal",
           "weak"]
