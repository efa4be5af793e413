"""The Hypothesis bridge, on the fencing implementation and its step-by-step adapter."""

import os
import sys
import unittest

import pytest

from hypothesis import HealthCheck, Phase, settings

from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec
from refute.testing.stateful import LockstepDivergence, state_machine

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
sys.path.insert(0, EXAMPLES)
from impl.adapter import FencingAdapter  # noqa: E402


def _run(planted_bug, shrink=False):
    model = SpecModel(load_spec(os.path.join(EXAMPLES, "fencing_lock.py"), {"fencing": True}))
    machine = state_machine(model, lambda: FencingAdapter(planted_bug=planted_bug))
    case = machine.TestCase
    case.settings = settings(max_examples=40, stateful_step_count=8, deadline=None,
                             derandomize=True, database=None,
                             phases=list(Phase) if shrink else [Phase.generate],
                             suppress_health_check=list(HealthCheck))
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def test_lockstep_passes_the_checking_storage():
    result = _run(planted_bug=False)
    assert result.wasSuccessful(), result.errors + result.failures


def test_lockstep_finds_the_storage_that_skips_the_token_check():
    result = _run(planted_bug=True)
    problems = result.errors + result.failures
    assert len(problems) == 1
    assert LockstepDivergence.__name__ in problems[0][1]


@pytest.mark.slow
def test_lockstep_failure_shrinks_to_kleppmanns_story():
    result = _run(planted_bug=True, shrink=True)
    problems = result.errors + result.failures
    assert len(problems) == 1
    text = problems[0][1]
    assert LockstepDivergence.__name__ in text
    assert "'accepted': [34, 33]" in text
