---------------------------- MODULE VectorClocks ----------------------------
(***************************************************************************)
(* refute's own declarations of the VectorClocks operators (logs of a      *)
(* distributed system stamped with vector clocks). Written by refute from  *)
(* their meaning (no third-party text); refute finds this module only when *)
(* the spec's folder and REFUTE_TLA_MODULES hold none of this name         *)
(* (docs/tla.md). CausalOrder is computed natively (refute/tla/            *)
(* community.py), as TLC computes it with Java code; IsCausalOrder is      *)
(* evaluated as written.                                                   *)
(***************************************************************************)
LOCAL INSTANCE Naturals
LOCAL INSTANCE Sequences
LOCAL INSTANCE Functions

\* A clock c as a function on D, 0 where c has no entry.
LOCAL Widened(c, D) == [ n \in D |-> IF n \in DOMAIN c THEN c[n] ELSE 0 ]

\* Clock a is before clock b: nowhere later, somewhere earlier.
LOCAL Before(a, b) ==
    /\ \A n \in DOMAIN a : a[n] <= b[n]
    /\ \E n \in DOMAIN a : a[n] < b[n]

\* Neither is before the other: each is earlier somewhere.
LOCAL Unordered(a, b) ==
    \E m, n \in DOMAIN a : m # n /\ a[m] < b[m] /\ a[n] > b[n]

\* Every entry of log is, by its clock, after or unordered with every earlier entry.
IsCausalOrder(log, clock(_)) ==
    \A later \in 1..Len(log) :
        \A earlier \in 1..(later - 1) :
            LET D == DOMAIN clock(log[later]) \cup DOMAIN clock(log[earlier])
                a == Widened(clock(log[earlier]), D)
                b == Widened(clock(log[later]), D)
            IN Before(a, b) \/ Unordered(a, b)

\* log's entries rearranged into an order their clocks allow: clock(e) is e's vector clock,
\* node(e) the node that logged e (clock(e)[node(e)] is that node's count), domain(c) the
\* nodes clock c counts. The native gives the order TLC's Java code gives (docs/tla.md).
CausalOrder(log, clock(_), node(_), domain(_)) ==
    CHOOSE order \in { f \in [ 1..Len(log) -> Range(log) ] : Range(f) = Range(log) } :
        IsCausalOrder(order, clock)
=============================================================================
