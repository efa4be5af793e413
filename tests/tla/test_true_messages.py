"""Messages that are true (issue 25, item 12), for TLA+ specs: what refute says TLC does is
what TLC does.

TLC (tlaplus/tlaplus built from source, /work/shared/tools/tlc, run on these tiny specs):

* ``CONSTANT N = 3`` for an ``N`` the spec does not declare: TLC checks the model without a
  word. refute refuses it, located (a value used nowhere is most often a misspelt constant),
  and says that TLC ignores it; ``r1 = r1`` (a model value named after itself, an idiom of
  tlaplus/Examples' models, e.g. SimplifiedFastPaxos) changes nothing and is accepted.
* ``CONSTANT N <- Def`` for an undeclared ``N``: TLC stops ("the identifier N does not appear
  in the specification"), so "TLC refuses this too" is true there.
* ``IOExec``: TLC runs the program and goes on; ``Trace`` (TLCExt): TLC evaluates it. Neither
  message may say "TLC reports this error too".
* ``Head(<<>>)``: TLC reports the error too, and the hint says so.

``test_tlc_agrees`` (slow: a JVM per spec) runs TLC on the same specs and checks each claim.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from refute.cli import main

TLC = Path("/work/shared/tools/tlc/tlc")
TINY = """\
    ---- MODULE Tiny ----
    EXTENDS Naturals
    CONSTANT Max
    VARIABLE x
    Init == x = 0
    Next == x < Max /\\ x' = x + 1
    Inv == x <= Max
    ====
    """


def write(folder: Path, name: str, tla: str, cfg: str) -> Path:
    (folder / f"{name}.tla").write_text(textwrap.dedent(tla))
    (folder / f"{name}.cfg").write_text(textwrap.dedent(cfg))
    return folder / f"{name}.tla"


def check(spec: Path, *args: str):
    result = CliRunner().invoke(main, ["check", str(spec), "-q", *args],
                                env={"REFUTE_DEBUG": None})
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


def test_a_constant_the_spec_does_not_declare_is_a_located_error(tmp_path: Path) -> None:
    spec = write(tmp_path, "Tiny", TINY, """\
        CONSTANT Max = 2
        CONSTANT N = 3
        INIT Init
        NEXT Next
        INVARIANT Inv
        CHECK_DEADLOCK FALSE
        """)
    result = check(spec)
    assert result.exit_code == 2
    assert (f"error: {tmp_path / 'Tiny.cfg'}:2:10: CONSTANT N = 3: Tiny declares no constant N "
            "and defines nothing named N, so the value would be unused") in result.stderr
    assert "TLC ignores such a line without a word; refute refuses it" in result.stderr
    assert "TLC refuses" not in result.stderr


def test_a_misspelt_constant_gets_the_nearest_declared_name(tmp_path: Path) -> None:
    spec = write(tmp_path, "Tiny", TINY, """\
        CONSTANTS
            Max = 2
            Maxx = 3
        INIT Init
        NEXT Next
        """)
    result = check(spec, "--no-deadlock")
    assert result.exit_code == 2
    assert "Tiny.cfg:3:5: CONSTANT Maxx = 3" in result.stderr
    assert "hint: did you mean Max? correct the name in Tiny.cfg" in result.stderr


def test_a_model_value_named_after_itself_is_accepted_as_by_tlc(tmp_path: Path) -> None:
    spec = write(tmp_path, "Tiny", TINY, """\
        CONSTANTS
            Max = 2
            r1 = r1
        INIT Init
        NEXT Next
        INVARIANT Inv
        CHECK_DEADLOCK FALSE
        """)
    result = check(spec)
    assert result.exit_code == 0, result.output


def test_an_undeclared_substitution_is_refused_as_by_tlc(tmp_path: Path) -> None:
    spec = write(tmp_path, "Tiny", TINY, """\
        CONSTANT Max = 2
        CONSTANT N <- Init
        INIT Init
        NEXT Next
        """)
    result = check(spec)
    assert result.exit_code == 2
    assert "Tiny.cfg:2:10: CONSTANT N <- Init: Tiny declares or defines no N" in result.stderr
    assert "hint: TLC refuses this too" in result.stderr


IO_EXEC = """\
    ---- MODULE Io ----
    EXTENDS Naturals, TLC, IOUtils
    VARIABLE x
    Init == x = IOExec(<<"true">>).exitValue
    Next == UNCHANGED x
    ====
    """
TRACE = """\
    ---- MODULE Tr ----
    EXTENDS Naturals, Sequences, TLC, TLCExt
    VARIABLE x
    Init == x = 0
    Next == x < 2 /\\ x' = x + 1
    Inv == Len(Trace) < 5
    ====
    """
HEAD = """\
    ---- MODULE Hd ----
    EXTENDS Naturals, Sequences
    VARIABLE x
    Init == x = Head(<<>>)
    Next == UNCHANGED x
    ====
    """


def test_io_exec_is_refused_without_claiming_tlc_would_refuse_it(tmp_path):
    spec = write(tmp_path, "Io", IO_EXEC, "INIT Init\nNEXT Next\n")
    result = check(spec)
    assert result.exit_code == 2
    assert "Io.tla:4:13: evaluating the initial predicate: IOExec runs a program: refute " \
           "never does that while checking a spec (TLC would)" in result.stderr
    assert "hint: TLC does not report this (IOExec works there)" in result.stderr
    assert "TLC reports this error too" not in result.stderr


def test_trace_is_refused_without_claiming_tlc_would_refuse_it(tmp_path: Path) -> None:
    spec = write(tmp_path, "Tr", TRACE, "INIT Init\nNEXT Next\nINVARIANT Inv\n"
                                        "CHECK_DEADLOCK FALSE\n")
    result = check(spec)
    assert result.exit_code == 2
    assert "Trace (the behaviour leading to the current state) is not available in refute " \
           "(TLC's TLCExt has it)" in result.stderr
    assert "TLC reports this error too" not in result.stderr


def test_reading_a_file_not_allowed_does_not_blame_tlc(tmp_path) -> None:
    (tmp_path / "data.json").write_text("[1]")
    spec = write(tmp_path, "Js", """\
        ---- MODULE Js ----
        EXTENDS Naturals, Json
        VARIABLE x
        Init == x = JsonDeserialize("data.json")[1]
        Next == UNCHANGED x
        ====
        """, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    result = check(spec)
    assert result.exit_code == 2
    assert "which was not allowed" in result.stderr
    assert "hint: TLC would read it; refute reads a spec's data files only where you say" \
        in result.stderr
    assert "TLC reports this error too" not in result.stderr


def test_an_error_tlc_reports_too_says_so(tmp_path: Path) -> None:
    spec = write(tmp_path, "Hd", HEAD, "INIT Init\nNEXT Next\n")
    result = check(spec)
    assert result.exit_code == 2
    assert "Head of the empty sequence" in result.stderr
    assert "hint: TLC reports this error too; fix the spec or the model" in result.stderr


def tlc(spec: Path, cfg: str | None = None) -> str:
    args = [str(TLC), "-workers", "1"] + (["-config", cfg] if cfg else []) + [spec.name]
    run = subprocess.run(args, cwd=spec.parent, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TLC_JAVA_OPTS": "-Xmx512m"})
    return run.stdout + run.stderr


@pytest.mark.slow
def test_tlc_agrees(tmp_path: Path) -> None:
    """What the messages above say of TLC, checked against TLC itself."""
    if not TLC.exists():
        pytest.skip(f"TLC is not at {TLC}: the claims about TLC cannot be checked here")
    spec = write(tmp_path, "Tiny", TINY, "CONSTANT Max = 2\nCONSTANT N = 3\nINIT Init\n"
                                         "NEXT Next\nINVARIANT Inv\nCHECK_DEADLOCK FALSE\n")
    assert "No error has been found" in tlc(spec)  # N = 3: accepted without a word
    (tmp_path / "Sub.cfg").write_text("CONSTANT Max = 2\nCONSTANT N <- Init\nINIT Init\n"
                                      "NEXT Next\n")
    assert "the identifier N does not appear in the specification" in tlc(spec, "Sub.cfg")
    io = write(tmp_path, "Io", IO_EXEC, "INIT Init\nNEXT Next\nCHECK_DEADLOCK FALSE\n")
    assert "No error has been found" in tlc(io)
    trace = write(tmp_path, "Tr", TRACE, "INIT Init\nNEXT Next\nINVARIANT Inv\n"
                                         "CHECK_DEADLOCK FALSE\n")
    assert "No error has been found" in tlc(trace)
    head = write(tmp_path, "Hd", HEAD, "INIT Init\nNEXT Next\n")
    assert "Error: Attempted to apply Head to the empty sequence." in tlc(head)
