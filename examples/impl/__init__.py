"""A real, small implementation of the fencing_lock story, for ``refute trace`` and ``testgen``.

``fencing.py``: an asyncio lock service that hands out leases with fencing tokens, a storage
server, and clients that take the lease, work (sometimes pausing past their lease, as a GC
pause would), and write with their token; they talk over in-process queues with network
delays. Every component logs its steps with :class:`refute.conformance.Tracer`, named as
``examples/fencing_lock.py`` names them. ``planted_bug=True`` makes the storage skip the token
check. ``clock.py``: an event loop on a virtual clock, so runs are deterministic for a seed
and take no real time. ``adapter.py``: drives the implementation one spec step at a time, for
replaying the paths ``refute testgen`` generates.
"""
