"""Every verdict of Porcupine's test data, asserted exactly (../shared/oracles/...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refute.linearize import Verdict, check, read_history

from .conftest import oracle_cases

CASES = oracle_cases()


@pytest.mark.parametrize(
    "name, model, linearizable",
    CASES or [pytest.param(None, None, None, marks=pytest.mark.skip(
        reason="the Porcupine oracle (../shared/oracles/linearizability/porcupine) is absent"))])
def test_porcupine_verdict(oracle: Path, name: str, model: str, linearizable: bool) -> None:
    result = check(oracle / name, model)
    assert result.linearizable is linearizable, result.explain()


def test_the_oracle_is_complete(oracle: Path) -> None:
    etcd = [case for case in CASES if case[0].startswith("jepsen/")]
    assert len(etcd) == 102
    assert sum(verdict for _, _, verdict in etcd) == 23
    assert len(CASES) - len(etcd) == 6


def test_an_empty_history_is_linearizable(oracle: Path) -> None:
    history = read_history(oracle / "jepsen" / "etcd_095.log")
    assert len(history) == 0
    assert check(history).verdict is Verdict.LINEARIZABLE


def test_a_violation_names_what_cannot_be_placed(oracle: Path) -> None:
    result = check(oracle / "jepsen" / "etcd_000.log")
    (part,) = result.partitions
    assert part.verdict is Verdict.NOT_LINEARIZABLE
    assert part.unplaceable, "a violation names the operations that cannot come next"
    # replaying the prefix in the model is legal, and no unplaceable operation fits after it
    state = result.model.init
    for op in part.linearization:
        legal, state = result.model.step(state, op.input, op.output)
        assert legal
    for op in part.unplaceable:
        assert not result.model.step(state, op.input, op.output)[0]
