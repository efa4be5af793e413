"""One simulated run: nodes on a :class:`~refute.testing.loop.SimLoop`, a faulty network, and
every event handed to an observer (the oracle) as it happens.

The run is a function of its :class:`~refute.testing.schedule.Chooser` (seed and genes): the
loop is deterministic, and every delay, loss, duplication, crash, restart delay and
``node.random`` number is a decision of the Chooser. It ends at the virtual time
``horizon``, when the system is quiescent (nothing ready, no timer), or at once when the
observer rejects an event or the implementation raises; then every node's tasks are
cancelled and the loop closed, so no task outlives its run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from refute.conformance.values import encode
from refute.testing.loop import SimLoop
from refute.testing.network import Node, NodeCrashed, RunStopped
from refute.testing.schedule import Chooser, Faults

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=encode).encode

Observer = Callable[[dict[str, Any]], bool]
"""Called with each event as it would be logged (JSON); returns False to stop the run."""


@dataclass(frozen=True)
class CrashEvents:
    """How crashes and restarts appear to the spec: ``action(node=NAME)`` events, for a spec
    that models them (``None``: the spec does not, and crashes are not reported)."""

    crash: str | None = "crash"
    restart: str | None = "restart"
    argument: str = "node"


@dataclass(frozen=True)
class ImplementationError:
    """The implementation raised: a bug whatever the spec says."""

    node: str | None
    error: str


class Simulation:
    """Runs ``setup(sim)`` (which adds nodes with :meth:`node`) under a schedule."""

    def __init__(self, chooser: Chooser, faults: Faults, horizon: float,
                 observer: Observer, crash_events: CrashEvents | None = None) -> None:
        self.chooser = chooser
        self.faults = faults
        self.horizon = horizon
        self.observer = observer
        self.crash_events = crash_events
        self.loop = SimLoop()
        self.loop.task_owner = self._own
        self.loop.set_exception_handler(self._callback_failed)
        self.nodes: dict[str, Node] = {}
        self.servers: dict[tuple[str, int], Callable] = {}
        self.log: list[dict[str, Any]] = []
        self.crashes = 0
        self.stopped = False
        self.error: ImplementationError | None = None
        self._done: asyncio.Future | None = None

    def node(self, name: str, main: Callable[[Node], Any], crashable: bool = True) -> Node:
        """Add a node that runs ``main(node)`` from the start of the run (and after a restart)."""
        if name in self.nodes:
            raise ValueError(f"two nodes named {name!r}")
        node = self.nodes[name] = Node(self, name, main, crashable)
        return node

    # -- running -----------------------------------------------------------------------------
    def run(self, setup: Callable[[Simulation], Any]) -> None:
        loop = self.loop
        try:
            self._done = loop.create_future()
            loop.on_quiescent = self.stop
            loop.call_at(self.horizon, self.stop)
            setup(self)
            for node in self.nodes.values():
                loop.call_soon(self._start, node, False)
            loop.run_until_complete(self._done)
            self.stopped = True
            pending = [task for node in self.nodes.values() for task in node.tasks]
            for task in pending:
                task.cancel()
            if pending:
                loop.on_quiescent = None
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            loop.close()

    def stop(self) -> None:
        self.stopped = True
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def _start(self, node: Node, restart: bool) -> None:
        if self.stopped:
            return
        node.up = True
        node._inbox = asyncio.Queue()
        if restart and self.crash_events and self.crash_events.restart:
            self.record(self.crash_events.restart, {self.crash_events.argument: node.name},
                        node.stamp())
        node.in_context(self.loop.create_task, node.main(node))

    # -- what nodes call ---------------------------------------------------------------------
    def transmit(self, sender: Node, to: str, message: Any, clock: dict[str, int]) -> None:
        chooser, faults, loop = self.chooser, self.faults, self.loop
        lost = chooser.chance(f"lose {sender.name}->{to}", faults.loss)
        copies = 2 if chooser.chance(f"duplicate {sender.name}->{to}", faults.duplicate) else 1
        for _ in range(copies):
            delay = chooser.uniform("delay", *faults.delay)
            if not lost:
                loop.call_later(delay, self._arrive, sender.name, to, message, clock)

    def _arrive(self, sender: str, to: str, message: Any, clock: dict[str, int]) -> None:
        node = self.nodes[to]
        if node.up and not self.stopped:
            node.deliver(sender, message, clock)

    def crash_point(self, node: Node, where: str) -> None:
        if not node.crashable or not node.up:
            return
        chosen = self.chooser.chance(f"crash {node.name} after {where}", self.faults.crash)
        if chosen and self.crashes < self.faults.max_crashes:
            self.crash(node)
            raise NodeCrashed(node.name)

    def crash(self, node: Node) -> None:
        """Crash ``node`` now: its tasks, connections, servers and inbox are gone."""
        node.up = False
        node.crashes += 1
        self.crashes += 1
        current = asyncio.current_task(self.loop)
        for task in list(node.tasks):
            if task is not current:
                task.cancel()
        for transport in list(node.transports):
            transport.abort()
        for key in [key for key in self.servers if key[0] == node.name]:
            del self.servers[key]
        events = self.crash_events
        if events and events.crash:
            self.record(events.crash, {events.argument: node.name}, node.stamp())
        delay = self.chooser.uniform(f"restart {node.name}", *self.faults.restart)
        self.loop.call_later(delay, self._start, node, True)

    def record(self, action: str | None, fields: dict[str, Any], meta: dict[str, Any]) -> None:
        """Log an event (as JSON, exactly as a Tracer writes it) and hand it to the observer."""
        event = json.loads(_dumps({"action": action, **fields, "meta": meta}))
        self.log.append(event)
        if not self.observer(event):
            self.stop()
            raise RunStopped

    # -- failures of the implementation ------------------------------------------------------
    def _own(self, task: asyncio.Task, node: Node) -> None:
        node.tasks.add(task)
        task.add_done_callback(lambda done: self._task_done(done, node))

    def _task_done(self, task: asyncio.Task, node: Node) -> None:
        node.tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it also keeps asyncio from logging it at GC
        if exc is not None and not isinstance(exc, (NodeCrashed, RunStopped)):
            self._failed(node.name, exc)

    def _callback_failed(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, (NodeCrashed, RunStopped, asyncio.CancelledError)):
            return
        self._failed(None, exc if exc is not None else RuntimeError(context.get("message")))

    def _failed(self, node: str | None, exc: BaseException) -> None:
        if self.error is None and not self.stopped:
            self.error = ImplementationError(node, f"{type(exc).__name__}: {exc}")
            self.stop()
