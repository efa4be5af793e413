"""Drive the implementation one spec step at a time, to replay ``refute testgen`` paths.

One method per action of ``examples/fencing_lock.py``, and ``observe()`` reading the
implementation's state named as the spec's variables. Each step runs the event loop (on the
virtual clock) until the step is done; ``lease_expires`` lets time pass until the lease runs
out. The implementation picks tokens itself: if it gives a different one than the spec
expects, ``observe()`` shows it and the replay fails there.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .clock import VirtualClockLoop
from .fencing import Config, System


class FencingAdapter:
    def __init__(self, clients: int = 2, planted_bug: bool = False) -> None:
        self.loop = VirtualClockLoop()
        asyncio.set_event_loop(self.loop)
        # Short fixed delays: a step's round trip never outlasts a lease by accident.
        self.system = System(Config(clients=clients, planted_bug=planted_bug,
                                    delay=(0.01, 0.01)))
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        self.system.start_servers()

    def acquire(self, client: int, token: int) -> None:
        got = self.loop.run_until_complete(self.system.clients[client].acquire_once())
        if got is None:
            raise RuntimeError(f"the lock service refused client {client}")

    def lease_expires(self, client: int) -> None:
        ends = self.system.lock.lease_ends
        if self.system.lock.holder != client or ends is None:
            raise RuntimeError(f"client {client} holds no lease")
        self.loop.run_until_complete(asyncio.sleep(ends - self.loop.time() + 0.001))

    def write(self, client: int, token: int) -> None:
        self.loop.run_until_complete(self.system.clients[client].write())

    def observe(self) -> dict[str, Any]:
        lock, storage = self.system.lock, self.system.storage
        return {"holder": lock.holder, "next_token": lock.next_token,
                "token": {c: client.token for c, client in self.system.clients.items()},
                "wrote": set(storage.writers), "accepted": tuple(storage.accepted),
                "rejected": tuple(storage.rejected)}

    def close(self) -> None:
        for task in self.system.servers:
            task.cancel()
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()
        asyncio.set_event_loop(None)
