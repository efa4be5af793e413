"""The compiled backend computes an operator's argument and a LET's definition once where it
is bound, at its first use (TLC's LazyValue), and a constructor that reads only the names it
binds once per run; the answers stay TLC's (figures from TLC built from source, -workers 1)."""

from __future__ import annotations

from typing import Any

import pytest

from refute.compiled import native
from refute.compiled.backend import compile_model, explore
from refute.compiled.from_tla import RecursiveOperator, lower
from refute.compiled.ir import Expr
from refute.engine import bfs
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.test_compiled import _same_result, _write

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

SHARING = """---- MODULE Sharing ----
EXTENDS Naturals, FiniteSets, Sequences
VARIABLES x, y
Twice(s) == s \\cup {Cardinality(s)}
Swap(p) == <<p[2], p[1]>>
RECURSIVE Grow(_)
Grow(n) == IF n = 0 THEN {0} ELSE LET g == Grow(n - 1) IN g \\cup {n + Cardinality(g)}
Labels == {Twice(1..n) : n \\in 0..4}
Init == x = 0 /\\ y = <<0, 0>>
Next == /\\ x < 4
        /\\ x' = x + 1
        /\\ y' = LET p == <<x', y[1] + x>> IN Swap(p)
Inv == /\\ Cardinality(Twice(Grow(x + 20))) \\in {x + 21, x + 22}
       /\\ LET u == {y[1], y[2]} IN Cardinality(u \\cup Twice(u)) <= 3
       /\\ Labels # {}
====
"""
CFG = "INIT Init\nNEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n"


def _ops(x: Any, seen: set) -> list:
    """The IR expressions reachable from ``x`` (through recursive operators' bodies)."""
    if isinstance(x, tuple):
        return [e for y in x for e in _ops(y, seen)]
    if isinstance(x, RecursiveOperator):
        return _ops(x.body, seen)
    if not isinstance(x, Expr) or id(x) in seen:
        return []
    seen.add(id(x))
    return [x] + _ops(x.args, seen)


def test_shared_arguments_and_lets_give_the_interpreters_and_tlcs_answers(tmp_path):
    # Grow's LET g is read twice at each of 20-24 levels: computed at each read, 2^24 calls a
    # state. TLC: 5 distinct, 5 generated, depth 5, no error.
    model = TLAModel(_write(tmp_path, "Sharing", SHARING, CFG))
    ir = lower(model)
    expressions = _ops(tuple(ir.invariants), set())
    lets = [e for e in expressions if e.op == "shared"]
    assert lets and all(e.args[1].op != "prime" for e in lets)
    grow = next(e.args[0] for e in expressions if e.op == "rcall_op")
    assert any(e.op == "lazy" for e in _ops(grow.body, set()))  # g, in Grow's own body
    _, result = _same_result(model)
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 5, 5, 5)


def test_a_constructor_of_its_own_names_is_computed_once_per_run(tmp_path):
    model = TLAModel(_write(tmp_path, "Sharing", SHARING, CFG))
    setmaps = [e for e in _ops(tuple(lower(model).invariants), set()) if e.op == "setmap"]
    assert len(setmaps) == 1 and not setmaps[0].dyn  # Labels: reads n only


def _tlc_only(tmp_path, spec: str) -> None:
    """``spec`` (SHARING changed) checked compiled gives TLC's 5 distinct, 5 generated, depth
    5 (the interpreter evaluates an argument where the call is, not where it is used)."""
    model = TLAModel(_write(tmp_path, "Sharing", spec, CFG))
    result = explore(model, compile_model(model), bfs.Options(deadlock=False))
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 5, 5, 5)


def test_a_shared_argument_primed_where_it_is_used_reads_the_next_state(tmp_path):
    # Later(<<x, y>>) primes its argument, an expression (y'[2] = x + 1 holds only in the
    # next state): TLC, 5 distinct, 5 generated, depth 5
    spec = SHARING.replace("Init ==", "Later(t) == t'\nInit ==").replace(
        "IN Swap(p)\n", "IN Swap(p)\n        /\\ Later(<<x, y>>)[2][2] = x + 1\n")
    assert "/\\ Later(<<x, y>>)" in spec
    _tlc_only(tmp_path, spec)


def test_an_argument_never_used_is_never_evaluated(tmp_path):
    # TLC evaluates an operator's argument where the body uses it (LazyValue): the empty CHOOSE
    # is never evaluated. TLC: 5 distinct, 5 generated, depth 5, no error.
    spec = SHARING.replace("/\\ x' = x + 1", "/\\ x' = Ignore(x + 1, CHOOSE z \\in {} : TRUE)") \
        .replace("Twice(s) ==", "Ignore(a, b) == a\nTwice(s) ==")
    assert "Ignore(x + 1" in spec
    _tlc_only(tmp_path, spec)


STEADY = """---- MODULE Steady ----
EXTENDS Naturals
VARIABLES x, y
RECURSIVE R(_)
R(n) == IF n = 0 THEN x' ELSE LET r == R(n - 1) IN r + r
Init == x = 0 /\\ y = 0
Next == x < 3 /\\ x' = x + 1 /\\ y' = R(2)
====
"""


def test_a_recursive_operator_reading_the_next_state_shares_nothing(tmp_path):
    # r, in R's own body, was taken to be shareable before R's body was known to read x':
    # the model is lowered again without sharing. TLC: 4 distinct, 4 generated, depth 4.
    model = TLAModel(_write(tmp_path, "Steady", STEADY, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n"))
    ir = lower(model)
    assert not any(e.op in ("shared", "lazy") for a in ir.actions for e in _act_exprs(a.body))
    _, result = _same_result(model, bfs.Options(deadlock=False))
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 4, 4, 4)


def _act_exprs(a: Any) -> list:
    from refute.compiled.ir import Act
    if isinstance(a, Act):
        return [e for x in a.args for e in _act_exprs(x)]
    if isinstance(a, tuple):
        return [e for x in a for e in _act_exprs(x)]
    return _ops(a, set()) if isinstance(a, Expr) else []
