"""The EDN reader: every kind of value, both history layouts, and located errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from refute.readers.edn import Keyword, Symbol, parse_all
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


# --- The bulk reader agrees with the general reader ------------------------------------------
#
# ``parse_all`` first tries the bulk reader (text rewritten into a pickle program); it must give
# exactly the general reader's values, types included, or give up so that the general reader
# runs (and reports the located error when the text is malformed).

import string  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from refute.readers.edn import _parse_fast  # noqa: E402

ELLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "oracles" / "isolation" / "elle"


def typed(value: object) -> object:
    """``value`` with every node tagged by its exact type, so that == also compares types."""
    if isinstance(value, dict):
        return ("dict", sorted((repr(typed(k)), typed(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list, frozenset)):
        items = [typed(item) for item in value]
        if isinstance(value, frozenset):
            items.sort(key=repr)
        return (type(value).__name__, items)
    return (type(value).__name__, value)


def agree(text: str) -> object:
    """Both readers on ``text``: same values and types, or the same error; the fast result."""
    try:
        general = parse_all(text, fast=False)
    except InputError as error:
        assert _parse_fast(text) is None, text
        with pytest.raises(InputError) as caught:
            parse_all(text)
        assert (caught.value.message, caught.value.line, caught.value.column) == (
            error.message, error.line, error.column)
        return None
    fast = _parse_fast(text)
    if fast is not None:
        assert typed(fast) == typed(general), text
    assert typed(parse_all(text)) == typed(general)
    return fast


_NAME = st.text(string.ascii_letters + string.digits + "-_?!*+<>=.'/", min_size=1,
                max_size=6).filter(lambda s: s[0].isalpha())
_SEP = st.sampled_from([" ", ", ", ",", "\n", "  ", "\t", " ,\n "])


def _atoms(rich: bool) -> st.SearchStrategy[str]:
    """Atoms; ``rich`` adds those only the general reader handles (floats, chars...)."""
    string_body = st.text(st.characters(codec="utf-8", exclude_characters='"\\'), max_size=6)
    odd = ["nil", "true", "false", "0", "-0", "007", "+5", "-", "+", "foo/bar", ":a/b"]
    if rich:
        odd += ["1N", "2.5", "1e3", "3/4", "1.5M", "\\a", "\\newline", "1_0"]
    return st.one_of(
        st.integers(-10**20, 10**20).map(str),
        st.sampled_from(odd),
        _NAME.map(lambda s: ":" + s),
        _NAME,
        string_body.map(lambda s: f'"{s}"'),
        st.sampled_from(['"a\\"b"', '"tab\\tnl\\n"', '"\\u00e9"', '"{[(;#"', '""']),
    )


def _forms(rich: bool) -> st.SearchStrategy[str]:
    def collections(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        items = st.tuples(st.lists(st.tuples(inner, _SEP), max_size=4), st.booleans())

        def wrap(opener: str, closer: str):  # type: ignore[no-untyped-def]
            return items.map(lambda parts: opener + ("" if not parts[1] else " ")
                             + "".join(a + s for a, s in parts[0]).rstrip() + closer)

        pair = st.tuples(_NAME.map(lambda s: ":" + s), inner).map(lambda kv: f"{kv[0]} {kv[1]}")
        maps = st.lists(pair, max_size=3, unique_by=lambda p: p.split(" ")[0]).map(
            lambda pairs: "{" + ", ".join(pairs) + "}")
        kinds = [wrap("[", "]"), maps, maps.map(lambda m: "#jepsen.history.Op" + m)]
        if rich:
            kinds += [wrap("(", ")"), wrap("#{", "}"), inner.map(lambda f: "#_ " + f + " 1")]
        return st.one_of(*kinds)
    return st.recursive(_atoms(rich), collections, max_leaves=12)


def _documents(rich: bool) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(_forms(rich), _SEP), max_size=5).map(
        lambda parts: "".join(f + s for f, s in parts))


_DOCUMENTS = st.one_of(_documents(False), _documents(True))


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_fast_and_general_readers_agree(text: str) -> None:
    agree(text)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS, st.data())
def test_readers_agree_on_damaged_text(text: str, data: st.DataObject) -> None:
    """Deleting, doubling or inserting a character: same values, or the same error."""
    if text:
        at = data.draw(st.integers(0, len(text) - 1))
        edit = data.draw(st.sampled_from(["delete", "double", "insert"]))
        if edit == "delete":
            text = text[:at] + text[at + 1:]
        elif edit == "double":
            text = text[:at] + text[at] + text[at:]
        else:
            text = text[:at] + data.draw(st.sampled_from(list('[](){}#"\\;:, \n0a-_\x03'))) \
                + text[at:]
    agree(text)


@pytest.mark.parametrize("text", [
    "{:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [1 2]] [:r 2 []] [:r 3 nil]], "
    ":process 0, :index 1}\n",
    '{:type :info, :value ["n1" {"n1" "ERR \\"x\\" #{} ; ("}], :process :nemesis}',
    "#jepsen.history.Op{:index 0, :type :invoke}",
    "[{:a 1}\n {:b 2}]", "[]", "{}", "", "  \n", "[[] {}]", "; c\n{:a 1} ; d",
    '#inst "2024-01-01"',
])
def test_fast_reader_takes_jepsen_shapes(text: str) -> None:
    assert agree(text) is not None or not text.strip()


@pytest.mark.parametrize("text", [
    "[1 2]3", "[1][2]", '"a""b"', ":a:b", "[:a[1]]", "{:a 1 :a 2}", "{:a}", "1_000",
    "[1 2", "]", "#{1 1}", "\\a", "#_ 1", "{:a #{1}}", "[:x\x03]", "007", "-0", "+1", "0x10",
    "[1 #foo [2]]", "nil5", "[nil]", "#foo", "[:a #foo]", "()", "[1 2)", "{:a 1]",
    "{:a [1}]", "[{:a 1] 2}", "{]", "[{]}", "[[]", "[]]", "{:a 1}}", "{{:a 1}",
])
def test_fast_reader_never_disagrees_on_awkward_text(text: str) -> None:
    agree(text)


def test_fast_reader_map_lines() -> None:
    text = '{:a "{"\n :b {:c 1\n}}\n\n[{:d 2}\n {:e "}\n{"}]'
    lines: dict[int, int] = {}
    forms = parse_all(text, map_lines=lines)
    assert _parse_fast(text) is not None
    first, vector = forms
    assert [lines[id(first)], lines[id(first["b"])], lines[id(vector[0])],
            lines[id(vector[1])]] == [1, 2, 5, 6]
    text = "; {\n{:a 1} ; }\n{:b\n{:c 2}}"
    lines.clear()
    forms = parse_all(text, map_lines=lines)
    assert _parse_fast(text) is not None
    assert [lines[id(forms[0])], lines[id(forms[1])], lines[id(forms[1]["b"])]] == [2, 3, 4]


@pytest.mark.skipif(not ELLE.is_dir(), reason="needs the Elle oracle files")
@pytest.mark.parametrize("name", ["huge-scc.edn", "list-append-gh-30.edn", "paper-example.edn",
                                  "rw-register.edn", "si-without-g-single.edn"])
def test_fast_reader_on_elle_histories(name: str) -> None:
    """Golden: the bulk reader reads every Elle history, exactly as the general reader."""
    text = (ELLE / name).read_text()
    fast = _parse_fast(text)
    assert fast is not None
    assert typed(fast) == typed(parse_all(text, fast=False))
