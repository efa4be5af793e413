"""``--ray``: on a local Ray cluster (loopback), the same results as one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from refute.engine.bfs import Options, explore
from refute.engine.parallel import Scale
from refute.engine.command import load_model

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'refute[ray]'): "
                                        "the --ray explorer is NOT tested")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def cluster():
    try:
        ray.init(address="local", _node_ip_address="127.0.0.1", num_cpus=2,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"a local Ray cluster could not start ({exc}): --ray is NOT tested")
    yield
    ray.shutdown()


def summary(result):
    violation = result.violation
    return (result.status, result.distinct_states, result.states_generated, result.depth,
            violation and [(str(step.action), step.state) for step in violation.trace],
            tuple((c.action, c.fired, c.new_states) for c in result.coverage))


@pytest.mark.parametrize("spec, params, bounds", [
    ("die_hard.py", (), {}),
    ("two_phase.py", ("rms=3", "early_commit=true"), {}),
    ("two_phase.py", ("rms=5",), {}),
    ("two_phase.py", ("rms=4",), {"max_states": 300}),
])
@pytest.mark.parametrize("workers", [1, 2])
def test_ray_equals_one_process(cluster, spec, params, bounds, workers):
    from refute.engine.ray_explorer import check_on_ray

    source = (str(EXAMPLES / spec), params, None)
    model = load_model(*source)
    expected = summary(explore(model, Options(**bounds)))
    result = check_on_ray(model, Options(**bounds), Scale(workers=workers, source=source), None)
    assert summary(result) == expected
