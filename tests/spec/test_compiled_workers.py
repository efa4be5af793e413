"""``--workers N`` on Python specs compiled (runtime/workers.c, the runtime TLA+ specs share):
the JSON result of one worker exactly (counts, depth, coverage, the counterexample's every
step), which is the interpreter's (tests/spec/test_compiled.py holds those counts)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from tests.spec.test_compiled import COMPILED_EXAMPLES, EXAMPLES

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


def _json(example: str, workers: int) -> tuple[int, dict, str]:
    name, *params = example.split()
    got = CliRunner().invoke(main, ["check", os.path.join(EXAMPLES, name + ".py"), *params,
                                    "--backend", "compiled", "--workers", str(workers),
                                    "--json", "-", "-q"])
    data = json.loads(got.stdout)
    assert data.pop("backend") == "compiled"
    data.pop("seconds")
    return got.exit_code, data, got.stderr


@pytest.mark.parametrize("example", ["two_phase", "two_phase -p early_commit=true", "die_hard",
                                     "dns_race", "t_commit",
                                     "paxos -p ballots=2 -p skip_highest_vote=true"])
def test_examples_give_one_workers_result_with_workers(example):
    code, one, _ = _json(example, 1)
    status, distinct, generated, depth = COMPILED_EXAMPLES[example]
    assert (one["status"], one["distinct_states"], one["states_generated"], one["depth"]) == \
        (status, distinct, generated, depth)
    for workers in (2, 3):
        many_code, many, err = _json(example, workers)
        assert (many_code, many) == (code, one), workers
        assert "compiled backend not used" not in err
