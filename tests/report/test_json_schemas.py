"""The published JSON Schemas of the ``--json`` outputs, and the self-check that applies them.

``tests/conftest.py`` sets ``REFUTE_CHECK_JSON=1``, so every JSON any test makes refute write
is validated against its schema; these tests show that the schemas are well formed, that the
check is on and can fail, and that each command writes ``format_version``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import refute.commands.check as check_command
from refute.cli import main
from refute.report.schemas import FORMAT_VERSION, SCHEMAS, schema, validate

from .conftest import PROJECT

SCHEMA_DIR = PROJECT / "src" / "refute" / "report" / "schemas"
HISTORY = "\n".join([
    "{:type :ok, :f :txn, :process 1, :index 1, :value [[:r :x []] [:r :y []] [:append :x 1]]}",
    "{:type :ok, :f :txn, :process 2, :index 2, :value [[:r :x []] [:r :y []] [:append :y 1]]}",
])
REGISTER = ("{:process 0 :type :invoke :f :write :value 1}\n"
            "{:process 0 :type :ok :f :write :value 1}\n"
            "{:process 1 :type :invoke :f :read :value nil}\n"
            "{:process 1 :type :ok :f :read :value 2}\n")


def test_the_check_is_on_in_every_test() -> None:
    assert os.environ.get("REFUTE_CHECK_JSON") == "1"


@pytest.mark.parametrize("name", [*SCHEMAS, "common"])
def test_each_schema_is_draft_2020_12_with_its_urn(name: str) -> None:
    document = schema(name)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$id"] == f"urn:refute:schema:{name}"
    assert json.loads((SCHEMA_DIR / f"{name}.json").read_text()) == document


def test_every_file_is_a_named_schema() -> None:
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted([*SCHEMAS, "common"])


def _run(*args: str, code: int) -> dict:
    run = CliRunner().invoke(main, [*args, "--json", "-"])
    assert run.exit_code == code, run.output
    return json.loads(run.stdout[run.stdout.index("{"):])


@pytest.mark.parametrize("command, args, code", [
    ("check", [str(PROJECT / "examples" / "write_skew.py")], 1),
    ("check", [str(PROJECT / "examples" / "two_phase.py")], 0),
    ("simulate", [str(PROJECT / "examples" / "write_skew.py"), "--no-swarm"], 1),
    ("check", ["nosuch.py"], 2),
])
def test_outputs_carry_format_version_and_follow_their_schema(command, args, code) -> None:
    out = _run(command, *args, code=code)
    assert out["format_version"] == FORMAT_VERSION
    assert list(out)[0] == "format_version"
    validate(command, out)


def test_history_and_linearizable_outputs(tmp_path: Path) -> None:
    (tmp_path / "h.edn").write_text(HISTORY)
    (tmp_path / "r.edn").write_text(REGISTER)
    history = _run("history", str(tmp_path / "h.edn"), code=1)
    linear = _run("linearizable", str(tmp_path / "r.edn"), "--model", "register", code=1)
    assert history["format_version"] == linear["format_version"] == "1"
    validate("history", history)
    validate("linearizable", linear)


def test_a_payload_off_its_schema_is_refused() -> None:
    out = _run("check", str(PROJECT / "examples" / "write_skew.py"), code=1)
    del out["violation"]["trace"]
    with pytest.raises(ValueError, match="check output does not follow its schema"):
        validate("check", out)
    out = _run("check", str(PROJECT / "examples" / "two_phase.py"), code=0)
    out["violation"] = {"kind": "invariant", "name": "x", "trace": []}  # status ok
    with pytest.raises(ValueError):
        validate("check", out)


def test_a_command_writing_off_its_schema_fails_the_test_run(monkeypatch) -> None:
    real = check_command.result_to_json
    monkeypatch.setattr(check_command, "result_to_json",
                        lambda result, model: {**real(result, model), "depth": -1})
    run = CliRunner().invoke(main, ["check", str(PROJECT / "examples" / "two_phase.py"),
                                    "--json", "-", "-q"])
    assert run.exit_code == 2
    assert "does not follow its schema at depth" in run.output
