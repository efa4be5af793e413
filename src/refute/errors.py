"""The errors refute reports to a person, and the one rule they share.

Every error that reaches a user says *where* (file, line, column when known), *what* went
wrong, and *what to do about it*. The command line prints them without a traceback and exits
with the code of their :attr:`RefuteError.status` (2, or 3 for a run that broke off, such as
a parallel worker lost: nothing was found wrong with the input); the library raises them so
that tests and notebooks can catch them.

    RefuteError                 anything refute reports instead of a traceback
     ├── UsageError             bad command-line options or API arguments
     ├── InputError             a file refute reads (history, log, .tla, .cfg) is malformed
     └── SpecError              a Python spec failed: import, action, invariant, state value
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any, ClassVar

from refute.status import Status


@dataclass(eq=False)
class RefuteError(Exception):
    """An error with a location and a fix, rendered as one readable block.

    ``message`` says what went wrong; ``hint`` what to do about it; ``file``/``line``/
    ``column`` where (any may be unknown); ``detail`` carries extra context such as the state
    in which an action raised, printed after the message. ``status`` is the verdict of a
    command this error ends (``error``, exit code 2, unless a subclass says otherwise).
    """

    status: ClassVar[Status] = Status.ERROR

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def location(self) -> str | None:
        if self.file is None:
            return None
        parts = [str(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        lines = [head]
        if self.detail:
            lines.append(self.detail)
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
            "detail": self.detail,
        }


class UsageError(RefuteError):
    """Bad command-line options or API arguments."""


class InputError(RefuteError):
    """A file refute reads is malformed; the location points into that file."""


class Hinted:
    """A mixin for the exceptions refute's own values raise inside a spec's code when they
    know what went wrong (a record updated with a field it does not have): the report shows
    their ``hint`` instead of the generic one about fixing or guarding the action."""

    hint: str = ""


class SpecError(RefuteError):
    """A Python spec failed; the location points into the spec's source."""

    @classmethod
    def from_exception(cls, exc: BaseException, doing: str, state: Any = None,
                       source: str | None = None) -> SpecError:
        """Report an exception raised by the user's code while refute was ``doing`` something.

        The location is the innermost frame outside refute's own package (the user's line);
        the state it happened in is shown so that the user can reproduce it.
        """
        file, line = source, None
        for frame in traceback.extract_tb(exc.__traceback__):
            if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
                file, line = frame.filename, frame.lineno
        hint = exc.hint if isinstance(exc, Hinted) and exc.hint else \
            "fix the spec, or guard the action so that it is not enabled in this state"
        return cls(f"{doing} raised {type(exc).__name__}: {exc}", file=file, line=line,
                   detail=None if state is None else f"in state: {state!r}", hint=hint)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
