"""`refute trace` and `refute testgen` on the command line: exit codes, JSON status, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from impl.fencing import Config, run

from refute.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "examples" / "fencing_lock.py")
KLEPPMANN = dict(starts={1: 0.0, 2: 1.0}, pauses={1: 25.0, 2: 1.0})


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_trace_conforms_and_rejects(tmp_path):
    good, bad = str(tmp_path / "good.jsonl"), str(tmp_path / "bad.jsonl")
    run(Config(**KLEPPMANN), good)
    run(Config(planted_bug=True, **KLEPPMANN), bad)
    ok = invoke("trace", SPEC, good, "-p", "fencing=true")
    assert ok.exit_code == 0 and "✓ conforms" in ok.output
    out = tmp_path / "result.json"
    rejected = invoke("trace", SPEC, good, bad, "-p", "fencing=true", "--json", str(out))
    assert rejected.exit_code == 1
    assert "no behaviour of the spec explains event 6 (line 6): write(client=1, token=33)" in rejected.output
    data = json.loads(out.read_text())
    assert data["status"] == "violation"
    assert [log["status"] for log in data["logs"]] == ["ok", "violation"]
    mismatch = data["logs"][1]["mismatch"]
    assert (mismatch["event"], mismatch["line"], mismatch["possible_states"]) == (6, 6, 1)
    assert mismatch["candidates"][0]["allowed"] == ["write(client=1, token=33)"]


def test_trace_hidden_and_coverage(tmp_path):
    log = tmp_path / "run.jsonl"
    run(Config(**KLEPPMANN), str(log))
    lines = [line for line in log.read_text().splitlines() if "lease_expires" not in line]
    log.write_text("\n".join(lines) + "\n")
    assert invoke("trace", SPEC, str(log), "-p", "fencing=true").exit_code == 1
    result = invoke("trace", SPEC, str(log), "-p", "fencing=true", "--hidden", "lease_expires",
                    "--coverage", "--json", "-")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["status"] == "ok" and data["coverage"]["states"]["total"] == 37


def test_trace_malformed_log_is_an_input_error(tmp_path):
    log = tmp_path / "bad.jsonl"
    log.write_text('{"action": "acquire", "client": 1}\n{"client": 2}\n')
    out = tmp_path / "result.json"
    result = invoke("trace", SPEC, str(log), "--json", str(out))
    assert result.exit_code == 2
    error = json.loads(out.read_text())
    assert error["status"] == "error"
    assert (error["error"]["file"], error["error"]["line"]) == (str(log), 2)
    assert 'expected an "action" key' in error["error"]["message"]


def test_trace_incomplete_exit_code(tmp_path):
    log = tmp_path / "run.jsonl"
    log.write_text('{"action": "acquire"}\n{"action": "write", "client": 2}\n')
    result = invoke("trace", SPEC, str(log), "--max-frontier", "1")
    assert result.exit_code == 3 and "? incomplete" in result.output


def test_testgen_writes_paths(tmp_path):
    out = tmp_path / "paths.json"
    result = invoke("testgen", SPEC, "-p", "fencing=true", "--cover", "transitions",
                    "--out", str(out))
    assert result.exit_code == 0
    assert "16 path(s), 92 step(s) cover 48 of 48 transitions" in result.output
    data = json.loads(out.read_text())
    assert (data["cover"], data["covered"], len(data["paths"])) == ("transitions", 48, 16)
    first = data["paths"][0]["steps"]
    assert first[0]["action"] is None and first[1]["label"] == "acquire(client=1, token=33)"
    assert first[1]["args"] == {"client": 1, "token": 33}
    assert first[1]["state"]["token"] == {"1": 33, "2": None}
    from refute.conformance import load_paths
    assert [p.id for p in load_paths(str(out))][:2] == ["path-1", "path-2"]
    small = invoke("testgen", SPEC, "--out", str(out), "--max-states", "5")
    assert small.exit_code == 3
