"""refute's pytest plugin (entry point ``pytest11``): the ``refute_check`` and ``refute_fuzz``
fixtures.

Installed with refute, it is loaded by every pytest run of a project that has refute
installed, so it imports nothing of refute until a test asks for the fixture::

    def test_two_phase_commit_is_consistent(refute_check):
        refute_check(TwoPhase(rms=3))

``refute_check(spec, **options)`` runs :func:`refute.check` (same options) and returns the
result when every property holds. Otherwise the test fails with the counterexample rendered
as ``refute check`` prints it, and the path of its HTML report, written to the test's
temporary directory. An incomplete run (a bound or limit cut it short) fails too: a test must
not pass on a check that did not finish; pass ``allow_incomplete=True`` to accept one.

``refute_fuzz(target, runs=50, seed=0, strategy="guided")`` runs an implementation under
test (a :class:`refute.testing.Target`, or the path of a target file) for ``runs`` simulated
runs checked against its spec (:func:`refute.testing.assert_conforms`), and fails the test
with the reproduction of the first run that leaves the spec::

    def test_commit_service(refute_fuzz):
        refute_fuzz("examples/impl/commit.py", runs=100)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["refute_check", "refute_fuzz"]


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


@pytest.fixture
def refute_fuzz() -> Callable[..., Any]:
    """``refute_fuzz(target, runs=50, seed=0, strategy="guided")``: test an implementation
    against its spec; fail the test with the reproduction of a run that leaves it."""

    def run(target: Any, runs: int = 50, seed: int = 0, strategy: str = "guided") -> Any:
        from refute.testing import ImplementationBug, assert_conforms, load_target

        if isinstance(target, str):
            target = load_target(target)
        try:
            return assert_conforms(target, runs, seed, strategy)
        except ImplementationBug as bug:
            pytest.fail(f"refute: {bug}", pytrace=False)

    return run
