"""The verdict every refute command ends with: the JSON ``status`` and the exit code.

These strings and numbers are a contract that CI scripts and other tools rely on; extend the
enum compatibly, never renumber it.
"""

from __future__ import annotations

import enum


class Status(enum.Enum):
    """What a run established. The value is the JSON ``status`` string."""

    OK = "ok"
    VIOLATION = "violation"
    INCOMPLETE = "incomplete"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        """0 holds, 1 violation, 2 usage or input error, 3 incomplete (never 'holds')."""
        return _EXIT_CODES[self]

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_EXIT_CODES = {Status.OK: 0, Status.VIOLATION: 1, Status.ERROR: 2, Status.INCOMPLETE: 3}
_EXPLANATIONS = {
    Status.OK: "every property holds in every reachable state",
    Status.VIOLATION: "a property is violated",
    Status.INCOMPLETE: "the run stopped early: no violation found, but none is ruled out either",
    Status.ERROR: "the run could not be carried out",
}
