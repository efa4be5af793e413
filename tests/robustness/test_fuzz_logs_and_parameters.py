"""Fuzzing implementation trace logs (JSON Lines) and Python-spec parameters.

A malformed log line is an :class:`InputError` at that line; a malformed ``-p name=value``
is a :class:`UsageError`; a value that is not a literal of the parameter's type is either
converted or refused, never an unexpected exception.
"""

from __future__ import annotations

import io

import pytest
from _fuzz import FUZZ, LONG, as_file, mutated, seeds, text_of
from hypothesis import given
from hypothesis import strategies as st

from refute import Spec, State, action, invariant
from refute.conformance.log import read_log
from refute.errors import InputError, SpecError, UsageError
from refute.spec.loader import instantiate, parse_parameters

LOGS = seeds("seed-fencing.jsonl")


def check_log(data: bytes) -> None:
    try:
        events = read_log(io.StringIO(text_of(data)), "fuzz.jsonl")
    except InputError as error:
        assert error.file == "fuzz.jsonl" and error.line, error
        assert error.message, error
        return
    for event in events:
        assert event.action is None or isinstance(event.action, str)


@FUZZ
@given(mutated(LOGS))
def test_mutated_logs_are_read_or_refused(data: bytes) -> None:
    check_log(data)


@FUZZ
@given(mutated(LOGS, max_mutations=2))
def test_log_files_with_any_bytes_are_read_or_refused(data: bytes) -> None:
    path = as_file(data, ".jsonl")
    try:
        read_log(path)
    except InputError as error:
        assert error.file == path, error


@pytest.mark.slow
@LONG
@given(mutated(LOGS, max_mutations=12))
def test_mutated_logs_long(data: bytes) -> None:
    check_log(data)


@pytest.mark.parametrize("line", [
    "1" * 5000, '{"action": "a", "x": ' + "1" * 5000 + "}", "[" * 100_000,
    "[" * 5000 + "]" * 5000, '{"action": "a", "x": ' + "[" * 900 + "]" * 900 + "}",
])
def test_known_log_crashers_are_located_errors(line: str) -> None:
    with pytest.raises(InputError) as caught:
        read_log(io.StringIO('{"action": null}\n' + line + "\n"), "x.jsonl")
    assert caught.value.line == 2


def test_unreadable_log_paths_are_input_errors(tmp_path) -> None:
    for path in (str(tmp_path), str(tmp_path / "missing.jsonl")):
        with pytest.raises(InputError):
            read_log(path)


class Params(Spec):
    def __init__(self, n: int = 1, flag: bool = False, ratio: float = 0.5, name: str = "x",
                 anything=None, typed: "int" = 0):
        self.n = n

    def init(self):
        return State(x=0)

    @action
    def step(self, s):
        if s.x < 1:
            yield s.replace(x=1)

    @invariant
    def fine(self, s):
        return True


NAMES = st.sampled_from(["n", "flag", "ratio", "name", "anything", "typed", "missing", "",
                         "1x", "a-b", " n "])
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1", "-1", "1e999", "nan", "inf", "true", "no", "9" * 5000, "-" * 5000 + "1",
                     "(" * 300, "[" * 150 + "]" * 150, "{1: " * 300, "__import__('os')",
                     "lambda: 0", "b'\\x00'", "1j", "{1, 2}", "'a'", "None", "..."]))


@FUZZ
@given(st.lists(st.tuples(NAMES, st.sampled_from(["=", "", "=="]), VALUES), max_size=4))
def test_spec_parameters_are_converted_or_refused(pairs) -> None:
    texts = [f"{name}{sep}{value}" for name, sep, value in pairs]
    try:
        instantiate(Params, parse_parameters(texts), "params.py")
    except (UsageError, SpecError) as error:
        assert error.message and "Traceback" not in str(error)


@pytest.mark.parametrize("value", ["-" * 100_000 + "1", "(" * 1000, "[" * 100_000])
def test_parameter_values_the_python_parser_refuses_stay_text(value: str) -> None:
    spec = instantiate(Params, parse_parameters([f"anything={value}"]))
    assert isinstance(spec, Params)
