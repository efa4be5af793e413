"""Which oracle models the compiled backend takes, and what stops the others.

    .venv/bin/python benchmarks/compiled_coverage.py [--verify] [--only SUBSTRING] [--json OUT]

For every model of the TLC oracle (tests/tla/oracle.py: tlaplus/Examples' exhaustive-search
models of at most a minute) that the interpreter matches (not listed in its UNSUPPORTED), the
model is loaded and lowered to C; a model that lowers is also built. ``--verify`` then runs
``refute check --verify``'s comparison (every reachable state, in discovery order, and its
successor count, both backends) on each model that builds, and checks it completely both ways
(invariants, deadlock, temporal properties: ``refute check``'s run) comparing the results:
verdict, counts, depth, coverage, warnings and the counterexample (states, labels, loop).
``--skip-slow`` leaves out the oracle's slow models (tests/tla/oracle.py SLOW).
Prints one line per model and the totals (X of Y compile; X of Y verified).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from functools import partial

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from refute.compiled.backend import compile_model, explore, result_difference, verify  # noqa: E402
from refute.compiled.ir import Unsupported  # noqa: E402
from refute.engine import bfs  # noqa: E402
from refute.engine.liveness import check_model  # noqa: E402
from refute.errors import RefuteError  # noqa: E402
from refute.tla.model import TLAModel  # noqa: E402
from tests.tla.oracle import SLOW, UNSUPPORTED, oracle_models  # noqa: E402
from tests.tla.test_tlc_oracle import spec_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--json")
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    rows = []
    models = [m for m in oracle_models() if m["id"] not in UNSUPPORTED and args.only in m["id"]
              and not (args.skip_slow and m["id"] in SLOW)]
    for m in models:
        row = {"id": m["id"]}
        started = time.perf_counter()
        try:
            model = TLAModel(spec_for(m), m["cfg"])
            compiled = compile_model(model)
        except Unsupported as exc:
            row["stopped"] = exc.construct
            row["where"] = exc.where
        except RefuteError as exc:
            row["stopped"] = f"loading: {exc}"
        except Exception as exc:  # a bug of the compiled backend: shown, not hidden
            row["stopped"] = f"CRASH {type(exc).__name__}: {str(exc)[:200]}"
        else:
            row["compiles"] = True
            if args.verify:
                outcome = verify(model, compiled, bfs.Options(deadlock=model.checks_deadlock))
                mine = check_model(model, bfs.Options(), native=partial(explore, model, compiled))
                theirs = check_model(TLAModel(spec_for(m), m["cfg"]), bfs.Options())
                difference = result_difference(mine, theirs)
                fallback = compiled.interpreted_instead
                row["verified"] = outcome.equal and difference is None and fallback is None
                row["message"] = (outcome.message if difference is None else difference) + \
                    (f"; the interpreter ran instead: {fallback}" if fallback else "")
                row["counts"] = (mine.status.value, mine.distinct_states,
                                 mine.states_generated, mine.depth)
        row["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(row)
        what = ("compiles" + (f", verify: {row['message']}" if args.verify else "")
                if row.get("compiles") else f"STOP {row['stopped']} ({row.get('where')})")
        print(f"{m['id']}: {what} [{row['seconds']} s]", flush=True)
    compiles = sum(1 for r in rows if r.get("compiles"))
    print(f"\n{compiles} of {len(rows)} interpreter-matched oracle models compile")
    if args.verify:
        print(f"{sum(1 for r in rows if r.get('verified'))} of {len(rows)} pass --verify")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
