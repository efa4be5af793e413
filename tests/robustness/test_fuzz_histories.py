"""Fuzzing the history readers: Elle's (EDN, JSON, PolySI text) and the linearizability
checker's (EDN, JSON, Porcupine operations, etcd logs, kv), from text and from files.

Every mutated input is read, or refused with a :class:`InputError` that names the file and,
when the problem is at a place in it, the line; nothing else may escape.
"""

from __future__ import annotations

import pytest
from _fuzz import FUZZ, LONG, as_file, mutated, seeds, text_of
from hypothesis import given
from hypothesis import strategies as st

from refute.errors import InputError
from refute.history import formats
from refute.linearize import history as linear

ELLE = seeds("isolation/elle/paper-example.edn", "isolation/elle/paper-example.json",
             "isolation/elle/rw-register.edn", "isolation/elle/rw-register.json",
             "isolation/elle/list-append-gh-30.edn", "isolation/elle/si-without-g-single.edn",
             "isolation/elle/huge-scc.edn", "isolation/polysi.txt")
PORCUPINE = seeds("linearizability/porcupine/jepsen/etcd_000.log",
                  "linearizability/porcupine/jepsen/etcd_001.log",
                  "linearizability/porcupine/kv/c01-ok.txt",
                  "linearizability/porcupine/kv/c10-bad.txt",
                  "linearizability/porcupine/ops.json",
                  "linearizability/porcupine/events.json")


def _refused(error: InputError, file: str) -> None:
    assert error.file == file, error
    assert error.message and error.hint, error
    assert "Traceback" not in str(error)


def check_elle(data: bytes, format: str | None) -> None:
    try:
        formats.parse_history(text_of(data), "fuzz.edn", format)
    except InputError as error:
        _refused(error, "fuzz.edn")


def check_linear(data: bytes, format: str, independent: bool) -> None:
    try:
        linear.parse(text_of(data), format, file="fuzz.edn", independent=independent)
    except InputError as error:
        _refused(error, "fuzz.edn")


@FUZZ
@given(mutated(ELLE), st.sampled_from([None, "edn", "json", "text"]))
def test_mutated_elle_histories_are_read_or_refused(data: bytes, format: str | None) -> None:
    check_elle(data, format)


@FUZZ
@given(mutated(PORCUPINE + ELLE[:2]), st.sampled_from(["auto", "edn", "json", "etcd-log"]),
       st.booleans())
def test_mutated_linearizability_histories_are_read_or_refused(
        data: bytes, format: str, independent: bool) -> None:
    check_linear(data, format, independent)


@FUZZ
@given(mutated(ELLE[:3] + PORCUPINE[:3], max_mutations=2))
def test_history_files_with_any_bytes_are_read_or_refused(data: bytes) -> None:
    """From a file: invalid UTF-8 too."""
    path = as_file(data, ".edn")
    for read in (formats.read_history, linear.read_history):
        try:
            read(path)
        except InputError as error:
            _refused(error, path)


@pytest.mark.slow
@LONG
@given(mutated(ELLE + PORCUPINE, max_mutations=12), st.booleans())
def test_mutated_histories_long(data: bytes, independent: bool) -> None:
    check_elle(data, None)
    check_linear(data, "auto", independent)


def test_unreadable_paths_are_input_errors(tmp_path) -> None:
    for path in (tmp_path, tmp_path / "missing.edn"):
        for read in (formats.read_history, linear.read_history):
            with pytest.raises(InputError):
                read(path)
