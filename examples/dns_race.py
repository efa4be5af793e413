"""The DNS race behind the AWS us-east-1 outage of 19-20 October 2025.

DynamoDB's regional endpoint is kept in Route 53 by two components. A *DNS Planner*
periodically emits a new plan generation (the load balancers behind the endpoint). *DNS
Enactors*, running redundantly in several availability zones, each pick up a plan, check it,
apply it to the endpoint, then clean up plans that are far older than the one they applied.
One enactor was delayed while another applied newer plans and ran its cleanup; the delayed
enactor then applied its stale plan, whose records the cleanup deleted: the endpoint
``dynamodb.us-east-1.amazonaws.com`` was left with an empty DNS record, and everything that
needed a new connection to DynamoDB in the region failed for hours.

Source: AWS, "Summary of the Amazon DynamoDB Service Disruption in the Northern Virginia
(US-EAST-1) Region", October 2025, https://aws.amazon.com/message/101925/

The model: the planner emits plans 1..5 into a queue of capacity 4; enactors 1 and 2 take the
plan at the head of the queue (``enactor_receive``), write it to the endpoint
(``enactor_apply``), then delete every plan at least ``threshold`` (2) generations older than
the one they applied (``enactor_cleanup``). Receive, apply and cleanup are separate steps: a
delayed enactor is one whose next step comes late. (Made one atomic step, the race
disappears: that is how such a race stays latent in a model, or a test, that is too coarse.)
The enactor's one-time check
that its plan is current is made when it receives the plan, where it always passes: plans
are received in order, and nothing is deleted before it is received.

``never_delete_active``: the plan the endpoint points to has not been deleted. With
``fixed=False`` (the design as it ran) the shortest counterexample has 11 actions and is the
outage as AWS tells it: enactor 1 receives plan 1 and stalls; enactor 2 applies plan 2, then
plan 3; enactor 1 wakes up and applies its stale plan 1 over plan 3; enactor 2's cleanup then
deletes every plan two generations older than 3, plan 1 among them: the plan the endpoint
holds. Its DNS record is empty::

    refute check examples/dns_race.py

``fixed=True`` makes the check and the write one atomic step: an enactor applies its plan
only if, at that moment, the plan still exists and is newer than the one the endpoint holds,
and drops it otherwise (``enactor_drop_stale``). Then the endpoint's plan only ever gets
newer, and cleanup, which deletes only plans older than one already applied, never touches
it::

    refute check examples/dns_race.py -p fixed=true

(Letting cleanup spare the endpoint's current plan is not enough by itself here: the stale
plan can be deleted *before* the delayed enactor applies it.)
"""

from refute import Spec, State, action, each, invariant, terminal

IDLE = "idle"


class DnsRace(Spec):
    def __init__(self, plans: int = 5, enactors: int = 2, threshold: int = 2, capacity: int = 4,
                 fixed: bool = False):
        self.generations = tuple(range(1, plans + 1))
        self.enactors = tuple(range(1, enactors + 1))
        self.threshold = threshold
        self.capacity = capacity
        self.fixed = fixed

    def init(self):
        # active: the plan whose records the endpoint holds (None before the first apply).
        return State(emitted=0, queue=(), plans=frozenset(), active=None,
                     enactor={e: IDLE for e in self.enactors})

    @action
    def planner_emit(self, s, plan=each("generations")):
        if plan == s.emitted + 1 and len(s.queue) < self.capacity:
            return s.update(emitted=plan, queue=s.queue + (plan,), plans=s.plans | {plan})

    @action
    def enactor_receive(self, s, enactor=each("enactors"), plan=each("generations")):
        if s.enactor[enactor] == IDLE and s.queue and s.queue[0] == plan:
            return s.update(queue=s.queue[1:], enactor=s.enactor.set(enactor, ("received", plan)))

    def current(self, s, plan):
        """The enactor's check; only the fixed design makes it in the same step as the write."""
        return plan in s.plans and (s.active is None or plan > s.active)

    @action
    def enactor_apply(self, s, enactor=each("enactors"), plan=each("generations")):
        if s.enactor[enactor] == ("received", plan) and (not self.fixed or self.current(s, plan)):
            return s.update(active=plan, enactor=s.enactor.set(enactor, ("applied", plan)))

    @action
    def enactor_drop_stale(self, s, enactor=each("enactors"), plan=each("generations")):
        if self.fixed and s.enactor[enactor] == ("received", plan) and not self.current(s, plan):
            return s.update(enactor=s.enactor.set(enactor, IDLE))

    @action
    def enactor_cleanup(self, s, enactor=each("enactors"), plan=each("generations")):
        if s.enactor[enactor] == ("applied", plan):
            old = {p for p in s.plans if p <= plan - self.threshold}
            return s.update(plans=s.plans - old, enactor=s.enactor.set(enactor, IDLE))

    @terminal
    def all_plans_enacted(self, s):
        return (s.emitted == len(self.generations) and not s.queue
                and all(state == IDLE for state in s.enactor.values()))

    @invariant
    def never_delete_active(self, s):
        """The endpoint's plan still exists: its DNS record is not empty."""
        return s.active is None or s.active in s.plans

    def message_flow(self, label, before, after):
        """For the sequence diagram of ``--html`` reports: plans travel from the planner to
        an enactor, which writes one to the Route 53 endpoint or deletes old ones there."""
        args = dict(label.args)
        plan, enactor = args["plan"], f"enactor {args.get('enactor')}"
        if label.action == "planner_emit":
            return [("send", "planner", f"plan {plan}")]
        if label.action == "enactor_receive":
            return [("receive", enactor, f"plan {plan}")]
        if label.action == "enactor_apply":
            return [("send", enactor, f"apply plan {plan}"),
                    ("receive", "Route 53", f"apply plan {plan}")]
        if label.action == "enactor_drop_stale":
            return [("local", enactor, f"drops stale plan {plan}")]
        deleted = sorted(before.plans - after.plans)
        message = f"delete plans {deleted}" if deleted else "cleanup: nothing to delete"
        return [("send", enactor, message), ("receive", "Route 53", message)]
