---------------------------- MODULE CacheLookup ----------------------------
(* A cache in front of a database: examples/cache_lookup.py in TLA+.               *)
(* The actions carry their outcome as a parameter, so that the side file           *)
(* examples/cache_lookup.perf.yaml, keyed by action and outcome, applies as is:    *)
(*     refute perf examples/tla/CacheLookup.tla --model examples/cache_lookup.perf.yaml *)
VARIABLES phase, result

vars == <<phase, result>>

Init == phase = "lookup" /\ result = "none"

lookup(o) ==
    /\ phase = "lookup"
    /\ \/ o = "hit" /\ phase' = "done" /\ result' = "hit"
       \/ o = "miss" /\ phase' = "query_db" /\ UNCHANGED result

query_db(o) ==
    /\ phase = "query_db"
    /\ phase' = "done"
    /\ result' = o

Answered == phase = "done" /\ UNCHANGED vars

Next == \/ \E o \in {"hit", "miss"} : lookup(o)
        \/ \E o \in {"found", "not_found"} : query_db(o)
        \/ Answered

Spec == Init /\ [][Next]_vars

TypeOK == phase \in {"lookup", "query_db", "done"}
=============================================================================
