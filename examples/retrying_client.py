"""A client that retries over a lossy network: expected retries and tail latency.

The client sends a request and waits. The network loses the request or the reply with
probability ``loss`` (``retrying_client.perf.yaml``); then the client's timeout fires
(``timeout`` ms) and it sends again, at most ``attempts`` times in all, after which it
gives up. A delivered round trip takes a lognormal time (median 20 ms). So::

    refute perf examples/retrying_client.py

gives the probability of giving up (``loss^attempts``), the expected number of retries
(``loss + loss^2 + ... + loss^(attempts-1)``: the last attempt's loss, ``last_lost``, is no
retry), the expected number of messages, and the
latency's mean (exact) and percentiles (simulated, with 95% intervals: the round-trip time is
continuous). The p99 latency is a timeout plus a round trip: with ``loss = 0.05`` one request
in twenty needs a retry, so the 99th percentile sits above the 100 ms timeout. See
docs/performance-models.md.
"""

from refute import Spec, State, action, outcome, terminal


class RetryingClient(Spec):
    def __init__(self, attempts: int = 4):
        self.attempts = attempts

    def init(self):
        return State(sent=0, status="sending")

    @action
    def send(self, s):
        if s.status == "sending":
            yield outcome("delivered", s.update(sent=s.sent + 1, status="ok"))
            if s.sent + 1 < self.attempts:
                yield outcome("lost", s.update(sent=s.sent + 1))  # timeout, then retry
            else:
                yield outcome("last_lost", s.update(sent=s.sent + 1, status="gave_up"))

    @terminal
    def finished(self, s):
        return s.status != "sending"
