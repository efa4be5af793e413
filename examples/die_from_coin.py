"""A fair die from a fair coin: Knuth and Yao's algorithm (1976), a performance model.

Toss a coin and walk a binary tree: three tosses reach a face (six leaves out of eight),
and the two leaves left over loop back one level up, so a run may toss for ever but does so
with probability 0. ``refute perf`` computes, exactly, what the algorithm costs::

    refute perf examples/die_from_coin.py

each face has probability 1/6, a roll takes 11/3 tosses on average, 75% of rolls end
within 3 tosses and 99.9% within 11 (these are FizzBee's published figures for the same
algorithm). Without a side file every outcome of a toss is equally likely: a fair coin.
``refute check`` finds no deadlock: a face is a terminal state.
"""

from refute import Spec, State, action, invariant, outcome, terminal

# node -> (next node on heads, next node on tails); a face is a number 1..6.
TREE = {"s0": ("s1", "s2"), "s1": ("s3", "s4"), "s2": ("s5", "s6"),
        "s3": ("s1", 1), "s4": (2, 3), "s5": (4, 5), "s6": (6, "s2")}


class DieFromCoin(Spec):
    def init(self):
        return State(node="s0", face=0)

    @action
    def toss(self, s):
        if s.face == 0:
            for side, target in zip(("heads", "tails"), TREE[s.node]):
                if isinstance(target, int):
                    yield outcome(side, s.update(node="done", face=target))
                else:
                    yield outcome(side, s.update(node=target))

    @terminal
    def rolled(self, s):
        return s.face != 0

    @invariant
    def face_is_a_die_face(self, s):
        return s.face in range(7)
