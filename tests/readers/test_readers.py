"""The shared readers: sniffing by content, JSON documents and lines, located errors."""

from __future__ import annotations

import pytest

from refute.errors import InputError
from refute.readers import FormLocator, parse_json, parse_json_line, read_text, sniff


@pytest.mark.parametrize(("text", "expected"), [
    ('[{"type": "ok"}]', "json"), ('{"a": 1}\n{"a": 2}\n', "json"), ("[]", "json"),
    ('; a comment\n\n  {"x": 1}', "json"), ('["a", 1]', "json"),
    ("{:type :ok}", "edn"), ("[{:type :ok}]", "edn"), ("; only a comment", "edn"), ("", "edn"),
])
def test_sniff_goes_by_content(text, expected):
    assert sniff(text) == expected


def test_json_document_and_json_lines():
    whole = parse_json('[{"a": 1},\n {"a": 2}]', "f.json", "hint")
    assert whole.document and whole.values == [[{"a": 1}, {"a": 2}]] and whole.lines == [1]
    lines = parse_json('{"a": 1}\n\n{"a": 2}\n', "f.json", "hint")
    assert not lines.document and lines.values == [{"a": 1}, {"a": 2}]
    assert lines.lines == [1, 3]


def test_json_errors_are_located():
    with pytest.raises(InputError) as caught:
        parse_json('{"a": 1}\n{"a": 2}\n{"a": }\n', "f.json", "the hint")
    assert (caught.value.file, caught.value.line, caught.value.column) == ("f.json", 3, 7)
    assert caught.value.hint == "the hint"
    with pytest.raises(InputError) as caught:  # a document over several lines
        parse_json('[{"a": 1},\n {"a": 2},\n {"a" 3}]', "f.json", "hint")
    assert (caught.value.line, caught.value.column) == (3, 7)
    with pytest.raises(InputError) as caught:
        parse_json_line('{"a": [1, 2}', "log", 7, "hint", detail="the line")
    assert (caught.value.line, caught.value.column, caught.value.detail) == (7, 12, "the line")
    with pytest.raises(InputError, match="nests"):
        parse_json("[" * 500 + "]" * 500, "deep.json", "hint")


def test_form_locator_finds_lines_and_columns_lazily():
    text = '; header\n{:a 1}\n  {:b "}{"}\n[{:c 3}]\n'
    top = FormLocator(text, "h.edn", 0)
    assert top.offsets is None  # nothing scanned until asked
    assert [top.position(i) for i in range(4)] == [(2, 1), (3, 3), (4, 1), (None, None)]
    inner = FormLocator('[{:a 1}\n {:b 2}]', "h.edn", 1)
    assert [inner.position(i) for i in range(2)] == [(1, 2), (2, 2)]


def test_read_text_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read the history: no such file"):
        read_text(tmp_path / "absent", "history", "hint")
    (tmp_path / "bad").write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8") as caught:
        read_text(tmp_path / "bad", "log", "write UTF-8")
    assert caught.value.hint == "write UTF-8"
