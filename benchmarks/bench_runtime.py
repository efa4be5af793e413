"""The native runtime of the compiled backend against an earlier version of itself, in one run.

    .venv/bin/python benchmarks/bench_runtime.py [--base REF] [--repeat 3] [--paxos-commit]

The same generated C (TwoPhase with 8 RMs, and PaxosCommit with its own model if asked) is
built twice with ``cc -O2``: once over runtime/runtime.c as it is in the work tree, once
over the runtime of git revision ``--base`` (default 2ef89a5: the one before the seen-set
prefetch and huge pages); each binary runs the whole native search (no Python around it:
only the search's own CPU time), the two alternated ``--repeat`` times, and the counts are
compared. Printed: each run's CPU seconds (user + system), each binary's peak RSS, the bytes
per distinct state of the seen set and the parent links at the end (for a runtime that
reports them: ``refute_memory``) and the ratio of the best of each (base over work tree:
higher is faster). The whole-process ratio against TLC is ``bench_compiled.py``'s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME = os.path.join("src", "refute", "compiled", "runtime")
SPECS = os.path.join(os.environ.get("REFUTE_TLA_EXAMPLES", os.path.join(
    ROOT, "..", "shared", "oracles", "tla", "examples")), "specifications", "transaction_commit")
DRIVER = r"""
#include <stdio.h>
#include MODEL
int main(void) {
    int status = refute_run(1, INT64_MAX, -1, 0, 0, 0);
    uint64_t c[8];
    refute_counts(c);
    printf("%d %llu %llu %llu\n", status, (unsigned long long)c[0], (unsigned long long)c[1],
           (unsigned long long)c[2]);
#ifdef REFUTE_MEMORY
    uint64_t m[4];
    refute_memory(m);
    fprintf(stderr, "%llu %llu\n", (unsigned long long)m[0], (unsigned long long)m[1]);
#endif
    return 0;
}
"""


def generated_c(tla: str, cfg: str) -> str:
    from refute.compiled.emit_c import emit
    from refute.compiled.from_tla import lower
    from refute.tla.model import TLAModel

    return emit(lower(TLAModel(tla, cfg)))[0]


def build(source: str, runtime: str, out: str) -> None:
    with open(out + ".model.c", "w", encoding="utf-8") as handle:
        handle.write(source)
    with open(out + ".main.c", "w", encoding="utf-8") as handle:
        handle.write(DRIVER)
    subprocess.run(["cc", "-O2", "-std=gnu11", "-w", "-I", runtime, f'-DMODEL="{out}.model.c"',
                    "-o", out, out + ".main.c"], check=True)


def run(binary: str) -> tuple[float, str, int, str]:
    """CPU seconds, the counts printed, the peak RSS in bytes, and what the binary's runtime
    says of its seen set and links (bytes of each; empty for a runtime that does not)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([binary], stdout=out, stderr=err)
        _, code, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(code)
        if child.returncode:
            sys.exit(f"{binary} failed ({child.returncode})")
        out.seek(0)
        err.seek(0)
        return (usage.ru_utime + usage.ru_stime, out.read().strip(), usage.ru_maxrss * 1024,
                err.read().strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="2ef89a5", help="git revision of the baseline runtime "
                        "(default: the runtime before prefetching and huge pages)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paxos-commit", action="store_true")
    args = parser.parse_args()
    models = [("TwoPhase, 8 RMs", "TwoPhase.tla",
               "CONSTANT RM = {r1, r2, r3, r4, r5, r6, r7, r8}\nINIT TPInit\nNEXT TPNext\n"
               "INVARIANT TPTypeOK\n")]
    if args.paxos_commit:
        with open(os.path.join(SPECS, "PaxosCommit.cfg"), encoding="utf-8") as handle:
            models.append(("PaxosCommit (its .cfg)", "PaxosCommit.tla", handle.read()))
    with tempfile.TemporaryDirectory() as tmp:
        base_runtime = os.path.join(tmp, "base")
        os.makedirs(base_runtime)
        names = subprocess.run(["git", "ls-tree", "--name-only", f"{args.base}:{RUNTIME}"], cwd=ROOT,
                               check=True, capture_output=True, text=True).stdout.split()
        for name in names:  # (runtime.c includes the others: workers.c, checkpoint.c)
            text = subprocess.run(["git", "show", f"{args.base}:{RUNTIME}/{name}"], cwd=ROOT,
                                  check=True, capture_output=True, text=True).stdout
            with open(os.path.join(base_runtime, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        for title, tla, cfg_text in models:
            cfg = os.path.join(tmp, tla.replace(".tla", ".cfg"))
            with open(cfg, "w", encoding="utf-8") as handle:
                handle.write(cfg_text)
            source = generated_c(os.path.join(SPECS, tla), cfg)
            binaries = {"base": os.path.join(tmp, "base-" + tla[:-4]),
                        "work tree": os.path.join(tmp, "work-" + tla[:-4])}
            build(source, base_runtime, binaries["base"])
            build(source, os.path.join(ROOT, RUNTIME), binaries["work tree"])
            times: dict = {name: [] for name in binaries}
            peaks: dict = {name: 0 for name in binaries}
            tables: dict = {}
            outputs = set()
            for _ in range(args.repeat):
                for name, binary in binaries.items():
                    seconds, out, peak, memory = run(binary)
                    times[name].append(seconds)
                    peaks[name] = max(peaks[name], peak)
                    if memory:
                        tables[name] = [int(x) for x in memory.split()]
                    outputs.add(out)
            if len(outputs) != 1:
                sys.exit(f"{title}: the runtimes disagree: {sorted(outputs)}")
            status, distinct, generated, depth = outputs.pop().split()
            print(f"{title}: {int(distinct):,} distinct, {int(generated):,} generated, depth {depth}")
            for name, seconds in times.items():
                memory = ""
                if name in tables:
                    seen, links = tables[name]
                    memory = (f"; seen set {seen / int(distinct):.2f} + links "
                              f"{links / int(distinct):.2f} = {(seen + links) / int(distinct):.2f} "
                              "bytes/state")
                print(f"  {name:10} cpu " + "  ".join(f"{s:6.2f} s" for s in seconds)
                      + f"  (peak RSS {peaks[name] / 2**20:.0f} MiB{memory})")
            print(f"  base / work tree (best of each): {min(times['base']) / min(times['work tree']):.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
