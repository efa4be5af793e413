"""The dining philosophers, Chandy and Misra's solution (forks are handed over, clean).

Five philosophers sit at a round table with a fork between each pair. A philosopher eats
holding both adjacent forks, both clean; eating dirties them; a philosopher holding a dirty
fork cleans it and hands it to the neighbour who shares it. ``exclusive_access``: neighbours
never eat at once. ``nobody_starves``: every philosopher eats again and again (TLA+'s
``\\A p: []<>~hungry[p]``), which needs each philosopher to be a *fair* process.

Port of DiningPhilosophers.tla (tlaplus/Examples, specifications/DiningPhilosophers), a
PlusCal algorithm, translated: one action per label (``loop``, ``eat``, ``think``) and the
``pc`` variable; ``fair process`` is weak fairness of each philosopher's three actions taken
together (``\\A self: WF_vars(Philosopher(self))``). With 5 philosophers TLC explores 67
distinct states (336 generated, depth 29) and ``NobodyStarves`` holds::

    refute check examples/dining_philosophers.py

Without fairness a philosopher may stop for good, and its neighbours starve::

    refute check examples/dining_philosophers.py -p fair=false
"""

from refute import Record, Spec, State, action, always_eventually, each, invariant, liveness, weak


class DiningPhilosophers(Spec):
    def __init__(self, philosophers: int = 5, fair: bool = True):
        self.np = philosophers
        self.philosophers = tuple(range(1, philosophers + 1))
        self.fairness = (weak("loop", "think", "eat", for_each="p"),) if fair else ()

    def left_fork(self, p):
        return p

    def right_fork(self, p):
        return 1 if p == self.np else p + 1

    def left_philosopher(self, p):
        return self.np if p == 1 else p - 1

    def right_philosopher(self, p):
        return 1 if p == self.np else p + 1

    def can_eat(self, s, p):
        left, right = s.forks[self.left_fork(p)], s.forks[self.right_fork(p)]
        return left.holder == p and right.holder == p and left.clean and right.clean

    def init(self):
        return State(forks={f: Record(holder=1 if f == 2 else f, clean=False)
                            for f in self.philosophers},
                     pc={p: "Loop" for p in self.philosophers},
                     hungry={p: True for p in self.philosophers})

    @action
    def loop(self, s, p=each("philosophers")):
        if s.pc[p] != "Loop":
            return None
        forks = s.forks
        left, right = self.left_fork(p), self.right_fork(p)
        if forks[left].holder == p and not forks[left].clean:
            forks = forks.set(left, Record(holder=self.left_philosopher(p), clean=True))
        elif forks[right].holder == p and not forks[right].clean:
            forks = forks.set(right, Record(holder=self.right_philosopher(p), clean=True))
        if s.hungry[p]:
            # CanEat is evaluated on the forks before this step, as in the translation
            after = "Eat" if self.can_eat(s, p) else "Loop"
        else:
            after = "Think"
        return s.update(forks=forks, pc=s.pc.set(p, after))

    @action
    def think(self, s, p=each("philosophers")):
        if s.pc[p] == "Think":
            return s.update(hungry=s.hungry.set(p, True), pc=s.pc.set(p, "Loop"))

    @action
    def eat(self, s, p=each("philosophers")):
        if s.pc[p] == "Eat":
            left, right = self.left_fork(p), self.right_fork(p)
            forks = s.forks.set(left, s.forks[left].update(clean=False))
            forks = forks.set(right, forks[right].update(clean=False))
            return s.update(hungry=s.hungry.set(p, False), forks=forks, pc=s.pc.set(p, "Loop"))

    @invariant
    def type_ok(self, s):
        return (all(f.holder in self.philosophers for f in s.forks.values())
                and set(s.pc.values()) <= {"Loop", "Eat", "Think"})

    @invariant
    def exclusive_access(self, s):
        """Two philosophers who share a fork never eat at the same time."""
        def forks(p):
            return {self.left_fork(p), self.right_fork(p)}
        return not any(p != q and forks(p) & forks(q) and s.pc[p] == "Eat" and s.pc[q] == "Eat"
                       for p in self.philosophers for q in self.philosophers)

    @liveness
    def nobody_starves(self, p=each("philosophers")):
        return always_eventually(lambda s: not s.hungry[p])
