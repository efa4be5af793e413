"""Whether refute runs on its C extensions or on their pure-Python twins, and how to say so.

refute's hot paths are small C extensions compiled at install time (``setup.py``): state
fingerprints (``engine/_fingerprint.c``), the fingerprint sets and the sequential search's
per-successor loop (``engine/_fpset.c``), the set shared by ``--workers``
(``engine/_shared_seen.c``), ``Record(...)``, ``Record.update`` and ``FrozenMap.set``
(``_values.c``), and the calls of a Python spec's actions (``spec/_dispatch.c``). Each
has a pure-Python twin that gives the same answers, so an install without a C compiler works,
but runs about ten times slower (TwoPhase 6: 22.3 s against 2.2 s): a user must hear it, once
per run (:func:`note`, printed by every command), in ``refute --version`` and in every JSON
result (``"implementation"``), rather than wonder why refute is slow.

The extensions are imported here directly (not through the modules that use them, some of
which import numpy), so that ``refute --version`` stays fast.
"""

from __future__ import annotations

import importlib

__all__ = ["IMPLEMENTATION", "MISSING", "describe", "note"]

EXTENSIONS = ("refute.engine._fingerprint", "refute.engine._fpset",
              "refute.engine._shared_seen", "refute._values", "refute.spec._dispatch")


def _missing() -> tuple[str, ...]:
    missing = []
    for name in EXTENSIONS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return tuple(missing)


MISSING: tuple[str, ...] = _missing()
"""The C extensions that are not built (their pure-Python twins stand in)."""

IMPLEMENTATION = "python" if MISSING else "c"
"""``"c"``: every C extension is built; ``"python"``: at least one runs as pure Python."""


def describe() -> str:
    """One phrase for ``refute --version``."""
    if not MISSING:
        return "C extensions built"
    return f"pure Python: {len(MISSING)} of {len(EXTENSIONS)} C extensions not built, about 10x slower"


def note() -> str | None:
    """The warning printed once per run when refute runs as pure Python (else None)."""
    if not MISSING:
        return None
    return (f"note: refute is running as pure Python ({', '.join(MISSING)} not built): "
            "about 10x slower. Install a C compiler and the Python headers (e.g. apt-get install "
            "gcc python3-dev) and reinstall refute (pip install -e .).")
