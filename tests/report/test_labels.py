"""Action arguments print as states print their values (one formatter: refute.values.show)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from refute.cli import main
from refute.engine.model import Label
from refute.values import FrozenMap, ModelValue, Record, model_values, show

R1, R2 = model_values("r", 2)

QUORUMS = '''\
from refute import Spec, State, action, each, invariant, model_values

R1, R2 = model_values("r", 2)


class Quorums(Spec):
    """A set-valued action argument: which replicas acknowledged."""

    def init(self):
        return State(acked=frozenset())

    @action
    def ack(self, s, who=each([frozenset({R1}), frozenset({R1, R2})])):
        if not s.acked:
            return s.update(acked=who)

    @invariant
    def never_everyone(self, s):
        return s.acked != frozenset({R1, R2})
'''


def test_label_arguments_use_the_state_formatter() -> None:
    label = Label("ack", (("who", frozenset({R1})), ("at", FrozenMap({R2: 1})),
                          ("r", Record(a=frozenset())), ("name", "x")))
    assert str(label) == "ack(who={r1}, at={r2: 1}, r=(a={}), name='x')"
    assert show(frozenset({ModelValue("r1")})) == "{r1}"


def test_text_and_json_show_arguments_as_states(tmp_path: Path) -> None:
    (tmp_path / "quorums.py").write_text(QUORUMS)
    run = CliRunner().invoke(main, ["check", str(tmp_path / "quorums.py"),
                                    "--json", str(tmp_path / "r.json")])
    assert run.exit_code == 1, run.output
    assert "2  ack(who={r1, r2})" in run.output and "acked: + r1, + r2" in run.output
    assert "frozenset" not in run.output
    trace = json.loads((tmp_path / "r.json").read_text())["violation"]["trace"]
    assert [step["action"] for step in trace] == [None, "ack(who={r1, r2})"]
