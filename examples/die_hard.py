"""Die Hard 3's water-jug puzzle, the first spec of Lamport's TLA+ video course.

McClane and Zeus have a 5-gallon and a 3-gallon jug and must measure out exactly 4 gallons to
stop a bomb. Stating "the big jug never holds 4 gallons" as an invariant and letting the
checker refute it yields the solution as the counterexample: the shortest one has 6 steps.

Port of DieHard.tla (tlaplus/Examples, specifications/DieHard); the actions are in the same
order as its Next, so the counts when the violation is found match TLC's (14 distinct states,
73 generated).

    refute check examples/die_hard.py
"""

from refute import Spec, State, action, invariant


class DieHard(Spec):
    def __init__(self, big_capacity: int = 5, small_capacity: int = 3, goal: int = 4):
        self.big_capacity = big_capacity
        self.small_capacity = small_capacity
        self.goal = goal

    def init(self):
        return State(big=0, small=0)

    @action
    def fill_small(self, s):
        return s.update(small=self.small_capacity)

    @action
    def fill_big(self, s):
        return s.update(big=self.big_capacity)

    @action
    def empty_small(self, s):
        return s.update(small=0)

    @action
    def empty_big(self, s):
        return s.update(big=0)

    @action
    def pour_small_into_big(self, s):
        poured = min(s.small, self.big_capacity - s.big)
        return s.update(big=s.big + poured, small=s.small - poured)

    @action
    def pour_big_into_small(self, s):
        poured = min(s.big, self.small_capacity - s.small)
        return s.update(big=s.big - poured, small=s.small + poured)

    @invariant
    def type_ok(self, s):
        return 0 <= s.small <= self.small_capacity and 0 <= s.big <= self.big_capacity

    @invariant
    def big_is_not_4(self, s):
        """Violated as soon as the big jug holds the goal: the counterexample is the solution."""
        return s.big != self.goal
