"""Exact answers on a :class:`~refute.perf.chain.Chain`, by sparse linear algebra.

* **Structure**: the bottom strongly connected components (BSCCs) of the chain's support
  (``scipy.sparse.csgraph``). A run ends up in one of them with probability 1. A BSCC of
  one state with no step to another state is a *terminal* state (the run ends there); a
  larger one is a cycle the run never leaves (the system runs forever).
* **Absorption** (:func:`absorb`): with the states ``T`` outside the chosen absorbing set,
  the expected visits ``v`` to each transient state solve ``(I - Q)^T v = alpha_T``
  (``Q`` = the chain restricted to ``T``, ``alpha`` the initial distribution): one sparse
  LU solve gives every absorption probability (``alpha_A + v P[T, A]``) and every
  expected counter accumulated until absorption (``v . r``, ``r`` the expected increment
  of a step from each state).
* **Bounded reachability** (:func:`within`): the distribution after ``k`` steps with the
  target states absorbing, by ``k`` sparse vector-matrix products.
* **Long run** (:func:`stationary`): in each non-trivial BSCC, ``pi (P - I) = 0``,
  ``sum pi = 1``, one sparse solve; the long-run average of the whole chain weights each
  BSCC's averages by the probability of ending up in it.
* **Distributions of counters** (:func:`propagate`): the joint distribution of (state,
  accumulated value) pushed step by step, equal pairs merged, until the mass not yet
  absorbed is below ``1e-12`` (that mass is the stated precision). Exact for counters whose
  increments take finitely many values; continuous ones go to :mod:`refute.perf.sampling`.

Every solve reports its residual ``max |A x - b|``, the precision stated beside the figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, diags, identity, vstack
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from refute.perf.chain import Chain

TOLERANCE = 1e-12


@dataclass
class Structure:
    """The chain's bottom SCCs: ``component[s]`` per state, and the BSCCs as state arrays."""

    component: np.ndarray
    bottoms: list[np.ndarray]
    terminal: np.ndarray
    """Per state: a terminal state (a BSCC of one state with no step elsewhere)."""
    recurrent: np.ndarray
    """Per state: in a BSCC of several states (a cycle never left)."""


def decompose(chain: Chain) -> Structure:
    g = chain.graph
    sources, targets = g.sources, g.targets
    live = chain.probability > 0
    n = g.size
    support = csr_matrix((np.ones(int(live.sum())), (sources[live], targets[live])), shape=(n, n))
    count, component = connected_components(support, directed=True, connection="strong")
    leaves = np.zeros(count, dtype=bool)
    leaving = component[sources[live]] != component[targets[live]]
    leaves[component[sources[live]][leaving]] = True
    sizes = np.bincount(component, minlength=count)
    bottom = ~leaves
    order = np.argsort(component, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    bottoms = [order[starts[c]:starts[c + 1]] for c in np.flatnonzero(bottom)]
    terminal = bottom[component] & (sizes[component] == 1)
    recurrent = bottom[component] & (sizes[component] > 1)
    return Structure(component, bottoms, terminal, recurrent)


@dataclass
class Absorption:
    """Expected visits to the transient states and the mass absorbed in each absorbing one."""

    transient: np.ndarray
    visits: np.ndarray
    absorbed: np.ndarray
    residual: float


def absorb(chain: Chain, absorbing: np.ndarray, matrix: csr_matrix | None = None) -> Absorption:
    """Make the ``absorbing`` states absorbing and solve for visits and absorbed mass.

    Every state outside ``absorbing`` must leave the transient set with probability 1 (true
    when ``absorbing`` contains every BSCC state)."""
    P = chain.matrix() if matrix is None else matrix
    transient = np.flatnonzero(~absorbing)
    alpha = chain.initial
    absorbed = np.where(absorbing, alpha, 0.0)
    if len(transient) == 0:
        return Absorption(transient, np.zeros(0), absorbed, 0.0)
    Q = P[transient][:, transient]
    A = (identity(len(transient), format="csc") - Q.T.tocsc()).tocsc()
    b = alpha[transient]
    visits = np.atleast_1d(spsolve(A, b))
    residual = float(np.max(np.abs(A @ visits - b))) if len(b) else 0.0
    into = P[transient].T @ visits  # mass flowing out of T into each state
    absorbed = absorbed + np.where(absorbing, into, 0.0)
    return Absorption(transient, visits, absorbed, residual)


def expected(chain: Chain, absorption: Absorption, counter: str) -> float:
    """A counter's expected total until absorption: ``sum_s visits(s) * r(s)``."""
    g = chain.graph
    increments = chain.probability * chain.mean_increment(counter)
    per_state = np.bincount(g.sources, increments, minlength=g.size)
    return float(np.dot(absorption.visits, per_state[absorption.transient]))


def within(chain: Chain, target: np.ndarray, steps: list[int],
           matrix: csr_matrix | None = None) -> dict[int, float]:
    """P(a run is in a ``target`` state within ``k`` steps), for each ``k`` in ``steps``."""
    return within_matrix(chain.matrix() if matrix is None else matrix, chain.initial, target,
                         steps)


def within_matrix(matrix: csr_matrix, initial: np.ndarray, target: np.ndarray,
                  steps: list[int]) -> dict[int, float]:
    """As :func:`within`, for a given sub-stochastic matrix (rows of stopped runs are 0):
    the target rows are replaced by self-loops (``diag(~target) P + diag(target)``)."""
    keep = diags((~target).astype(float))
    absorbed = keep @ matrix + diags(target.astype(float))
    PT = absorbed.T.tocsr()
    x = initial.copy()
    out, k = {}, 0
    for n in sorted(set(steps)):
        while k < n:
            x = PT @ x
            k += 1
        out[n] = float(x[target].sum())
    return out


def stationary(chain: Chain, states: np.ndarray, matrix: csr_matrix | None = None
               ) -> tuple[np.ndarray, float]:
    """The stationary distribution of the closed class ``states`` (and the residual)."""
    P = chain.matrix() if matrix is None else matrix
    if len(states) == 1:
        return np.ones(1), 0.0
    block = P[states][:, states]
    balance = (block.T - identity(len(states), format="csr")).tocsr()
    # one balance equation is redundant: replace the last by sum(pi) = 1
    A = vstack([balance[:-1], csr_matrix(np.ones((1, len(states))))]).tocsc()
    b = np.zeros(len(states))
    b[-1] = 1.0
    pi = spsolve(A, b)
    return pi, float(np.max(np.abs(A @ pi - b)))


@dataclass
class Distribution:
    """A counter's distribution at termination: ``values`` ascending with ``probabilities``;
    ``residual`` is the mass not placed (the runs still going when propagation stopped)."""

    values: np.ndarray
    probabilities: np.ndarray
    residual: float

    def cdf(self, x: float) -> float:
        """P(total <= x), low by at most ``residual``."""
        return float(self.probabilities[self.values <= x + 1e-9].sum())

    def percentile(self, q: float) -> tuple[float, bool]:
        """The least value ``v`` with P(total <= v) >= q, and whether the residual mass
        cannot change it (exact)."""
        cumulative = np.cumsum(self.probabilities)
        i = int(np.searchsorted(cumulative, q - 1e-12))
        if i >= len(self.values):
            return float("inf"), False
        below = cumulative[i - 1] if i > 0 else 0.0
        return float(self.values[i]), below + self.residual < q - 1e-12


def _support(parts: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The distribution of a sum of independent finite increments (a convolution)."""
    values, weights = np.zeros(1), np.ones(1)
    for amount in parts:
        values = (values[:, None] + amount.values[None, :]).ravel()
        weights = (weights[:, None] * amount.weights[None, :]).ravel()
    values = np.round(values, 9)
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, np.bincount(inverse, weights)


def propagate(chain: Chain, counter: str, stop: np.ndarray, tolerance: float = TOLERANCE,
              max_rounds: int = 100_000, max_support: int = 2_000_000,
              max_work: int = 50_000_000) -> Distribution | None:
    """The distribution of ``counter`` accumulated until a ``stop`` state (see the module
    docstring); ``None`` when it cannot be done exactly within the bounds (rounds, pairs
    held at once, pairs processed in all)."""
    if not chain.finite(counter):
        return None
    g = chain.graph
    if counter == "steps":
        supports = [(np.ones(1), np.ones(1))]
        kinds = np.zeros(g.edges, dtype=np.int64)
    else:
        supports = [_support(parts) for parts in chain.amounts[counter]]
        kinds = chain.kinds
    lengths = np.array([len(v) for v, _ in supports], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else np.zeros(0, np.int64)
    flat_values = np.concatenate([v for v, _ in supports]) if supports else np.zeros(0)
    flat_weights = np.concatenate([w for _, w in supports]) if supports else np.zeros(0)
    offsets, targets, probability = g.offsets, g.targets, chain.probability

    state = np.flatnonzero(chain.initial > 0)
    mass = chain.initial[state]
    value = np.zeros(len(state))
    done_values, done_mass = [], []
    remaining = 1.0
    work = 0
    for _ in range(max_rounds):
        stopped = stop[state]
        if stopped.any():
            done_values.append(value[stopped])
            done_mass.append(mass[stopped])
            state, mass, value = state[~stopped], mass[~stopped], value[~stopped]
        remaining = float(mass.sum())
        if remaining < tolerance:
            break
        degree = offsets[state + 1] - offsets[state]
        rows = np.repeat(np.arange(len(state)), degree)
        first = np.repeat(np.cumsum(degree) - degree, degree)
        edge = offsets[state][rows] + (np.arange(len(rows)) - first)
        edge_mass = mass[rows] * probability[edge]
        positive = edge_mass > 0
        rows, edge, edge_mass = rows[positive], edge[positive], edge_mass[positive]
        kind = kinds[edge]
        width = lengths[kind]
        again = np.repeat(np.arange(len(edge)), width)
        first = np.repeat(np.cumsum(width) - width, width)
        slot = starts[kind][again] + (np.arange(len(again)) - first)
        new_value = np.round(value[rows][again] + flat_values[slot], 9)
        new_mass = edge_mass[again] * flat_weights[slot]
        new_state = targets[edge][again]
        order = np.lexsort((new_value, new_state))
        new_state, new_value, new_mass = new_state[order], new_value[order], new_mass[order]
        change = np.ones(len(order), dtype=bool)
        change[1:] = (new_state[1:] != new_state[:-1]) | (new_value[1:] != new_value[:-1])
        heads = np.flatnonzero(change)
        state, value = new_state[heads], new_value[heads]
        mass = np.add.reduceat(new_mass, heads) if len(heads) else new_mass
        work += len(new_state)
        if len(state) > max_support or work > max_work:
            return None
    else:
        return None
    values = np.concatenate(done_values) if done_values else np.zeros(0)
    masses = np.concatenate(done_mass) if done_mass else np.zeros(0)
    unique, inverse = np.unique(values, return_inverse=True)
    return Distribution(unique, np.bincount(inverse, masses, minlength=len(unique)),
                        max(remaining, 0.0))
