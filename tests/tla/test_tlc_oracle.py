"""refute against TLC: every exhaustive-search model of the oracle (manifest runtime <= 1 min)
must give TLC's verdict and, when it passes, TLC's distinct/total state counts and depth.

Models refute cannot check yet are listed in :data:`tests.tla.oracle.UNSUPPORTED` with the
reason; they are expected to fail (xfail), so that one starting to pass is noticed.
"""

from __future__ import annotations

import os
import sys

import pytest

from refute.engine.bfs import Options
from refute.engine.liveness import check_model
from refute.status import Status
from refute.tla.model import TLAModel
from tests.tla.oracle import DEPTH_ACCEPTED, EXAMPLES, SLOW, TIME_LIMIT, UNSUPPORTED, oracle_models

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


@pytest.mark.parametrize("model", list(_params()))
def test_matches_tlc(model: dict) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    result = check_model(TLAModel(spec_for(model), model["cfg"]), Options(time_limit=TIME_LIMIT))
    if result.status is Status.INCOMPLETE:
        pytest.fail(f"too slow: not finished in {TIME_LIMIT:.0f} s (REFUTE_TLA_ORACLE_SECONDS); "
                    f"{result.distinct_states} distinct states so far")
    verdict = {Status.OK: "success", Status.VIOLATION: "safety failure"}.get(result.status, str(result.status))
    if result.pruned:  # OK within the constraint, as TLC's success
        assert TLAModel_has_constraint(model), "only a model with a CONSTRAINT prunes"
    if result.violation is not None and result.violation.kind.name == "LIVENESS":
        verdict = "liveness failure"
    assert verdict == model["result"]
    if model["result"] == "success" and model.get("distinctStates") is not None:
        # TLC's depth with one worker where the manifest has a multi-worker one (DEPTH_ACCEPTED)
        depth = DEPTH_ACCEPTED.get(model["id"], model["stateDepth"])
        assert (result.distinct_states, result.states_generated, result.depth) == \
            (model["distinctStates"], model["totalStates"], depth)
