"""A cache in front of a database: FizzBee's latency example, as a performance model.

A request looks the key up in the cache (10 ms). On a hit it is answered; on a miss the
database is queried, which finds the key (100 ms) or not (30 ms). ``cache_lookup.perf.yaml``
gives the hit ratio (0.2) and the database's chance of finding the key (0.9)::

    refute perf examples/cache_lookup.py

mean latency ``10 + 0.8 * (0.9 * 100 + 0.1 * 30) = 84.4`` ms; outcomes hit 0.20, found 0.72,
not found 0.08. With ``-p hit_ratio=0.8`` the mean is 28.6 ms; ``--sweep
hit_ratio=0.1:0.9:0.1 --html cache.html`` draws the curve. ``examples/tla/CacheLookup.tla``
is the same design in TLA+, and the same side file gives it the same figures.
"""

from refute import Spec, State, action, outcome, terminal


class CacheLookup(Spec):
    def init(self):
        return State(phase="lookup", result="none")

    @action
    def lookup(self, s):
        if s.phase == "lookup":
            yield outcome("hit", s.update(phase="done", result="hit"))
            yield outcome("miss", s.update(phase="query_db"))

    @action
    def query_db(self, s):
        if s.phase == "query_db":
            yield outcome("found", s.update(phase="done", result="found"))
            yield outcome("not_found", s.update(phase="done", result="not_found"))

    @terminal
    def answered(self, s):
        return s.phase == "done"
