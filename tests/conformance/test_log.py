"""Reading logs: flat and explicit events, and malformed lines as InputError with file and line."""

from __future__ import annotations

import pytest

from refute.conformance import read_log
from refute.errors import InputError


def test_flat_and_explicit_events():
    events = read_log(['{"action": "acquire", "client": 1, "holder": 1}\n', "\n",
                       '{"action": "write", "args": {"client": 2}, "state": {"accepted": [34]},'
                       ' "meta": {"t": 1.5}}\n',
                       '{"action": null, "holder": null}\n'], "run.jsonl")
    assert [(e.index, e.line, e.action) for e in events] == [(0, 1, "acquire"), (1, 3, "write"),
                                                              (2, 4, None)]
    assert events[0].flat == {"client": 1, "holder": 1} and events[0].args == {}
    assert (events[1].args, events[1].state, events[1].flat) == ({"client": 2}, {"accepted": [34]}, {})
    assert events[2].state == {"holder": None}
    events[0].split(frozenset({"client"}))
    assert (events[0].args, events[0].state) == ({"client": 1}, {"holder": 1})


@pytest.mark.parametrize("line, message", [
    ('{"action": "acquire"', "not valid JSON"),
    ('[1, 2]', "expected a JSON object, found an array"),
    ('{"client": 1}', 'expected an "action" key'),
    ('{"action": 3}', '"action" must be a string or null, found a number'),
    ('{"action": "write", "args": [1]}', '"args" must be a JSON object, found an array'),
])
def test_malformed_lines_name_file_line_and_what_was_expected(line, message):
    with pytest.raises(InputError) as caught:
        read_log(['{"action": "acquire", "client": 1}\n', line + "\n"], "run.jsonl")
    assert (caught.value.file, caught.value.line) == ("run.jsonl", 2)
    assert caught.value.message.startswith(message)
    assert caught.value.hint or caught.value.detail


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no log file"):
        read_log(str(tmp_path / "absent.jsonl"))
