-------------------------- MODULE DyadicRationals --------------------------
(***************************************************************************)
(* refute's own declarations of the DyadicRationals operators. Written by  *)
(* refute from their meaning (no third-party text); refute finds this      *)
(* module only when the spec's folder and REFUTE_TLA_MODULES hold none of  *)
(* this name (docs/tla.md). Natives (refute/tla/stdlib.py and              *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
LOCAL INSTANCE Integers
LOCAL INSTANCE TLC

\* A rational number num/den as the record [num |-> num, den |-> den] (num written first:
\* TLC orders the strings "num" and "den" as it first reads them).
Zero == [ num |-> 0, den |-> 1 ]
One == [ num |-> 1, den |-> 1 ]

\* Whether r is dyadic: its denominator a power of two.
IsDyadicRational(r) == \E i \in 0..r.den : 2^i = r.den

\* num/den in lowest terms.
LOCAL GCD(a, b) == CHOOSE d \in 1..b : /\ a % d = 0 /\ b % d = 0
                                      /\ \A e \in 1..b : (a % e = 0 /\ b % e = 0) => e <= d
LOCAL Lowest(num, den) ==
    LET g == GCD(num, den) IN [ num |-> num \div g, den |-> den \div g ]

\* p + q (q when p is Zero), and p / 2, in lowest terms.
Add(p, q) ==
    IF p = Zero THEN q ELSE
    LET d == IF p.den >= q.den THEN p.den ELSE q.den
    IN  Lowest(p.num * (d \div p.den) + q.num * (d \div q.den), d)
Half(p) == Lowest(p.num, p.den * 2)

\* "0", "1" or "num/den".
PrettyPrint(p) ==
    IF p = Zero THEN "0" ELSE IF p = One THEN "1" ELSE ToString(p.num) \o "/" \o ToString(p.den)
=============================================================================
