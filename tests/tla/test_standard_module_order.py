"""Strings that are names in the standard modules TLC parses (issue 19, item 3).

TLC parses Naturals, Sequences, TLC, ... although it evaluates them natively, and parsing
interns every token: a spec string equal to a name first read there is ordered by where TLC
read it (refute/tla/standard_words.py). The figures are TLC's (tlaplus/tlaplus cc6b616,
``tlc -metadir $(mktemp -d) M.tla``) on the same modules: its PrintT output, and the
assumption it reports false.
"""

from __future__ import annotations

from click.testing import CliRunner

from refute.cli import main

_SPEC = """\
---- MODULE M ----
EXTENDS Naturals, Sequences, TLC
VARIABLE x
Init == x = 0
Next == UNCHANGED x
ASSUME {assumption}
====
"""


def _check(tmp_path, assumption: str) -> tuple[int, str]:
    (tmp_path / "M.tla").write_text(_SPEC.format(assumption=assumption))
    (tmp_path / "M.cfg").write_text("INIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla")])
    return run.exit_code, run.output


def test_names_of_the_standard_modules_are_ordered_where_tlc_read_them(tmp_path) -> None:
    # TLC prints {"b", "n", "Len", "t", "i", "Append", "e", "out", "val", "zz"}: b and n as
    # Naturals' text first has them, then Sequences' t, i, Append, e, TLC's out, val; "zz"
    # is no name, so it comes after every token (a string literal of the spec)
    tlc = '"{\\"b\\", \\"n\\", \\"Len\\", \\"t\\", \\"i\\", \\"Append\\", \\"e\\", \\"out\\", \\"val\\", \\"zz\\"}"'
    code, output = _check(tmp_path, 'ToString({"Len", "Append", "n", "b", "i", "t", "e", "zz", "out", '
                                    f'"val"}}) = {tlc}')
    assert code == 0, output


def test_choose_takes_the_name_tlc_read_first(tmp_path) -> None:
    # TLC: CHOOSE s \in {"n", "b", "zz"} : TRUE is "b" (it reports `= "zz"` false)
    code, output = _check(tmp_path, '(CHOOSE s \\in {"n", "b", "zz"} : TRUE) = "b"')
    assert code == 0, output
    code, output = _check(tmp_path, '(CHOOSE s \\in {"n", "b", "zz"} : TRUE) = "zz"')
    assert code == 2 and "assumption is false" in output, output


def test_a_field_named_in_the_spec_comes_before_the_standard_names(tmp_path) -> None:
    # TLC prints <<{"Head", "zz", "Len", "b", "n", "t", "i", "Append", "e", "out", "val"},
    # [Head |-> 1, zz |-> 2, Len |-> 3]>> when the spec writes that record: its field names are
    # tokens of the spec, read before Naturals
    tlc = ('"<<{\\"Head\\", \\"zz\\", \\"Len\\", \\"b\\", \\"n\\", \\"t\\", \\"i\\", \\"Append\\", '
           '\\"e\\", \\"out\\", \\"val\\"}, [Head |-> 1, zz |-> 2, Len |-> 3]>>"')
    code, output = _check(tmp_path, 'ToString(<<{"Len", "Append", "n", "b", "i", "t", "e", "zz", "Head", '
                                    f'"out", "val"}}, [Head |-> 1, zz |-> 2, Len |-> 3]>>) = {tlc}')
    assert code == 0, output
