"""Checkpoints of the compiled backend's search (``--checkpoint DIR``, ``--resume DIR``).

The native search (runtime/checkpoint.c) writes what it needs to go on: counts, coverage
counters, parent links, the seen set and the frontier, at an instant between two expansions.
This module puts a header before it that says what the checkpoint belongs to, and puts the
file in place atomically.

One file, ``DIR/compiled.ckpt``: a magic line, one line of JSON (:class:`Header`), then the
native body (ending with its own checksum). It is written as ``compiled.ckpt.partial``,
synced, and renamed over the previous one, so a run killed at any instant (kill -9 in the
middle of a write) leaves the last complete checkpoint in place.

A checkpoint is resumed only by the run it belongs to (:class:`Identity`): the same model
(the build cache's key covers the generated code, hence the spec, its modules, the
configuration and the constants), the same version of refute, and the same search (the
invariants checked, deadlock, ``--max-depth``); ``--max-states`` and ``--time-limit`` may
differ, since they only say where a run stops (``--time-limit`` counts the time of the runs
resumed as well, as the interpreter's checkpoints do). Anything else is refused, located at
the file, before the search starts.

The interpreter's checkpoints (:mod:`refute.engine.checkpoint`: a level-boundary snapshot of
the sharded search, with pickled states) and these are not interchangeable: each backend
resumes its own, and ``refute check`` refuses to resume one with the other backend.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from refute.errors import UsageError

FILE = "compiled.ckpt"
MAGIC = b"refute compiled checkpoint\n"
FORMAT = 1
"""Changed when a checkpoint of the previous one cannot be resumed."""


@dataclass(frozen=True)
class Identity:
    """What a checkpoint belongs to: the model and the search that must be resumed alike."""

    spec: str                      # the model's name
    build: str                     # the build cache's key (refute.compiled.native.Native)
    refute: str                    # refute's version
    invariants: tuple[str, ...]    # the invariants checked, in the model's order
    deadlock: bool
    max_depth: int | None


@dataclass
class Header:
    """The JSON line of a checkpoint file."""

    identity: Identity
    source: tuple[str, tuple[str, ...], str | None, tuple[str, ...]] | None
    """How to load the spec again (a :class:`~refute.sources.Source`'s fields, absolute
    paths); None: the model was built in the process."""
    max_states: int | None = None  # the bounds of the run that wrote it, for --resume
    time_limit: float | None = None
    distinct: int = 0
    generated: int = 0
    depth: int = 0
    seconds: float = 0.0           # the time of the run and of the runs it resumed
    why: str = "periodic"          # periodic, or the stop it was written at
    format: int = FORMAT


@dataclass(frozen=True)
class Plan:
    """A run's checkpoints: written into ``directory`` (None: none) every ``interval``
    seconds and where it stops, after starting from the one in ``resume`` (None: from the
    initial states). ``source``: how the spec was loaded, recorded for ``--resume``."""

    directory: str | None
    interval: float = 300.0
    resume: str | None = None
    source: Any = None


def recorded(source: Any) -> tuple | None:
    """A :class:`~refute.sources.Source`'s fields with absolute paths (a resumed run may
    start in another directory), for :attr:`Header.source`."""
    if source is None:
        return None
    path = source.path
    return (os.path.abspath(path) + source.spec[len(path):], tuple(source.params),
            None if source.config is None else os.path.abspath(source.config),
            tuple(os.path.abspath(p) for p in source.allow_read))


def path_of(directory: str) -> str:
    return os.path.join(directory, FILE)


def holds(directory: str) -> bool:
    """Whether ``directory`` holds a compiled backend's checkpoint."""
    return os.path.exists(path_of(directory))


def read(directory: str) -> tuple[Header, int]:
    """The header of the checkpoint in ``directory`` and the offset of its native body."""
    path = path_of(directory)
    try:
        with open(path, "rb") as handle:
            magic = handle.readline()
            line = handle.readline(1 << 20) if magic == MAGIC else b""
            offset = handle.tell()
    except OSError as exc:
        raise UsageError(f"cannot read the checkpoint: {exc.strerror}", file=path,
                         hint="give the directory a run with --checkpoint wrote") from None
    try:
        fields = json.loads(line)
        recorded_identity = fields.pop("identity")
        identity = Identity(**{**recorded_identity,
                               "invariants": tuple(recorded_identity["invariants"])})
        source = fields.pop("source")
        header = Header(identity=identity, source=None if source is None else (
            source[0], tuple(source[1]), source[2], tuple(source[3])), **fields)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise UsageError("not a checkpoint of refute's compiled backend, or a damaged one",
                         file=path, hint="run the check again from the start (without "
                                         "--resume)") from None
    if header.format != FORMAT:
        raise UsageError("the checkpoint was written by another version of refute", file=path,
                         hint="run the check again from the start (without --resume)")
    return header, offset


_WHAT = {"spec": "the spec", "refute": "refute's version", "invariants": "the invariants checked",
         "deadlock": "deadlock checking", "max_depth": "--max-depth"}


def refuse_other(directory: str, header: Header, identity: Identity) -> None:
    """Raise a located error unless the checkpoint belongs to ``identity``."""
    hint = ("resume with what the checkpointed run had (refute check --resume DIR alone "
            "takes it from the checkpoint), or run again without --resume")
    if header.identity.build != identity.build:
        raise UsageError("the checkpoint belongs to another model: the spec, its modules, "
                         "configuration or constants differ from the checkpointed run's (or "
                         "another compiler built it)", file=path_of(directory), hint=hint)
    for name, what in _WHAT.items():
        mine, theirs = getattr(identity, name), getattr(header.identity, name)
        if mine != theirs:
            raise UsageError(f"the checkpoint belongs to another run: {what}: {_shown(theirs)} "
                             f"in the checkpoint, {_shown(mine)} in this run",
                             file=path_of(directory), hint=hint)


def refuse_spent(directory: str, header: Header, max_states: int | None,
                 time_limit: float | None) -> None:
    """Raise a usage error if a bound of the resumed run was reached before it starts."""
    if max_states is not None and max_states <= header.distinct:
        raise UsageError(f"the checkpointed run has {header.distinct:,} states already: "
                         f"--max-states {max_states} leaves nothing to explore",
                         file=path_of(directory), hint="give a larger --max-states to go on")
    if time_limit is not None and time_limit <= header.seconds:
        raise UsageError(f"the checkpointed runs took {header.seconds:.1f} s already: "
                         f"--time-limit {time_limit:g} (which counts them) leaves no time",
                         file=path_of(directory), hint="give a larger --time-limit to go on")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


class Writer:
    """Writes the native search's checkpoints into ``directory`` (the C side calls it when
    one is due; :meth:`write` at a stop)."""

    def __init__(self, directory: str, header: Header, native: Any, elapsed_before: float) -> None:
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.header = header
        self.native = native
        self.elapsed_before = elapsed_before
        self.started = time.perf_counter()
        self.error: OSError | None = None
        self.written = 0

    def due(self, _why: int) -> int:
        """The C side's callback: 0 written, 1 not (:attr:`error` says why)."""
        try:
            self.write("periodic")
        except OSError as exc:
            self.error = exc
            return 1
        return 0

    def write(self, why: str) -> str:
        counts = self.native.counts()
        header = self.header
        header.distinct, header.generated = counts["distinct"], counts["generated"]
        header.depth = self.native.checkpoint_depth()
        header.seconds = self.elapsed_before + time.perf_counter() - self.started
        header.why = why
        final = path_of(self.directory)
        partial = final + ".partial"
        line = json.dumps({**asdict(header), "identity": asdict(header.identity)})
        with open(partial, "wb") as handle:
            handle.write(MAGIC + line.encode() + b"\n")
        if not self.native.write_checkpoint(partial):
            raise OSError(f"cannot write {partial}")
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, final)
        directory_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)
        self.written += 1
        return final
