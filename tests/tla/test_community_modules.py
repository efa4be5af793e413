"""refute's own CommunityModules (refute/tla/library and the natives of refute/tla/community.py)
against TLC: each expression's value is the one TLC built from source (tlaplus/tlaplus cc6b616,
with the CommunityModules jar it ships) printed for it, with REFUTE_TLA_MODULES unset.

TLC's figures were taken with ``ASSUME PrintT(<<i, expr>>)`` for each expression of
:data:`TLC_VALUES` in a module that EXTENDS Naturals, Sequences, FiniteSets, Bags,
SequencesExt, Functions, FiniteSetsExt, Bitwise, DyadicRationals, BagsExt, Relation, IOUtils,
Json, TLC and Folds, with ``LOCAL INSTANCE UndirectedGraphs`` and ``G == INSTANCE Graphs``
(``tlc -metadir $(mktemp -d) T.tla``). They pin the semantics of TLC's Java overrides where
they differ from the modules' TLA+ definitions: ``SelectInSubSeq`` counts indices from the
start of the sequence, ``FoldBag`` passes the accumulator first, ``MapThenFoldSet`` applies
the first element its ``choose`` picks last.
"""

from __future__ import annotations


from click.testing import CliRunner

from refute.cli import main

TLC_VALUES: list[tuple[str, str]] = [
    ('ReplaceAllSubSeqs(<<9>>, <<>>, <<1,2>>)',
     '<<9, 1, 9, 2>>'),
    ('FlattenSeq(<<<<1>>,<<2,3>>>>)',
     '<<1, 2, 3>>'),
    ('Interleave(<<1,2>>,<<3,4>>)',
     '<<<<1>>, <<3>>, <<2>>, <<4>>>>'),
    ('Zip(<<1,2,3>>,<<4,5>>)',
     '<<<<1, 4>>, <<2, 5>>>>'),
    ('6 ^^ 3',
     '5'),
    ('6 & 3',
     '2'),
    ('6 | 3',
     '7'),
    ('Not(5)',
     '2'),
    ('Not(0)',
     '0'),
    ('shiftR(9,2)',
     '2'),
    ('Add(Half(One), Half(Half(One)))',
     '[num |-> 3, den |-> 4]'),
    ('Add(Half(One), Half(One))',
     '[num |-> 1, den |-> 1]'),
    ('Add(Zero, Half(One))',
     '[num |-> 1, den |-> 2]'),
    ('PrettyPrint(Half(One))',
     '"1/2"'),
    ('IsDyadicRational(Half(One))',
     'TRUE'),
    ('SumBag(BagAdd(SetToBag({1,2}), 2))',
     '5'),
    ('BagRemove(BagAdd(SetToBag({1,2}), 2), 1)',
     '(2 :> 2)'),
    ('FoldBag(LAMBDA a, b: a \\o <<b>>, <<>>, BagAdd(SetToBag({1,2}), 2))',
     '<<1, 2, 2>>'),
    ('AllSubSeqs(<<1,2,3>>)',
     '{<<>>, <<1>>, <<2>>, <<3>>, <<1, 2>>, <<1, 3>>, <<2, 3>>, <<1, 2, 3>>}'),
    ('SeqOf({1,2}, 2)',
     '{<<>>, <<1>>, <<2>>, <<1, 1>>, <<1, 2>>, <<2, 1>>, <<2, 2>>}'),
    ('<<1,1>> \\in BoundedSeq({1}, 2)',
     'TRUE'),
    ('IndexFirstSubSeq(<<2,3>>, <<1,2,3>>)',
     '2'),
    ('ReplaceFirstSubSeq(<<>>, <<2>>, <<2,1,2>>)',
     '<<1, 2>>'),
    ('Suffixes(<<1,2>>)',
     '{<<>>, <<2>>, <<1, 2>>}'),
    ('LongestCommonPrefix({<<1,2,3>>, <<1,2>>})',
     '<<1, 2>>'),
    ('AntiFunction(<<"a","b">>)',
     '[a |-> 1, b |-> 2]'),
    ('FoldFunction(LAMBDA a, b: a \\o b, "", <<"a","b">>)',
     '"ba"'),
    ('MapThenFoldSet(LAMBDA a, b: <<a>> \\o b, <<>>, LAMBDA e: e, LAMBDA S: CHOOSE e \\in S : TRUE, {1,2,3})',
     '<<1, 2, 3>>'),
    ('FoldSet(LAMBDA a, b: <<a>> \\o b, <<>>, {1,2,3})',
     '<<3, 2, 1>>'),
    ('FoldSeq(LAMBDA a, b: <<a>> \\o b, <<>>, <<1,2,3>>)',
     '<<3, 2, 1>>'),
    ('FoldRight(LAMBDA a, b: <<a>> \\o b, <<1,2,3>>, <<>>)',
     '<<1, 2, 3>>'),
    ('FoldLeft(LAMBDA a,b: a-b, 0, <<1,2,3>>)',
     '-6'),
    ('FoldLeftDomain(LAMBDA a,b: a-b, 0, <<7,8,9>>)',
     '-6'),
    ('FoldRightDomain(LAMBDA a,b: a-b, <<7,8,9>>, 0)',
     '2'),
    ('Choices({{1,2},{3}})',
     '{{1, 3}, {2, 3}}'),
    ('SymDiff({1,2},{2,3})',
     '{1, 3}'),
    ('ChooseUnique({1,2,3}, LAMBDA e: e = 2)',
     '2'),
    ('ProductSet({2,3})',
     '6'),
    ('ConnectedComponents([node |-> {1,2,3}, edge |-> {{1,2}}])',
     '{{3}, {1, 2}}'),
    ('IsStronglyConnected([node |-> {1,2}, edge |-> {{1,2}}])',
     'TRUE'),
    ('SimplePath([node |-> {1,2,3}, edge |-> {{1,2}, {2,3}}])',
     '{<<1>>, <<2>>, <<3>>, <<1, 2>>, <<2, 1>>, <<2, 3>>, <<3, 2>>, <<1, 2, 3>>, <<3, 2, 1>>}'),
    ('AreConnectedIn(1, 3, [node |-> {1,2,3}, edge |-> {{1,2}, {2,3}}])',
     'TRUE'),
    ('G!IsStronglyConnected([node |-> {1,2}, edge |-> {<<1,2>>}])',
     'FALSE'),
    ('G!AreConnectedIn(1, 2, [node |-> {1,2}, edge |-> {<<1,2>>}])',
     'TRUE'),
    ('G!SimplePath([node |-> {1,2}, edge |-> {<<1,2>>}])',
     '{<<1>>, <<2>>, <<1, 2>>}'),
    ('G!Transpose([node |-> {1,2}, edge |-> {<<1,2>>}])',
     '[node |-> {1, 2}, edge |-> {<<2, 1>>}]'),
    ('G!IsTreeWithRoot([node |-> {1,2}, edge |-> {<<1,2>>}], 2)',
     'TRUE'),
    ('G!ConnectionsIn([node |-> {1,2}, edge |-> {<<1,2>>}])',
     '(<<1, 1>> :> TRUE @@ <<1, 2>> :> TRUE @@ <<2, 1>> :> FALSE @@ <<2, 2>> :> TRUE)'),
    ('TransitiveClosure([p \\in {1,2,3} \\X {1,2,3} |-> p[2] = p[1] + 1], {1,2,3})',
     '(<<1, 1>> :> FALSE @@ <<1, 2>> :> TRUE @@ <<1, 3>> :> TRUE @@ <<2, 1>> :> FALSE @@ '
     '<<2, 2>> :> FALSE @@ <<2, 3>> :> TRUE @@ <<3, 1>> :> FALSE @@ <<3, 2>> :> FALSE @@ '
     '<<3, 3>> :> FALSE)'),
    ('IsTransitiveUnder(<, {1,2,3})',
     'TRUE'),
    ('atoi("-12")',
     '-12'),
    ('Injection({1,2},{3,4})',
     '{<<3, 4>>, <<4, 3>>}'),
    ('ExistsSurjection({1},{2,3})',
     'FALSE'),
    ('SetToSeqs({1,2})',
     '{<<1, 2>>, <<2, 1>>}'),
    ('SetToSeq({3,1,2})',
     '<<1, 2, 3>>'),
    ('InsertAt(<<1,2>>, 2, 9)',
     '<<1, 9, 2>>'),
    ('RemoveAt(<<1,2>>, 1)',
     '<<2>>'),
    ('RemoveFirst(<<1,2,1>>, 1)',
     '<<2, 1>>'),
    ('RemoveFirstMatch(<<1,2,1>>, LAMBDA e: e > 1)',
     '<<1, 1>>'),
    ('Contains(<<1,2>>, 2)',
     'TRUE'),
    ('IsPrefix(<<1>>, <<1,2>>)',
     'TRUE'),
    ('IsSuffix(<<2>>, <<1,2>>)',
     'TRUE'),
    ('SelectInSeq(<<1,2,1>>, LAMBDA e: e = 1)',
     '1'),
    ('SelectLastInSeq(<<1,2,1>>, LAMBDA e: e = 1)',
     '3'),
    ('SelectInSubSeq(<<1,2,1>>, 2, 3, LAMBDA e: e = 1)',
     '3'),
    ('Max({3,1})',
     '3'),
    ('kSubset(2, {1,2,3})',
     '{{1, 2}, {1, 3}, {2, 3}}'),
    ('Quantify({1,2,3}, LAMBDA e: e > 1)',
     '2'),
    ('Restrict(<<1,2,3>>, {1,2})',
     '<<1, 2>>'),
    ('Range(<<1,1>>)',
     '{1}'),
    ('IsInjective(<<1,1>>)',
     'FALSE'),
    ('Inverse(<<1,1>>, {1,2}, {1,3})',
     '(1 :> 1 @@ 3 :> 1)'),
    ('Pointwise(<<1,2>>, <<3,4>>, +)',
     '<<4, 6>>'),
    ('TupleOf({1}, 2)',
     '{<<1, 1>>}'),
    ('Cons(1, <<2>>)',
     '<<1, 2>>'),
    ('Snoc(1, <<2>>)',
     '<<2, 1>>'),
    ('Reverse(<<1,2>>)',
     '<<2, 1>>'),
    ('Remove(<<1,2,1>>, 1)',
     '<<2>>'),
    ('ReplaceAll(<<1,2,1>>, 1, 3)',
     '<<3, 2, 3>>'),
    ('SetToSortSeq({1,2,3}, >)',
     '<<3, 2, 1>>'),
    ('CommonPrefixes({<<1,2>>, <<1,3>>})',
     '{<<>>, <<1>>}'),
    ('Prefixes(<<1,2>>)',
     '{<<>>, <<1>>, <<1, 2>>}'),
    ('SubSeqs(<<1,2>>)',
     '{<<>>, <<1>>, <<2>>, <<1, 2>>}'),
    ('SeqMod(4, 2)',
     '2'),
    ('SetToAllKPermutations({1,2})',
     '{<<>>, <<1>>, <<2>>, <<1, 2>>, <<2, 1>>}'),
    ('ReduceSet(LAMBDA a, b: a + b, {1,2}, 10)',
     '13'),
    ('MapThenSumSet(LAMBDA e: e * 2, {1,2})',
     '6'),
    ('BagRemoveAll(BagAdd(SetToBag({1,2}), 2), 2)',
     '<<1>>'),
    ('ToJson([a |-> 1, b |-> <<"x<y", TRUE>>, c |-> {3, 1}, d |-> (2 :> "q" @@ 5 :> mv)])',
     '"{\\"a\\":1,\\"b\\":[\\"x<y\\",true],\\"c\\":[1,3],\\"d\\":{\\"2\\":\\"q\\",\\"5\\":\\"mv\\"}}"'),
    ('ToJsonArray(<<1, "a\'=b">>)',
     '"[1,\\"a\\\'=b\\"]"'),
    ('ToJsonObject(<<1, 2>>)',
     '"{\\"0\\":1,\\"1\\":2}"'),
    ('ToJson(<<>>)',
     '"[]"'),
    # a bag is a function like any other: (-) and EmptyBag give the values every other
    # construction of the same function gives (refute's (-) once kept a map, EmptyBag one too)
    ('SetToBag({1,2}) (-) SetToBag({2})',
     '<<1>>'),
    ('SetToBag({1}) (-) SetToBag({1}) = EmptyBag',
     'TRUE'),
    ('EmptyBag = <<>>',
     'TRUE'),
    ('EmptyBag (+) EmptyBag',
     '<<>>'),
    ('BagUnion({SetToBag({1}), SetToBag({1, 2})})',
     '<<2, 1>>'),
]
"""(expression, the value TLC printed for it)."""

_MODULE = """\
---- MODULE M ----
EXTENDS Naturals, Sequences, FiniteSets, Bags, SequencesExt, Functions, FiniteSetsExt, Bitwise,
        DyadicRationals, BagsExt, Relation, IOUtils, Json, TLC, Folds
LOCAL INSTANCE UndirectedGraphs
G == INSTANCE Graphs
CONSTANT mv
VARIABLE x
Init == x = 0
Next == UNCHANGED x
{assumptions}
====
"""


def _check(tmp_path, assumptions: list[str]) -> tuple[int, str]:
    (tmp_path / "M.tla").write_text(_MODULE.format(assumptions="\n".join(assumptions)))
    (tmp_path / "M.cfg").write_text("CONSTANT mv = mv\nINIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla")])
    return run.exit_code, run.output


def test_the_bundled_modules_give_tlcs_values(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("REFUTE_TLA_MODULES", raising=False)
    code, output = _check(tmp_path, [f"ASSUME ({expr}) = ({value})" for expr, value in TLC_VALUES])
    assert code == 0, output
    assert "1 distinct states" in output


def test_a_value_other_than_tlcs_is_a_false_assumption(tmp_path, monkeypatch) -> None:
    # the check above can fail: SelectInSubSeq's index counted from the piece (its TLA+
    # definition's 2, not TLC's 3) is a false assumption, located
    monkeypatch.delenv("REFUTE_TLA_MODULES", raising=False)
    code, output = _check(tmp_path, ["ASSUME SelectInSubSeq(<<1, 2, 1>>, 2, 3, LAMBDA e : e = 1) = 2"])
    assert code == 2 and "assumption is false" in output and "M.tla:10" in output, output


def test_restrict_outside_the_domain_is_tlcs_error(tmp_path, monkeypatch) -> None:
    # TLC evaluates Restrict's definition [x \in S |-> f[x]]: "Attempted to access index 3 of
    # tuple <<1, 2>> which is out of bounds" (Restrict(<<1, 2>>, {1, 3}))
    monkeypatch.delenv("REFUTE_TLA_MODULES", raising=False)
    code, output = _check(tmp_path, ["ASSUME Restrict(<<1, 2>>, {1, 3}) = <<1>>"])
    assert code == 2 and "applied to 3, outside its domain" in output, output
