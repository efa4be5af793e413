------------------------------- MODULE Folds -------------------------------
(***************************************************************************)
(* refute's own declaration of the Folds operator it implements natively   *)
(* (refute/tla/stdlib.py), written by refute from its meaning. refute      *)
(* finds this module only when the spec's folder and REFUTE_TLA_MODULES    *)
(* hold no Folds.tla (docs/tla.md). The native replaces this definition;   *)
(* the definition says what it computes.                                   *)
(***************************************************************************)

\* op(f(e1), op(f(e2), ... op(f(en), base))) over the elements of S, taken one at a
\* time by choose(T), which picks an element of the non-empty set T.
RECURSIVE MapThenFoldSet(_, _, _, _, _)
MapThenFoldSet(op(_, _), base, f(_), choose(_), S) ==
    IF S = {} THEN base
    ELSE LET e == choose(S)
         IN  op(f(e), MapThenFoldSet(op, base, f, choose, S \ {e}))
=============================================================================
