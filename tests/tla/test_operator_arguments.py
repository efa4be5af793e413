"""An operator's arguments as TLC takes them (figures from TLC built from source, -workers 1):
an argument is evaluated where the body reads it, so one the body never reads cannot fail
(tlc2's LazyValue), and a parameter bound to an expression and primed in the body is the
expression primed (TLA+'s substitution). Both backends, the same answers."""

from __future__ import annotations

import pytest

from refute.compiled import native
from refute.compiled.backend import compile_model, explore
from refute.errors import RefuteError, SpecError
from refute.engine import bfs
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.test_compiled import _same_result, _write

LAZY = """---- MODULE Lazy ----
EXTENDS Naturals
VARIABLES x, y
Ignore(a, b) == a
Later(t) == t'
Pass(a, b) == Ignore(a, b)
Unread(a) == TRUE
Second(a, b) == b
Step(v, unused) == x' = v
Init == x = 0 /\\ y = 0
Next == /\\ x < 6
        /\\ Step(Ignore(x + 1, CHOOSE z \\in {} : TRUE), CHOOSE z \\in {} : TRUE)
        /\\ y' = LET Pick(n, m) == n IN Pick((y + x) % 3, 1 \\div 0)
        /\\ Later(<<x, y>>) # <<x, y>>
Inv == /\\ Pass(x <= 6, CHOOSE z \\in {} : TRUE)
       /\\ Unread(CHOOSE z \\in {} : TRUE)
       /\\ Second(CHOOSE z \\in {} : TRUE, x >= 0)
       /\\ x < 6 => ENABLED (x' = x + 1 /\\ y' = y /\\ Later(<<x, y>>)[1] = x + 1)
Bound == Later(<<x, y>>)[1] # 5
====
"""
LAZY_CFG = "INIT Init\nNEXT Next\nINVARIANT Inv\nACTION_CONSTRAINT Bound\nCHECK_DEADLOCK FALSE\n"

PRIMED = """---- MODULE Primed ----
EXTENDS Naturals
VARIABLES x, y
Later(t) == t'
Later2(t) == Later(t)
Same(t) == UNCHANGED t
Keep(q) == UNCHANGED q
Init == x = 0 /\\ y = 0
Next == /\\ x < 3
        /\\ x' = x + 1
        /\\ Keep(y)
        /\\ Later2(<<x, y>>)[1] = x + 1
        /\\ ~Same(<<x, y>>)
Step == x' = x + 1 /\\ Keep(y) /\\ Later2(<<x>>) = <<x + 1>>
Inv == x < 3 => ENABLED Step
====
"""

STRICT = """---- MODULE Strict ----
EXTENDS Naturals
VARIABLES x
Use(a, b) == IF a < 2 THEN a ELSE b
Init == x = 0
Next == x' = Use(x + 1, CHOOSE z \\in {} : TRUE)
====
"""

needs_cc = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")


def _interpreted(tmp_path, name: str, spec: str, cfg: str) -> bfs.Result:
    return bfs.explore(TLAModel(_write(tmp_path, name, spec, cfg)), bfs.Options(deadlock=False))


def test_arguments_never_read_are_never_evaluated_and_primed_parameters_read_the_next_state(tmp_path):
    # every unread argument fails (an empty CHOOSE, 1 \div 0): the step operator's, a value
    # operator's (first, second, only), a LET operator's, one passed on to another operator,
    # an invariant's. Later primes its argument, an expression: in Next, in ENABLED and in an
    # ACTION_CONSTRAINT (which prunes the step to x = 5). TLC: 5 distinct, 6 generated, depth
    # 5, no error.
    result = _interpreted(tmp_path, "Lazy", LAZY, LAZY_CFG)
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 5, 6, 5)


@needs_cc
def test_the_compiled_backend_agrees(tmp_path):
    model = TLAModel(_write(tmp_path, "Lazy", LAZY, LAZY_CFG))
    _, result = _same_result(model, bfs.Options(deadlock=False))
    assert (result.status, result.distinct_states, result.depth) == (Status.OK, 5, 5)


@pytest.mark.parametrize("backend", ["interpreted", pytest.param("compiled", marks=needs_cc)])
def test_a_parameter_read_primed_through_another_operator_or_unchanged_is_substituted(tmp_path, backend):
    # Later2 passes its parameter on to Later, which primes it; Keep(y) assigns y' (UNCHANGED
    # of a parameter given a variable); ~Same(<<x, y>>) holds as x changes; ENABLED Step
    # substitutes too. TLC: 4 distinct, 4 generated, depth 4, no error.
    model = TLAModel(_write(tmp_path, "Primed", PRIMED, "INIT Init\nNEXT Next\nINVARIANT Inv\n"
                            "CHECK_DEADLOCK FALSE\n"))
    options = bfs.Options(deadlock=False)
    result = explore(model, compile_model(model), options) if backend == "compiled" \
        else bfs.explore(model, options)
    assert (result.status, result.distinct_states, result.states_generated, result.depth) == \
        (Status.OK, 4, 4, 4)


@pytest.mark.parametrize("backend", ["interpreted", pytest.param("compiled", marks=needs_cc)])
def test_an_argument_that_fails_fails_where_the_body_reads_it(tmp_path, backend):
    # TLC: "no element of S satisfied P", line 6, col 25, in the state x = 1 (x + 1 = 2 is
    # the first argument for which Use reads b)
    model = TLAModel(_write(tmp_path, "Strict", STRICT, "INIT Init\nNEXT Next\n"))
    with pytest.raises(SpecError) as caught:
        if backend == "compiled":
            explore(model, compile_model(model), bfs.Options())
        else:
            bfs.explore(model, bfs.Options())
    message = str(caught.value)
    assert "Strict.tla:6:25:" in message and "CHOOSE found no value" in message
    assert "in state: x = 1\n" in message


def test_a_recursive_operator_reading_its_parameter_primed_is_refused_as_sany_does(tmp_path):
    # SANY: "Argument 2 of recursive operator R is primed"
    spec = STRICT.replace("Use(a, b) ==", "RECURSIVE R(_, _)\nR(n, t) == IF n = 0 THEN t' ELSE R(n - 1, t)\n"
                          "Use(a, b) ==").replace("Next == x' = Use(x + 1, CHOOSE z \\in {} : TRUE)",
                                                  "Next == x < 2 /\\ x' = x + 1 /\\ R(2, <<x>>) = <<x + 1>>")
    assert "R(2, <<x>>)" in spec
    with pytest.raises(RefuteError, match="R is recursive and reads its parameter primed"):
        bfs.explore(TLAModel(_write(tmp_path, "Strict", spec, "INIT Init\nNEXT Next\n")), bfs.Options())
