"""The bundled examples that compile since issue 21 (liveness and fairness, a TxnHistory in
the state), compiled against interpreted, ratios from one run.

    python benchmarks/bench_compiled_examples.py               # best of 3, all rows
    python benchmarks/bench_compiled_examples.py --repeat 1 --only simple_allocator

Each row is one example with its ``-p`` parameters: the bundled defaults, and a larger
instance where the example has a size parameter. Contenders, interleaved within a round,
each a whole fresh process, each one's best kept (wall and CPU seconds, as in
``bench_python_specs.py``):

* ``compiled``: ``refute check SPEC.py --backend compiled`` with a warm build cache (a first,
  untimed run fills it);
* ``interp``: ``refute check SPEC.py --backend interpreted``.

Besides whole-process times (which include Python's start-up, ~0.5 s of imports and, for a
spec with temporal properties, numpy and scipy), each row gives the check's own time, the
JSON's ``seconds`` (the search, and for ``@liveness`` the graph's predicates and fairness
evaluated in Python, then the fair-cycle search), where the backends differ. The two
contenders must report the same verdict, distinct and generated states and depth (asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_python_specs import ROOT, _measure, best_of  # noqa: E402

ROWS = [  # (example, -p parameters)
    ("dining_philosophers", []),
    ("dining_philosophers", ["philosophers=10"]),
    ("ewd840", []),
    ("ewd840", ["n=4"]),
    ("simple_allocator", []),
    ("simple_allocator", ["clients=4", "resources=3"]),
    ("mongodb_txn", []),
    ("mongodb_txn", ["prepare_blocking=false"]),
    ("write_skew", []),
    ("write_skew", ["doctors=5"]),
]


def run_refute(example: str, params: list[str], backend: str, cache: str, tmp: str) -> dict:
    result = os.path.join(tmp, "result.json")
    command = [sys.executable, "-m", "refute", "check", os.path.join("examples", example + ".py"),
               "-q", "--json", result, "--backend", backend]
    for param in params:
        command += ["-p", param]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), REFUTE_CACHE_DIR=cache)
    _, wall, cpu = _measure(command, ROOT, env)
    with open(result) as handle:
        got = json.load(handle)
    assert got["backend"] == backend, got["backend"]
    return {"status": got["status"], "distinct": got["distinct_states"],
            "generated": got["states_generated"], "depth": got["depth"],
            "check": got["seconds"], "wall": wall, "cpu": cpu}


def best(runs: dict, repeat: int) -> dict[str, dict]:
    """``best_of``, with the least check time too."""
    checks: dict[str, float] = {}

    def timed(name: str, run):
        def again():
            got = run()
            checks[name] = min(checks.get(name, got["check"]), got["check"])
            return got
        return again

    out = best_of({name: timed(name, run) for name, run in runs.items()}, repeat)
    for name, got in out.items():
        got["check"] = checks[name]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=None, help="comma-separated example names")
    args = parser.parse_args()
    wanted = None if args.only is None else set(args.only.split(","))
    print("| example | states (distinct / generated) | verdict | compiled check s | "
          "interpreted check s | check ratio | compiled wall (CPU) s | interpreted wall (CPU) s "
          "| wall ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        for example, params in ROWS:
            if wanted is not None and example not in wanted:
                continue
            runs = {backend: (lambda b=backend: run_refute(example, params, b, cache, tmp))
                    for backend in ("compiled", "interpreted")}
            runs["compiled"]()  # fills the build cache (the cold compile is not timed)
            got = best(runs, args.repeat)
            c, i = got["compiled"], got["interpreted"]
            same = ("status", "distinct", "generated", "depth")
            assert all(c[k] == i[k] for k in same), (c, i)
            name = " ".join([example] + [f"-p {p}" for p in params])
            print(f"| {name} | {c['distinct']:,} / {c['generated']:,} | {c['status']} | "
                  f"{c['check']:.3f} | {i['check']:.3f} | {i['check'] / c['check']:.1f}x | "
                  f"{c['wall']:.2f} ({c['cpu']:.2f}) | {i['wall']:.2f} ({i['cpu']:.2f}) | "
                  f"{i['wall'] / c['wall']:.2f}x |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
