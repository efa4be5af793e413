"""Fuzzing the EDN reader: both its bulk path and its general path.

Every mutated input is either read, identically by both paths, or refused with a located
:class:`InputError`; never another exception, a hang or a crash of the interpreter.
"""

from __future__ import annotations

import pytest
from _fuzz import FUZZ, LONG, mutated, seeds, text_of
from hypothesis import given

from refute.readers.edn import parse_all
from refute.errors import InputError

SEEDS = seeds("isolation/elle/paper-example.edn", "isolation/elle/list-append-gh-30.edn",
              "isolation/elle/rw-register.edn", "isolation/elle/huge-scc.edn",
              "isolation/elle/si-without-g-single.edn",
              "linearizability/porcupine/kv/c01-ok.txt",
              "linearizability/porcupine/jepsen/etcd_000.log")


def _read(text: str, fast: bool) -> tuple[str, object]:
    try:
        forms = parse_all(text, "fuzz.edn", {}, fast=fast)
    except InputError as error:
        assert error.file == "fuzz.edn" and error.line and error.column, error
        assert error.message.startswith("invalid EDN: ") and error.hint, error
        return "error", (error.line, error.column, error.message)
    return "read", _typed(forms)


def _typed(value: object) -> object:
    """A value with its types spelled out (a keyword and a string are equal in Python)."""
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [_typed(v) for v in value])
    if isinstance(value, frozenset):
        # Sorted by the repr of each typed element, not the repr of reprs (which grows
        # exponentially with nesting: #{#{#{...}}} 35 deep exhausted 24 GB).
        return ("set", sorted((_typed(v) for v in value), key=repr))
    if isinstance(value, dict):
        return ("map", [(_typed(k), _typed(v)) for k, v in value.items()])
    return (type(value).__name__, repr(value))


def check(data: bytes) -> None:
    text = text_of(data)
    bulk, general = _read(text, fast=True), _read(text, fast=False)
    assert bulk == general


@FUZZ
@given(mutated(SEEDS))
def test_mutated_edn_is_read_alike_or_refused(data: bytes) -> None:
    check(data)


@pytest.mark.slow
@LONG
@given(mutated(SEEDS, max_mutations=12))
def test_mutated_edn_long(data: bytes) -> None:
    check(data)


@pytest.mark.parametrize("text", [
    "1" * 5000, "[" + "1" * 5000 + "N]", "1/0", "{:a -4/0}", "1" * 5000 + "/3",
    "[" * 101 + "]" * 101, "{:a " * 101 + "1" + "}" * 101, "[" * 1_000_000,
    "[" * 1_000_000 + "]" * 1_000_000, "#{" * 200 + "}" * 200, "::" + "a" * 10_000,
])
def test_known_crashers_are_located_errors(text: str) -> None:
    """Inputs that once raised ValueError, ZeroDivisionError or crashed the interpreter."""
    for fast in (True, False):
        with pytest.raises(InputError) as caught:
            parse_all(text, "x.edn", fast=fast)
        assert caught.value.line == 1 and caught.value.column
        assert len(str(caught.value)) < 400  # a huge token is clipped, not echoed whole


def test_nesting_up_to_the_limit_is_read() -> None:
    from refute._nesting import MAX_DEPTH
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_all(text) == parse_all(text, fast=False)
