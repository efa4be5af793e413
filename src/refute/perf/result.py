"""The figures ``refute perf`` gives, as values: JSON, text lines, and ``_repr_html_`` for
notebooks. Every :class:`Figure` says which method gave it and how precise it is."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from refute.html_page import repr_html
from refute.perf.hunting import Hunt

PERCENTILES = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999))
EXACT_SOLVE = "exact: sparse linear solve"
EXACT_POWER = "exact: step-by-step distribution"
EXACT_PROPAGATION = "exact: propagated distribution"


@dataclass(frozen=True)
class Figure:
    """A number, the method that gave it, and its precision: for an exact method the
    solver's residual or the probability mass left out (a bound on the error); for
    simulation the half-width of a 95% confidence interval (``low``..``high``)."""

    value: float
    method: str
    precision: float = 0.0
    low: float | None = None
    high: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": _finite(self.value), "method": self.method,
                               "precision": _finite(self.precision)}
        if self.low is not None:
            out["ci95"] = [self.low, self.high]
        return out

    def __str__(self) -> str:
        return format_number(self.value)

    def describe(self) -> str:
        if self.low is not None:
            return (f"{format_number(self.value)}  (95% CI {format_number(self.low)}.."
                    f"{format_number(self.high)}; {self.method})")
        return f"{format_number(self.value)}  ({self.method}, ±{self.precision:.1g})"


@dataclass(frozen=True)
class CounterFigures:
    """A counter accumulated until the run ends: its mean and percentiles (``None``: no
    figure, e.g. the run does not always end). ``distribution`` is the exact one when it
    was propagated (see :class:`refute.perf.solve.Distribution`)."""

    name: str
    mean: Figure | None
    percentiles: dict[str, Figure] = field(default_factory=dict)
    distribution: Any = None

    def cdf(self, x: float) -> float:
        """P(total <= x), exactly (needs the propagated distribution)."""
        if self.distribution is None:
            raise ValueError(f"no exact distribution of {self.name}")
        return self.distribution.cdf(x)

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean.to_json() if self.mean else None,
                "percentiles": {k: f.to_json() for k, f in self.percentiles.items()}}


@dataclass(frozen=True)
class Reach:
    """The probability of reaching ``name``'s states (an invariant's violation, or a
    ``reach`` predicate of the side file), ever and within each number of steps."""

    name: str
    ever: Figure
    within: dict[int, Figure] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"ever": self.ever.to_json(),
                "within": {str(k): f.to_json() for k, f in self.within.items()}}


@dataclass
class PerfResult:
    """Everything ``refute perf`` computed for one set of parameter values."""

    spec: str
    side_file: str | None
    parameters: dict[str, float]
    continuous: bool
    states: int
    edges: int
    explore_seconds: float
    solve_seconds: float
    terminates: Figure
    outcomes: dict[str, Figure]
    end_within: dict[int, Figure]
    counters: dict[str, CounterFigures]
    reach: dict[str, Reach]
    long_run: dict[str, Figure]
    hunts: list[Hunt]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "ok", "spec": self.spec, "side_file": self.side_file,
            "parameters": self.parameters,
            "time": "continuous" if self.continuous else "discrete",
            "states": self.states, "edges": self.edges,
            "explore_seconds": self.explore_seconds, "solve_seconds": self.solve_seconds,
            "terminates": self.terminates.to_json(),
            "outcomes": {k: f.to_json() for k, f in self.outcomes.items()},
            "end_within": {str(k): f.to_json() for k, f in self.end_within.items()},
            "counters": {k: c.to_json() for k, c in self.counters.items()},
            "reach": {k: r.to_json() for k, r in self.reach.items()},
            "long_run": {k: f.to_json() for k, f in self.long_run.items()},
            "how_long_must_i_test": [h.to_json() for h in self.hunts],
            "warnings": self.warnings,
        }

    def columns(self) -> dict[str, float]:
        """The figures by name (``P(hit)``, ``mean latency``, ``p99 latency``, ...): a sweep's
        CSV columns and charts."""
        out: dict[str, float] = {}
        for name, figure in self.outcomes.items():
            out[f"P({name})"] = figure.value
        for name, counter in self.counters.items():
            if counter.mean is not None:
                out[f"mean {name}"] = counter.mean.value
            for key, figure in counter.percentiles.items():
                out[f"{key} {name}"] = figure.value
        for name, reach in self.reach.items():
            out[f"P(reach {name})"] = reach.ever.value
        for name, figure in self.long_run.items():
            out[f"long-run {name}"] = figure.value
        return out

    def lines(self) -> list[str]:
        """The report as text lines."""
        clock = "continuous time" if self.continuous else "discrete time"
        params = ", ".join(f"{k}={format_number(v)}" for k, v in self.parameters.items())
        out = [f"{self.spec}: {self.states:,} states, {self.edges:,} steps ({clock}); "
               f"explored in {self.explore_seconds:.2f} s, solved in {self.solve_seconds:.2f} s",
               f"performance model: {self.side_file or '(none: every choice equally likely)'}"
               + (f"; {params}" if params else "")]
        out.append(f"runs that end: {self.terminates.describe()}")
        if self.outcomes:
            out.append("terminal outcomes:")
            width = max(len(k) for k in self.outcomes)
            out += [f"  {k:<{width}}  {f.describe()}" for k, f in self.outcomes.items()]
        if self.end_within:
            out.append("runs ended within:")
            out += [f"  {k} steps  {f.describe()}" for k, f in self.end_within.items()]
        if self.counters:
            out.append("counters until the run ends:")
            for name, counter in self.counters.items():
                if counter.mean is None:
                    out.append(f"  {name}: no figure (not every run ends)")
                    continue
                out.append(f"  {name}: mean {counter.mean.describe()}")
                for key, figure in counter.percentiles.items():
                    out.append(f"    {key:<6} {figure.describe()}")
        if self.reach:
            out.append("reaching:")
            for name, reach in self.reach.items():
                line = f"  {name}: ever {reach.ever.describe()}"
                for k, f in reach.within.items():
                    line += f"; within {k} steps {format_number(f.value)}"
                out.append(line)
        if self.long_run:
            out.append("long-run averages" + (" (per time unit)" if self.continuous
                                               else " (per step)") + ":")
            width = max(len(k) for k in self.long_run)
            out += [f"  {k:<{width}}  {f.describe()}" for k, f in self.long_run.items()]
        if self.hunts:
            out.append("how long must I test (one run of N steps; runs to find it):")
            for h in self.hunts:
                out.append(f"  {h.target} [{h.mode}, N={h.depth}]: p = {format_number(h.probability)}"
                           f"{'' if h.exact else ' (sampled subsets)'}; "
                           f"95%: {_runs(h.runs_95)}, 99%: {_runs(h.runs_99)}")
        out += [f"warning: {w}" for w in self.warnings]
        return out

    def _repr_html_(self) -> str | None:
        """The report page, inline in a notebook (rendered by :mod:`refute.perf.report`)."""
        return repr_html(self)


def _runs(n: int | None) -> str:
    return "never" if n is None else f"{n:,} run{'' if n == 1 else 's'}"


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def format_number(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "∞" if x == math.inf else "n/a"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"
