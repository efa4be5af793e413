"""Python specs on the compiled backend: the interpreter's answers (counts, depth, coverage,
counterexamples, exit codes, JSON), checked state by state with --verify on the bundled
examples; what is outside the compiled subset falls back (auto) or stops (compiled) with the
construct and its file:line."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native

pytestmark = pytest.mark.skipif(native.find_compiler() is None, reason="no C compiler on this machine")

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")

COMPILED_EXAMPLES = {
    # example (and -p parameters) -> (status, distinct, generated, depth), the interpreter's;
    # TwoPhase's and Paxos's are also TLC's on their TLA+ twins
    "biased_coin": ("ok", 5, 7, 3),
    "cache_lookup": ("ok", 5, 5, 3),
    "die_from_coin": ("ok", 13, 15, 4),
    "die_hard": ("violation", 14, 73, 7),
    "dns_race": ("violation", 214, 447, 12),
    "fencing_lock": ("violation", 24, 27, 6),
    "idempotent_consumer": ("violation", 18, 20, 6),
    "lease": ("violation", 14, 21, 6),
    "mm1k_queue": ("ok", 11, 21, 11),
    "new_enemy": ("violation", 18, 28, 4),
    "read_your_writes": ("violation", 7, 8, 3),
    "retrying_client": ("ok", 9, 9, 5),
    "t_commit": ("ok", 34, 94, 7),
    "two_phase": ("ok", 288, 1146, 11),
    "two_phase -p early_commit=true": ("violation", 167, 467, 6),
    "paxos -p ballots=2": ("ok", 3921, 22995, 17),
    "paxos -p ballots=2 -p skip_highest_vote=true": ("violation", 3463, 14800, 13),
}

NOT_COMPILED = {
    # example -> what stops it (the rest of the notice: file:line)
    "mongodb_txn": "the method begin at",
    "write_skew": "the method begin at",
    "dining_philosophers": "@liveness and fairness (checked by the interpreter, for now) at",
    "ewd840": "@liveness and fairness (checked by the interpreter, for now) at",
    "simple_allocator": "@liveness and fairness (checked by the interpreter, for now) at",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("REFUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compiled-cache"))


def _args(example: str) -> list[str]:
    name, *params = example.split()
    return [os.path.join(EXAMPLES, name + ".py"), *params]


def _check(args: list[str], quiet: bool = True) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["check", *args, "--json", "-"] + ["-q"] * quiet)
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


SLOW = {"paxos -p ballots=2"}
"""Over ~10 s here (a cold build, then the interpreted half of the verification)."""


@pytest.mark.parametrize("example", [pytest.param(e, marks=pytest.mark.slow) if e in SLOW else e
                                     for e in sorted(COMPILED_EXAMPLES)])
def test_examples_compile_verify_and_give_the_interpreters_results(example):
    status, distinct, generated, depth = COMPILED_EXAMPLES[example]
    result = CliRunner().invoke(main, ["check", *_args(example), "--verify", "-q"])
    assert "verify: the backends agree on all" in result.stderr, result.stderr
    code, compiled, _ = _check([*_args(example), "--backend", "compiled"])
    assert compiled["backend"] == "compiled"
    assert (compiled["status"], compiled["distinct_states"], compiled["states_generated"],
            compiled["depth"]) == (status, distinct, generated, depth)
    assert code == (1 if status == "violation" else 0)
    icode, interpreted, _ = _check([*_args(example), "--backend", "interpreted"])
    assert icode == code
    for data in (compiled, interpreted):
        data.pop("seconds")
        data.pop("backend")
    assert compiled == interpreted  # coverage, the counterexample's every step and label


@pytest.mark.slow
def test_paxos_whole_model_verifies_with_tlcs_counts():
    result = CliRunner().invoke(main, ["check", *_args("paxos"), "--verify", "-q"])
    assert "agree on all 185,369 states" in result.stderr, result.stderr
    code, data, _ = _check([*_args("paxos"), "--backend", "compiled"])
    assert (code, data["distinct_states"], data["states_generated"], data["depth"]) == \
        (0, 185369, 1316584, 25)


@pytest.mark.parametrize("example", sorted(NOT_COMPILED))
def test_examples_outside_the_subset_fall_back_saying_why(example):
    code, data, err = _check(_args(example), quiet=False)
    assert data["backend"] == "interpreted"
    assert "compiled backend not used: " + NOT_COMPILED[example] in " ".join(err.split())


def _spec(tmp_path, body: str) -> str:
    path = tmp_path / "spec.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


LOOP_OVER_A_SET = """\
    from refute import Spec, State, action, invariant

    class Fanout(Spec):
        def init(self):
            return State(msgs=frozenset({1, 2}), got=0)

        @action
        def receive(self, s):
            for m in s.msgs:
                yield s.update(msgs=s.msgs - {m}, got=s.got + m)

        @invariant
        def small(self, s):
            return s.got <= 3
    """


def test_a_construct_outside_the_subset_is_located(tmp_path):
    spec = _spec(tmp_path, LOOP_OVER_A_SET)
    code, data, err = _check([spec], quiet=False)
    notice = " ".join(err.split())
    assert "a loop that yields over a set of the state" in notice
    assert f"at {spec}:9 (the interpreter runs instead)" in notice
    assert (code, data["backend"], data["distinct_states"]) == (1, "interpreted", 4)  # a deadlock
    result = CliRunner().invoke(main, ["check", spec, "--backend", "compiled"])
    assert result.exit_code == 2
    assert f"{spec}:9" in result.stderr and "a loop that yields over a set" in result.stderr


def test_an_error_met_by_native_code_is_the_interpreters_to_report(tmp_path):
    spec = _spec(tmp_path, """\
        from refute import Spec, State, action

        class Broken(Spec):
            def init(self):
                return State(m={1: 0}, k=1)

            @action
            def step(self, s):
                if s.k < 3:
                    return s.update(k=s.k + 1, m=s.m.set(s.k, s.m[s.k] + 1))
        """)
    compiled = CliRunner().invoke(main, ["check", spec, "--backend", "compiled", "--no-deadlock"])
    interpreted = CliRunner().invoke(main, ["check", spec, "--backend", "interpreted",
                                            "--no-deadlock"])
    assert compiled.exit_code == interpreted.exit_code == 2
    assert "KeyError" in compiled.stderr
    assert compiled.stderr == interpreted.stderr


def test_a_spec_as_the_readme_writes_it_compiles(tmp_path):
    spec = _spec(tmp_path, """\
        from refute import Record, Spec, State, action, each, invariant, terminal

        class Queue(Spec):
            def __init__(self, capacity: int = 2):
                self.capacity = capacity
                self.items = ("a", "b", None)

            def init(self):
                return State(queue=(), sent=frozenset(), log={})

            @action
            def send(self, s, item=each("items")):
                if len(s.queue) < self.capacity and item not in s.sent:
                    msg = Record(item=item, seq=len(s.sent))
                    return s.update(queue=s.queue + (msg,), sent=s.sent | {item})

            @action
            def deliver(self, s):
                if s.queue:
                    head = s.queue[0]
                    return s.update(queue=s.queue[1:], log=s.log.set(head.item, head.seq))

            @terminal
            def done(self, s):
                return len(s.log) == len(self.items)

            @invariant
            def in_order(self, s):
                return all(m.seq < n.seq for m, n in zip(s.queue, s.queue[1:]))
        """)
    result = CliRunner().invoke(main, ["check", spec, "--verify", "-q"])
    assert "verify: the backends agree on all 43 states" in result.stderr, result.stderr
    code, data, _ = _check([spec, "--backend", "compiled"])
    assert (code, data["distinct_states"], data["states_generated"]) == (0, 43, 55)


def test_a_field_no_record_has_is_the_interpreters_error(tmp_path):
    spec = _spec(tmp_path, """\
        from refute import Record, Spec, State, action

        class Typo(Spec):
            def init(self):
                return State(m=Record(x=0))

            @action
            def step(self, s):
                if s.m.x < 2:
                    return s.update(m=s.m.update(x=s.m.x + 1))
                return s.update(m=Record(x=s.m.y))
        """)
    compiled = CliRunner().invoke(main, ["check", spec, "--backend", "compiled", "--no-deadlock"])
    interpreted = CliRunner().invoke(main, ["check", spec, "--backend", "interpreted",
                                            "--no-deadlock"])
    assert compiled.exit_code == interpreted.exit_code == 2
    assert "AttributeError" in compiled.stderr and compiled.stderr == interpreted.stderr


def test_records_written_in_any_field_order_are_one_value_compiled_too(tmp_path):
    # Issue 19 item 10 on the compiled backend: the state rebuilt with its fields in another
    # order and the same message written both ways are one state, as in the interpreter:
    # 2 initial states generated (1 distinct) + 2 successors (1 new): 2 distinct, 4 generated.
    spec = _spec(tmp_path, """\
        from refute import Record, Spec, State, action

        class Orders(Spec):
            def init(self):
                yield State(x=0, msgs=frozenset())
                yield State(msgs=frozenset(), x=0)

            @action
            def rebuilt(self, s):
                if s.x == 0:
                    return State(msgs=s.msgs | {Record(n=1, type="m")}, x=s.x + 1)

            @action
            def updated(self, s):
                if s.x == 0:
                    return s.update(x=1, msgs=s.msgs | {Record(type="m", n=1)})
        """)
    for backend in ("compiled", "interpreted"):
        code, data, err = _check([spec, "--backend", backend, "--no-deadlock"])
        assert (code, data["backend"], data["distinct_states"], data["states_generated"]) == \
            (0, backend, 2, 4), err
    result = CliRunner().invoke(main, ["check", spec, "--verify", "-q", "--no-deadlock"])
    assert "verify: the backends agree on all 2 states" in result.stderr, result.stderr
