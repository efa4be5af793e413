--------------------------- MODULE SequencesExt ---------------------------
(***************************************************************************)
(* refute's own declarations of the SequencesExt operators. Written by     *)
(* refute from their meaning (no third-party text); refute finds this      *)
(* module only when the spec's folder and REFUTE_TLA_MODULES hold none of  *)
(* this name (docs/tla.md). Natives (refute/tla/stdlib.py and              *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
LOCAL INSTANCE Sequences
LOCAL INSTANCE Naturals
LOCAL INSTANCE FiniteSets
LOCAL INSTANCE FiniteSetsExt
LOCAL INSTANCE Functions
LOCAL INSTANCE Folds
LOCAL INSTANCE TLC

\* The set of the elements of s.
ToSet(s) == { s[i] : i \in DOMAIN s }

\* A sequence holding each element of S once; all such sequences.
SetToSeq(S) == CHOOSE f \in [1..Cardinality(S) -> S] : IsInjective(f)
SetToSeqs(S) == { f \in [1..Cardinality(S) -> S] : IsInjective(f) }

\* SetToSeq(S) sorted by op; every sequence of distinct elements of S.
SetToSortSeq(S, op(_, _)) == SortSeq(SetToSeq(S), op)
SetToAllKPermutations(S) == UNION { SetToSeqs(T) : T \in SUBSET S }

\* The sequences of exactly n, and of at most n, elements of S.
TupleOf(S, n) == [1..n -> S]
SeqOf(S, n) == UNION { [1..m -> S] : m \in 0..n }
BoundedSeq(S, n) == SeqOf(S, n)

\* Whether e is an element of s.
Contains(s, e) == \E i \in 1..Len(s) : s[i] = e

\* s backwards; s without its elements equal to e; s with each old replaced by new.
Reverse(s) == [ i \in 1..Len(s) |-> s[Len(s) - i + 1] ]
Remove(s, e) == SelectSeq(s, LAMBDA x : x # e)
ReplaceAll(s, old, new) == [ i \in 1..Len(s) |-> IF s[i] = old THEN new ELSE s[i] ]

\* The first (last) index of s, or among from..to, whose element passes Test; 0 if none.
SelectInSubSeq(s, from, to, Test(_)) ==
    LET I == { i \in from..to : Test(s[i]) } IN IF I = {} THEN 0 ELSE Min(I)
SelectInSeq(s, Test(_)) == SelectInSubSeq(s, 1, Len(s), Test)
SelectLastInSubSeq(s, from, to, Test(_)) ==
    LET I == { i \in from..to : Test(s[i]) } IN IF I = {} THEN 0 ELSE Max(I)
SelectLastInSeq(s, Test(_)) == SelectLastInSubSeq(s, 1, Len(s), Test)

\* s with e put in at index i, with its i-th element replaced by e, with it taken out.
InsertAt(s, i, e) == SubSeq(s, 1, i - 1) \o << e >> \o SubSeq(s, i, Len(s))
ReplaceAt(s, i, e) == [ s EXCEPT ![i] = e ]
RemoveAt(s, i) == SubSeq(s, 1, i - 1) \o SubSeq(s, i + 1, Len(s))

\* s without its first element equal to e (that passes Test); s if there is none.
RemoveFirst(s, e) ==
    IF Contains(s, e) THEN RemoveAt(s, SelectInSeq(s, LAMBDA x : x = e)) ELSE s
RemoveFirstMatch(s, Test(_)) ==
    IF SelectInSeq(s, Test) = 0 THEN s ELSE RemoveAt(s, SelectInSeq(s, Test))

\* e put in front of s, or after it; s without its last element; its last element.
Cons(e, s) == << e >> \o s
Snoc(e, s) == Append(s, e)
Front(s) == SubSeq(s, 1, Len(s) - 1)
Last(s) == s[Len(s)]

\* Whether s begins (ends) t, and is not t.
IsPrefix(s, t) == Len(s) <= Len(t) /\ s = SubSeq(t, 1, Len(s))
IsStrictPrefix(s, t) == IsPrefix(s, t) /\ s # t
IsSuffix(s, t) == IsPrefix(Reverse(s), Reverse(t))
IsStrictSuffix(s, t) == IsSuffix(s, t) /\ s # t

\* The prefixes of s, those common to all sequences of S, the longest of those; the suffixes of s.
Prefixes(s) == { SubSeq(s, 1, n) : n \in 0..Len(s) }
CommonPrefixes(S) ==
    { p \in UNION { Prefixes(s) : s \in S } : \A s \in S : IsPrefix(p, s) }
LongestCommonPrefix(S) ==
    CHOOSE p \in CommonPrefixes(S) : \A q \in CommonPrefixes(S) : Len(q) <= Len(p)
Suffixes(s) == { SubSeq(s, n, Len(s)) : n \in 1..Len(s) } \cup { << >> }

\* a modulo b in 1..b.
SeqMod(a, b) == IF a % b = 0 THEN b ELSE a % b

\* op(s[n], ... op(s[2], op(s[1], base))): s folded from its first element.
FoldSeq(op(_, _), base, s) == FoldFunction(op, base, s)

\* op(... op(op(base, s[1]), s[2]) ..., s[n]).
FoldLeft(op(_, _), base, s) ==
    MapThenFoldSet(LAMBDA x, acc : op(acc, x), base, LAMBDA i : s[i],
                   LAMBDA I : Max(I), DOMAIN s)

\* op(s[1], op(s[2], ... op(s[n], base))).
FoldRight(op(_, _), s, base) ==
    MapThenFoldSet(op, base, LAMBDA i : s[i], LAMBDA I : Min(I), DOMAIN s)

\* FoldLeft and FoldRight over the indices of s.
FoldLeftDomain(op(_, _), base, s) == FoldLeft(op, base, [ i \in DOMAIN s |-> i ])
FoldRightDomain(op(_, _), s, base) == FoldRight(op, [ i \in DOMAIN s |-> i ], base)

\* The concatenation of a sequence of sequences.
FlattenSeq(ss) == FoldRight(LAMBDA x, acc : x \o acc, ss, << >>)

\* The pairs of the elements of s and t at the same index (as many as the shorter has).
Zip(s, t) ==
    [ i \in 1..(IF Len(s) <= Len(t) THEN Len(s) ELSE Len(t)) |-> << s[i], t[i] >> ]

\* << <<s[1]>>, <<t[1]>>, <<s[2]>>, <<t[2]>>, ... >> for s and t of the same length
\* (<< <<>>, <<>> >> when both are empty).
Interleave(s, t) ==
    CASE Len(s) = Len(t) /\ Len(s) > 0 ->
            [ i \in 1..(2 * Len(s)) |->
                IF i % 2 = 1 THEN << s[(i + 1) \div 2] >> ELSE << t[i \div 2] >> ]
      [] Len(s) = Len(t) -> << << >>, << >> >>

\* The contiguous pieces of s, and every sequence of its elements in their order.
SubSeqs(s) == { SubSeq(s, i + 1, j) : i, j \in 0..Len(s) }
AllSubSeqs(s) ==
    { [ k \in 1..Cardinality(D) |->
          s[CHOOSE i \in D : Cardinality({ j \in D : j <= i }) = k] ] : D \in SUBSET DOMAIN s }

\* The index where s first occurs as a contiguous piece of t.
IndexFirstSubSeq(s, t) ==
    LET ends == { i \in 0..Len(t) : s \in SubSeqs(SubSeq(t, 1, i)) }
    IN  Min(ends) - (Len(s) - 1)

\* t with the piece s that starts at index i replaced by r.
ReplaceSubSeqAt(i, r, s, t) == SubSeq(t, 1, i - 1) \o r \o SubSeq(t, i + Len(s), Len(t))

\* t with the first occurrence of s replaced by r (t if s does not occur).
ReplaceFirstSubSeq(r, s, t) ==
    IF s \in SubSeqs(t) THEN ReplaceSubSeqAt(IndexFirstSubSeq(s, t), r, s, t) ELSE t

\* t with every occurrence of s, taken from the left without overlaps, replaced by r
\* (r before each element of t when s is empty).
RECURSIVE ReplaceAllSubSeqs(_, _, _)
ReplaceAllSubSeqs(r, s, t) ==
    CASE s = t -> r
      [] r = s -> t
      [] Len(s) = 0 -> FlattenSeq([ i \in 1..Len(t) |-> r \o << t[i] >> ])
      [] Len(t) < Len(s) -> t
      [] SubSeq(t, 1, Len(s)) = s ->
            r \o ReplaceAllSubSeqs(r, s, SubSeq(t, Len(s) + 1, Len(t)))
      [] OTHER -> << t[1] >> \o ReplaceAllSubSeqs(r, s, Tail(t))
=============================================================================
