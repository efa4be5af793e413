"""Logs of several nodes ordered by vector clocks: every linearisation must conform."""

import json
import os

import pytest

from refute.conformance.concurrent import validate_concurrent
from refute.conformance.log import parse_event
from refute.errors import InputError
from refute.sources import load_model
from refute.status import Status

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "impl", "commit_spec.py")


def events(*lines):
    return [parse_event(json.dumps(line), i, i + 1, "<log>") for i, line in enumerate(lines)]


def ev(action, node, clock, **fields):
    return {"action": action, **fields, "meta": {"node": node, "clock": clock}}


@pytest.fixture(scope="module")
def model():
    return load_model(SPEC)


def test_concurrent_prepares_in_any_order(model):
    log = events(ev("rm_prepare", "r1", {"r1": 1}, rm="r1"),
                 ev("rm_prepare", "r2", {"r2": 1}, rm="r2"),
                 ev("tm_rcv_prepared", "tm", {"tm": 1, "r2": 1}, rm="r2"),
                 ev("tm_rcv_prepared", "tm", {"tm": 2, "r2": 1, "r1": 1}, rm="r1"))
    result = validate_concurrent(model, log)
    assert result.result.status is Status.OK
    assert result.result.events == 4
    # the downsets (events consumed of r1, r2, tm): 000, 100, 010, 110, 011, 111, 112; each
    # leaves one set of spec states, whatever the order that reached it
    assert result.configurations == 7


def test_a_linearisation_the_log_order_hides_is_checked(model):
    # The TM's clock does not show that it saw r1's prepare: the clocks allow the TM to
    # receive r1's vote before r1 voted, which no behaviour of the spec explains, although
    # the log's own order is a behaviour.
    log = events(ev("rm_prepare", "r1", {"r1": 1}, rm="r1"),
                 ev("tm_rcv_prepared", "tm", {"tm": 1}, rm="r1"))
    result = validate_concurrent(model, log)
    assert result.result.status is Status.VIOLATION
    assert result.order == (2,)
    assert result.result.mismatch.event.action == "tm_rcv_prepared"


def test_events_without_clocks_are_refused(model):
    with pytest.raises(InputError, match="no vector clock"):
        validate_concurrent(model, events({"action": "rm_prepare", "rm": "r1"}))
    with pytest.raises(InputError, match="event number 1"):
        validate_concurrent(model, events(ev("rm_prepare", "r1", {"r1": 2}, rm="r1")))


def test_simulated_runs_conform_in_every_order_their_clocks_allow(model):
    from refute.testing import ModelCoverage, load_target, run_once
    target = load_target(os.path.join(os.path.dirname(SPEC), "commit.py"))
    coverage = ModelCoverage(model)
    for seed in range(10):
        run = run_once(target, coverage, seed)
        assert not run.failed
        result = validate_concurrent(model, events(*run.events), target.options)
        assert result.result.status is Status.OK, seed


def test_trace_command_with_clocks(tmp_path):
    from click.testing import CliRunner
    from refute.cli import main
    log = tmp_path / "run.jsonl"
    log.write_text("\n".join(json.dumps(line) for line in (
        ev("rm_prepare", "r1", {"r1": 1}, rm="r1"),
        ev("tm_rcv_prepared", "tm", {"tm": 1}, rm="r1"))) + "\n")
    in_order = CliRunner().invoke(main, ["trace", SPEC, str(log)])
    assert in_order.exit_code == 0, in_order.output
    every_order = CliRunner().invoke(main, ["trace", SPEC, str(log), "--clocks"])
    assert every_order.exit_code == 1
    assert "the order that fails: events 2" in every_order.output
    both = CliRunner().invoke(main, ["trace", SPEC, str(log), "--clocks", "--coverage"])
    assert both.exit_code == 2
