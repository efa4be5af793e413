"""The search itself: the Python API with a user's model, time limits, partitions, and a
property test of the pruning rules against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refute.errors import SpecError
from refute.linearize import (MODELS, UNKNOWN, Model, Operation, Verdict, check,
                              from_operations)
from refute.linearize.result import Stop


def _register_step(state, input, output):
    kind, value = input
    if kind == "put":
        return True, value
    return output == state, state


REGISTER = Model("porcupine-register", 0, _register_step,
                 describe_operation=lambda i, o: f"put({i[1]})" if i[0] == "put"
                 else f"get() -> {o}")


def test_porcupine_register_examples() -> None:
    # Porcupine's TestRegisterModel, from MIT 6.824's 2017 quiz 2
    good = [{"process": 0, "input": ("put", 100), "call": 0, "output": 0, "return": 100},
            {"process": 1, "input": ("get", 0), "call": 25, "output": 100, "return": 75},
            {"process": 2, "input": ("get", 0), "call": 30, "output": 0, "return": 60}]
    bad = [{"process": 0, "input": ("put", 200), "call": 0, "output": 0, "return": 100},
           {"process": 1, "input": ("get", 0), "call": 10, "output": 200, "return": 30},
           {"process": 2, "input": ("get", 0), "call": 40, "output": 0, "return": 90}]
    assert check(good, REGISTER).linearizable is True
    result = check(bad, REGISTER)
    assert result.linearizable is False
    assert "get() -> 0" in result.explain()


def test_intervals_are_closed() -> None:
    # Porcupine's TestZeroDuration: calls and returns at the same instant overlap
    ops = [Operation(0, ("put", 100), 0, call=0, ret=100),
           Operation(1, ("get", 0), 100, call=25, ret=75),
           Operation(2, ("get", 0), 0, call=30, ret=30),
           Operation(3, ("get", 0), 0, call=30, ret=30)]
    assert check(ops, REGISTER).linearizable is True
    ops = [Operation(0, ("put", 200), 0, call=0, ret=100),
           Operation(1, ("get", 0), 200, call=10, ret=10),
           Operation(2, ("get", 0), 200, call=10, ret=10),
           Operation(3, ("get", 0), 0, call=40, ret=90)]
    assert check(ops, REGISTER).linearizable is False
    touching = [Operation(0, ("put", 1), None, call=0, ret=10),
                Operation(1, ("get", 0), 0, call=10, ret=20)]
    assert check(touching, REGISTER).linearizable is True


def _append_step(state, input, output):
    if input[0] == "append":
        return True, state + (input[1],)
    return output == state, state


APPEND_LOG = Model("append-log", (), _append_step, partition=lambda op: op.key)


def _hard(key: str, n: int) -> list[Operation]:
    """n concurrent appends and a read that matches no order of them: n! orders to try."""
    ops = [Operation(p, ("append", p), None, call=0, ret=10, key=key) for p in range(n)]
    return ops + [Operation(n, ("read", None), ("nope",), call=20, ret=30, key=key)]


def test_a_write_of_the_value_already_there_is_not_a_read() -> None:
    """Found by the brute-force property: writing 0 over 0 changes nothing *then*, but
    placed after the write of 1 it is what makes the cas(0, 0) succeed. Only the model's
    declared reads may be placed eagerly."""
    ops = [Operation(0, ("cas", (0, 0)), (0, 0), call=2, ret=2),
           Operation(1, ("write", 0), 0, call=0, ret=0),
           Operation(2, ("write", 0), 0, call=0, ret=0),
           Operation(3, ("write", 0), 0, call=0, ret=1),
           Operation(4, ("read", None), UNKNOWN, call=0, ret=None),
           Operation(5, ("write", 1), 1, call=1, ret=1)]
    result = check(ops, MODELS["cas-register"])
    assert result.linearizable is True
    assert [op.process for op in result.partitions[0].linearization] == [1, 2, 5, 3, 0]


def test_a_time_limit_gives_unknown_never_a_guess() -> None:
    result = check(_hard("k", 9), APPEND_LOG, time_limit=0.05)
    assert result.verdict is Verdict.UNKNOWN
    assert result.linearizable is None
    assert result.status.exit_code == 3
    assert result.partitions[0].stop is Stop.TIME_LIMIT
    assert "--time-limit" in result.explain()
    with pytest.raises(TypeError, match="linearizable"):
        bool(result)


def test_a_hard_object_does_not_hide_another_objects_violation() -> None:
    quick = [Operation(0, ("read", None), ("x",), call=0, ret=1, key="quick")]
    result = check(_hard("slow", 10) + quick, APPEND_LOG)
    assert result.verdict is Verdict.NOT_LINEARIZABLE
    slow, fast = result.partitions
    assert fast.verdict is Verdict.NOT_LINEARIZABLE
    assert slow.verdict is Verdict.UNKNOWN and slow.stop is Stop.OTHER_VIOLATION


def test_unhashable_states_are_explained() -> None:
    model = Model("lists", [], lambda state, input, output: (True, state + [input]))
    with pytest.raises(SpecError) as caught:
        check([Operation(0, "x", None, call=0, ret=1)], model)
    assert "hashable" in caught.value.hint


def test_a_failing_step_points_at_the_operation() -> None:
    def step(state, input, output):
        raise KeyError(input)

    with pytest.raises(SpecError) as caught:
        check([{"process": 0, "input": "boom", "call": 0, "return": 1}],
              Model("broken", None, step))
    assert "#0" in caught.value.message and "boom" in caught.value.message


# -- the pruning rules against brute force ------------------------------------------------

def _brute_force(model: Model, ops: list[Operation]) -> bool:
    """Some subset of the unreturned calls and all returned ones, in some order respecting
    real time, is legal: straight from the definition."""
    completed = [op for op in ops if op.ret is not None]
    pending = [op for op in ops if op.ret is None]
    for k in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, k):
            for order in itertools.permutations(completed + list(chosen)):
                if not all(b.ret is None or b.ret >= a.call
                           for x, a in enumerate(order) for b in order[x + 1:]):
                    continue
                state, legal = model.init, True
                for op in order:
                    legal, state = model.step(state, op.input, op.output)
                    if not legal:
                        break
                if legal:
                    return True
    return False


@st.composite
def _histories(draw: st.DrawFn) -> list[Operation]:
    values = st.integers(0, 2)
    ops = []
    for process in range(draw(st.integers(1, 6))):
        f = draw(st.sampled_from(["read", "write", "cas"]))
        value = {"read": None, "write": draw(values),
                 "cas": (draw(values), draw(values))}[f]
        call = draw(st.integers(0, 8))
        if draw(st.booleans()) and draw(st.booleans()):
            ops.append(Operation(process, (f, value), UNKNOWN, call=call, ret=None))
            continue
        ret = call + draw(st.integers(0, 4))
        output = draw(st.one_of(st.none(), values)) if f == "read" else value
        ops.append(Operation(process, (f, value), output, call=call, ret=ret))
    return ops


@settings(max_examples=300, deadline=None)
@given(_histories())
def test_the_search_agrees_with_brute_force(ops: list[Operation]) -> None:
    model = MODELS["cas-register"]
    assert check(from_operations(ops), model).linearizable is _brute_force(model, ops)


def test_the_public_api_is_sorted_and_importable() -> None:
    import refute.linearize as api

    assert api.__all__ == sorted(api.__all__)
    assert all(hasattr(api, name) for name in api.__all__)
