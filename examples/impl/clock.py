"""An asyncio event loop on a virtual clock: deterministic runs that take no real time.

When nothing is ready to run, a real loop sleeps until its next timer; this one moves its
clock forward to that timer instead. Everything else is the standard loop, so callbacks run in
the order asyncio always runs them (ready callbacks first in, first out; timers by deadline),
and a program whose only randomness comes from a seeded ``random.Random`` replays exactly.
Only in-process communication is possible (no sockets would ever be waited for).
"""

from __future__ import annotations

import asyncio
import selectors


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual_now = 0.0
        super().__init__(selector=_Selector(self))

    def time(self) -> float:
        return self._virtual_now


class _Selector(selectors.DefaultSelector):
    def __init__(self, loop: VirtualClockLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list:
        ready = super().select(0)
        if ready:
            return ready
        if timeout is None:
            raise RuntimeError("deadlock: every task waits and no timer is pending")
        self._loop._virtual_now += timeout
        return ready
