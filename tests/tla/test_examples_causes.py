"""One minimal spec per cause that kept a model of tlaplus/Examples from matching TLC (issue
26), each with TLC's figures: TLC built from source (tlaplus/tlaplus cc6b616) run with
``-workers 1`` on the same modules and model, quoted in the test. The models themselves are
checked by :mod:`tests.tla.test_tlc_oracle`; these pin each cause down where it is small."""

from __future__ import annotations

import textwrap

import pytest

from refute.engine.bfs import Options
from refute.engine.liveness import check_model
from refute.errors import InputError, SpecError
from refute.tla.model import TLAModel


def _check(tmp_path, modules: dict[str, str], cfg: str, root: str | None = None) -> tuple:
    """(status, distinct, generated, depth, counterexample length) of ``root`` (the first
    module) under ``cfg``, as the oracle harness checks a model (the interpreter)."""
    for name, text in modules.items():
        (tmp_path / f"{name}.tla").write_text(textwrap.dedent(text))
    root = root or next(iter(modules))
    (tmp_path / f"{root}.cfg").write_text(textwrap.dedent(cfg))
    r = check_model(TLAModel(str(tmp_path / f"{root}.tla"), str(tmp_path / f"{root}.cfg")), Options())
    trace = len(r.violation.trace) if r.violation is not None else None
    return r.status.name, r.distinct_states, r.states_generated, r.depth, trace


def test_an_instance_in_a_let_names_the_definition_its_replacement_replaces(tmp_path) -> None:
    # CheckpointCoordination: `Ok <- Looser` where Looser calls `LET I == INSTANCE B IN I!Ok`.
    # I!Ok is the instance's own definition, which TLC does not replace (it replaces the root
    # module's): no infinite recursion. TLC: 5 distinct, 5 generated, depth 5.
    modules = {"MC": """\
        ---- MODULE MC ----
        EXTENDS B
        Looser(v) == LET I == INSTANCE B IN I!Ok(v) \\/ v = 3
        ====
        """, "B": """\
        ---- MODULE B ----
        EXTENDS Naturals
        VARIABLE x
        Ok(v) == v < 3
        Init == x = 0
        Next == Ok(x) /\\ x' = x + 1
        ====
        """}
    cfg = "CONSTANT Ok <- Looser\nINIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n"
    assert _check(tmp_path, modules, cfg) == ("OK", 5, 5, 5, None)


def test_a_function_definition_reading_the_state_is_not_a_constant(tmp_path) -> None:
    # CheckpointCoordination's HaveQuorumFrom[leader \in Node] == ... reads variables: made
    # lazily without reading the state, it must still not be remembered as a constant.
    # TLC: 3 distinct, 4 generated, depth 3.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        F[i \\in {1, 2}] == x + i
        Init == x = 0
        Next == x' = F[1] % 3
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 3, 4, 3, None)


def test_union_of_a_set_of_infinite_sets_is_tested_without_enumerating(tmp_path) -> None:
    # Disruptor's RingBuffer: TypeOk == rb \in [slots: UNION {[0..N -> Values \union {NULL}]}]
    # with Values <- Int. TLC decides membership in a UNION member by member (UnionValue.member)
    # and never enumerates Int. TLC: 5 distinct, 6 generated, depth 5.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Integers
        CONSTANT NULL
        VARIABLE x, r
        Init == x = 0 /\\ r = [slots |-> [i \\in 0..1 |-> NULL]]
        Next == x' = (x + 1) % 3 /\\ r' = [r EXCEPT !.slots[x % 2] = x]
        TypeOK == /\\ r \\in [slots : UNION { [0..1 -> Int \\union {NULL}] }]
                  /\\ {[0..1 -> Int]} = {[0..1 -> Int]}
        ====
        """}
    cfg = "CONSTANT NULL = NULL\nINIT Init\nNEXT Next\nINVARIANT TypeOK\n"
    assert _check(tmp_path, modules, cfg) == ("OK", 5, 6, 5, None)


MODULE_B_NONE = """\
    ---- MODULE B ----
    VARIABLE x
    None == CHOOSE v : v \\notin {0, 1}
    Init == x = None
    Next == x' = IF x = None THEN 0 ELSE None
    ====
    """


def test_a_cfg_value_for_one_modules_definition(tmp_path) -> None:
    # NanoBlockchain: `NoHash = [Nano]NoHashVal` gives Nano's definition NoHash (an unbounded
    # CHOOSE TLC cannot evaluate) a model value, seen through EXTENDS and through an instance.
    # TLC: 2 distinct, 3 generated, depth 2.
    modules = {"MC": """\
        ---- MODULE MC ----
        EXTENDS B
        I == INSTANCE B
        Inv == I!None = None
        ====
        """, "B": MODULE_B_NONE}
    cfg = "CONSTANT\n  None = [B] NoneVal\nINIT Init\nNEXT Next\nINVARIANT Inv\n"
    assert _check(tmp_path, modules, cfg) == ("OK", 2, 3, 2, None)


def test_a_cfg_value_for_a_module_the_spec_does_not_use_is_refused(tmp_path) -> None:
    # TLC ignores `None = [C] NoneVal` without a word (and then fails on the unbounded CHOOSE);
    # refute refuses the line, located at the module's name.
    modules = {"MC": "---- MODULE MC ----\nEXTENDS B\n====\n", "B": MODULE_B_NONE}
    with pytest.raises(InputError) as caught:
        _check(tmp_path, modules, "CONSTANT\n  None = [C] NoneVal\nINIT Init\nNEXT Next\n")
    assert (caught.value.line, caught.value.column) == (2, 11)
    assert "the spec uses no module C" in str(caught.value) and "TLC ignores" in caught.value.hint


def test_a_parameter_of_an_instance_substitutes_the_constant_of_its_name(tmp_path) -> None:
    # MisraReachability: `P(Succ) == INSTANCE ReachabilityProofs`, whose constant Succ is
    # given by the parameter only (the implicit WITH Succ <- Succ). TLC: 3 distinct,
    # 4 generated, depth 3.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        P(Succ) == INSTANCE Inner
        Init == x = 0
        Next == x' = P([i \\in 0..2 |-> (i + 1) % 3])!Step(x)
        ====
        """, "Inner": """\
        ---- MODULE Inner ----
        CONSTANT Succ
        Step(n) == Succ[n]
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 3, 4, 3, None)


def test_a_named_assumption_is_a_definition(tmp_path) -> None:
    # SimplifiedFastPaxos: `ASSUME PaxosAssume /\ FastAssume`, PaxosAssume being Paxos.tla's
    # `ASSUME PaxosAssume == ...`. TLC: 2 distinct, 3 generated, depth 2.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS A
        VARIABLE x
        ASSUME AOk /\\ N < 5
        Init == x = 0
        Next == x' = (x + 1) % N
        ====
        """, "A": """\
        ---- MODULE A ----
        EXTENDS Naturals
        CONSTANT N
        ASSUME AOk == N > 0
        ====
        """}
    assert _check(tmp_path, modules, "CONSTANT N = 2\nINIT Init\nNEXT Next\n") == ("OK", 2, 3, 2, None)


def test_a_comment_between_a_substitutions_arrow_and_its_expression(tmp_path) -> None:
    # EWD998Chan: `pending <- \* Count the in-flight "pl" messages ...` in an INSTANCE's WITH
    # (the grammar lets a comment sit between any two tokens). TLC: 3 distinct, 4 generated,
    # depth 3.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        I == INSTANCE Inner WITH K <-
                                   \\* a comment before the expression
                                   (* and another *)
                                   3,
                                 y <- x
        Init == x = 0
        Next == x' = (x + 1) % 3
        Inv == I!Inv
        ====
        """, "Inner": """\
        ---- MODULE Inner ----
        EXTENDS Naturals
        CONSTANT K
        VARIABLE y
        Inv == y < K
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\nINVARIANT Inv\n") == ("OK", 3, 4, 3, None)


def test_a_function_of_several_arguments_over_nat_is_applied_on_demand(tmp_path) -> None:
    # TransitiveClosure: `LET CR[n \in Nat, v \in S] == ...` in an ASSUME; TLC never
    # enumerates Nat, it evaluates the function where it is applied. TLC: 3 distinct,
    # 4 generated, depth 3.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Naturals, FiniteSets
        VARIABLE x
        S == {1, 2, 3}
        Reach[n \\in Nat, v \\in S] ==
            IF n = 0 THEN v = 1 ELSE Reach[n - 1, v] \\/ Reach[n - 1, v - 1]
        ASSUME \\A v \\in S : Reach[Cardinality(S) - 1, v]
        Init == x = 0
        Next == x' = IF Reach[1, 2] THEN (x + 1) % 3 ELSE x
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 3, 4, 3, None)


def test_ioenv_is_the_environment(tmp_path, monkeypatch) -> None:
    # TLC/StateGraphs: `IF "GRAPH" \in DOMAIN IOEnv THEN IOEnv.GRAPH ELSE "7"` (IOUtils' IOEnv
    # is the process's environment, a record). TLC: 2 distinct, 3 generated, depth 2 without
    # REFUTE_TEST_MAX set; 4 distinct, 5 generated, depth 4 with it.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Naturals, IOUtils
        VARIABLE x
        Max == IF "REFUTE_TEST_MAX" \\in DOMAIN IOEnv THEN 4 ELSE 2
        Init == x = 0
        Next == x' = (x + 1) % Max
        ====
        """}
    monkeypatch.delenv("REFUTE_TEST_MAX", raising=False)
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 2, 3, 2, None)
    monkeypatch.setenv("REFUTE_TEST_MAX", "1")
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 4, 5, 4, None)


def test_a_module_written_after_the_main_modules_end(tmp_path) -> None:
    # braf: BufferedRandomAccessFile.tla holds MODULE RandomAccessFile and MODULE Common after
    # its own end, and EXTENDS Common. TLC: 3 distinct, 4 generated, depth 3.
    modules = {"M": """\
        ---- MODULE M ----
        EXTENDS Common
        VARIABLE x
        Init == x = 0
        Next == x' = Succ(x)
        ====
        ---- MODULE Common ----
        EXTENDS Naturals
        Succ(n) == (n + 1) % 3
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\n") == ("OK", 3, 4, 3, None)


@pytest.mark.parametrize(("next_", "generated"), [
    ("NextRec", 5),    # recursive: entered (Rec[2] is true by two disjuncts: two successors)
    ("NextState", 5),  # reads the state, so made at each step and kept lazy: entered
    ("NextLet", 5),    # defined in a LET: entered
    ("NextConst", 4),  # constant, built once before the search: applied (one successor)
    ("NextLit", 4),    # a constant function literal: built once, applied
    ("NextAfter", 4),  # after every variable is assigned: a condition
])
def test_a_lazy_function_applied_in_an_action_is_entered_as_tlc_does(tmp_path, next_, generated) -> None:
    # VoteProof's SafeAt(b, v) == LET SA[bb \in Ballot] == bb = 0 \/ \E Q ... IN SA[b]: TLC
    # generates one successor per true disjunct and \E witness inside a function it has not
    # built (Tool.getNextStates, OPCODE_fa on a FcnLambdaValue), 318,877 generated there.
    # TLC (-workers 1): 4 distinct, depth 4, `generated` as given.
    modules = {"FnBody": """\
        ---- MODULE FnBody ----
        EXTENDS Naturals
        VARIABLE x
        Rec[n \\in 0..3] == n = 0 \\/ (n > 0 /\\ Rec[n-1]) \\/ n = 2
        Const[n \\in 0..3] == n >= 0 \\/ n = 1
        State[n \\in 0..3] == n = x \\/ n = 1
        Lit == [n \\in 0..3 |-> n >= 0 \\/ n = 1]
        Init == x = 0
        NextRec == x < 3 /\\ Rec[x] /\\ x' = x + 1
        NextConst == x < 3 /\\ Const[x] /\\ x' = x + 1
        NextState == x < 3 /\\ State[x] /\\ x' = x + 1
        NextLit == x < 3 /\\ Lit[x] /\\ x' = x + 1
        NextLet == x < 3 /\\ (LET L[n \\in 0..3] == n >= 0 \\/ n = 1 IN L[x]) /\\ x' = x + 1
        NextAfter == x < 3 /\\ x' = x + 1 /\\ Rec[x]
        ====
        """}
    cfg = f"INIT Init\nNEXT {next_}\nCHECK_DEADLOCK FALSE\n"
    assert _check(tmp_path, modules, cfg) == ("OK", 4, generated, 4, None)


_PROOFS_ONLY_USER = """\
    ---- MODULE LeftOut ----
    EXTENDS Naturals, ProofsOnly
    VARIABLE x
    Init == x = 0
    Next == {guard} /\\ x' = x + 1
    THEOREM Spec == Init => x = 0
    ====
    """


def test_a_module_extended_for_its_proofs_only_may_be_absent(tmp_path) -> None:
    # bcastByz EXTENDS TLAPS's FunctionTheorems (theorems only) for its proofs. TLC, given
    # ProofsOnly == `EXTENDS Naturals  THEOREM Trivial == 1 + 1 = 2`: 3 distinct, 3 generated,
    # depth 3 (without the file it cannot parse the spec). refute leaves it out and says so.
    modules = {"LeftOut": _PROOFS_ONLY_USER.format(guard="x < 2")}
    cfg = "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n"
    assert _check(tmp_path, modules, cfg) == ("OK", 3, 3, 3, None)
    r = check_model(TLAModel(str(tmp_path / "LeftOut.tla"), str(tmp_path / "LeftOut.cfg")), Options())
    assert any("module ProofsOnly (EXTENDS in LeftOut.tla) not found and left out" in w
               for w in r.warnings)


def test_a_name_from_an_absent_module_is_an_error_naming_the_module(tmp_path) -> None:
    modules = {"LeftOut": _PROOFS_ONLY_USER.format(guard="Small(x)")}
    with pytest.raises(SpecError, match=r"unknown operator or variable 'Small' \(module ProofsOnly "
                                        r"\(EXTENDS in LeftOut.tla\) not found"):
        _check(tmp_path, modules, "INIT Init\nNEXT Next\n")


def test_a_property_reads_a_let_instance_through_a_let_definition(tmp_path) -> None:
    # MCEWD687a's TreeWithRoot == LET G == INSTANCE Graphs  O == G!Transpose(...) IN [](...):
    # O's body must see the LET's G, not be taken for an action it cannot resolve.
    # TLC: 3 distinct, 4 generated, depth 3, the property holds.
    modules = {"LetInst": """\
        ---- MODULE LetInst ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = 0
        Next == x' = (x + 1) % 3
        Prop == LET G == INSTANCE Helper
                    y == G!Twice(x)
                IN [](y < 6)
        ====
        """, "Helper": """\
        ---- MODULE Helper ----
        EXTENDS Naturals
        Twice(n) == 2 * n
        ====
        """}
    assert _check(tmp_path, modules, "INIT Init\nNEXT Next\nPROPERTY Prop\n") == ("OK", 3, 4, 3, None)
