"""Python specs on the compiled backend: the interpreter's answers (counts, depth, coverage,
counterexamples, exit codes, JSON), checked state by state with --verify on the bundled
examples; what is outside the compiled subset falls back (auto) or stops (compiled) with the
construct and its file:line."""

from __future__ import annotations

import functools
import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from refute.cli import main
from refute.compiled import native
from refute.compiled.backend import compile_spec, explore, result_difference
from refute.engine.bfs import Options
from refute.engine.run import run
from refute.sources import Source, load_model

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
    # @liveness under fairness: the fair-cycle search on the native search's graph; without
    # fairness (or with weak allocation) a lasso, TLC's verdict on the TLA+ originals
    "dining_philosophers": ("ok", 67, 336, 29),
    "dining_philosophers -p fair=false": ("violation", 67, 336, 29),
    "ewd840": ("ok", 302, 1817, 9),
    "ewd840 -p fair=false": ("violation", 302, 1817, 9),
    "simple_allocator": ("ok", 400, 1633, 6),
    "simple_allocator -p strong_allocate=false": ("violation", 400, 1633, 6),
    # a TxnHistory (a FrozenMap subclass with methods of its own) in the state
    "mongodb_txn": ("ok", 416, 650, 15),
    "mongodb_txn -p read_concern=local": ("ok", 395, 599, 15),
    "mongodb_txn -p prepare_blocking=false": ("ok", 632, 1027, 15),
    "write_skew": ("violation", 11, 12, 5),
    "write_skew -p isolation=serializable": ("ok", 14, 17, 5),
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


SLOW = {"paxos -p ballots=2", "mongodb_txn -p read_concern=local",
        "mongodb_txn -p prepare_blocking=false"}
"""Over ~10 s here (a cold build, then the interpreted half of the verification), or a
variant whose cold build (~7 s) adds nothing the default parameters do not test."""


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


def test_every_bundled_example_is_compiled():
    bundled = {name[:-3] for name in os.listdir(EXAMPLES) if name.endswith(".py")}
    assert bundled == {example.split()[0] for example in COMPILED_EXAMPLES}


LIVENESS_EXAMPLES = [  # (example, the property violated and the lasso's length and loop start)
    ("dining_philosophers -p fair=false", ("nobody_starves(p=1)", 1, 0)),
    ("ewd840", None),
    ("simple_allocator", None),
    ("simple_allocator -p strong_allocate=false", ("clients_will_obtain(c=c1, r=r1)", 16, 1)),
]


@pytest.mark.parametrize("example,lasso", LIVENESS_EXAMPLES)
def test_liveness_runs_on_the_native_graph_with_the_interpreters_answer(example, lasso):
    # The native search itself, not a fallback to the interpreter: its state graph (told
    # with the interpreter's states and labels) gives the fair-cycle search the same lasso.
    name, *params = example.split()
    params = [p for p in params if p != "-p"]
    source = Source(os.path.join(EXAMPLES, name + ".py"), tuple(params))
    model = load_model(source)
    compiled = compile_spec(model)
    mine = run(model, Options(), native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    theirs = run(load_model(source), Options())
    assert result_difference(mine, theirs) is None
    found = mine.violation
    assert (None if found is None else (found.name, len(found.trace), found.loop_start)) == lasso


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


DYNAMIC_DOMAIN_LIVENESS = """\
    from refute import Spec, State, action, constraint, each, eventually, liveness, weak

    class Tokens(Spec):
        def __init__(self, fair: bool = True):
            self.fairness = (weak("take", for_each="t"),) if fair else ()

        def init(self):
            return State(free=(1, 2, 3), held=(), moves=0)

        @action
        def take(self, s, t=each(lambda s: s.free)):
            return s.update(free=tuple(x for x in s.free if x != t), held=s.held + (t,),
                            moves=s.moves + 1)

        @action
        def give_back(self, s, t=each(lambda s: s.held)):
            if t != 3:
                yield s.update(held=tuple(x for x in s.held if x != t), free=s.free + (t,),
                               moves=s.moves + 1)

        @constraint
        def bounded(self, s):
            return s.moves <= 5

        @liveness
        def all_taken(self):
            return eventually(lambda s: not s.free)
    """


@pytest.mark.parametrize("fair", ["true", "false"])
def test_liveness_labels_of_domains_computed_from_the_state(tmp_path, fair):
    # Steps of an action whose arguments come from the state: their labels (which fairness
    # reads, per token) are the interpreter's, from its successors of that action alone,
    # less those a constraint cuts.
    model_source = Source(_spec(tmp_path, DYNAMIC_DOMAIN_LIVENESS), (f"fair={fair}",))
    model = load_model(model_source)
    compiled = compile_spec(model)
    mine = run(model, Options(deadlock=False),
               native=functools.partial(explore, model, compiled))
    assert compiled.interpreted_instead is None
    theirs = run(load_model(model_source), Options(deadlock=False))
    assert result_difference(mine, theirs) is None
    assert mine.violation is not None and mine.violation.loop_start is not None


TXN_MISUSED = """\
    from refute import Spec, State, action, invariant
    from refute.isolation import TxnHistory

    class Misused(Spec):
        def init(self):
            return State(n=0, history=TxnHistory())

        @action
        def step(self, s):
            if s.n == 0:
                return s.update(n=1, history=s.history.begin("t1"))
            if s.n == 1:
                return s.update(n=2, history=s.history.commit("t1"))
            if s.n == 2:
                return s.update(n=3, history=s.history.read("t1", "k", None))

        @invariant
        def open_at_most_one(self, s):
            return len(s.history.open) <= 1
    """


def test_a_value_class_of_its_own_is_inlined_and_its_raise_is_the_interpreters(tmp_path):
    # TxnHistory's methods and property run natively; reading in a committed transaction
    # raises in TxnHistory: the native search stops there and the interpreter reports it.
    spec = _spec(tmp_path, TXN_MISUSED)
    compiled = CliRunner().invoke(main, ["check", spec, "--backend", "compiled"])
    interpreted = CliRunner().invoke(main, ["check", spec, "--backend", "interpreted"])
    assert compiled.exit_code == interpreted.exit_code == 2
    assert "is already committed" in compiled.stderr and compiled.stderr == interpreted.stderr
    (tmp_path / "fixed").mkdir()
    fixed = _spec(tmp_path / "fixed", TXN_MISUSED.replace("s.n == 2", "s.n == 9"))
    result = CliRunner().invoke(main, ["check", fixed, "--verify", "-q", "--no-deadlock"])
    assert "verify: the backends agree on all 3 states" in result.stderr, result.stderr


def test_a_value_class_of_its_own_inside_another_value_falls_back(tmp_path):
    spec = _spec(tmp_path, """\
        from refute import Spec, State, action
        from refute.isolation import TxnHistory

        class Nested(Spec):
            def init(self):
                return State(n=0, kept=())

            @action
            def step(self, s):
                if s.n == 0:
                    return s.update(n=1, kept=(TxnHistory().begin("t"),))
        """)
    code, data, err = _check([spec, "--no-deadlock"], quiet=False)
    assert (code, data["backend"], data["distinct_states"]) == (0, "interpreted", 2)
    assert f"a TxnHistory stored inside another value at {spec}:11" in " ".join(err.split())
