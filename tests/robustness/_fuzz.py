"""Mutations of real inputs, for property-based fuzzing of every reader.

The seeds are the oracle histories other tools wrote (Elle's, Porcupine's) when they are
present beside the clone, else the small files in ``corpus/``; each is cut to a few
kilobytes so that every example stays fast. A mutation truncates, flips bytes, inserts
random bytes or tokens that readers treat specially (brackets, tags, escapes, huge numbers,
deep nesting, invalid UTF-8), deletes or duplicates a span.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ORACLES = HERE.parent.parent.parent / "shared" / "oracles"
SEED_BYTES = 3000

settings.register_profile(
    "robustness", max_examples=150, deadline=20000, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "robustness-long", max_examples=400, deadline=60000, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings.get_profile("robustness")
LONG = settings.get_profile("robustness-long")


def _head(path: Path) -> bytes:
    """The first few kilobytes of a file, cut at a line end (a seed, not the whole file)."""
    data = path.read_bytes()[:SEED_BYTES * 2]
    if len(data) > SEED_BYTES:
        cut = data.rfind(b"\n", 0, SEED_BYTES)
        data = data[:cut + 1 if cut > 0 else SEED_BYTES]
    return data


def seeds(*names: str) -> list[bytes]:
    """Seed inputs: the named oracle files (relative to shared/oracles) and corpus files
    whose names start with ``seed-`` and end with one of the given suffixes."""
    found = [_head(ORACLES / name) for name in names if (ORACLES / name).is_file()]
    suffixes = tuple(os.path.splitext(name)[1] for name in names)
    found += [_head(path) for path in sorted(CORPUS.glob("seed-*"))
              if path.suffix in suffixes]
    assert found, f"no seeds for {names}"
    return found


# Tokens the readers treat specially, and inputs known to have crashed one.
TOKENS = [
    b"[", b"]", b"{", b"}", b"(", b")", b"#{", b"#_", b"#inst ", b"#jepsen.history.Op",
    b"#=(java.lang.Runtime/getRuntime)", b"#java.io.File", b'"', b"\\", b"\\u", b"\\ud800",
    b"\\newline", b";", b":", b"::", b":nemesis", b"nil", b"true", b"1/0", b"3/4", b"1e999",
    b"-0.0", b"1.5M", b"42N", b"NaN", b"Infinity", b"9" * 5000, b"-" + b"9" * 4400,
    b"\x00", b"\x03", b"\x05", b"\x10", b"\x11", b"\x13", b"\x14", b"\x15", b"\r", b"\t",
    b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"\xe2\x80\xa8",
    b"[" * 150, b"{:a " * 120, b"[{" * 80, b'{"a":' * 120, b"]" * 20,
    b"cos\nsystem\n(S'echo pwned'\ntR.", b"c__builtin__\neval\n", b"__import__('os')",
    b'{"type": "ok", "process": {"a": 1}, "f": "txn", "value": []}',
    b"{:type :invoke, :process [{}], :f :txn, :value []}",
    b"r(1,0,0,0)", b"w(1,1,0,0)", b"w(1,0,0,0)", b"INFO  jepsen.util - 0\t:invoke\t:cas\t[1 ",
    b'{"action": null}', b'{"action": 1}', b'{"args": []}',
]


# The TLA+ front end's: tokens and nestings of modules, and of .cfg files.
TLA_TOKENS = [
    b"(*", b"*)", b"\\*", b"==", b"<<", b">>", b"[", b"]", b"{", b"}", b"(", b")", b"'", b"@",
    b"\\E x \\in S : ", b"\\A x : ", b"EXCEPT ![1] = ", b"LET x == 1 IN ", b"IF TRUE THEN ",
    b" ELSE ", b"CASE ", b" [] ", b"OTHER -> ", b"->", b"|->", b":>", b"@@", b"!", b"!:",
    b"!1!2", b"MODULE", b"---- MODULE M ----\n", b"\n====\n", b"INSTANCE ", b"WITH x <- ",
    b"EXTENDS ", b"EXTENDS Nope\n", b"CONSTANT ", b"VARIABLE ", b"RECURSIVE F(_)\n", b"LOCAL ",
    b"ASSUME ", b"THEOREM ", b"PROOF ", b"BY ", b"OBVIOUS", b"<1>1. ", b"QED", b"LAMBDA x : ",
    b"CHOOSE x \\in S : ", b"SUBSET ", b"UNION ", b"DOMAIN ", b"ENABLED ", b"UNCHANGED ",
    b"WF_vars(", b"SF_", b"<>", b"~>", b"-+->", b"\\cdot", b"\\o", b"\\X", b"..", b"\\in",
    b"\\notin", b"\\subseteq", b"\\div", b"%", b"^", b"0x1F", b"\\b101", b"\\o17", b"\\h1F",
    b"1.5", b'"', b'"\\', b"\\", b"9" * 5000, b"\x00", b"\t", b"\r\n", b"\xff", b"\xc3",
    b"\xe2\x88\x80", b"\xe2\x89\x9c", b"\xe2\x9f\xa8", b"Nat", b"Int", b"Real", b"STRING",
    b"BOOLEAN", b"TRUE", b"Seq(", b"Len(", b"Cardinality(", b"Print(", b"Assert(FALSE, ",
]
TLA_NESTS = [(b"(", b")"), (b"{", b"}"), (b"<<", b">>"), (b"[x \\in S |-> ", b"]"),
             (b"IF TRUE THEN ", b" ELSE 0"), (b"~", b""), (b"LET a == 1 IN ", b"")]
CFG_TOKENS = [
    b"CONSTANT ", b"CONSTANTS\n", b"INIT ", b"NEXT ", b"SPECIFICATION ", b"INVARIANT ",
    b"INVARIANTS ", b"PROPERTY ", b"PROPERTIES ", b"CONSTRAINT ", b"ACTION_CONSTRAINT ",
    b"SYMMETRY ", b"VIEW ", b"CHECK_DEADLOCK ", b"ALIAS ", b"POSTCONDITION ", b" = ", b" <- ",
    b"<-[", b"[", b"]", b"{", b"}", b"<<", b">>", b",", b"(", b")", b"(_, _)", b"(*", b"*)",
    b"\\*", b'"', b'"a\\"b"', b"\\", b"-", b"-0", b"9" * 5000, b"_", b"TRUE", b"FALSE",
    b"\x00", b"\xff", b"\r", b"\t", b"\n",
]
CFG_NESTS = [(b"{", b"}"), (b"<<", b">>"), (b"(*", b"*)")]


NESTS = [(b"[", b"]"), (b"{:k ", b"}"), (b'{"k":', b"}"), (b"#{", b"}")]


@st.composite
def mutated(draw: st.DrawFn, sources: list[bytes], max_mutations: int = 4,
            tokens: list[bytes] = TOKENS, nests: list[tuple[bytes, bytes]] = NESTS) -> bytes:
    """One seed with up to ``max_mutations`` random edits; ``tokens`` are the special tokens
    to insert and ``nests`` the (opener, closer) pairs to nest a span in."""
    data = bytearray(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(0, max_mutations))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "token", "delete",
                                     "duplicate", "nest"]))
        if kind == "truncate":
            del data[where:]
        elif kind == "flip" and where < len(data):
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "token":
            data[where:where] = draw(st.sampled_from(tokens))
        elif kind == "delete":
            del data[where:where + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            data[where:where] = data[where:where + draw(st.integers(1, 200))]
        elif kind == "nest":
            depth = draw(st.integers(1, 300))
            opener, closer = draw(st.sampled_from(nests))
            end = draw(st.integers(where, len(data)))
            data[end:end] = closer * depth
            data[where:where] = opener * depth
    return bytes(data)


def text_of(data: bytes) -> str:
    """The text a reader would get: invalid UTF-8 replaced (file reading is tested apart)."""
    return data.decode("utf-8", errors="replace")


_TMP = tempfile.mkdtemp(prefix="refute-fuzz-")


def as_file(data: bytes, suffix: str) -> str:
    """``data`` written to a scratch file (the same path each time: examples run in turn)."""
    path = os.path.join(_TMP, "input" + suffix)
    with open(path, "wb") as handle:
        handle.write(data)
    return path
