"""The library entry points: ``refute.check`` for tests and notebooks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from refute.engine.bfs import Options, Progress
from refute.engine.model import Model, as_model
from refute.engine.result import Result
from refute.engine.run import run
from refute.engine.scale import Scale
from refute.limits import parse_size
from refute.spec.spec import Spec


@dataclasses.dataclass(frozen=True, eq=False)
class CheckedResult(Result):
    """A :class:`Result` as :func:`check` returns it: with the model it came from, so that it
    can show its HTML report inline in a notebook (``_repr_html_``).

    Why a subclass here and not a method of ``Result``: the report is drawn from the result
    *and* the model (state fields, value formatting, the sequence diagram), and the engine,
    which makes results, may import no report (the layer contracts). This module is the
    library's top layer, above both, so it may. ``model`` takes no part in equality
    (``eq=False`` keeps :class:`Result`'s field-by-field ``==`` among checked results) or in
    ``repr``.
    """

    model: Model | None = dataclasses.field(default=None, compare=False, repr=False)

    def _repr_html_(self) -> str | None:
        from refute.html_page import inline
        from refute.report.html import render_report

        if self.model is None:
            return None
        return inline(render_report(self, self.model))


def _checked(result: Result, model: Model) -> CheckedResult:
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(Result)}
    return CheckedResult(**fields, model=model)


def check(spec: Spec | Model, *, invariants: Sequence[str] | None = None, deadlock: bool = True,
          max_states: int | None = None, max_depth: int | None = None,
          time_limit: float | None = None,
          progress: Callable[[Progress], None] | None = None, workers: int = 1,
          ray: str | bool | None = None, memory_limit: int | str | None = None,
          checkpoint: str | None = None, checkpoint_interval: float = 300.0,
          resume: str | None = None) -> CheckedResult:
    """Explore every reachable state of ``spec`` breadth-first and return the :class:`Result`.

    Then its temporal properties (``@liveness``) are checked over fair behaviours.
    ``invariants``: names of invariants and properties to check (default: all but those declared
    ``default=False``); ``deadlock``: report states with no
    successor; ``max_states``, ``max_depth``, ``time_limit`` (seconds) bound the run, which
    then ends *incomplete* rather than claiming that anything holds.

    Scale (docs/scale.md): ``workers`` processes; ``ray``: a Ray cluster address (``True``:
    local); ``memory_limit`` (bytes or ``"1G"``): spill to disk to stay under it;
    ``checkpoint`` (a directory, every ``checkpoint_interval`` seconds) and ``resume`` (the
    same directory, same spec). Counts and counterexamples do not depend on any of them.

    In a notebook the result shows its HTML report (:class:`CheckedResult`).
    """
    options = Options(invariants=invariants, deadlock=deadlock, max_states=max_states,
                      max_depth=max_depth, time_limit=time_limit, progress=progress)
    if isinstance(memory_limit, str):
        memory_limit = parse_size(memory_limit)
    scale = Scale(workers=workers, memory_limit=memory_limit, checkpoint=checkpoint,
                  checkpoint_interval=checkpoint_interval, resume=resume,
                  ray=None if not ray else "auto" if ray is True else ray)
    model = as_model(spec)
    return _checked(run(model, options, scale), model)


def assert_holds(spec: Spec | Model, **options: Any) -> Result:
    """``check`` and fail with the rendered counterexample unless every property holds.

    For pytest: ``refute.assert_holds(MySpec(n=3))``. An incomplete run fails too: a test
    should not pass on a check that did not finish.
    """
    from refute.report.text import render_result

    result = check(spec, **options)
    if not result.holds:
        raise AssertionError("\n" + render_result(result, color=False))
    return result
