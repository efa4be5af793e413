"""Temporal properties under fairness, for ``refute check`` and ``refute.check``.

:func:`check_model` runs the safety search (:mod:`refute.engine.bfs`) and then, when the spec
has temporal properties and nothing went wrong, checks each of them over the state graph
(:mod:`refute.engine.fair_scc`, which needs numpy and scipy and is imported only then; a
formula of no fixed shape through its tableau, :mod:`refute.engine.product`). A violation
is a lasso: :attr:`~refute.engine.result.Violation.loop_start` marks its loop.

Not promised (as in TLC): under symmetry reduction or a view the graph's states are orbits,
and a violation can be missed; under a state constraint, edges leaving the constraint are
cut, so actions can look disabled that are not (unless the model evaluates its fairness
conditions' enabledness, :attr:`~refute.engine.model.Fairness.enabled`, as a TLA+ model with
a constraint does). The result carries a warning then, and when
a ``leads_to`` premise holds in no reachable state (the property holds vacuously).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from refute.engine.bfs import GraphObserver, Options, explore
from refute.engine.model import Model, Temporal, TemporalProperty
from refute.engine.result import Result
from refute.errors import UsageError
from refute.status import Status

if TYPE_CHECKING:
    from refute.engine.fair_scc import Graph


def properties_of(model: Model, names: Sequence[str] | None = None) -> tuple[TemporalProperty, ...]:
    """The temporal properties a run checks: those ``names`` (``--invariant``) select, or with
    none named those checked by default."""
    return _split_names(model, names)[1]


def check_model(model: Model, options: Options = Options(),
                observer: GraphObserver | None = None,
                native: Callable[[Options, GraphObserver | None], Result] | None = None) -> Result:
    """The safety search, then every selected temporal property over its state graph (collected
    while it runs: :class:`~refute.engine.fair_scc.GraphBuilder`). ``observer`` is told the
    search's states and steps too (e.g. :class:`~refute.engine.state_graph.StateGraphRecorder`
    for ``--dump-graph``).

    ``options.invariants`` names invariants and properties alike (a property by its method
    name selects all its instances). ``native``: an explorer that stands in for the sequential
    search with its exact result and graph (the compiled backend, :mod:`refute.compiled`).
    The temporal properties are checked only when the safety
    search explored everything and found nothing: a partial graph proves nothing about
    infinite behaviours.
    """
    invariant_names, properties = _split_names(model, options.invariants)
    builder = None
    if properties:
        from refute.engine.fair_scc import GraphBuilder

        builder = GraphBuilder(model, properties)
    graph_observer: GraphObserver | None = builder
    if observer is not None:
        from refute.engine.state_graph import Tee

        graph_observer = observer if builder is None else Tee(builder, observer)
    options = replace(options, invariants=invariant_names)
    result = explore(model, options, graph=graph_observer) if native is None else \
        native(options, graph_observer)
    if builder is None:
        return result
    if result.status is not Status.OK:
        if result.status is Status.INCOMPLETE:
            note = "temporal properties were not checked: the search did not finish"
            return replace(result, warnings=result.warnings + (note,))
        return result
    from refute.engine.fair_scc import find_violation

    started = time.perf_counter()
    graph = builder.graph()
    checked = result.checked + tuple(p.name for p in properties)
    violation = None
    for number, prop in enumerate(properties):
        if prop.kind is Temporal.FORMULA:
            if graph.settled is not None:
                raise UsageError(
                    f"property {prop.name} is checked through a tableau, which does not follow "
                    f"the specification's <>[][A]_v ({model.settling[0].name})",
                    hint="check it as []<>P, <>[]P, <>P or P ~> Q, or without that conjunct")
            from refute.engine.product import find_violation as find_formula_violation
            violation = find_formula_violation(model, graph, prop, graph.atoms[number])
        else:
            violation = find_violation(model, graph, number, prop)
        if violation is not None:
            break
    return replace(result, status=Status.VIOLATION if violation else result.status,
                   violation=violation, checked=checked,
                   seconds=result.seconds + time.perf_counter() - started,
                   warnings=result.warnings + _warnings(model, graph, properties))


def _split_names(model: Model, names: Sequence[str] | None
                 ) -> tuple[Sequence[str] | None, tuple[TemporalProperty, ...]]:
    properties = tuple(model.properties)
    if names is None or not properties:  # the safety search reports unknown invariant names
        return names, tuple(p for p in properties if p.default)
    base = {p.name.split("(", 1)[0] for p in properties}
    chosen = tuple(p for p in properties if p.name in names or p.name.split("(", 1)[0] in names)
    rest = [n for n in names if n not in base and not any(p.name == n for p in properties)]
    known_invariants = [p.name for p in model.invariants]
    unknown = [n for n in rest if n not in known_invariants]
    if unknown:
        raise UsageError(f"{model.name} has no invariant or property named {', '.join(unknown)}",
                         hint="its invariants are: "
                              f"{', '.join(known_invariants) or '(none)'}; its properties: "
                              f"{', '.join(sorted(base)) or '(none)'}")
    return rest, chosen


def _warnings(model: Model, graph: Graph, properties: Sequence[TemporalProperty]
              ) -> tuple[str, ...]:
    warnings = []
    if model.symmetry or model.view is not None:
        warnings.append("temporal properties were checked under symmetry reduction or a view, "
                        "which merges states: as in TLC, a violation can be missed")
    if model.constraints and not all(f.enabled is not None for f in model.fairness):
        warnings.append("temporal properties were checked under a state constraint: behaviours "
                        "leaving it were cut, so actions can look disabled and a fair "
                        "behaviour be missed or invented")
    for (p, _), prop in zip(graph.values, properties):
        if prop.kind is Temporal.LEADS_TO and not p.any():
            warnings.append(f"property {prop.name} holds vacuously: its premise holds in no "
                            "reachable state")
    return tuple(warnings)

