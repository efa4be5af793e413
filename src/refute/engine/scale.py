"""How a search is spread over processes and memory: :class:`Scale`.

Kept apart from the explorers that read it (:mod:`.parallel`, :mod:`.ray_explorer`,
:mod:`.checkpoint`) so that choosing a strategy (:mod:`.run`) imports none of them until one
is needed. None of these settings changes a result: counts and counterexamples are the same
for any number of workers, with or without spilling, checkpoints or Ray.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from refute.engine.model import ModelSource


@dataclass(frozen=True)
class Scale:
    """How to run the search: workers on this machine or Ray actors, memory, checkpoints.

    ``ray``: a Ray cluster's address (``"auto"``: connect to or start a local one), or None for
    processes on this machine. ``source`` is how to load the spec again (``--resume``, Ray),
    None for a model built in this process (``refute.check()`` of a Spec instance).
    """

    workers: int = 1
    memory_limit: int | None = None
    checkpoint: str | None = None
    checkpoint_interval: float = 300.0
    resume: str | None = None
    source: ModelSource | None = None  # how to load the spec again (--resume, --ray)
    spill_dir: str | None = None
    shared_fingerprints: bool = True  # one fingerprint set in shared memory, where possible
    ray: str | None = None
