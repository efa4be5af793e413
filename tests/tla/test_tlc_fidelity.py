"""Minimal specs on which refute must give TLC's answer (issue 19), each with TLC's figures:
obtained by running TLC (tlaplus/tlaplus built from source, one worker) on the same spec and
model, quoted in the test."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from refute.cli import main


def _check(tmp_path, tla: str, cfg: str | None, *options: str) -> tuple[int, str, dict | None]:
    """``refute check M.tla`` on this module and model: (exit code, output, JSON result)."""
    (tmp_path / "M.tla").write_text(textwrap.dedent(tla))
    if cfg is not None:
        (tmp_path / "M.cfg").write_text(textwrap.dedent(cfg))
    out = tmp_path / "result.json"
    run = CliRunner().invoke(main, ["check", str(tmp_path / "M.tla"), "--json", str(out), *options])
    result = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return run.exit_code, run.output, result


COUNTER = """\
    ---- MODULE M ----
    EXTENDS Naturals
    VARIABLE x
    Init == x = 0
    Next == x < 3 /\\ x' = x + 1
    Spec == Init
    Inv == x < 10
    ====
    """


def test_a_model_without_behaviour_is_refused_where_it_lacks_it(tmp_path) -> None:
    # TLC: "The configuration file did not specify the initial state predicate." for the first
    # three, "... the next state predicate." for the last two; never "No error has been found".
    for cfg, message, line in [
            ("", "the model M.cfg is empty", None),
            ("INVARIANT Inv\n", "names neither INIT and NEXT nor SPECIFICATION", None),
            ("NEXT Next\nINVARIANT Inv\n", "NEXT Next without INIT", 1),
            ("INIT Init\nINVARIANT Inv\n", "INIT Init without NEXT", 1),
            ("SPECIFICATION Spec\nINVARIANT Inv\n", "the formula has no next-state part", 1)]:
        code, output, result = _check(tmp_path, COUNTER, cfg)
        assert code == 2, (cfg, output)
        assert message in output and "holds" not in output, (cfg, output)
        assert f"M.cfg:{line}:" in output if line else "M.cfg:" in output, output


def test_an_init_no_state_satisfies_is_an_error_at_init(tmp_path) -> None:
    # TLC: "Finished computing initial states: 0 distinct states generated", "No error has
    # been found", 0 states: a check of nothing, which refute refuses (docs/tla.md).
    code, output, _ = _check(tmp_path, """\
        ---- MODULE M ----
        VARIABLE x
        Init == x \\in {}
        Next == x' = x
        ====
        """, "INIT Init\nNEXT Next\n")
    assert code == 2 and "M.tla:3:" in output and "no state satisfies the initial predicate" in output


def test_a_constant_module_needs_no_behaviour(tmp_path) -> None:
    # TLC with an empty .cfg: the ASSUMEs are checked, "No error has been found", exit 0.
    code, output, _ = _check(tmp_path, """\
        ---- MODULE M ----
        EXTENDS Naturals
        ASSUME 1 + 1 = 2
        ====
        """, "")
    assert code == 0, output


THREE_WAYS = """\
    ---- MODULE M ----
    VARIABLE x
    Init == x = 0
    A == x' = 1
    B == x' = 2
    C == x' = 3
    Next == A \\/ B \\/ C
    Inv == x # 2
    ====
    """


def test_generated_at_a_violation_stops_at_the_violating_successor(tmp_path) -> None:
    # TLC: "Invariant Inv is violated", 3 states generated, 3 distinct states found, depth 2:
    # its Worker counts and checks each successor as it generates it (Worker.addElement), so
    # C's successor, after the violating B's, is never generated.
    code, output, result = _check(tmp_path, THREE_WAYS, "INIT Init\nNEXT Next\nINVARIANT Inv\n")
    assert code == 1, output
    assert (result["distinct_states"], result["states_generated"], result["depth"]) == (3, 3, 2)
    assert [a["fired"] for a in result["coverage"]] == [1, 1, 0]


def test_generated_at_a_violation_of_a_python_spec_is_tlcs_too(tmp_path) -> None:
    # The same spec in Python: TLC's figures (3 distinct, 3 generated, depth 2).
    import refute
    from refute import Spec, State, action, invariant

    class Three(Spec):
        def init(self):
            return State(x=0)

        @action
        def a(self, s):
            return s.update(x=1)

        @action
        def b(self, s):
            return s.update(x=2)

        @action
        def c(self, s):
            return s.update(x=3)

        @invariant
        def inv(self, s):
            return s.x != 2

    result = refute.check(Three())
    assert (result.distinct_states, result.states_generated, result.depth) == (3, 3, 2)
