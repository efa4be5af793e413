"""What an implementation under test receives: a :class:`Node` handle, its network and clock.

A node's code is ``async def main(node)``; refute calls it when the node starts and again
after every crash, with the same handle. Everything the node keeps in Python objects is lost
in a crash; ``node.disk`` (a dict) survives it. The handle offers:

* messages: ``node.send(to, message)`` and ``src, message = await node.recv()``; each
  message is delayed, and may be lost, duplicated or overtaken by a later one, as the run's
  schedule decides (:class:`~refute.testing.schedule.Faults`);
* streams: ``reader, writer = await node.open_connection(to, port)`` and
  ``await node.start_server(handler, port)``, which give asyncio's own ``StreamReader`` and
  ``StreamWriter``; bytes arrive in order, after delays (TCP: no loss or duplication), and a
  crash of either end resets the connection;
* time: ``node.now()`` is the loop's virtual clock; plain ``asyncio.sleep``,
  ``asyncio.wait_for`` and ``loop.call_later`` use it;
* randomness: ``node.random`` (a ``random.Random``) draws from the run's schedule, so the
  implementation's own random choices are replayed and mutated with the rest;
* the oracle: ``node.trace(action, **fields)`` reports a step, named and shaped as in
  :mod:`refute.conformance.log` (``refute.conformance.Tracer``'s arguments); refute checks it
  against the spec at once. Events carry the node's name and vector clock under ``"meta"``.

Crash points: a crashable node may crash right after any message it sends and any event it
traces (the schedule decides). The crash unwinds the node's code at that point (by raising
:class:`NodeCrashed`, which derives from ``BaseException`` so that ``except Exception`` does
not swallow it) and cancels its other tasks; it restarts after a delay the schedule picks.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from refute.testing.loop import CURRENT_NODE
from refute.testing.schedule import ScheduledRandom

if TYPE_CHECKING:
    from refute.testing.simulation import Simulation


class NodeCrashed(BaseException):
    """Raised at a crash point of the node that crashes there; the simulation handles it."""


class RunStopped(BaseException):
    """Raised in a node's code once the run is over (a divergence was found)."""


class Node:
    """One simulated process (see the module docstring)."""

    def __init__(self, sim: Simulation, name: str, main: Callable[[Node], Awaitable[Any]],
                 crashable: bool) -> None:
        self.name = name
        self.main = main
        self.crashable = crashable
        self.disk: dict[str, Any] = {}
        self.random = ScheduledRandom(sim.chooser)
        self.up = False
        self.crashes = 0
        self.clock: dict[str, int] = {}
        self.tasks: set[asyncio.Task] = set()
        self.transports: set[_StreamTransport] = set()
        self._sim = sim
        self._inbox: asyncio.Queue = asyncio.Queue()

    def __repr__(self) -> str:
        return f"Node({self.name!r})"

    # -- time --------------------------------------------------------------------------------
    def now(self) -> float:
        return self._sim.loop.time()

    # -- messages ----------------------------------------------------------------------------
    def send(self, to: str, message: Any) -> None:
        """Send ``message`` to node ``to``: delivered later, maybe lost or duplicated."""
        sim = self._sim
        if sim.stopped:
            raise RunStopped
        if not self.up:
            return
        if to not in sim.nodes:
            raise KeyError(f"no node {to!r}; the nodes are {', '.join(sim.nodes)}")
        sim.transmit(self, to, message, dict(self.clock))
        sim.crash_point(self, "send")

    async def recv(self) -> tuple[str, Any]:
        """The next message delivered to this node, as ``(sender, message)``."""
        src, message, clock = await self._inbox.get()
        self._merge(clock)
        return src, message

    def deliver(self, src: str, message: Any, clock: dict[str, int]) -> None:
        self._inbox.put_nowait((src, message, clock))

    def _merge(self, clock: dict[str, int]) -> None:
        own = self.clock
        for name, count in clock.items():
            if own.get(name, 0) < count:
                own[name] = count

    # -- the oracle --------------------------------------------------------------------------
    def trace(self, action: str | None, /, **fields: Any) -> None:
        """Report a step (see :mod:`refute.conformance.log`); checked against the spec now."""
        sim = self._sim
        if sim.stopped:
            raise RunStopped
        meta = self.stamp()
        if "meta" in fields:
            meta = {**fields.pop("meta"), **meta}
        sim.record(action, fields, meta)
        sim.crash_point(self, "trace")

    def stamp(self) -> dict[str, Any]:
        """The ``meta`` of this node's next event: its name, vector clock (ticked) and time."""
        self.clock[self.name] = self.clock.get(self.name, 0) + 1
        return {"node": self.name, "clock": dict(self.clock), "time": round(self.now(), 9)}

    # -- streams -----------------------------------------------------------------------------
    async def start_server(self, handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter],
                                                   Awaitable[Any]], port: int) -> None:
        """Accept stream connections on ``port``; ``handler(reader, writer)`` runs per client
        as a task of this node. Forgotten when the node crashes."""
        self._sim.servers[(self.name, port)] = handler

    async def open_connection(self, to: str, port: int
                              ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to ``port`` of node ``to``; ``ConnectionRefusedError`` if nothing listens."""
        sim = self._sim
        loop = sim.loop
        await asyncio.sleep(sim.chooser.uniform("connect", *sim.faults.delay))
        handler = sim.servers.get((to, port))
        server = sim.nodes.get(to)
        if handler is None or server is None or not server.up:
            raise ConnectionRefusedError(f"node {to!r} does not listen on port {port}")
        reader = asyncio.StreamReader(loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        mine = _StreamTransport(sim, self, protocol, (to, port))
        server_reader = asyncio.StreamReader(loop=loop)
        server_protocol = asyncio.StreamReaderProtocol(server_reader, handler, loop=loop)
        theirs = _StreamTransport(sim, server, server_protocol, (self.name, port))
        mine.peer, theirs.peer = theirs, mine
        protocol.connection_made(mine)
        # The handler's task must belong to the server, for crashes to cancel it there.
        server.in_context(server_protocol.connection_made, theirs)
        return reader, asyncio.StreamWriter(mine, protocol, reader, loop)

    def in_context(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call ``function`` as code of this node (tasks it creates belong to the node)."""
        context = contextvars.copy_context()
        context.run(CURRENT_NODE.set, self)
        return context.run(function, *args)


class _StreamTransport(asyncio.Transport):
    """One end of a simulated TCP connection: in-order delivery after delays, reset by crashes."""

    def __init__(self, sim: Simulation, node: Node, protocol: asyncio.Protocol,
                 peername: tuple[str, int]) -> None:
        super().__init__()
        self._sim = sim
        self._node = node
        self._protocol = protocol
        self._peername = peername
        self.peer: _StreamTransport | None = None
        self._closing = False
        self._lost = False
        self._last_arrival = 0.0
        node.transports.add(self)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": self._peername, "sockname": (self._node.name, 0)}.get(name, default)

    def is_closing(self) -> bool:
        return self._closing

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol

    def _arrival(self) -> float:
        """When bytes written now arrive: after a delay, never before earlier bytes (FIFO)."""
        sim = self._sim
        at = sim.loop.time() + sim.chooser.uniform("stream", *sim.faults.delay)
        # Strictly later than the bytes before: timers due at the same instant run in the
        # heap's order, not the order they were scheduled in.
        self._last_arrival = max(at, self._last_arrival + 1e-6)
        return self._last_arrival

    def write(self, data: bytes) -> None:
        if self._closing or not data:
            return
        self._sim.loop.call_at(self._arrival(), self._to_peer, "data_received", bytes(data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if not self._closing:
            self._sim.loop.call_at(self._arrival(), self._to_peer, "eof_received")

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._sim.loop.call_at(self._arrival(), self._to_peer, "eof_received")
        self._sim.loop.call_at(self._arrival(), self._to_peer, "connection_lost", None)
        self._sim.loop.call_soon(self._lose, None)

    def abort(self) -> None:
        """Reset: this end is gone at once; the peer learns it after a delay."""
        self._closing = True
        self._sim.loop.call_at(self._arrival(), self._to_peer, "connection_lost",
                               ConnectionResetError("connection reset by peer"))
        self._lose(None)

    def _lose(self, exc: Exception | None) -> None:
        if not self._lost:
            self._lost = True
            self._closing = True
            self._node.transports.discard(self)
            self._protocol.connection_lost(exc)

    def _to_peer(self, what: str, *args: Any) -> None:
        peer = self.peer
        if peer is None or peer._lost:
            return
        if what == "connection_lost":
            peer._lose(*args)
        elif what == "eof_received":
            peer._protocol.eof_received()
        else:
            peer._protocol.data_received(*args)
