"""Fuzzing the command line: random arguments and mutated input files for every finished
command. Whatever the arguments, a command ends with exit code 0, 1, 2 or 3 and a message,
never a traceback; usage and input errors are exit code 2.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from _fuzz import (CFG_NESTS, CFG_TOKENS, FUZZ, LONG, TLA_NESTS, TLA_TOKENS, as_file, mutated,
                   seeds)
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from refute.cli import main

ROOT = Path(__file__).resolve().parents[2]
# A copy in a scratch folder: generated command lines may name the spec as an output file
# (--json SPEC), which must never overwrite the project's own example.
_SCRATCH = Path(tempfile.mkdtemp(prefix="refute-fuzz-spec-"))
SPEC = str(_SCRATCH / "fencing_lock.py")
(_SCRATCH / "fencing_lock.py").write_text((ROOT / "examples" / "fencing_lock.py").read_text())
HISTORIES = seeds("isolation/elle/paper-example.edn", "isolation/elle/rw-register.json",
                  "linearizability/porcupine/jepsen/etcd_000.log", "isolation/polysi.txt",
                  "linearizability/porcupine/ops.json")
LOGS = seeds("seed-fencing.jsonl")
TLA = Path(__file__).parent / "corpus" / "tla"
MODULE = [(TLA / "SeedCounter.tla").read_bytes()]
MODEL = [(TLA / "SeedCounter.cfg").read_bytes()]

WEIRD = ["", "0", "-1", "1e999", "nan", "inf", "-inf", "9" * 5000, "x", "--", "-", "=",
         "fencing=true", "fencing=maybe", "clients=" + "9" * 5000, "nope=1", "clients=-3",
         "first_token=1e999", "accepted_tokens_increase", "only_holder_writes", "missing",
         "\x00", "\udcff", "é", "a" * 300, "1.5", "--help", "-p", "--json", SPEC + ":Nope",
         SPEC + ":", "/", "/nonexistent/x.py", "serializable", "cas-register", "bogus",
         "1M", "2G", "0M", "1.5K", "1Q"]

OPTIONS = {
    "history": ["--model", "--workload", "--format", "--time-limit", "--memory-limit",
                "--json"],
    "linearizable": ["--model", "--format", "--independent", "--time-limit", "--memory-limit",
                     "--json"],
    "trace": ["-p", "--hidden", "--hidden-depth", "--stutter", "--max-frontier", "--coverage",
              "--max-states", "--time-limit", "--memory-limit", "--json", "-q"],
    "check": ["-p", "--invariant", "--no-deadlock", "--max-states", "--max-depth",
              "--time-limit", "--memory-limit", "--json", "-q", "--isolation", "--config"],
    "simulate": ["-p", "--traces", "--depth", "--seed", "--no-swarm", "--invariant",
                 "--no-deadlock", "--time-limit", "--memory-limit", "--json", "-q"],
}
# Appended last (the last value of an option wins): every example stays small and quick.
BOUNDS = {"check": ["--max-states", "400", "--time-limit", "5"],
          "simulate": ["--traces", "20", "--depth", "12", "--time-limit", "5"],
          "trace": ["--max-states", "400", "--max-frontier", "200"],
          "history": ["--time-limit", "5"], "linearizable": ["--time-limit", "5"]}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(OPTIONS)))
    args = [command]
    if command in ("history", "linearizable"):
        args.append(as_file(draw(mutated(HISTORIES)), ".edn"))
    elif command == "check" and draw(st.integers(0, 2)) == 0:  # a TLA+ module and its model
        args.append(as_file(draw(mutated(MODULE, tokens=TLA_TOKENS, nests=TLA_NESTS)), ".tla"))
        as_file(draw(mutated(MODEL, max_mutations=2, tokens=CFG_TOKENS, nests=CFG_NESTS)),
                ".cfg")
    elif command == "trace":
        args += [draw(st.sampled_from([SPEC, SPEC, SPEC + ":FencingLock", "missing.py"])),
                 as_file(draw(mutated(LOGS)), ".jsonl")]
    else:
        args.append(draw(st.sampled_from([SPEC, SPEC, SPEC + ":FencingLock", "missing.py",
                                          SPEC + ":Nope"])))
    for _ in range(draw(st.integers(0, 5))):
        args.append(draw(st.sampled_from(OPTIONS[command])))
        if draw(st.integers(0, 4)):
            args.append(draw(st.one_of(st.sampled_from(WEIRD), st.text(max_size=12))))
    return args + BOUNDS[command]


def run(args: list[str]):
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="refute-cli-") as scratch:
        os.chdir(scratch)  # a stray option value taken as a path writes here
        try:
            result = CliRunner().invoke(main, args, env={"REFUTE_DEBUG": None})
        finally:
            os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, result.output, result.exception)
    assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    assert "internal error" not in result.output, (args, result.output)
    return result


@FUZZ
@given(command_lines())
def test_any_command_line_ends_with_a_verdict_or_a_message(args: list[str]) -> None:
    run(args)


@pytest.mark.slow
@LONG
@given(command_lines())
def test_any_command_line_long(args: list[str]) -> None:
    run(args)


@pytest.mark.parametrize("args", [
    ["check", SPEC, "-p", "clients=" + "9" * 5000],
    ["check", SPEC, "-p", "nope"],
    ["check", "/nonexistent/spec.py"],
    ["simulate", SPEC, "--traces", "-1"],
    ["history", "/nonexistent/h.edn"],
    ["linearizable", "/nonexistent/h.edn"],
    ["trace", SPEC, "/nonexistent/log.jsonl"],
    ["history", "--time-limit", "x", "h.edn"],
])
def test_usage_and_input_errors_exit_2(args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 2, result.output


def test_crashers_in_files_exit_2(tmp_path) -> None:
    """The readers' known crashers, through the command line."""
    corpus = Path(__file__).parent / "corpus"
    for path in sorted(corpus.glob("crash-*")):
        command = {"jsonl": ["trace", SPEC], "txt": ["history"], "tla": ["check"],
                   "cfg": ["check", str(TLA / "SeedCounter.tla"), "--config"]}.get(
            path.suffix[1:], ["history"] if "elle" in path.name else ["linearizable"])
        result = run([*command, str(path)])
        assert result.exit_code == 2, (path.name, result.output)
        assert "error: " in result.output and path.name in result.output, result.output


def test_an_unexpected_exception_is_an_internal_error_not_a_traceback(monkeypatch) -> None:
    """The last resort: an exception refute did not foresee is reported, exit code 2."""
    import refute.commands.linearizable as command

    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(command, "read_history", boom)
    result = CliRunner().invoke(main, ["linearizable", "x.edn"], env={"REFUTE_DEBUG": None})
    assert result.exit_code == 2
    assert "internal error: KeyError" in result.output and "please report" in result.output
    assert "Traceback" not in result.output
    debug = CliRunner().invoke(main, ["linearizable", "x.edn"], env={"REFUTE_DEBUG": "1"})
    assert isinstance(debug.exception, KeyError)  # REFUTE_DEBUG=1 lets it through
