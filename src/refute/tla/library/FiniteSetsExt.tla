--------------------------- MODULE FiniteSetsExt ---------------------------
(***************************************************************************)
(* refute's own declarations of the FiniteSetsExt operators it implements  *)
(* natively (refute/tla/stdlib.py), written by refute from their meaning.  *)
(* refute finds this module only when the spec's folder and                *)
(* REFUTE_TLA_MODULES hold no FiniteSetsExt.tla (docs/tla.md). The natives *)
(* replace these definitions; the definitions say what they compute.       *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

\* op(e1, op(e2, ... op(en, base))) over the elements e1, ..., en of S.
RECURSIVE FoldSet(_, _, _)
FoldSet(op(_, _), base, S) ==
    IF S = {} THEN base
    ELSE LET e == CHOOSE x \in S : TRUE
         IN  op(e, FoldSet(op, base, S \ {e}))

\* The greatest and the least element of a non-empty set of integers.
Max(S) == CHOOSE x \in S : \A y \in S : y <= x
Min(S) == CHOOSE x \in S : \A y \in S : x <= y

\* The sum of a finite set of integers.
SumSet(S) == FoldSet(LAMBDA x, acc : x + acc, 0, S)

\* The subsets of S with exactly k elements.
kSubset(k, S) == { T \in SUBSET S : Cardinality(T) = k }

\* How many elements of S satisfy P.
Quantify(S, P(_)) == Cardinality({ x \in S : P(x) })

\* The sum of f(x) over the elements x of S.
MapThenSumSet(f(_), S) == FoldSet(LAMBDA x, acc : f(x) + acc, 0, S)
=============================================================================
