"""Readers: the three formats agree, and every malformed input names file, line and column."""

from __future__ import annotations

import json

import pytest

from refute.errors import InputError, UsageError
from refute.history import check_history, parse_history, read_history
from refute.history.formats import detect_format

EDN = """; a comment
{:type :invoke, :f :txn, :process 0, :index 0, :value [[:append 1 1] [:r 2 nil]]}
{:type :ok, :f :txn, :process 0, :index 1, :value [[:append 1 1] [:r 2 []]]}
{:type :invoke, :f :start, :process :nemesis, :index 2, :value nil}
{:type :invoke, :f :txn, :process 1, :index 3, :value [[:r 1 nil]]}
{:type :ok, :f :txn, :process 1, :index 4, :value [[:r 1 [1]]]}
"""


def _json_ops():
    return [{"type": "invoke", "f": "txn", "process": 0, "index": 0,
             "value": [["append", 1, 1], ["r", 2, None]]},
            {"type": "ok", "f": "txn", "process": 0, "index": 1,
             "value": [["append", 1, 1], ["r", 2, []]]},
            {"type": "invoke", "f": "txn", "process": 1, "index": 3, "value": [["r", 1, None]]},
            {"type": "ok", "f": "txn", "process": 1, "index": 4, "value": [["r", 1, [1]]]}]


def _summary(history):
    return [(t.name, t.outcome.value, t.process, t.mops, t.invoked is not None)
            for t in history.transactions]


def test_edn_json_array_and_json_lines_agree():
    edn = parse_history(EDN)
    array = parse_history(json.dumps(_json_ops()))
    lines = parse_history("\n".join(json.dumps(op) for op in _json_ops()))
    assert (edn.format, array.format, lines.format) == ("edn", "json", "json")
    assert _summary(edn) == _summary(array) == _summary(lines)
    assert _summary(edn)[1] == ("T4", "ok", 1, (("r", 1, (1,)),), True)


def test_edn_vector_of_operations():
    vector = "[" + EDN.split("\n", 1)[1] + "]"
    assert _summary(parse_history(vector)) == _summary(parse_history(EDN))


def test_detect_format():
    assert detect_format("r(1,0,0,1)\n") == "text"
    assert detect_format(' [ {"type": "ok"}]') == "json"
    assert detect_format(";; x\n{:type :ok}") == "edn"


def _error(text, **options):
    with pytest.raises(InputError) as info:
        check_history(parse_history(text, file="h.edn", **options))
    return info.value


def test_edn_syntax_error_has_line_and_column():
    error = _error('{:type :ok, :value [[:append 1 2]}\n')
    assert (error.file, error.line, error.column) == ("h.edn", 1, 34)
    assert "expected ']'" in error.message


def test_unknown_micro_op_points_at_its_operation():
    error = _error(EDN + "\n{:type :ok, :process 3, :value [[:cas 1 2]]}\n")
    assert (error.line, error.column) == (8, 1)
    assert ":cas" in error.message and error.hint


def test_bad_type_points_at_its_operation():
    error = _error('{:type :ok, :process 0, :value [[:r 1 nil]]}\n  {:type :done, :process 1}')
    assert (error.line, error.column) == (2, 3)


def test_micro_op_shape():
    error = _error('[{:type :ok, :process 0, :value [[:r 1]]}]')
    assert (error.line, error.column) == (1, 2)
    assert "expected [f key value]" in error.message


def test_json_error_has_line_and_column():
    error = _error('[{"type": "ok",\n  "value": [["r", 1, null]],]', format="json")
    assert error.line == 2 and error.column is not None


def test_polysi_error_has_line_and_column():
    error = _error("r(1,0,0,1)\n  x(1,2,3,4)\n", format="text")
    assert (error.line, error.column) == (2, 3)
    assert "r(key,value,session,txn)" in error.message


def test_polysi_explicit_initial_transaction_is_the_initial_state():
    # IsoVista writes the initial values in a first transaction alone in its session.
    history = parse_history("w(1,0,0,0)\nw(2,5,0,0)\nr(1,0,1,1)\nr(2,5,1,1)\nw(1,7,1,1)\n"
                            "r(2,0,2,2)\n", format="text")
    assert [t.name for t in history.transactions] == ["T1", "T2"]
    assert history.transactions[0].mops == (("r", 1, None), ("r", 2, None), ("w", 1, 7))
    assert history.transactions[1].mops == (("r", 2, 0),)  # not 2's initial value: garbage
    assert "T0 (line 1) only writes" in history.notes[0]
    result = check_history(history, model="serializable")
    assert result.counts == {"garbage-read": 1} and not result.valid


def test_polysi_write_of_zero_by_an_ordinary_transaction_is_read_as_written():
    history = parse_history("r(1,0,0,1)\nw(1,0,1,2)\nr(1,0,1,3)\n", format="text")
    assert [t.mops for t in history.transactions] == [
        (("r", 1, 0),), (("w", 1, 0),), (("r", 1, 0),)]
    assert not history.notes


def test_isovista_aborted_write_is_a_failed_transaction():
    history = parse_history("w(1,3,0,-1)\nr(1,3,1,1)\nr(2,4,1,-1)\n", format="text")
    assert [(t.name, t.outcome.value) for t in history.transactions] == [
        ("A1", "fail"), ("T1", "ok")]
    assert check_history(history, model="read-committed").counts == {"G1a": 1}


def test_duplicate_appends_are_refused_with_both_lines():
    error = _error('{:type :ok, :process 0, :value [[:append 1 2]]}\n'
                   '{:type :ok, :process 1, :value [[:append 1 2]]}\n')
    assert error.line == 2 and "line 1" in error.message and "unique" in error.hint


def test_list_append_read_of_a_scalar():
    error = _error('{:type :ok, :process 0, :value [[:append 1 2] [:r 1 5]]}\n')
    assert "not a list" in error.message and "rw-register" in error.hint


def test_mixed_workloads_are_refused():
    with pytest.raises(UsageError):
        check_history(parse_history('{:type :ok, :process 0, :value [[:append 1 2] [:w 2 1]]}'))


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_history(tmp_path / "absent.edn")
    assert "cannot read" in info.value.message
