"""Trace validation throughput: events/s on a 100k-event log, against parsing it alone.

The log comes from a random walk (seeded) of a lock service whose clients take the lease,
write with it and let it expire over and over, so a behaviour can be as long as we like; it is
written with refute's Tracer (whose cost per event is measured too). Measured in one run:

* baseline: ``json.loads`` of every line (the least any validator of JSON lines must do);
* read_log: parsing into refute's events;
* validate: reading and validating, streaming (the frontier stays one state: every event
  observes enough to pin the state down);
* validate --hidden lease_expires: the same log without its expiry events, recovered as
  hidden steps (each event now searches up to 3 hidden steps deep).

    .venv/bin/python benchmarks/bench_trace.py [--events 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time

from refute import Spec, State, action, each
from refute.conformance import Options, Tracer, read_log, validate_log
from refute.spec.compile import SpecModel


class RenewingLock(Spec):
    def __init__(self, clients: int = 3):
        self.clients = tuple(range(1, clients + 1))

    def init(self):
        return State(holder=None, next_token=1, storage_max=0, writes=0)

    @action
    def acquire(self, s, client=each("clients")):
        if s.holder is None:
            return s.update(holder=client, next_token=s.next_token + 1)

    @action
    def write(self, s, client=each("clients")):
        if s.holder == client:
            return s.update(storage_max=s.next_token - 1, writes=s.writes + 1)

    @action
    def lease_expires(self, s):
        if s.holder is not None:
            return s.update(holder=None)


def write_log(model: SpecModel, path: str, events: int, seed: int = 1) -> float:
    """A random walk of ``events`` steps logged with the Tracer; returns seconds per event
    spent in ``Tracer.event``."""
    rng = random.Random(seed)
    state = model.init_states()[0]
    spent = 0.0
    with Tracer(path) as tracer:
        for _ in range(events):
            label, state = rng.choice(model.next_states(state))
            args = dict(label.args)
            started = time.perf_counter()
            if label.action == "acquire":
                tracer.event("acquire", **args, holder=state.holder, next_token=state.next_token)
            elif label.action == "write":
                tracer.event("write", **args, storage_max=state.storage_max)
            else:
                tracer.event("lease_expires", holder=None)
            spent += time.perf_counter() - started
    return spent / events


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = run()
        times.append(time.perf_counter() - started)
    assert outcome is None or getattr(outcome, "conforms", True), outcome
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = SpecModel(RenewingLock())
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "run.jsonl")
        tracer_cost = write_log(model, log, args.events)
        unlogged = os.path.join(tmp, "unlogged.jsonl")
        with open(log) as source, open(unlogged, "w") as target:
            target.writelines(line for line in source if '"lease_expires"' not in line)
        with open(unlogged) as handle:
            unlogged_events = sum(1 for _ in handle)

        def parse() -> None:
            with open(log) as handle:
                for line in handle:
                    json.loads(line)

        rows = [
            ("baseline: json.loads per line", args.events, best(args.repeat, parse)),
            ("read_log (parse into events)", args.events,
             best(args.repeat, lambda: read_log(log) and None)),
            ("validate (read + search)", args.events,
             best(args.repeat, lambda: validate_log(model, log))),
            ("validate --hidden lease_expires", unlogged_events,
             best(args.repeat, lambda: validate_log(
                 model, unlogged, Options(hidden=frozenset({"lease_expires"}))))),
        ]
    base = rows[0][2] / rows[0][1]
    print(f"{'':34} {'events':>8} {'seconds':>8} {'events/s':>10} {'x baseline':>10}")
    for name, count, seconds in rows:
        print(f"{name:34} {count:>8,} {seconds:>8.3f} {count / seconds:>10,.0f} "
              f"{seconds / count / base:>10.1f}")
    print(f"Tracer.event: {tracer_cost * 1e6:.2f} µs per event (writing this log)")


if __name__ == "__main__":
    main()
