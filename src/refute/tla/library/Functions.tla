----------------------------- MODULE Functions -----------------------------
(***************************************************************************)
(* refute's own declarations of the Functions operators. Written by refute *)
(* from their meaning (no third-party text); refute finds this module only *)
(* when the spec's folder and REFUTE_TLA_MODULES hold none of this name    *)
(* (docs/tla.md). Natives (refute/tla/stdlib.py and community.py) replace  *)
(* the definitions TLC replaces with Java code; the others are evaluated   *)
(* as written.                                                             *)
(***************************************************************************)
LOCAL INSTANCE Folds

\* [x \in S |-> f[x]]: f cut down to the arguments in S.
Restrict(f, S) == [ x \in S |-> f[x] ]

\* f cut down to the arguments that pass Test, or whose values pass Test.
RestrictDomain(f, Test(_)) == Restrict(f, { x \in DOMAIN f : Test(x) })
RestrictValues(f, Test(_)) == Restrict(f, { x \in DOMAIN f : Test(f[x]) })

\* Whether narrow is wide cut down to narrow's domain.
IsRestriction(narrow, wide) ==
    /\ DOMAIN narrow \subseteq DOMAIN wide
    /\ \A x \in DOMAIN narrow : narrow[x] = wide[x]

\* The set of values f takes.
Range(f) == { f[x] : x \in DOMAIN f }

\* f and g combined argument by argument with T.
Pointwise(f, g, T(_, _)) == [ x \in DOMAIN f |-> T(f[x], g[x]) ]

\* For each t in T, an argument in S where f takes t (any element of S if none does).
Inverse(f, S, T) == [ t \in T |-> CHOOSE s \in S : t \in Range(f) => f[s] = t ]

\* f's inverse, from its range to its domain.
AntiFunction(f) == Inverse(f, DOMAIN f, Range(f))

\* Whether no two arguments of f have the same value.
IsInjective(f) == \A x, y \in DOMAIN f : f[x] = f[y] => x = y

\* The injective, surjective and bijective functions from S to T.
Injection(S, T) == { g \in [S -> T] : IsInjective(g) }
Surjection(S, T) == { g \in [S -> T] : \A t \in T : \E s \in S : g[s] = t }
Bijection(S, T) == Injection(S, T) \cap Surjection(S, T)
ExistsInjection(S, T) == Injection(S, T) # {}
ExistsSurjection(S, T) == Surjection(S, T) # {}
ExistsBijection(S, T) == Bijection(S, T) # {}

\* op(f[i1], op(f[i2], ... op(f[in], base))) over the arguments in Ind (or DOMAIN f).
FoldFunctionOnSet(op(_, _), base, f, Ind) ==
    MapThenFoldSet(op, base, LAMBDA i : f[i], LAMBDA S : CHOOSE i \in S : TRUE, Ind)
FoldFunction(op(_, _), base, f) == FoldFunctionOnSet(op, base, f, DOMAIN f)
=============================================================================
