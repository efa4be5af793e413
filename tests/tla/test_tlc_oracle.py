"""refute against TLC: every exhaustive-search model of the oracle (manifest runtime <= 1 min)
must give TLC's verdict and, when it passes, TLC's distinct/total state counts and depth.

Models refute cannot check yet are listed in :data:`tests.tla.oracle.UNSUPPORTED` with the
reason; they are expected to fail (xfail), so that one starting to pass is noticed. The models
of :data:`tests.tla.oracle.ON_THE_COMMAND_LINE` (those the interpreter alone needs minutes for)
are checked as a user checks them, by ``refute check`` with its default backend (auto).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled.native import find_compiler
from refute.engine.bfs import Options
from refute.engine.liveness import check_model
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import (COMPILED, DATA_FILES, DEPTH_ACCEPTED, EXAMPLES, ON_THE_COMMAND_LINE, SLOW,
                              TIME_LIMIT, TLC_COUNTS, UNSUPPORTED, oracle_models)

MODELS = oracle_models() if os.path.isdir(os.path.join(EXAMPLES, "specifications")) else []


def spec_for(model: dict) -> str:
    """The .tla a model checks: MC.cfg checks MC.tla; X.cfg checks X.tla when it exists."""
    cfg = model["cfg"]
    sibling = cfg[:-4] + ".tla"
    if os.path.exists(sibling):
        return sibling
    return model["tla"]


def _params():
    for m in MODELS:
        marks = []
        if m["id"] in UNSUPPORTED:
            # A model unsupported for its running time is not run at all: it would only burn
            # CI minutes to fail (it is listed with the reason, and -m slow times the others).
            too_slow = UNSUPPORTED[m["id"]].startswith("too slow") or m["id"] in SLOW
            marks.append(pytest.mark.xfail(reason=UNSUPPORTED[m["id"]], strict=False,
                                           run=not too_slow))
        if m["id"] in SLOW:
            marks.append(pytest.mark.slow)
        yield pytest.param(m, id=m["id"], marks=marks)


def TLAModel_has_constraint(model: dict) -> bool:
    from refute.tla.config import read_config
    cfg = read_config(model["cfg"])
    return bool(cfg.constraints or cfg.action_constraints)


def test_the_oracle_is_there() -> None:
    if not MODELS:
        pytest.skip(f"TLC ORACLE ABSENT: no models under {EXAMPLES}; the TLA+ front end is not "
                    "compared with TLC (clone beside shared/, or set REFUTE_TLA_EXAMPLES)")


class Outcome(NamedTuple):
    status: Status
    violation_kind: str | None  # "invariant", "deadlock", "liveness"
    distinct: int
    generated: int
    depth: int
    pruned: int  # successors a CONSTRAINT cut off


def _interpreted(model: dict) -> Outcome:
    data_file = DATA_FILES.get(model["id"])
    allowed = [os.path.join(EXAMPLES, data_file)] if data_file else []
    result = check_model(TLAModel(spec_for(model), model["cfg"], allow_read=allowed),
                         Options(time_limit=TIME_LIMIT))
    return Outcome(result.status, None if result.violation is None else result.violation.kind.value,
                   result.distinct_states, result.states_generated, result.depth, result.pruned)


def _as_refute_check(model: dict, out: Path) -> Outcome:
    """The model checked by the ``check`` command with its defaults (``--backend auto``: the
    model compiled to C where it is in the compiled subset, else interpreted), as a user runs
    it; the result read back from ``--json``, and the backend it ran on checked."""
    run = CliRunner().invoke(main, ["check", spec_for(model), "--config", model["cfg"], "--quiet",
                                    "--time-limit", str(TIME_LIMIT), "--json", str(out)])
    assert run.exit_code in (0, 1, 3), run.output
    data = json.loads(out.read_text())
    if model["id"] in COMPILED and find_compiler() is not None:
        assert data["backend"] == "compiled", "the compiled backend no longer takes this model"
    return Outcome(Status(data["status"]), data["violation"] and data["violation"]["kind"],
                   data["distinct_states"], data["states_generated"], data["depth"],
                   (data["within_constraint"] or {}).get("pruned", 0))


@pytest.mark.parametrize("model", list(_params()))
def test_matches_tlc(model: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    data_file = DATA_FILES.get(model["id"])
    if data_file:
        if not os.path.exists(os.path.join(EXAMPLES, data_file)):
            pytest.skip(f"DATA FILE ABSENT: {data_file} is not in the oracle's copy of "
                        f"tlaplus/Examples ({EXAMPLES}); TLC fails without it too")
        monkeypatch.chdir(EXAMPLES)  # the model reads it relative to the root, as TLC's CI runs it
    result = _as_refute_check(model, tmp_path / "result.json") if model["id"] in ON_THE_COMMAND_LINE \
        else _interpreted(model)
    if result.status is Status.INCOMPLETE:
        pytest.fail(f"too slow: not finished in {TIME_LIMIT:.0f} s (REFUTE_TLA_ORACLE_SECONDS); "
                    f"{result.distinct} distinct states so far")
    verdict = {Status.OK: "success", Status.VIOLATION: "safety failure"}.get(result.status, str(result.status))
    if result.pruned:  # OK within the constraint, as TLC's success
        assert TLAModel_has_constraint(model), "only a model with a CONSTRAINT prunes"
    if result.violation_kind == "liveness":
        verdict = "liveness failure"
    assert verdict == model["result"]
    if model["result"] == "success" and model.get("distinctStates") is not None:
        # TLC's depth with one worker where the manifest has a multi-worker one (DEPTH_ACCEPTED)
        depth = DEPTH_ACCEPTED.get(model["id"], model["stateDepth"])
        assert (result.distinct, result.generated, result.depth) == \
            (model["distinctStates"], model["totalStates"], depth)
    if model["id"] in TLC_COUNTS:  # the manifest has the verdict only: TLC's counts measured here
        assert (result.distinct, result.generated, result.depth) == TLC_COUNTS[model["id"]]
