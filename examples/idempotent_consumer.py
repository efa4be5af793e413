"""Idempotent consumers: exactly-once processing on top of at-least-once delivery.

A message broker delivers each message at least once: a consumer that crashes before it has
committed its position gets the same messages again. To apply each message's effect (charge a
card, ship an order) exactly once, the consumer remembers the idempotency keys of the
messages it has processed and skips a message whose key it has seen. Whether that works
depends on *how* it remembers them.

Source: Gunnar Morling, "On Idempotency Keys", 2025,
https://www.morling.dev/blog/on-idempotency-keys/

The model: a Kafka-like partition holds messages m1 and m2, each with its key; the consumer
reads them in order from its position (``deliver``), processes the one it was delivered
(``apply_effect``), and from time to time commits its position to the broker
(``commit_offset``). It may crash once (``crash``): it loses everything it had in memory and
resumes from the last committed position, so the broker redelivers what came after.
``effect_applied_once``: no message's effect is applied twice. The designs (``dedupe``):

* ``none``: no deduplication; a redelivered message is processed again. Fails.
* ``split`` (the default): the consumer skips messages whose key it has stored, but applies
  the effect and stores the key in two steps (``apply_effect``, then ``store_key``), e.g. in
  two databases, or two transactions. A crash between the two loses the key and keeps the
  effect. Fails in 5 steps: m1 is delivered, its effect applied, the consumer crashes, m1 is
  redelivered and its effect applied again::

    refute check examples/idempotent_consumer.py

* ``window``: key and effect are stored in one transaction, but to bound the key store, keys
  are evicted by age: only those of the ``window`` (1) most recently processed messages are
  kept. A redelivery older than the window is not
  recognised: m1 and m2 are processed, the consumer crashes before committing its position,
  and m1, whose key was evicted by m2's, is applied again. Fails.
* ``atomic``: key and effect in one transaction, every key kept. Holds::

    refute check examples/idempotent_consumer.py -p dedupe=atomic

* ``sequence``: the key is a sequence number that increases monotonically within the
  partition (a Kafka offset is one); the consumer stores, in the same transaction as the
  effect, the highest one it has processed, and skips any message at or below it: one value
  per partition instead of every key. Holds.
"""

from refute import ModelValue, Spec, State, action, each, invariant, terminal

DEDUPE = ("none", "split", "window", "atomic", "sequence")


class IdempotentConsumer(Spec):
    def __init__(self, messages: int = 2, dedupe: str = "split", window: int = 1,
                 crashes: int = 1):
        if dedupe not in DEDUPE:
            raise ValueError(f"dedupe must be one of {', '.join(DEDUPE)}, got {dedupe!r}")
        self.messages = tuple(ModelValue(f"m{i}") for i in range(1, messages + 1))
        self.dedupe = dedupe
        self.window = window
        self.crashes = crashes

    def init(self):
        # position: the offset the consumer reads next (in memory); committed: the offset it
        # committed to the broker; working: the message it holds and how far it got with it.
        # keys: the consumer's key store (oldest first); last_seq: the highest sequence
        # number processed (dedupe=sequence); applied[m]: how often m's effect was applied.
        return State(position=0, committed=0, working=None, keys=(), last_seq=0,
                     applied={m: 0 for m in self.messages}, crashes=0)

    def offset(self, message):
        return self.messages.index(message)

    def duplicate(self, s, message):
        if self.dedupe == "sequence":
            return self.offset(message) + 1 <= s.last_seq
        return self.dedupe != "none" and message in s.keys

    def done(self, s):
        """The consumer has finished with its message and moves on to the next."""
        return s.update(working=None, position=s.position + 1)

    @action
    def deliver(self, s, message=each("messages")):
        if (s.working is None and s.position < len(self.messages)
                and self.messages[s.position] == message):
            return s.update(working=("delivered", message))

    @action
    def skip_duplicate(self, s, message=each("messages")):
        if s.working == ("delivered", message) and self.duplicate(s, message):
            return self.done(s)

    @action
    def apply_effect(self, s, message=each("messages")):
        if s.working != ("delivered", message) or self.duplicate(s, message):
            return None
        s = s.update(applied=s.applied.set(message, s.applied[message] + 1))
        if self.dedupe == "split":
            return s.update(working=("effect applied", message))
        if self.dedupe in ("window", "atomic"):
            keys = s.keys + (message,)
            if self.dedupe == "window":
                keys = keys[-self.window:]
            s = s.update(keys=keys)
        elif self.dedupe == "sequence":
            s = s.update(last_seq=self.offset(message) + 1)
        return self.done(s)

    @action
    def store_key(self, s, message=each("messages")):
        if s.working == ("effect applied", message):
            return self.done(s.update(keys=s.keys + (message,)))

    @action
    def commit_offset(self, s):
        if s.working is None and s.committed < s.position:
            return s.update(committed=s.position)

    @action
    def crash(self, s):
        if s.crashes < self.crashes:
            return s.update(position=s.committed, working=None, crashes=s.crashes + 1)

    @terminal
    def all_committed(self, s):
        return s.committed == len(self.messages)

    @invariant
    def effect_applied_once(self, s):
        return all(times <= 1 for times in s.applied.values())
