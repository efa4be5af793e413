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
    "btree/btree.cfg": "TLC quirk, not a semantic difference: verdict and counts match TLC (374,727 / 2,820,091); 38 is the exact BFS depth (= TLC with -workers 1), the manifest's 40 is one outcome of TLC's nondeterministic multi-worker depth (the mechanism and sources are under kvstore.cfg). Replaying TLC's level bookkeeping on this state graph with 8 workers and random thread preemption gave 38, 39, 40 or 41 over 10 runs, so no fixed depth other than 38 is right. Not run, to save CI minutes (194 s here)",
    "btree/kvstore.cfg": "TLC quirk, not a semantic difference: verdict and counts match TLC (2,641 / 28,585); 9 is the exact BFS depth (= TLC with -workers 1), the manifest's 11 comes from TLC's multi-worker BFS, where a state's level is its discoverer's level + 1 (Worker.writeState: maxLevel = max(curState.getLevel() + 1, maxLevel); ConcurrentTLCTrace.getLevel: max over workers), so a lagging worker lets another record a state on a longer path. TLC's maintainers accept this nondeterminism (tlaplus/tlaplus#883, docs in PR #942) and tlaplus/Examples' CI does not compare depth because of it. The graph is bipartite (ready states at odd levels, working at even), so any overshoot is even; replaying TLC's bookkeeping with 4 workers gave 11 in 32-47% of simulated schedules (13 in a few, 9 in the rest)",
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
