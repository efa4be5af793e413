"""An asyncio event loop on a virtual clock, for deterministic simulation.

:class:`SimLoop` is asyncio's own ``BaseEventLoop`` (so ``asyncio.sleep``, ``Queue``,
``wait_for``, tasks, futures and locks behave exactly as they always do) with two things
replaced:

* **time is virtual.** Where a real loop would block in ``select`` until its next timer, this
  one moves its clock to that timer at once. A run of simulated minutes takes milliseconds,
  and nothing depends on how fast the machine is;
* **there is no I/O.** Nodes talk through :class:`refute.testing.network.Network`, which is
  made of futures and timers; sockets, subprocesses and executors are refused.

Determinism: callbacks run in asyncio's order (ready callbacks first in first out, timers by
deadline, ties in the heap's order, which depends only on the order they were scheduled).
Every choice a run makes (delays, faults, the implementation's own randomness) comes from one
:class:`~refute.testing.schedule.Chooser`, so a run is a function of its schedule.

The loop also knows which simulated node each task belongs to (a context variable set when a
node starts, inherited by every task it creates), so that a crash can cancel exactly the
node's tasks. When nothing is ready and no timer is pending, the system is quiescent and
:attr:`on_quiescent` is called: the run is over.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

CURRENT_NODE: contextvars.ContextVar[Any] = contextvars.ContextVar("refute_sim_node", default=None)
"""The simulated node whose code is running (``None``: the harness)."""

_MAX_TIMEOUT = 24 * 3600.0  # asyncio's MAXIMUM_SELECT_TIMEOUT: longer waits take several steps


class SimLoop(asyncio.BaseEventLoop):
    """A deterministic event loop whose clock advances only when every task waits."""

    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0
        # A fixed resolution: the default is the host's monotonic clock's, which differs
        # between machines, and decides which timers count as due together.
        self._clock_resolution = 1e-9
        self._selector = _VirtualSelector(self)
        self.on_quiescent: Callable[[], None] | None = None
        self.task_owner: Callable[[asyncio.Task, Any], None] | None = None
        self.set_task_factory(self._make_task)

    def time(self) -> float:
        return self._now

    def _make_task(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        context = kwargs.get("context")
        node = context.run(CURRENT_NODE.get) if context is not None else CURRENT_NODE.get()
        if node is not None and self.task_owner is not None:
            self.task_owner(task, node)
        return task

    def _process_events(self, event_list: list) -> None:
        """No file descriptors: nothing to process."""

    def _write_to_self(self) -> None:
        """``call_soon_threadsafe`` needs no wake-up: the loop never blocks."""

    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> asyncio.Future:
        raise RuntimeError("the simulated loop runs no threads: call the function directly, "
                           "or make it a coroutine")

    async def getaddrinfo(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the simulated loop has no real network: use the Network refute "
                           "hands each node (node.send / node.recv / node.open_connection)")

    async def create_connection(self, *args: Any, **kwargs: Any) -> Any:
        return await self.getaddrinfo()

    async def create_server(self, *args: Any, **kwargs: Any) -> Any:
        return await self.getaddrinfo()


class _VirtualSelector:
    """Stands where the selector would: a wait for ``timeout`` seconds becomes a clock jump."""

    def __init__(self, loop: SimLoop) -> None:
        self._loop = loop

    def select(self, timeout: float | None = None) -> list:
        loop = self._loop
        if timeout is None:
            if loop.on_quiescent is None:
                raise RuntimeError("deadlock: every task waits and no timer is pending")
            loop.on_quiescent()
        elif timeout > 0:
            loop._now += min(timeout, _MAX_TIMEOUT)
        return []

    def close(self) -> None:
        """Nothing to release."""
