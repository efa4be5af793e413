"""The compiled backend gives the interpreter's answers (counts, depth, coverage, traces), on
the TLC oracle and on small specs; hostile names never reach the generated C; builds are
cached."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.backend import compile_model, explore, verify
from refute.compiled.emit_c import emit
from refute.compiled.from_tla import lower
from refute.compiled.ir import Unsupported
from refute.engine import bfs
from refute.tla.model import TLAModel
from tests.tla.oracle import EXAMPLES, oracle_models

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

TWO_PHASE = os.path.join(EXAMPLES, "specifications", "transaction_commit", "TwoPhase.tla")

COMPILED_ORACLE = {
    # model -> (status, distinct, generated): TLC's counts from the manifest where it has
    # them; the violations' counts are TLC's too, built from source, -workers 1 (the manifest
    # records none): FourQueens' 40 / 62 needs TLC's order of values (sequences of different
    # lengths: the shorter first), which refute had not (34 / 51)
    "Chameneos/Chameneos.cfg": ("ok", 34534, 104697),
    "CigaretteSmokers/CigaretteSmokers.cfg": ("ok", 6, 15),
    "DieHard/DieHard.cfg": ("violation", 14, 73),
    "DieHard/MCDieHarder.cfg": ("violation", 14, 73),
    "Majority/MCMajority.cfg": ("ok", 2733, 3459),
    "MissionariesAndCannibals/MissionariesAndCannibals.cfg": ("violation", 61, 225),
    "N-Queens/Queens.toolbox/FourQueens/MC.cfg": ("violation", 40, 62),
    "Paxos/MCConsensus.cfg": ("ok", 4, 7),
    "SpecifyingSystems/AsynchronousInterface/AsynchInterface.cfg": ("ok", 12, 30),
    "SpecifyingSystems/AsynchronousInterface/Channel.cfg": ("ok", 12, 30),
    "SpecifyingSystems/CachingMemory/MCInternalMemory.cfg": ("ok", 4408, 21400),
    "SpecifyingSystems/FIFO/MCInnerFIFO.cfg": ("ok", 3864, 9660),
    "SpecifyingSystems/HourClock/HourClock.cfg": ("ok", 12, 24),
    "SpecifyingSystems/TLC/ABCorrectness.cfg": ("ok", 20, 36),
    "btree/kvstore.cfg": ("ok", 2641, 28585),
    "locks_auxiliary_vars/Lock.cfg": ("ok", 12, 21),
    "tower_of_hanoi/Hanoi.toolbox/Model_1/MC.cfg": ("violation", 233, 768),
    "transaction_commit/2PCwithBTM.cfg": ("ok", 1245, 5841),
    "transaction_commit/TCommit.cfg": ("ok", 34, 94),
    "transaction_commit/TwoPhase.cfg": ("ok", 288, 1146),
}
"""Oracle models the compiled backend runs (verified); keep it growing."""

SLOW = {"Majority/MCMajority.cfg", "btree/kvstore.cfg", "Chameneos/Chameneos.cfg"}
"""Those whose interpreted half of the verification takes over ~5 s here."""


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


@pytest.mark.parametrize("m", _models(), ids=lambda m: m["id"] if m else "absent")
def test_oracle_model_compiles_verifies_and_matches(m):
    model = TLAModel(m["tla"], m["cfg"])
    compiled, result = _same_result(model)
    status, distinct, generated = COMPILED_ORACLE[m["id"]]
    assert (result.status.value, result.distinct_states, result.states_generated) == \
        (status, distinct, generated)
    outcome = verify(model, compiled)  # every reachable state, invariants aside
    assert outcome.equal, outcome.message
    if status == "ok":
        assert outcome.states == distinct


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


def test_verify_compares_every_state(tmp_path):
    path = _write(tmp_path, "Counter", COUNTER, "CONSTANT N = 3\nINIT Init\nNEXT Next\n"
                  "CHECK_DEADLOCK FALSE\n")
    model = TLAModel(path)
    outcome = verify(model, compile_model(model))
    assert outcome.equal, outcome.message
    assert outcome.states == bfs.explore(model, bfs.Options(deadlock=False)).distinct_states


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
VARIABLE x
Init == x = 0
Next == x < 2 /\\ \\E <<a, b>> \\in {<<1, 2>>} : x' = x + a
====
"""


def test_unsupported_construct_is_located(tmp_path):
    path = _write(tmp_path, "Rec", UNSUPPORTED, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    with pytest.raises(Unsupported) as info:
        lower(TLAModel(path))
    assert info.value.construct == "tuple pattern in a quantifier"
    assert info.value.where.endswith("Rec.tla:5")
    runner = CliRunner()
    out = runner.invoke(main, ["check", path, "--backend", "compiled"])
    assert out.exit_code == 2 and "tuple pattern in a quantifier" in out.output
    assert "Rec.tla:5" in out.output
    auto = runner.invoke(main, ["check", path, "--json", str(tmp_path / "r.json")])
    assert auto.exit_code == 0
    assert "compiled backend not used: tuple pattern in a quantifier" in auto.output
    assert json.loads((tmp_path / "r.json").read_text())["backend"] == "interpreted"


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
