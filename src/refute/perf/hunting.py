"""How long must I test? The exact chance that one random run finds a bug, and so how many
runs find it with 95% or 99% probability.

A.\\ Jesse Jiryu Davis asked it ("How Long Must I Test?", 2025); ``refute simulate`` answers
it after the fact (what ``n`` clean runs rule out). Here it is answered before, per bug, on
the explored graph: the states violating an invariant are made absorbing, and the
probability ``p`` that a run of ``N`` steps is in one after ``N`` steps is computed by ``N``
sparse vector-matrix products (:func:`refute.perf.solve.within_matrix`). ``n`` independent
runs find the bug with probability ``1 - (1 - p)^n``, so ``n = ceil(ln(1 - c) / ln(1 - p))``
runs find it with confidence ``c``.

Three ways to draw a run, each exactly as it is defined elsewhere:

* **uniform**: as ``refute simulate --no-swarm`` does (:mod:`refute.engine.simulate`): a
  random initial state, then at each step one of the state's successors, each equally
  likely; a state without successors ends the run.
* **model**: under the side file's probabilities (:mod:`refute.perf.chain`).
* **swarm**: as ``refute simulate`` does by default: each run first keeps each action with
  probability 1/2 (if it keeps none, one action chosen uniformly), then steps uniformly among
  the successors by kept actions; in a state where none of them is enabled, uniformly among
  all its successors (the subset is a preference: only a state without successors ends the
  run). The figure is
  the exact average over all ``2^k`` action subsets with their probabilities (for more than
  :data:`MAX_EXACT_ACTIONS` actions, over :data:`SAMPLED_SUBSETS` subsets drawn with a fixed
  seed, and said so).

A run stops at the first violation of any invariant in ``refute simulate``; the figures here
are per invariant, as if only that one were checked (for "any invariant", use ``any``).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from refute.perf.chain import Chain
from refute.perf.graph import StateGraph
from refute.perf.solve import within_matrix

MAX_EXACT_ACTIONS = 12
SAMPLED_SUBSETS = 2048


@dataclass(frozen=True)
class Hunt:
    """For one target (an invariant's violation) and one run length: the probability that a
    single run reaches it, and the runs needed to find it with 95% and 99% confidence."""

    target: str
    mode: str
    depth: int
    probability: float
    exact: bool

    def runs_needed(self, confidence: float) -> int | None:
        """The least ``n`` with ``1 - (1 - p)^n >= confidence`` (``None``: never)."""
        p = self.probability
        if p <= 0:
            return None
        if p >= 1:
            return 1
        return max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p) - 1e-12))

    @property
    def runs_95(self) -> int | None:
        return self.runs_needed(0.95)

    @property
    def runs_99(self) -> int | None:
        return self.runs_needed(0.99)

    def to_json(self) -> dict:
        return {"target": self.target, "mode": self.mode, "depth": self.depth,
                "probability": self.probability, "exact": self.exact,
                "runs_95": self.runs_95, "runs_99": self.runs_99}


def _uniform(graph: StateGraph, allowed: np.ndarray | None = None) -> csr_matrix:
    """Uniform over the successors by ``allowed`` actions, or over all of a state's successors
    when none of them is by an allowed action (as a swarm trace of ``refute simulate`` steps);
    rows of states without successors are 0 (the run ends)."""
    keep = np.ones(graph.edges, dtype=bool) if allowed is None else allowed[graph.actions]
    if allowed is not None:
        has_kept = np.bincount(graph.sources[keep], minlength=graph.size) > 0
        keep |= ~has_kept[graph.sources]
    sources = graph.sources[keep]
    degree = np.bincount(sources, minlength=graph.size)
    data = 1.0 / degree[sources]
    return csr_matrix((data, (sources, graph.targets[keep])), shape=(graph.size, graph.size))


def _initial_uniform(graph: StateGraph) -> np.ndarray:
    initial = np.bincount(graph.initial, minlength=graph.size).astype(float)
    return initial / initial.sum()


def _subsets(k: int):
    """(subset as a boolean mask over actions, probability) as ``refute simulate`` draws."""
    if k <= MAX_EXACT_ACTIONS:
        for bits in itertools.product((False, True), repeat=k):
            mask = np.array(bits, dtype=bool)
            p = 0.5 ** k
            if mask.sum() == 1:
                p += 0.5 ** k / k  # the empty draw replaced by this one action
            if mask.any():
                yield mask, p
        return
    rng = random.Random("refute-perf-swarm")
    for _ in range(SAMPLED_SUBSETS):
        mask = np.array([rng.random() < 0.5 for _ in range(k)], dtype=bool)
        if not mask.any():
            mask[rng.randrange(k)] = True
        yield mask, 1.0 / SAMPLED_SUBSETS


def hunt(graph: StateGraph, targets: dict[str, np.ndarray], depths: list[int],
         chain: Chain | None = None, modes: tuple[str, ...] = ("uniform", "swarm", "model")
         ) -> list[Hunt]:
    """Per target, mode and depth: the chance one run reaches the target (see above)."""
    out: list[Hunt] = []
    initial = _initial_uniform(graph)
    spec_actions = list(graph.model.action_names)
    k = len(spec_actions)
    for name, bad in targets.items():
        if not bad.any():
            continue
        if "uniform" in modes:
            found = within_matrix(_uniform(graph), initial, bad, depths)
            out += [Hunt(name, "uniform", d, found[d], True) for d in depths]
        if "swarm" in modes:
            totals = dict.fromkeys(depths, 0.0)
            for mask, weight in _subsets(k):
                allowed = np.zeros(len(graph.action_names), dtype=bool)
                allowed[:k] = mask
                found = within_matrix(_uniform(graph, allowed), initial, bad, depths)
                for d in depths:
                    totals[d] += weight * found[d]
            out += [Hunt(name, "swarm", d, min(totals[d], 1.0), k <= MAX_EXACT_ACTIONS)
                    for d in depths]
        if "model" in modes and chain is not None:
            P = chain.matrix()
            found = within_matrix(P, chain.initial, bad, depths)
            out += [Hunt(name, "model", d, found[d], True) for d in depths]
    return out
