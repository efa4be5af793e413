----------------------------- MODULE Relation -----------------------------
(***************************************************************************)
(* refute's own declarations of the Relation operators. Written by refute  *)
(* from their meaning (no third-party text); refute finds this module only *)
(* when the spec's folder and REFUTE_TLA_MODULES hold none of this name    *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE Naturals
LOCAL INSTANCE FiniteSets

\* A relation R on S is a function [S \X S -> BOOLEAN]; the ...Under forms take it as an
\* operator op(x, y).
LOCAL AsRelation(op(_, _), S) == [ p \in S \X S |-> op(p[1], p[2]) ]

IsReflexive(R, S) == \A x \in S : R[x, x]
IsIrreflexive(R, S) == \A x \in S : ~R[x, x]
IsSymmetric(R, S) == \A x, y \in S : R[x, y] <=> R[y, x]
IsAntiSymmetric(R, S) == \A x, y \in S : (R[x, y] /\ R[y, x]) => x = y
IsAsymmetric(R, S) == \A x, y \in S : ~(R[x, y] /\ R[y, x])
IsTransitive(R, S) == \A x, y, z \in S : (R[x, y] /\ R[y, z]) => R[x, z]
IsStrictlyPartiallyOrdered(R, S) ==
    IsIrreflexive(R, S) /\ IsAntiSymmetric(R, S) /\ IsTransitive(R, S)
IsPartiallyOrdered(R, S) == IsReflexive(R, S) /\ IsAntiSymmetric(R, S) /\ IsTransitive(R, S)
IsStrictlyTotallyOrdered(R, S) ==
    IsStrictlyPartiallyOrdered(R, S) /\ \A x, y \in S : x # y => (R[x, y] \/ R[y, x])
IsTotallyOrdered(R, S) == IsPartiallyOrdered(R, S) /\ \A x, y \in S : R[x, y] \/ R[y, x]

IsReflexiveUnder(op(_, _), S) == IsReflexive(AsRelation(op, S), S)
IsIrreflexiveUnder(op(_, _), S) == IsIrreflexive(AsRelation(op, S), S)
IsSymmetricUnder(op(_, _), S) == IsSymmetric(AsRelation(op, S), S)
IsAntiSymmetricUnder(op(_, _), S) == IsAntiSymmetric(AsRelation(op, S), S)
IsAsymmetricUnder(op(_, _), S) == IsAsymmetric(AsRelation(op, S), S)
IsTransitiveUnder(op(_, _), S) == IsTransitive(AsRelation(op, S), S)
IsStrictlyPartiallyOrderedUnder(op(_, _), S) ==
    IsStrictlyPartiallyOrdered(AsRelation(op, S), S)
IsPartiallyOrderedUnder(op(_, _), S) == IsPartiallyOrdered(AsRelation(op, S), S)
IsStrictlyTotallyOrderedUnder(op(_, _), S) == IsStrictlyTotallyOrdered(AsRelation(op, S), S)
IsTotallyOrderedUnder(op(_, _), S) == IsTotallyOrdered(AsRelation(op, S), S)

\* R's transitive closure: x reaches y through steps of R (at most Cardinality(S) of them).
TransitiveClosure(R, S) ==
    LET reach[n \in Nat] ==
            [ x, y \in S |-> IF n = 0 THEN R[x, y]
                             ELSE reach[n - 1][x, y]
                                  \/ \E z \in S : reach[n - 1][x, z] /\ reach[n - 1][z, y] ]
    IN  reach[Cardinality(S)]

\* The same, each element also reaching itself; whether any element reaches any other.
ReflexiveTransitiveClosure(R, S) ==
    LET T == TransitiveClosure(R, S) IN [ x, y \in S |-> x = y \/ T[x, y] ]
IsConnected(R, S) == \A x, y \in S : ReflexiveTransitiveClosure(R, S)[x, y]
=============================================================================
