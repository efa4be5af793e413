"""Time per Record.update and FrozenMap.set: the C methods vs the pure-Python ones, one run.

Spec actions build every successor state with these two calls. The C methods come from the
extension refute._values; the Python ones are what refute.values uses without it
(an ``update`` generated per record class, ``FrozenMap._set_python``). Both are called as
methods (``s.update(...)``, ``m.set(...)``) on equal values: the Python ones on a subclass
that installs them, so the calls differ only in the method that runs.

Workloads, shaped like TwoPhase's (a 5-field state, a map of 6 resource managers):

* ``new record``: ``Record(rm_state=m, tm_state="init", ...)``, the five fields given out of
  their sorted order (stored sorted, so that the order they are given in does not matter);
* ``update 1 field``: ``s.update(tm_state="committed")``;
* ``update 2 fields``: ``s.update(rm_state=m, msgs=f)`` (immutable values);
* ``update + freeze``: ``s.update(tm_prepared={...})``, a set that must be frozen;
* ``set existing key``: ``m.set(r3, "prepared")``, the common case;
* ``set new key``: ``m.set(r7, ...)``, the slow path that re-sorts (both call Python).

Run: ``.venv/bin/python benchmarks/bench_values.py [--n 200000] [--repeat 7]``. Times
include the timing loop's own few ns per call; ratios are Python / C.
"""

from __future__ import annotations

import argparse
import timeit

from refute import values
from refute.values import FrozenMap, Record, _compile_update, model_values

RMS = model_values("r", 7)


def subjects() -> dict[str, dict]:
    """The same values twice: with the current (C if built) methods and the Python ones."""
    rm_state = FrozenMap({rm: "working" for rm in RMS[:6]})
    state = Record(rm_state=rm_state, tm_state="init", tm_prepared=frozenset(),
                   msgs=frozenset(), round=0)
    record_class = type(state)
    py_record_class = type("Record", (record_class,), {"__slots__": ()})
    py_record_class.update = _compile_update(py_record_class, record_class._names)
    py_map_class = type("FrozenMap", (FrozenMap,), {"__slots__": (), "set": FrozenMap._set_python})
    py_rm_state = py_map_class._sorted(dict(rm_state))
    py_state = tuple.__new__(py_record_class, tuple.__getitem__(state, slice(None)))
    common = {"msgs": frozenset({("prepared", RMS[0])}), "r3": RMS[2], "r7": RMS[6], "Record": Record}
    return {"c": dict(common, s=state, m=rm_state, new=values._new_record),
            "python": dict(common, s=py_state, m=py_rm_state, new=Record._new_python)}


WORKLOADS = {
    "new record": 'new(Record, rm_state=m, tm_state="init", tm_prepared=msgs, msgs=msgs, round=0)',
    "update 1 field": 's.update(tm_state="committed")',
    "update 2 fields": "s.update(rm_state=m, msgs=msgs)",
    "update + freeze": "s.update(tm_prepared={r3})",
    "set existing key": 'm.set(r3, "prepared")',
    "set new key": 'm.set(r7, "working")',
}


def per_call_ns(statement: str, namespace: dict, n: int, repeat: int) -> float:
    timer = timeit.Timer(statement, globals=namespace)
    return min(timer.repeat(repeat=repeat, number=n)) / n * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="calls per timing")
    parser.add_argument("--repeat", type=int, default=7, help="timings per figure (best kept)")
    args = parser.parse_args()
    if values.IMPLEMENTATION != "c":
        raise SystemExit("refute._values is not built: nothing to compare (pip install -e .)")
    namespaces = subjects()
    for name, statement in WORKLOADS.items():  # both must give equal results
        c_result = eval(statement, dict(namespaces["c"]))  # noqa: S307 - our own statements
        py_result = eval(statement, dict(namespaces["python"]))  # noqa: S307
        assert c_result == py_result, name
        assert name == "new record" or type(py_result) is not type(c_result), name
    print(f"ns per call, best of {args.repeat} x {args.n:,} calls; ratio = python / c")
    print(f"{'workload':<18} {'c':>8} {'python':>8} {'ratio':>6}")
    for name, statement in WORKLOADS.items():
        c_ns = per_call_ns(statement, namespaces["c"], args.n, args.repeat)
        py_ns = per_call_ns(statement, namespaces["python"], args.n, args.repeat)
        print(f"{name:<18} {c_ns:8.0f} {py_ns:8.0f} {py_ns / c_ns:6.2f}")


if __name__ == "__main__":
    main()
