"""Leases under clock drift (Gray and Cheriton, 1989).

A lease is a lock with a time limit: the server grants it for a term, the holder may act on
it (e.g. serve its cached copy of a file) until the term is over, and the server, once the
term is over on *its* clock, may grant it to someone else without hearing from the holder,
which may have crashed or been cut off. The catch is that holder and server each measure the
term on their own clock, and clocks drift: if the holder's clock runs slow, the holder still
believes it holds the lease when the server has already granted it to another client. Gray
and Cheriton's remedy is to have the holder allow for the drift: it gives up the lease a
safety margin before the term is over on its own clock.

Source: C. Gray and D. Cheriton, "Leases: An Efficient Fault-Tolerant Mechanism for
Distributed File Cache Consistency", SOSP 1989 (section 2, clock drift: "leases require
clocks with a known bounded drift").

The model, in ticks of real time: the server grants the lease to client 1 or 2 for ``term``
ticks (3), measured on its own clock; the holder keeps it for ``term - margin`` ticks
measured on its clock. Time passes with ``tick`` (every clock advances) or
``tick_slow_clock(client)`` (that client's clock, running slow, stays behind), and a holder's
clock may fall behind by at most ``drift`` ticks over one term. ``at_most_one_holder``: no two
clients believe they hold the lease at once.

* ``drift=1, margin=0`` (the defaults): it fails in 5 steps. Client 1 gets the lease, its
  clock lags one tick, the term ends on the server's clock, the server grants the lease to
  client 2, and client 1's clock still shows time left::

    refute check examples/lease.py

* ``margin >= drift``: the holder always gives up the lease before the server's term is
  over, and the property holds::

    refute check examples/lease.py -p margin=1
"""

from refute import Spec, State, action, each, invariant


class Lease(Spec):
    def __init__(self, term: int = 3, drift: int = 1, margin: int = 0, clients: int = 2):
        if not 0 <= margin < term:
            raise ValueError(f"margin must be at least 0 and less than the term ({term})")
        self.term = term
        self.drift = drift
        self.margin = margin
        self.clients = tuple(range(1, clients + 1))

    def init(self):
        # server: the holder as the server sees it, and the term's elapsed time on its clock.
        # holds[c]: whether client c believes it holds the lease; clock[c]: the term's elapsed
        # time on c's clock; lag[c]: how far c's clock has fallen behind during this term.
        return State(server_holder=None, server_clock=0,
                     holds={c: False for c in self.clients},
                     clock={c: 0 for c in self.clients},
                     lag={c: 0 for c in self.clients})

    @action
    def grant(self, s, client=each("clients")):
        if s.server_holder is None and not s.holds[client]:
            return s.update(server_holder=client, server_clock=0,
                            holds=s.holds.set(client, True), clock=s.clock.set(client, 0),
                            lag=s.lag.set(client, 0))

    def advance(self, s, slow=None):
        """One tick of real time; ``slow``'s clock does not advance."""
        server_clock, server_holder = s.server_clock, s.server_holder
        if server_holder is not None:
            server_clock += 1
            if server_clock >= self.term:
                server_holder, server_clock = None, 0
        holds, clock, lag = s.holds, s.clock, s.lag
        for c in self.clients:
            if not holds[c]:
                continue
            if c == slow:
                lag = lag.set(c, lag[c] + 1)
                continue
            if clock[c] + 1 >= self.term - self.margin:
                holds, clock, lag = holds.set(c, False), clock.set(c, 0), lag.set(c, 0)
            else:
                clock = clock.set(c, clock[c] + 1)
        return s.update(server_holder=server_holder, server_clock=server_clock, holds=holds,
                        clock=clock, lag=lag)

    @action
    def tick(self, s):
        return self.advance(s)

    @action
    def tick_slow_clock(self, s, client=each("clients")):
        if s.holds[client] and s.lag[client] < self.drift:
            return self.advance(s, slow=client)

    @invariant
    def at_most_one_holder(self, s):
        return sum(s.holds.values()) <= 1
