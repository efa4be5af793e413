------------------------------ MODULE Graphs ------------------------------
(***************************************************************************)
(* refute's own declarations of the Graphs operators (directed graphs).    *)
(* Written by refute from their meaning (no third-party text); refute      *)
(* finds this module only when the spec's folder and REFUTE_TLA_MODULES    *)
(* hold none of this name (docs/tla.md). Natives (refute/tla/stdlib.py and *)
(* community.py) replace the definitions TLC replaces with Java code; the  *)
(* others are evaluated as written.                                        *)
(***************************************************************************)
LOCAL INSTANCE Naturals
LOCAL INSTANCE Sequences
LOCAL INSTANCE SequencesExt
LOCAL INSTANCE FiniteSets

\* A graph is a record [node |-> N, edge |-> E]; a directed edge is a pair <<from, to>>.
IsDirectedGraph(G) ==
    /\ G = [ node |-> G.node, edge |-> G.edge ]
    /\ G.edge \subseteq G.node \X G.node

\* The directed graphs made of some of G's nodes and edges.
DirectedSubgraph(G) ==
    { H \in [ node : SUBSET G.node, edge : SUBSET (G.node \X G.node) ] :
        IsDirectedGraph(H) /\ H.edge \subseteq G.edge }

\* G with every edge reversed.
Transpose(G) == [ edge |-> { << e[2], e[1] >> : e \in G.edge }, node |-> G.node ]

\* A directed graph with each edge's reverse.
IsUndirectedGraph(G) == IsDirectedGraph(G) /\ \A e \in G.edge : << e[2], e[1] >> \in G.edge
UndirectedSubgraph(G) == { H \in DirectedSubgraph(G) : IsUndirectedGraph(H) }

\* The non-empty sequences of nodes each linked to the next by an edge; those without repeats.
Path(G) == { p \in Seq(G.node) :
                p # << >> /\ \A i \in 1..(Len(p) - 1) : << p[i], p[i + 1] >> \in G.edge }
SimplePath(G) == { p \in SeqOf(G.node, Cardinality(G.node)) :
                      /\ p # << >>
                      /\ Cardinality(ToSet(p)) = Len(p)
                      /\ \A i \in 1..(Len(p) - 1) : << p[i], p[i + 1] >> \in G.edge }

\* Whether a path leads from m to n.
AreConnectedIn(m, n, G) == \E p \in SimplePath(G) : p[1] = m /\ p[Len(p)] = n

\* [<<m, n>> |-> whether a path leads from m to n].
ConnectionsIn(G) == [ m, n \in G.node |-> AreConnectedIn(m, n, G) ]

\* Whether a path leads from any node to any other.
IsStronglyConnected(G) == \A m, n \in G.node : AreConnectedIn(m, n, G)

\* Whether G is a tree whose edges lead towards the root r.
IsTreeWithRoot(G, r) ==
    /\ IsDirectedGraph(G)
    /\ \A e \in G.edge : e[1] # r /\ \A f \in G.edge : e[1] = f[1] => e = f
    /\ \A n \in G.node : AreConnectedIn(n, r, G)
=============================================================================
