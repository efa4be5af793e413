"""TLA+'s action composition (``A \\cdot B``) on the compiled backend: TLC's counts (its
intermediate states generated, run with -Dtlc2.tool.impl.Tool.cdot=true, one worker), the
interpreter's result and trace, and ``--verify``; what it does not compile falls back, located."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.backend import compile_model, explore, verify
from refute.engine import bfs
from refute.tla.model import TLAModel
from tests.tla.oracle import EXAMPLES
from tests.tla.test_tlc_fidelity import ASSIGNED_BEFORE, COMPOSED, CONTINUED, NESTED, ORDERED

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


STEPS = """\
    ---- MODULE M ----
    EXTENDS Naturals, TLC
    VARIABLES x, y
    ASSUME TLCGet("-Dtlc2.tool.impl.Tool.cdot") = "true"
    Init == x = 0 /\\ y = 0
    Pick == x < 6 /\\ \\E d \\in {1, 2} : x' = x + d /\\ y' = y
    Double == x' = 2 * x /\\ y' = y + 1
"""
"""The walk both specs below compose: Pick's x + 1 or x + 2, Double's 2 * x."""

FORMS = STEPS + """\
    Up == y' = y + 1 /\\ x' = x
    Seq == (Pick \\cdot Double) /\\ (Up \\cdot Pick) /\\ y' < 5
    InB == (Pick \\cdot (Up \\cdot Double)) /\\ x' # 4
    Cond == IF x > 2 THEN (Pick \\cdot Up) ELSE CASE y = 0 -> (Up \\cdot Pick) [] OTHER -> (Pick \\cdot Pick)
    Quant == \\E k \\in 1..2 : (x' = x + k /\\ y' = y) \\cdot (Pick \\/ Up)
    Imp == (x > 0 => (Pick \\cdot Up)) /\\ (x = 0 => (Up \\cdot Pick))
    Next == \\/ Seq \\/ InB \\/ (Cond /\\ x' < 10 /\\ y' < 4) \\/ (Quant /\\ y' < 5) \\/ (y < 3 /\\ Imp)
    Inv == x + y < 12
    ====
    """
"""Compositions in sequence, in B, under IF/CASE, \\E and =>, each with conjuncts after it."""

CONDITIONS = STEPS + """\
    Set == y < 3 /\\ \\E v \\in 0..12 : x' = v /\\ y' = y + 1
    Formula == Set /\\ (Pick \\cdot Double)
    Nested == ((Pick \\cdot Pick) \\cdot Double) /\\ x' < 12
    Guarded == y < 2 /\\ ENABLED (Pick \\cdot Double) /\\ x' = x + 5 /\\ y' = y + 2
    Next == Formula \\/ Nested \\/ Guarded
    ====
    """
"""A composition met once every variable is assigned (a condition of the step), one nested in
another's first action, and one under ENABLED."""

DEADLOCK_OFF = "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n"

# (spec, config, exit code, (distinct, generated, depth), violation kind): TLC's figures, each
# run here with -Dtlc2.tool.impl.Tool.cdot=true -workers 1 (the tests of test_tlc_fidelity.py
# quote those of its specs)
CASES = {
    "counted": (COMPOSED, DEADLOCK_OFF, 0, (14, 33, 6), None),
    "violation": (COMPOSED, "INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n", 1,
                  (7, 13, 3), "invariant"),
    "property holds": (COMPOSED, "INIT Init\nNEXT Next\nPROPERTY Either\nCHECK_DEADLOCK FALSE\n", 0,
                       (14, 33, 6), None),
    "property violated": (COMPOSED, "INIT Init\nNEXT Next\nPROPERTY Composed\nCHECK_DEADLOCK FALSE\n",
                          1, (2, 2, 2), "invariant"),
    "counted when computed": (ORDERED, "INIT Init\nNEXT After\nINVARIANT Inv\n", 1, (4, 6, 2), "invariant"),
    "none before": (ORDERED, "INIT Init\nNEXT Before\nINVARIANT Inv\n", 1, (2, 2, 2), "invariant"),
    "continued": (CONTINUED, DEADLOCK_OFF, 0, (2, 5, 2), None),
    # (refute's deadlock, where TLC's Worker sees the intermediate state: docs/tla.md)
    "deadlock": (CONTINUED, "INIT Init\nNEXT Next\n", 1, (2, 5, 2), "deadlock"),
    "assigned before": (ASSIGNED_BEFORE, "INIT Init\nNEXT N1\nCHECK_DEADLOCK FALSE\n", 0, (1, 1, 1), None),
    "kept before": (ASSIGNED_BEFORE, "INIT Init\nNEXT N2\nCHECK_DEADLOCK FALSE\n", 0, (3, 5, 3), None),
    "nested deadlock": (NESTED, "INIT Init\nNEXT Next\n", 1, (15, 58, 4), "deadlock"),
    "nested invariant": (NESTED, "INIT Init\nNEXT Next\nINVARIANT Inv\n", 1, (9, 24, 3), "invariant"),
    # TLC: "No error has been found", 426 generated, 63 distinct, depth 6; with Inv, "Invariant
    # Inv is violated", 98 generated, 22 distinct, depth 3
    "forms": (FORMS, DEADLOCK_OFF, 0, (63, 426, 6), None),
    "forms invariant": (FORMS, "INIT Init\nNEXT Next\nINVARIANT Inv\n", 1, (22, 98, 3), "invariant"),
    # TLC: "No error has been found", 28 generated, 13 distinct, depth 3
    "conditions": (CONDITIONS, DEADLOCK_OFF, 0, (13, 28, 3), None),
}


def _check(tmp_path, tla: str, cfg: str, *options: str) -> tuple[int, str, dict | None]:
    (tmp_path / "M.tla").write_text(textwrap.dedent(tla))
    (tmp_path / "M.cfg").write_text(cfg)
    out = tmp_path / "result.json"
    out.unlink(missing_ok=True)
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla"), "--json", str(out), *options])
    result = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return run.exit_code, run.output, result


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_and_interpreted_give_tlcs_figures_and_verify(tmp_path, case) -> None:
    tla, cfg, code, figures, kind = CASES[case]
    traces = []
    for backend in ("compiled", "interpreted"):
        status, output, result = _check(tmp_path, tla, cfg, "--backend", backend)
        assert status == code, output
        assert result["backend"] == backend
        assert (result["distinct_states"], result["states_generated"], result["depth"]) == figures
        violation = result["violation"]
        assert (violation and violation["kind"]) == kind
        traces.append(violation and violation["trace"])
    assert traces[0] == traces[1]  # the same counterexample, intermediate states left out
    # every state, in discovery order, and its number of successors, both ways
    status, output, _ = _check(tmp_path, tla, cfg, "--backend", "compiled", "--verify")
    assert status == code, output
    assert f"the backends agree on all {figures[0]} states" in " ".join(output.split()), output


def test_a_stop_between_successors_takes_back_the_intermediate_states_after(tmp_path) -> None:
    # --max-states stops mid-expansion: the successors after the last state found, and the
    # intermediate states generated after it, are not counted (as bfs._uncount takes them back)
    (tmp_path / "M.tla").write_text(textwrap.dedent(FORMS))
    (tmp_path / "M.cfg").write_text(DEADLOCK_OFF)
    model = TLAModel(str(tmp_path / "M.tla"))
    compiled = compile_model(model)
    for bound in (2, 5, 9, 17, 30):
        options = bfs.Options(deadlock=False, max_states=bound)
        mine, theirs = explore(model, compiled, options), bfs.explore(model, options)
        assert (mine.distinct_states, mine.states_generated, mine.depth, mine.stop_reason) == \
            (theirs.distinct_states, theirs.states_generated, theirs.depth, theirs.stop_reason)
    assert not verify(model, compiled, bfs.Options(deadlock=False, max_states=9)).differs


def test_a_run_resumed_mid_expansion_counts_as_the_whole_run(tmp_path) -> None:
    # a --max-states stop checkpoints in the middle of a state's successors: the resumed run
    # re-expands it and counts only the successors, and intermediate states, after the stop
    for bound in (5, 17):
        folder = str(tmp_path / f"ck{bound}")
        status, output, _ = _check(tmp_path, FORMS, DEADLOCK_OFF, "--max-states", str(bound),
                                   "--checkpoint", folder)
        assert status == 3, output
        status, output, result = _check(tmp_path, FORMS, DEADLOCK_OFF, "--resume", folder,
                                        "--max-states", "1000")
        assert status == 0, output
        assert (result["distinct_states"], result["states_generated"], result["depth"]) == (63, 426, 6)


def test_workers_run_a_composing_model_in_one_process(tmp_path) -> None:
    # the workers' search does not count intermediate states: the compiled backend runs the
    # search in one process and says so; the interpreter's sharded search refuses
    status, output, result = _check(tmp_path, COMPOSED, DEADLOCK_OFF, "--workers", "2")
    assert status == 0, output
    assert result["backend"] == "compiled"
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (14, 33, 6)
    assert "search ran in one process" in output and "A \\cdot B" in " ".join(output.split())
    status, output, _ = _check(tmp_path, COMPOSED, DEADLOCK_OFF, "--workers", "2", "--backend",
                               "interpreted")
    assert status == 2 and "intermediate states" in output, output


UNDER_FORALL = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLES x, y
    Init == x = 0 /\\ y = 0
    A(i) == x < 4 /\\ x' = x + i /\\ y' = y
    B == x' = x /\\ y' = y + 1
    Next == \\A i \\in {1} : (A(i) \\cdot B)
    ====
    """


def test_a_composition_the_compiler_does_not_take_falls_back_located(tmp_path) -> None:
    # under \A: auto runs the interpreter and says why in one line, with the place, then gives
    # the interpreter's answer (which refuses it too, located); --backend compiled stops (exit 2)
    status, output, _ = _check(tmp_path, UNDER_FORALL, DEADLOCK_OFF)
    notice, _, answer = " ".join(output.split()).partition("(the interpreter runs instead) ")
    assert notice.startswith("compiled backend not used: \\A over an action that assigns "
                             "variables at ") and "M.tla:7" in notice, output
    interpreted = _check(tmp_path, UNDER_FORALL, DEADLOCK_OFF, "--backend", "interpreted")
    assert (status, answer) == (interpreted[0], " ".join(interpreted[1].split()))
    assert status == 2 and "M.tla:7:9" in answer and "\\cdot" in answer
    # TLC checks it (5 distinct, 9 generated, depth 5): the refusal is refute's, and says so
    assert "TLC checks this spec" in answer and "TLC reports this error too" not in answer
    status, output, _ = _check(tmp_path, UNDER_FORALL, DEADLOCK_OFF, "--backend", "compiled")
    assert status == 2 and "M.tla:7" in output and "Traceback" not in output, output


@pytest.mark.slow
def test_mccrdt_verifies_every_state_and_gives_tlcs_counts() -> None:
    """FiniteMonotonic's MCCRDT composes Increment and Gossip with Reduction: 1,350,001
    generated, 450,000 of them intermediate states. The oracle's test runs it through ``refute
    check`` (compiled, TLC's counts, its liveness property); here --verify's comparison of every
    state and successor count with the interpreter's (~60 s of CPU, the interpreter's part)."""
    folder = os.path.join(EXAMPLES, "specifications", "FiniteMonotonic")
    if not os.path.isdir(folder):
        pytest.skip(f"no oracle at {EXAMPLES}")
    model = TLAModel(os.path.join(folder, "MCCRDT.tla"), os.path.join(folder, "MCCRDT.cfg"))
    compiled = compile_model(model)
    result = explore(model, compiled)
    assert compiled.interpreted_instead is None
    # TLC's (manifest): 25,000 distinct, 1,350,001 generated, depth 16 (its PROPERTY aside)
    assert (result.distinct_states, result.states_generated, result.depth) == (25_000, 1_350_001, 16)
    outcome = verify(model, compiled)
    assert outcome.equal and outcome.complete, outcome.message
