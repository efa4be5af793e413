"""One way in for every front end: a :class:`Source` names a spec, :func:`load_model` loads it.

Every command that takes a spec (``check``, ``simulate``, ``explore``, ``trace``, ``testgen``,
``permissiveness``, ...) loads it here, so a command written for one front end works for all
of them. Front ends are found by the spec file's suffix in :data:`FRONT_ENDS`, a table of
``"module:function"`` names imported only when a spec of that kind is loaded (as the command
table in :mod:`refute.cli` is): checking a Python spec never imports the TLA+ parser, and a new
front end is one line here plus its own package.

A loader function takes ``(source)`` and returns a :class:`~refute.engine.model.Model`. It
refuses, with a :class:`~refute.errors.UsageError`, options that mean nothing for its kind of
spec (``--config`` for a Python spec, ``-p`` for a TLA+ spec), rather than ignoring them.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, NamedTuple

from refute.errors import UsageError

if TYPE_CHECKING:
    from refute.engine.model import Model

FRONT_ENDS: dict[str, str] = {
    ".py": "refute.spec.loader:load_source",
    ".tla": "refute.tla.model:load_source",
}
"""File suffix -> ``"module:function"`` of the loader for that kind of spec."""


class Source(NamedTuple):
    """The arguments a spec is loaded from, kept to load it again: each Ray actor does
    (:mod:`refute.engine.ray_explorer`), and a checkpoint records them for ``--resume``
    (:mod:`refute.engine.checkpoint`). Every one is needed for the same model: a TLA+ spec
    that reads a data file cannot be loaded without its ``--allow-read``. Relative paths are
    relative to the working directory of the process given them.

    ``spec`` is a path, for a Python spec optionally followed by ``:ClassName``.
    """

    spec: str
    params: tuple[str, ...] = ()
    config: str | None = None
    allow_read: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The spec's file, without a ``:ClassName`` suffix."""
        path, sep, name = self.spec.rpartition(":")
        if sep and name.isidentifier() and not os.path.exists(self.spec):
            return path
        return self.spec

    @property
    def kind(self) -> str:
        """The suffix that chooses the front end (``.py``, ``.tla``)."""
        return os.path.splitext(self.path)[1].lower()

    def load(self) -> Model:
        return load_model(self)

    def under(self, directory: str) -> Source:
        """The same, with relative paths resolved against ``directory``."""
        return self._replace(spec=os.path.join(directory, self.spec),
                             config=self.config and os.path.join(directory, self.config),
                             allow_read=tuple(os.path.join(directory, p) for p in self.allow_read))


def load_model(source: Source | str) -> Model:
    """The Model for ``source`` (a :class:`Source`, or just a spec path), by its file type."""
    if isinstance(source, str):
        source = Source(source)
    loader = FRONT_ENDS.get(source.kind)
    if loader is None:
        kinds = ", ".join(sorted(FRONT_ENDS))
        raise UsageError(f"{source.path!r} is not a spec refute can read (it reads {kinds} files)",
                         hint="give a Python spec (spec.py or spec.py:ClassName) or a TLA+ "
                              "module (Spec.tla, with Spec.cfg beside it or --config)")
    if not os.path.isfile(source.path):
        raise UsageError(f"no spec file {source.path!r}",
                         hint="check the path; a Python spec may be followed by :ClassName")
    module_name, _, function = loader.partition(":")
    return getattr(importlib.import_module(module_name), function)(source)
