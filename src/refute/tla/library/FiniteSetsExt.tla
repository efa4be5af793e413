--------------------------- MODULE FiniteSetsExt ---------------------------
(***************************************************************************)
(* refute's own declarations of the FiniteSetsExt operators. Written by    *)
(* refute from their meaning (no third-party text); refute finds this      *)
(* module only when the spec's folder and REFUTE_TLA_MODULES hold none of  *)
(* this name (docs/tla.md). Natives (refute/tla/stdlib.py and              *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
EXTENDS Folds, Functions
LOCAL INSTANCE Naturals
LOCAL INSTANCE FiniteSets

\* op(e1, op(e2, ... op(en, base))) over the elements e1, ..., en of S.
FoldSet(op(_, _), base, S) ==
    MapThenFoldSet(op, base, LAMBDA x : x, LAMBDA T : CHOOSE x \in T : TRUE, S)

\* The sum and the product of a finite set of integers.
SumSet(S) == FoldSet(LAMBDA x, acc : x + acc, 0, S)
ProductSet(S) == FoldSet(LAMBDA x, acc : x * acc, 1, S)

\* FoldSet with the set first.
ReduceSet(op(_, _), S, acc) == FoldSet(op, acc, S)

\* The sum of f(x) over the elements x of S.
MapThenSumSet(f(_), S) ==
    MapThenFoldSet(LAMBDA x, acc : x + acc, 0, f, LAMBDA T : CHOOSE x \in T : TRUE, S)

\* The union of a set of sets; the elements in exactly one of A and B.
FlattenSet(S) == UNION S
SymDiff(A, B) == (A \ B) \cup (B \ A)

\* How many elements of S satisfy P.
Quantify(S, P(_)) == Cardinality({ x \in S : P(x) })

\* The subsets of S with exactly k elements.
kSubset(k, S) == { T \in SUBSET S : Cardinality(T) = k }

\* The greatest and the least element of a non-empty set of integers.
Max(S) == CHOOSE x \in S : \A y \in S : x >= y
Min(S) == CHOOSE x \in S : \A y \in S : x =< y

\* The sets made by taking one element from each set of Sets.
Choices(Sets) ==
    { Range(c) : c \in { g \in [Sets -> UNION Sets] : \A T \in Sets : g[T] \in T } }

\* The one element of S that satisfies P.
ChooseUnique(S, P(_)) == CHOOSE x \in S : P(x) /\ \A y \in S : P(y) => y = x
=============================================================================
