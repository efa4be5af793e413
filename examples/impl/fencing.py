"""A lock service with leases and fencing tokens, a storage server, and clients (asyncio).

The story of ``examples/fencing_lock.py`` as code: a client takes the lease (the lock
service hands out tokens 33, 34, ... in order, and a lease ends ``lease`` seconds after it
was granted, whatever the client believes), does its work, which may include a pause longer
than the lease, and writes once to the storage with its token. The storage keeps the tokens
of the writes it accepted and rejected, and, unless ``planted_bug``, rejects a write whose
token is older than the newest it accepted.

Every step that the spec models is logged with the tracer, named as the spec names it
(``acquire``, ``lease_expires``, ``write``, with the spec's argument names) together with
what the component that took it can observe, named as the spec's variables: the lock service
knows ``holder``, ``next_token`` and which token it gave whom; the storage knows
``accepted`` and ``rejected``. Nobody can observe ``wrote`` or ``late_writes`` directly, so
they are not logged: refute treats them as unknown.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

from refute.conformance import Tracer

from .clock import VirtualClockLoop


@dataclass
class Config:
    """A run: ``pauses[c]``/``starts[c]`` fix client c's pause and start time; the others
    are drawn from ``random.Random(seed)``, as are network delays."""

    clients: int = 2
    first_token: int = 33
    lease: float = 10.0
    retry: float = 2.0
    planted_bug: bool = False
    seed: int = 0
    pauses: dict[int, float] = field(default_factory=dict)
    starts: dict[int, float] = field(default_factory=dict)
    delay: tuple[float, float] = (0.1, 1.0)


class Network:
    """Request/response over in-process queues, each message delayed by a random time."""

    def __init__(self, rng: random.Random, delay: tuple[float, float]) -> None:
        self.rng = rng
        self.delay = delay

    async def call(self, server: Any, message: tuple) -> Any:
        await asyncio.sleep(self.rng.uniform(*self.delay))
        reply: asyncio.Future = asyncio.get_running_loop().create_future()
        server.inbox.put_nowait((message, reply))
        answer = await reply
        await asyncio.sleep(self.rng.uniform(*self.delay))
        return answer


class LockService:
    def __init__(self, config: Config, tracer: Tracer | None) -> None:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.tracer = tracer
        self.lease = config.lease
        self.holder: int | None = None
        self.next_token = config.first_token
        self.given: dict[int, int] = {}
        self.lease_ends: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    async def serve(self) -> None:
        while True:
            (kind, client), reply = await self.inbox.get()
            assert kind == "acquire"
            if self.holder is not None:
                reply.set_result(None)
                continue
            token = self.next_token
            self.next_token += 1
            self.holder = client
            self.given[client] = token
            loop = asyncio.get_running_loop()
            self.lease_ends = loop.time() + self.lease
            self._timer = loop.call_at(self.lease_ends, self._expire, client)
            if self.tracer:
                self.tracer.event("acquire", client=client, token=token, holder=client,
                                  next_token=self.next_token, state={"token": {client: token}})
            reply.set_result(token)

    def _expire(self, client: int) -> None:
        self.holder = None
        self.lease_ends = None
        if self.tracer:
            self.tracer.event("lease_expires", client=client, holder=None)


class Storage:
    def __init__(self, config: Config, tracer: Tracer | None) -> None:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.tracer = tracer
        self.check_tokens = not config.planted_bug
        self.accepted: list[int] = []
        self.rejected: list[int] = []
        self.data: list[tuple[int, str]] = []
        self.writers: set[int] = set()
        self.stale_accepted: list[int] = []  # log indexes of writes accepted with an old token

    async def serve(self) -> None:
        while True:
            (kind, client, token, data), reply = await self.inbox.get()
            assert kind == "write"
            self.writers.add(client)
            if self.check_tokens and self.accepted and token < max(self.accepted):
                self.rejected.append(token)
                ok = False
            else:
                if self.accepted and token < max(self.accepted) and self.tracer:
                    self.stale_accepted.append(self.tracer.count)
                self.accepted.append(token)
                self.data.append((token, data))
                ok = True
            if self.tracer:
                self.tracer.event("write", client=client, token=token,
                                  accepted=self.accepted, rejected=self.rejected)
            reply.set_result(ok)


class Client:
    def __init__(self, number: int, network: Network, lock: LockService, storage: Storage,
                 config: Config) -> None:
        self.number = number
        self.network = network
        self.lock = lock
        self.storage = storage
        self.retry = config.retry
        self.token: int | None = None

    async def acquire_once(self) -> int | None:
        self.token = await self.network.call(self.lock, ("acquire", self.number))
        return self.token

    async def write(self) -> bool:
        return await self.network.call(
            self.storage, ("write", self.number, self.token, f"data from client {self.number}"))

    async def run(self, start: float, pause: float) -> None:
        await asyncio.sleep(start)
        while await self.acquire_once() is None:
            await asyncio.sleep(self.retry)
        await asyncio.sleep(pause)  # the work, or a garbage-collection pause
        await self.write()


class System:
    """The lock service, the storage and the clients of one run, on the running loop."""

    def __init__(self, config: Config, tracer: Tracer | None = None) -> None:
        self.config = config
        self.tracer = tracer
        self.rng = random.Random(config.seed)
        self.network = Network(self.rng, config.delay)
        self.lock = LockService(config, tracer)
        self.storage = Storage(config, tracer)
        self.clients = {c: Client(c, self.network, self.lock, self.storage, config)
                        for c in range(1, config.clients + 1)}
        self.servers: list[asyncio.Task] = []

    def start_servers(self) -> None:
        self.servers = [asyncio.ensure_future(self.lock.serve()),
                        asyncio.ensure_future(self.storage.serve())]

    async def run(self) -> None:
        self.start_servers()
        rng = self.rng
        plans = []
        for c, client in self.clients.items():
            start = self.config.starts.get(c, rng.uniform(0, 5))
            long_pause = rng.random() < 0.3
            pause = self.config.pauses.get(
                c, rng.uniform(1.2, 2.5) * self.config.lease if long_pause else rng.uniform(0, 2))
            plans.append(client.run(start, pause))
        await asyncio.gather(*plans)
        await asyncio.sleep(self.config.lease)  # let the last lease run out
        for task in self.servers:
            task.cancel()


def run(config: Config, log: Any) -> System:
    """Run ``config`` to the end on a virtual clock, logging to ``log`` (a path or a file)."""
    tracer = Tracer(log)
    loop = VirtualClockLoop()
    system = System(config, tracer)
    try:
        loop.run_until_complete(system.run())
    finally:
        loop.close()
        tracer.close()
    return system
