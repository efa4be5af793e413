"""The pytest entry: run a target for N seeds as one test, failing with the reproduction.

::

    from refute.testing import assert_conforms, load_target

    def test_commit_conforms():
        assert_conforms(load_target("examples/impl/commit.py"), runs=50)

A failure's message is ``refute fuzz``'s reproduction: the seed, the faults, the
implementation's events and the spec state where they diverged, with the steps the spec
allowed there. The same seed gives the same runs, so the test is deterministic.
"""

from __future__ import annotations

from refute.testing.campaign import Campaign, fuzz
from refute.testing.report import reproduction
from refute.testing.target import Target


class ImplementationBug(AssertionError):
    """A run of the implementation left its spec (or raised); the message reproduces it."""

    def __init__(self, campaign: Campaign, message: str) -> None:
        super().__init__(message)
        self.campaign = campaign


def assert_conforms(target: Target, runs: int = 50, seed: int = 0,
                    strategy: str = "guided") -> Campaign:
    """Run ``runs`` simulations of ``target`` (a campaign of ``strategy``); raise
    :class:`ImplementationBug` with the reproduction if one leaves the spec."""
    model = target.model()
    campaign = fuzz(target, strategy, runs, seed, model)
    if campaign.reproduction is not None:
        raise ImplementationBug(campaign, "\n".join(
            [f"{target.name}: run {campaign.first_bug} of {runs} ({strategy}, seed {seed}) "
             "left the spec"] + reproduction(campaign, model)))
    return campaign
