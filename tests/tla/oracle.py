"""The TLC oracle: every exhaustive-search model of tlaplus/Examples with a manifest runtime
of at most a minute, and the models refute does not support yet (with the reason)."""

from __future__ import annotations

import glob
import json
import os

_ORACLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                        "oracles", "tla")
EXAMPLES = os.environ.get("REFUTE_TLA_EXAMPLES") or next(
    (d for d in (os.path.join(_ORACLES, "examples-all"), os.path.join(_ORACLES, "examples"))
     if os.path.isdir(os.path.join(d, "specifications"))), os.path.join(_ORACLES, "examples-all"))
"""The whole of tlaplus/Examples, ``../shared/oracles/tla/examples-all`` beside the clone (its
first sample, ``examples``, when only that is there; override with REFUTE_TLA_EXAMPLES)."""

UNSUPPORTED: dict[str, str] = {
    # none left: the last, cf1s_folklore (too slow while its temporal PROPERTYs were checked in
    # Python on its 22.4M-step graph), is in COMPILED since refute.compiled.live
}
"""Model (.cfg path under specifications/) -> why refute cannot check it yet. Keep it shrinking."""

DATA_FILES: dict[str, str] = {
    # a trace-validation spec: ndJsonDeserialize reads the log of an implementation's run,
    # relative to the working directory (TLC is run from the repository's root)
    "ewd998/EWD998ChanTrace.cfg": "specifications/ewd998/EWD998ChanTrace.ndjson",
}
"""Model -> the data file it reads (relative to the Examples root, where TLC runs): the model
is checked from that root with the file allowed (``--allow-read``), and skipped, saying so,
where the oracle's copy of tlaplus/Examples lacks the file (TLC fails without it too)."""

DEPTH_ACCEPTED: dict[str, int] = {
    # The manifests were recorded with `-workers auto`, and TLC's depth is then not the BFS
    # depth: a state's level is its discoverer's + 1 (Worker.writeState: maxLevel =
    # max(curState.getLevel() + 1, maxLevel); ConcurrentTLCTrace.getLevel: the max over
    # workers), so a lagging worker lets another record a state on a longer path. TLC's
    # maintainers accept this (tlaplus/tlaplus#883, documented in PR #942) and tlaplus/Examples'
    # CI does not compare depths because of it. The depth here is the exact BFS depth (TLC's
    # with one worker); verdict, distinct and generated must still match the manifest exactly.
    # Replaying TLC's level bookkeeping on these graphs with random thread timings: EWD840 gives
    # 10 in ~6% of 2- or 4-worker schedules (the oracle README puts it down to TLC versions);
    # kvstore 11 in 32-47% of 4-worker ones (its graph alternates ready/working levels, so an
    # overshoot is even); btree 38 to 41 with 8 workers, 42 with 16. TLC built from source
    # (tlaplus/tlaplus cc6b616) with `-workers 1` reports these depths: EWD840 9, kvstore 9,
    # btree 38, PrisonerLightUnknown 10 (manifest 11), ElevatorSafetySmall 36 (37), SpanTree 5
    # (6), VoteProof 14 (15); the test asserts them (and nothing else) for these models.
    "ewd840/EWD840.cfg": 9,
    "btree/kvstore.cfg": 9,
    "btree/btree.cfg": 38,
    "Prisoners_Single_Switch/PrisonerLightUnknown.cfg": 10,
    "MultiCarElevator/ElevatorSafetySmall.cfg": 36,
    "SpanningTree/SpanTree.cfg": 5,
    "byzpaxos/VoteProof.cfg": 14,  # (15 in the manifest)
    "braf/BufferedRandomAccessFile.cfg": 10,  # (11 in the manifest; TLC -workers 1: 10)
}
"""Model -> its BFS depth (TLC's with one worker), where the manifest has one of TLC's
multi-worker depths."""

TLC_COUNTS: dict[str, tuple[int, int, int]] = {
    # TLC built from source (tlaplus/tlaplus cc6b616) with `-workers 1`, on the oracle's copy
    "LeastCircularSubstring/MCLeastCircularSubstringMedium.cfg": (1_007_232, 1_017_073, 131),
    # "23112567 states generated, 901692 distinct states found", "The depth of the complete
    # state graph search is 29."
    "CheckpointCoordination/MCCheckpointCoordination.cfg": (901_692, 23_112_567, 29),
    # "22438432 states generated, 2057174 distinct states found", "The depth of the complete
    # state graph search is 25." (293 s of CPU, 2.5 GiB resident here under load)
    "cf1s-folklore/cf1s_folklore.cfg": (2_057_174, 22_438_432, 25),
}
"""Model -> TLC's distinct states, generated states and depth, measured here where the
manifest gives the verdict only."""

SLOW = {"allocator/AllocatorImplementation.cfg", "echo/MCEcho.cfg", "transaction_commit/PaxosCommit.cfg",
        "CoffeeCan/CoffeeCan1000Beans.cfg", "btree/btree.cfg", "GameOfLife/GameOfLife.cfg",
        "Bakery-Boulangerie/MCBakery.cfg",
        # measured at 8-25 s of CPU time here (issue 26), or TLC needing 9 s or more
        "MisraReachability/MCReachabilityTestAllGraphs.cfg",
        "MisraReachability/MCReachabilityTestRandomGraphs.cfg", "PaxosHowToWinATuringAward/MCVoting.cfg",
        "TransitiveClosure/TransitiveClosure.cfg", "barriers/Barriers.cfg", "nbacg_guer01/nbacg_guer01.cfg",
        "MultiCarElevator/ElevatorSafetySmall.cfg", "byzpaxos/VoteProof.cfg",
        # measured at 10-60 s of CPU time here (issue 26, second pass)
        "bcastByz/bcastByz.cfg", "LoopInvariance/MCBinarySearch.cfg", "LoopInvariance/MCQuicksort.cfg",
        "YoYo/YoYoAllGraphs.cfg", "SlidingPuzzles/SlidingPuzzles.cfg", "TeachingConcurrency/SimpleRegular.cfg",
        # action composition: 1,350,001 generated, composed steps and intermediate states (235 s
        # of CPU interpreted here, TLC: 5 s); compiled since A \cdot B is (see COMPILED)
        "FiniteMonotonic/MCCRDT.cfg"}
"""Models that take longer than ~8 s here (run with -m slow)."""

TIME_LIMIT = float(os.environ.get("REFUTE_TLA_ORACLE_SECONDS", "900"))
"""Seconds one model may take before its test fails as too slow (not as a wrong answer)."""


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

COMPILED: frozenset[str] = frozenset({
    "Bakery-Boulangerie/MCBoulanger.cfg", "CheckpointCoordination/MCCheckpointCoordinationFailure.cfg",
    "Disruptor/Disruptor_MPMC.cfg", "Disruptor/Disruptor_MPMC_liveliness.cfg", "Disruptor/Disruptor_SPMC.cfg",
    "KeyValueStore/MCKVSSafetySmall.cfg", "SlushProtocol/SlushSmall.cfg",
    "MultiPaxos-SMR/MultiPaxos_MC_small.cfg", "NanoBlockchain/MCNanoMedium.cfg",
    "dijkstra-mutex/DijkstraMutex.toolbox/LSpec-model/MC.cfg", "ewd687a/MCEWD687a.cfg",
    "SimplifiedFastPaxos/Paxos.cfg", "SlidingPuzzles/SlidingPuzzles_anim.cfg",
    # compiled since Bags, FoldFunction and DyadicRationals are (refute/compiled/natives_tla.py)
    "Huang/Huang.cfg", "KeyValueStore/MCKVsnap.cfg",
    # SYMMETRY: 6 and 29 renamings whose images are hashed, not built (runtime.c least_image_fp)
    "CheckpointCoordination/MCCheckpointCoordination.cfg", "SimplifiedFastPaxos/FastPaxos.cfg",
    # its PROPERTY V!Spec ([][Next]_vars of Voting) checked natively: 14.3 s of CPU
    "PaxosHowToWinATuringAward/MCPaxosSmall.cfg",
    # the interpreter's whole run (1.3M states) took 15-20 min of the slow step's ~45; its first
    # states are compared with the interpreter's in tests/tla/test_compiled.py
    "transaction_commit/PaxosCommit.cfg",
    # an operator's argument and a LET's definition computed once where bound (each was
    # recomputed at every use: Sailfish's Linearize and Descendants exponentially), a set
    # built from its own bound names once per run (MCLeastCircularSubstring's Corpus)
    "dag-consensus/TLCSailfish1.cfg", "LeastCircularSubstring/MCLeastCircularSubstringMedium.cfg",
    "SlushProtocol/SlushMedium.cfg", "lamport_mutex/MCLamportMutex.cfg",
    # its eight PROPERTYs' [][A]_v and initial predicate are checked natively on each of the
    # 128,581 steps (once in Python on the recorded graph: over 100 s)
    "braf/BufferedRandomAccessFile.cfg",
    # its PROPERTY EWD998Spec's [][EWD998!Next]_vars checked natively on each of the 2,808,396
    # steps: 10 s of CPU (183 s when the interpreter evaluated it on the recorded graph)
    "ewd998/EWD998PCal.cfg",
    # its two temporal PROPERTYs (P => []Q, P => <>Q under WF_vars(\E self \in Proc : ...))
    # checked on the 22,438,432-step graph built from the native search's arrays, their
    # predicates and the fairness condition evaluated natively (refute.compiled.live): ~15 s
    # of CPU, 1.6 GB (not finished in 105 s / 3.2 GB when evaluated in Python)
    "cf1s-folklore/cf1s_folklore.cfg",
    # A \cdot B compiled, its intermediate states counted natively: 5.5 s of CPU, its PROPERTY
    # Convergence included (235-255 s interpreted; --verify: test_compiled_composition.py)
    "FiniteMonotonic/MCCRDT.cfg",
})
"""Models of :data:`ON_THE_COMMAND_LINE` the compiled backend runs: their test fails if
``refute check`` falls back to the interpreter (too slow for them)."""

ON_THE_COMMAND_LINE: frozenset[str] = COMPILED | frozenset()
"""Models the interpreter alone needs minutes for (issue 26 listed them as too slow here) that
``refute check`` with its default backend (auto) checks within CI's slow step: the test checks
them as a user does, through the command (tests/tla/test_tlc_oracle.py). Their CPU seconds
are in benchmarks/RESULTS-tla.md (benchmarks/tla_slow_models.py)."""

SLOW |= ON_THE_COMMAND_LINE
