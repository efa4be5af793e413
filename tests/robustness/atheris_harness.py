"""Coverage-guided fuzzing (atheris, libFuzzer) of the EDN reader and the .cfg reader.

Run by ``test_atheris.py`` for a bounded time, or by hand::

    python tests/robustness/atheris_harness.py edn -max_total_time=60 CORPUS_DIR

An input passes when it is read, or refused with a located :class:`InputError`; for EDN the
bulk and the general readers must also agree. Anything else (another exception, a crash of
the interpreter) is a finding: libFuzzer writes the input to ``crash-*`` and exits non-zero.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from refute.readers.edn import parse_all
    from refute.errors import InputError
    from refute.tla.config import parse_config


def _edn(text: str, fast: bool) -> tuple:
    try:
        return ("read", repr(parse_all(text, "fuzz.edn", {}, fast=fast)))
    except InputError as error:
        if not (error.file == "fuzz.edn" and error.line and error.column):
            raise AssertionError(f"an EDN error without a location: {error!r}") from None
        return ("error", error.line, error.column, error.message)


def fuzz_edn(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    bulk, general = _edn(text, fast=True), _edn(text, fast=False)
    if bulk != general:
        raise AssertionError(f"the bulk and general EDN readers disagree: {bulk!r} != "
                             f"{general!r}")


def fuzz_cfg(data: bytes) -> None:
    try:
        parse_config(data.decode("utf-8", errors="replace"), "fuzz.cfg")
    except InputError as error:
        if not (error.file == "fuzz.cfg" and error.line and error.column):
            raise AssertionError(f"a .cfg error without a location: {error!r}") from None


TARGETS = {"edn": fuzz_edn, "cfg": fuzz_cfg}


def main() -> None:
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
