"""The side file's semantics and its errors: outcome matching, weights, rates, distributions,
TOML, and clear messages (with the file) for every malformed input."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from cache_lookup import CacheLookup

from refute import InputError, Spec, State, UsageError, action, each, outcome, terminal
from refute.perf import performance
from refute.perf.sidefile import load, parse_document
from refute.spec.compile import SpecModel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Pick(Spec):
    """One step from ``start``: ``fast`` (an each parameter, three values) or ``slow``."""

    def init(self):
        return State(at="start", via="")

    @action
    def fast(self, s, lane=each(["a", "b", "c"])):
        if s.at == "start":
            return s.update(at="end", via=f"fast-{lane}")

    @action
    def slow(self, s):
        if s.at == "start":
            return s.update(at="end", via="slow")

    @terminal
    def ended(self, s):
        return s.at == "end"


def outcomes(result) -> dict[str, float]:
    return {k.split("via=")[1]: round(f.value, 12) for k, f in result.outcomes.items()}


def test_without_side_file_every_instance_is_equally_likely():
    assert outcomes(performance(SpecModel(Pick()))) == \
        {"fast-a": 0.25, "fast-b": 0.25, "fast-c": 0.25, "slow": 0.25}


def test_weights_and_outcomes_by_each_parameter():
    doc = {"actions": {"fast": {"weight": 3, "outcomes": {"a": 0.5, "lane=b": 0.25}},
                       "slow": {"weight": 1}}}
    # fast's three lanes are outcomes of one choice: a 0.5, b 0.25, c the 0.25 left;
    # the choice fast has weight 3 against slow's 1.
    result = performance(SpecModel(Pick()), parse_document(doc, "inline"))
    assert outcomes(result) == {"fast-a": 0.375, "fast-b": 0.1875, "fast-c": 0.1875,
                                "slow": 0.25}


def test_outcomes_enabled_are_rescaled():
    class Half(Spec):
        def init(self):
            return State(done=False, how="")

        @action
        def go(self, s):
            if not s.done:
                yield outcome("left", s.update(done=True, how="left"))

        @terminal
        def stop(self, s):
            return s.done

    doc = {"actions": {"go": {"outcomes": {"left": 0.3, "right": 0.7}}}}
    result = performance(SpecModel(Half()), parse_document(doc, "inline"))
    assert result.outcomes["done=True, how=left"].value == pytest.approx(1.0)


def test_continuous_time_absorption_and_simulated_time():
    class TwoStages(Spec):
        def init(self):
            return State(stage=0)

        @action
        def first(self, s):
            return s.update(stage=1) if s.stage == 0 else None

        @action
        def second(self, s):
            return s.update(stage=2) if s.stage == 1 else None

        @terminal
        def done(self, s):
            return s.stage == 2

    doc = {"time": "continuous", "actions": {"first": {"rate": 2.0}, "second": {"rate": 0.5}}}
    result = performance(SpecModel(TwoStages()), parse_document(doc, "inline"))
    time = result.counters["time"]
    assert time.mean.value == pytest.approx(1 / 2 + 1 / 0.5, abs=1e-12)
    # the hypoexponential median solves F(t) = 0.5; the simulated interval must hold it
    a, b = 2.0, 0.5

    def cdf(t: float) -> float:
        return 1 - (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a)

    low, high = 0.0, 50.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < 0.5 else (low, mid)
    median = result.counters["time"].percentiles["p50"]
    assert median.method.startswith("simulation")
    assert median.low <= low <= median.high


def test_histogram_and_empirical_counters_are_propagated_exactly():
    doc = {"actions": {"lookup": {"latency": {"histogram": {5: 1, 15: 1}}},
                       "query_db": {"latency": {"empirical": [100, 100, 100, 40]}}},
           "parameters": {"hit_ratio": 0.5}}
    doc["actions"]["lookup"]["outcomes"] = {"hit": "hit_ratio", "miss": "1 - hit_ratio"}
    result = performance(SpecModel(CacheLookup()), parse_document(doc, "inline"))
    latency = result.counters["latency"]
    assert latency.mean.value == pytest.approx(10 + 0.5 * 85, abs=1e-12)
    assert latency.cdf(5) == pytest.approx(0.25) and latency.cdf(15) == pytest.approx(0.5)
    assert latency.cdf(55) == pytest.approx(0.5 + 0.5 * 0.25 * 1.0)
    assert latency.percentiles["p90"].value == 115
    assert latency.percentiles["p90"].method.startswith("exact")


def test_toml_side_file(tmp_path):
    side = tmp_path / "cache.perf.toml"
    side.write_text('[parameters]\nhit_ratio = 0.8\ndb_found = 0.9\n'
                    '[actions.lookup]\nlatency = 10\n'
                    '[actions.lookup.outcomes]\nhit = "hit_ratio"\nmiss = "1 - hit_ratio"\n'
                    '[actions.query_db.outcomes]\n'
                    'found = {probability = "db_found", latency = 100}\n'
                    'not_found = {probability = "1 - db_found", latency = 30}\n')
    result = performance(SpecModel(CacheLookup()), str(side))
    assert result.counters["latency"].mean.value == pytest.approx(28.6, abs=1e-9)


@pytest.mark.parametrize("doc, message", [
    ({"actions": {"lookup": {"latency": "__import__('os')"}}}, "calls something other"),
    ({"actions": {"lookup": {"latency": "__builtins__"}}}, "reads '__builtins__'"),
    ({"actions": {"lookup": {"latency": "x.y"}}}, "uses Attribute"),
    ({"actions": {"lookup": {"latency": "open('f')"}}}, "calls something other"),
    ({"actions": {"lookup": {"latency": "nope * 2"}}}, "not a parameter"),
    ({"actions": {"lookup": {"latency": {"distribution": "nosuch"}}}}, "no distribution"),
    ({"actions": {"lookup": {"latency": {"histogram": []}}}}, "histogram is empty"),
    ({"actions": {"lookup": {"latency": {"empirical": ["a"]}}}}, "list of numbers"),
    ({"actions": {"lookup": {"steps": 1}}}, "counted by refute itself"),
    ({"actions": {"lookup": {"rate": 1}}}, "rate is for continuous time"),
    ({"time": "sometimes"}, "neither discrete nor continuous"),
    ({"parameters": {"p": "high"}}, "not a number"),
    ({"colours": {}}, "unknown section"),
    ({"actions": []}, "must be a mapping"),
    ({"actions": {"lookup": {"latency": "1 +"}}}, "is not an expression"),
])
def test_malformed_side_files(doc, message):
    with pytest.raises(InputError, match=message):
        parse_document(doc, "bad.perf.yaml")


def test_errors_found_when_building_the_chain():
    model = SpecModel(CacheLookup())
    with pytest.raises(InputError, match="not in \\[0, 1\\]"):
        performance(model, parse_document(
            {"actions": {"lookup": {"outcomes": {"hit": 1.5}}}}, "bad"))
    with pytest.raises(InputError, match="no rate"):
        performance(model, parse_document(
            {"time": "continuous", "actions": {"lookup": {"rate": 1}}}, "bad"))
    with pytest.raises(InputError, match="names no action"):
        performance(model, parse_document({"actions": {"nope": {}}}, "bad"))
    with pytest.raises(InputError, match="weight 0"):
        performance(model, parse_document({"actions": {"lookup": {"weight": 0}}}, "bad"))
    with pytest.raises(UsageError, match="no parameter"):
        performance(model, str(EXAMPLES / "cache_lookup.perf.yaml"), nope=1)


def test_bad_yaml_is_located(tmp_path):
    side = tmp_path / "x.perf.yaml"
    side.write_text("actions:\n  lookup: [unclosed\n")
    with pytest.raises(InputError) as error:
        load(str(side))
    assert error.value.file == str(side) and error.value.line is not None
    with pytest.raises(UsageError, match="cannot read"):
        load(str(tmp_path / "missing.yaml"))


def test_outcome_marker_labels_steps_and_checking_ignores_it():
    import refute

    model = SpecModel(CacheLookup())
    labels = [str(label) for label, _ in model.next_states(model.init_states()[0])]
    assert labels == ["lookup(outcome='hit')", "lookup(outcome='miss')"]
    assert refute.check(CacheLookup()).status is refute.Status.OK


def test_many_end_states_are_capped_and_summed():
    class Spread(Spec):
        def init(self):
            return State(value=-1)

        @action
        def pick(self, s, value=each(range(150))):
            if s.value < 0:
                return s.update(value=value)

        @terminal
        def picked(self, s):
            return s.value >= 0

    result = performance(SpecModel(Spread()))
    assert len(result.outcomes) == 101
    assert result.outcomes["(other end states)"].value == pytest.approx(50 / 150, abs=1e-12)
    assert sum(f.value for f in result.outcomes.values()) == pytest.approx(1, abs=1e-12)
    assert any("150 end states" in w for w in result.warnings)
