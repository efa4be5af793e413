"""Minimal specs on which refute must give TLC's answer (issue 19), each with TLC's figures:
obtained by running TLC (tlaplus/tlaplus built from source, one worker) on the same spec and
model, quoted in the test."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from refute.cli import main


def _check(tmp_path, tla: str, cfg: str | None, *options: str) -> tuple[int, str, dict | None]:
    """``refute check M.tla`` on this module and model: (exit code, output, JSON result)."""
    (tmp_path / "M.tla").write_text(textwrap.dedent(tla))
    if cfg is not None:
        (tmp_path / "M.cfg").write_text(textwrap.dedent(cfg))
    out = tmp_path / "result.json"
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla"), "--json", str(out), *options])
    result = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return run.exit_code, run.output, result


COUNTER = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLE x
    Init == x = 0
    Next == x < 3 /\\ x' = x + 1
    Spec == Init
    Inv == x < 10
    ====
    """


def test_a_model_without_behaviour_is_refused_where_it_lacks_it(tmp_path) -> None:
    # TLC: "The configuration file did not specify the initial state predicate." for the first
    # three, "... the next state predicate." for the last two; never "No error has been found".
    for cfg, message, line in [
            ("", "the model M.cfg is empty", None),
            ("INVARIANT Inv\n", "names neither INIT and NEXT nor SPECIFICATION", None),
            ("NEXT Next\nINVARIANT Inv\n", "NEXT Next without INIT", 1),
            ("INIT Init\nINVARIANT Inv\n", "INIT Init without NEXT", 1),
            ("SPECIFICATION Spec\nINVARIANT Inv\n", "the formula has no next-state part", 1)]:
        code, output, result = _check(tmp_path, COUNTER, cfg)
        assert code == 2, (cfg, output)
        assert message in output and "holds" not in output, (cfg, output)
        assert f"M.cfg:{line}:" in output if line else "M.cfg:" in output, output


def test_an_init_no_state_satisfies_is_an_error_at_init(tmp_path) -> None:
    # TLC: "Finished computing initial states: 0 distinct states generated", "No error has
    # been found", 0 states: a check of nothing, which refute refuses (docs/tla.md).
    code, output, _ = _check(tmp_path, """\
        ---- MODULE M ----
        VARIABLE x
        Init == x \\in {}
        Next == x' = x
        ====
        """, "INIT Init\nNEXT Next\n")
    assert code == 2 and "M.tla:3:" in output and "no state satisfies the initial predicate" in output


def test_a_constant_module_needs_no_behaviour(tmp_path) -> None:
    # TLC with an empty .cfg: the ASSUMEs are checked, "No error has been found", exit 0.
    code, output, _ = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        ASSUME 1 + 1 = 2
        ====
        """, "")
    assert code == 0, output


THREE_WAYS = """\
    ---- MODULE M ----
    VARIABLE x
    Init == x = 0
    A == x' = 1
    B == x' = 2
    C == x' = 3
    Next == A \\/ B \\/ C
    Inv == x # 2
    ====
    """


def test_generated_at_a_violation_stops_at_the_violating_successor(tmp_path) -> None:
    # TLC: "Invariant Inv is violated", 3 states generated, 3 distinct states found, depth 2:
    # its Worker counts and checks each successor as it generates it (Worker.addElement), so
    # C's successor, after the violating B's, is never generated.
    code, output, result = _check(tmp_path, THREE_WAYS, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 1, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (3, 3, 2)
    assert [a["fired"] for a in result["coverage"]] == [1, 1, 0]


def test_generated_at_a_violation_of_a_python_spec_is_tlcs_too(tmp_path) -> None:
    # The same spec in Python: TLC's figures (3 distinct, 3 generated, depth 2).
    import refute
    from refute import Spec, State, action, invariant

    class Three(Spec):
        def init(self):
            return State(x=0)

        @action
        def a(self, s):
            return s.update(x=1)

        @action
        def b(self, s):
            return s.update(x=2)

        @action
        def c(self, s):
            return s.update(x=3)

        @invariant
        def inv(self, s):
            return s.x != 2

    result = refute.check(Three())
    assert (result.distinct_states, result.states_generated, result.depth) == (3, 3, 2)


def _first_violation(tmp_path, tla: str) -> tuple:
    code, output, result = _check(tmp_path, tla, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 1, output
    trace = [step["state"] for step in result["violation"]["trace"]]
    return result["distinct_states"], result["states_generated"], trace[-1]


def test_several_bound_variables_vary_the_first_fastest_as_tlc(tmp_path) -> None:
    # TLC's ContextEnumerator: with several bound variables the first varies fastest.
    # TLC: "Invariant Inv is violated", x = <<2, 1>>, 3 generated, 3 distinct (both when Next
    # is split into actions over constant sets and when the sets depend on the state).
    constant = """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = <<0, 0>>
        Next == \\E i \\in 1..2, j \\in 1..2 : x = <<0, 0>> /\\ x' = <<i, j>>
        Inv == x \\notin {<<1, 2>>, <<2, 1>>}
        ====
        """
    assert _first_violation(tmp_path, constant) == (3, 3, {"x": [2, 1]})
    state_dependent = """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x, n
        Init == x = <<0, 0>> /\\ n = 2
        Next == \\E i \\in 1..n, j \\in 1..n : x = <<0, 0>> /\\ x' = <<i, j>> /\\ n' = n
        Inv == x \\notin {<<1, 2>>, <<2, 1>>}
        ====
        """
    assert _first_violation(tmp_path, state_dependent) == (3, 3, {"x": [2, 1], "n": 2})


def test_initial_states_in_tlcs_order(tmp_path) -> None:
    # TLC: "Invariant Inv is violated by the initial state: x = <<2, 1>>" (\E in Init: the first
    # variable fastest) and "x = 1, y = 2" (conjuncts: the first variable slowest).
    assert _first_violation(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == \\E i \\in 1..2, j \\in 1..2 : x = <<i, j>>
        Next == UNCHANGED x
        Inv == x \\notin {<<1, 2>>, <<2, 1>>}
        ====
        """)[2] == {"x": [2, 1]}
    assert _first_violation(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x, y
        Init == x \\in 1..2 /\\ y \\in 1..2
        Next == UNCHANGED <<x, y>>
        Inv == <<x, y>> \\notin {<<1, 2>>, <<2, 1>>}
        ====
        """)[2] == {"x": 1, "y": 2}


def test_choose_over_a_product_takes_tlcs_least(tmp_path) -> None:
    # TLC: "violated by the initial state: x = <<2, 1>>": the least tuple in TLC's order.
    assert _first_violation(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = CHOOSE p \\in (1..3) \\X (1..3) : p[1] > p[2]
        Next == UNCHANGED x
        Inv == x # <<2, 1>>
        ====
        """) == (1, 1, {"x": [2, 1]})


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_choose_takes_the_string_tlc_met_first(tmp_path, backend) -> None:
    # TLC orders strings by when it first interned them ("zeta" is written first), not
    # alphabetically: "3 states generated, 2 distinct states found", depth 2.
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        VARIABLE x
        Init == x = CHOOSE s \\in {"zeta", "alpha"} : TRUE
        Next == IF x = "zeta" THEN x' = "done" ELSE UNCHANGED x
        ====
        """, "INIT Init\nNEXT Next\n", "--backend", backend)
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (2, 3, 2)


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_model_values_in_the_order_the_model_writes_them(tmp_path, backend) -> None:
    # S = {zz, aa}: TLC reads the model first, so zz is the least; TLC: 3 generated, 2
    # distinct, depth 2 (alphabetically aa would be chosen: 1 distinct).
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        CONSTANTS S, Z
        VARIABLE x
        Init == x = CHOOSE s \\in S : TRUE
        Next == IF x = Z THEN x' = "done" ELSE UNCHANGED x
        ====
        """, "CONSTANTS S = {zz, aa}\n Z = zz\nINIT Init\nNEXT Next\n", "--backend", backend)
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (2, 3, 2)


def test_sets_and_records_print_in_tlcs_order(tmp_path) -> None:
    # TLC: "Invariant Inv is violated by the initial state: x = "<<{\"delta\", \"beta\",
    # \"zeta\", \"alpha\"}, [zeta |-> 1, alpha |-> 2], \"delta\">>"": "delta" is in the model
    # (read first), beta a name of the module, zeta and alpha record fields (names, met while
    # parsing), and the string "alpha" is met only when the literals are analysed.
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS TLC
        CONSTANT Mode
        VARIABLE x
        beta == "unused"
        Init == x = ToString(<<{"zeta", "alpha", "beta", "delta"}, [zeta |-> 1, alpha |-> 2], Mode>>)
        Next == UNCHANGED x
        Inv == x = ""
        ====
        """, 'CONSTANT Mode = "delta"\nINIT Init\nNEXT Next\nINVARIANT Inv\n')
    assert code == 1, output
    assert result["violation"]["trace"][-1]["state"]["x"] == \
        '<<{"delta", "beta", "zeta", "alpha"}, [zeta |-> 1, alpha |-> 2], "delta">>'
    assert '[zeta |-> 1, alpha |-> 2]' in output


COUNTEREXAMPLE = """\
    ---- MODULE M ----
    EXTENDS Naturals, TLC, TLCExt
    VARIABLE x
    %s
    Init == x = 0
    A(i) == x' = x + i
    Next == \\E i \\in {2} : A(i)
    Inv == x < 1
    Post == PrintT(ToString(CounterExample))
    ====
    """


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
@pytest.mark.parametrize("defined, printed", [
    # TLC built from source: the fields its own classes name (RecordValue's, then
    # CounterExample's static UniqueStrings), interned after the spec's words and strings
    ("", '[state |-> {<<1, [x |-> 0]>>, <<2, [x |-> 2]>>}, action |-> {<<<<1, [x |-> 0]>>, '
         '[name |-> "A", location |-> [beginLine |-> 6, beginColumn |-> 9, endLine |-> 6, '
         'endColumn |-> 18, module |-> "M"], context |-> [i |-> 2], parameters |-> <<"i">>], '
         '<<2, [x |-> 2]>>>>}]'),
    # ... unless the spec wrote them first (TLC: [action, state], [location, name],
    # module, endColumn and beginLine first in the location)
    ("module == 0 location == 1 action == 2 endColumn == 3 beginLine == 4",
     '[action |-> {<<<<1, [x |-> 0]>>, [location |-> [module |-> "M", endColumn |-> 18, '
     'beginLine |-> 6, beginColumn |-> 9, endLine |-> 6], name |-> "A", context |-> [i |-> 2], '
     'parameters |-> <<"i">>], <<2, [x |-> 2]>>>>}, state |-> {<<1, [x |-> 0]>>, '
     '<<2, [x |-> 2]>>}]'),
])
def test_counterexample_records_print_their_fields_in_tlcs_order(tmp_path, backend, defined,
                                                                  printed) -> None:
    """TLC's line for ``PrintT(ToString(CounterExample))``, exactly (PrintT of the value itself
    is laid out on several lines by TLC's pretty-printer, which refute does not reproduce)."""
    code, output, _ = _check(tmp_path, COUNTEREXAMPLE % defined,
                             "INIT Init\nNEXT Next\nINVARIANT Inv\nPOSTCONDITION Post\n",
                             "--backend", backend)
    assert code == 1, output
    assert '"' + printed.replace('"', '\\"') + '"' in output.splitlines(), output


def test_strings_of_a_used_module_rank_before_the_roots(tmp_path) -> None:
    # SANY analyses a module before the modules that use it, and parses every name first. TLC:
    # x = "{\"Root\", \"baseIdent\", \"kappa\", \"omega\", \"zz1\"}".
    (tmp_path / "Base.tla").write_text('---- MODULE Base ----\nBaseStr == "kappa"\nbaseIdent == 1\n====\n')
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS TLC, Base
        VARIABLE x
        Root == "omega"
        Init == x = ToString({"zz1", "omega", "kappa", "baseIdent", "Root"})
        Next == UNCHANGED x
        Inv == x = ""
        ====
        """, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 1, output
    assert result["violation"]["trace"][-1]["state"]["x"] == \
        '{"Root", "baseIdent", "kappa", "omega", "zz1"}'


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_sets_tuples_and_records_compare_as_in_tlc(tmp_path, backend) -> None:
    # TLC compares sets by size, tuples by length, records by their field names, before their
    # elements: "violated by the initial state: x = <<{3}, <<3>>, [a |-> 2, b |-> 1]>>".
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = <<CHOOSE s \\in {{1, 2}, {3}} : TRUE, CHOOSE t \\in {<<1, 2>>, <<3>>} : TRUE,
                      CHOOSE r \\in {[a |-> 2, b |-> 1], [a |-> 1, c |-> 0]} : TRUE>>
        Next == UNCHANGED x
        Inv == x = <<>>
        ====
        """, "INIT Init\nNEXT Next\nINVARIANT Inv\n", "--backend", backend)
    assert code == 1, output
    assert result["violation"]["trace"][-1]["state"]["x"] == [[3], [3], {"a": 2, "b": 1}]


def test_a_substituted_constant_reaches_an_unnamed_instance(tmp_path) -> None:
    # tlaplus/Examples' APTCommit pattern: `CONSTANT RM <- RMVal`, RM declared in the root
    # and passed to `INSTANCE TCommit` implicitly, RMVal defined after the INSTANCE.
    # TLC: 3 distinct states, 9 generated, depth 1 (APTCommit itself: 34 / 94 / 7).
    (tmp_path / "Inner.tla").write_text(textwrap.dedent("""\
        ---- MODULE Inner ----
        CONSTANT S
        VARIABLE x
        Init == x \\in S
        Next == \\E s \\in S : s # x /\\ x' = s
        ====
        """))
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        CONSTANT S
        VARIABLE x
        INSTANCE Inner
        Val == {1, 2, 3}
        ====
        """, "CONSTANT S <- Val\nINIT Init\nNEXT Next\n")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (3, 9, 1)


def test_a_missing_end_line_is_reported_where_tlc_expects_it(tmp_path) -> None:
    # TLC: 'Was expecting "==== or more Module body" Encountered "<EOF>" at line 4, column 15'.
    code, output, _ = _check(tmp_path, "---- MODULE M ----\nVARIABLE x\nInit == x = 0\nNext == x' = x\n",
                             "INIT Init\nNEXT Next\n")
    assert code == 2
    assert "M.tla:4:15: module M (line 1) has no end line: '====' is missing" in output


CONSTRAINED = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLE x
    Init == x = 0
    Next == x' = x + 1 \\/ x' = x + 2
    Bound == x < 5
    Inv == x < 10
    ====
    """


def test_a_constrained_model_holds_within_its_constraint(tmp_path) -> None:
    # TLC: "Model checking completed. No error has been found." 11 generated, 5 distinct,
    # depth 3: the constrained state space is the model.
    cfg = "INIT Init\nNEXT Next\nINVARIANT Inv\nCONSTRAINT Bound\n"
    code, output, result = _check(tmp_path, CONSTRAINED, cfg)
    assert code == 0, output
    assert (result["status"], result["stop_reason"]) == ("ok", None)
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (5, 11, 3)
    assert result["within_constraint"] == {"constraints": ["Bound"], "pruned": 3}
    assert "holds within the constraint Bound" in output and "3 successors outside it pruned" in output
    code, output, result = _check(tmp_path, CONSTRAINED, cfg, "--max-states", "3")
    assert code == 3 and result["status"] == "incomplete" and result["stop_reason"] == "max-states"
    code, output, result = _check(tmp_path, CONSTRAINED, "INIT Init\nNEXT Next\nINVARIANT Inv\n",
                                  "--max-depth", "3")
    assert code == 3 and result["within_constraint"] is None


def test_a_missing_module_file_is_an_input_error(tmp_path) -> None:
    run = CliRunner().invoke(main, ["check", str(tmp_path / "Nope.tla")])
    assert run.exit_code == 2 and "Nope.tla" in run.output and "internal error" not in run.output
    from refute.errors import InputError
    from refute.tla.parser import parse_file
    with pytest.raises(InputError, match="cannot read the TLA[+] module: No such file"):
        parse_file(str(tmp_path / "Nope.tla"))  # a module EXTENDS names, gone since


def test_community_and_tlaps_modules_from_the_module_path(tmp_path, monkeypatch,
                                                          community_modules) -> None:
    # TLAPS, Functions, FiniteSetsExt and SequencesExt from REFUTE_TLA_MODULES (refute ships no
    # third-party module text). TLC (CommunityModules jar, TLAPS.tla beside the spec):
    # 4 distinct states, 4 generated, depth 4. (SequencesExt has a comment after a CASE arrow.)
    monkeypatch.setenv("REFUTE_TLA_MODULES", str(community_modules))
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals, TLAPS, Functions, FiniteSetsExt, SequencesExt
        VARIABLE x
        Init == x = 0
        Next == x < 3 /\\ x' = Max({x + 1, Quantify(1..3, LAMBDA i : i <= x)})
        Inv == IsInjective(<<x, x + 1>>) /\\ ToSet(<<x>>) = {x}
        THEOREM Init => x = 0 BY DEF Init
        ====
        """, "INIT Init\nNEXT Next\nINVARIANT Inv\n", "--no-deadlock")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (4, 4, 4)


def test_refutes_own_declaration_modules_with_no_module_path(tmp_path, monkeypatch) -> None:
    # With REFUTE_TLA_MODULES unset refute's own FiniteSetsExt, Functions, SequencesExt, Folds
    # and TLAPS (refute/tla/library) are found. TLC on the same spec (CommunityModules jar,
    # TLAPS.tla beside it): no error, 4 distinct states, 4 generated, depth 4.
    monkeypatch.delenv("REFUTE_TLA_MODULES", raising=False)
    code, output, result = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals, TLAPS, Functions, FiniteSetsExt, SequencesExt, Folds
        VARIABLE x
        Init == x = 0
        Next == x < 3 /\\ x' = Max({x + 1, Quantify(1..3, LAMBDA i : i <= x)})
        Inv == /\\ IsInjective(<<x, x + 1>>) /\\ ToSet(<<x>>) = {x}
               /\\ FoldLeft(LAMBDA a, b : a - b, 10, <<x, 1>>) = 9 - x
               /\\ MapThenFoldSet(LAMBDA a, b : a + b, 0, LAMBDA e : 2 * e,
                                 LAMBDA S : CHOOSE e \\in S : TRUE, 1..x) = x * (x + 1)
               /\\ Range(Restrict([i \\in 1..3 |-> i * x], {1, 2})) = {x, 2 * x}
        THEOREM Init => x = 0 BY SMT DEF Init
        ====
        """, "INIT Init\nNEXT Next\nINVARIANT Inv\n", "--no-deadlock")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (4, 4, 4)
    # An operator of a later CommunityModules' SequencesExt than the release TLC's jar has
    # (and refute's SequencesExt declares): a located error that says so and what to do.
    code, output, _ = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS SequencesExt
        VARIABLE x
        Init == x = IsSorted(<<1>>)
        Next == UNCHANGED x
        Inv == TRUE
        ====
        """, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 2, output
    assert "unknown operator or variable 'IsSorted' (refute's own SequencesExt, FiniteSetsExt, " \
        "Folds, Functions declare the operators of the CommunityModules release TLC's jar " \
        "has" in " ".join(output.split())
    assert "M.tla:4:" in output


COMPOSED = """\
    ---- MODULE M ----
    EXTENDS Naturals, TLC
    VARIABLES x, y
    ASSUME TLCGet("-Dtlc2.tool.impl.Tool.cdot") = "true"
    Init == x = 0 /\\ y = 0
    Pick == x < 5 /\\ \\E d \\in {1, 2} : x' = x + d /\\ y' = y
    Double == x % 2 = 1 /\\ x' = 2 * x /\\ y' = y + 1
    Inc == x < 5 /\\ x' = x + 1 /\\ UNCHANGED y
    Next == Inc \\/ (Pick \\cdot Double)
    Inv == y < 2
    Composed == [][Pick \\cdot Double]_<<x, y>>
    Either == [][Inc \\/ (Pick \\cdot Double)]_<<x, y>>
    ====
    """
"""Action composition: ``Pick``'s successors are intermediate states, ``Double`` steps from
those where ``x`` is odd (TLC runs it with -Dtlc2.tool.impl.Tool.cdot=true)."""


def test_action_composition_counts_intermediate_states_as_tlc(tmp_path) -> None:
    # TLC (-Dtlc2.tool.impl.Tool.cdot=true, one worker): "No error has been found", 33 states
    # generated, 14 distinct, depth 6: Pick's successors count as generated (Tool.getNextStates,
    # OPCODE_cdot: nss.incrementStatesGenerated), only Double's are states.
    code, output, result = _check(tmp_path, COMPOSED, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (14, 33, 6)


def test_a_violation_through_a_composed_step_as_tlc(tmp_path) -> None:
    # TLC: "Invariant Inv is violated", 13 states generated, 7 distinct, depth 3; the behaviour
    # x, y = 0, 0 -> 2, 1 -> 6, 2, both steps composed (Pick to x = 1, Double to 2; Pick to 3,
    # Double to 6), the intermediate states not in the trace.
    code, output, result = _check(tmp_path, COMPOSED, "INIT Init\nNEXT Next\nINVARIANT Inv\n"
                                                      "CHECK_DEADLOCK FALSE\n")
    assert code == 1, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (7, 13, 3)
    trace = result["violation"]["trace"]
    assert [step["state"] for step in trace] == [{"x": 0, "y": 0}, {"x": 2, "y": 1}, {"x": 6, "y": 2}]


def test_a_composition_in_a_property_is_a_formula_of_the_step(tmp_path) -> None:
    # TLC (Tool.eval, OPCODE_cdot): PROPERTY Either holds (33 generated, 14 distinct, depth 6);
    # PROPERTY Composed, "Action property Composed is violated" by the Inc step 0 -> 1, with
    # 2 states generated and 2 distinct.
    code, output, result = _check(tmp_path, COMPOSED, "INIT Init\nNEXT Next\nPROPERTY Either\n"
                                                      "CHECK_DEADLOCK FALSE\n")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (14, 33, 6)
    code, output, result = _check(tmp_path, COMPOSED, "INIT Init\nNEXT Next\nPROPERTY Composed\n"
                                                      "CHECK_DEADLOCK FALSE\n")
    assert code == 1, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (2, 2, 2)
    assert [step["state"]["x"] for step in result["violation"]["trace"]] == [0, 1]


ORDERED = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    Bad == x' = 100 /\\ y' = y
    Pick == \\E d \\in {1, 2} : x' = x + d /\\ y' = y
    Double == x' = 2 * x /\\ y' = y + 1
    After == (Pick \\cdot Double) \\/ Bad
    Before == Bad \\/ (Pick \\cdot Double)
    Inv == x < 100
    ====
    """


def test_intermediate_states_are_counted_when_tlc_computes_them(tmp_path) -> None:
    # TLC, Bad's successor violating Inv: with NEXT After, 6 generated (the initial state, 2
    # intermediate states, 2 composed steps, Bad's), 4 distinct; with NEXT Before, 2 generated
    # and 2 distinct: TLC stops at Bad's successor before it composes anything.
    for next_, figures in (("After", (4, 6, 2)), ("Before", (2, 2, 2))):
        code, output, result = _check(tmp_path, ORDERED, f"INIT Init\nNEXT {next_}\nINVARIANT Inv\n")
        assert code == 1, output
        assert (result["distinct_states"], result["states_generated"], result["depth"]) == figures
        assert result["violation"]["trace"][-1]["state"] == {"x": 100, "y": 0}


CONTINUED = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    Pick == \\E d \\in {1, 2} : x' = x + d /\\ y' = y
    Double == x' = 2 * x /\\ y' = y + 1
    Next == (Pick \\cdot Double) /\\ x' < 4
    ====
    """


def test_conjuncts_after_a_composition_follow_both_of_its_actions(tmp_path) -> None:
    # TLC passes the conjuncts after A \cdot B (its ActionItemList) to A's enumeration and to
    # B's: x' < 4 keeps Pick's x = 1 and 2 (then Double's 2 only) from x = 0, and Pick's 3 only
    # from x = 2 (Double's 6 fails it): 5 generated, 2 distinct, depth 2 ("No error has been
    # found" with CHECK_DEADLOCK FALSE).
    code, output, result = _check(tmp_path, CONTINUED, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert code == 0, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (2, 5, 2)


def test_a_state_with_only_intermediate_states_is_a_deadlock(tmp_path) -> None:
    # Where refute and TLC differ (docs/tla.md): x = 2, y = 1 has an intermediate state (x = 3)
    # but no successor. TLC says "No error has been found" (5 generated, 2 distinct): its
    # Worker calls a state deadlocked when generating its successors added nothing to
    # statesGenerated, and the intermediate state was added. It is a deadlock: no step leaves it.
    code, output, result = _check(tmp_path, CONTINUED, "INIT Init\nNEXT Next\n")
    assert code == 1, output
    assert result["violation"]["kind"] == "deadlock"
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (2, 5, 2)
    assert result["violation"]["trace"][-1]["state"] == {"x": 2, "y": 1}


def test_the_sharded_search_refuses_to_miscount_a_composition(tmp_path) -> None:
    # (the compiled backend runs it in one process: tests/tla/test_compiled_composition.py)
    code, output, _ = _check(tmp_path, COMPOSED, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n",
                             "--workers", "2", "--backend", "interpreted")
    assert code == 2, output
    assert "intermediate states" in output and "Traceback" not in output


ASSIGNED_BEFORE = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    Pick == x' = x + 1 /\\ y' = 7
    Keep == x' = x + 1 /\\ y' = y
    Double == x' = 2 * x /\\ y' = 5
    N1 == x < 4 /\\ y' = 5 /\\ (Pick \\cdot Double)
    N2 == x < 4 /\\ y' = 5 /\\ (Keep \\cdot Double)
    ====
    """


def test_a_variable_assigned_before_a_composition_is_the_current_one_for_its_first_action(
        tmp_path) -> None:
    # TLC starts A from TLCState.copyWith: y' is already y's current value 0 for A, the 5 for
    # B. NEXT N1 (Pick says y' = 7): no step, 1 generated, 1 distinct, depth 1; NEXT N2: 5
    # generated, 3 distinct, depth 3 (CHECK_DEADLOCK FALSE both)
    for next_, figures in (("N1", (1, 1, 1)), ("N2", (3, 5, 3))):
        code, output, result = _check(tmp_path, ASSIGNED_BEFORE,
                                      f"INIT Init\nNEXT {next_}\nCHECK_DEADLOCK FALSE\n")
        assert code == 0, output
        assert (result["distinct_states"], result["states_generated"], result["depth"]) == figures


NESTED = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    A(i) == x' = x + i /\\ y' = y
    B == y' = y + x /\\ x' = x
    C == x' = x /\\ y' = y + 1
    Op == (A(1) \\cdot B) \\/ C
    N1 == (\\E i \\in 1..2 : (A(i) \\cdot B)) /\\ x' < 5 /\\ y' < 9
    N2 == Op /\\ y' # 3 /\\ x' < 4
    N3 == ((A(1) \\cdot B) \\/ C) /\\ (x' < 3 \\/ y' = 2) /\\ (y' < 7)
    Next == N1 \\/ N2 \\/ N3
    Inv == y < 6
    ====
    """


def test_a_composition_nested_in_a_disjunction_quantifier_or_definition_as_tlc(tmp_path) -> None:
    # the conjuncts after the disjunction, \E or definition call are the composition's
    # continuation (TLC's getNextStates passes its ActionItemList down): they follow A and B.
    # TLC (-Dtlc2.tool.impl.Tool.cdot=true, one worker): a deadlock after 2 steps, 58 generated,
    # 15 distinct, depth 4; with INVARIANT Inv, Inv violated after 2 steps (by N1), 24
    # generated, 9 distinct, depth 3
    code, output, result = _check(tmp_path, NESTED, "INIT Init\nNEXT Next\n")
    assert code == 1 and result["violation"]["kind"] == "deadlock", output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (15, 58, 4)
    assert len(result["violation"]["trace"]) == 3
    code, output, result = _check(tmp_path, NESTED, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 1 and result["violation"]["kind"] == "invariant", output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (9, 24, 3)
    assert [step["action"] for step in result["violation"]["trace"][1:]] == ["N1", "N1"]


def test_the_depth_at_a_deadlock_is_the_deepest_state_found_as_tlc(tmp_path) -> None:
    # the deadlock is x = 2, at level 3, found after x = 12 (level 4) was: TLC reports "The
    # depth of the complete state graph search is 4" (6 generated, 6 distinct), its deepest
    # state so far, as at the end of a complete search; every backend says the same
    spec = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x
    Init == x = 0
    Next == \\/ x = 0 /\\ x' = 10
            \\/ x = 10 /\\ x' = 11
            \\/ x = 11 /\\ x' = 12
            \\/ x < 2 /\\ x' = x + 1
    ====
    """
    for options in ((), ("--backend", "interpreted"), ("--workers", "2")):
        code, output, result = _check(tmp_path, spec, "INIT Init\nNEXT Next\n", *options)
        assert code == 1 and result["violation"]["kind"] == "deadlock", output
        assert (result["distinct_states"], result["states_generated"], result["depth"]) == (6, 6, 4)
        assert len(result["violation"]["trace"]) == 3


LAZY_SETS = """\
    ---- MODULE M ----
    EXTENDS Integers
    VARIABLE x
    Msg == [a : {2}] \\union [a : Nat \\union {-1}]
    Init == x = [a |-> -1]
    Next == \\/ x.a < 2 /\\ x' = [a |-> x.a + 1]
            \\/ x.a = 2 /\\ x' = [a |-> -5]
            \\/ x.a = -5 /\\ x' = [a |-> -6]
    TypeOK == x \\in Msg
    Other == x \\in [a : Int] \\ [a : {-6}] /\\ [r \\in [a : Nat] |-> r.a + 1][[a |-> 4]] = 5
    ====
    """


@pytest.mark.parametrize("backend", ["interpreted", "compiled"])
def test_a_union_with_a_set_built_from_nat_is_a_membership_test(tmp_path, backend) -> None:
    # a set of records with a field in Nat is not enumerable, so a union with it stays lazy, as
    # TLC's SetCupValue (refute tried to enumerate Nat: "TLC cannot enumerate", which TLC does not
    # say); TLC: "Invariant TypeOK is violated", 5 generated, 5 distinct, depth 5
    code, output, result = _check(tmp_path, LAZY_SETS, "INIT Init\nNEXT Next\nINVARIANT TypeOK\n",
                                  "--backend", backend)
    assert code == 1 and result["violation"]["kind"] == "invariant", output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (5, 5, 5)
    assert result["violation"]["trace"][-1]["state"]["x"] == {"a": -5}


def test_a_difference_and_a_function_over_records_of_nat_are_lazy(tmp_path) -> None:
    # TLC: "Invariant Other is violated", 7 generated, 7 distinct (1 left on queue), depth 6
    # (the compiled backend does not enumerate Nat: auto runs the interpreter, saying so)
    code, output, result = _check(tmp_path, LAZY_SETS, "INIT Init\nNEXT Next\nINVARIANT Other\n")
    assert code == 1 and result["violation"]["kind"] == "invariant", output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (7, 7, 6)
    assert len(result["violation"]["trace"]) == 6
