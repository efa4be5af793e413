------------------------- MODULE UndirectedGraphs -------------------------
(***************************************************************************)
(* refute's own declarations of the UndirectedGraphs operators. Written by *)
(* refute from their meaning (no third-party text); refute finds this      *)
(* module only when the spec's folder and REFUTE_TLA_MODULES hold none of  *)
(* this name (docs/tla.md). Natives (refute/tla/stdlib.py and              *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
LOCAL INSTANCE Naturals
LOCAL INSTANCE Sequences
LOCAL INSTANCE SequencesExt
LOCAL INSTANCE FiniteSets
LOCAL INSTANCE Folds

\* A graph is a record [node |-> N, edge |-> E]; an undirected edge is a set {a, b} of nodes.
IsUndirectedGraph(G) ==
    /\ G = [ node |-> G.node, edge |-> G.edge ]
    /\ \A e \in G.edge : \E a, b \in G.node : e = { a, b }
IsLoopFreeUndirectedGraph(G) ==
    IsUndirectedGraph(G) /\ \A e \in G.edge : Cardinality(e) = 2

\* The undirected graphs made of some of G's nodes and edges.
UndirectedSubgraph(G) ==
    { H \in [ node : SUBSET G.node, edge : SUBSET G.edge ] : IsUndirectedGraph(H) }

\* The non-empty sequences of nodes each linked to the next by an edge; those without repeats.
Path(G) == { p \in Seq(G.node) :
                p # << >> /\ \A i \in 1..(Len(p) - 1) : { p[i], p[i + 1] } \in G.edge }
SimplePath(G) == { p \in SeqOf(G.node, Cardinality(G.node)) :
                      /\ p # << >>
                      /\ Cardinality(ToSet(p)) = Len(p)
                      /\ \A i \in 1..(Len(p) - 1) : { p[i], p[i + 1] } \in G.edge }

\* The sets of nodes connected with each other.
ConnectedComponents(G) ==
    { { n \in G.node : \E p \in SimplePath(G) : p[1] = m /\ p[Len(p)] = n } : m \in G.node }

\* Whether a path links m and n; whether one links any two nodes.
AreConnectedIn(m, n, G) == \E C \in ConnectedComponents(G) : m \in C /\ n \in C
IsStronglyConnected(G) == Cardinality(ConnectedComponents(G)) = 1
=============================================================================
