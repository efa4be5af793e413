"""Fuzzing the TLA+ front end's readers: ``.tla`` modules and TLC ``.cfg`` files.

The seeds are the modules and models of tlaplus/Examples (the oracle beside the clone, read
at test time, never copied here; without it, refute's own ``corpus/tla/SeedCounter``), mutated
by truncation, bit flips, random bytes, TLA+ tokens, deletions, duplications and deep nesting;
``.cfg`` files are also generated from a grammar of their own. Every input is either read, or
refused with a located :class:`InputError` (file, line and column); loading a mutated module
as a model (with its real ``.cfg``) ends in a model or a :class:`RefuteError` naming a file,
never another exception. Evaluation (exploring states) is not fuzzed here: a mutation can make
a state space infinite.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import tempfile
import time
import traceback
from functools import lru_cache
from pathlib import Path

import pytest
from _fuzz import (CFG_NESTS, CFG_TOKENS, FUZZ, LONG, ORACLES, TLA_NESTS, TLA_TOKENS, mutated,
                   text_of)
from hypothesis import given, settings
from hypothesis import strategies as st

from refute.errors import InputError, RefuteError
from refute.tla.config import parse_config, read_config
from refute.tla.parser import MAX_DEPTH, parse_source

EXAMPLES = ORACLES / "tla" / "examples" / "specifications"
OWN = Path(__file__).parent / "corpus" / "tla"
SEED_LIMIT = 6000  # bytes: modules up to this size are seeds, so that each example is quick


@lru_cache(maxsize=None)
def _models() -> tuple[tuple[Path, Path], ...]:
    """(module, model) pairs from the oracle's manifests: small modules whose model TLC checks
    within a few seconds (some models are a computation at load time: CarTalkPuzzle's
    Model_3 evaluates every solution in an ASSUME)."""
    pairs = []
    for manifest in sorted(EXAMPLES.glob("*/manifest.json")) if EXAMPLES.is_dir() else ():
        for module in json.loads(manifest.read_text())["modules"]:
            tla = EXAMPLES.parent / module["path"]
            for model in module["models"]:
                cfg = EXAMPLES.parent / model["path"]
                if (tla.is_file() and cfg.is_file() and tla.stat().st_size <= SEED_LIMIT
                        and _seconds(model.get("runtime", "")) <= 5):
                    pairs.append((tla, cfg))
    return tuple(pairs) or ((OWN / "SeedCounter.tla", OWN / "SeedCounter.cfg"),)


def _seconds(runtime: str) -> float:
    try:
        hours, minutes, seconds = (int(part) for part in runtime.split(":"))
    except ValueError:
        return float("inf")
    return hours * 3600 + minutes * 60 + seconds


def _module_seeds() -> list[bytes]:
    found = []
    if EXAMPLES.is_dir():
        found = [path.read_bytes() for path in sorted(EXAMPLES.rglob("*.tla"))
                 if path.stat().st_size <= SEED_LIMIT]
    return found or [(OWN / "SeedCounter.tla").read_bytes()]


def _cfg_seeds() -> list[bytes]:
    found = [cfg.read_bytes() for _, cfg in _models()]
    if EXAMPLES.is_dir():
        found += [cfg.read_bytes() for cfg in sorted(EXAMPLES.rglob("*.cfg"))]
    return sorted(set(found)) or [(OWN / "SeedCounter.cfg").read_bytes()]


MODULE_SEEDS = _module_seeds()
CFG_SEEDS = _cfg_seeds()

def check_module(data: bytes) -> None:
    try:
        module = parse_source(data, "fuzz.tla")
    except InputError as error:
        assert error.file == "fuzz.tla" and error.line and error.column, error
        assert error.message and error.hint, error
        return
    assert module.name


def check_cfg(text: str) -> None:
    try:
        parse_config(text, "fuzz.cfg")
    except InputError as error:
        assert error.file == "fuzz.cfg" and error.line and error.column, error
        assert error.message, error


_SCRATCH = Path(tempfile.mkdtemp(prefix="refute-fuzz-tla-"))


def check_model(pair: tuple[Path, Path], data: bytes) -> None:
    """Load the mutated module with its real model, in a scratch copy of its folder.

    Loading evaluates the model's constants and ASSUMEs, and a mutation can turn them into a
    computation as long as one likes (``1..99999999``): that is the spec's meaning, not a
    reader failing. So each load runs in a forked child under a time and memory bound, and
    only what it raised counts.
    """
    tla, cfg = pair
    folder = _SCRATCH / "spec"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tla.parent, folder, ignore=shutil.ignore_patterns("*.pdf", "*.png"))
    target = folder / tla.name
    target.write_bytes(data)
    failure = _in_child(_load, str(target), str(folder / cfg.name))
    assert failure is None, failure


def _load(tla: str, cfg: str) -> str | None:
    """None when the model loads or is refused as it should be; else what went wrong."""
    from refute.tla.model import TLAModel

    try:
        TLAModel(tla, cfg)
    except RefuteError as error:
        if not error.file:
            return f"a RefuteError without a file: {error!r}"
        if isinstance(error, InputError) and error.file == tla and error.line \
                and not error.column:
            return f"an InputError of the module's text without a column: {error!r}"
    except RecursionError:
        return "RecursionError: a nesting the reader's depth limit let through"
    except MemoryError:
        return None  # the child's memory bound: a computation, not a reader failure
    except Exception as exc:  # noqa: BLE001 - the finding
        return f"{type(exc).__name__}: {exc} at {traceback.format_exc(limit=-3)}"
    return None


def _in_child(function, *args, seconds: float = 30, memory: int = 2 << 30) -> str | None:
    """``function(*args)`` in a forked child: its result, or None if it ran out of time or
    memory (the child is killed, or stops at its RLIMIT_AS). The bound is ``memory`` beyond
    the address space the child inherits: the test runner's own mappings (compiled models
    loaded by earlier tests, their tables) must not leave the child without room to load."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the test runner
        os.close(reader)
        try:
            with open("/proc/self/statm", encoding="ascii") as statm:
                inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            resource.setrlimit(resource.RLIMIT_AS, (inherited + memory, inherited + memory))
            message = function(*args)
            os.write(writer, (message or "").encode("utf-8", "replace")[:60000])
        finally:
            os._exit(0)
    os.close(writer)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.005)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    with os.fdopen(reader, "rb") as pipe:
        return pipe.read().decode("utf-8", "replace") or None


def test_the_seeds_are_the_oracle_when_it_is_present() -> None:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the tlaplus/Examples oracle is not at {EXAMPLES}: the fuzzers run on "
                    "refute's own corpus/tla seed only")
    assert len(MODULE_SEEDS) >= 50 and len(_models()) >= 10
    for data in MODULE_SEEDS[:20]:
        check_module(data)


# ---------------------------------------------------------------- .tla

@FUZZ
@given(mutated(MODULE_SEEDS, tokens=TLA_TOKENS, nests=TLA_NESTS))
def test_mutated_modules_are_parsed_or_refused_with_a_location(data: bytes) -> None:
    check_module(data)


@settings(FUZZ, max_examples=40)
@given(st.sampled_from(range(len(_models()))).map(lambda i: _models()[i]), st.data())
def test_mutated_modules_load_as_models_or_are_refused(pair, data) -> None:
    source = data.draw(mutated([pair[0].read_bytes()], max_mutations=3, tokens=TLA_TOKENS,
                               nests=TLA_NESTS))
    check_model(pair, source)


@pytest.mark.slow
@LONG
@given(mutated(MODULE_SEEDS, max_mutations=12, tokens=TLA_TOKENS, nests=TLA_NESTS))
def test_mutated_modules_long(data: bytes) -> None:
    check_module(data)


@pytest.mark.slow
@settings(LONG, max_examples=300)
@given(st.sampled_from(range(len(_models()))).map(lambda i: _models()[i]), st.data())
def test_mutated_models_long(pair, data) -> None:
    source = data.draw(mutated([pair[0].read_bytes()], max_mutations=8, tokens=TLA_TOKENS,
                               nests=TLA_NESTS))
    check_model(pair, source)


CHAIN = "is a chain of at least 248 infix operations (a + b + c + ... holds each operation "


@pytest.mark.parametrize("body, where", [
    ("(" * 400 + "1" + ")" * 400, "is 247 nested parenthesised expressions: more than 250"),
    ("<<" * 400 + ">>" * 400, "is 246 nested tuples << >>: more than 250 levels"),
    ("1" + " + 1" * 600, CHAIN),  # written flat: "nested" would not be true of it
    ("1" + " \\cup 1" * 600, CHAIN),
    ("IF TRUE THEN " * 400 + "1" + " ELSE 2" * 400, "is 246 nested IF/THEN/ELSE expressions"),
    ("[x \\in {1} |-> " * 300 + "1" + "]" * 300,
     "is 245 nested function literals [x \\in S |-> ...]"),
])
def test_deep_nesting_is_a_located_error_not_a_recursion_error(body: str, where: str) -> None:
    """Once RecursionError (reported without a place): the tree is now measured first."""
    source = f"---- MODULE Deep ----\nOp == {body}\n====\n".encode()
    with pytest.raises(InputError) as caught:
        parse_source(source, "deep.tla")
    assert where in caught.value.message and caught.value.line == 2 and caught.value.column


def test_a_flat_sum_too_slow_to_parse_is_not_blamed_on_nesting(monkeypatch) -> None:
    """Issue 25: a 50,000-term sum once stopped with "does it nest expressions thousands
    deep?". A budget of 1 s (instead of 9) cuts it sooner; where it is cut depends on the
    machine's speed, what the message says does not."""
    from refute.tla import parser

    monkeypatch.setattr(parser, "_PARSE_SECONDS", 1.0)
    monkeypatch.setattr(parser, "_PARSE_SECONDS_PER_MB", 0.0)
    source = ("---- MODULE Flat ----\nOp == 1" + " + 1" * 50_000 + "\n====\n").encode()
    with pytest.raises(InputError) as caught:
        parse_source(source, "flat.tla")
    error = caught.value
    assert error.message.startswith("parsing the module took longer than 1 s and was stopped "
                                    "here, in a chain of at least ")
    assert "nest" not in error.message.replace("holds each operation inside", "")
    assert error.hint.startswith("split the chain into named definitions of at most 200 terms")
    assert error.line == 2 and error.column > 1


def test_nesting_within_the_limit_is_read() -> None:
    depth = MAX_DEPTH // 3
    parse_source(f"---- MODULE Ok ----\nOp == {'(' * depth}1{')' * depth}\n====\n".encode(),
                 "ok.tla")


@pytest.mark.parametrize("source, line, column", [
    (b"", 1, 1),                                            # no module at all
    (b"---- MODULE M ----\nOp == \xff\n====\n", 2, 7),      # not UTF-8: once UnicodeDecodeError
    (b"---- MODULE M ----\nOp == 1 +\n====\n", 1, 6),       # nothing parses: at MODULE
    (b"---- MODULE M ----\nOp == \"abc\n====\n", 2, 11),    # unterminated string
    (b"---- MODULE M ----\nOp == " + b"9" * 5000 + b"\n====\n", 2, 7),  # once ValueError
    (b"---- MODULE M ----\nOp == \\h" + b"F" * 5000 + b"\n====\n", 2, 7),
])
def test_known_module_crashers_are_located_errors(source: bytes, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_source(source, "m.tla")
    assert (caught.value.line, caught.value.column) == (line, column), caught.value


# ---------------------------------------------------------------- .cfg

def _names() -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Za-z_][A-Za-z_0-9]{0,8}", fullmatch=True)


def _values(depth: int = 0) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.integers(-10**6, 10**6).map(str), st.sampled_from(["9" * 1200, "-0", "TRUE", "FALSE"]),
        _names(), st.text(alphabet='ab\\"\n', max_size=6).map(lambda t: '"' + t + '"'))
    if depth > 2:
        return leaves
    return st.one_of(leaves, st.tuples(st.sampled_from([("{", "}"), ("<<", ">>")]),
                                       st.lists(_values(depth + 1), max_size=4))
                     .map(lambda p: p[0][0] + ", ".join(p[1]) + p[0][1]))


_SECTIONS = ["INIT", "NEXT", "SPECIFICATION", "INVARIANT", "INVARIANTS", "PROPERTY",
             "PROPERTIES", "CONSTRAINT", "CONSTRAINTS", "ACTION_CONSTRAINT", "SYMMETRY", "VIEW",
             "CHECK_DEADLOCK", "ALIAS", "POSTCONDITION"]
_JUNK = ["=", "<-", "[", "]", "{", "}", "<<", ">>", ",", "(", ")", "(*", "*)", "\\*", '"',
         "\\", "-", "_", "\x00", "é", "∀", "(_, _)", "<-[M]", "{" * 150 + "}" * 150]


@st.composite
def cfg_texts(draw: st.DrawFn) -> str:
    """Text shaped like a .cfg: sections and entries, with junk tokens and comments mixed in."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["CONSTANT", "CONSTANTS"])))
            for _ in range(draw(st.integers(0, 4))):
                name = draw(_names())
                kind = draw(st.sampled_from(["=", "<-", "<-[", "op", "none"]))
                if kind == "=":
                    parts.append(f"{name} = {draw(_values())}")
                elif kind == "<-":
                    parts.append(f"{name} <- {draw(_names())}")
                elif kind == "<-[":
                    parts.append(f"{name} <-[{draw(_names())}] {draw(_names())}")
                elif kind == "op":
                    parts.append(f"{name}(_, _) <- {draw(_names())}")
                else:
                    parts.append(name)
        else:
            parts.append(draw(st.sampled_from(_SECTIONS)))
            parts += draw(st.lists(_names(), max_size=3))
        if draw(st.integers(0, 3)) == 0:
            parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(_JUNK)))
        if draw(st.integers(0, 5)) == 0:
            parts.append(draw(st.sampled_from(["\\* a comment", "(* a (* nested *) one *)",
                                               "(* never closed", '"never closed'])))
    separators = draw(st.lists(st.sampled_from([" ", "\n", "\t", "\r\n", "  \n "]),
                               min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, separators))


@FUZZ
@given(cfg_texts())
def test_generated_cfg_text_is_read_or_refused_with_a_location(text: str) -> None:
    check_cfg(text)


@FUZZ
@given(mutated(CFG_SEEDS, tokens=CFG_TOKENS, nests=CFG_NESTS))
def test_mutated_cfg_files_are_read_or_refused_with_a_location(data: bytes) -> None:
    check_cfg(text_of(data))


@pytest.mark.slow
@LONG
@given(st.one_of(cfg_texts(), mutated(CFG_SEEDS, max_mutations=12, tokens=CFG_TOKENS,
                                      nests=CFG_NESTS).map(text_of)))
def test_cfg_long(text: str) -> None:
    check_cfg(text)


@pytest.mark.parametrize("text, line, column", [
    ("CONSTANT N =", 1, 13),                 # once IndexError: the value is missing
    ("CONSTANT N = {1, 2", 1, 19),           # once IndexError: the set is not closed
    ("CONSTANT N = {1 2}", 1, 17),
    ("CONSTANT F(_, _", 1, 16),              # once IndexError: the parameters never close
    ("CONSTANT N <-", 1, 14),                # once IndexError
    ("CONSTANT N <-[M", 1, 16),              # once IndexError
    ("CONSTANT N = " + "9" * 5000, 1, 14),   # once ValueError: too many digits for int()
    ("CONSTANT N = " + "{" * 200, 1, 114),   # once RecursionError at a few hundred
    ("INIT Init (* never closed", 1, 11),
    ('CONSTANT N = "never closed', 1, 14),
    ("CHECK_DEADLOCK maybe", 1, 16),
    ("Init", 1, 1),
])
def test_known_cfg_crashers_are_located_errors(text: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_config(text, "m.cfg")
    assert (caught.value.line, caught.value.column) == (line, column), caught.value


def test_a_cfg_file_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "m.cfg"
    path.write_bytes(b"INIT Init\nNEXT \xff\n")
    with pytest.raises(InputError) as caught:
        read_config(str(path))
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(path), 2, 6)
