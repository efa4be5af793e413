"""The compiled backend gives the interpreter's answers (counts, depth, coverage, traces), on
the TLC oracle and on small specs; hostile names never reach the generated C; builds are
cached."""

from __future__ import annotations

import functools
import json
import os
import sys

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.backend import compile_model, explore, result_difference, verify
from refute.compiled.emit_c import emit
from refute.compiled.from_tla import lower
from refute.compiled.ir import Unsupported
from refute.engine import bfs
from refute.engine.liveness import check_model
from refute.engine.result import StopReason, ViolationKind
from refute.errors import RefuteError
from refute.limits import format_size, rss
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import DEPTH_ACCEPTED, EXAMPLES, oracle_models
from tests.tla.test_tlc_oracle import spec_for

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

TWO_PHASE = os.path.join(EXAMPLES, "specifications", "transaction_commit", "TwoPhase.tla")

COMPILED_ORACLE = frozenset({
    "Bakery-Boulangerie/MCBakery.cfg", "Chameneos/Chameneos.cfg",
    "CigaretteSmokers/CigaretteSmokers.cfg", "CoffeeCan/CoffeeCan100Beans.cfg",
    "CoffeeCan/CoffeeCan1000Beans.cfg", "DieHard/DieHard.cfg", "DieHard/MCDieHarder.cfg",
    "DiningPhilosophers/DiningPhilosophers.cfg", "LeastCircularSubstring/MCLeastCircularSubstringSmall.cfg",
    "LearnProofs/MCFindHighest.cfg",
    "Majority/MCMajority.cfg", "MisraReachability/MCParReach.cfg",
    "MissionariesAndCannibals/MissionariesAndCannibals.cfg", "Moving_Cat_Puzzle/CatEvenBoxes.cfg",
    "Moving_Cat_Puzzle/CatOddBoxes.cfg", "N-Queens/Queens.toolbox/FourQueens/MC.cfg",
    "N-Queens/QueensPluscal.toolbox/FourQueens/MC.cfg", "NanoBlockchain/MCNanoSmall.cfg",
    "Paxos/MCConsensus.cfg", "Paxos/MCVoting.cfg", "PaxosHowToWinATuringAward/MCConsensus.cfg",
    "PaxosHowToWinATuringAward/MCPaxosTiny.cfg", "PaxosHowToWinATuringAward/MCVoting.cfg",
    "Prisoners/Prisoners.cfg", "Prisoners_Single_Switch/Prisoner.cfg",
    "Prisoners_Single_Switch/PrisonerLightUnknown.cfg", "Prisoners_Single_Switch/PrisonerSolo.cfg",
    "Prisoners_Single_Switch/PrisonerSoloLightUnknown.cfg", "SpanningTree/SpanTree.cfg",
    "SpanningTree/SpanTreeRandom.cfg", "TLC/TestGraphs.cfg",
    "SpanningTree/SpanTreeTest4Nodes.cfg",
    "SpecifyingSystems/AdvancedExamples/MCInnerSequential.cfg",
    "SpecifyingSystems/AsynchronousInterface/AsynchInterface.cfg",
    "SpecifyingSystems/AsynchronousInterface/Channel.cfg",
    "SpecifyingSystems/CachingMemory/MCInternalMemory.cfg",
    "SpecifyingSystems/CachingMemory/MCWriteThroughCache.cfg", "SpecifyingSystems/FIFO/MCInnerFIFO.cfg",
    "SpecifyingSystems/RealTime/MCRealTimeHourClock.cfg",
    "SpecifyingSystems/HourClock/HourClock.cfg", "SpecifyingSystems/HourClock/HourClock2.cfg",
    "SpecifyingSystems/Liveness/LiveHourClock.cfg", "SpecifyingSystems/Liveness/MCLiveInternalMemory.cfg",
    "SpecifyingSystems/Liveness/MCLiveWriteThroughCache.cfg", "SpecifyingSystems/TLC/ABCorrectness.cfg",
    "SpecifyingSystems/TLC/MCAlternatingBit.cfg", "TeachingConcurrency/Simple.cfg",
    "YoYo/MCYoYoNoPruning.cfg", "acp/ACP_NB_TLC.cfg", "acp/ACP_SB_TLC.cfg",
    "allocator/AllocatorImplementation.cfg", "allocator/AllocatorRefinement.cfg",
    "allocator/SchedulingAllocator.cfg", "allocator/SimpleAllocator.cfg", "barriers/Barrier.cfg",
    "barriers/Barriers.cfg", "btree/kvstore.cfg", "byihive/VoucherCancel.cfg", "byihive/VoucherIssue.cfg",
    "byihive/VoucherLifeCycle.cfg", "byihive/VoucherRedeem.cfg", "byihive/VoucherTransfer.cfg",
    "byzpaxos/Consensus.cfg", "chang_roberts/MCChangRoberts.cfg", "ewd426/TokenRing.cfg",
    "ewd840/EWD840.cfg", "ewd840/EWD840_json.cfg", "glowingRaccoon/clean.cfg", "glowingRaccoon/product.cfg",
    "glowingRaccoon/stages.cfg", "locks_auxiliary_vars/Lock.cfg", "locks_auxiliary_vars/LockHS.cfg",
    "locks_auxiliary_vars/Peterson.cfg",
    "nbacc_ray97/nbacc_ray97.cfg", "nbacg_guer01/nbacg_guer01.cfg", "spanning/MC_spanning.cfg",
    "tcp/MCtcp.cfg", "tower_of_hanoi/Hanoi.toolbox/Model_1/MC.cfg", "tower_of_hanoi/Hanoi_anim.cfg",
    "transaction_commit/2PCwithBTM.cfg", "transaction_commit/TCommit.cfg",
    "transaction_commit/TwoPhase.cfg", "FiniteMonotonic/MCDistributedReplicatedLog.cfg",
    "GameOfLife/GameOfLife.cfg", "Paxos/MCPaxos.cfg", "ReadersWriters/MC.cfg",
    "SingleLaneBridge/MC.cfg", "TwoPhase/MCTwoPhase.cfg", "ewd840/SyncTerminationDetection.cfg",
    "ewd998/AsyncTerminationDetection.cfg", "DieHard/MCDieHardest.cfg",
    "MultiCarElevator/ElevatorLivenessMedium.cfg", "MultiCarElevator/ElevatorSafetySmall.cfg",
    "SDP_Verification/SDP_Attack_New_Solution_Spec/MC.cfg", "SDP_Verification/SDP_Attack_Spec/MC.cfg",
    "YoYo/MCYoYoPruning.cfg", "YoYo/YoYoAllGraphs.cfg", "acp/ACP_NB_WRONG_TLC.cfg", "echo/MCEcho.cfg",
    # constant modules (no variables): their ASSUMEs, evaluated natively
    "CarTalkPuzzle/CarTalkPuzzle.toolbox/Model_1/MC.cfg", "CarTalkPuzzle/CarTalkPuzzle.toolbox/Model_2/MC.cfg",
    "SpecifyingSystems/AsynchronousInterface/PrintValues.cfg",
    "SpecifyingSystems/SimpleMath/SimpleMath.cfg", "Stones/Stones.cfg", "dag-consensus/BlockDagTest.cfg",
    "MisraReachability/MCReachabilityTestRandomGraphs.cfg", "TransitiveClosure/TransitiveClosure.cfg",
    "sums_even/MC_sums_even.cfg",
    # action composition (A \cdot B): intermediate states counted natively
    "FiniteMonotonic/MCReplicatedLog.cfg",
})
"""Oracle models the compiled backend runs natively (keep it growing; benchmarks/
compiled_coverage.py lists the others and what stops them). Each must give TLC's verdict and,
where the manifest has them, TLC's distinct and total counts and depth; the interpreter's whole
result (temporal properties, counterexamples and warnings included); and pass --verify."""

SLOW = {"Majority/MCMajority.cfg", "btree/kvstore.cfg", "Chameneos/Chameneos.cfg",
        "byihive/VoucherCancel.cfg", "byihive/VoucherIssue.cfg", "byihive/VoucherRedeem.cfg",
        "byihive/VoucherTransfer.cfg", "allocator/AllocatorImplementation.cfg",
        "Paxos/MCVoting.cfg", "PaxosHowToWinATuringAward/MCVoting.cfg", "YoYo/MCYoYoNoPruning.cfg",
        "SpanningTree/SpanTree.cfg", "CoffeeCan/CoffeeCan1000Beans.cfg", "tcp/MCtcp.cfg",
        "NanoBlockchain/MCNanoSmall.cfg", "acp/ACP_NB_TLC.cfg", "acp/ACP_SB_TLC.cfg",
        "barriers/Barriers.cfg", "Bakery-Boulangerie/MCBakery.cfg",
        "PaxosHowToWinATuringAward/MCPaxosTiny.cfg", "GameOfLife/GameOfLife.cfg",
        "ReadersWriters/MC.cfg", "DieHard/MCDieHardest.cfg",
        "MultiCarElevator/ElevatorLivenessMedium.cfg", "MultiCarElevator/ElevatorSafetySmall.cfg",
        "SDP_Verification/SDP_Attack_New_Solution_Spec/MC.cfg", "YoYo/YoYoAllGraphs.cfg",
        "acp/ACP_NB_WRONG_TLC.cfg", "Stones/Stones.cfg", "TransitiveClosure/TransitiveClosure.cfg",
        "MisraReachability/MCReachabilityTestRandomGraphs.cfg", "dag-consensus/BlockDagTest.cfg",
        "sums_even/MC_sums_even.cfg"}
"""Those whose interpreted run takes over ~5 s here: in the slow step, compared with TLC's verdict
and counts only."""


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


def _same_result(model, options=bfs.Options()):
    compiled = compile_model(model)
    mine, theirs = explore(model, compiled, options), bfs.explore(model, options)
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == \
        (theirs.status, theirs.distinct_states, theirs.states_generated, theirs.depth)
    assert mine.coverage == theirs.coverage
    assert mine.stop_reason == theirs.stop_reason
    if theirs.violation is not None:
        assert mine.violation.name == theirs.violation.name
        assert mine.violation.trace == theirs.violation.trace
    return compiled, mine


def _models():
    if not os.path.isdir(EXAMPLES):
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no oracle at {EXAMPLES}"))]
    return [pytest.param(m, marks=pytest.mark.slow) if m["id"] in SLOW else m
            for m in oracle_models() if m["id"] in COMPILED_ORACLE]


def test_the_compiled_oracle_models_are_in_the_oracle():
    if not os.path.isdir(EXAMPLES):
        pytest.skip(f"no oracle at {EXAMPLES}")
    assert COMPILED_ORACLE <= {m["id"] for m in oracle_models()}


@pytest.mark.parametrize("m", _models(), ids=lambda m: m["id"] if m else "absent")
def test_oracle_model_compiles_verifies_and_matches(m):
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    model = TLAModel(spec_for(m), m["cfg"])
    compiled = compile_model(model)
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None  # the native search did it all
    slow = m["id"] in SLOW
    if not slow:
        # the interpreter's whole result; for a slow model TLC's verdict and counts stand for it
        # (the oracle's own test compares the interpreter with TLC there): an interpreted run
        # of minutes per model would not fit CI's slow step
        theirs = check_model(TLAModel(spec_for(m), m["cfg"]), bfs.Options())
        assert result_difference(mine, theirs) is None, result_difference(mine, theirs)
    verdict = {Status.OK: "success", Status.VIOLATION: "safety failure"}[mine.status]
    if mine.violation is not None and mine.violation.kind is ViolationKind.LIVENESS:
        verdict = "liveness failure"
    assert verdict == m["result"]  # TLC's
    if verdict == "success" and m.get("distinctStates") is not None:
        assert (mine.distinct_states, mine.states_generated, mine.depth) == \
            (m["distinctStates"], m["totalStates"], DEPTH_ACCEPTED.get(m["id"], m["stateDepth"]))
    if not slow:
        # every state the check explores, both ways (for a slow model the interpreter's part
        # would take minutes)
        outcome = verify(model, compiled)
        assert outcome.equal and outcome.complete, outcome.message


@pytest.mark.slow
def test_paxos_commit_first_states_are_the_interpreters_and_all_are_tlcs():
    path = os.path.join(EXAMPLES, "specifications", "transaction_commit", "PaxosCommit.tla")
    if not os.path.exists(path):
        pytest.skip(f"no oracle at {EXAMPLES}")
    model = TLAModel(path)
    _same_result(model, bfs.Options(max_states=20_000))  # the interpreter needs ~30 s for these
    result = explore(model, compile_model(model))
    assert (result.status.value, result.distinct_states, result.states_generated) == \
        ("ok", 1_321_761, 16_959_159)  # TLC's (manifest)


@pytest.mark.slow
def test_btree_gives_tlcs_counts():
    """Recursive operators; the interpreter needs minutes here, so TLC's counts only."""
    path = os.path.join(EXAMPLES, "specifications", "btree", "btree.tla")
    if not os.path.exists(path):
        pytest.skip(f"no oracle at {EXAMPLES}")
    model = TLAModel(path)
    result = explore(model, compile_model(model))
    assert (result.status.value, result.distinct_states, result.states_generated, result.depth) == \
        ("ok", 374_727, 2_820_091, 38)  # TLC's (manifest; depth as tests/tla/oracle.py takes it)


def _write(tmp_path, name, tla, cfg):
    (tmp_path / f"{name}.tla").write_text(tla)
    (tmp_path / f"{name}.cfg").write_text(cfg)
    return str(tmp_path / f"{name}.tla")


COUNTER = """---- MODULE Counter ----
EXTENDS Naturals, FiniteSets, Sequences
CONSTANT N
VARIABLES x, s, log, f
Init == x = 0 /\\ s = {} /\\ log = <<>> /\\ f = [i \\in 1..N |-> 0]
Inc(k) == /\\ x < N /\\ Len(log) < N + 2
          /\\ x' = x + k
          /\\ s' = s \\cup {x}
          /\\ log' = Append(log, [at |-> x, by |-> k])
          /\\ f' = [f EXCEPT ![(x % N) + 1] = @ + k]
Reset == /\\ x >= 2
         /\\ \\E y \\in s : x' = y /\\ s' = s \\ {y}
         /\\ UNCHANGED <<log, f>>
Next == \\/ \\E k \\in {1, 2} : Inc(k)
        \\/ Reset
Pairs == [i \\in 1..2, j \\in {"a", "b"} |-> i + x]
Small == /\\ Cardinality(s) < 3 \\/ Len(log) < 3
         /\\ Pairs[2, "b"] = 2 + x /\\ DOMAIN Pairs = (1..2) \\X {"a", "b"}
====
"""


def test_trace_and_counts_of_a_violation_are_the_interpreters(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 4\nINIT Init\nNEXT Next\nINVARIANT Small\n")
    _, result = _same_result(TLAModel(path))
    assert result.violation is not None and len(result.violation.trace) == 4


def test_deadlock_and_bounds_are_the_interpreters(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n")
    model = TLAModel(path)
    _same_result(model)
    _same_result(model, bfs.Options(deadlock=False))
    _same_result(model, bfs.Options(deadlock=False, max_depth=3))
    _same_result(model, bfs.Options(deadlock=False, max_states=5))


SYMMETRIC_MESSAGES = """---- MODULE SymMsgs ----
EXTENDS Naturals, FiniteSets, TLC
CONSTANTS Procs, Vals
VARIABLES msgs, chosen
Init == msgs = {} /\\ chosen = [p \\in Procs |-> {}]
Send(p, v) == /\\ Cardinality(msgs) < 3
              /\\ msgs' = msgs \\cup {[from |-> p, val |-> v]}
              /\\ UNCHANGED chosen
Choose(p) == \\E m \\in msgs : /\\ m.from # p
                             /\\ chosen' = [chosen EXCEPT ![p] = @ \\cup {m.val}]
                             /\\ UNCHANGED msgs
Next == (\\E p \\in Procs, v \\in Vals : Send(p, v)) \\/ (\\E p \\in Procs : Choose(p))
Sym == Permutations(Procs) \\union Permutations(Vals)
View == msgs
Few == Cardinality(msgs) < 3
====
"""


@pytest.mark.parametrize("extra, tlc", [("", (83, 597, 9)), ("VIEW View\n", (8, 63, 4)),
                                        ("INVARIANT Few\n", (7, 18, 4))])
def test_symmetry_over_sets_of_records_gives_tlcs_counts(tmp_path, extra, tlc):
    """A renaming reorders a set of records (the images are hashed, never built: runtime.c
    least_image_fp): TLC's counts (built from source, -workers 1) and the interpreter's whole result,
    trace included, under a SYMMETRY that is a union of two groups, as FastPaxos's is."""
    path = _write(tmp_path, "SymMsgs", SYMMETRIC_MESSAGES, "CONSTANTS Procs = {p1, p2, p3}\n"
                  "Vals = {v1, v2}\nINIT Init\nNEXT Next\nSYMMETRY Sym\n" + extra)
    model = TLAModel(path)
    compiled, result = _same_result(model)
    assert (result.distinct_states, result.states_generated, result.depth) == tlc
    assert result_difference(explore(model, compiled, workers=2), result) is None  # forked images


LET_RECURSIVE = """---- MODULE LetRec ----
EXTENDS Naturals, TLC
VARIABLE x
SumTo(n) == LET RECURSIVE S(_)
                S(k) == IF k = 0 THEN 0 ELSE k + x + S(k - 1)
            IN S(n)
Init == x = RandomElement({2, 0, 1})
Next == \\E m \\in 1..2 : x < 6 /\\ x' = SumTo(m) % 7
====
"""


def test_recursive_let_operator_and_random_element_are_the_interpreters(tmp_path):
    # S reads x, a binding outside it; RandomElement is the interpreter's (the first element in
    # canonical order: 0), so from 0 the run reaches 1, 3, 2, 5, 4 and 6 (where it stops)
    path = _write(tmp_path, "LetRec", LET_RECURSIVE, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    compiled, result = _same_result(TLAModel(path), bfs.Options(deadlock=False))
    assert compiled.interpreted_instead is None
    assert (result.distinct_states, result.states_generated) == (7, 13)


def test_real_that_the_model_does_not_override_stays_unsupported(tmp_path):
    path = _write(tmp_path, "R", "---- MODULE R ----\nEXTENDS Reals\nVARIABLE x\nInit == x = 0\n"
                  "Next == x' = 1 - x /\\ x \\in Real\n====\n", "INIT Init\nNEXT Next\n")
    with pytest.raises(Unsupported) as info:
        lower(TLAModel(path))
    assert info.value.construct == "the set Real" and info.value.where.endswith("R.tla:5")


TRACE_EXPORT = """---- MODULE Export ----
EXTENDS Naturals, Sequences, TLC, TLCExt
CONSTANT Limit
VARIABLE x
Init == x = 0
Next == x < 3 /\\ x' = x + 1
Inv == x < Limit \\/ (Len(Trace) > 0 /\\ TLCSet("exit", TRUE))
====
"""


def test_an_operator_only_the_interpreter_evaluates_is_left_to_it(tmp_path):
    # Trace and TLCSet are compiled into a stop: never reached (Limit 9), the run is native;
    # reached (Limit 2), the interpreter runs the model and refuses Trace, as it always does
    path = _write(tmp_path, "Export", TRACE_EXPORT, "CONSTANT Limit = 9\nINIT Init\nNEXT Next\n"
                  "INVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    compiled, result = _same_result(TLAModel(path), bfs.Options(deadlock=False))
    assert compiled.interpreted_instead is None and result.distinct_states == 4
    (tmp_path / "Export.cfg").write_text("CONSTANT Limit = 2\nINIT Init\nNEXT Next\n"
                                          "INVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    with pytest.raises(RefuteError) as native:
        explore(model, compiled, bfs.Options(deadlock=False))
    assert compiled.interpreted_instead == "an operator only the interpreter evaluates"
    with pytest.raises(RefuteError) as interpreted:
        bfs.explore(TLAModel(path), bfs.Options(deadlock=False))
    assert str(native.value) == str(interpreted.value) and "Trace" in str(native.value)


IOENV = """---- MODULE Env ----
EXTENDS Naturals, IOUtils, TLC
VARIABLE x
Max == IF "REFUTE_TEST_MAX" \\in DOMAIN IOEnv THEN 4 ELSE 2
Step == INSTANCE Stepper WITH Next <- LAMBDA v : (v + 1) % Max
Init == x = 0
Next == /\\ Assert(x < Max, "x is below Max") /\\ x' = Step!After(x)
        /\\ IOEnv.REFUTE_TEST_WORD = "word"
====
"""
STEPPER = """---- MODULE Stepper ----
CONSTANT Next(_)
After(v) == Next(v)
====
"""


@pytest.mark.parametrize("max_set", [False, True])
def test_ioenv_assert_and_an_operator_substitution_are_the_interpreters(tmp_path, monkeypatch, max_set):
    # the environment is the interpreter's IOEnv (read when the model is loaded); only what
    # the spec reads of it reaches the generated code
    (tmp_path / "Stepper.tla").write_text(STEPPER)
    path = _write(tmp_path, "Env", IOENV, "INIT Init\nNEXT Next\n")
    monkeypatch.setenv("REFUTE_TEST_WORD", "word")
    monkeypatch.setenv("REFUTE_TEST_SECRET", "not-for-the-cache-7f3a")
    if max_set:
        monkeypatch.setenv("REFUTE_TEST_MAX", "1")
    else:
        monkeypatch.delenv("REFUTE_TEST_MAX", raising=False)
    model = TLAModel(path)
    compiled, result = _same_result(model)
    assert compiled.interpreted_instead is None
    assert result.distinct_states == (4 if max_set else 2)
    source, _ = emit(lower(model))
    assert "not-for-the-cache-7f3a" not in source and "REFUTE_TEST_SECRET" not in source


def test_verify_compares_every_state(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n"
                  "CHECK_DEADLOCK FALSE\n")
    model = TLAModel(path)
    outcome = verify(model, compile_model(model))
    assert outcome.equal, outcome.message
    assert outcome.states == bfs.explore(model, bfs.Options(deadlock=False)).distinct_states


CONSTANT_MODULE = """---- MODULE Arithmetic ----
EXTENDS Naturals, FiniteSets, Folds, TLC
Sum(S) == MapThenFoldSet(LAMBDA x, acc : x + acc, 0, LAMBDA x : x * x, LAMBDA T : CHOOSE t \\in T : TRUE, S)
ASSUME Sum(1..4) = 30
ASSUME PrintT(<<"squares", Sum(1..3)>>)
ASSUME Cardinality({n \\in 1..20 : n % 3 = 0}) = 6
====
"""


def test_a_constant_module_is_its_assumes_evaluated_natively(tmp_path, capfd):
    path = _write(tmp_path, "Arithmetic", CONSTANT_MODULE, "")
    model = TLAModel(path)  # the interpreter checks (and prints) the ASSUMEs as it loads
    assert capfd.readouterr().err == '<<"squares", 14>>\n'
    compiled = compile_model(model)
    assert compiled.native.assumptions() == [1, 1, 1]  # natively, quietly (printed once)
    result = explore(model, compiled)
    assert compiled.interpreted_instead is None
    assert result_difference(result, bfs.explore(model, bfs.Options())) is None
    assert (result.status, result.distinct_states, result.states_generated) == (Status.OK, 0, 0)
    outcome = verify(model, compiled)
    assert (outcome.equal, outcome.complete) == (True, True), outcome.message
    assert capfd.readouterr().err == ""


INSTANCES = """---- MODULE Instances ----
EXTENDS Naturals
I(k) == INSTANCE Inner WITH K <- k
CR[n \\in 0..3, v \\in 1..2] == IF n = 0 THEN v ELSE CR[n - 1, v] + v
ASSUME I(3)!Twice = 9 /\\ I(1)!Double(5) = 11
ASSUME CR[3, 2] = 8 /\\ CR[<<1, 1>>] = 2
====
"""
INNER = """---- MODULE Inner ----
EXTENDS Naturals
CONSTANT K
Double(x) == 2 * x + K
Twice == Double(K)
====
"""


def test_parameterised_instances_and_recursive_functions_of_pairs_compile(tmp_path):
    (tmp_path / "Inner.tla").write_text(INNER)
    model = TLAModel(_write(tmp_path, "Instances", INSTANCES, ""))
    assert compile_model(model).native.assumptions() == [1, 1]


PRINTING = """---- MODULE Printing ----
EXTENDS Naturals, Sequences, Folds, TLC
VARIABLES x
Squares(n) == MapThenFoldSet(LAMBDA a, b : <<a>> \\o b, <<>>, LAMBDA k : k * k, LAMBDA T : CHOOSE t \\in T : TRUE, 1..n)
Init == PrintT(<<"start", Squares(3)>>) /\\ x = 0
Next == x < 3 /\\ x' = Print(x + 1, x + 1)
AlwaysSmall == [](x < 4)
====
"""


def test_print_fold_and_property_invariant_run_natively(tmp_path, capfd):
    path = _write(tmp_path, "Printing", PRINTING, "INIT Init\nNEXT Next\nPROPERTY AlwaysSmall\n"
                  "CHECK_DEADLOCK FALSE\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    capfd.readouterr()
    mine = explore(model, compiled)
    printed = capfd.readouterr().err
    assert compiled.interpreted_instead is None  # the PROPERTY's []P is the native search's
    theirs = bfs.explore(TLAModel(path), bfs.Options())
    assert capfd.readouterr().err == printed == '<<"start", <<1, 4, 9>>>>\n1  1\n2  2\n3  3\n'
    assert result_difference(mine, theirs) is None
    assert (mine.status, mine.distinct_states, mine.states_generated) == (Status.OK, 4, 4)


def test_a_property_always_is_checked_natively(tmp_path):
    path = _write(tmp_path, "Unbounded", UNBOUNDED.replace("Small ==", "Always == [](x < 10)\nSmall =="),
                  "INIT Init\nNEXT Next\nPROPERTY Always\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    mine = explore(model, compiled)
    assert compiled.interpreted_instead is None  # not handed to the interpreter any more
    assert result_difference(mine, bfs.explore(model, bfs.Options())) is None
    assert (mine.violation.name, mine.distinct_states, len(mine.violation.trace)) == ("Always", 21, 11)


UNBOUNDED = """---- MODULE Unbounded ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y \\in {0, 1}
Next == x' = x + 1 /\\ y' = 1 - y
Small == x < 10
====
"""


def test_verify_stops_where_the_check_stops(tmp_path):
    # an infinite state space: the check stops at its violation (x = 10: 2 states a level,
    # the 21st state is the first with x = 10), and so does --verify, where it used to explore
    # without end (MCDieHardest grew to 20 GB)
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\nINVARIANT Small\n")
    model = TLAModel(path)
    outcome = verify(model, compile_model(model), bfs.Options())
    assert (outcome.equal, outcome.complete, outcome.states) == (True, True, 21), outcome.message
    assert "up to invariant Small violated in state 21" in outcome.message
    assert bfs.explore(model, bfs.Options()).distinct_states == 21


@pytest.mark.parametrize("bound, states", [({"max_states": 7}, 7), ({"max_depth": 4}, 8),
                                           ({"time_limit": 0.2}, None)])
def test_verify_within_the_runs_bounds_is_incomplete_never_equal(tmp_path, bound, states):
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\n")
    model = TLAModel(path)
    outcome = verify(model, compile_model(model), bfs.Options(**bound))
    assert (outcome.equal, outcome.complete, outcome.differs) == (False, False, False)
    assert outcome.message.startswith("incomplete: "), outcome.message
    if states is not None:  # the interpreter's own count under the same bound
        assert outcome.states == states == bfs.explore(model, bfs.Options(**bound)).distinct_states


def test_verify_memory_limit_stops_the_interpreters_part(tmp_path):
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\n")
    model = TLAModel(path)
    outcome = verify(model, compile_model(model), bfs.Options(max_states=50, memory_limit=1 << 20))
    assert (outcome.equal, outcome.complete) == (False, False)
    assert "--memory-limit was reached" in outcome.message


def test_check_verify_cut_short_exits_incomplete(tmp_path):
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\n")
    out = CliRunner().invoke(main, ["check", path, "--verify", "--max-states", "30"])
    assert out.exit_code == 3, out.output
    assert "verify: incomplete: --max-states stopped the search; the backends agree on the 30" \
        in " ".join(out.output.split())
    assert "agree on all" not in out.output


WIDE = """---- MODULE Wide ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y = 0
Next == /\\ y < 2
        /\\ \\E i \\in 1..400 : x' = (x * 7 + i) % 1000 /\\ y' = y + 1
Inv == x # 4 \\/ y # 2
====
"""


def test_parent_links_keep_ordinals_past_a_byte(tmp_path):
    # 400 successors a state: the links keep a position of 255 or more apart (one byte holds
    # less); the counterexample goes through such positions (the interpreter's trace)
    path = _write(tmp_path, "Wide", WIDE, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    model = TLAModel(path)
    compiled, result = _same_result(model)
    ordinals = compiled.native.array32("refute_ordinals", result.distinct_states)
    assert max(ordinals) >= 255
    assert [step.state for step in result.violation.trace] == [(0, 0), (87, 1), (4, 2)]
    # with workers (their links arrive out of order): the same counterexample
    many = explore(model, compiled, bfs.Options(), workers=2)
    assert many.violation.trace == result.violation.trace


def test_memory_limit_stops_the_native_search_incomplete_with_exact_counts(tmp_path):
    # an unbounded model needs more than any limit: 8 MiB above what the process holds now
    # stops the native search (never the interpreter's) between two expansions
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    limit = rss() + (8 << 20)
    result = explore(model, compiled, bfs.Options(memory_limit=limit))
    assert compiled.interpreted_instead is None
    assert (result.status, result.stop_reason) == (Status.INCOMPLETE, StopReason.MEMORY_LIMIT)
    assert result.warnings[-1].startswith("the native search stopped at ")
    assert f"(limit {format_size(limit)})" in result.warnings[-1]
    # exact counts: 2 initial states, then one new state per expansion, 2 a level; the depth
    # is the level being expanded, as the interpreter's at a stop between expansions (where
    # the limit stops it depends on the process's size: n odd when it stops mid-level)
    n = result.distinct_states
    assert n > 1000 and result.states_generated == n and result.depth == n // 2
    # and the states are the interpreter's, state for state, up to where it stopped
    outcome = verify(model, compiled, bfs.Options(memory_limit=rss() + (8 << 20)))
    assert (outcome.equal, outcome.complete, outcome.differs) == (False, False, False)
    assert outcome.message.startswith("incomplete: "), outcome.message


def test_check_memory_limit_runs_compiled_incomplete_or_as_unlimited(tmp_path):
    path = _write(tmp_path, "Unbounded", UNBOUNDED, "INIT Init\nNEXT Next\n")
    out = CliRunner().invoke(main, ["check", path, "--backend", "compiled", "--memory-limit",
                                    "1M", "--json", str(tmp_path / "r.json")])
    assert out.exit_code == 3, out.output
    assert "incomplete: the --memory-limit was reached" in out.output
    assert "runs on the interpreter" not in out.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["backend"], data["status"], data["stop_reason"], data["distinct_states"],
            data["states_generated"]) == ("compiled", "incomplete", "memory-limit", 0, 0)
    # a limit the run stays under: the unlimited run's result, compiled
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 4\nINIT Init\nNEXT Next\n"
                  "INVARIANT Small\n")
    runs = []
    for extra in ([], ["--memory-limit", "64G"]):
        out = CliRunner().invoke(main, ["check", path, "--json", str(tmp_path / "c.json"), *extra])
        assert out.exit_code == 1, out.output
        data = json.loads((tmp_path / "c.json").read_text())
        assert data.pop("backend") == "compiled"
        data.pop("seconds", None)
        runs.append(data)
    assert runs[0] == runs[1]
    expected = bfs.explore(TLAModel(path), bfs.Options())
    assert (runs[0]["distinct_states"], runs[0]["states_generated"]) == \
        (expected.distinct_states, expected.states_generated)


def test_memory_limit_with_workers_is_the_interpreters(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n"
                  "CHECK_DEADLOCK FALSE\n")
    # a limit far above what the test process holds (its share is divided among the workers,
    # and this process, pytest's, has grown to over 1 GiB by the end of a whole run)
    out = CliRunner().invoke(main, ["check", path, "--workers", "2", "--memory-limit", "64G"])
    assert out.exit_code == 0, out.output
    assert "compiled backend not used: --ray or --memory-limit with --workers runs on the " \
        "interpreter" in " ".join(out.output.split())


HOSTILE = """---- MODULE Hostile ----
EXTENDS Naturals
VARIABLES main, system, printf_
exit == "\\"); system(\\"touch /tmp/pwned\\"); /* */ \\\\n"
Init == main = exit /\\ system = 0 /\\ printf_ = {"*/ #include <stdio.h>", exit}
Next == /\\ system < 3
        /\\ system' = system + 1
        /\\ main' = IF system = 1 THEN "??=define" ELSE main
        /\\ printf_' = printf_ \\cup {main}
Inv == system < 3 \\/ main = "??=define"
====
"""


def test_hostile_names_and_strings_never_reach_the_generated_code(tmp_path):
    path = _write(tmp_path, "Hostile", HOSTILE, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    model = TLAModel(path)
    source, atoms = emit(lower(model))
    for text in ("system(", "pwned", "#include <stdio.h>", "??=", "printf_", "main =", "Hostile"):
        assert text not in source
    assert "\"" not in source.split('#include "runtime.c"')[1]  # no string literal at all
    assert not os.path.exists("/tmp/pwned")
    _same_result(model)
    assert set(atoms) == {"\"); system(\"touch /tmp/pwned\"); /* */ \\n", "*/ #include <stdio.h>",
                          "??=define"}


def test_a_warm_run_does_not_recompile(tmp_path, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 2\nINIT Init\nNEXT Next\n")
    first = compile_model(TLAModel(path))
    second = compile_model(TLAModel(path))
    assert not first.cached and second.cached
    (tmp_path / "Counter.cfg").write_text("CONSTANT N = 3\nINIT Init\nNEXT Next\n")
    assert not compile_model(TLAModel(path)).cached  # another model, another build


UNSUPPORTED = """---- MODULE Rec ----
EXTENDS Naturals
VARIABLE z
I == INSTANCE RecInner WITH x <- z, y <- z
Init == z = 0
Next == z' = 1 - z /\\ I!Free
====
"""
# ENABLED written in an instance that renames its variables: TLC evaluates it before the
# substitution (refute.tla.enabled), which the native state has no slots for
UNSUPPORTED_INNER = """---- MODULE RecInner ----
VARIABLES x, y
Free == ENABLED (x' = 0 /\\ y' = 1)
====
"""
WHAT = "ENABLED written in an instance that substitutes its variables"


def test_unsupported_construct_is_located(tmp_path):
    (tmp_path / "RecInner.tla").write_text(UNSUPPORTED_INNER)
    path = _write(tmp_path, "Rec", UNSUPPORTED, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    with pytest.raises(Unsupported) as info:
        lower(TLAModel(path))
    assert info.value.construct == WHAT
    assert info.value.where.endswith("RecInner.tla:3")
    runner = CliRunner()
    out = runner.invoke(main, ["check", path, "--backend", "compiled"])
    assert out.exit_code == 2 and WHAT in " ".join(out.output.split())
    assert "RecInner.tla:3" in out.output or "RecInner.tla" in out.output
    auto = runner.invoke(main, ["check", path, "--json", str(tmp_path / "r.json")])
    assert auto.exit_code == 0, auto.output
    assert "compiled backend not used: " + WHAT in " ".join(auto.output.split())
    data = json.loads((tmp_path / "r.json").read_text())
    # TLC: 2 distinct states, 3 generated (I!Free is TRUE in both: x' = 0 and y' = 1 are the
    # instance's own variables inside the ENABLED)
    assert (data["backend"], data["distinct_states"], data["states_generated"]) == ("interpreted", 2, 3)


def test_check_command_runs_compiled_and_verifies(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n"
                  "CHECK_DEADLOCK FALSE\n")
    out = CliRunner().invoke(main, ["check", path, "--verify", "--json", str(tmp_path / "r.json")])
    assert out.exit_code == 0, out.output
    assert "verify: the backends agree" in out.output
    data = json.loads((tmp_path / "r.json").read_text())
    expected = bfs.explore(TLAModel(path), bfs.Options(deadlock=False))
    assert (data["backend"], data["distinct_states"], data["states_generated"]) == \
        ("compiled", expected.distinct_states, expected.states_generated)


LIVE = """---- MODULE Live ----
EXTENDS Naturals
CONSTANT Procs
VARIABLES x, y, owner
vars == <<x, y, owner>>
Init == x = 0 /\\ y = 0 /\\ owner \\in Procs
IncX == x < 3 /\\ x' = x + 1 /\\ UNCHANGED <<y, owner>>
IncY == y < 2 /\\ y' = y + 1 /\\ UNCHANGED <<x, owner>>
Reset == x = 3 /\\ x' = 0 /\\ UNCHANGED <<y, owner>>
Pass(p) == owner # p /\\ owner' = p /\\ UNCHANGED <<x, y>>
Next == IncX \\/ IncY \\/ Reset \\/ \\E p \\in Procs : Pass(p)
Spec == Init /\\ [][Next]_vars /\\ WF_vars(IncX) /\\ WF_vars(Reset)
Cycles == []<>(x = 0)
Reaches == <>(y = 2)
Monotone == [][x' >= x \\/ x' = 0]_vars
Typed == [](x \\in 0..3)
Small == x + y < 10
NoSkip == x' <= x + 1 /\\ UNCHANGED owner \\/ x' = x
View == <<x, y>>
Sym == Permutations(Procs)
====
"""


@pytest.mark.parametrize("extra", ["PROPERTY Monotone\n", "PROPERTY Monotone\nVIEW View\n",
                                   "PROPERTY Monotone\nSYMMETRY Sym\n",
                                   "ACTION_CONSTRAINT NoSkip\nCONSTRAINT Small\n"])
def test_temporal_properties_on_the_native_graph_are_the_interpreters(tmp_path, extra):
    """Fairness, a lasso (Reaches fails: IncY is not fair), step and invariant PROPERTYs, under a
    VIEW, SYMMETRY or constraints: the interpreter's whole result, from the native search."""
    tla = LIVE.replace("EXTENDS Naturals", "EXTENDS Naturals, TLC")
    path = _write(tmp_path, "Live", tla, "CONSTANT Procs = {p1, p2, p3}\nSPECIFICATION Spec\n"
                  "PROPERTY Cycles Typed Reaches\nINVARIANT Small\n" + extra)
    model = TLAModel(path)
    compiled = compile_model(model)
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    theirs = check_model(TLAModel(path), bfs.Options())
    assert result_difference(mine, theirs) is None, result_difference(mine, theirs)
    assert mine.violation is not None and mine.violation.name == "Reaches"
    assert mine.violation.kind is ViolationKind.LIVENESS and mine.violation.loop_start is not None


def test_a_violated_step_property_is_reported_natively_as_the_interpreter_reports_it(tmp_path):
    path = _write(tmp_path, "Live", LIVE, "CONSTANT Procs = {p1, p2}\nSPECIFICATION Spec\n"
                  "PROPERTY Monotone\n")
    (tmp_path / "Live.tla").write_text(LIVE.replace("x' >= x \\/ x' = 0", "x' >= x"))
    model = TLAModel(path)
    compiled = compile_model(model)
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    assert result_difference(mine, check_model(TLAModel(path), bfs.Options())) is None
    assert mine.violation.name == "Monotone"


def test_dump_graph_runs_compiled_and_is_the_interpreters(tmp_path):
    path = _write(tmp_path, "Live", LIVE, "CONSTANT Procs = {p1, p2}\nSPECIFICATION Spec\n"
                  "PROPERTY Cycles\n")
    runner = CliRunner()
    outputs = []
    for backend in ("compiled", "interpreted"):
        out = runner.invoke(main, ["check", path, "--backend", backend, "--dump-graph",
                                   str(tmp_path / f"{backend}.dot")])
        assert out.exit_code == 0, out.output
        assert "compiled backend not used" not in out.output
        outputs.append((tmp_path / f"{backend}.dot").read_text())
    assert outputs[0] == outputs[1]


INJECTIVE = """---- MODULE Inj ----
EXTENDS Naturals, Functions
VARIABLE f
Init == f = [i \\in 1..3 |-> 1]
Next == \\E i \\in 1..3, v \\in 1..3 : f' = [f EXCEPT ![i] = v]
Typed == [g |-> f] \\in [g : UNION {[1..3 -> Int], [1..3 -> SUBSET {1}]}]
Unsorted == ~IsInjective(f) \\/ f[1] # 3
====
"""


def test_is_injective_and_membership_in_a_listed_union_run_natively(tmp_path):
    # UNION {[1..3 -> Int], ...} is tested from its parts' descriptions (never enumerated);
    # the first injective f with f[1] = 3: <<3, 2, 1>>, two steps from <<1, 1, 1>>
    path = _write(tmp_path, "Inj", INJECTIVE, "INIT Init\nNEXT Next\nINVARIANT Typed Unsorted\n")
    compiled, result = _same_result(TLAModel(path))
    assert compiled.interpreted_instead is None
    assert result.violation.name == "Unsorted" and len(result.violation.trace) == 3
    assert result.violation.trace[-1].state == ((3, 2, 1),)


PARTIAL = """---- MODULE Part ----
EXTENDS Naturals
VARIABLES x, y
Init == x = 0 /\\ y = 0
Next == /\\ x < 3
        /\\ x' = x + 1
        /\\ IF x = 5 THEN UNCHANGED x ELSE y' = y
Bad == /\\ x < 3 /\\ x' = x + 1 /\\ IF x = 1 THEN x' = 2 ELSE y' = y
====
"""


@pytest.mark.parametrize("action", ["Next", "Bad"])
def test_a_branch_that_leaves_a_variable_unset_is_the_interpreters_where_reached(tmp_path, action):
    # Next's THEN branch (y' unset) is never enabled: native; Bad's is, from x = 1: the
    # interpreter runs the model and refuses the incompletely specified successor, as it does
    path = _write(tmp_path, "Part", PARTIAL, f"INIT Init\nNEXT {action}\nCHECK_DEADLOCK FALSE\n")
    model = TLAModel(path)
    compiled = compile_model(model)
    if action == "Next":
        result = explore(model, compiled, bfs.Options(deadlock=False))
        assert compiled.interpreted_instead is None and result.distinct_states == 4
        return
    with pytest.raises(RefuteError) as native:
        explore(model, compiled, bfs.Options(deadlock=False))
    assert compiled.interpreted_instead is not None
    with pytest.raises(RefuteError) as interpreted:
        bfs.explore(TLAModel(path), bfs.Options(deadlock=False))
    assert str(native.value) == str(interpreted.value)
