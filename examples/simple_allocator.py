"""Merz's simple resource allocator: clients request, obtain and return sets of resources.

A client may request a set of resources once its previous request is satisfied and it holds
nothing; the allocator hands out available resources it asked for, possibly a part of the
request at a time; a client may return resources at any moment. Safety: no resource is held
by two clients. Liveness: a satisfied client eventually returns everything it holds
(``clients_will_return``), and every requested resource is eventually obtained
(``clients_will_obtain``), which needs fairness: weak for returning *everything* a client
holds (TLA+'s ``WF_vars(Return(c, alloc[c]))``), strong for allocating to each client.

Port of SimpleAllocator.tla (tlaplus/Examples, specifications/allocator, by Stephan Merz),
with the same variables and actions; with 3 clients and 2 resources TLC explores 400
distinct states (1,633 generated) and all three properties hold::

    refute check examples/simple_allocator.py

With only weak fairness for allocation a client can be starved: each time the resource it
waits for is free, another client takes it first, so allocating to it is enabled again and
again but never continuously. TLC reports a lasso for ``ClientsWillObtain``; so does refute::

    refute check examples/simple_allocator.py -p strong_allocate=false
"""

from itertools import combinations

from refute import (Spec, State, action, always_eventually, each, invariant, leads_to, liveness,
                    strong, weak)


class SimpleAllocator(Spec):
    def __init__(self, clients: int = 3, resources: int = 2, strong_allocate: bool = True):
        self.clients = self.model_values("c", clients)
        self.resources = self.model_values("r", resources)
        # the non-empty subsets: every action of the TLA+ spec requires S # {}
        self.subsets = tuple(frozenset(chosen) for size in range(1, resources + 1)
                             for chosen in combinations(self.resources, size))
        fair_allocation = strong if strong_allocate else weak
        self.fairness = (
            weak("return_", for_each="c", when=lambda s, c, rs: rs == s.alloc[c]),
            fair_allocation("allocate", for_each="c"),
        )

    def init(self):
        return State(unsat={c: frozenset() for c in self.clients},
                     alloc={c: frozenset() for c in self.clients})

    def available(self, s):
        return frozenset(self.resources).difference(*s.alloc.values())

    @action
    def request(self, s, c=each("clients"), rs=each("subsets")):
        if not s.unsat[c] and not s.alloc[c]:
            return s.update(unsat=s.unsat.set(c, rs))

    @action
    def allocate(self, s, c=each("clients"), rs=each("subsets")):
        if rs <= self.available(s) & s.unsat[c]:
            return s.update(alloc=s.alloc.set(c, s.alloc[c] | rs),
                            unsat=s.unsat.set(c, s.unsat[c] - rs))

    @action
    def return_(self, s, c=each("clients"), rs=each("subsets")):
        if rs <= s.alloc[c]:
            return s.update(alloc=s.alloc.set(c, s.alloc[c] - rs))

    @invariant
    def type_invariant(self, s):
        everything = frozenset(self.resources)
        return all(s.unsat[c] <= everything and s.alloc[c] <= everything for c in self.clients)

    @invariant
    def resource_mutex(self, s):
        return all(not (s.alloc[a] & s.alloc[b]) for a, b in combinations(self.clients, 2))

    @liveness
    def clients_will_return(self, c=each("clients")):
        return leads_to(lambda s: not s.unsat[c], lambda s: not s.alloc[c])

    @liveness
    def clients_will_obtain(self, c=each("clients"), r=each("resources")):
        return leads_to(lambda s: r in s.unsat[c], lambda s: r in s.alloc[c])

    @liveness
    def inf_often_satisfied(self, c=each("clients")):
        return always_eventually(lambda s: not s.unsat[c])
