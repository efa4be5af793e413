"""Unit tests of the TLA+ front end: expressions, values, enumeration, located errors."""

from __future__ import annotations

import json
import textwrap

import pytest

from refute.engine.bfs import Options, explore
from refute.errors import InputError, SpecError
from refute.report.json import result_to_json
from refute.status import Status
from refute.tla.compile import Compiler
from refute.tla.scope import Context, Scope
from refute.tla.config import parse_config
from refute.tla.model import TLAModel
from refute.tla.modules import Loader, load_into
from refute.tla.parser import parse_source
from refute.tla.values import TLAError, make_fn
from refute.values import FrozenMap, ModelValue


def evaluate(expr: str, extends: str = "Naturals, Sequences, FiniteSets, TLC") -> object:
    src = f"---- MODULE T ----\nEXTENDS {extends}\nX == {expr}\n====\n".encode()
    module = parse_source(src, "T.tla")
    compiler = Compiler(())
    compiler.loader = Loader(".", module)
    ctx = Context(compiler, "T.tla")
    compiler.root_ctx = ctx
    load_into(compiler, ctx, module)
    return compiler.expr(module.definitions[-1].body, Scope(ctx))(None, None, ())


@pytest.mark.parametrize("expr, value", [
    ("1 + 2 * 3", 7), ("7 \\div 2", 3), ("(0 - 7) % 3", 2), ("2^10", 1024),
    ("{1, 2} \\cup {3}", frozenset({1, 2, 3})), ("{x * 2 : x \\in 1..3}", frozenset({2, 4, 6})),
    ("{x \\in 1..5 : x > 3}", frozenset({4, 5})), ("<<1, 2>> = [i \\in 1..2 |-> i]", True),
    ("[a |-> 1, b |-> 2].b", 2), ("[[a |-> 1] EXCEPT !.a = @ + 1].a", 2),
    ("[f EXCEPT ![2] = 9]".replace("f", "<<1, 2, 3>>"), (1, 9, 3)),
    ("CHOOSE x \\in 1..10 : x > 4", 5), ("\\A x \\in 1..3 : \\E y \\in 1..3 : y > x", False),
    ("LET f(a) == a + 1 IN f(f(1))", 3), ("CASE 1 > 2 -> 1 [] OTHER -> 2", 2),
    ("Len(Append(<<1>>, 2))", 2), ("Head(Tail(<<1, 2, 3>>))", 2), ("SubSeq(<<1, 2, 3>>, 2, 3)", (2, 3)),
    ("Cardinality(SUBSET {1, 2, 3})", 8), ("Cardinality([{1, 2} -> {3, 4}])", 4),
    ("DOMAIN [x \\in {\"a\"} |-> 1]", frozenset({"a"})), ("(1 :> 2 @@ 2 :> 3)", (2, 3)),
    ("Cardinality(Permutations({1, 2, 3}))", 6), ("<<1, 2>> \\in Seq(Nat)", True),
    ("3 \\in Nat \\ {0}", True), ("{<<1, 2>>} = {1} \\X {2}", True),
    ("UNION {{1}, {2}}", frozenset({1, 2})), ("[r \\in {1, 2} |-> 0] = <<0, 0>>", True),
    ("ToString(<<1, \"a\">>)", '<<1, "a">>'), ("IF TRUE THEN 1 ELSE 2", 1),
])
def test_expressions(expr: str, value: object) -> None:
    assert evaluate(expr) == value


def test_functions_with_domain_one_to_n_are_sequences() -> None:
    assert make_fn({1: "a", 2: "b"}) == ("a", "b")
    assert isinstance(make_fn({2: "a"}), FrozenMap)


def test_syntax_error_is_located() -> None:
    with pytest.raises(InputError) as info:
        parse_source(b"---- MODULE T ----\nX == 1 +\n====\n", "T.tla")
    assert info.value.file == "T.tla" and info.value.line is not None


def test_config_values_and_located_errors() -> None:
    cfg = parse_config("CONSTANTS N = 3 RM = {r1, r2}\nS <- Def\nINIT Init NEXT Next\n"
                       "INVARIANT TypeOK\n", "M.cfg")
    assert cfg.constants == {"N": 3, "RM": frozenset({ModelValue("r1"), ModelValue("r2")})}
    assert cfg.substitutions == {"S": "Def"} and cfg.invariants == ["TypeOK"]
    with pytest.raises(InputError) as info:
        parse_config("Init\n", "M.cfg")
    assert info.value.line == 1


def _spec(tmp_path, body: str, cfg: str) -> TLAModel:
    (tmp_path / "M.tla").write_text(textwrap.dedent(body))
    (tmp_path / "M.cfg").write_text(cfg)
    return TLAModel(str(tmp_path / "M.tla"))


def test_enumeration_and_labels(tmp_path) -> None:
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLES x, y
        Init == x \\in {0, 1} /\\ y = 0
        Inc(n) == x' = x + n /\\ UNCHANGED y
        Next == \\E n \\in {1, 2} : Inc(n)
        ====
        """, "INIT Init\nNEXT Next\n")
    assert model.init_states() == [(0, 0), (1, 0)]
    steps = model.next_states((0, 0))
    assert [str(label) for label, _ in steps] == ["Inc(1)", "Inc(2)"]
    assert [s for _, s in steps] == [(1, 0), (2, 0)]


def test_runtime_error_is_located(tmp_path) -> None:
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        VARIABLE x
        Init == x = <<1>>
        Next == x' = <<x[2]>>
        ====
        """, "INIT Init\nNEXT Next\n")
    with pytest.raises(SpecError) as info:
        model.next_states(model.init_states()[0])
    assert info.value.line == 4


def _counts(model: TLAModel) -> tuple:
    result = explore(model, Options())
    return result.distinct_states, result.states_generated, result.depth, result.stop_reason


def test_an_action_passed_to_an_operator_is_substituted(tmp_path) -> None:
    # TLA+ substitutes arguments (call by name): Step(i)'s x' is assigned where Outer uses A,
    # through two operators (the shape of Stuttering's NoStutter(NoHistoryChange(l0(self)))),
    # and an operator argument (a LAMBDA) is passed on.
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLES x, y, s
        Init == x = 0 /\\ y = 0 /\\ s = 0
        Step(i) == x' = x + i
        Mid(A) == A /\\ UNCHANGED y
        Outer(A) == (s = 0) /\\ A /\\ (s' = s)
        Post(A, d(_)) == A /\\ y' = d(y) /\\ UNCHANGED s
        Next == \\/ \\E i \\in {1, 2} : Outer(Mid(Step(i)))
                \\/ Post(Step(5), LAMBDA n : n + 7)
        ====
        """, "INIT Init\nNEXT Next\n")
    assert [p for _, p in model.next_states((0, 0, 0))] == [(1, 0, 0), (2, 0, 0), (5, 7, 0)]


def test_implication_in_an_action_enumerates_its_consequent(tmp_path) -> None:
    # TLC: P => A takes A's successors when P holds (A may assign), else leaves the state as is.
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = 0
        Next == /\\ (x = 0) => \\E i \\in {1, 2} : x' = i
                /\\ (x # 0) => x' = 0
        ====
        """, "INIT Init\nNEXT Next\n")
    assert [p for _, p in model.next_states((0,))] == [(1,), (2,)]
    assert [p for _, p in model.next_states((1,))] == [(0,)]


def test_once_every_variable_is_assigned_the_rest_is_a_condition(tmp_path) -> None:
    # TLC's getNextStatesAllAssigned: the disjunction and the \E below, coming after x' is
    # assigned, are evaluated as formulas, so each state has one successor, not 2 or 3.
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE x
        Init == x = 0
        Next == /\\ x' = (x + 1) % 3
                /\\ x < 5 \\/ x < 6
                /\\ \\E i \\in {1, 2, 3} : i > x
        ====
        """, "INIT Init\nNEXT Next\n")
    assert [p for _, p in model.next_states((0,))] == [(1,)]
    assert _counts(model) == (3, 4, 3, None)


def test_depth_is_the_shortest_path_depth_as_tlc_with_one_worker(tmp_path) -> None:
    # x = 3 is 3 states deep (0, 1, 3) and also reachable in 4 (0, 2, 4, 3). TLC with several
    # workers may report 4: if the worker holding x = 1 lags, another records x = 3 from x = 4
    # (Worker.writeState), the run-to-run variation of tlaplus/tlaplus#883. refute does not copy
    # it: its depth is deterministic (see the btree models in tests/tla/oracle.py).
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        VARIABLE x
        Init == x = 0
        Next == \\/ x = 0 /\\ x' \\in {1, 2}
                \\/ x = 1 /\\ x' = 3
                \\/ x = 2 /\\ x' = 4
                \\/ x = 4 /\\ x' = 3
                \\/ x = 3 /\\ UNCHANGED x
        ====
        """, "INIT Init\nNEXT Next\n")
    assert _counts(model) == (5, 7, 3, None)


@pytest.mark.parametrize("expr, value", [
    ("3 \\in Real", True), ("-2 \\in Real", True),
    ("IsFiniteSet(Real)", False), ("2 \\in Real \\ {1}", True),
])
def test_real_is_an_infinite_set_of_the_integers(expr: str, value: object) -> None:
    assert evaluate(expr, extends="Reals, FiniteSets") == value


def test_a_string_in_real_is_an_error_as_in_tlc() -> None:
    # TLC: Attempted to check if the value: "a" is an element of the string "Reals"
    with pytest.raises(TLAError, match="element of Real"):
        evaluate('"a" \\in Real', extends="Reals")


def test_a_definition_named_real_replaces_the_set(tmp_path) -> None:
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLE now
        Real == 0..2
        Init == now \\in Real
        Next == now' \\in {r \\in Real : r > now}
        ====
        """, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert _counts(model) == (3, 6, 1, None)


def _json_spec(tmp_path, body: str, **kwargs) -> TLAModel:
    (tmp_path / "M.tla").write_text(textwrap.dedent(body))
    (tmp_path / "M.cfg").write_text("INIT Init\nNEXT Next\n")
    return TLAModel(str(tmp_path / "M.tla"), **kwargs)


def test_json_is_read_only_where_allowed(tmp_path) -> None:
    (tmp_path / "data.json").write_text('{"start": [1, 2], "name": "a", "on": true}')
    (tmp_path / "log.ndjson").write_text('{"v": 1}\n\n{"v": 2}\n')
    body = """\
        ---- MODULE M ----
        EXTENDS Naturals, Json
        VARIABLE x
        Data == JsonDeserialize("data.json")
        Log == ndJsonDeserialize("log.ndjson")
        Init == x \\in {Data.start[2] + Log[2].v} /\\ Data.name = "a" /\\ Data.on
        Next == UNCHANGED x
        ====
        """
    model = _json_spec(tmp_path, body, allow_read=[str(tmp_path)])
    assert model.init_states() == [(4,)]
    with pytest.raises(SpecError) as info:
        _json_spec(tmp_path, body).init_states()
    assert "--allow-read" in str(info.value) and info.value.line == 4
    with pytest.raises(SpecError) as info:  # allowing one file is not allowing its folder
        _json_spec(tmp_path, body, allow_read=[str(tmp_path / "data.json")]).init_states()
    assert "log.ndjson" in str(info.value)


def test_a_relative_data_path_is_read_from_the_working_directory_first(tmp_path, monkeypatch) -> None:
    # TLC opens a relative path as a Java File: relative to its working directory (tlaplus/
    # Examples' traces name files from the repository's root); refute does too, and falls
    # back to the spec's folder where the working directory has no such file
    spec_dir, root = tmp_path / "spec", tmp_path / "root"
    (root / "data").mkdir(parents=True)
    spec_dir.mkdir()
    (root / "data" / "d.json").write_text('{"v": 7}')
    (spec_dir / "data").mkdir()
    (spec_dir / "data" / "d.json").write_text('{"v": 8}')
    body = """\
        ---- MODULE M ----
        EXTENDS Naturals, Json
        VARIABLE x
        Init == x = JsonDeserialize("data/d.json").v
        Next == UNCHANGED x
        ====
        """
    monkeypatch.chdir(root)
    assert _json_spec(spec_dir, body, allow_read=[str(tmp_path)]).init_states() == [(7,)]
    monkeypatch.chdir(tmp_path)
    assert _json_spec(spec_dir, body, allow_read=[str(tmp_path)]).init_states() == [(8,)]


def test_writing_and_trace_operators_are_errors_only_when_evaluated(tmp_path) -> None:
    model = _json_spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals, Json, TLCExt
        VARIABLE x
        Init == x = 0
        Next == x' = 1 - x
        Fine == x < 2 \\/ JsonSerialize("out.json", Trace)
        Writes == x < 1 \\/ JsonSerialize("out.json", <<x>>)
        Traced == x < 1 \\/ Len(Trace) > 0
        ====
        """)
    states = model.init_states() + [(1,)]
    fine, writes, traced = (model._predicate(n, "invariants") for n in ("Fine", "Writes", "Traced"))
    assert all(fine.test(s) for s in states) and writes.test((0,)) and traced.test((0,))
    with pytest.raises(SpecError, match="JsonSerialize writes a file"):
        writes.test((1,))
    with pytest.raises(SpecError, match="Trace") as info:
        traced.test((1,))
    assert info.value.line == 8
    assert not (tmp_path / "out.json").exists()


_COUNTER = """\
    ---- MODULE M ----
    EXTENDS Naturals, TLC
    VARIABLE x
    Init == x = 0
    Next == x < 4 /\\ (x' = x + 1 \\/ x' = x + 2)
    OneAtATime == x' = x + 1
    Small == x < 3
    Shown == [double |-> 2 * x, next |-> x']
    Counted == TLCGet("stats").distinct = 5 /\\ TLCGet("stats").generated = 9
    Miscounted == TLCGet("distinct") = 6
    ====
    """


def test_action_constraint_drops_the_steps_it_forbids(tmp_path) -> None:
    # 0..4 reached by +1 steps; each of 0..3 generates both successors (TLC counts them),
    # so 1 + 4 * 2 generated; the four it forbids are pruned, as by a CONSTRAINT.
    model = _spec(tmp_path, _COUNTER, "INIT Init\nNEXT Next\nACTION_CONSTRAINT OneAtATime\n"
                                      "CHECK_DEADLOCK FALSE\n")
    assert _counts(model) == (5, 9, 5, None)
    assert explore(model, Options()).pruned == 4
    free = _spec(tmp_path, _COUNTER, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert _counts(free) == (6, 9, 4, None)


def test_alias_is_how_a_counterexample_is_shown(tmp_path) -> None:
    model = _spec(tmp_path, _COUNTER, "INIT Init\nNEXT Next\nINVARIANT Small\nALIAS Shown\n")
    result = explore(model, Options())
    trace = result_to_json(result, model)["violation"]["trace"]
    # x goes 0 -> 1 -> 3: the alias sees the next state as primed, the last one itself
    assert [step["state"] for step in trace] == [{"double": 0, "next": 1}, {"double": 2, "next": 3},
                                                 {"double": 6, "next": 3}]
    assert model.describe_state(result.violation.trace[-1].state) == {"x": 3}  # not for others


def test_alias_is_how_an_itf_trace_shows_its_states(tmp_path) -> None:
    from click.testing import CliRunner
    from refute.cli import main

    _spec(tmp_path, _COUNTER, "INIT Init\nNEXT Next\nINVARIANT Small\nALIAS Shown\n")
    itf = tmp_path / "trace.itf.json"
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla"), "--itf", str(itf), "-q"])
    assert run.exit_code == 1, run.output
    trace = json.loads(itf.read_text())
    assert trace["vars"] == ["double", "next"]
    assert trace["states"] == [{"#meta": {"index": 0}, "double": 0, "next": 1},
                               {"#meta": {"index": 1, "action": "Next"}, "double": 2, "next": 3},
                               {"#meta": {"index": 2, "action": "Next"}, "double": 6, "next": 3}]


def test_postcondition_is_checked_after_the_search(tmp_path) -> None:
    cfg = "INIT Init\nNEXT Next\nACTION_CONSTRAINT OneAtATime\nCHECK_DEADLOCK FALSE\n"
    model = _spec(tmp_path, _COUNTER, cfg + "POSTCONDITION Counted\n")
    model.check_postconditions(explore(model, Options()))
    model = _spec(tmp_path, _COUNTER, cfg + "POSTCONDITIONS Counted Miscounted\n")
    with pytest.raises(SpecError, match="POSTCONDITION Miscounted is FALSE"):
        model.check_postconditions(explore(model, Options()))
    assert evaluate('TLCGet("distinct")') == 0  # the counts are the finished run's only


_REFINES = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLE x
    Init == x = 0
    Next == x' = (x + 1) % 4
    Spec == Init /\\ [][Next]_x
    Up == INSTANCE Abstract WITH y <- x
    Refines == Up!Spec
    ====
    """


def test_a_violated_refinement_is_a_counterexample(tmp_path) -> None:
    # The abstract spec allows only y < 3 steps upward, so the step 3 -> 0 breaks [][Next]_y;
    # and its Init (y = 1) fails at once in the second model.
    (tmp_path / "Abstract.tla").write_text(textwrap.dedent("""\
        ---- MODULE Abstract ----
        EXTENDS Naturals
        VARIABLE y
        Init == y \\in {0, 1}
        Next == y' = y + 1
        Spec == Init /\\ [][Next]_y
        Init1 == y = 1
        Spec1 == Init1 /\\ [][Next]_y
        ====
        """))
    model = _spec(tmp_path, _REFINES, "SPECIFICATION Spec\nPROPERTY Refines\n")
    result = explore(model, Options())
    assert result.status is Status.VIOLATION and result.violation.name == "Refines"
    assert [model.describe_state(s.state)["x"] for s in result.violation.trace] == [0, 1, 2, 3, 0]
    initial = _spec(tmp_path, _REFINES.replace("Up!Spec", "Up!Spec1"),
                    "SPECIFICATION Spec\nPROPERTY Refines\n")
    result = explore(initial, Options())
    assert result.violation.name == "Refines" and len(result.violation.trace) == 1


def test_a_refinement_step_is_judged_by_every_variable_its_action_reads(tmp_path) -> None:
    # The abstract Next reads z only through two definitions that call each other: a step
    # check remembered by the values of y alone would take the third step (y: 0 -> 1,
    # z: 2 -> 0) for the first (y: 0 -> 1, z: 0 -> 1) and miss the violation. The first
    # conjunct (which holds) makes G's variables be found, and F's with them, before Next's.
    (tmp_path / "Abs.tla").write_text(textwrap.dedent("""\
        ---- MODULE Abs ----
        EXTENDS Naturals
        VARIABLES y, z
        RECURSIVE F(_), G(_)
        F(n) == G(n)
        G(n) == IF n = 0 THEN z' # 0 ELSE F(n - 1)
        Next == y' = 1 - y /\\ F(1)
        Spec == [][G(0) \\/ z' = 0]_z /\\ [][Next]_<<y, z>>
        ====
        """))
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLES x, w, c
        Init == x = 0 /\\ w = 0 /\\ c = 0
        Next == x' = 1 - x /\\ w' = (w + 1) % 3 /\\ c' = 1 - c
        Spec == Init /\\ [][Next]_<<x, w, c>>
        Up == INSTANCE Abs WITH y <- x, z <- w
        Refines == Up!Spec
        ====
        """, "SPECIFICATION Spec\nPROPERTY Refines\n")
    result = explore(model, Options())
    assert result.status is Status.VIOLATION and result.violation.name == "Refines"
    assert [model.describe_state(s.state)["w"] for s in result.violation.trace] == [0, 1, 2, 0]


def test_a_definition_reads_the_variables_of_the_instance_it_is_seen_from(tmp_path) -> None:
    # Inner is both EXTENDed (Foo reads x) and instantiated WITH x <- y (I!Foo reads y). So
    # I!Check reads y' before y' is assigned, an error in TLC. Had the reads of Foo been
    # remembered from Check (x: assigned by then), I!Check would have compared UNSET with 1,
    # found them different, and the model would have passed.
    (tmp_path / "Inner.tla").write_text(textwrap.dedent("""\
        ---- MODULE Inner ----
        VARIABLE x
        Foo == x
        Check == Foo' # 1
        ====
        """))
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Inner
        VARIABLE y
        I == INSTANCE Inner WITH x <- y
        Init == x = 0 /\\ y = 0
        Next == x' = 0 /\\ Check /\\ I!Check /\\ y' = 0
        ====
        """, "INIT Init\nNEXT Next\n")
    compiler, root = model.compiler, model.ctx
    instance = compiler.instance_ctx(root.names["I"])
    foo = parse_source(b"---- MODULE E ----\nE == Foo\n====\n", "E.tla").definitions[0].body
    assert compiler.reads.variables_read(foo, Scope(root)) == {0}  # x
    assert compiler.reads.variables_read(foo, Scope(instance)) == {1}  # y
    with pytest.raises(SpecError) as raised:
        model.next_states((0, 0))
    assert "a primed expression is read before the next state is complete" in str(raised.value)
    assert (raised.value.file, raised.value.line) == (str(tmp_path / "Inner.tla"), 4)


def test_check_command_allow_read_and_postcondition(tmp_path) -> None:
    from click.testing import CliRunner
    from refute.cli import main

    (tmp_path / "data.json").write_text("[3]")
    (tmp_path / "M.tla").write_text(textwrap.dedent("""\
        ---- MODULE M ----
        EXTENDS Naturals, Json, TLC
        VARIABLE x
        Init == x = JsonDeserialize("data.json")[1]
        Next == UNCHANGED x
        Post == TLCGet("stats").distinct = 2
        ====
        """))
    (tmp_path / "M.cfg").write_text("INIT Init\nNEXT Next\nPOSTCONDITION Post\n")
    spec = str(tmp_path / "M.tla")
    refused = CliRunner().invoke(main, ["check", spec, "-q"])
    assert refused.exit_code == 2 and "--allow-read" in refused.output
    allowed = CliRunner().invoke(main, ["check", spec, "-q", "--allow-read", str(tmp_path / "data.json")])
    assert allowed.exit_code == 2 and "POSTCONDITION Post is" in allowed.output


_UNDEFINED = "correct the name in {cfg}, or define {name} in {spec}"


@pytest.mark.parametrize("cfg, where, message, hint", [
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nINVARIANT Inv Invv\n", "4:15",
     "INVARIANT Invv: M does not define Invv", "did you mean Inv? " + _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nPROPERTY Nope\n", "4:10",
     "PROPERTY Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N <- Nope\nINIT Init\nNEXT Next\n", "1:15",
     "CONSTANT N <- Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N = 3 Q <- Two\nINIT Init\nNEXT Next\n", "1:16",
     "CONSTANT Q <- Two: M declares or defines no Q",
     "TLC refuses this too: correct the name in {cfg}, or remove the substitution"),
    ("CONSTANT N = 3\nINIT Nope\nNEXT Next\n", "2:6", "INIT Nope: M does not define Nope",
     _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Nxt\n", "3:6", "NEXT Nxt: M does not define Nxt",
     "did you mean Next? " + _UNDEFINED),
    ("CONSTANT N = 3\nSPECIFICATION Nope\n", "2:15", "SPECIFICATION Nope: M does not define Nope",
     _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nCONSTRAINT Nope\n", "4:12",
     "CONSTRAINT Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nACTION_CONSTRAINT Nope\n", "4:19",
     "ACTION_CONSTRAINT Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nVIEW Nope\n", "4:6", "VIEW Nope: M does not define Nope",
     _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nSYMMETRY Nope\n", "4:10",
     "SYMMETRY Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nPOSTCONDITION Nope\n", "4:15",
     "POSTCONDITION Nope: M does not define Nope", _UNDEFINED),
    ("CONSTANT N = 3\nINIT Init\nNEXT Next\nALIAS Nope\n", "4:7", "ALIAS Nope: M does not define Nope",
     _UNDEFINED),
])
def test_a_name_the_spec_lacks_is_located_in_the_cfg(tmp_path, cfg, where, message, hint) -> None:
    from click.testing import CliRunner
    from refute.cli import main

    (tmp_path / "M.tla").write_text(textwrap.dedent("""\
        ---- MODULE M ----
        EXTENDS Naturals
        CONSTANT N
        VARIABLE x
        Init == x = 0
        Next == x' = (x + 1) % N
        Inv == x < N
        Two == 2
        ====
        """))
    (tmp_path / "X.cfg").write_text(cfg)
    spec, config = str(tmp_path / "M.tla"), str(tmp_path / "X.cfg")
    run = CliRunner().invoke(main, ["check", spec, "--config", config, "-q"])
    assert run.exit_code == 2
    assert run.output.splitlines() == [
        f"error: {config}:{where}: {message}",
        "hint: " + hint.format(cfg=config, spec=spec, name=message.rsplit(" ", 1)[1])]


def test_a_constant_without_value_points_at_its_declaration(tmp_path) -> None:
    """The .cfg has nothing to point at, so the message locates the CONSTANT declaration and
    names the .cfg to add the value to (also for a constant of an EXTENDed module)."""
    (tmp_path / "Base.tla").write_text("---- MODULE Base ----\nCONSTANTS Procs,\n  Limit\n====\n")
    (tmp_path / "Top.tla").write_text("---- MODULE Top ----\nEXTENDS Naturals, Base\nCONSTANT N\n"
                                      "VARIABLE x\nInit == x = 0\nNext == x' = x\n====\n")
    (tmp_path / "Top.cfg").write_text("CONSTANTS N = 1 Procs = {p}\nINIT Init\nNEXT Next\n")
    with pytest.raises(InputError) as raised:
        TLAModel(str(tmp_path / "Top.tla"), str(tmp_path / "Top.cfg"))
    error = raised.value
    assert (error.file, error.line, error.column) == (str(tmp_path / "Base.tla"), 3, 3)
    assert "constant Limit has no value in the model Top.cfg" in str(error)
    assert "Limit = <value>" in str(error)


_BASE = """\
    ---- MODULE Base ----
    EXTENDS Naturals
    CONSTANT Limit
    Step == 1
    Inc(v) == v + Step
    ====
    """


def _extends_base(tmp_path, cfg: str) -> tuple[str, str]:
    (tmp_path / "Base.tla").write_text(textwrap.dedent(_BASE))
    (tmp_path / "M.tla").write_text(textwrap.dedent("""\
        ---- MODULE M ----
        EXTENDS Base
        VARIABLE x
        Two == 2
        Init == x = 0
        Next == x < Limit /\\ x' = Inc(x)
        ====
        """))
    (tmp_path / "M.cfg").write_text(cfg)
    return str(tmp_path / "M.tla"), str(tmp_path / "M.cfg")


def test_a_module_substitution_replaces_that_modules_definition(tmp_path) -> None:
    """``Step <-[Base] Two`` with Base EXTENDed by M and Two defined in M, as TLC reads it: Base's
    Step is M's Two, so x counts 0, 2, 4, 6 (not 0..6); also seen through a named INSTANCE."""
    spec, cfg = _extends_base(tmp_path, "CONSTANTS Limit = 6 Step <-[Base] Two\nINIT Init\nNEXT Next\n"
                                        "CHECK_DEADLOCK FALSE\n")
    assert _counts(TLAModel(spec, cfg)) == (4, 4, 4, None)
    (tmp_path / "I.tla").write_text(textwrap.dedent("""\
        ---- MODULE I ----
        EXTENDS Naturals
        VARIABLE x
        Two == 2
        B == INSTANCE Base WITH Limit <- 6
        Init == x = 0
        Next == x < B!Limit /\\ x' = B!Inc(x)
        ====
        """))
    (tmp_path / "I.cfg").write_text("CONSTANT Step <-[Base] Two\nINIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert _counts(TLAModel(str(tmp_path / "I.tla"))) == (4, 4, 4, None)


@pytest.mark.parametrize("line, where, message, hint", [
    ("Step <-[Base] Three", "2:15", "CONSTANT Step <-[Base] Three: M does not define Three",
     "correct the name in {cfg}, or define Three in {spec}"),
    ("Step <-[Bsae] Two", "2:9", "CONSTANT Step <-[Bsae] Two: the spec uses no module Bsae",
     ("TLC refuses this too: did you mean Base? correct the module name in {cfg}, or write "
      "Step <- Two to replace Step wherever it is defined")),
    ("Stpe <-[Base] Two", "2:1", "CONSTANT Stpe <-[Base] Two: Base does not define Stpe",
     "TLC refuses this too: correct the name in {cfg}, or remove the substitution"),
    ("Limit <-[Base] Two", "2:1",
     "CONSTANT Limit <-[Base] Two: Limit is a CONSTANT of Base, and <-[Base] replaces only definitions",
     "TLC refuses this too: give the constant a value with Limit = <value> or Limit <- Two in {cfg}"),
])
def test_a_module_substitution_the_spec_cannot_take_is_located_in_the_cfg(tmp_path, line, where, message,
                                                                         hint) -> None:
    from click.testing import CliRunner
    from refute.cli import main

    spec, cfg = _extends_base(tmp_path, f"CONSTANTS Limit = 6\n{line}\nINIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", spec, "-q"])
    assert run.exit_code == 2
    assert run.output.splitlines() == [f"error: {cfg}:{where}: {message}",
                                       "hint: " + hint.format(cfg=cfg, spec=spec)]


def test_init_without_next_is_a_located_error(tmp_path) -> None:
    (tmp_path / "M.tla").write_text(textwrap.dedent(_COUNTER))
    (tmp_path / "M.cfg").write_text("INVARIANT Small\nINIT Init\n")
    with pytest.raises(InputError) as raised:
        TLAModel(str(tmp_path / "M.tla"))
    error = raised.value
    assert (error.file, error.line, error.column) == (str(tmp_path / "M.cfg"), 2, 6)
    assert "INIT Init without NEXT" in str(error) and "add 'NEXT <action>'" in str(error)


def test_a_primed_parameter_primes_the_expression_passed_in(tmp_path) -> None:
    # TLA+ substitutes the argument: Foo(v)'s e' is v', which is y' (not the value of y now)
    model = _spec(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        VARIABLES x, y
        Foo(e) == e' # 1
        Init == x = 0 /\\ y = 0
        Next == /\\ y' = 1 - y
                /\\ x' = x
                /\\ LET v == y IN Foo(v)
        ====
        """, "INIT Init\nNEXT Next\n")
    assert model.next_states((0, 0)) == []
    assert [s for _, s in model.next_states((0, 1))] == [(0, 0)]
