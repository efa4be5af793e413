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

\* Bit by bit from the lowest: the lowest bits combined, then the rest of both numbers (halved)
\* combined, until both are 0. TLC computes the same with Java code for natural numbers.
RECURSIVE AndBits(_, _), OrBits(_, _), XorBits(_, _), NotBits(_)
LOCAL AndBits(x, y) ==
    IF x = 0 \/ y = 0 THEN 0 ELSE 2 * AndBits(x \div 2, y \div 2) + (x % 2) * (y % 2)
LOCAL OrBits(x, y) ==
    IF x = 0 THEN y ELSE IF y = 0 THEN x
    ELSE 2 * OrBits(x \div 2, y \div 2) + ((x % 2) + (y % 2) + 1) \div 2
LOCAL XorBits(x, y) ==
    IF x = 0 THEN y ELSE IF y = 0 THEN x
    ELSE 2 * XorBits(x \div 2, y \div 2) + ((x % 2) + (y % 2)) % 2
LOCAL NotBits(x) == IF x = 0 THEN 0 ELSE 2 * NotBits(x \div 2) + (1 - x % 2)

\* Bitwise and, or and exclusive or of two natural numbers.
x & y == AndBits(x, y)
x | y == OrBits(x, y)
x ^^ y == XorBits(x, y)

\* a with each bit below its highest set bit flipped (Not(0) = 0).
Not(a) == NotBits(a)

\* n shifted right by pos bits.
shiftR(n, pos) == n \div 2^pos
=============================================================================
