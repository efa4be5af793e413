"""The EDN reader: every kind of value, both history layouts, and located errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from refute.edn import Keyword, Symbol, parse_all
from refute.errors import InputError


def test_values() -> None:
    text = r"""
    ; a comment
    {:a 1, :b [1 2.5 -3N 4.0M 3/4], :c #{1 2}, :d (nil true false), :e "q\"\n\u00e9"}
    \a \newline \u0041 sym ns/name :ns/kw #_ {:discarded 1} #inst "2024-01-01" #_#_ 1 2
    """
    top, *rest = parse_all(text)
    assert top == {"a": 1, "b": (1, 2.5, -3, 4.0, Fraction(3, 4)), "c": frozenset({1, 2}),
                   "d": (None, True, False), "e": 'q"\né'}
    assert rest == ["a", "\n", "A", "sym", "ns/name", "ns/kw", "2024-01-01"]
    assert isinstance(rest[4], Symbol) and isinstance(rest[5], Keyword)
    assert all(isinstance(key, Keyword) for key in top)
    assert repr(Keyword("ok")) == ":ok" and Keyword("ok") == "ok"


def test_both_history_layouts() -> None:
    one_per_line = parse_all("{:type :invoke}\n{:type :ok}\n")
    single_vector = parse_all("[{:type :invoke}\n {:type :ok}]")
    assert one_per_line == list(single_vector[0])


def test_tagged_records_read_as_their_value() -> None:
    (op,) = parse_all("#jepsen.history.Op{:index 0, :type :invoke}")
    assert op == {"index": 0, "type": "invoke"}


def test_map_lines() -> None:
    lines: dict[int, int] = {}
    forms = parse_all("{:a 1}\n\n[{:b 2}\n {:c 3}]", map_lines=lines)
    assert [lines[id(forms[0])], lines[id(forms[1][0])], lines[id(forms[1][1])]] == [1, 3, 4]


@pytest.mark.parametrize("text, line, column, message", [
    ("{:a 1", 1, 6, "end of input inside the '{'"),
    ("[1 2)", 1, 5, "expected ']'"),
    ('\n  "abc', 2, 3, "never closed"),
    ("{:a}", 1, 1, "odd number of forms"),
    ("{:a 1 :a 2}", 1, 1, "duplicate key"),
    ("#{1 1}", 1, 1, "duplicate element"),
    ("#", 1, 1, "'#' must start"),
    ("  )", 1, 3, "unexpected ')'"),
    ("::a", 1, 1, "not a valid keyword"),
    ("1.2.3", 1, 1, "not a valid number"),
    ("[#_]", 1, 4, "no form after it"),
    ("#{{:a 1}}", 1, 1, "cannot hash"),
])
def test_errors_say_where_and_what(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_all(text, file="x.edn")
    error = caught.value
    assert message in error.message
    assert (error.file, error.line, error.column) == ("x.edn", line, column)
    assert error.hint
