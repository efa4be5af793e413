"""Messages that teach (issue 25, items 13 and 14): a deadlock report says how to declare a
spec that simply finished, in the front end's own terms; a record updated with a field it
does not have lists its fields and suggests the nearest, without the unrelated hint about
guarding actions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from refute.cli import main

ROOT = Path(__file__).resolve().parents[2]

COUNTDOWN = """\
    from refute import Spec, State, action

    class Countdown(Spec):
        def init(self):
            return State(n=2)

        @action
        def tick(self, s):
            if s.n > 0:
                return s.update(n=s.n - 1)
    """
COUNTDOWN_TLA = """\
    ---- MODULE Countdown ----
    EXTENDS Naturals
    VARIABLE n
    Init == n = 2
    Next == n > 0 /\\ n' = n - 1
    ====
    """
TYPO = """\
    from refute import Spec, State, action

    class Bank(Spec):
        def init(self):
            return State(balance=0, owner="a")

        @action
        def deposit(self, s):
            if s.balance < 2:
                return s.update(balanse=s.balance + 1)
    """


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output
    return result


def test_a_python_deadlock_hints_at_terminal_and_no_deadlock(tmp_path: Path) -> None:
    spec = tmp_path / "countdown.py"
    spec.write_text(textwrap.dedent(COUNTDOWN))
    result = invoke("check", str(spec))
    assert result.exit_code == 1
    assert "← deadlock: no action is enabled" in result.stdout
    assert ("hint: if the spec simply finished in this state, say so with a @terminal method "
            "that is true in it (@terminal def done(self, s): return ...): deadlocks elsewhere "
            "are still reported; or run with --no-deadlock to report none") in result.stdout
    simulated = invoke("simulate", str(spec), "--traces", "5")
    assert simulated.exit_code == 1 and "with a @terminal method" in simulated.stdout


def test_the_hint_is_right_a_terminal_state_is_no_deadlock(tmp_path: Path) -> None:
    spec = tmp_path / "countdown.py"
    spec.write_text(textwrap.dedent(COUNTDOWN).replace(
        "from refute import Spec, State, action", "from refute import Spec, State, action, terminal")
        + "\n    @terminal\n    def done(self, s):\n        return s.n == 0\n")
    assert invoke("check", str(spec), "-q").exit_code == 0
    (tmp_path / "plain.py").write_text(textwrap.dedent(COUNTDOWN))
    assert invoke("check", str(tmp_path / "plain.py"), "-q", "--no-deadlock").exit_code == 0


def test_a_tla_deadlock_hints_at_check_deadlock_false(tmp_path: Path) -> None:
    (tmp_path / "Countdown.tla").write_text(textwrap.dedent(COUNTDOWN_TLA))
    (tmp_path / "Countdown.cfg").write_text("INIT Init\nNEXT Next\n")
    result = invoke("check", str(tmp_path / "Countdown.tla"))
    assert result.exit_code == 1
    assert ("hint: if the spec simply finished in this state, say so: CHECK_DEADLOCK FALSE in "
            "the .cfg (or --no-deadlock, as TLC's -deadlock), or, to keep finding deadlocks "
            "elsewhere, let the final state stutter: add Done == <it is final> /\\ UNCHANGED "
            "vars as a disjunct of Next") in result.stdout
    (tmp_path / "Countdown.cfg").write_text("INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert invoke("check", str(tmp_path / "Countdown.tla"), "-q").exit_code == 0


def test_an_invariant_violation_has_no_deadlock_hint() -> None:
    result = invoke("check", str(ROOT / "examples" / "die_hard.py"))
    assert result.exit_code == 1 and "hint:" not in result.stdout


def test_a_misspelt_field_lists_the_fields_and_suggests_the_nearest(tmp_path: Path) -> None:
    spec = tmp_path / "bank.py"
    spec.write_text(textwrap.dedent(TYPO))
    result = invoke("check", str(spec))
    assert result.exit_code == 2
    assert (f"error: {spec}:10: deposit raised UnknownField: Record.update() got 'balanse', "
            "which is not a field of the record (its fields: balance, owner)") in result.stderr
    assert ("hint: did you mean balance? update changes only the fields the record has; a new "
            "field needs adding where the record is made (State(...) in init)") in result.stderr
    assert "guard" not in result.stderr


def test_a_closed_pipe_is_not_blamed_on_the_spec() -> None:
    """``refute check ... | head``: rich exits when stdout's reader has gone; that exit is
    not the spec's sys.exit(). Here the reading end is closed before refute writes at all."""
    process = subprocess.Popen([sys.executable, "-m", "refute", "check", "examples/die_hard.py"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 2
    assert "the spec's code called sys.exit" not in stderr
    assert ("error: standard output was closed before the report was complete (the program "
            "reading it, e.g. head, ended)") in stderr
