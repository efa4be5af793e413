"""``refute history``: exit codes 0/1/2/3 and the JSON contract shared with ``refute check``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from refute.cli import main

from .conftest import committed

WRITE_SKEW = committed("[[:r :x []] [:r :y []] [:append :x 1]]",
                       "[[:r :x []] [:r :y []] [:append :y 1]]")


def _run(tmp_path, text, *args):
    path = tmp_path / "h.edn"
    path.write_text(text)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["history", str(path), "--json", str(out), *args])
    return result, json.loads(out.read_text())


def test_violation_exits_1_with_anomalies(tmp_path):
    result, data = _run(tmp_path, WRITE_SKEW, "--model", "serializable")
    assert result.exit_code == 1, result.output
    assert data["status"] == "violation" and data["valid"] is False
    assert data["model"] == "serializable"
    assert data["not"] == ["repeatable-read"]
    assert data["also_not"] == ["serializable", "strict-serializable"]
    [anomaly] = data["anomalies"]
    assert anomaly["type"] == "G2-item"
    assert [step["kind"] for step in anomaly["cycle"]] == ["rw", "rw"]
    assert "must precede" in anomaly["explanation"]
    assert isinstance(data["seconds"], float)
    assert "G2-item" in result.output


def test_holding_model_exits_0(tmp_path):
    result, data = _run(tmp_path, WRITE_SKEW, "--model", "snapshot-isolation")
    assert result.exit_code == 0
    assert data["status"] == "ok" and data["valid"] is True and data["anomalies"] == []
    assert [a["type"] for a in data["other_anomalies"]] == ["G2-item"]


def test_input_error_exits_2_with_location(tmp_path):
    result, data = _run(tmp_path, "{:type :ok, :value [[:r 1 nil]}")
    assert result.exit_code == 2
    assert data["status"] == "error"
    assert data["error"]["line"] == 1 and data["error"]["column"] == 31


def test_time_limit_exhausted_exits_3(tmp_path):
    result, data = _run(tmp_path, WRITE_SKEW, "--time-limit", "0.000000001")
    assert result.exit_code == 3
    assert data["status"] == "incomplete" and data["stop_reason"] == "time-limit"


def test_plot_writes_dot_files(tmp_path):
    result, _ = _run(tmp_path, WRITE_SKEW, "--plot", str(tmp_path / "plots"))
    dot = (tmp_path / "plots" / "G2-item-1.dot").read_text()
    assert dot.startswith('digraph "G2-item"') and "rw :x" in dot


def test_default_model_is_strict_serializable(tmp_path):
    _, data = _run(tmp_path, WRITE_SKEW)
    assert data["model"] == "strict-serializable"
