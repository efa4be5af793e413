"""What refusing out-of-range numbers costs the JSON reader (``refute.readers.parse_json``).

    python benchmarks/bench_json_numbers.py             # 200,000 operations
    python benchmarks/bench_json_numbers.py --ops 50000

A JSON history of ``--ops`` operations (seeded: integer keys and values, float timestamps,
as elle-cli and Jepsen write them) is read, best of 5 each, in this process:

* baseline: ``json.loads`` alone, what ``parse_json`` called before the check;
* checked: ``json.loads`` with the reader's ``parse_float`` and ``parse_constant`` hooks
  (every float checked in Python), what ``parse_json`` calls now;
* the whole ``parse_json`` (bracket-depth check, then the checked parse) against the same
  before the check (depth check, then plain ``json.loads``).

It prints each time and its ratio to its baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from refute._nesting import json_shallow
from refute.readers import parse_json
from refute.readers.json_text import _loads


def history(ops: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    events = []
    for i in range(ops):
        events.append({"type": "invoke" if i % 2 == 0 else "ok", "process": rng.randrange(20),
                       "f": rng.choice(["read", "write"]), "key": rng.randrange(10),
                       "value": rng.randrange(1000), "time": round(rng.uniform(0, 1e6), 6)})
    return json.dumps(events)


def best(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=200_000)
    args = parser.parse_args()
    text = history(args.ops)
    assert parse_json(text, None, "").values[0] == json.loads(text)
    baseline = best(lambda: json.loads(text))
    checked = best(lambda: _loads(text))
    before = best(lambda: (json_shallow(text), json.loads(text)))
    now = best(lambda: parse_json(text, None, ""))
    print(f"{args.ops:,} operations, {len(text) / 1e6:.1f} MB of JSON")
    print(f"json.loads (baseline)            {baseline:.3f} s")
    print(f"json.loads, numbers checked      {checked:.3f} s  ratio {checked / baseline:.2f}")
    print(f"parse_json before (depth, loads) {before:.3f} s")
    print(f"parse_json now                   {now:.3f} s  ratio {now / before:.2f}")

if __name__ == "__main__":
    main()
