"""The ``--json`` contract of ``refute check``; tools rely on it, so extend it compatibly.

``{"status": "ok"|"violation"|"incomplete"|"error", "distinct_states": N,
"states_generated": N, "depth": N, "seconds": S, "violation": null | {"kind": "invariant"|
"deadlock"|"liveness", "name": "...", "trace": [{"action": "label, null for the initial state",
"state": {...}}]}}``; a ``"liveness"`` violation is a lasso and also has ``"loop_start"`` (the
index in ``trace`` where its loop begins: the last state steps back to it) and
``"loop_action"`` (the label of that step; null when the behaviour stutters in its last state
forever, and then ``loop_start`` is the last index). Plus ``spec``, ``stop_reason``,
``checked``, ``not_checked`` (the invariants and properties declared off by default,
``@invariant(default=False)``, that the run did not check: select them with ``--invariant``),
``coverage``, ``warnings`` and ``collision_probability``; ``within_constraint``:
null, or ``{"constraints": [names], "pruned": N}`` when state constraints left out N
successors (an ``"ok"`` run then holds within them, as TLC reports it); and ``workers``, one
``{"worker", "distinct", "generated", "seconds", "cpu_seconds", "states_per_s", "peak_rss",
"spilled"}``
per worker of a ``--workers``/``--ray`` run (``peak_rss`` in bytes; empty for one process).
"""

from __future__ import annotations

from typing import Any

from refute.engine.model import Model
from refute.engine.result import Result, ViolationKind
from refute.report.values import off_by_default, to_json, trace_fields


def result_to_json(result: Result, model: Model) -> dict[str, Any]:
    violation = None
    if result.violation is not None:
        trace = result.violation.trace
        shown = trace_fields(model, [step.state for step in trace])
        violation = {
            "kind": result.violation.kind.value,
            "name": result.violation.name,
            "trace": [{"action": None if step.action is None else str(step.action),
                       "state": to_json(fields)} for step, fields in zip(trace, shown)],
        }
        if result.violation.kind is ViolationKind.LIVENESS:
            violation["loop_start"] = result.violation.loop_start
            violation["loop_action"] = (None if result.violation.loop_action is None
                                        else str(result.violation.loop_action))
    return {
        "status": result.status.value,
        "spec": result.spec,
        "distinct_states": result.distinct_states,
        "states_generated": result.states_generated,
        "depth": result.depth,
        "seconds": round(result.seconds, 6),
        "violation": violation,
        "stop_reason": None if result.stop_reason is None else result.stop_reason.name.lower().replace("_", "-"),
        "checked": list(result.checked),
        "not_checked": off_by_default(model, result.checked),
        "coverage": [{"action": c.action, "fired": c.fired, "new_states": c.new_states}
                     for c in result.coverage],
        "warnings": list(result.warnings),
        "collision_probability": result.collision_probability,
        "within_constraint": None if not result.pruned else {
            "constraints": list(result.constrained_by), "pruned": result.pruned},
        "workers": [{"worker": w.worker, "distinct": w.distinct, "generated": w.generated,
                     "seconds": round(w.seconds, 6), "cpu_seconds": round(w.cpu_seconds, 6),
                     "states_per_s": round(w.states_per_second, 1),
                     "peak_rss": w.peak_rss, "spilled": w.spilled}
                    for w in result.workers],
    }
