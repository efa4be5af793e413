------------------------------- MODULE TLAPS -------------------------------
(***************************************************************************)
(* refute's own stand-in for the TLA+ Proof System's module, so that a     *)
(* spec that EXTENDS TLAPS can be checked without it. refute ignores       *)
(* proofs, where TLAPS's names are used (BY SMT, BY Zenon, ...); the       *)
(* names of its usual proof back ends are declared here, as TRUE, so that  *)
(* a spec naming one elsewhere still reads. refute finds this module only  *)
(* when the spec's folder and REFUTE_TLA_MODULES hold no TLAPS.tla.        *)
(***************************************************************************)
SMT == TRUE
Zenon == TRUE
Isa == TRUE
Auto == TRUE
Force == TRUE
Blast == TRUE
SimpleArithmetic == TRUE
PTL == TRUE
LS4 == TRUE
SMTT(X) == TRUE
ZenonT(X) == TRUE
IsaT(X) == TRUE
IsaM(X) == TRUE
=============================================================================
