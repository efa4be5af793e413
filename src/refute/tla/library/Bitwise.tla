------------------------------ MODULE Bitwise ------------------------------
(***************************************************************************)
(* refute's own declarations of the Bitwise operators (natural numbers).   *)
(* Written by refute from their meaning (no third-party text); refute      *)
(* finds this module only when the spec's folder and REFUTE_TLA_MODULES    *)
(* hold none of this name (docs/tla.md). Natives (refute/tla/stdlib.py and *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
LOCAL INSTANCE Integers

\* The bits of a natural number: bit k of x is (x \div 2^k) % 2.
LOCAL Bit(x, k) == (x \div 2^k) % 2
LOCAL Width(x, y) == CHOOSE k \in 0..(x + y + 1) : 2^k > x /\ 2^k > y

\* Bitwise and, or and exclusive or of two natural numbers.
x & y == LET w == Width(x, y) IN
    IF w = 0 THEN 0 ELSE
    LET f[k \in 0..w] == IF k = 0 THEN 0 ELSE f[k - 1] + 2^(k - 1) * (Bit(x, k - 1) * Bit(y, k - 1))
    IN  f[w]
x | y == LET w == Width(x, y) IN
    IF w = 0 THEN 0 ELSE
    LET f[k \in 0..w] == IF k = 0 THEN 0
                         ELSE f[k - 1] + 2^(k - 1) * ((Bit(x, k - 1) + Bit(y, k - 1) + 1) \div 2)
    IN  f[w]
x ^^ y == LET w == Width(x, y) IN
    IF w = 0 THEN 0 ELSE
    LET f[k \in 0..w] == IF k = 0 THEN 0 ELSE f[k - 1] + 2^(k - 1) * ((Bit(x, k - 1) + Bit(y, k - 1)) % 2)
    IN  f[w]

\* a with each bit below its highest set bit flipped (Not(0) = 0).
Not(a) == (2^Width(a, 0) - 1) - a

\* n shifted right by pos bits.
shiftR(n, pos) == n \div 2^pos
=============================================================================
