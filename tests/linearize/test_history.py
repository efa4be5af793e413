"""The history readers: every format, Jepsen's pairing rules, and errors that say where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refute.errors import InputError
from refute.linearize import UNKNOWN, check, from_events, parse, read_history

LINES = """\
{:process 0, :type :invoke, :f :write, :value 1}
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 1, :type :invoke, :f :read, :value nil}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :ok, :f :read, :value 1}
{:process 2, :type :invoke, :f :write, :value 2}
{:process 2, :type :fail, :f :write, :value 2}
{:process 3, :type :invoke, :f :cas, :value [1 3]}
{:process 3, :type :info, :f :cas, :value [1 3]}
{:process 4, :type :invoke, :f :write, :value 4}
"""


def test_edn_one_map_per_line() -> None:
    history = parse(LINES, file="h.edn")
    assert history.failed == 1 and history.skipped == 1
    write, read, cas, pending = history.operations
    assert (write.input, write.output, write.call, write.ret) == (("write", 1), 1, 0, 3)
    assert (read.input, read.output, read.line) == (("read", None), 1, 3)
    assert (cas.input, cas.output, cas.ret) == (("cas", (1, 3)), UNKNOWN, None)
    assert (pending.process, pending.output, pending.ret) == (4, UNKNOWN, None)
    assert [op.index for op in history.operations] == [0, 1, 2, 3]
    assert type(write.input[0]) is str  # keywords become plain strings in inputs


def test_edn_a_single_vector_of_jepsen_records() -> None:
    text = ("[#jepsen.history.Op{:index 0 :time 5 :type :invoke :process 0 :f :write "
            ":value 1}\n #jepsen.history.Op{:index 1 :time 9 :type :ok :process 0 :f :write "
            ":value 1}]")
    (op,) = parse(text).operations
    assert (op.input, op.output, op.ret) == (("write", 1), 1, 1)


def test_json_events_operations_and_lines(tmp_path: Path) -> None:
    events = [{"process": 0, "type": "invoke", "f": "cas", "value": [1, 2]},
              {"process": 0, "type": "ok", "f": "cas", "value": [1, 2]}]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(events))
    (op,) = read_history(path).operations
    assert op.input == ("cas", (1, 2))  # arrays become tuples, hashable like EDN vectors
    path.write_text("\n".join(json.dumps(e) for e in events))
    assert read_history(path).operations[0].input == ("cas", (1, 2))
    path.write_text(json.dumps([{"process": "c1", "call": 0, "return": 3,
                                 "input": ["write", 7], "output": None}]))
    (op,) = read_history(path).operations
    assert (op.process, op.input, op.call, op.ret) == ("c1", ("write", 7), 0, 3)


def test_the_etcd_log_format(tmp_path: Path) -> None:
    path = tmp_path / "etcd.log"
    path.write_text("INFO  jepsen.core - some other log line\n"
                    "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\n"
                    "INFO  jepsen.util - 4\t:invoke\t:read\tnil\n"
                    "INFO  jepsen.util - 3\t:info\t:cas\t:timed-out\n"
                    "INFO  jepsen.util - 4\t:fail\t:read\t:timed-out\n")
    history = read_history(path)
    (op,) = history.operations
    assert (op.input, op.output, op.line, history.failed) == (("cas", (1, 4)), UNKNOWN, 2, 1)
    # Porcupine's longer etcd logs annotate each line after the value
    path.write_text("INFO  jepsen.util - 6 \t:invoke :write \t38 \t:hint 0\n"
                    "INFO  jepsen.util - 6 \t:ok :write \t38 \t:hint 2\n")
    (op,) = read_history(path).operations
    assert (op.input, op.output) == (("write", 38), 38)


def test_independent_keys() -> None:
    text = """{:process 0 :type :invoke :f :write :value [:a 1]}
              {:process 0 :type :ok :f :write :value [:a 1]}
              {:process 1 :type :invoke :f :read :value [:b nil]}
              {:process 1 :type :ok :f :read :value [:b nil]}"""
    history = parse(text, independent=True)
    assert [(op.key, op.input, op.output) for op in history.operations] == [
        ("a", ("write", 1), 1), ("b", ("read", None), None)]
    assert check(history, "register").linearizable is True


@pytest.mark.parametrize("text, line, column, message", [
    ("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value 1",
     2, 40, "end of input inside"),
    ('{:process 0, :type :invoke, :f :read, :value "x}', 1, 46, "never closed"),
    ("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :value 1}",
     2, None, "no 'f'"),
    ("{:process 0 :type :invoke :f :read}\n{:process 0 :type :invoke :f :read}",
     2, None, "invokes again before its call at line 1"),
    ("{:process 0 :type :ok :f :read :value 1}", 1, None, "without an invocation"),
    ("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :write}",
     2, None, "completes :write"),
    ("{:process 0 :type :started :f :read}", 1, None, "unknown operation type"),
    ("[1 2]", None, None, "expected an operation map"),
])
def test_malformed_edn_says_where_and_what(text: str, line: int | None, column: int | None,
                                           message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, "edn", file="h.edn")
    error = caught.value
    assert message in error.message
    assert (error.file, error.line) == ("h.edn", line)
    if column is not None:
        assert error.column == column
    assert error.hint


def test_malformed_json_and_logs_say_where(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse('[{"process": 0,\n "type": }]', "json", file="h.json")
    assert (caught.value.line, caught.value.column) == (2, 10)
    with pytest.raises(InputError) as caught:
        parse("INFO  jepsen.util - 1\t:invoke\t:write\n", "etcd-log", file="e.log")
    assert caught.value.line == 1 and "PROCESS :TYPE :F VALUE" in caught.value.message
    with pytest.raises(InputError) as caught:
        parse("INFO  jepsen.util - 1\t:invoke\t:write\t[1\n", "etcd-log", file="e.log")
    assert caught.value.line == 1 and caught.value.column is not None
    with pytest.raises(InputError, match="no such file"):
        read_history(tmp_path / "missing.edn")
    with pytest.raises(InputError, match="returns .* before it is called"):
        parse('[{"process": 0, "call": 5, "return": 1, "input": ["read", null]}]')
    with pytest.raises(InputError, match="unknown history format"):
        parse("", "xml")


def test_a_python_list_of_events() -> None:
    history = from_events([{"process": 0, "type": "invoke", "f": "write", "value": 1},
                           {"process": 0, "type": "ok", "f": "write", "value": 1}])
    assert history.operations[0].input == ("write", 1)
