---------------------------- MODULE Paxos ----------------------------
(* Single-decree Paxos (Lamport, "Paxos Made Simple"): the TLA+ twin of examples/paxos.py,  *)
(* state for state (benchmarks/bench_python_specs.py runs both; tests/examples/test_paxos.py *)
(* asserts TLC's counts). Messages are never lost nor removed: a set that only grows.       *)
EXTENDS Integers, FiniteSets

CONSTANTS Acceptors, Values, Ballots

VARIABLES maxBal, maxVBal, maxVal, msgs
vars == <<maxBal, maxVBal, maxVal, msgs>>

None == "none"
Quorums == {Q \in SUBSET Acceptors : 2 * Cardinality(Q) > Cardinality(Acceptors)}

Init == /\ maxBal = [a \in Acceptors |-> -1]
        /\ maxVBal = [a \in Acceptors |-> -1]
        /\ maxVal = [a \in Acceptors |-> None]
        /\ msgs = {}

Send(m) == msgs' = msgs \cup {m}

(* A leader of ballot b asks the acceptors to promise. *)
Prepare(b) == /\ Send([type |-> "1a", bal |-> b])
              /\ UNCHANGED <<maxBal, maxVBal, maxVal>>

(* An acceptor promises a ballot above any it has promised, and reports its last vote. *)
Promise(a) == \E m \in msgs :
                /\ m.type = "1a"
                /\ m.bal > maxBal[a]
                /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
                /\ Send([type |-> "1b", acc |-> a, bal |-> m.bal, mbal |-> maxVBal[a],
                         mval |-> maxVal[a]])
                /\ UNCHANGED <<maxVBal, maxVal>>

(* Having promises from a quorum, the leader of ballot b proposes v: the value of the       *)
(* highest-ballot vote reported, or any value if none was.                                  *)
(* (Safe is tested as a condition: TLC would otherwise compute the successor once for each *)
(* quorum that allows it, which changes its count of states generated, not of states.)      *)
Safe(b, v) ==
  \E Q \in Quorums :
    LET promises == {m \in msgs : m.type = "1b" /\ m.acc \in Q /\ m.bal = b}
        voted == {m \in promises : m.mbal >= 0}
    IN  /\ \A a \in Q : \E m \in promises : m.acc = a
        /\ \/ voted = {}
           \/ \E m \in voted : m.mval = v /\ \A n \in voted : m.mbal >= n.mbal

Propose(b, v) ==
  /\ ~ \E m \in msgs : m.type = "2a" /\ m.bal = b
  /\ IF Safe(b, v) THEN TRUE ELSE FALSE
  /\ Send([type |-> "2a", bal |-> b, val |-> v])
  /\ UNCHANGED <<maxBal, maxVBal, maxVal>>

(* An acceptor votes for a proposal of a ballot at least as high as any it promised. *)
Accept(a) == \E m \in msgs :
               /\ m.type = "2a"
               /\ m.bal >= maxBal[a]
               /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
               /\ maxVBal' = [maxVBal EXCEPT ![a] = m.bal]
               /\ maxVal' = [maxVal EXCEPT ![a] = m.val]
               /\ Send([type |-> "2b", acc |-> a, bal |-> m.bal, val |-> m.val])

Next == \/ \E b \in Ballots : Prepare(b) \/ \E v \in Values : Propose(b, v)
        \/ \E a \in Acceptors : Promise(a) \/ Accept(a)

Spec == Init /\ [][Next]_vars

Chosen(v) == \E b \in Ballots, Q \in Quorums :
               \A a \in Q : [type |-> "2b", acc |-> a, bal |-> b, val |-> v] \in msgs

Agreement == \A v, w \in Values : Chosen(v) /\ Chosen(w) => v = w
=============================================================================
