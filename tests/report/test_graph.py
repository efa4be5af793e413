"""``refute check --dump-graph``: the explored state graph as JSON and DOT, TLC's as the oracle."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import main

from .conftest import PROJECT

EXAMPLES = PROJECT / "examples"
TLC = PROJECT.parent / "shared" / "tools" / "tlc" / "tlc"
DIE_HARD = PROJECT.parent / "shared" / "oracles" / "tla" / "examples" / "specifications" / \
    "DieHard" / "DieHard.tla"


def _check(*args: str, code: int) -> dict:
    run = CliRunner().invoke(main, ["check", *args, "-q", "--json", "-"])
    assert run.exit_code == code, run.output
    return json.loads(run.stdout)


def test_json_graph_of_a_python_spec_is_the_checked_graph(tmp_path: Path) -> None:
    path = tmp_path / "graph.json"
    result = _check(str(EXAMPLES / "two_phase.py"), "-p", "rms=2", "--dump-graph", str(path),
                    code=0)
    graph = json.loads(path.read_text())
    assert graph["format_version"] == "1" and graph["complete"] is True
    assert len(graph["states"]) == result["distinct_states"] == 56
    # no constraint: every successor computed is an edge (generated = initial + successors)
    assert len(graph["edges"]) == result["states_generated"] - 1 == 153
    assert [s["id"] for s in graph["states"] if s["initial"]] == [0]
    assert graph["states"][0]["state"] == {
        "rm_state": {"r1": "working", "r2": "working"}, "tm_state": "init",
        "tm_prepared": [], "msgs": []}
    assert {e["action"] for e in graph["edges"]} == {c["action"] for c in result["coverage"]}
    assert {"from": 0, "to": 2, "action": "rm_prepare", "label": "rm_prepare(rm=r1)"} \
        in graph["edges"]
    fired = Counter(e["action"] for e in graph["edges"])
    assert fired == {c["action"]: c["fired"] for c in result["coverage"] if c["fired"]}


def test_a_violation_leaves_the_part_explored(tmp_path: Path) -> None:
    path = tmp_path / "graph.json"
    _check(str(EXAMPLES / "die_hard.py"), "--dump-graph", str(path), code=1)
    graph = json.loads(path.read_text())
    assert graph["status"] == "violation" and graph["complete"] is False
    assert 0 < len(graph["states"]) < 16


def test_liveness_is_checked_as_without_the_dump(tmp_path: Path) -> None:
    spec = [str(EXAMPLES / "simple_allocator.py"), "-p", "strong_allocate=false"]
    plain = _check(*spec, code=1)
    dumped = _check(*spec, "--dump-graph", str(tmp_path / "g.json"), code=1)
    assert dumped["violation"] == plain["violation"]
    graph = json.loads((tmp_path / "g.json").read_text())
    assert len(graph["states"]) == plain["distinct_states"]


def test_dot_quotes_every_value(tmp_path: Path) -> None:
    (tmp_path / "quoting.py").write_text(
        "from refute import Spec, State, action\n"
        "class Quoting(Spec):\n"
        "    def init(self):\n"
        "        return State(note='say \"hi\" \\\\ bye')\n"
        "    @action\n"
        "    def step(self, s):\n"
        "        if len(s.note) < 16:\n"
        "            return s.update(note=s.note + '}')\n")
    path = tmp_path / "g.dot"
    _check(str(tmp_path / "quoting.py"), "--no-deadlock", "--dump-graph", str(path), code=0)
    dot = path.read_text()
    assert dot.startswith("// refute check --dump-graph: Quoting: 3 states, 2 steps\n")
    assert '0 [label="note = \'say \\"hi\\" \\\\\\\\ bye\'\\l", style=bold, peripheries=2];' in dot
    assert "  0 -> 1 [label=\"step\"];" in dot and "  1 -> 2 [label=\"step\"];" in dot


@pytest.mark.parametrize("args, message", [
    (["--dump-graph", "graph.txt"], "must end in .dot, .gv or .json"),
    (["--dump-graph", "g.dot", "--workers", "2"], "needs the whole graph in one process"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    run = CliRunner().invoke(main, ["check", str(EXAMPLES / "two_phase.py"), *args])
    assert run.exit_code == 2 and message in run.output


def _tlc_states(label: str) -> tuple:
    return tuple(sorted(re.findall(r"(\w+) = (\d+)", label.replace("\\n", "\n"))))


def test_tla_graph_equals_tlcs_dump(tmp_path: Path) -> None:
    if not (TLC.exists() and DIE_HARD.exists() and shutil.which("java")):
        pytest.skip(f"TLC ({TLC}) or the DieHard oracle ({DIE_HARD}) is absent")
    shutil.copy(DIE_HARD, tmp_path / "DieHard.tla")
    (tmp_path / "DieHard.cfg").write_text("INIT Init\nNEXT Next\n")  # the whole graph
    subprocess.run([str(TLC), "-dump", "dot", "tlc", "DieHard.tla"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    tlc = (tmp_path / "tlc.dot").read_text()
    names = {fp: _tlc_states(label) for fp, label in
             re.findall(r'^(-?\d+) \[label="([^"]*)"', tlc, re.M)}
    tlc_edges = Counter((names[a], names[b]) for a, b in re.findall(r"^(-?\d+) -> (-?\d+)",
                                                                      tlc, re.M))
    _check(str(tmp_path / "DieHard.tla"), "--no-deadlock", "--dump-graph",
           str(tmp_path / "ours.json"), code=0)
    ours = json.loads((tmp_path / "ours.json").read_text())
    values = [tuple(sorted((k, str(v)) for k, v in s["state"].items())) for s in ours["states"]]
    assert sorted(values) == sorted(names.values()) and len(values) == 16
    assert Counter((values[e["from"]], values[e["to"]]) for e in ours["edges"]) == tlc_edges
    assert sum(tlc_edges.values()) == 96
