"""The one source of every choice a simulated run makes, and the fault settings it draws from.

A run's **schedule** is a list of numbers in ``[0, 1)``, its *genes*: the simulation asks the
:class:`Chooser` for a number at every decision (a message's delay, whether it is lost or
duplicated, whether a node crashes here, how long it stays down, the implementation's own
``random()`` calls) and the Chooser hands out the genes in order, drawing fresh ones from
``random.Random(seed)`` past the end of the list. So:

* a run is a function of ``(seed, genes)``; with no genes, of its seed alone;
* replaying the recorded genes replays the run exactly, whatever the seed;
* changing a few genes changes a few decisions and keeps the rest, which is what the guided
  strategy's mutations rely on (ModelFuzz mutates schedules the same way), and setting a
  fault's gene to :data:`NO_FAULT` removes that one fault, which is how a reproduction is
  shrunk.

Each decision consumes exactly one gene, whatever its outcome, so that editing one decision
does not shift the meaning of the ones after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

NO_FAULT = 0.999999
"""A gene that makes every ``chance`` decision come out false: no loss, duplicate or crash."""


@dataclass(frozen=True)
class Faults:
    """What the network and the nodes may suffer in a run, as probabilities per decision.

    ``loss``/``duplicate``: per message. ``crash``: per crash point of a crashable node (each
    message it sends and each event it traces). ``delay``: a message's latency range in
    virtual seconds (different latencies reorder messages); ``restart``: how long a crashed
    node stays down. ``max_crashes`` bounds the crashes of a run.
    """

    loss: float = 0.02
    duplicate: float = 0.02
    crash: float = 0.01
    delay: tuple[float, float] = (0.01, 1.0)
    restart: tuple[float, float] = (0.5, 3.0)
    max_crashes: int = 2

    def swarm(self, rng: random.Random) -> Faults:
        """A swarm-testing variant (Groce et al., 2012): each fault kind on or off at random,
        and the enabled ones at a random fraction of up to twice their rate."""
        def pick(rate: float) -> float:
            return 0.0 if rng.random() < 0.5 else rate * 2 * rng.random()

        low, high = self.delay
        return replace(self, loss=pick(self.loss), duplicate=pick(self.duplicate),
                       crash=pick(self.crash), delay=(low, low + (high - low) * rng.random()))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        """The inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
        if not isinstance(data, dict) or set(data) != set(cls().to_json()):
            raise ValueError(f"expected the keys {', '.join(cls().to_json())}")
        return cls(float(data["loss"]), float(data["duplicate"]), float(data["crash"]),
                   _pair(data["delay"]), _pair(data["restart"]), int(data["max_crashes"]))

    def to_json(self) -> dict[str, Any]:
        return {"loss": self.loss, "duplicate": self.duplicate, "crash": self.crash,
                "delay": list(self.delay), "restart": list(self.restart),
                "max_crashes": self.max_crashes}


def _pair(value: Any) -> tuple[float, float]:
    low, high = value
    return float(low), float(high)


@dataclass
class Decision:
    """One decision of a run, for reports: what was decided, at which gene, and the outcome."""

    gene: int
    kind: str
    outcome: Any
    fault: bool = False


@dataclass
class Chooser:
    """Hands out a run's genes in order (see the module docstring)."""

    seed: int
    genes: list[float] = field(default_factory=list)
    used: int = 0
    decisions: list[Decision] = field(default_factory=list)
    chances: list[int] = field(default_factory=list)
    """The genes that decided a ``chance`` (fault or not): what a mutation may flip."""

    def __post_init__(self) -> None:
        self.genes = list(self.genes)
        self._fresh = random.Random(self.seed)

    def gene(self) -> float:
        if self.used < len(self.genes):
            value = self.genes[self.used]
        else:
            value = self._fresh.random()
            self.genes.append(value)
        self.used += 1
        return value

    def chance(self, kind: str, probability: float) -> bool:
        """True with ``probability``; a true outcome is a fault."""
        if probability <= 0.0:
            return False  # a fault kind turned off consumes no gene: it is no decision
        self.chances.append(self.used)
        outcome = self.gene() < probability
        if outcome:
            self.decisions.append(Decision(self.used - 1, kind, True, fault=True))
        return outcome

    def uniform(self, kind: str, low: float, high: float) -> float:
        return low + (high - low) * self.gene()

    def schedule(self) -> list[float]:
        """The genes this run consumed: replaying them replays the run."""
        return self.genes[:self.used]


class ScheduledRandom(random.Random):
    """A ``random.Random`` whose numbers are genes of the run's schedule.

    Handed to the implementation (``node.random``) so that its own random choices (election
    timeouts, backoff jitter) are part of the schedule: replayed, and mutated by the guided
    strategy like any other decision.
    """

    def __init__(self, chooser: Chooser) -> None:
        self._chooser = chooser
        super().__init__(0)

    def random(self) -> float:
        return self._chooser.gene()

    def getrandbits(self, k: int) -> int:
        # randrange/choice/shuffle draw bits: up to 53 of them from each gene.
        bits = 0
        while k > 0:
            take = min(k, 53)
            bits = (bits << take) | int(self._chooser.gene() * (1 << take))
            k -= take
        return bits

    def seed(self, *args: Any, **kwargs: Any) -> None:
        """Seeding is the schedule's business; ignored (``random.Random.__init__`` calls it)."""
