"""What TLC accepts and what it refuses, causes 4-8 of issue 27: small models, each with TLC's
answer.

Every expectation was taken from TLC built from source (``tlc -workers 1 -metadir ...
Spec.tla``); the comment beside each model gives TLC's figures (distinct states / states
generated / depth, or its error). refute must give the same verdict and counts, or stop with
exit 2 and a located error where TLC (or SANY before it) stops with an error.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.tla.test_tlc_accepts import _check, _counts


def _files(tmp_path, **texts: str) -> str:
    """Writes ``name=text`` as ``name.tla`` (``name_cfg`` as ``name.cfg``); returns the first."""
    first = None
    for key, text in texts.items():
        path = tmp_path / (key[:-4] + ".cfg" if key.endswith("_cfg") else key + ".tla")
        path.write_text(textwrap.dedent(text))
        first = first or str(path)
    return first


# ------------------------------------------------------- 8. ENABLED through an instance
CUT_INNER = """\
---- MODULE CutInner ----
EXTENDS Naturals
VARIABLES x, y
A == x' = 0 /\\ y' = 1
V1 == ENABLED (x' = x + 1 /\\ y' = 5)
V2 == ENABLED (x' = 0 /\\ y' = x' + 1 /\\ y' = 1)
V3 == ENABLED A
V4 == ENABLED (UNCHANGED x /\\ y' = x + 1)
V5 == ENABLED (x' = 3 /\\ x' = 4)
V6 == ENABLED (x' \\in {1, 2} /\\ y' = x' /\\ y' = 2)
V7 == ENABLED (\\E k \\in {0, 1} : x' = k /\\ y' = 1 - k)
B == x' = 1
V8 == ENABLED (B /\\ y' = 2)
====
"""


def test_enabled_in_an_instance_is_evaluated_before_its_substitution(tmp_path) -> None:
    # TLC: no error, 2 distinct, 3 generated, depth 2 (x' and y' are the instance's own inside
    # its ENABLED although both are z; ENABLED I!A, written outside, sees z' twice)
    spec = _files(tmp_path, CutSpec="""\
        ---- MODULE CutSpec ----
        EXTENDS Naturals
        VARIABLE z
        I == INSTANCE CutInner WITH x <- z, y <- z
        J == INSTANCE CutInner WITH x <- z + 1, y <- z
        Init == z = 0
        Next == z' = 1 - z
        Inv == /\\ I!V1 /\\ I!V2 /\\ I!V3 /\\ I!V4 /\\ ~I!V5 /\\ I!V6 /\\ I!V7 /\\ I!V8
               /\\ J!V1 /\\ J!V3 /\\ J!V4 /\\ ~ENABLED I!A /\\ ENABLED I!B
        Live == []<>I!V3
        ====
        """, CutSpec_cfg="INIT Init\nNEXT Next\nINVARIANT Inv\nPROPERTY Live\n", CutInner=CUT_INNER)
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 2, 3, 2)


def test_enabled_of_an_instance_action_written_outside_sees_the_substitution(tmp_path) -> None:
    # TLC: Inv (I!V3, ENABLED inside) holds; Inv2 (ENABLED I!A) is violated by the initial state
    spec = _files(tmp_path, CutOut="""\
        ---- MODULE CutOut ----
        EXTENDS Naturals
        VARIABLE z
        I == INSTANCE CutInner WITH x <- z, y <- z
        Init == z = 0
        Next == z' = 1 - z
        Inv == I!V3
        Inv2 == ENABLED I!A
        ====
        """, CutOut_cfg="INIT Init\nNEXT Next\nINVARIANT Inv\nINVARIANT Inv2\n", CutInner=CUT_INNER)
    code, report = _check(spec)
    assert (code, report["violation"]["name"], len(report["violation"]["trace"])) == (1, "Inv2", 1)


# ------------------------------------------------- 7. modules written inside the spec's file
NESTED = [
    # TLC: a module inside the main one, instantiated: 4 / 4 / 4 (distinct / generated / depth)
    ('Nest1', '''\
---- MODULE Nest1 ----
EXTENDS Naturals
VARIABLE x
---- MODULE Counter ----
VARIABLE c
CONSTANT Lim
Step == c < Lim /\\ c' = c + 1
====
C == INSTANCE Counter WITH c <- x, Lim <- 3
Init == x = 0
Next == C!Step
====
''', 'INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 4, 4, 4)),
    # TLC: a module after the main one, extended: 5 / 5 / 5 (distinct / generated / depth)
    ('Nest3', '''\
---- MODULE Nest3 ----
EXTENDS Naturals, Helper
VARIABLE x
Init == x = 0
Next == x < 4 /\\ x' = Inc(x)
====
---- MODULE Helper ----
EXTENDS Naturals
Inc(n) == n + 1
====
''', 'INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 5, 5, 5)),
    # TLC: a module inside a module inside the main one (SANY warns of the redeclared N, x, y):
    # 15 / 27 / 7 (distinct / generated / depth)
    ('Nest4', '''\
---- MODULE Nest4 ----
EXTENDS Naturals
CONSTANT N
VARIABLES x, y
---- MODULE Pair ----
EXTENDS Naturals
CONSTANT N
VARIABLES x, y
---- MODULE Bound ----
CONSTANT M
Ok(v) == v <= M
====
B == INSTANCE Bound WITH M <- N
Move == /\\ B!Ok(x + 1) /\\ x' = x + 1 /\\ y' = y
Swap == x' = y /\\ y' = x
====
P == INSTANCE Pair
Init == x = 0 /\\ y = 1
Next == P!Move \\/ P!Swap
====
''', 'CONSTANT N = 3\nINIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 15, 27, 7)),
    # TLC: a module after the main one, instantiated: 3 / 3 / 3 (distinct / generated / depth)
    ('Nest5', '''\
---- MODULE Nest5 ----
EXTENDS Naturals
VARIABLE x
Q == INSTANCE Later WITH v <- x
Init == x = 0
Next == Q!Up
====
---- MODULE Later ----
EXTENDS Naturals
VARIABLE v
Up == v < 2 /\\ v' = v + 1
====
''', 'INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 3, 3, 3)),
    # TLC: an inner module sees the definitions before it: 4 / 4 / 4 (distinct / generated / depth)
    ('Nest7', '''\
---- MODULE Nest7 ----
EXTENDS Naturals
CONSTANT N
VARIABLE x
Lim == N + 1
---- MODULE Step ----
VARIABLE v
Up == v < Lim /\\ v' = v + 1
====
S == INSTANCE Step WITH v <- x
Init == x = 0
Next == S!Up
====
''', 'CONSTANT N = 2\nINIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 4, 4, 4)),
    # TLC: an inner module extends another: 3 / 3 / 3 (distinct / generated / depth)
    ('Nest8', '''\
---- MODULE Nest8 ----
EXTENDS Naturals
VARIABLE x
---- MODULE A ----
EXTENDS Naturals
Inc(n) == n + 1
====
---- MODULE B ----
EXTENDS A
Twice(n) == Inc(Inc(n))
====
BB == INSTANCE B
Init == x = 0
Next == x < 4 /\\ x' = BB!Twice(x)
====
''', 'INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n', (0, "ok", 3, 3, 3)),
]



@pytest.mark.parametrize("name, text, cfg, expected", NESTED, ids=[m[0] for m in NESTED])
def test_inner_modules_are_used_as_tlc_uses_them(tmp_path, name, text, cfg, expected) -> None:
    (tmp_path / f"{name}.tla").write_text(text)
    (tmp_path / f"{name}.cfg").write_text(cfg)
    code, report = _check(str(tmp_path / f"{name}.tla"))
    assert (code, *_counts(report)) == expected


def test_an_inner_module_used_before_it_is_written_is_refused(tmp_path) -> None:
    # SANY: Multiply-defined module 'Early': this definition ... conflicts (line 5, col 1)
    spec = _files(tmp_path, Nest6="""\
        ---- MODULE Nest6 ----
        EXTENDS Naturals
        VARIABLE x
        Q == INSTANCE Early WITH v <- x
        ---- MODULE Early ----
        VARIABLE v
        Up == v' = v
        ====
        Init == x = 0
        Next == Q!Up
        ====
        """, Nest6_cfg="INIT Init\nNEXT Next\n")
    code, report = _check(spec)
    assert code == 2 and (report["error"]["line"], report["error"]["column"]) == (5, 1)
    assert "Multiply-defined module 'Early'" in report["error"]["message"]


def test_a_file_whose_first_module_is_another_is_refused(tmp_path) -> None:
    # SANY: File name 'Nest2' does not match the name 'Base' of the top level module it contains.
    spec = _files(tmp_path, Nest2="""\
        ---- MODULE Base ----
        Double(n) == n + n
        ====
        ---- MODULE Nest2 ----
        EXTENDS Base
        VARIABLE x
        Init == x = 0
        Next == x' = Double(x)
        ====
        """, Nest2_cfg="INIT Init\nNEXT Next\n")
    code, report = _check(spec)
    assert code == 2 and "does not match the name 'Base'" in report["error"]["message"]


# ------------------------------------------------------ 6. TLC's introspection operators
def test_a_postcondition_reads_the_counterexample(tmp_path) -> None:
    # TLC: Invariant Inv is violated (4 states, x = 0..3); Post holds on CounterExample (it
    # prints {<<1, [x |-> 0]>>, ..., <<4, [x |-> 3]>>}): exit 12, 4 distinct, 4 generated, depth 4
    spec = _files(tmp_path, CE1="""\
        ---- MODULE CE1 ----
        EXTENDS Naturals, TLCExt, FiniteSets
        VARIABLE x
        Init == x = 0
        Next == x' = x + 1
        Inv == x < 3
        Post == /\\ Cardinality(CounterExample.state) = 4
                /\\ Cardinality(CounterExample.action) = 3
                /\\ ToTrace(CounterExample) = <<[x |-> 0], [x |-> 1], [x |-> 2], [x |-> 3]>>
                /\\ \\A e \\in CounterExample.action : e[1][1] + 1 = e[3][1]
                /\\ CounterExample.state = {<<i, [x |-> i - 1]>> : i \\in 1..4}
        ====
        """, CE1_cfg="INIT Init\nNEXT Next\nINVARIANT Inv\nPOSTCONDITION Post\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (1, "violation", 4, 4, 4)


def test_a_counterexample_action_has_its_location(tmp_path) -> None:
    # TLC prints CounterExample.action's edges with [name |-> "Up", location |-> [beginLine |->
    # 5, beginColumn |-> 10, endLine |-> 5, endColumn |-> 19, module |-> "CE3"], context |-> [d
    # |-> 1], parameters |-> <<"d">>] (RecordValue(Action): Action.getDefinition, the body of
    # Up); Post holds: exit 12, 3 distinct, 3 generated, depth 3
    spec = _files(tmp_path, CE3="""\
        ---- MODULE CE3 ----
        EXTENDS Naturals, TLCExt
        VARIABLE x
        Init == x = 0
        Up(d) == x' = x + d
        Next == \\E d \\in {1} : Up(d)
        Inv == x < 2
        Post == \\A e \\in CounterExample.action : e[2] = [name |-> "Up", context |-> [d |-> 1],
                    parameters |-> <<"d">>, location |-> [beginLine |-> 5, beginColumn |-> 10,
                                                         endLine |-> 5, endColumn |-> 19,
                                                         module |-> "CE3"]]
        ====
        """, CE3_cfg="INIT Init\nNEXT Next\nINVARIANT Inv\nPOSTCONDITION Post\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (1, "violation", 3, 3, 3)


def test_no_deadlock_is_seen_by_tlcget_config_as_tlcs_deadlock_flag(tmp_path) -> None:
    # TLC -deadlock: TLCGet("config").deadlock is FALSE, no error, 3 distinct, 3 generated,
    # depth 3; without the flag: "Invariant Off is violated by the initial state"
    spec = _files(tmp_path, DL="""\
        ---- MODULE DL ----
        EXTENDS Naturals, TLC
        VARIABLE x
        Init == x = 0
        Next == x < 2 /\\ x' = x + 1
        Off == TLCGet("config").deadlock = FALSE
        ====
        """, DL_cfg="INIT Init\nNEXT Next\nINVARIANT Off\n")
    code, report = _check(spec, "--no-deadlock")
    assert (code, *_counts(report)) == (0, "ok", 3, 3, 3)
    code, report = _check(spec)
    assert (code, *_counts(report)) == (1, "violation", 1, 1, 1)


POST = """\
    ---- MODULE PV ----
    EXTENDS Naturals, TLC
    VARIABLE x
    Init == x = 0
    Next == x < 2 /\\ x' = x + 1
    Spec == Init /\\ [][Next]_x
    Live == <>(x = 5)
    Small == x < 2
    Never == x = 7
    Post == TLCGet("stats").distinct > 100
    ====
    """


def test_postconditions_after_a_violation_are_reported_with_it(tmp_path) -> None:
    # TLC reports a false postcondition after a violation too, and exits with the violation's
    # code: "Temporal property Live was violated", then "[Never |-> 0]" and "Postcondition
    # Never ... is false", exit 13 (with POSTCONDITION Post as well: _POSSIBLE's generated
    # postcondition is evaluated first and only it is reported); "Invariant Small is violated",
    # then "Postcondition Post ... is false", exit 12; 3 distinct, 3 generated, depth 3 each.
    for cfg, kind, warning in (
            ("PROPERTY Live\nPOSTCONDITION Post\n_POSSIBLE Never\n", "liveness",
             "_POSSIBLE Never is false in every initial state and step generated: [Never |-> 0]"),
            ("INVARIANT Small\nPOSTCONDITION Post\n", "invariant", "POSTCONDITION Post is FALSE")):
        spec = _files(tmp_path, PV=POST, PV_cfg=f"SPECIFICATION Spec\n{cfg}CHECK_DEADLOCK FALSE\n")
        code, report = _check(spec)
        assert (code, *_counts(report)) == (1, "violation", 3, 3, 3)
        assert report["violation"]["kind"] == kind
        assert [w for w in report["warnings"] if warning in w], report["warnings"]


def test_a_false_postcondition_without_a_violation_is_an_error(tmp_path) -> None:
    # TLC: "[Never |-> 0]", "Postcondition Never ... is false" (before POSTCONDITION Post,
    # false too), exit 10
    spec = _files(tmp_path, PV=POST, PV_cfg="SPECIFICATION Spec\nPOSTCONDITION Post\n"
                                            "_POSSIBLE Never\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert code == 2 and "_POSSIBLE Never is false" in report["error"]["message"]


def test_without_a_violation_the_counterexample_is_empty(tmp_path) -> None:
    # TLC: no error, 3 distinct, 3 generated, depth 3 (Post holds)
    spec = _files(tmp_path, CE2="""\
        ---- MODULE CE2 ----
        EXTENDS Naturals, TLCExt
        VARIABLE x
        Init == x = 0
        Next == x < 2 /\\ x' = x + 1
        Post == CounterExample = [state |-> {}, action |-> {}] /\\ ToTrace(CounterExample) = <<>>
        ====
        """, CE2_cfg="INIT Init\nNEXT Next\nPOSTCONDITION Post\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 3, 3, 3)


def test_tlcget_level_is_the_level_of_the_state_explored(tmp_path) -> None:
    # TLC: no error, 6 distinct, 9 generated, depth 3 (level 0 in Init, the source state's in
    # Next, the state's own in the invariant and in the CONSTRAINT, which prunes 6 and 7)
    spec = _files(tmp_path, Lv="""\
        ---- MODULE Lv ----
        EXTENDS Naturals, TLC
        VARIABLE x
        Init == x \\in {0, 1} /\\ TLCGet("level") = 0
        Next == \\/ x < 6 /\\ x' = x + 2 /\\ TLCGet("level") = x \\div 2 + 1
                \\/ x = 3 /\\ x' = 4
        Lvl == TLCGet("level") = x \\div 2 + 1
        Con == TLCGet("level") < 4
        ====
        """, Lv_cfg="INIT Init\nNEXT Next\nINVARIANT Lvl\nCONSTRAINT Con\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 6, 9, 3)


def test_functions_over_infinite_domains_are_applied_at_a_point(tmp_path) -> None:
    # TLC: no error, 3 distinct, 3 generated, depth 3
    spec = _files(tmp_path, Inf="""\
        ---- MODULE Inf ----
        EXTENDS Integers, Sequences
        VARIABLE x
        f == [i \\in Int |-> i + 2]
        g == [s \\in Seq(Nat) |-> Len(s)]
        h == [n \\in Nat |-> [m \\in Nat |-> n * m]]
        Init == x = [i \\in Int |-> i + 2][3]
        Next == x' = f[x] /\\ x < 9
        Inv == /\\ g[<<1, 2>>] = 2 /\\ h[2][3] = 6 /\\ [r \\in Nat \\X Nat |-> r[1]][<<4, 5>>] = 4
               /\\ [k \\in Int |-> k][-3] = -3 /\\ [t \\in STRING |-> 1]["a"] = 1
        ====
        """, Inf_cfg="INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 3, 3, 3)


# ------------------------------------------------------------ 5. temporal forms TLC checks
TEMPORAL_HEAD = "EXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == x < 3 /\\ x' = x + 1\nvars == <<x>>\n"
FAIR_SPEC = "Spec == Init /\\ [][Next]_x /\\ WF_x(Next)\n"
PROPERTY_CFG = "SPECIFICATION Spec\nPROPERTY Prop\nCHECK_DEADLOCK FALSE\n"
REFUSED = "Temporal formulas containing actions must be of forms <>[]A or []<>A"
# TLC: each model holds (or its property is violated) with 4 distinct, 4 generated, depth 4,
# or TLC stops with REFUSED (TLC's message) before checking; a model without its own Spec
# uses FAIR_SPEC
TEMPORAL = [
    ("T1", "Ev(p) == <>p\nAlw(p) == []p\nProp == Ev(x = 3) /\\ Alw(x <= 3)\n" + FAIR_SPEC,
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T2", "Prop == LET L == <>(x = 3) IN []L\n" + FAIR_SPEC,
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T3", "Fair == WF_vars(Next)\nSpec == Init /\\ [][Next]_vars /\\ Fair\nProp == <>(x = 3)\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T4", "MyFair(A) == WF_x(A)\n"
            "SpecWithCustomFair == Init /\\ [][Next]_x /\\ MyFair(Next)\nProp == <>(x = 3)\n",
     'SPECIFICATION SpecWithCustomFair\nPROPERTY Prop\nCHECK_DEADLOCK FALSE\n', (0, "ok", 4, 4, 4)),
    ("T5", "Spec == Init /\\ [][Next]_x\nProp == [][x' > x]_x /\\ [][x' = x + 1]_<<x>>\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T8", FAIR_SPEC + "Prop == \\A v \\in 1..3 : <>(x = v)\n"
            "Live == LET Q(v) == <>[](x = v) IN Q(3)\n",
     'SPECIFICATION Spec\nPROPERTY Prop\nPROPERTY Live\nCHECK_DEADLOCK FALSE\n', (0, "ok", 4, 4, 4)),
    ("T9", "Fairness == \\A i \\in {1} : WF_x(Next)\nSpec == Init /\\ [][Next]_x /\\ Fairness\nProp == <>[](x = 3)\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T11", FAIR_SPEC + "Step == x' = x + 1\nProp == [][Step]_x /\\ (x = 0 ~> x = 3)\n"
            "Imp == [](x = 1 => <>[](x = 3))\n",
     'SPECIFICATION Spec\nPROPERTY Prop\nPROPERTY Imp\nCHECK_DEADLOCK FALSE\n', (0, "ok", 4, 4, 4)),
    ("Pb", "Prop == []<><<Next>>_x\n",
     PROPERTY_CFG, (1, "violation", 4, 4, 4)),
    ("Pc", "Prop == <>[][Next]_x\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("Pe", "Prop == WF_x(Next)\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("Pg", "Prop == ~[]<><<Next>>_x\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("Pi", "Prop == []<><<Next>>_x \\/ <>[](x = 3)\n",
     PROPERTY_CFG, (0, "ok", 4, 4, 4)),
    ("T10", "Spec == Init /\\ [][Next]_x\nProp == <>(x = 3)\n",
     PROPERTY_CFG, (1, "violation", 4, 4, 4)),
    ("Pa", "Prop == <><<Next>>_x\n",
     PROPERTY_CFG, REFUSED),
    ("Pd", "Prop == [](x = 1 => <><<Next>>_x)\n",
     PROPERTY_CFG, REFUSED),
    ("Pj", "Prop == (x = 0) => <><<Next>>_x\n",
     PROPERTY_CFG, REFUSED),
    ("T12", FAIR_SPEC + "Prop == [](ENABLED Next => <><<Next>>_x)\n",
     PROPERTY_CFG, REFUSED),
]


@pytest.mark.parametrize("name, body, cfg, expected", TEMPORAL, ids=[m[0] for m in TEMPORAL])
def test_temporal_forms_as_tlc_checks_them(tmp_path, name, body, cfg, expected) -> None:
    if "Spec" not in body:
        body = FAIR_SPEC + body
    spec = _files(tmp_path, **{name: f"---- MODULE {name} ----\n{TEMPORAL_HEAD}{body}====\n",
                               name + "_cfg": cfg})
    code, report = _check(spec)
    if expected == REFUSED:
        assert code == 2 and REFUSED in report["error"]["message"], report
        assert report["error"]["line"] is not None
    else:
        assert (code, *_counts(report)) == expected


# ------------------------------------------------ 4. SANY's semantic checks, before checking
SEMANTIC_HEAD = "EXTENDS Naturals\nVARIABLE x\n"
STUTTER = "INIT Init\nNEXT Next\n"
SEMANTIC = [
    # SANY: line 5, col 1: Multiple declarations or definitions for symbol A (an error)
    ("D1", "A == 1\nA == 2\nInit == x = A\nNext == x' = x\n", STUTTER, (5, 1), "Multiply-defined symbol 'A'"),
    # SANY: line 6, col 1: Multiply-defined symbol 'x' (a definition named as a variable)
    ("D2", "Init == x = 0\nNext == x' = x\nx == 3\n", STUTTER, (6, 1), "Multiply-defined symbol 'x'"),
    # SANY: line 5, col 12: Multiply-defined symbol 'x' (refute: the quantifier, col 9)
    ("D3", "Init == x = 0\nNext == \\E x \\in {1} : x' = x\n", STUTTER, (5, 9), "Multiply-defined symbol 'x'"),
    # SANY: line 6, col 15: The operator F requires 2 arguments. (refute: the call, col 14)
    ("A1", "F(a, b) == a + b\nInit == x = 0\nNext == x' = F(x)\n", STUTTER, (6, 14),
     "The operator F requires 2 arguments"),
    # SANY: line 6, col 13: Argument number 1 to operator 'G' should be a 1-parameter operator.
    ("A3", "G(f(_)) == f(1)\nH(a, b) == a\nInit == x = G(H)\nNext == x' = x\n", STUTTER, (6, 13),
     "Argument number 1 to operator 'G' should be a 1-parameter operator"),
    # SANY: line 6, col 9: The operator x requires 0 arguments. (refute: col 8)
    ("A4", "Init == x = 0\nNext == x' = x\nInv == x(1) = 0\n", STUTTER + "INVARIANT Inv\n", (6, 8),
     "The operator x requires 0 arguments"),
    # TLC: The configuration file substitutes for Op with Two of different number of arguments.
    ("A2", "CONSTANT Op(_)\nInit == x = Op(1)\nNext == x' = x\nTwo(a, b) == a + b\n",
     "CONSTANT Op <- Two\n" + STUTTER, (1, 10), "substitutes for Op with Two of different number"),
    # TLC: The invariant Inv is not a state predicate (one with no primes or temporal operators).
    ("L1", "Init == x = 0\nNext == x' = 1 - x\nInv == x' = x\n", STUTTER + "INVARIANT Inv\n", (6, 1),
     "The invariant Inv is not a state predicate"),
    ("L6", "Init == x = 0\nNext == x' = 1 - x\nInv == [](x < 2)\n", STUTTER + "INVARIANT Inv\n", (6, 1),
     "The invariant Inv is not a state predicate"),
    # SANY: line 6, col 28: Level error in applying operator '
    ("L7", "Init == x = 0\nNext == x' = 1 - x\nInv == ENABLED (x' = 1) /\\ x'' = 1\n",
     STUTTER + "INVARIANT Inv\n", (6, 28), "Level error in applying operator '"),
    # SANY: line 6, col 17: [] followed by action not of form [A]_v.
    ("L8", "Init == x = 0\nNext == x' = 1 - x\nSpec == Init /\\ [](x' = 1 - x)\n", "SPECIFICATION Spec\n",
     (6, 17), "[] followed by action not of form [A]_v"),
    # SANY: line 6, col 29: <> followed by action not of form <<A>>_v. (in a definition unused)
    ("L10", "Init == x = 0\nNext == x' = 1 - x\nUnused == <><<Next>>_x /\\ []<>(<<Next>>_x \\/ x = 3)\n",
     STUTTER, (6, 29), "<> followed by action not of form <<A>>_v"),
]


@pytest.mark.parametrize("name, body, cfg, where, words", SEMANTIC, ids=[m[0] for m in SEMANTIC])
def test_what_sany_refuses_is_refused_before_checking(tmp_path, name, body, cfg, where, words) -> None:
    spec = _files(tmp_path, **{name: f"---- MODULE {name} ----\n{SEMANTIC_HEAD}{body}====\n",
                               name + "_cfg": cfg})
    code, report = _check(spec)
    assert code == 2 and words in report["error"]["message"], report
    assert (report["error"]["line"], report["error"]["column"]) == where


def test_what_sany_accepts_is_checked(tmp_path) -> None:
    # TLC: no error, 1 distinct, 2 generated, depth 1 (Len is not visible without Sequences,
    # so defining it is no conflict; a LET name, a LAMBDA parameter and an operator parameter
    # each bind a name not otherwise visible)
    body = ("Len(s) == 3\nApply(f(_), v) == f(v)\nInit == x = Len(<<>>)\n"
            "Next == LET y == x IN x' = Apply(LAMBDA z : z + y - y, x)\n")
    spec = _files(tmp_path, D4=f"---- MODULE D4 ----\n{SEMANTIC_HEAD}{body}====\n", D4_cfg=STUTTER)
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 1, 2, 1)


# SANY: "Could not find declaration or definition of symbol '-'." at line 4, col 16 (U1: the
# binary minus, refute points at the expression, col 14) and col 13 (U2: the prefix minus,
# which Integers defines and Naturals does not)
UNDECLARED = [
    ("U1", "VARIABLE x\nInit == x = 0\nNext == x' = 1 - x\n", (4, 14), "module Naturals"),
    ("U2", "EXTENDS Naturals\nVARIABLE x\nInit == x = -1\nNext == x' = x\n", (4, 13), "module Integers"),
]


@pytest.mark.parametrize("name, body, where, module", UNDECLARED, ids=[m[0] for m in UNDECLARED])
def test_an_operator_symbol_needs_its_module(tmp_path, name, body, where, module) -> None:
    spec = _files(tmp_path, **{name: f"---- MODULE {name} ----\n{body}====\n", name + "_cfg": STUTTER})
    code, report = _check(spec)
    assert code == 2, report
    assert "could not find a declaration or definition of symbol '-'" in report["error"]["message"]
    assert module in report["error"]["message"]
    assert (report["error"]["line"], report["error"]["column"]) == where


def test_tlcget_config_gives_the_runs_configuration(tmp_path) -> None:
    # TLC: 3 distinct, 3 generated, depth 3 (every ASSUME holds: a breadth-first model check,
    # deadlock not checked, one worker, the seed a string)
    body = ('EXTENDS Naturals, TLC\nVARIABLE x\nASSUME TLCGet("config").mode = "bfs"\n'
            'ASSUME TLCGet("config").deadlock = FALSE\nASSUME TLCGet("config").worker = 1\n'
            'ASSUME TLCGet("config").seed \\in STRING\nInit == x = 0\nNext == x < 2 /\\ x\' = x + 1\n')
    spec = _files(tmp_path, G2=f"---- MODULE G2 ----\n{body}====\n",
                  G2_cfg="INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 3, 3, 3)


def test_tlcget_spec_gives_the_models_parts_where_tlc_locates_them(tmp_path) -> None:
    # TLC: every ASSUME holds (TLCGet("spec") is this record, field by field), then 8 distinct,
    # 23 generated, depth 4. Actions are the split Next (a disjunct written inline is named
    # Next, A(i) carries context and parameters), located at their bodies; constraints at the
    # whole definition; a PROPERTY's parts go to invariants / impliedinits / impliedactions /
    # impliedtemporals; the SPECIFICATION's WF to temporals as "UnnamedAction".
    spec = _files(tmp_path, GSpec="""\
---- MODULE GSpec ----
EXTENDS Naturals, TLC, GBase
VARIABLE x
L(a, b, c, d) == [beginLine |-> a, beginColumn |-> b, endLine |-> c, endColumn |-> d, module |-> "GSpec"]
Init == x = 0 /\\ y = 0
A(i) == x < 2 /\\ x' = x + i /\\ UNCHANGED y
Next == \\/ \\E i \\in {1, 2} : A(i)
        \\/ x > 0 /\\ x' = x - 1 /\\ y' = y
        \\/ Bump /\\ x' = x
Inv == x < 5
Con == x < 10
ACon == x' < 10
Spec == Init /\\ [][Next]_<<x, y>> /\\ WF_x(Next)
PInit == (x = 0)
PAct == [][x' # x]_x
Prop == PInit /\\ PAct /\\ []<>(x = 1) /\\ [](x < 4)
S == TLCGet("spec")
ASSUME S.inits = {[name |-> "Init", location |-> L(5, 9, 5, 22)]}
ASSUME S.actions = {[name |-> "Next", location |-> L(8, 12, 8, 40)],
                    [name |-> "Next", location |-> L(9, 12, 9, 25)],
                    [name |-> "A", location |-> L(6, 9, 6, 42), context |-> [i |-> 1], parameters |-> <<"i">>],
                    [name |-> "A", location |-> L(6, 9, 6, 42), context |-> [i |-> 2], parameters |-> <<"i">>]}
ASSUME S.invariants = {[name |-> "Inv", location |-> L(10, 8, 10, 12)],
                       [name |-> "Prop", location |-> L(16, 44, 16, 48)]}
ASSUME S.constraints = {[name |-> "Con", location |-> L(11, 1, 11, 13)]}
ASSUME S.actionconstraints = {[name |-> "ACon", location |-> L(12, 1, 12, 15)]}
ASSUME S.temporals = {[name |-> "UnnamedAction", location |-> L(13, 38, 13, 47)]}
ASSUME S.impliedinits = {[name |-> "Prop", location |-> L(14, 11, 14, 15)]}
ASSUME S.impliedactions = {[name |-> "Prop", location |-> L(15, 11, 15, 20)]}
ASSUME S.impliedtemporals = {[name |-> "Prop", location |-> L(16, 26, 16, 36)]}
ASSUME S.variables = {[name |-> "x", location |-> L(3, 10, 3, 10)],
                      [name |-> "y", location |-> [L(3, 10, 3, 10) EXCEPT !.module = "GBase"]]}
ASSUME DOMAIN S = {"inits", "actions", "invariants", "constraints", "actionconstraints", "temporals",
                   "impliedinits", "impliedactions", "impliedtemporals", "variables"}
====
""", GSpec_cfg='SPECIFICATION Spec\nINVARIANT Inv\nCONSTRAINT Con\nACTION_CONSTRAINT ACon\nPROPERTY Prop\n', GBase="""\
---- MODULE GBase ----
EXTENDS Naturals
VARIABLE y
Bump == y' = 1 - y
====
""")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 8, 23, 4), report


def test_tlcget_all_gives_every_register_set_with_one_value_per_worker(tmp_path) -> None:
    # TLC (one worker): no error, 3 distinct, 3 generated, depth 3; TLCGet("all") maps each
    # numbered register set to <<its value>>, TLCGet("all:named") each "s:" register; both
    # <<>> before any TLCSet (and so after an earlier model's run: registers start afresh)
    body = ('EXTENDS Naturals, TLC\nVARIABLE x\n'
            'ASSUME TLCGet("all") = <<>> /\\ TLCGet("all:named") = <<>>\n'
            'ASSUME TLCSet(2, 7) /\\ TLCSet("s:bar", 4)\n'
            'ASSUME TLCGet("all") = (2 :> <<7>>) /\\ TLCGet("all:named") = ("s:bar" :> <<4>>)\n'
            'Init == x = 0 /\\ TLCGet("all:named")["s:bar"] = <<4>>\n'
            'Next == x < 2 /\\ x\' = x + 1 /\\ TLCSet("s:bar", x)\n'
            '        /\\ TLCGet("all:named") = ("s:bar" :> <<x>>)\n'
            'Post == TLCGet("all") = (2 :> <<7>>) /\\ TLCGet("all:named") = ("s:bar" :> <<1>>)\n')
    cfg = "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\nPOSTCONDITION Post\n"
    for _ in range(2):
        spec = _files(tmp_path, R2=f"---- MODULE R2 ----\n{body}====\n", R2_cfg=cfg)
        code, report = _check(spec)
        assert (code, *_counts(report)) == (0, "ok", 3, 3, 3), report



POSSIBLE = ("EXTENDS Naturals\nVARIABLE x\nInit == x \\in {0, 1}\n"
            "Next == x < 3 /\\ x' \\in {x + 1, 3}\nR0 == x = 0\nR3 == x = 3\nS3 == x' = 3\n"
            "Never == x = 9\n")


def test_possible_counts_the_states_and_steps_generated(tmp_path) -> None:
    # TLC: _POSSIBLE R0, R3, S3, Never -> prints [R0 |-> 1, R3 |-> 3, S3 |-> 3, Never |-> 0]
    # and "Postcondition Never ... is false" (7 generated, 4 distinct, depth 2): a state
    # predicate counts initial states and steps' successors, an action the steps
    cfg = "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n_POSSIBLE R0\n_POSSIBLE R3\n_POSSIBLE S3\n"
    spec = _files(tmp_path, P2=f"---- MODULE P2 ----\n{POSSIBLE}====\n", P2_cfg=cfg + "_POSSIBLE Never\n")
    code, report = _check(spec)
    assert code == 2, report
    assert report["error"]["message"] == ("_POSSIBLE Never is false in every initial state and step "
                                          "generated: [R0 |-> 1, R3 |-> 3, S3 |-> 3, Never |-> 0]")
    assert report["error"]["line"] == 7
    # TLC: without Never, no error: 7 generated, 4 distinct, depth 2
    spec = _files(tmp_path, P2=f"---- MODULE P2 ----\n{POSSIBLE}====\n", P2_cfg=cfg)
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 4, 7, 2), report


def test_tlcget_of_a_system_property_is_its_name_when_unset(tmp_path) -> None:
    # TLC: TLCGet("-Dname") is System.getProperty("name", "-Dname") (TLCGetSet): the argument
    # itself when the property is not set (run without -D): 2 distinct, 2 generated, depth 2.
    # refute always composes actions, as TLC run with -Dtlc2.tool.impl.Tool.cdot=true, so that
    # one reads "true" (docs/tla.md).
    body = ('EXTENDS Naturals, TLC\nVARIABLE x\nASSUME TLCGet("-Dtlc2.tool.fp.FPSet.impl") = '
            '"-Dtlc2.tool.fp.FPSet.impl"\nASSUME TLCGet("-Dtlc2.tool.impl.Tool.cdot") = "true"\n'
            'Init == x = 0\nNext == x < 1 /\\ x\' = x + 1\n')
    spec = _files(tmp_path, P1=f"---- MODULE P1 ----\n{body}====\n",
                  P1_cfg="INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    code, report = _check(spec)
    assert (code, *_counts(report)) == (0, "ok", 2, 2, 2)
