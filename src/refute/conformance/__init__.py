"""Conformance: does the implementation do what the spec says?

* :class:`Tracer` writes an implementation's events as JSON lines;
* :func:`validate_log` (``refute trace``) searches for a behaviour of the spec matching a log;
* :func:`generate_tests` (``refute testgen``) covers the spec's actions or transitions with a
  few paths, and :func:`replay` drives an implementation's adapter along one;
* :func:`measure_coverage` (``refute trace --coverage``) reports which spec states and actions
  a set of logs reached.

See docs/conformance.md.
"""

from refute.conformance.coverage import Coverage, measure_coverage
from refute.conformance.log import Event, read_log
from refute.conformance.testgen import (Divergence, TestPath, TestSuite, generate as generate_tests,
                                        load_paths, replay, write_suite)
from refute.conformance.tracer import Tracer
from refute.conformance.validate import Options, TraceResult, validate, validate_log

__all__ = [
    "Coverage", "Divergence", "Event", "Options", "TestPath", "TestSuite", "TraceResult", "Tracer",
    "generate_tests", "load_paths", "measure_coverage", "read_log", "replay", "validate",
    "validate_log", "write_suite",
]
