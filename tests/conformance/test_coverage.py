"""Model coverage of randomised runs of the worked example."""

from __future__ import annotations

import io

from fencing_lock import FencingLock
from impl.fencing import Config, run

from refute.conformance import measure_coverage
from refute.spec.compile import SpecModel


def logs(seeds, **config):
    out = []
    for seed in seeds:
        buffer = io.StringIO()
        run(Config(seed=seed, **config), buffer)
        buffer.seek(0)
        buffer.name = f"seed-{seed}.jsonl"
        out.append(buffer)
    return out


def test_coverage_grows_with_more_runs_and_names_what_is_never_exercised():
    model = SpecModel(FencingLock(fencing=True))
    few = measure_coverage(model, logs(range(2)))
    many = measure_coverage(model, logs(range(40)))
    assert (few.states_total, few.labels_total) == (many.states_total, many.labels_total) == (37, 10)
    assert few.logs == 2 and not few.failed
    assert few.states_reached < many.states_reached <= many.states_total
    assert (many.states_reached, many.labels_reached) == (33, 10)
    assert [(a.action, a.reached, a.total) for a in many.actions] == [
        ("acquire", 4, 4), ("lease_expires", 2, 2), ("write", 4, 4)]
    assert few.states_reached == 13
    # Every action instance ran, yet 4 states never occurred: what the randomised runs never
    # produce, e.g. both leases expiring before anyone writes.
    assert len(many.unreached) == 4
    assert many.unreached[0] == ("acquire(client=1, token=33)", "lease_expires(client=1)",
                                 "acquire(client=2, token=34)", "lease_expires(client=2)")
    data = many.to_json()
    assert data["states"] == {"reached": 33, "total": 37} and data["conforming"] == 40
