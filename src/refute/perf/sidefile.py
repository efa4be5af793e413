"""The performance model: a side file (YAML or TOML) beside the spec, never in it.

::

    time: discrete            # or continuous (rates instead of weights); default: discrete
    parameters:               # numbers the expressions below read; -p / --sweep override them
      hit_ratio: 0.2
    actions:
      lookup:                 # an action of the spec, by name
        weight: 1             # discrete time: relative chance among the enabled action instances
        latency: 10           # a counter: a number, an expression, or a distribution
        outcomes:             # the action's results, by outcome label
          hit: hit_ratio                              # a probability
          miss: {probability: 1 - hit_ratio, latency: {distribution: lognorm, s: 0.5, scale: 20}}
    measures:                 # state expressions averaged in the long run
      busy: n > 0
    terminal:                 # how to name the states a run ends in (default: the state itself)
      group_by: result        # an expression, or named predicates {hit: "result == 'hit'"}
    reach:                    # extra state predicates to compute reachability of
      overflow: n == capacity

**Outcomes.** A step's outcome label is the value of one of its arguments: a Python spec's
``yield outcome("hit", ...)`` (the ``outcome`` argument), an ``each`` parameter, or a TLA+
action's ``\\E o \\in {"hit", "miss"}: lookup(o)`` parameter. Steps of an action that match
no listed outcome share the probability the listed ones leave (``1 - sum``) equally; the
probabilities of the outcomes enabled in a state are then scaled to sum to 1.

**Counters** add up along a run: an action's counters apply to all its steps, an outcome's
to the steps with that outcome. A counter is a number or expression, ``{distribution: NAME,
...}`` (any ``scipy.stats`` distribution, its parameters by keyword), ``{histogram: {value:
weight, ...}}`` or ``{empirical: [v1, v2, ...]}`` (production samples, each equally likely).
``steps`` (every step) is always counted, and ``time`` in continuous time.

Nothing here is code: expressions are checked by :mod:`refute.perf.expressions`.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from refute.errors import InputError, UsageError
from refute.perf.expressions import Expression, parse

BUILTIN_COUNTERS = ("steps", "time")
_ACTION_KEYS = {"weight", "rate", "outcomes"}
_TOP_KEYS = {"time", "parameters", "actions", "measures", "terminal", "reach"}


@dataclass(frozen=True)
class Amount:
    """A counter's increment on one step, resolved to numbers: a finite discrete distribution
    (``values`` with ``weights`` summing to 1) or a continuous ``scipy.stats`` one (``frozen``).
    A finite one lets the exact propagation compute percentiles; a continuous one, simulation."""

    values: np.ndarray | None = None
    weights: np.ndarray | None = None
    frozen: Any = None
    text: str = ""

    @property
    def finite(self) -> bool:
        return self.frozen is None

    @property
    def mean(self) -> float:
        if self.frozen is not None:
            return float(self.frozen.mean())
        return float(np.dot(self.values, self.weights))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.frozen is not None:
            return np.asarray(self.frozen.rvs(size=size, random_state=rng), dtype=float)
        if len(self.values) == 1:
            return np.full(size, self.values[0])
        return rng.choice(self.values, size=size, p=self.weights)


def fixed(value: float) -> Amount:
    return Amount(np.array([float(value)]), np.array([1.0]), None, repr(value))


@dataclass(frozen=True)
class CounterSpec:
    """A counter's increment as written: a number/expression, a distribution, or samples."""

    name: str
    where: str
    expression: Expression | None = None
    distribution: str | None = None
    arguments: tuple[tuple[str, Expression], ...] = ()
    histogram: tuple[tuple[float, Expression], ...] = ()

    def resolve(self, parameters: Mapping[str, float]) -> Amount:
        if self.expression is not None:
            return fixed(self.expression.number(parameters))
        if self.distribution is not None:
            import scipy.stats

            family = getattr(scipy.stats, self.distribution)
            kwargs = {k: e.number(parameters) for k, e in self.arguments}
            try:
                frozen = family(**kwargs)
                frozen.mean()
            except Exception as exc:
                raise InputError(f"{self.where}: scipy.stats.{self.distribution}"
                                 f"({', '.join(f'{k}={v}' for k, v in kwargs.items())}) "
                                 f"is not a distribution: {exc}",
                                 hint="give the distribution's parameters by keyword, as "
                                      "scipy.stats names them (e.g. s and scale for lognorm)"
                                 ) from None
            if isinstance(family, scipy.stats.rv_discrete):
                support = frozen.support()
                if math.isfinite(support[1]) and support[1] - support[0] <= 10_000:
                    values = np.arange(support[0], support[1] + 1, dtype=float)
                    weights = frozen.pmf(values)
                    return Amount(values, weights / weights.sum(), None, self.distribution)
            return Amount(None, None, frozen, self.distribution)
        values = np.array([v for v, _ in self.histogram], dtype=float)
        weights = np.array([w.number(parameters) for _, w in self.histogram])
        if (weights < 0).any() or weights.sum() <= 0:
            raise InputError(f"{self.where}: histogram weights must be >= 0 and not all 0")
        return Amount(values, weights / weights.sum(), None, "histogram")


@dataclass(frozen=True)
class OutcomeSpec:
    probability: Expression | None
    counters: tuple[CounterSpec, ...]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    weight: Expression | None
    rate: Expression | None
    counters: tuple[CounterSpec, ...]
    outcomes: dict[str, OutcomeSpec]


@dataclass(frozen=True)
class PerfSpec:
    """A parsed side file. ``path`` is where it came from (``None``: no side file, every
    choice equally likely)."""

    path: str | None
    continuous: bool = False
    parameters: dict[str, float] = field(default_factory=dict)
    actions: dict[str, ActionSpec] = field(default_factory=dict)
    measures: dict[str, Expression] = field(default_factory=dict)
    group_by: Expression | None = None
    groups: dict[str, Expression] = field(default_factory=dict)
    reach: dict[str, Expression] = field(default_factory=dict)

    @property
    def counters(self) -> tuple[str, ...]:
        """Every counter named anywhere, ``steps`` (and ``time``) first."""
        names: list[str] = ["steps"] + (["time"] if self.continuous else [])
        for act in self.actions.values():
            for spec in act.counters + tuple(c for o in act.outcomes.values() for c in o.counters):
                if spec.name not in names:
                    names.append(spec.name)
        return tuple(names)

    def with_parameters(self, overrides: Mapping[str, float]) -> dict[str, float]:
        """The parameters with ``overrides`` applied (names must be declared)."""
        unknown = [n for n in overrides if n not in self.parameters]
        if unknown:
            raise UsageError(f"the performance model has no parameter {', '.join(unknown)}",
                             hint="declare it under parameters: in the side file; its "
                                  f"parameters are: {', '.join(self.parameters) or '(none)'}")
        return {**self.parameters, **overrides}

    @property
    def state_names(self) -> frozenset[str]:
        """The names the state expressions read (a parameter among them is read while
        exploring: changing it means exploring again)."""
        expressions = [*self.measures.values(), *self.reach.values(), *self.groups.values()]
        if self.group_by is not None:
            expressions.append(self.group_by)
        return frozenset(name for e in expressions for name in e.names)

    def check_actions(self, action_names: tuple[str, ...] | list[str]) -> None:
        """Every action the side file names must be one of the spec's."""
        unknown = [a for a in self.actions if a not in action_names]
        if unknown:
            raise InputError(f"the side file names no action of the spec: {', '.join(unknown)}",
                             file=self.path,
                             hint=f"the spec's actions are: {', '.join(action_names)}")


def default_path(spec_path: str) -> str | None:
    """``cache_lookup.perf.yaml`` (or ``.perf.yml``, ``.perf.toml``) beside ``cache_lookup.py``."""
    base = spec_path.split(":", 1)[0] if not os.path.exists(spec_path) else spec_path
    stem, _ = os.path.splitext(base)
    for ext in (".perf.yaml", ".perf.yml", ".perf.toml"):
        if os.path.exists(stem + ext):
            return stem + ext
    return None


def load(path: str | None) -> PerfSpec:
    """Read and check a side file (``None``: the empty model, all choices equally likely)."""
    if path is None:
        return PerfSpec(None)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read the performance model {path}: {exc.strerror}",
                         hint="give --model an existing YAML or TOML file") from None
    try:
        if path.endswith(".toml"):
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            import yaml

            data = yaml.safe_load(raw)
    except Exception as exc:  # yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"the performance model is not valid "
                         f"{'TOML' if path.endswith('.toml') else 'YAML'}: "
                         f"{getattr(exc, 'problem', None) or exc}", file=path,
                         line=mark.line + 1 if mark else None) from None
    return parse_document(data if data is not None else {}, path)


def parse_document(data: Any, path: str) -> PerfSpec:
    """Check a side file's content (already parsed from YAML/TOML)."""
    _mapping(data, path, "the side file")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise InputError(f"unknown section {', '.join(sorted(map(str, unknown)))}", file=path,
                         hint=f"the sections are: {', '.join(sorted(_TOP_KEYS))}")
    time = data.get("time", "discrete")
    if time not in ("discrete", "continuous"):
        raise InputError(f"time: {time!r} is neither discrete nor continuous", file=path)
    parameters = {}
    for name, value in _mapping(data.get("parameters", {}), path, "parameters").items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"parameters.{name} is {value!r}, not a number", file=path)
        parameters[str(name)] = float(value)
    actions = {str(name): _action(str(name), body, path)
               for name, body in _mapping(data.get("actions", {}), path, "actions").items()}
    continuous = time == "continuous"
    for act in actions.values():
        if continuous and act.weight is not None:
            raise InputError(f"actions.{act.name}: weight is for discrete time; "
                             "in continuous time give a rate", file=path)
        if not continuous and act.rate is not None:
            raise InputError(f"actions.{act.name}: rate is for continuous time",
                             file=path, hint="add time: continuous at the top of the side file")
    measures = {str(n): parse(e, f"measures.{n}")
                for n, e in _mapping(data.get("measures", {}), path, "measures").items()}
    reach = {str(n): parse(e, f"reach.{n}")
             for n, e in _mapping(data.get("reach", {}), path, "reach").items()}
    terminal = _mapping(data.get("terminal", {}), path, "terminal")
    group_by = parse(terminal["group_by"], "terminal.group_by") if "group_by" in terminal else None
    groups = {str(n): parse(e, f"terminal.{n}") for n, e in terminal.items() if n != "group_by"}
    if group_by is not None and groups:
        raise InputError("terminal: give group_by or named predicates, not both", file=path)
    spec = PerfSpec(path, continuous, parameters, actions, measures, group_by, groups, reach)
    _check_names(spec)
    return spec


def _action(name: str, body: Any, path: str) -> ActionSpec:
    body = _mapping(body, path, f"actions.{name}")
    where = f"actions.{name}"
    outcomes = {}
    for key, value in _mapping(body.get("outcomes", {}), path, f"{where}.outcomes").items():
        at = f"{where}.outcomes.{key}"
        if isinstance(value, Mapping):
            counters = tuple(_counter(c, v, f"{at}.{c}", path)
                             for c, v in value.items() if c != "probability")
            probability = parse(value["probability"], f"{at}.probability") \
                if "probability" in value else None
        else:
            counters, probability = (), parse(value, at)
        outcomes[str(key)] = OutcomeSpec(probability, counters)
    counters = tuple(_counter(c, v, f"{where}.{c}", path)
                     for c, v in body.items() if c not in _ACTION_KEYS)
    return ActionSpec(name, parse(body["weight"], f"{where}.weight") if "weight" in body else None,
                      parse(body["rate"], f"{where}.rate") if "rate" in body else None,
                      counters, outcomes)


def _counter(name: Any, value: Any, where: str, path: str) -> CounterSpec:
    name = str(name)
    if name in BUILTIN_COUNTERS:
        raise InputError(f"{where}: {name} is counted by refute itself", file=path,
                         hint="name your counter otherwise (latency, messages, cost...)")
    if not isinstance(value, Mapping):
        return CounterSpec(name, where, expression=parse(value, where))
    if "distribution" in value:
        import scipy.stats

        family = value["distribution"]
        if not isinstance(family, str) or not isinstance(
                getattr(scipy.stats, family, None), (scipy.stats.rv_continuous,
                                                     scipy.stats.rv_discrete)):
            raise InputError(f"{where}: scipy.stats has no distribution {family!r}", file=path,
                             hint="use a name such as norm, lognorm, expon, gamma, poisson")
        arguments = tuple((str(k), parse(v, f"{where}.{k}"))
                          for k, v in value.items() if k != "distribution")
        return CounterSpec(name, where, distribution=family, arguments=arguments)
    if "histogram" in value:
        pairs = value["histogram"]
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        try:
            histogram = tuple((float(v), parse(w, f"{where}.histogram"))
                              for v, w in items)
        except (TypeError, ValueError):
            raise InputError(f"{where}.histogram: expected {{value: weight, ...}} or "
                             "[[value, weight], ...]", file=path) from None
        if not histogram:
            raise InputError(f"{where}.histogram is empty", file=path)
        return CounterSpec(name, where, histogram=histogram)
    if "empirical" in value:
        samples = value["empirical"]
        if not isinstance(samples, list) or not samples or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in samples):
            raise InputError(f"{where}.empirical: expected a non-empty list of numbers",
                             file=path)
        values, counts = np.unique(np.asarray(samples, dtype=float), return_counts=True)
        return CounterSpec(name, where, histogram=tuple(
            (float(v), parse(int(c), where)) for v, c in zip(values, counts)))
    raise InputError(f"{where}: a counter is a number, an expression, or a mapping with "
                     "distribution:, histogram: or empirical:", file=path)


def _mapping(value: Any, path: str, what: str) -> dict:
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a mapping (name: value), got {value!r}"[:300],
                         file=path)
    return dict(value)


def _check_names(spec: PerfSpec) -> None:
    """Expressions that are not about states may read only parameters."""
    for act in spec.actions.values():
        expressions = [e for e in (act.weight, act.rate) if e is not None]
        for outcome in act.outcomes.values():
            if outcome.probability is not None:
                expressions.append(outcome.probability)
        for counter in act.counters + tuple(c for o in act.outcomes.values() for c in o.counters):
            if counter.expression is not None:
                expressions.append(counter.expression)
            expressions.extend(e for _, e in counter.arguments)
            expressions.extend(e for _, e in counter.histogram)
        for expression in expressions:
            unknown = expression.names - set(spec.parameters)
            if unknown:
                raise InputError(f"{expression.where}: {expression.text!r} reads "
                                 f"{', '.join(sorted(unknown))}, not a parameter",
                                 file=spec.path,
                                 hint="declare it under parameters: with its default value")
