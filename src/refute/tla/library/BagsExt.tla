------------------------------ MODULE BagsExt ------------------------------
(***************************************************************************)
(* refute's own declarations of the BagsExt operators. Written by refute   *)
(* from their meaning (no third-party text); refute finds this module only *)
(* when the spec's folder and REFUTE_TLA_MODULES hold none of this name    *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE Bags
LOCAL INSTANCE Integers
LOCAL INSTANCE Folds

\* B with one more copy of x.
BagAdd(B, x) ==
    [ e \in DOMAIN B \cup { x } |-> IF e = x THEN CopiesIn(x, B) + 1 ELSE B[e] ]

\* B with one copy of x fewer (B if it holds none).
BagRemove(B, x) ==
    IF x \notin DOMAIN B THEN B
    ELSE IF B[x] = 1 THEN [ e \in DOMAIN B \ { x } |-> B[e] ]
    ELSE [ B EXCEPT ![x] = @ - 1 ]

\* B without any copy of x.
BagRemoveAll(B, x) == [ e \in DOMAIN B \ { x } |-> B[e] ]

\* op applied to every copy of every element of B, from base: acc := op(acc, e) for the
\* elements in their order, each as many times as B holds it.
FoldBag(op(_, _), base, B) ==
    LET copies(e, acc) == LET f[n \in 0..B[e]] == IF n = 0 THEN acc ELSE op(f[n - 1], e)
                          IN  f[B[e]]
    IN  MapThenFoldSet(copies, base, LAMBDA e : e, LAMBDA S : CHOOSE e \in S : TRUE, DOMAIN B)

\* The sum and the product of the elements of a bag of integers, with their copies.
SumBag(B) == FoldBag(LAMBDA x, acc : x + acc, 0, B)
ProductBag(B) == FoldBag(LAMBDA x, acc : x * acc, 1, B)
=============================================================================
