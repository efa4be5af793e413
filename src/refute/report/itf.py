"""Counterexamples in the Informal Trace Format (ITF) of Apalache and Quint.

Specification: Apalache's ADR-015, https://apalache-mc.org/docs/adr/015adr-trace.html.
Records become objects, sets ``{"#set": [...]}``, tuples ``{"#tup": [...]}``, maps and bags
``{"#map": [[k, v], ...]}`` (a bag is TLA+'s function from element to multiplicity), integers
beyond JSON's safe range ``{"#bigint": "..."}``; model values are written as strings.

**No JSON null, no float.** ADR-015 has neither; a reader such as Quint's refuses them. A
value ITF has no form for is written as ADR-015's own escape for that case,
``{"#unserializable": "<its Python repr>"}``: Python's ``None`` (which Python specs use for
"nothing yet") is ``{"#unserializable": "None"}``, a float ``{"#unserializable": "0.5"}``,
any other object its ``repr``. Readers (``itf-py``, Quint) load it as an opaque value, and
it reads back unambiguously.

**A lasso** (a liveness counterexample) has ADR-015's top-level ``"loop"``: the index of the
state its last state steps back to. The action that closes the loop is in the trace's
``#meta`` as ``"loop_action"``; a lasso that stutters in its last state forever has no
closing action and says ``"stutters": true`` there instead.

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
    """``value`` as an ADR-015 value: never JSON null or a float (see the module's note)."""
    if isinstance(value, bool):
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
    """The counterexample as an ITF trace (a lasso with its top-level ``loop``)."""
    shown = trace_fields(model, [step.state for step in violation.trace])
    states = []
    for index, (step, fields) in enumerate(zip(violation.trace, shown)):
        meta: dict[str, Any] = {"index": index}
        if step.action is not None:
            meta["action"] = str(step.action)
        states.append({"#meta": meta, **{name: itf_value(v) for name, v in fields.items()}})
    meta: dict[str, Any] = {
        "format": "ITF",
        "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
        "source": model.source or model.name,
        "description": f"refute: {violation.summary}",
    }
    trace: dict[str, Any] = {"#meta": meta}
    if violation.loop_start is not None:
        if violation.loop_action is None:
            meta["stutters"] = True
        else:
            meta["loop_action"] = str(violation.loop_action)
    trace["vars"] = list(dict.fromkeys(name for fields in shown for name in fields))
    trace["states"] = states
    if violation.loop_start is not None:
        trace["loop"] = violation.loop_start
    return trace
