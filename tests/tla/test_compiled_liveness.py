"""Temporal properties on the compiled backend: the liveness check's graph built from the
native search's arrays and its predicates (state atoms, fairness conditions' ``<<A>>_v``,
ENABLED under a constraint) evaluated natively (:mod:`refute.compiled.live`), with the
interpreter's result exactly (verdict, counts, the lasso) and TLC's verdict and counts
(TLC built from source, ``tlc -workers 1``, figures quoted per case)."""

from __future__ import annotations

import functools
import os

import pytest

from refute.compiled import native
from refute.compiled.backend import compile_model, explore, result_difference
from refute.engine import bfs
from refute.engine.liveness import check_model
from refute.engine.result import ViolationKind
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import EXAMPLES

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

RING = """---- MODULE LiveRing ----
EXTENDS Naturals, TLC
CONSTANT N
VARIABLES pos, done
vars == <<pos, done>>
Init == pos \\in 0..1 /\\ done = FALSE
Move(i) == pos = i /\\ pos' = (i + 1) % N /\\ UNCHANGED done
Finish == pos = N - 1 /\\ ~done /\\ done' = TRUE /\\ UNCHANGED pos
Next == (\\E i \\in 0..N-1 : Move(i)) \\/ Finish
Spec == Init /\\ [][Next]_vars /\\ WF_vars(\\E i \\in 0..N-1 : Move(i))
Unfair == Init /\\ [][Next]_vars
StrongSpec == Spec /\\ SF_vars(Finish)
Small == pos < N - 1 \\/ done
Starts == pos = 0
Stays == Starts => [](pos < N)
Reaches == Starts => <>(pos = N - 1)
Returns == []<>(pos = 0)
Finishes == <>done
Checked == Starts => <>(Assert(pos < N, "in range") /\\ pos = N - 1)
InLet == LET last == N - 1 IN Starts => <>(pos = last)
====
"""

# (cfg lines, TLC's verdict, distinct, generated, depth, the property violated and the
# lasso: its states' pos, and where its loop starts)
CASES = {
    # P => []Q and P => <>Q (through the tableau) and []<>P, under WF of an \E action
    "holds": ("SPECIFICATION Spec\nPROPERTIES Stays Reaches Returns\n", Status.OK, 8, 11, 7, None),
    # <>done: Finish is not fair; TLC's lasso too: pos 0, 1, 2, 3, back to the first
    "violated": ("SPECIFICATION Spec\nPROPERTY Finishes\n", Status.VIOLATION, 8, 11, 7,
                 ("Finishes", [0, 1, 2, 3], 0)),
    # P => <>Q without fairness: stuttering at pos = 0 (TLC's lasso is longer: it stutters at
    # pos = 2 after 0, 1; both are behaviours violating it)
    "unfair": ("SPECIFICATION Unfair\nPROPERTIES Stays Reaches\n", Status.VIOLATION, 8, 11, 7,
               ("Reaches", [0], 0)),
    # SF of an action, with the WF
    "strong": ("SPECIFICATION StrongSpec\nPROPERTIES Finishes Reaches\n", Status.OK, 8, 11, 7, None),
    # a CONSTRAINT: the fairness conditions' ENABLED <<A>>_v evaluated (natively), as TLC does
    "constrained": ("SPECIFICATION StrongSpec\nCONSTRAINT Small\nPROPERTY Finishes\n", Status.OK,
                    3, 5, 2, None),
}


def _both_ways(path: str, cfg: str | None = None):
    """The compiled backend's result and the interpreter's, which must be the same; and how
    many of the liveness predicates the compiled one evaluated in Python."""
    model = TLAModel(path, cfg)
    compiled = compile_model(model)
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    theirs = check_model(TLAModel(path, cfg), bfs.Options())
    assert result_difference(mine, theirs) is None, result_difference(mine, theirs)
    return mine, compiled.live_in_python


@pytest.mark.parametrize("case", sorted(CASES))
def test_liveness_on_the_native_graph_is_the_interpreters_and_tlcs(tmp_path, case):
    cfg, status, distinct, generated, depth, violated = CASES[case]
    (tmp_path / "LiveRing.tla").write_text(RING)
    (tmp_path / "LiveRing.cfg").write_text("CONSTANT N = 4\n" + cfg)
    mine, in_python = _both_ways(str(tmp_path / "LiveRing.tla"))
    assert in_python == 0  # every predicate evaluated natively
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == \
        (status, distinct, generated, depth)
    if violated is None:
        assert mine.violation is None
    else:
        name, positions, loop_start = violated
        assert mine.violation.kind is ViolationKind.LIVENESS and mine.violation.name == name
        assert [step.state[0] for step in mine.violation.trace] == positions
        assert mine.violation.loop_start == loop_start


MANY_CONDITIONS = """---- MODULE Ring70 ----
EXTENDS Naturals
VARIABLE x
vars == <<x>>
Step(i) == x = i /\\ x' = (i + 1) % 70
Spec == x = 0 /\\ [][\\E i \\in 0..69 : Step(i)]_vars /\\ \\A i \\in 0..69 : WF_vars(Step(i))
Reaches == <>(x = 69)
====
"""


def test_more_fairness_conditions_than_a_machine_word_has_bits(tmp_path):
    """70 weak fairness conditions, one per step: each step's set of conditions no longer fits
    a 64-bit mask (it wrapped: the steps of conditions 64-69 took none, so stopping at x = 64
    looked fair, "violated after 64 steps"; AllocatorImplementation has 115). TLC: no error,
    71 generated, 70 distinct, depth 70."""
    (tmp_path / "Ring70.tla").write_text(MANY_CONDITIONS)
    (tmp_path / "Ring70.cfg").write_text("SPECIFICATION Spec\nPROPERTY Reaches\n")
    mine, in_python = _both_ways(str(tmp_path / "Ring70.tla"))
    assert in_python == 0
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == \
        (Status.OK, 70, 71, 70)
    assert mine.violation is None


def test_predicates_not_evaluated_natively_are_evaluated_in_python(tmp_path):
    """A predicate inside a LET is not lowered, and Assert is the interpreter's to evaluate
    (the native code stops where it meets it): both are evaluated by their Python tests on
    the decoded states, with the same answer (TLC: no error, 8 / 11 / 7)."""
    (tmp_path / "LiveRing.tla").write_text(RING)
    (tmp_path / "LiveRing.cfg").write_text("CONSTANT N = 4\nSPECIFICATION Spec\n"
                                           "PROPERTIES Checked InLet Returns\n")
    mine, in_python = _both_ways(str(tmp_path / "LiveRing.tla"))
    assert in_python == 2
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == (Status.OK, 8, 11, 7)


def test_cf1s_folklore_small_is_the_interpreters_and_tlcs(tmp_path):
    """tlaplus/Examples' cf1s_folklore with N = 3, T = F = 0: its two PROPERTYs (P => []Q,
    P => <>Q) under WF_vars(\\E self \\in Proc : ...); TLC: 3,600 distinct, 26,480 generated,
    depth 16, no error."""
    spec = os.path.join(EXAMPLES, "specifications", "cf1s-folklore", "cf1s_folklore.tla")
    if not os.path.exists(spec):
        pytest.skip(f"no oracle at {EXAMPLES}")
    (tmp_path / "cf1s_folklore.tla").write_text(open(spec, encoding="utf-8").read())
    (tmp_path / "cf1s_folklore.cfg").write_text(
        "CONSTANTS\n  N = 3\n  T = 0\n  F = 0\nINVARIANTS TypeOK\n"
        "PROPERTIES OneStep0_Ltl OneStep1_Ltl\nSPECIFICATION Spec\n")
    mine, in_python = _both_ways(str(tmp_path / "cf1s_folklore.tla"))
    assert in_python == 0
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == \
        (Status.OK, 3600, 26480, 16)


@pytest.mark.parametrize("case", ["violated", "constrained"])
def test_every_predicate_in_python_gives_the_same_graph(tmp_path, case):
    """With no predicate evaluated natively (the lowered ones forgotten), each is evaluated by
    its Python test on the decoded states and steps (the fairness condition's <<A>>_v with
    the steps' labels, ENABLED under the constraint), and the answer is the same."""
    cfg, status, distinct, generated, depth, _ = CASES[case]
    (tmp_path / "LiveRing.tla").write_text(RING)
    (tmp_path / "LiveRing.cfg").write_text("CONSTANT N = 4\n" + cfg)
    path = str(tmp_path / "LiveRing.tla")
    model = TLAModel(path)
    compiled = compile_model(model)
    compiled.live_index = {}
    mine = check_model(model, bfs.Options(), native=functools.partial(explore, model, compiled))
    assert compiled.live_in_python > 0
    assert result_difference(mine, check_model(TLAModel(path), bfs.Options())) is None
    assert (mine.status, mine.distinct_states, mine.states_generated, mine.depth) == \
        (status, distinct, generated, depth)
