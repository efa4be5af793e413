"""A target: an implementation under test, the spec it must follow, and the faults it faces.

A target file (what ``refute fuzz TARGET`` takes) is a Python file that defines ``TARGET``,
a :class:`Target` (another name with ``file.py:NAME``)::

    TARGET = Target(name="kv", spec="kv_spec.py", setup=setup,
                    params={"replicas": 3}, faults=Faults(loss=0.05), horizon=30.0)

``setup(sim)`` adds the nodes (``sim.node("n1", main)``); ``spec`` is resolved relative to
the target file and loaded with ``params`` through :mod:`refute.sources`, as ``refute check
SPEC -p NAME=VALUE`` would (so it may be a TLA+ module, with ``config``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from refute.conformance.validate import Options
from refute.engine.model import Model
from refute.errors import SpecError, UsageError
from refute.sources import Source, load_model
from refute.testing.schedule import Faults
from refute.testing.simulation import CrashEvents, Simulation


@dataclass(frozen=True)
class Target:
    """See the module docstring. ``options``: how events map to spec steps (hidden and
    stuttering actions, as ``refute trace --hidden/--stutter``); ``crash_events``: how
    crashes and restarts are reported to the spec (``None`` if it does not model them)."""

    name: str
    spec: str
    setup: Callable[[Simulation], Any]
    params: Mapping[str, Any] = field(default_factory=dict)
    faults: Faults = Faults()
    horizon: float = 60.0
    crash_events: CrashEvents | None = CrashEvents()
    options: Options = Options()
    config: str | None = None
    """For a TLA+ spec: its ``.cfg`` (relative to the target file), as ``--config``."""
    base: str = ""
    """The folder ``spec`` is relative to (set by :func:`load_target` to the target file's)."""

    def source(self) -> Source:
        """The spec as the loader names it: any front end's (a Python spec, a TLA+ module)."""
        source = Source(self.spec, tuple(f"{name}={_text(value)}"
                                         for name, value in self.params.items()), self.config)
        return source.under(self.base) if self.base else source

    def model(self) -> Model:
        """The spec, compiled to a :class:`~refute.engine.model.Model` by its front end."""
        return load_model(self.source())


def _text(value: Any) -> str:
    """A parameter as ``-p NAME=VALUE`` gives it (the front end converts it back)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def load_target(reference: str) -> Target:
    """The :class:`Target` of ``path.py[:NAME]`` (``NAME`` defaults to ``TARGET``)."""
    path, sep, name = reference.rpartition(":")
    if not sep or not name.isidentifier() or os.path.exists(reference):
        path, name = reference, "TARGET"
    if not os.path.isfile(path):
        raise UsageError(f"no target file {path!r}",
                         hint="give a .py file that defines TARGET = refute.testing.Target(...), "
                              "optionally followed by :NAME")
    absolute = os.path.abspath(path)
    module_name = ("refute_target_" + os.path.splitext(os.path.basename(path))[0] + "_"
                   + hashlib.sha1(absolute.encode()).hexdigest()[:12])
    module = sys.modules.get(module_name)
    if module is None:
        loader_spec = importlib.util.spec_from_file_location(module_name, absolute)
        if loader_spec is None or loader_spec.loader is None:
            raise UsageError(f"cannot import {path!r}", hint="give a Python source file")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[module_name] = module
        try:
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            raise SpecError.from_exception(exc, f"importing {path}", None, path) from None
    target = getattr(module, name, None)
    if not isinstance(target, Target):
        raise UsageError(f"{path} defines no Target named {name}",
                         hint="define TARGET = refute.testing.Target(name=..., spec=..., "
                              "setup=...), or name yours with path.py:NAME")
    return target if target.base else replace(target, base=os.path.dirname(absolute))
