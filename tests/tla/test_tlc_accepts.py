"""What TLC accepts and what it refuses (issue 27): small models, each with TLC's answer.

Every expectation here was taken from TLC built from source (tlaplus/tlaplus cc6b616,
``tlc -workers 1 [-config X] Spec.tla``); the comment beside each model gives TLC's figures
(distinct states / states generated / depth, or its error). refute must give the same verdict
and counts, or stop with exit 2 and a located error where TLC stops with an error: never
"holds" or a violation on a spec TLC rejects.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled.native import find_compiler

HEAD = "EXTENDS Integers, TLC, FiniteSets, Sequences\n"


def _write(tmp_path, name: str, body: str, cfg: str | None) -> str:
    path = tmp_path / f"{name}.tla"
    path.write_text(f"---- MODULE {name} ----\n{HEAD}{textwrap.dedent(body)}====\n")
    if cfg is not None:
        (tmp_path / f"{name}.cfg").write_text(textwrap.dedent(cfg))
    return str(path)


def _check(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", "--json", "-", *args], env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def _counts(report: dict) -> tuple:
    return report["status"], report["distinct_states"], report["states_generated"], report["depth"]


# ------------------------------------------------------------------ 1. embedded configs
EMBEDDED = """\
---- MODULE {name} ----
EXTENDS Naturals
CONSTANT N
VARIABLE x
Init == x = 0
Next == x < N /\\ x' = x + 1
Inv == x < 2
====
---- CONFIG Other ----
CONSTANT N = 5
INIT Init
NEXT Next
====
---- CONFIG {name} ----
CONSTANT N = 1
INIT Init
NEXT Next
INVARIANT Inv
====
---- CONFIG {name} ----
CONSTANT N = 9
INIT Init
NEXT Next
====
"""


def test_an_embedded_config_is_read_by_the_files_name(tmp_path) -> None:
    # TLC -config E.tla E.tla: the first block named E (N = 1): deadlock, 2 distinct,
    # 2 generated, depth 2 (the second block named E is not read)
    spec = tmp_path / "E.tla"
    spec.write_text(EMBEDDED.format(name="E"))
    for args in ((str(spec),), ("--config", str(spec), str(spec))):
        code, report = _check(*args)
        assert (code, *_counts(report)) == (1, "violation", 2, 2, 2)
        assert report["violation"]["kind"] == "deadlock"


def test_another_files_block_is_chosen_by_its_name(tmp_path) -> None:
    # TLC -config Other.tla E.tla (Other.tla a copy of E.tla): block Other (N = 5):
    # deadlock, 6 distinct, 6 generated, depth 6
    spec = tmp_path / "E.tla"
    spec.write_text(EMBEDDED.format(name="E"))
    (tmp_path / "Other.tla").write_text(EMBEDDED.format(name="E"))
    code, report = _check("--config", str(tmp_path / "Other.tla"), str(spec))
    assert (code, *_counts(report)) == (1, "violation", 6, 6, 6)


def test_a_file_without_the_named_block_is_a_located_error(tmp_path) -> None:
    spec = tmp_path / "E.tla"
    spec.write_text(EMBEDDED.format(name="E"))
    (tmp_path / "Nope.tla").write_text(EMBEDDED.format(name="E"))
    code, report = _check("--config", str(tmp_path / "Nope.tla"), str(spec))
    assert code == 2 and "CONFIG Nope" in report["error"]["message"]
    assert "Other, E" in report["error"]["hint"]


def test_an_error_in_an_embedded_block_has_its_line_in_the_tla_file(tmp_path) -> None:
    spec = tmp_path / "E.tla"
    spec.write_text(EMBEDDED.format(name="E").replace("INVARIANT Inv", "INVARIANT Nope"))
    code, report = _check(str(spec))
    assert code == 2 and report["error"]["line"] == 18


def test_a_cfg_beside_the_spec_wins_over_an_embedded_block(tmp_path) -> None:
    # TLC E.tla reads E.cfg (N = 3): deadlock, 4 distinct, 4 generated, depth 4
    spec = tmp_path / "E.tla"
    spec.write_text(EMBEDDED.format(name="E"))
    (tmp_path / "E.cfg").write_text("CONSTANT N = 3\nINIT Init\nNEXT Next\n")
    code, report = _check(str(spec))
    assert (code, *_counts(report)) == (1, "violation", 4, 4, 4)


# ------------------------------------------------- 2. variables assigned through arguments
INIT_NEXT = "INIT Init\nNEXT Next\n"
ASSIGNED = [
    # TLC: 1 distinct, 2 generated, depth 1
    ("A1", "VARIABLE s\nSet(v, val) == v = val\nInit == Set(s, 1)\nNext == UNCHANGED s\n",
     INIT_NEXT, (0, "ok", 1, 2, 1)),
    # TLC: 2 distinct, 3 generated, depth 2
    ("A2", "VARIABLE s\nBar(z) == z' = 2\nInit == s = 1\nNext == Bar(s)\n", INIT_NEXT,
     (0, "ok", 2, 3, 2)),
    # TLC: 2 distinct, 4 generated, depth 1
    ("A3", "VARIABLE v\nS == {3, 5, 7}\nmin(T) == CHOOSE t \\in T : \\A u \\in T : t <= u\n"
           "Spec == (\\E val \\in S : (v = val /\\ v > min(S))) /\\ [][UNCHANGED v]_v\n",
     "SPECIFICATION Spec\n", (0, "ok", 2, 4, 1)),
    # TLC: 1 distinct, 2 generated, depth 1
    ("A4", "VARIABLE v\nSpec == (\\A val \\in {2} : v = val) /\\ [][v' = v]_v\n",
     "SPECIFICATION Spec\n", (0, "ok", 1, 2, 1)),
    # TLC: 1 distinct, 2 generated, depth 1
    ("A5", "VARIABLE v\nS == 1..20\nSpec == (v \\in S /\\ v + 1 = 10) /\\ [][UNCHANGED v]_v\n",
     "SPECIFICATION Spec\n", (0, "ok", 1, 2, 1)),
    # TLC: 4 distinct, 4 generated, depth 4
    ("A6", "VARIABLES x, y\nBoth(a, b, n) == a = n /\\ b = n + 1\nInit == Both(x, y, 0)\n"
           "Step(a) == a' = a + 1\nNext == x < 3 /\\ Step(x) /\\ Step(y)\n",
     INIT_NEXT + "CHECK_DEADLOCK FALSE\n", (0, "ok", 4, 4, 4)),
    # TLC: 5 distinct, 14 generated, depth 2
    ("A7", "VARIABLE s\nIn(v, T) == v \\in T\nInit == In(s, 1..4)\n"
           "Next == \\E k \\in 1..2 : s' = (s + k) % 5\n", INIT_NEXT, (0, "ok", 5, 14, 2)),
    # TLC: 1 distinct, 2 generated, depth 1
    ("A8", "VARIABLE s\nInit == LET Put(v) == v = 7 IN Put(s)\n"
           "Next == LET Upd(w) == w' = 7 IN Upd(s)\n", INIT_NEXT, (0, "ok", 1, 2, 1)),
]


@pytest.mark.parametrize("name, body, cfg, expected", ASSIGNED, ids=[m[0] for m in ASSIGNED])
def test_variables_assigned_through_operator_arguments(tmp_path, name, body, cfg, expected) -> None:
    code, report = _check("--backend", "interpreted", _write(tmp_path, name, body, cfg))
    assert (code, *_counts(report)) == expected


# ------------------------------------------------------- 3. errors TLC reports
INV = INIT_NEXT + "INVARIANT Inv\n"
STILL = "VARIABLE x\nInit == x = 0\nNext == UNCHANGED x\n"
ERRORS = [
    # TLC: Attempted to check equality of integer 0 with non-integer: {1}
    ("C1", "VARIABLE x\nInit == x = 0\nNext == x' = IF x = {1} THEN 1 ELSE 2\n", INIT_NEXT,
     (5, 17), "cannot compare"),
    # TLC: Attempted to check equality of string "a" with non-string: [a |-> 1]
    ("C2", "VARIABLE x\nInit == x = \"a\"\nNext == UNCHANGED x\nInv == x # [a |-> 1]\n", INV,
     (6, 8), "cannot compare"),
    # TLC: Attempted to check if the value: "a" is an element of Int.
    ("C3", STILL + "Inv == \"a\" \\in Int\n", INV, (6, 8), "element of Int"),
    # TLC: Attempted to compute the value of an expression of form CHOOSE x \in S: P, but no
    # element of S satisfied P. line 4, col 13 to line 4, col 37
    ("C4", "VARIABLE x\nInit == x = CHOOSE n \\in 1..3 : n > 5\nNext == UNCHANGED x\n",
     INIT_NEXT, (4, 13), "CHOOSE"),
    # TLC: Attempted to apply function: <<1, 2, 3>> to argument 0, which is not in the domain
    ("C5", "VARIABLE x\nf == [i \\in 1..3 |-> i]\nInit == x = 0\nNext == x < 5 /\\ x' = f[x]\n",
     INIT_NEXT + "CHECK_DEADLOCK FALSE\n", (6, 23), "outside its domain"),
    # TLC: In evaluation, the identifier x is either undefined or not an operator. line 5, col 14
    ("C6", "VARIABLES x, y\nInit == x = 0 /\\ y = 0\nNext == y' = x' + 1 /\\ x' = 1\n", INIT_NEXT,
     (5, 14), "read before"),
    # TLC: The first argument of Assert evaluated to FALSE; the second argument was: "too big"
    ("C7", "VARIABLE x\nInit == x = 0\nNext == x < 2 /\\ x' = x + 1 /\\ Assert(x < 1, \"too big\")\n",
     INIT_NEXT + "CHECK_DEADLOCK FALSE\n", (5, 32), "too big"),
    # TLC: Attempted to check if the value: "b" is an element of Nat.
    ("C8", STILL + "Inv == x \\in Nat /\\ \"b\" \\in Nat\n", INV, (6, 21), "element of Nat"),
    # TLC: Attempted to check equality of the function <<1, 2>> with the value: {1}
    ("C9", STILL + "Inv == <<1, 2>> = {1}\n", INV, (6, 8), "cannot compare"),
    # TLC: The second argument of < should be an integer, but instead it is: "a"
    ("C10", STILL + "Inv == x < \"a\"\n", INV, (6, 8), "integer"),
    # TLC: Attempted to compare string "a" with non-string: 1 (Init x \in {1, "a"})
    ("C11", "VARIABLE x\nInit == x \\in {1, \"a\"}\nNext == UNCHANGED x\n", INIT_NEXT,
     (4, 15), "cannot compare"),
    # TLC: Attempted to select nonexistent field "b" from the record [a |-> 1]
    ("C12", "VARIABLE x\nInit == x = [a |-> 1]\nNext == UNCHANGED x\nInv == x.b = 1\n", INV,
     (6, 8), "no field b"),
    # TLC: Attempted to check equality of integer 1 with non-integer: "a"
    ("Q1", STILL + "Inv == \"a\" \\in {1, 2}\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to compare equality of boolean TRUE with non-boolean: 1
    ("Q3", STILL + "Inv == TRUE = 1\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to check equality of integer 1 with non-integer: "a"
    ("Q4", STILL + "Inv == {1} = {\"a\"}\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to check equality of record: [a |-> 1] with non-record <<1>>
    ("Q5", STILL + "Inv == [a |-> 1] = <<1>>\n", INV, (6, 8), "record"),
    # TLC: Attempted to check if the value: 1 is an element of STRING.
    ("Q6", STILL + "Inv == 1 \\in STRING\n", INV, (6, 8), "element of STRING"),
    # TLC: Attempted to check equality of integer 1 with non-integer: "a"
    ("Q7", STILL + "Inv == <<1>> = <<\"a\">>\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to check equality of string "a" with non-string: 1
    ("Q8", STILL + "Inv == {1} \\in SUBSET {\"a\"}\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to check if the value: "ab" is an element of Seq(Int).
    ("Q12", STILL + "Inv == \"ab\" \\in Seq(Int)\n", INV, (6, 8), "element of Seq"),
    # TLC: Attempted to check equality of the set {} with the value: <<>>
    ("Q13", STILL + "Inv == {} = <<>>\n", INV, (6, 8), "cannot compare"),
    # TLC: Attempted to check if non-record 1 is in the set of records
    ("Q14", STILL + "Inv == 1 \\in [a: {1}]\n", INV, (6, 8), "element of"),
    # TLC: Attempted to check equality of string "a" with non-string: 1
    ("Q16", STILL + "Inv == 1 \\notin {\"a\"}\n", INV, (6, 8), "cannot compare"),
]


@pytest.mark.parametrize("name, body, cfg, where, words", ERRORS, ids=[m[0] for m in ERRORS])
def test_errors_tlc_reports_stop_the_check(tmp_path, name, body, cfg, where, words) -> None:
    code, report = _check("--backend", "interpreted", _write(tmp_path, name, body, cfg))
    assert code == 2 and report["status"] == "error", report
    error = report["error"]
    assert (error["line"], error["column"]) == where and words in error["message"], error


@pytest.mark.skipif(find_compiler() is None, reason="the compiled backend needs a C compiler")
@pytest.mark.parametrize("name", ["C1", "C3", "C11", "Q4", "Q5", "Q12"])
def test_the_compiled_backend_stops_on_the_same_errors(tmp_path, name) -> None:
    _, body, cfg, where, words = next(m for m in ERRORS if m[0] == name)
    code, report = _check("--backend", "compiled", _write(tmp_path, name, body, cfg))
    assert code == 2 and (report["error"]["line"], report["error"]["column"]) == where


LEGAL = [
    # TLC: no error, 1 distinct, 2 generated, depth 1
    ("Q11", STILL + "Inv == <<1, 2>> \\in Seq(Int)\n", INV, (0, "ok", 1, 2, 1)),
    # TLC: no error (a function built two ways is one value)
    ("Q15", STILL + "Inv == (x :> 1) = [y \\in {0} |-> 1]\n", INV, (0, "ok", 1, 2, 1)),
    # TLC: a model value compares with anything: no error, 1 distinct, 2 generated, depth 1
    ("M1", "CONSTANT M\n" + STILL + "Inv == x # M /\\ ~(M \\in Nat) /\\ {M, 1} # {2}\n",
     "CONSTANT M = M\n" + INV, (0, "ok", 1, 2, 1)),
]


@pytest.mark.parametrize("name, body, cfg, expected", LEGAL, ids=[m[0] for m in LEGAL])
def test_what_tlc_compares_without_error(tmp_path, name, body, cfg, expected) -> None:
    for backend in ("interpreted", "auto"):
        code, report = _check("--backend", backend, _write(tmp_path, name, body, cfg))
        assert (code, *_counts(report)) == expected


# ------------------------------------------------------------------ 9. hangs
def test_a_false_assume_stops_at_once(tmp_path) -> None:
    # TLC: Assumption line 4, col 8 to line 4, col 12 of module H1 is false.
    spec = _write(tmp_path, "H1", "CONSTANT N\nASSUME N > 5\nVARIABLE x\nInit == x \\in 1..N\n"
                                  "Next == x' \\in 1..N\n", "CONSTANT N = 3\n" + INIT_NEXT)
    code, report = _check(spec)
    assert code == 2 and (report["error"]["line"], report["error"]["column"]) == (4, 8)


def test_membership_in_a_filter_of_subset_does_not_enumerate_it(tmp_path) -> None:
    # TLC: 1 distinct, 2 generated, depth 1, in a second (SUBSET (1..30) has 2^30 members)
    spec = _write(tmp_path, "H2", "VARIABLE s\nInit == s = {1, 2}\nNext == UNCHANGED s\n"
                                  "Inv == s \\in {T \\in SUBSET (1..30) : T = {1, 2}}\n", INV)
    code, report = _check("--backend", "interpreted", spec)
    assert (code, *_counts(report)) == (0, "ok", 1, 2, 1)
