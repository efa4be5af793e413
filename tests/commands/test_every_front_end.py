"""Every command that takes a spec takes it from any front end: ``refute.sources.load_model``.

The TLA+ models are tlaplus/Examples' (read from the oracle directory beside the clone); the
figures are TLC's where TLC has one (DieHard: 16 distinct states, the shortest solution in
7 states).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from refute.errors import UsageError
from refute.report.explore import Explorer
from refute.sources import FRONT_ENDS, Source, load_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def die_hard(oracles: Path) -> Path:
    return oracles / "tla" / "examples" / "specifications" / "DieHard" / "DieHard.tla"


def refute(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refute", *args], capture_output=True,
                          text=True, cwd=cwd, env=dict(os.environ), timeout=120)


def test_every_suffix_has_a_loader_that_imports():
    import importlib

    for suffix, target in FRONT_ENDS.items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), suffix


def test_simulate_a_tla_spec_finds_and_shrinks_the_die_hard_solution(die_hard, tmp_path):
    out = tmp_path / "sim.json"
    run = refute("simulate", str(die_hard), "--traces", "200", "--seed", "0", "--json", str(out))
    assert run.returncode == 1, run.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "violation"
    assert result["violation"]["name"] == "NotSolved"
    # shrunk to TLC's shortest counterexample: 6 steps, the 4-gallon big jug at the end
    assert len(result["violation"]["trace"]) == 7
    assert result["violation"]["trace"][-1]["state"]["big"] == 4
    assert "TLA+" not in run.stderr


def test_testgen_covers_every_action_of_a_tla_spec(die_hard, tmp_path):
    out = tmp_path / "paths.json"
    run = refute("testgen", str(die_hard), "--out", str(out))
    assert run.returncode == 0, run.stderr
    suite = json.loads(out.read_text())
    assert (suite["states"], suite["covered"], suite["total"]) == (16, 6, 6)  # TLC: 16 distinct
    assert suite["complete"] is True


def test_trace_validates_a_log_against_a_tla_spec(die_hard, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"action": "FillBigJug", "big": 5}\n'
                    '{"action": "BigToSmall", "small": 3, "big": 2}\n')
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"action": "FillBigJug", "big": 4}\n')
    assert refute("trace", str(die_hard), str(good)).returncode == 0
    run = refute("trace", str(die_hard), str(bad))
    assert run.returncode == 1
    assert "the log observes 4, the spec has 5" in run.stdout


def test_explore_walks_a_tla_spec_in_its_own_notation(oracles):
    spec = oracles / "tla" / "examples" / "specifications" / "transaction_commit" / "TCommit.tla"
    explorer = Explorer(load_model(Source(str(spec))))
    view = explorer.view([0])
    assert view["spec"] == "TCommit"
    # in TLA+ notation, as TLC prints it
    assert dict(view["state"])["rmState"] == '(r1 :> "working" @@ r2 :> "working" @@ r3 :> "working")'
    first = view["successors"][0]["ordinal"]
    assert explorer.view([0, first])["trail"][-1]["action"] == "Prepare(r1)"


def test_options_a_front_end_has_no_use_for_are_refused(die_hard):
    run = refute("check", str(die_hard), "-p", "N=3")
    assert run.returncode == 2
    assert "takes its constants from its .cfg" in run.stderr
    run = refute("check", str(ROOT / "examples" / "die_hard.py"), "--config", "x.cfg")
    assert run.returncode == 2
    assert "a Python spec has no .cfg" in run.stderr


def test_a_missing_or_unknown_spec_is_a_usage_error(tmp_path):
    for args, message in [(("check", "nosuch.tla"), "no spec file 'nosuch.tla'"),
                          (("simulate", "nosuch.py"), "no spec file 'nosuch.py'"),
                          (("check", "notes.txt"), "is not a spec refute can read")]:
        run = refute(*args, cwd=tmp_path)
        assert run.returncode == 2, (args, run.stderr)
        assert message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
    with pytest.raises(UsageError, match="reads .py, .tla files"):
        load_model("spec.cfg")


def test_an_unknown_command_suggests_the_nearest():
    run = refute("chek", "examples/two_phase.py")
    assert run.returncode == 2
    assert "Did you mean 'check'?" in run.stderr


@pytest.mark.parametrize("where", ["import", "action"])
def test_a_spec_that_calls_sys_exit_is_a_spec_error_not_a_verdict(tmp_path, where):
    spec = tmp_path / "exits.py"
    exit_at_import = "sys.exit(0)\n" if where == "import" else ""
    spec.write_text(
        "import sys\nfrom refute import Spec, State, action, invariant\n" + exit_at_import +
        "class Exits(Spec):\n"
        "    def init(self):\n        return State(x=0)\n\n"
        "    @action\n    def step(self, s):\n"
        "        if s.x == 1:\n            sys.exit(0)\n"
        "        return s.update(x=s.x + 1)\n\n"
        "    @invariant\n    def small(self, s):\n        return s.x < 5\n")
    out = tmp_path / "r.json"
    run = refute("check", str(spec), "--json", str(out))
    assert run.returncode == 2, run.stderr
    line = 3 if where == "import" else 10
    assert f"exits.py:{line}: the spec's code called sys.exit(0)" in run.stderr
    error = json.loads(out.read_text())
    assert error["status"] == "error" and error["error"]["line"] == line
