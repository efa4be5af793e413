"""TLA+ temporal properties of any shape (tla.temporal's translation into engine.ltl):
verdicts and lassos on a three-hour clock, and located refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from refute.engine.liveness import check_model
from refute.engine.model import Temporal
from refute.errors import InputError
from refute.status import Status
from refute.tla.model import TLAModel

CLOCK = """\
---- MODULE Clock ----
EXTENDS Naturals
VARIABLE hr
Init == hr \\in {{1, 2}}
Tick == hr' = IF hr = 3 THEN 1 ELSE hr + 1
Spec == Init /\\ [][Tick]_hr
FairSpec == Spec /\\ WF_hr(Tick)
At(n) == hr = n
Ev(n) == <>At(n)
Ticks == <<Tick>>_hr
{properties}
====
"""


def check(tmp_path: Path, spec: str, prop: str) -> tuple:
    """(status, the lasso's hr values, loop_start, stutters) of PROPERTY ``prop`` (a body)."""
    (tmp_path / "Clock.tla").write_text(CLOCK.format(properties=f"Prop == {prop}"))
    (tmp_path / "Clock.cfg").write_text(f"SPECIFICATION {spec}\nPROPERTY Prop\n")
    result = check_model(TLAModel(str(tmp_path / "Clock.tla"), str(tmp_path / "Clock.cfg")))
    v = result.violation
    if v is None:
        return result.status, None, None, None
    return result.status, tuple(s.state[0] for s in v.trace), v.loop_start, v.stutters


@pytest.mark.parametrize("spec, prop, expected", [
    # []<><<A>>_v: an action under <>
    ("FairSpec", "[]<><<Tick>>_hr", (Status.OK, None, None, None)),
    ("Spec", "[]<><<Tick>>_hr", (Status.VIOLATION, (1,), 0, True)),
    # a temporal IF and a top-level implication, their condition on the initial state
    ("FairSpec", "IF hr = 1 THEN <>(hr = 3) ELSE <>(hr = 1)", (Status.OK, None, None, None)),
    ("Spec", "IF hr = 1 THEN TRUE ELSE <>(hr = 3)", (Status.VIOLATION, (2,), 0, True)),
    ("FairSpec", "hr = 2 => <>[](hr = 2)", (Status.VIOLATION, (2, 3, 1), 0, False)),
    ("FairSpec", "CASE hr = 1 -> Ev(2) [] hr = 2 -> Ev(1) [] OTHER -> FALSE",
     (Status.OK, None, None, None)),
    # nesting: [](P => []Q)
    ("FairSpec", "[](hr = 3 => [](hr > 0))", (Status.OK, None, None, None)),
    ("FairSpec", "[](hr = 3 => [](hr = 3))", (Status.VIOLATION, (2, 3, 1), 0, False)),
    # definitions, LET, quantifiers over constant sets
    ("FairSpec", "\\A n \\in 1..3 : []Ev(n)", (Status.OK, None, None, None)),
    ("FairSpec", "LET Back(n) == [](At(n) => <>At(1)) IN Back(2) /\\ Back(3)",
     (Status.OK, None, None, None)),
    ("FairSpec", "\\E n \\in 1..3 : <>[]At(n)", (Status.VIOLATION, (1, 2, 3), 0, False)),
    ("FairSpec", "~<>[]At(3) <=> []<>At(1)", (Status.OK, None, None, None)),
    # fairness as an assumption inside the property
    ("Spec", "WF_hr(Tick) => []<>At(1)", (Status.OK, None, None, None)),
    ("Spec", "[]<>At(1)", (Status.VIOLATION, (2,), 0, True)),
    ("FairSpec", "[]<>(ENABLED Tick)", (Status.OK, None, None, None)),
    # [] distributes over \A: each instance is []<>, not <> (the clock may stop at 3)
    ("Spec", "[](\\A n \\in {3} : <>(hr # n))", (Status.VIOLATION, (2, 3), 1, True)),
    # [][A]_v next to other parts, through a definition
    ("FairSpec", "[][hr' # hr]_hr /\\ (hr = 1 => <>At(2))", (Status.OK, None, None, None)),
])
def test_verdicts(tmp_path: Path, spec: str, prop: str, expected: tuple) -> None:
    assert check(tmp_path, spec, prop) == expected


def test_a_general_formula_becomes_one_property_per_instance(tmp_path: Path) -> None:
    (tmp_path / "Clock.tla").write_text(CLOCK.format(
        properties="Prop == \\A n \\in 1..3 : (hr = n => <>[](hr = n))"))
    (tmp_path / "Clock.cfg").write_text("SPECIFICATION FairSpec\nPROPERTY Prop\n")
    model = TLAModel(str(tmp_path / "Clock.tla"), str(tmp_path / "Clock.cfg"))
    assert [(p.name, p.kind) for p in model.properties] == \
        [(f"Prop({n})", Temporal.FORMULA) for n in (1, 2, 3)]
    assert check_model(model).violation.name == "Prop(1)"


@pytest.mark.parametrize("prop, column, message", [
    # SANY's level errors, at SANY's line and column (TLC built from source)
    ("<>(Ticks /\\ hr = 2)", 9, "<> followed by action not of form <<A>>_v"),
    ("[](hr' > hr)", 9, "[] followed by action not of form [A]_v"),
    ("[]<>Ticks", 11, "<> followed by action not of form <<A>>_v"),  # Ticks == <<Tick>>_hr
    ("hr = 1 => <<Tick>>_hr", 9, "an action in a temporal formula"),
    ("\\A n \\in 1..hr : <>At(n)", 9, "a quantifier's set must be constant"),
    ("<>(hr = 1) -+-> []At(1)", 9, "cannot check this temporal formula (-+->)"),
])
def test_refusals_are_located(tmp_path: Path, prop: str, column: int, message: str) -> None:
    (tmp_path / "Clock.tla").write_text(CLOCK.format(properties=f"Prop == {prop}"))
    (tmp_path / "Clock.cfg").write_text("SPECIFICATION FairSpec\nPROPERTY Prop\n")
    with pytest.raises(InputError) as info:
        TLAModel(str(tmp_path / "Clock.tla"), str(tmp_path / "Clock.cfg"))
    error = info.value
    assert message in str(error)
    assert (Path(error.file).name, error.line, error.column) == ("Clock.tla", 11, column)

