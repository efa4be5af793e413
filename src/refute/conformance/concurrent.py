"""Validating a log of several nodes whose order is known only up to vector clocks.

A distributed system has no true global order of its events: each node logs its own, with
a vector clock (``"meta": {"node": "n1", "clock": {"n1": 3, "n2": 1}}``: this is n1's third
event, and it has seen n2's first). Events ordered by their clocks happened in that order;
concurrent events could have happened in either. As TraceLink asks, the log conforms when
**every** linearisation the clocks allow is a behaviour of the spec: an implementation
whose correctness depends on an accident of timing between concurrent events is wrong.

The search runs over the downsets of the partial order (a downset: how many events of each
node have been consumed; an event is next when its node's previous events and every event
its clock has seen are in), keeping for each downset the distinct sets of spec states that
the linearisations reaching it leave possible (:class:`~refute.conformance.validate.Validator`
computes one event's step). Different orders of commuting events usually leave the same set,
so this is far smaller than the number of linearisations. The first linearisation some event
of which no behaviour explains is reported, with the order of events it took.

Honesty: the answer is exact unless the search held more than ``max_configurations``
(downset, state set) pairs, or the validator cut its frontier; then a conforming answer is
:attr:`~refute.status.Status.INCOMPLETE`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from refute.conformance.log import Event
from refute.conformance.validate import Mismatch, Options, TraceResult, Validator
from refute.engine.model import Model
from refute.errors import InputError
from refute.status import Status


@dataclass(frozen=True)
class ConcurrentResult:
    """``result`` as for a totally ordered log; ``order``: for a violation, the event numbers
    (1-based, as in the log) of the linearisation that failed, up to the failing event;
    ``configurations``: (downset, state set) pairs searched."""

    result: TraceResult
    order: tuple[int, ...]
    configurations: int


def _clock(event: Event, log_name: str) -> tuple[str, dict[str, int]]:
    meta = event.raw.get("meta")
    node = meta.get("node") if isinstance(meta, dict) else None
    clock = meta.get("clock") if isinstance(meta, dict) else None
    if not isinstance(node, str) or not isinstance(clock, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 0 for k, v in clock.items()):
        raise InputError("the event has no vector clock", file=log_name, line=event.line,
                         hint='give each event "meta": {"node": NAME, "clock": {NAME: COUNT, '
                              '...}}, counting the events of each node it has seen (its own '
                              "included)")
    return node, clock


def validate_concurrent(model: Model, events: Iterable[Event], options: Options = Options(),
                        log_name: str = "<log>",
                        max_configurations: int = 200_000) -> ConcurrentResult:
    """Check that every linearisation of ``events`` their vector clocks allow is a behaviour
    of ``model`` (see the module docstring)."""
    started = time.perf_counter()
    chains: dict[str, list[tuple[Event, dict[str, int]]]] = {}
    for event in events:
        node, clock = _clock(event, log_name)
        chain = chains.setdefault(node, [])
        if clock.get(node) != len(chain) + 1:
            raise InputError(f"event of node {node!r} has clock[{node!r}] = {clock.get(node)}, "
                             f"but it is that node's event number {len(chain) + 1} in the log",
                             file=log_name, line=event.line,
                             hint="a node's own clock entry counts its events: 1, 2, 3, ...")
        chain.append((event, clock))
    nodes = sorted(chains)
    total = sum(len(chain) for chain in chains.values())
    validator = Validator(model, options, log_name)
    start_states = frozenset(validator.frontier)
    start = tuple(0 for _ in nodes)
    # configuration -> (parent configuration, event number): how some linearisation got here.
    parents: dict[tuple, tuple[tuple, int] | None] = {(start, start_states): None}
    layer = [(start, start_states)]
    truncated = False
    for _ in range(total):
        following = []
        for downset, states in layer:
            for position, node in enumerate(nodes):
                chain = chains[node]
                if downset[position] == len(chain):
                    continue
                event, clock = chain[downset[position]]
                if any(clock.get(other, 0) > downset[i]
                       for i, other in enumerate(nodes) if other != node):
                    continue  # an event it has seen is not in yet
                validator.frontier = list(states)
                mismatch = validator.feed(event)
                order = _order(parents, (downset, states)) + (event.index + 1,)
                if mismatch is not None:
                    return _violation(model, log_name, validator, mismatch, order, started,
                                      len(parents))
                after = (downset[:position] + (downset[position] + 1,) + downset[position + 1:],
                         frozenset(validator.frontier))
                if after not in parents:
                    if len(parents) >= max_configurations:
                        truncated = True
                        continue
                    parents[after] = ((downset, states), event.index + 1)
                    following.append(after)
        layer = following
    status = Status.INCOMPLETE if truncated or validator.cuts else Status.OK
    widest = max((len(states) for _, states in parents), default=0)
    final = max((len(states) for _, states in layer), default=0)
    result = TraceResult(status, model.name, log_name, total, time.perf_counter() - started,
                         final, widest, None, tuple(sorted(validator.cuts, key=lambda c: c.name)))
    return ConcurrentResult(result, (), len(parents))


def _order(parents: dict, configuration: tuple) -> tuple[int, ...]:
    order = []
    step = parents[configuration]
    while step is not None:
        configuration, number = step
        order.append(number)
        step = parents[configuration]
    return tuple(reversed(order))


def _violation(model: Model, log_name: str, validator: Validator, mismatch: Mismatch,
               order: tuple[int, ...], started: float, configurations: int) -> ConcurrentResult:
    status = Status.INCOMPLETE if validator.cuts else Status.VIOLATION
    result = TraceResult(status, model.name, log_name, len(order), time.perf_counter() - started,
                         len(validator.frontier), validator.widest, mismatch,
                         tuple(sorted(validator.cuts, key=lambda c: c.name)))
    return ConcurrentResult(result, order, configurations)


def describe_order(order: tuple[Any, ...]) -> str:
    """``events 1, 3, 2, 4`` (the failing linearisation, in log numbering)."""
    return "events " + ", ".join(str(n) for n in order)
