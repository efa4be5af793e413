"""refute's pytest plugin (entry point ``pytest11``): the ``refute_check`` fixture.

Installed with refute, it is loaded by every pytest run of a project that has refute
installed, so it imports nothing of refute until a test asks for the fixture::

    def test_two_phase_commit_is_consistent(refute_check):
        refute_check(TwoPhase(rms=3))

``refute_check(spec, **options)`` runs :func:`refute.check` (same options) and returns the
result when every property holds. Otherwise the test fails with the counterexample rendered
as ``refute check`` prints it, and the path of its HTML report, written to the test's
temporary directory. An incomplete run (a bound or limit cut it short) fails too: a test must
not pass on a check that did not finish; pass ``allow_incomplete=True`` to accept one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["refute_check"]


@pytest.fixture
def refute_check(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """``refute_check(spec, allow_incomplete=False, **options)``: check ``spec``; fail the
    test with the rendered counterexample (and an HTML report) unless every property holds."""

    def run(spec: Any, *, allow_incomplete: bool = False, **options: Any) -> Any:
        from refute.api import check
        from refute.report.html import write_report
        from refute.report.text import render_result
        from refute.status import Status

        result = check(spec, **options)
        if result.holds or (allow_incomplete and result.status is Status.INCOMPLETE):
            return result
        folder = tmp_path_factory.mktemp(re.sub(r"\W+", "_", request.node.name)[:40] or "refute")
        report = folder / f"{result.spec}.html"
        write_report(report, result, result.model)
        pytest.fail(f"refute: {result.spec} does not hold\n"
                    f"{render_result(result, color=False)}\n"
                    f"HTML report: {report}", pytrace=False)

    return run
