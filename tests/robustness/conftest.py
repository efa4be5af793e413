"""The robustness suite: fuzzed readers, reading-is-not-running, honest verdicts, limits."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # for the shared strategies in _fuzz.py
