"""The fencing-token lock service of ``examples/fencing_lock.py``, as nodes on the simulated
network, for ``refute fuzz`` (the spec: ``../fencing_lock.py`` with ``fencing=true``).

A lock service (node ``lock``) hands out leases with tokens 33, 34, ...; a lease ends
``LEASE`` seconds after it was granted. Two clients (``c1``, ``c2``) each take the lease
(retrying while someone else holds it, and re-asking when a reply is lost: the service
answers a client that already got a token with the same token), work briefly, and write
once to the storage (node ``storage``) with their token, re-sending the write when no answer
comes. The storage handles each request in its own task, rejects a write whose token is
older than the newest it accepted, answers a re-sent write with its first answer, and
writes what it accepts to its disk (which takes ``PERSIST`` seconds).

The planted bug (``BUGGY``), a reordering: the buggy storage checks the token, writes to its
disk, and only then records the token as accepted, so a write checked while a newer one is
still being written is accepted after it. Client 1 writes within its lease, before client 2
can even take the lease, unless its write (or the answer) is lost: then its re-sent write,
with the older token 33, can arrive while client 2's write with 34 is being written.
"""

from __future__ import annotations

import asyncio

from refute.testing import Faults, Target

FIRST_TOKEN = 33
LEASE = 2.0
WORK = (0.1, 0.5)
ANSWER_TIMEOUT = 2.5
ACQUIRE_RETRY = 0.5
PERSIST = 0.3
CLIENTS = {"c1": 1, "c2": 2}


async def lock_service(node):
    holder, next_token, given = None, FIRST_TOKEN, {}
    loop = asyncio.get_running_loop()

    def expire(client):
        nonlocal holder
        if holder == client:
            holder = None
            node.trace("lease_expires", client=client, holder=None)

    while True:
        sender, (kind, client) = await node.recv()
        if client in given:  # a re-sent request: the same answer
            node.send(sender, ("token", given[client]))
        elif holder is None:
            holder, given[client] = client, next_token
            next_token += 1
            loop.call_later(LEASE, expire, client)
            node.trace("acquire", client=client, token=given[client], holder=client,
                       next_token=next_token)
            node.send(sender, ("token", given[client]))
        else:
            node.send(sender, ("busy", None))


def storage(record_before_persisting: bool):
    async def main(node):
        accepted, rejected, answers = [], [], {}

        async def write(sender, client, token):
            if client in answers:  # a re-sent write: the first answer again
                if answers[client] is not None:
                    node.send(sender, ("written", answers[client]))
                return
            answers[client] = None
            ok = not accepted or token > max(accepted)
            if ok and not record_before_persisting:
                await asyncio.sleep(PERSIST)  # the planted bug: the check above may be stale
            (accepted if ok else rejected).append(token)
            node.trace("write", client=client, token=token, accepted=list(accepted),
                       rejected=list(rejected))
            if ok and record_before_persisting:
                await asyncio.sleep(PERSIST)  # the disk write, after the token is recorded
            answers[client] = ok
            node.send(sender, ("written", ok))

        while True:
            sender, (kind, client, token) = await node.recv()
            asyncio.get_running_loop().create_task(write(sender, client, token))
    return main


async def client(node):
    number = CLIENTS[node.name]
    token = None
    while token is None:
        node.send("lock", ("acquire", number))
        try:
            _, (kind, value) = await asyncio.wait_for(node.recv(), ANSWER_TIMEOUT)
        except asyncio.TimeoutError:
            continue
        if kind == "token":
            token = value
        else:
            await asyncio.sleep(ACQUIRE_RETRY)
    await asyncio.sleep(node.random.uniform(*WORK))
    while True:
        node.send("storage", ("write", number, token))
        try:
            sender, (kind, _) = await asyncio.wait_for(node.recv(), ANSWER_TIMEOUT)
        except asyncio.TimeoutError:
            continue
        if kind == "written":
            return


def setup(record_before_persisting: bool):
    def add_nodes(sim):
        sim.node("lock", lock_service, crashable=False)
        sim.node("storage", storage(record_before_persisting), crashable=False)
        for name in CLIENTS:
            sim.node(name, client, crashable=False)
    return add_nodes


FAULTS = Faults(loss=0.005, duplicate=0.005, crash=0.0, delay=(0.05, 0.5))
PARAMS = {"clients": 2, "first_token": FIRST_TOKEN, "fencing": True}
TARGET = Target(name="fencing", spec="../fencing_lock.py", setup=setup(True), params=PARAMS,
                faults=FAULTS, horizon=15.0, crash_events=None)
BUGGY = Target(name="fencing-buggy", spec="../fencing_lock.py", setup=setup(False),
               params=PARAMS, faults=FAULTS, horizon=15.0, crash_events=None)
