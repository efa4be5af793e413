---------------------------- MODULE SequencesExt ----------------------------
(***************************************************************************)
(* refute's own declarations of the SequencesExt operators it implements   *)
(* natively (refute/tla/stdlib.py), written by refute from their meaning.  *)
(* refute finds this module only when the spec's folder and                *)
(* REFUTE_TLA_MODULES hold no SequencesExt.tla (docs/tla.md). The natives  *)
(* replace these definitions; the definitions say what they compute.       *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

\* The set of the elements of the sequence s.
ToSet(s) == { s[i] : i \in DOMAIN s }

\* s backwards.
Reverse(s) == [ i \in 1..Len(s) |-> s[Len(s) - i + 1] ]

\* A sequence holding each element of the finite set S once.
SetToSeq(S) ==
    CHOOSE s \in [1..Cardinality(S) -> S] : \A i, j \in 1..Cardinality(S) : s[i] = s[j] => i = j

\* op(s[1], op(s[2], ... op(s[n], base))) applied from the first element on:
\* acc_0 = base, acc_i = op(s[i], acc_(i-1)), the result acc_n.
RECURSIVE FoldSeq(_, _, _)
FoldSeq(op(_, _), base, s) ==
    IF s = << >> THEN base ELSE FoldSeq(op, op(Head(s), base), Tail(s))

\* op(... op(op(base, s[1]), s[2]) ..., s[n]).
RECURSIVE FoldLeft(_, _, _)
FoldLeft(op(_, _), base, s) ==
    IF s = << >> THEN base ELSE FoldLeft(op, op(base, Head(s)), Tail(s))

\* op(s[1], op(s[2], ... op(s[n], base))).
RECURSIVE FoldRight(_, _, _)
FoldRight(op(_, _), s, base) ==
    IF s = << >> THEN base ELSE op(Head(s), FoldRight(op, Tail(s), base))

\* s with e in front, all of s but its last element, and its last element.
Cons(e, s) == << e >> \o s
Front(s) == SubSeq(s, 1, Len(s) - 1)
Last(s) == s[Len(s)]
=============================================================================
