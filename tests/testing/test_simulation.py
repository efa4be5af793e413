"""The simulated loop and network: virtual time, determinism, crashes, streams."""

import asyncio

from refute.testing import Chooser, Faults, Simulation
from refute.testing.loop import SimLoop


def test_virtual_time_and_asyncio_primitives():
    loop = SimLoop()
    seen = []

    async def main():
        queue = asyncio.Queue()

        async def producer():
            await asyncio.sleep(100.0)
            await queue.put("late")

        loop.create_task(producer())
        try:
            await asyncio.wait_for(queue.get(), 10.0)
        except asyncio.TimeoutError:
            seen.append(("timeout", loop.time()))
        seen.append((await queue.get(), loop.time()))

    loop.run_until_complete(main())
    loop.close()
    assert seen == [("timeout", 10.0), ("late", 100.0)]


def _ping_pong(sim):
    async def server(node):
        while True:
            sender, message = await node.recv()
            node.trace("got", n=message)
            node.send(sender, message + 1)

    async def client(node):
        node.send("server", 0)
        while True:
            _, message = await node.recv()
            if message >= 6:
                return
            node.send("server", message + 1)

    sim.node("server", server)
    sim.node("client", client, crashable=False)


def _run(seed, genes=None, faults=Faults(loss=0.1, duplicate=0.1, crash=0.1, max_crashes=1)):
    log = []
    sim = Simulation(Chooser(seed, genes or []), faults, 30.0, lambda e: log.append(e) or True)
    sim.run(_ping_pong)
    return sim, log


def test_same_seed_same_run_and_schedule_replays():
    for seed in range(20):
        first, log = _run(seed)
        second, again = _run(seed)
        assert log == again
        replayed, from_genes = _run(12345, first.chooser.schedule())
        assert from_genes == log


def test_faults_happen_and_crashes_are_reported():
    kinds = set()
    for seed in range(40):
        sim, log = _run(seed)
        kinds |= {d.kind.split()[0] for d in sim.chooser.decisions if d.fault}
        if any(e["action"] == "crash" for e in log):
            crash = next(i for i, e in enumerate(log) if e["action"] == "crash")
            assert log[crash]["node"] == "server"
    assert kinds == {"lose", "duplicate", "crash"}


def test_no_faults_is_a_clean_exchange():
    sim, log = _run(3, faults=Faults(loss=0, duplicate=0, crash=0))
    assert [e["n"] for e in log] == [0, 2, 4, 6]
    assert [e["meta"]["clock"]["server"] for e in log] == [1, 2, 3, 4]


def test_streams_over_the_simulated_network():
    received = []

    def setup(sim):
        async def echo(node):
            async def handle(reader, writer):
                while line := await reader.readline():
                    writer.write(line.upper())
                    await writer.drain()
                writer.close()
            await node.start_server(handle, 7)

        async def client(node):
            await asyncio.sleep(0.1)
            reader, writer = await node.open_connection("echo", 7)
            for word in (b"one\n", b"two\n", b"three\n"):
                writer.write(word)
            writer.write_eof()
            while line := await reader.readline():
                received.append(line)

        sim.node("echo", echo, crashable=False)
        sim.node("client", client, crashable=False)

    Simulation(Chooser(7), Faults(), 10.0, lambda e: True).run(setup)
    assert received == [b"ONE\n", b"TWO\n", b"THREE\n"]


def test_node_random_draws_from_the_schedule():
    from refute.testing.schedule import ScheduledRandom
    first = Chooser(5)
    rng = ScheduledRandom(first)
    drawn = [rng.random(), rng.randint(1, 6), rng.choice("abc"), rng.uniform(2, 3)]
    deck = list(range(10))
    rng.shuffle(deck)
    again = ScheduledRandom(Chooser(99, first.schedule()))
    assert [again.random(), again.randint(1, 6), again.choice("abc"), again.uniform(2, 3)] == drawn
    redeck = list(range(10))
    again.shuffle(redeck)
    assert redeck == deck and sorted(deck) == list(range(10))
    assert 1 <= drawn[1] <= 6 and 2 <= drawn[3] <= 3
