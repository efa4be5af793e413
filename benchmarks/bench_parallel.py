"""--workers, --ray and --memory-limit on TwoPhase: speedups and peak memory, one run.

Each contender runs in a fresh subprocess, interleaved, ``--repeat`` times, best time kept
(the machine is shared and noisy: only side-by-side ratios mean anything). Peak RSS is the
coordinator's plus every worker's, from the result's per-worker stats.

``rayN`` runs on a local Ray cluster started in its subprocess; its time excludes starting
the cluster (``ray.init``, shown apart), as a cluster is started once for many checks. When
both ``workersN`` and ``rayN`` run, the Ray overhead (``rayN`` / ``workersN``, the same N,
measured in the same run) is printed last, in wall-clock time and in CPU time (the
coordinator's plus every worker's: on a loaded machine the steadier of the two), and with the
CPU that Ray's own processes (raylet, GCS, agents) used during the run added.

    python benchmarks/bench_parallel.py --rms 6 --repeat 3 --contenders workers2,ray2
    python benchmarks/bench_parallel.py --rms 7 --repeat 3
    python benchmarks/bench_parallel.py --rms 8 --contenders sequential,workers1,workers2,limit1G
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

_CHILD = r"""
import json, os, resource, sys, time
sys.path[:0] = [{examples!r}]
contender, rms = sys.argv[1], int(sys.argv[2])
import refute
from two_phase import TwoPhase
spec = TwoPhase(rms=rms)
kwargs = {{}}
init_seconds = None  # starting the Ray cluster
if contender.startswith("workers"):
    kwargs = dict(workers=int(contender[len("workers"):]))
elif contender.startswith("ray"):
    import ray
    started = time.perf_counter()
    ray.init(address="local", _node_ip_address="127.0.0.1", include_dashboard=False,
             log_to_driver=False, configure_logging=False)
    init_seconds = time.perf_counter() - started
    time.sleep(3)  # let the prestarted worker processes finish starting: not the run's cost
    from refute.engine.bfs import Options
    from refute.engine.scale import Scale
    from refute.engine.ray_explorer import check_on_ray
    from refute.sources import Source
    source = Source({examples!r} + "/two_phase.py", ("rms=%d" % rms,))
elif contender == "limit1G":
    kwargs = dict(workers=2, memory_limit="1G")
def descendants_cpu():
    # CPU seconds of each live descendant process (Ray's raylet, GCS, agents, idle workers),
    # by pid; not the actors, whose CPU their stats count (ray.kill has not ended them yet)
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {{}}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{{pid}}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{{pid}}/cmdline", "rb") as handle:
                command = handle.read()  # empty: exiting (a killed actor)
            actor = not command or command.startswith(b"ray::_ShardActor")
        except OSError:
            continue
        stats[int(pid)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks, actor)
    children, todo, cpu = {{}}, [os.getpid()], {{}}
    for pid, (parent, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    while todo:
        for child in children.get(todo.pop(), []):
            if not stats[child][2]:
                cpu[child] = stats[child][1]
            todo.append(child)
    return cpu
daemons_before = descendants_cpu()
start, cpu_start = time.perf_counter(), time.process_time()
if contender.startswith("ray"):
    result = check_on_ray(source.load(), Options(),
                          Scale(workers=int(contender[3:]), source=source), None)
else:
    result = refute.check(spec, **kwargs)
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start + sum(w.cpu_seconds for w in result.workers)
# Processes still alive after the run: Ray's daemons (the workers and actors have ended and
# are counted above).
daemons_cpu = sum(cpu - daemons_before.get(pid, 0.0) for pid, cpu in descendants_cpu().items())
note = [w for w in result.warnings if w.startswith("memory:")]
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers_mib = sum(w.peak_rss for w in result.workers) / 2**20
print(json.dumps({{"counts": [result.distinct_states, result.states_generated, result.depth],
                  "seconds": seconds, "cpu_seconds": cpu_seconds, "daemons_cpu": daemons_cpu,
                  "rss_mib": rss_mib,
                  "workers_mib": workers_mib,
                  "init_seconds": init_seconds, "note": note[0] if note else ""}}))
"""


def run(contender: str, rms: int) -> dict:
    code = _CHILD.format(examples=os.path.join(ROOT, "examples"))
    out = subprocess.run([sys.executable, "-c", code, contender, str(rms)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rms", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--contenders", default="sequential,workers1,workers2,ray2")
    args = parser.parse_args()
    contenders = args.contenders.split(",")
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for contender in contenders:
            measured = run(contender, args.rms)
            print(f"  {contender}: {measured['seconds']:.2f} s", file=sys.stderr, flush=True)
            if contender not in best or measured["seconds"] < best[contender]["seconds"]:
                best[contender] = measured
    counts = {tuple(m["counts"]) for m in best.values()}
    assert len(counts) == 1, f"contenders disagree on (distinct, generated, depth): {best}"
    base = best.get("workers1", best[contenders[0]])
    print(f"TwoPhase, {args.rms} RMs: (distinct, generated, depth) = {counts.pop()}; "
          f"best of {args.repeat}")
    print(f"{'contender':<11} {'seconds':>8} {'CPU s':>7} {'speedup vs workers1':>20}  memory")
    for name in contenders:
        m = best[name]
        memory = m["note"] or (f"peak {m['rss_mib']:.0f} MiB coordinator + "
                               f"{m['workers_mib']:.0f} MiB workers")
        if m["init_seconds"] is not None:
            memory += (f"; Ray daemons {m['daemons_cpu']:.2f} CPU s; ray.init "
                       f"{m['init_seconds']:.1f} s (not counted)")
        print(f"{name:<11} {m['seconds']:>8.2f} {m['cpu_seconds']:>7.2f} "
              f"{base['seconds'] / m['seconds']:>20.2f}  {memory}")
    for name in contenders:
        workers = "workers" + name[len("ray"):]
        if name.startswith("ray") and workers in best:
            ray_run, workers_run = best[name], best[workers]
            print(f"Ray overhead: {name} / {workers} = "
                  f"{ray_run['seconds'] / workers_run['seconds']:.2f}x wall-clock, "
                  f"{ray_run['cpu_seconds'] / workers_run['cpu_seconds']:.2f}x CPU, "
                  f"{(ray_run['cpu_seconds'] + ray_run['daemons_cpu']) / workers_run['cpu_seconds']:.2f}x "
                  "CPU with Ray's daemons (same machine, same run)")


if __name__ == "__main__":
    main()
