"""Counterexamples in the Informal Trace Format (ITF) of Apalache and Quint.

Specification: https://apalache-mc.org/docs/adr/015adr-trace.html. Records become objects,
sets ``{"#set": [...]}``, tuples ``{"#tup": [...]}``, maps and bags ``{"#map": [[k, v], ...]}``
(a bag is TLA+'s function from element to multiplicity), integers beyond JSON's safe range
``{"#bigint": "..."}``; model values are written as strings. A liveness counterexample (a
lasso) has ``"loop"`` in the trace's ``#meta``: the index of the state its last state steps
back to, by ``"loop_action"`` (null: it stutters in its last state forever).

A state's keys are the fields reports show it by (:func:`~.values.trace_fields`): a TLA+
model's ALIAS (a record) when it has one, as TLC's trace explorer and Apalache write aliased
traces, else its variables; ``"vars"`` lists them.
"""

from __future__ import annotations

from typing import Any

from refute.engine.model import Model
from refute.engine.result import Violation
from refute.report.values import trace_fields
from refute.values import Bag, FrozenMap, ModelValue, Record, sort_canonically

_SAFE_INTEGER = 2**53 - 1


def itf_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if abs(value) <= _SAFE_INTEGER else {"#bigint": str(value)}
    if isinstance(value, ModelValue):
        return str.__str__(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Record):
        return {n: itf_value(v) for n, v in zip(value._fields, value._values())}
    if isinstance(value, FrozenMap):
        return {"#map": [[itf_value(k), itf_value(v)] for k, v in value.items()]}
    if isinstance(value, Bag):
        return {"#map": [[itf_value(k), n] for k, n in value.counts().items()]}
    if isinstance(value, frozenset):
        return {"#set": [itf_value(v) for v in sort_canonically(value)]}
    if isinstance(value, tuple):
        return {"#tup": [itf_value(v) for v in value]}
    return {"#unserializable": repr(value)}


def violation_to_itf(violation: Violation, model: Model) -> dict[str, Any]:
    shown = trace_fields(model, [step.state for step in violation.trace])
    states = []
    for index, (step, fields) in enumerate(zip(violation.trace, shown)):
        meta: dict[str, Any] = {"index": index}
        if step.action is not None:
            meta["action"] = str(step.action)
        states.append({"#meta": meta, **{name: itf_value(v) for name, v in fields.items()}})
    return {
        "#meta": {
            "format": "ITF",
            "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": model.source or model.name,
            "description": f"refute: {violation.summary}",
            **({} if violation.loop_start is None else
               {"loop": violation.loop_start,
                "loop_action": None if violation.loop_action is None else str(violation.loop_action)}),
        },
        "vars": list(dict.fromkeys(name for fields in shown for name in fields)),
        "states": states,
    }
