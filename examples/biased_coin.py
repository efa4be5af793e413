"""A fair coin from a biased one: von Neumann's trick (1951), a performance model.

Toss the biased coin twice: heads-tails means heads, tails-heads means tails, and a pair of
equal tosses is thrown away. Both results have probability ``p(1-p)`` per pair, so the coin
is fair whatever the bias; the price is tosses. With a 0.9/0.1 coin (``biased_coin.perf.yaml``)
a pair differs with probability 0.18, so a fair toss takes ``2 / 0.18 = 100/9 ≈ 11.11``
tosses on average::

    refute perf examples/biased_coin.py
    refute perf examples/biased_coin.py --sweep heads=0.5:0.95:0.05 --csv coin.csv

Each toss is one step, with the outcome ``heads`` or ``tails``.
"""

from refute import Spec, State, action, outcome, terminal


class BiasedCoin(Spec):
    def init(self):
        return State(first=None, result=None)

    @action
    def toss(self, s):
        if s.result is None:
            for side in ("heads", "tails"):
                if s.first is None:
                    yield outcome(side, s.update(first=side))
                elif s.first == side:
                    yield outcome(side, s.update(first=None))  # equal pair: start again
                else:
                    yield outcome(side, s.update(result=s.first))

    @terminal
    def decided(self, s):
        return s.result is not None
