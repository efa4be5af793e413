"""`refute linearizable`: exit codes, the JSON contract, and the HTML file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from refute.cli import main

GOOD = ("{:process 0 :type :invoke :f :write :value 1}\n"
        "{:process 0 :type :ok :f :write :value 1}\n")
BAD = GOOD + ("{:process 1 :type :invoke :f :read :value nil}\n"
              "{:process 1 :type :ok :f :read :value 2}\n")


def run(tmp_path: Path, history: str, *args: str) -> tuple[int, dict, str]:
    path = tmp_path / "history.edn"
    path.write_text(history)
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["linearizable", str(path), "--json", str(out), *args])
    return result.exit_code, json.loads(out.read_text()), result.output


def test_linearizable_exits_0(tmp_path: Path) -> None:
    code, payload, output = run(tmp_path, GOOD, "--model", "register")
    assert code == 0
    assert payload["status"] == "ok" and payload["verdict"] == "linearizable"
    assert payload["partitions"][0]["linearization"][0]["operation"] == "write(1)"
    assert output.startswith("linearizable")


def test_a_violation_exits_1_and_explains(tmp_path: Path) -> None:
    code, payload, output = run(tmp_path, BAD, "--html", str(tmp_path / "h.html"))
    assert code == 1
    assert payload["status"] == "violation" and payload["verdict"] == "not linearizable"
    (part,) = payload["partitions"]
    assert [op["operation"] for op in part["unplaceable"]] == ["read() -> 2"]
    assert part["unplaceable"][0]["line"] == 3
    assert "read() -> 2" in output
    assert "<svg" in (tmp_path / "h.html").read_text()
    assert {"status", "verdict", "seconds", "partitions"} <= set(payload)


def test_unknown_exits_3(tmp_path: Path) -> None:
    # 12 concurrent appends and a read that matches none of their 12! orders
    events = [f'{{:process {p} :type :invoke :f :append :key "k" :value "{p}"}}'
              for p in range(12)]
    events += [f'{{:process {p} :type :ok :f :append :key "k" :value "{p}"}}'
               for p in range(12)]
    events += ['{:process 99 :type :invoke :f :get :key "k"}',
               '{:process 99 :type :ok :f :get :key "k" :value "x"}']
    code, payload, output = run(tmp_path, "\n".join(events), "--model", "kv",
                                "--time-limit", "0.05")
    assert code == 3
    assert payload["status"] == "incomplete" and payload["verdict"] == "unknown"
    assert "--time-limit" in output


def test_malformed_input_exits_2_with_location(tmp_path: Path) -> None:
    code, payload, output = run(tmp_path, "{:process 0 :type :invoke")
    assert code == 2
    assert payload["status"] == "error"
    assert payload["error"]["line"] == 1 and payload["error"]["hint"]
    assert "history.edn:1:" in output
