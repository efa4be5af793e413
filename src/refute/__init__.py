"""refute: find the bugs in distributed-systems designs before production does.

Write a spec as a Python class (:class:`Spec`, :func:`action`, :func:`invariant`, ...), then
``refute.check(MySpec())`` or ``refute check my_spec.py`` explores every reachable state and
returns the shortest counterexample.
"""

from importlib import metadata as _metadata

from refute.api import CheckedResult, assert_holds, check
from refute.engine.result import Result
from refute.errors import InputError, RefuteError, SpecError, UsageError
from refute.spec import (Bag, FrozenMap, ModelValue, Record, Spec, State, action,
                         always_eventually, constraint, each, eventually, eventually_always, freeze,
                         invariant, leads_to, liveness, model_values, outcome, strong, terminal,
                         weak)
from refute.status import Status

try:
    __version__ = _metadata.version("refute")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Bag", "CheckedResult", "FrozenMap", "InputError", "ModelValue", "Record", "RefuteError", "Result", "Spec",
    "SpecError", "State", "Status", "UsageError", "action", "always_eventually", "assert_holds",
    "check", "constraint", "each", "eventually", "eventually_always", "freeze", "invariant",
    "leads_to", "liveness", "model_values", "outcome", "strong", "terminal", "weak",
]
