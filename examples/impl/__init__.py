"""Real, small asyncio implementations, for ``refute trace``, ``testgen`` and ``fuzz``.

``fencing.py``: an asyncio lock service that hands out leases with fencing tokens, a storage
server, and clients that take the lease, work (sometimes pausing past their lease, as a GC
pause would), and write with their token; they talk over in-process queues with network
delays. Every component logs its steps with :class:`refute.conformance.Tracer`, named as
``examples/fencing_lock.py`` names them. ``planted_bug=True`` makes the storage skip the token
check. ``clock.py``: an event loop on a virtual clock, so runs are deterministic for a seed
and take no real time. ``adapter.py``: drives the implementation one spec step at a time, for
replaying the paths ``refute testgen`` generates (and for the Hypothesis bridge,
``refute.testing.stateful``).

Targets for ``refute fuzz`` (docs/testing-implementations.md), each with its correct version
(``TARGET``) and a planted bug that needs an interleaving and a fault (``BUGGY``):

* ``commit.py`` (spec ``commit_spec.py``): two-phase commit whose recovering coordinator
  forgets a commit decision it had not yet written to disk;
* ``election.py`` (spec ``election_spec.py``): Raft-style election where a voter that
  crashes after voting forgets its vote, and two leaders are elected in one term;
* ``fencing_service.py`` (spec ``../fencing_lock.py``): the fencing service on the simulated
  network, whose storage checks a token before a slow disk write and records it after, so a
  re-sent old write is accepted after a newer one.
"""
