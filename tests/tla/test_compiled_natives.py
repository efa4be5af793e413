"""The natives the compiled backend lowers itself (refute/compiled/natives_tla.py: Bags,
FoldFunction, DyadicRationals, an infix symbol as an operator argument) give the
interpreter's states, in its order, and TLC's counts.

TLC's figures: TLC built from source (tlaplus/tlaplus cc6b616, its CommunityModules jar),
``tlc -workers 1 -metadir $(mktemp -d) Spec.tla`` on each spec below with its .cfg."""

from __future__ import annotations

import sys

import pytest

from refute.compiled import native
from refute.compiled.backend import compile_model, explore, verify
from refute.engine import bfs
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import EXAMPLES, oracle_models
from tests.tla.test_tlc_oracle import spec_for

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


BAGS = """---- MODULE BagOps ----
EXTENDS Naturals, Bags, BagsExt
VARIABLES b, n
Init == b = SetToBag({1, 2}) /\\ n = 0
Next == /\\ n < 4
        /\\ n' = n + 1
        /\\ \\/ \\E x \\in {1, 3} : b' = b (+) SetToBag({x})
           \\/ \\E x \\in BagToSet(b) : b' = b (-) SetToBag({x})
           \\/ \\E x \\in {2, 3} : BagIn(x, b) /\\ b' = BagRemove(b, x)
           \\/ b' = BagAdd(b, 4)
           \\/ CopiesIn(1, b) > 1 /\\ b' = EmptyBag
Inv == /\\ BagCardinality(b) <= 6
       /\\ EmptyBag \\sqsubseteq b
       /\\ b \\sqsubseteq b (+) b
       /\\ ~(b (+) SetToBag({2}) \\sqsubseteq b)
       /\\ CopiesIn(1, b) <= 5
====
"""

BAGS_MORE = """---- MODULE BagMore ----
EXTENDS Naturals, Bags
VARIABLES b
Init == b = SetToBag({1, 2})
Next == /\\ BagCardinality(b) < 6
        /\\ \\/ \\E k \\in 1..3 : b' = BagOfAll(LAMBDA x : (x * k) % 4, b)
           \\/ b' = BagUnion({b, SetToBag({3}), SetToBag({1, 3})})
           \\/ \\E x \\in BagToSet(b) : b' = BagOfAll(LAMBDA y : IF y = x THEN 0 ELSE y, b)
Inv == BagCardinality(BagUnion({b, SetToBag({7})})) = BagCardinality(b) + 1
====
"""

DYADIC = """---- MODULE Dyadic ----
EXTENDS Naturals, DyadicRationals, Functions
VARIABLES w
Init == w = [p \\in 1..3 |-> IF p = 1 THEN One ELSE Zero]
Total == FoldFunction(Add, Zero, w)
ReduceSet(op(_, _), set, base) ==
  LET iter[s \\in SUBSET set] == IF s = {} THEN base
                                ELSE LET x == CHOOSE x \\in s : TRUE IN op(x, iter[s \\ {x}])
  IN iter[set]
Next == \\E p \\in 1..3, q \\in 1..3 :
          /\\ p # q /\\ w[p] # Zero /\\ w[p].den < 4
          /\\ w' = [w EXCEPT ![p] = Half(w[p]), ![q] = Add(@, Half(w[p]))]
Inv == /\\ Total = One
       /\\ \\A p \\in 1..3 : IsDyadicRational(w[p])
       /\\ FoldFunctionOnSet(+, 0, [i \\in 1..3 |-> w[i].den], {1, 3}) =< 8
       /\\ ReduceSet(\\intersect, {{w[1].den, 1, 2}, {1, 2, 4}}, {1, 2, 4}) \\subseteq {1, 2, 4}
       /\\ Add(Half(One), Half(One)) = One /\\ Half(Zero) = Zero /\\ Add(Zero, Half(One)).den = 2
====
"""


SAME_AS_DEFINITION = """---- MODULE SameAsDefinition ----
EXTENDS Naturals, Sequences, FiniteSets, FiniteSetsExt, SequencesExt, Functions
VARIABLES s, t
Init == s = <<>> /\\ t = {}
Next == \\/ /\\ Len(s) < 4
           /\\ \\E e \\in 1..3 : s' = IF Quantify(ToSet(s), LAMBDA x : x > 1) > 1
                                   THEN Reverse(Cons(e, s)) ELSE Append(s, e)
           /\\ \\E k \\in kSubset(2, ToSet(s')) \\cup {{}} : t' = k
        \\/ /\\ Len(s) > 0 /\\ Len(s) + MapThenSumSet(LAMBDA x : 2 * x, t) < 9
           /\\ s' = Front(s)
           /\\ t' = DOMAIN Restrict([i \\in 1..3 |-> i], t)
Inv == Len(s) =< 4 /\\ (s # <<>> => Last(s) \\in 1..3)
====
"""


@pytest.mark.parametrize("name, text, tlc", [
    # the bag emptied by (-) or BagRemove is EmptyBag, a bag of {1} is <<1>>: one state each
    # (the interpreter's (-) once kept another form of the same function: 110 states)
    ("BagOps", BAGS, (94, 308, 5)),
    ("BagMore", BAGS_MORE, (60, 215, 7)),
    ("Dyadic", DYADIC, (10, 17, 3)),
    # natives whose module definitions the compiled backend lowers (community.SAME_AS_DEFINITION)
    ("SameAsDefinition", SAME_AS_DEFINITION, (316, 858, 5)),
])
def test_natives_run_compiled_with_the_interpreters_states_and_tlcs_counts(tmp_path, name, text, tlc):
    (tmp_path / f"{name}.tla").write_text(text)
    (tmp_path / f"{name}.cfg").write_text("INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    model = TLAModel(str(tmp_path / f"{name}.tla"))
    compiled = compile_model(model)
    options = bfs.Options(deadlock=False)
    outcome = verify(model, compiled, options)
    assert outcome.equal, outcome.message
    mine = explore(model, compiled, options)
    assert compiled.interpreted_instead is None
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == (Status.OK, *tlc)
    theirs = bfs.explore(TLAModel(str(tmp_path / f"{name}.tla")), options)
    assert (theirs.distinct_states, theirs.states_generated, theirs.depth) == tlc


@pytest.mark.slow
@pytest.mark.parametrize("model_id, tlc", [
    ("Huang/Huang.cfg", (81_256, 1_165_101, 21)),  # TLC, -workers 1: 13 min wall at load 15
    ("KeyValueStore/MCKVsnap.cfg", (32_293, 63_082, 13)),
])
def test_oracle_models_of_these_natives_are_the_interpreters_then_tlcs(model_id, tlc):
    """Their first states are the interpreter's (the interpreter needs minutes for all of
    them); the whole run gives TLC's counts (with one worker: the manifest has the verdict
    only)."""
    found = [m for m in oracle_models() if m["id"] == model_id]
    if not found:
        pytest.skip(f"no oracle at {EXAMPLES}")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    model = TLAModel(spec_for(found[0]), found[0]["cfg"])
    compiled = compile_model(model)
    outcome = verify(model, compiled, bfs.Options(max_states=5_000, deadlock=model.checks_deadlock))
    assert not outcome.differs and outcome.states == 5_000, outcome.message  # agree on those
    result = explore(model, compiled, bfs.Options(deadlock=model.checks_deadlock))
    assert compiled.interpreted_instead is None
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, *tlc)
