"""The tracer: what it writes, that refute reads it back, and that it is cheap."""

from __future__ import annotations

import io
import json

from refute.conformance import Tracer, read_log


def test_writes_one_json_line_per_event(tmp_path):
    path = tmp_path / "run.jsonl"
    with Tracer(str(path)) as tracer:
        assert tracer.event("acquire", client=1, token=34, storage_max=33) == 0
        assert tracer.event("write", client=2, state={"wrote": {2, 1}, "token": {1: 33}},
                            meta={"t": 0.5}) == 1
        assert tracer.observe(holder=None) == 2
    lines = path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"action": "acquire", "client": 1, "token": 34, "storage_max": 33},
        {"action": "write", "client": 2, "state": {"wrote": [1, 2], "token": {"1": 33}},
         "meta": {"t": 0.5}},
        {"action": None, "holder": None},
    ]
    events = read_log(str(path))
    assert [e.action for e in events] == ["acquire", "write", None]


def test_every_event_is_one_line():
    # (its cost per event is for a benchmark to measure: tests assert no timings)
    buffer = io.StringIO()
    tracer = Tracer(buffer)
    count = 20_000
    for i in range(count):
        tracer.event("acquire", client=i % 3, token=i, holder=i % 3, accepted=[i, i + 1])
    assert buffer.getvalue().count("\n") == count
