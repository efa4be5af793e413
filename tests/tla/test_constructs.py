"""Unit tests of the TLA+ front end: expressions, values, enumeration, located errors."""

from __future__ import annotations

import textwrap

import pytest

from refute.errors import InputError, SpecError
from refute.tla.compile import Compiler, Context, Scope
from refute.tla.config import parse_config
from refute.tla.model import TLAModel
from refute.tla.modules import Loader, load_into
from refute.tla.parser import parse_source
from refute.tla.values import make_fn
from refute.spec.values import FrozenMap, ModelValue


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
    ("1 + 2 * 3", 7), ("7 \\div 2", 3), ("-7 % 3", 2), ("2^10", 1024),
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
