"""Campaigns on the bundled targets: bugs found and replayed, correct versions clean.

Exact figures: every campaign is deterministic for its seed. The 20-seed statistics
(guided against random) are in test_fuzz_statistics.py (slow) and benchmarks/bench_fuzz.py.
"""

import json
import os

import pytest

from refute.testing import (ImplementationBug, ModelCoverage, SpecDivergence, assert_conforms,
                            fuzz, load_target, replay)

IMPL = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "impl")


def target(name):
    return load_target(os.path.join(IMPL, name))


@pytest.mark.parametrize("name, first_bug, event, action", [
    ("commit.py:BUGGY", 3, 12, "tm_rcv_prepared"),
    ("election.py:BUGGY", 22, 6, "grant_vote"),
    ("fencing_service.py:BUGGY", 2, 5, "write"),
])
def test_guided_finds_the_planted_bug_and_it_replays(name, first_bug, event, action):
    buggy = target(name)
    model = buggy.model()
    campaign = fuzz(buggy, "guided", 500, seed=0, model=model)
    assert campaign.first_bug == first_bug
    repro = campaign.reproduction
    assert repro.replays
    run = repro.run
    assert (run.mismatch.event.index + 1, run.mismatch.event.action) == (event, action)
    assert any(d.fault for d in run.decisions)  # the bug needs a fault
    again = replay(buggy, run, ModelCoverage(model))
    assert again.signature() == run.signature()
    assert again.events == run.events


@pytest.mark.parametrize("name, states", [
    ("commit.py", {"random": 29, "swarm": 32, "guided": 42}),
    ("election.py", {"random": 25, "swarm": 18, "guided": 28}),
    ("fencing_service.py", {"random": 19, "swarm": 13, "guided": 34}),
])
def test_correct_versions_pass_every_strategy_and_report_coverage(name, states):
    correct = target(name)
    model = correct.model()
    for strategy, reached in states.items():
        campaign = fuzz(correct, strategy, 60, seed=0, model=model)
        assert campaign.first_bug is None and campaign.reproduction is None
        assert campaign.runs == 60
        assert campaign.states == reached
        assert campaign.coverage_curve == sorted(campaign.coverage_curve)


def test_fraction_of_the_explored_model_covered():
    from refute.testing.campaign import reachable_states
    correct = target("commit.py")
    model = correct.model()
    reachable = reachable_states(model)
    assert len(reachable) == 118  # refute check examples/impl/commit_spec.py: 118 states
    campaign = fuzz(correct, "guided", 60, seed=0, model=model, reachable=reachable)
    assert campaign.covered_reachable == campaign.states == 42
    assert campaign.fraction_covered == pytest.approx(42 / 118)


def test_pytest_entry_passes_the_correct_version_and_reports_the_buggy_one():
    assert assert_conforms(target("commit.py"), runs=20).first_bug is None
    with pytest.raises(ImplementationBug) as failure:
        assert_conforms(target("commit.py:BUGGY"), runs=50)
    message = str(failure.value)
    assert "replays to the same failure: yes" in message
    assert "tm_rcv_prepared" in message and "allowed:" in message


def test_observe_api_for_an_external_fuzzer():
    model = target("commit.py").model()
    coverage = ModelCoverage(model)
    run = coverage.observer()
    assert len(run.observe({"action": "rm_prepare", "rm": "r1"})) == 1
    run.finish()
    again = coverage.observer()
    assert again.observe({"action": "rm_prepare", "rm": "r2"}) == set()  # same orbit: r1 ~ r2
    with pytest.raises(SpecDivergence) as divergence:
        again.observe({"action": "tm_commit"})
    assert divergence.value.mismatch.event.action == "tm_commit"


def test_cli(tmp_path):
    from click.testing import CliRunner
    from refute.cli import main
    out = tmp_path / "fuzz.json"
    page = tmp_path / "fuzz.html"
    result = CliRunner().invoke(main, ["fuzz", os.path.join(IMPL, "commit.py:BUGGY"),
                                       "--strategy", "guided", "--runs", "100", "--json",
                                       str(out), "--html", str(page)])
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text())
    assert data["status"] == "violation"
    guided = data["strategies"][0]
    assert guided["first_bug_run"] == 3 and guided["reproduction"]["replays"] is True
    assert guided["reachable_states"] == 118
    assert "<svg" in page.read_text() and "polyline" in page.read_text()
    replayed = CliRunner().invoke(main, ["fuzz", os.path.join(IMPL, "commit.py:BUGGY"),
                                         "--replay", str(out)])
    assert replayed.exit_code == 1, replayed.output
    assert "no behaviour of the spec explains event 12" in replayed.output
    fixed = CliRunner().invoke(main, ["fuzz", os.path.join(IMPL, "commit.py"), "--replay",
                                      str(out)])  # the same schedule, the correct coordinator
    assert fixed.exit_code == 0 and "the run conforms to the spec" in fixed.output
    clean = CliRunner().invoke(main, ["fuzz", os.path.join(IMPL, "commit.py"), "--runs", "20"])
    assert clean.exit_code == 0, clean.output
    missing = CliRunner().invoke(main, ["fuzz", str(tmp_path / "nope.py")])
    assert missing.exit_code == 2 and "no target file" in missing.output


def test_the_refute_fuzz_fixture(tmp_path, plugin_args):
    import subprocess
    import sys
    import textwrap
    (tmp_path / "test_service.py").write_text(textwrap.dedent(f"""\
        def test_correct(refute_fuzz):
            assert refute_fuzz({os.path.join(IMPL, "commit.py")!r}, runs=10).first_bug is None

        def test_buggy(refute_fuzz):
            refute_fuzz({os.path.join(IMPL, "commit.py:BUGGY")!r}, runs=50)
        """))
    run = subprocess.run([sys.executable, "-m", "pytest", *plugin_args, "-q",
                          "-p", "no:cacheprovider", str(tmp_path / "test_service.py")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert "refute: commit-buggy: run 3 of 50 (guided, seed 0) left the spec" in run.stdout
    assert "replays to the same failure: yes" in run.stdout


def test_a_campaign_stopped_by_a_limit_is_incomplete(tmp_path):
    from click.testing import CliRunner
    from refute.cli import main
    out = tmp_path / "fuzz.json"
    result = CliRunner().invoke(main, ["fuzz", os.path.join(IMPL, "commit.py"), "--runs",
                                       "100000", "--strategy", "random", "--time-limit", "1",
                                       "--json", str(out)])
    assert result.exit_code == 3, result.output
    data = json.loads(out.read_text())
    assert data["status"] == "incomplete"
    assert data["strategies"][0]["stopped"].startswith("the --time-limit ran out after")
