----------------------------- MODULE Functions -----------------------------
(***************************************************************************)
(* refute's own declarations of the Functions operators it implements      *)
(* natively (refute/tla/stdlib.py), written by refute from their meaning.  *)
(* refute finds this module only when the spec's folder and                *)
(* REFUTE_TLA_MODULES hold no Functions.tla (docs/tla.md). The natives     *)
(* replace these definitions; the definitions say what they compute.       *)
(***************************************************************************)

\* The set of values f takes.
Range(f) == { f[x] : x \in DOMAIN f }

\* f with its domain cut down to the arguments in S.
Restrict(f, S) == [ x \in S \cap DOMAIN f |-> f[x] ]

\* Whether no two arguments of f have the same value.
IsInjective(f) == \A x, y \in DOMAIN f : (f[x] = f[y]) => (x = y)
=============================================================================
