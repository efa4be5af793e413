"""Numbers are read as written or refused, located (issue 25, item 12): Python reads
``1e999999`` as infinity and ``1e-999999`` as 0, and its JSON parser takes ``NaN`` and
``Infinity``; a history holding them would be checked against values nobody wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.errors import InputError
from refute.readers import parse_all, parse_json, parse_json_line

LARGE = "is too large for a floating-point number (it would be read as infinity)"
SMALL = "is too small for a floating-point number (it would be read as 0)"


@pytest.mark.parametrize("fast", [True, False])  # the bulk reader defers to the general one
@pytest.mark.parametrize("text, where, message", [
    ("[1 2\n 1e999999]", (2, 2), f"the number '1e999999' {LARGE}"),
    ("[-1e999]", (1, 2), f"the number '-1e999' {LARGE}"),
    ("{:a 1E400M}", (1, 5), f"the number '1E400M' {LARGE}"),
    ("[1e-999999]", (1, 2), f"the number '1e-999999' {SMALL}"),
    ('{:a "1e999999" :b\n  2.5e-400}', (2, 3), f"the number '2.5e-400' {SMALL}"),
])
def test_edn_numbers_out_of_range_are_located_errors(fast, text, where, message):
    with pytest.raises(InputError) as caught:
        parse_all(text, "h.edn", fast=fast)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("h.edn", *where)
    assert caught.value.message == f"invalid EDN: {message}"
    assert caught.value.hint.startswith("write numbers between -1.8e308 and 1.8e308")


@pytest.mark.parametrize("fast", [True, False])
def test_edn_numbers_in_range_are_read_as_before(fast):
    assert parse_all("[0e-999 0.0 1.5M 1e308 -2.2e-308 \"1e999999\"]", fast=fast) == \
        [(0.0, 0.0, 1.5, 1e308, -2.2e-308, "1e999999")]


@pytest.mark.parametrize("text, where, message", [
    ('[1, 2,\n 1e999999]', (2, 2), f"the number 1e999999 {LARGE}"),
    ('{"a": "1e999999", "b": 1e999999}\n{"x": 1}', (1, 24), f"the number 1e999999 {LARGE}"),
    ('{"x": 1}\n{"y": -Infinity}', (2, 7), "-Infinity is not JSON (JSON has no NaN or Infinity)"),
    ('{"x": NaN}', (1, 7), "NaN is not JSON (JSON has no NaN or Infinity)"),
    ("[" + "1" * 400 + ".0]", (1, 2), f"the number {'1' * 40}... {LARGE}"),
    ("[1e-400]", (1, 2), f"the number 1e-400 {SMALL}"),
])
def test_json_numbers_out_of_range_are_located_errors(text, where, message):
    with pytest.raises(InputError) as caught:
        parse_json(text, "h.json", "hint")
    assert (caught.value.line, caught.value.column) == where
    assert caught.value.message == message


def test_json_numbers_in_range_are_read_as_json_reads_them():
    text = '[0e-999, 1.5, 1e308, "NaN", "e999", ' + "9" * 400 + "]"
    assert parse_json(text, None, "hint").values == [json.loads(text)]


def test_a_log_line_number_out_of_range_is_located_on_its_line():
    with pytest.raises(InputError) as caught:
        parse_json_line('{"action": "a", "n": 2e400}', "log.jsonl", 7, "hint")
    assert (caught.value.line, caught.value.column) == (7, 22)
    assert caught.value.message == f"the number 2e400 {LARGE}"


OPS = ('{:process 0 :type :invoke :f :write :value 1}\n'
       '{:process 0 :type :ok :f :write :value 1e999999}\n')


@pytest.mark.parametrize("command, name, text", [
    ("linearizable", "h.edn", OPS),
    ("linearizable", "h.json", '[{"process": 0, "type": "invoke", "f": "write", "value": 1},\n'
                               ' {"process": 0, "type": "ok", "f": "write", "value": 1e999999}]'),
    ("history", "h.edn", '{:type :invoke, :process 0, :f :txn, :value [[:w 1 1e999999]]}\n'),
])
def test_the_commands_refuse_them_with_exit_2(command, name, text, tmp_path: Path):
    path = tmp_path / name
    path.write_text(text)
    result = CliRunner().invoke(main, [command, str(path), "-q"], env={"REFUTE_DEBUG": None})
    assert result.exit_code == 2, result.output
    assert f"error: {path}:" in result.stderr and "1e999999" in result.stderr
    assert LARGE in result.stderr
