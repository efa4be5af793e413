"""Writing Python specs: the Spec base class, markers, and immutable values."""

from refute.spec.spec import Spec, action, constraint, each, invariant, terminal
from refute.spec.values import Bag, FrozenMap, ModelValue, Record, State, freeze, model_values

__all__ = ["Bag", "FrozenMap", "ModelValue", "Record", "Spec", "State", "action", "constraint",
           "each", "freeze", "invariant", "model_values", "terminal"]
