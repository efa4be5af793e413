"""An M/M/1/K queue: one server, room for ``capacity`` requests, as a continuous-time chain.

Requests arrive at rate ``arrival`` (refused when the queue is full) and are served at rate
``service``; ``mm1k_queue.perf.yaml`` gives the rates and the measures. The long-run
utilisation and mean number in system are the textbook closed forms (load ``rho =
arrival / service``, ``pi_n = rho^n (1 - rho) / (1 - rho^(K+1))``)::

    refute perf examples/mm1k_queue.py                      # rho = 0.5, K = 10
    refute perf examples/mm1k_queue.py -p arrival=0.9
    refute perf examples/mm1k_queue.py --sweep arrival=0.1:1.5:0.1 --html queue.html

``throughput arrive`` is the rate of accepted requests, ``arrival * (1 - pi_K)``.
"""

from refute import Spec, State, action


class MM1KQueue(Spec):
    def __init__(self, capacity: int = 10):
        self.capacity = capacity

    def init(self):
        return State(n=0)

    @action
    def arrive(self, s):
        if s.n < self.capacity:
            return s.update(n=s.n + 1)

    @action
    def serve(self, s):
        if s.n > 0:
            return s.update(n=s.n - 1)
