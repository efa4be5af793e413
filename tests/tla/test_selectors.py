"""Positional subexpression selectors as SANY takes them (tla2sany.semantic.Generator's
selectors and ``ArgNum``) and TLC evaluates them: ``Def!<<`` and ``Def!>>`` (the first and
second operand), ``Def!n`` into a quantifier, CHOOSE, set or function constructor (its n-th
bound set), and ``Def!(e1, ..., ek)`` (its body with its k bound identifiers equal to the
``e``'s), in expressions and in actions, on both backends, with the figures of TLC built from
source (``tlc -workers 1``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from refute.cli import main

SELECTORS = """---- MODULE Selectors ----
EXTENDS Naturals, TLC
VARIABLE x
D == \\E i \\in {1, 2}, j \\in {10} : x' = x + i + j
Lt == (x < 30) /\\ (x >= 0)
C == CHOOSE k \\in 5..9 : k > x
F == {y \\in 1..4 : y > x}
M == {y * x : y \\in {1, 2}}
G == [y \\in 1..3 |-> y + x]
Q == \\A a, b \\in {1, 2} : a + b > x
Init == x = 0
Next == Lt!<< /\\ Lt!>> /\\ D!(2, 10)
Inv == /\\ C!1 = 5..9 /\\ C!(x + 6) = (x + 6 > x)
       /\\ F!1 = 1..4 /\\ F!(3) = (3 > x) /\\ M!(2) = 2 * x /\\ G!(5) = 5 + x
       /\\ Q!1 = {1, 2} /\\ Q!(1, x) = (1 + x > x) /\\ D!<< = {1, 2} /\\ D!>> = {10}
       /\\ PrintT(<<x, D!2>>)
====
"""


def _write(tmp_path, body: str) -> str:
    (tmp_path / "Selectors.tla").write_text(body)
    (tmp_path / "Selectors.cfg").write_text("INIT Init\nNEXT Next\nINVARIANT Inv\n"
                                            "CHECK_DEADLOCK FALSE\n")
    return str(tmp_path / "Selectors.tla")


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_selectors_into_operands_and_quantifier_bodies_as_tlc(tmp_path, backend):
    """TLC: no error, 4 states generated, 4 distinct, depth 4 (x = 0, 12, 24, 36: Next takes
    D's body with i = 2, j = 10), and ``<<x, {10}>>`` printed for each state."""
    result = CliRunner().invoke(main, ["check", _write(tmp_path, SELECTORS), "--backend", backend])
    assert result.exit_code == 0, result.output
    assert "Selectors: 4 distinct states, 4 generated, depth 4" in result.output
    assert [line for line in result.output.splitlines() if line.startswith("<<")] == \
        ["<<0, {10}>>", "<<12, {10}>>", "<<24, {10}>>", "<<36, {10}>>"]


@pytest.mark.parametrize("selector, message", [
    ("Q!(1)", "selector with 1 argument(s) used for a quantifier with 2 bound identifier(s)"),
    ("Lt!(1)", "a selector with arguments selects the body of an expression that binds"),
    ("Lt!3", "the expression has no subexpression 3"),
])
def test_a_selector_that_selects_nothing_is_a_located_error(tmp_path, selector, message):
    # SANY refuses each: "Selector with 1 argument(s) used for quantifier with 2 bound
    # identifier(s).", "Nonexistent operand specified by `!(...)'", "Nonexistent operand
    # specified by `argument selector 3'"
    body = SELECTORS.replace("/\\ PrintT(<<x, D!2>>)", f"/\\ {selector}")
    result = CliRunner().invoke(main, ["check", _write(tmp_path, body), "--backend", "interpreted"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Selectors.tla:16" in result.output
