---------------------------- MODULE SeedCounter -----------------------------
(* A tiny spec of refute's own: the fuzzing seed when the tlaplus/Examples oracle is absent,
   and the module the .cfg crashers are checked against. *)
EXTENDS Naturals, Sequences, FiniteSets, TLC

CONSTANTS Procs, Limit, Nil

VARIABLES count, owner, log

vars == <<count, owner, log>>

TypeOK == /\ count \in 0..Limit
          /\ owner \in Procs \cup {Nil}
          /\ log \in Seq(Procs)

Init == /\ count = 0
        /\ owner = Nil
        /\ log = << >>

Acquire(p) == /\ owner = Nil
              /\ owner' = p
              /\ UNCHANGED <<count, log>>

Step(p) == /\ owner = p
           /\ count < Limit
           /\ count' = count + 1
           /\ log' = Append(log, p)
           /\ UNCHANGED owner

Release(p) == /\ owner = p
              /\ owner' = Nil
              /\ UNCHANGED <<count, log>>

Next == \E p \in Procs : Acquire(p) \/ Step(p) \/ Release(p)

Spec == Init /\ [][Next]_vars /\ WF_vars(Next)

Bounded == Len(log) = count /\ count =< Limit

Owners == {owner} \ {Nil}
OneOwner == Cardinality(Owners) =< 1
=============================================================================
