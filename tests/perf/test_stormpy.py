"""refute perf's exact figures against Storm (stormpy), an independent probabilistic model
checker: the same chain, exported in Storm's explicit DRN format, must give the same
reachability probabilities, bounded reachability and expected rewards to 1e-9 (discrete
time: the examples and the DNS race), and the same long-run averages (continuous time: the
M/M/1/K queue at three loads).

Skips, saying why, where stormpy is not installed (``pip install stormpy``: wheels exist for
Linux x86-64 / CPython 3.11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from biased_coin import BiasedCoin
from cache_lookup import CacheLookup
from die_from_coin import DieFromCoin
from dns_race import DnsRace
from retrying_client import RetryingClient

from refute.perf import analyse, explore_graph, sidefile
from refute.perf.chain import build
from refute.perf.solve import decompose
from refute.spec.compile import SpecModel

stormpy = pytest.importorskip("stormpy", reason="stormpy is not installed (pip install "
                              "stormpy): the comparison with Storm cannot run")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CASES = {
    "die": (DieFromCoin(), None),
    "biased_coin": (BiasedCoin(), "biased_coin.perf.yaml"),
    "cache": (CacheLookup(), "cache_lookup.perf.yaml"),
    "retrying_client": (RetryingClient(), "retrying_client.perf.yaml"),
    "dns_race": (DnsRace(), None),
}


def to_drn(chain, labels: dict[str, np.ndarray], rewards: dict[str, np.ndarray]) -> str:
    """The chain as a DTMC in Storm's DRN format; the single initial state is labelled init."""
    P = chain.matrix().tocsr()
    P.sum_duplicates()
    (initial,) = np.flatnonzero(chain.initial)
    names = list(rewards)
    lines = ["@type: DTMC", "@parameters", "", "@reward_models", " ".join(names),
             "@nr_states", str(P.shape[0]), "@nr_choices", str(P.shape[0]), "@model"]
    for s in range(P.shape[0]):
        tags = [name for name, mask in labels.items() if mask[s]]
        if s == initial:
            tags.append("init")
        reward = ", ".join(repr(float(rewards[n][s])) for n in names)
        lines.append(f"state {s} [{reward}] {' '.join(tags)}".rstrip())
        lines.append(f"\taction 0 [{', '.join('0' for _ in names)}]")
        start, end = P.indptr[s], P.indptr[s + 1]
        for t, p in zip(P.indices[start:end], P.data[start:end]):
            lines.append(f"\t\t{t} : {float(p)!r}")
    return "\n".join(lines) + "\n"


def storm(model, formula: str) -> float:
    """Storm's figure, with a direct solver (Eigen) instead of the default value iteration,
    whose 1e-6 stopping criterion is looser than the 1e-9 compared."""
    from stormpy.environments import EquationSolverType

    environment = stormpy.Environment()
    environment.solver().set_linear_equation_solver_type(EquationSolverType.EIGEN)
    result = stormpy.model_checking(model, stormpy.parse_properties(formula)[0],
                                    environment=environment)
    return float(result.get_value(model.initial_states[0]))


@pytest.mark.parametrize("case", sorted(CASES))
def test_figures_equal_storms(case, tmp_path):
    spec, side = CASES[case]
    perf = sidefile.load(str(EXAMPLES / side) if side else None)
    graph = explore_graph(SpecModel(spec), perf)
    result = analyse(graph, perf, within=[3, 10])
    chain = build(graph, perf)
    structure = decompose(chain)
    labels = {"done": structure.terminal}
    for name, target in graph.violates.items():
        labels[f"bad_{name}"] = target
    counters = [c for c in perf.counters if c != "time"]
    rewards = {}
    for counter in counters:
        per_edge = chain.probability * chain.mean_increment(counter)
        reward = np.bincount(graph.sources, per_edge, minlength=graph.size)
        reward[structure.terminal] = 0.0
        rewards[counter] = reward
    groups = {}
    for s in np.flatnonzero(structure.terminal):
        key = graph.group_names[graph.terminal_group[s]] if graph.terminal_group is not None \
            else s
        groups.setdefault(key, np.zeros(graph.size, dtype=bool))[s] = True
    for i, mask in enumerate(groups.values()):
        labels[f"outcome{i}"] = mask
    path = tmp_path / f"{case}.drn"
    path.write_text(to_drn(chain, labels, rewards))
    model = stormpy.build_model_from_drn(str(path))
    assert model.nr_states == graph.size

    assert abs(storm(model, 'P=? [F "done"]') - result.terminates.value) <= 1e-9
    for k in (3, 10):
        assert abs(storm(model, f'P=? [F<={k} "done"]') - result.end_within[k].value) <= 1e-9
    for i, mask in enumerate(groups.values()):
        mine = float(sum(f.value for name, f in result.outcomes.items()
                         if name in _names(graph, mask)))
        theirs = storm(model, f'P=? [F "outcome{i}"]')
        assert abs(theirs - mine) <= 1e-9
    for name, target in graph.violates.items():
        if not target.any():  # DRN declares only labels some state carries
            assert result.reach[name].ever.value == 0
            continue
        assert abs(storm(model, f'P=? [F "bad_{name}"]') - result.reach[name].ever.value) <= 1e-9
    for counter in counters:
        expected = storm(model, f'R{{"{counter}"}}=? [F "done"]')
        assert abs(expected - result.counters[counter].mean.value) <= 1e-9 * max(1, expected)


def _names(graph, mask) -> set[str]:
    """The outcome names the report gives the terminal states in ``mask``."""
    if graph.terminal_group is not None:
        return {graph.group_names[graph.terminal_group[s]] for s in np.flatnonzero(mask)}
    describe = graph.model.describe_state
    return {", ".join(f"{k}={v if isinstance(v, str) else repr(v)}"
                      for k, v in describe(graph.state(int(s))).items())
            for s in np.flatnonzero(mask)}


def ctmc_drn(chain, labels: dict[str, np.ndarray], rewards: dict[str, np.ndarray]) -> str:
    """A continuous-time chain in DRN: each state's exit rate, then its transition rates."""
    graph = chain.graph
    rates = chain.probability * chain.rate[graph.sources]
    (initial,) = np.flatnonzero(chain.initial)
    names = list(rewards)
    lines = ["@type: CTMC", "@parameters", "", "@reward_models", " ".join(names),
             "@nr_states", str(graph.size), "@nr_choices", str(graph.size), "@model"]
    for s in range(graph.size):
        tags = [name for name, mask in labels.items() if mask[s]] + (["init"] if s == initial else [])
        reward = ", ".join(repr(float(rewards[n][s])) for n in names)
        lines.append(f"state {s} !{float(chain.rate[s])!r} [{reward}] {' '.join(tags)}".rstrip())
        lines.append(f"\taction 0 [{', '.join('0' for _ in names)}]")
        for e in range(graph.offsets[s], graph.offsets[s + 1]):
            lines.append(f"\t\t{int(graph.targets[e])} : {float(rates[e])!r}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("arrival", [0.5, 0.9, 1.5])
def test_queue_long_run_averages_equal_storms(arrival, tmp_path):
    from mm1k_queue import MM1KQueue

    perf = sidefile.load(str(EXAMPLES / "mm1k_queue.perf.yaml"))
    graph = explore_graph(SpecModel(MM1KQueue()), perf)
    result = analyse(graph, perf, {"arrival": arrival})
    chain = build(graph, perf, {"arrival": arrival})
    path = tmp_path / "queue.drn"
    path.write_text(ctmc_drn(chain, {"busy": graph.measures["utilisation"] > 0},
                             {"n": graph.measures["in_system"]}))
    model = stormpy.build_model_from_drn(str(path))
    assert abs(storm(model, 'LRA=? ["busy"]') - result.long_run["utilisation"].value) <= 1e-9
    assert abs(storm(model, 'R{"n"}=? [LRA]') - result.long_run["in_system"].value) <= 1e-9
