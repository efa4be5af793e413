"""The floor to measure refute against: TwoPhase explored by a hand-rolled BFS.

Plain CPython, no library: each state is a tuple, the seen-set is a dict from state to parent,
the frontier a deque. Two encodings:

* ``tuple``: (rm_states, tm_state, tm_prepared, msgs) with rm_states a tuple of strings, sets
  as frozensets, messages as tuples (the natural hand-written encoding);
* ``packed``: the same state packed into one integer (2 bits per RM state, a bit per prepared
  RM, per message), the fastest a Python BFS of this model can reasonably be.

Both port TwoPhase.tla from tlaplus/Examples and must agree with TLC's counts.
"""

from __future__ import annotations

import sys
import time
from collections import deque


def tuple_bfs(n: int) -> tuple[int, int, int]:
    """Returns (distinct, generated, depth) for TwoPhase with ``n`` resource managers."""
    rms = range(n)
    init = (("working",) * n, "init", frozenset(), frozenset())
    seen = {init: None}
    frontier = deque([(init, 1)])
    generated, depth = 1, 1

    def successors(state):
        rm_state, tm_state, tm_prepared, msgs = state
        if tm_state == "init":
            if len(tm_prepared) == n:
                yield (rm_state, "done", tm_prepared, msgs | {("Commit",)})
            yield (rm_state, "done", tm_prepared, msgs | {("Abort",)})
            for r in rms:
                if ("Prepared", r) in msgs:
                    yield (rm_state, tm_state, tm_prepared | {r}, msgs)
        for r in rms:
            if rm_state[r] == "working":
                yield (rm_state[:r] + ("prepared",) + rm_state[r + 1:], tm_state, tm_prepared,
                       msgs | {("Prepared", r)})
                yield (rm_state[:r] + ("aborted",) + rm_state[r + 1:], tm_state, tm_prepared, msgs)
            if ("Commit",) in msgs:
                yield (rm_state[:r] + ("committed",) + rm_state[r + 1:], tm_state, tm_prepared, msgs)
            if ("Abort",) in msgs:
                yield (rm_state[:r] + ("aborted",) + rm_state[r + 1:], tm_state, tm_prepared, msgs)

    while frontier:
        state, d = frontier.popleft()
        depth = max(depth, d)
        for nxt in successors(state):
            generated += 1
            if nxt not in seen:
                seen[nxt] = state
                frontier.append((nxt, d + 1))
    return len(seen), generated, depth


def packed_bfs(n: int) -> tuple[int, int, int]:
    """The same search with each state packed into one int.

    Layout: bits [2r, 2r+2) RM r's state (0 working, 1 prepared, 2 committed, 3 aborted);
    then one bit tm_state done; n bits tm_prepared; n bits Prepared messages; Commit; Abort.
    """
    tm_done = 1 << (2 * n)
    prep0 = tm_done << 1
    msg0 = prep0 << n
    commit = msg0 << n
    abort = commit << 1
    all_prepared = ((1 << n) - 1) * prep0
    init = 0
    seen = {init: None}
    frontier = deque([(init, 1)])
    generated, depth = 1, 1
    while frontier:
        s, d = frontier.popleft()
        depth = max(depth, d)
        out = []
        if not s & tm_done:
            if s & all_prepared == all_prepared:
                out.append(s | tm_done | commit)
            out.append(s | tm_done | abort)
            for r in range(n):
                if s & (msg0 << r):
                    out.append(s | (prep0 << r))
        for r in range(n):
            shift = 2 * r
            rs = (s >> shift) & 3
            cleared = s & ~(3 << shift)
            if rs == 0:
                out.append(cleared | (1 << shift) | (msg0 << r))
                out.append(cleared | (3 << shift))
            if s & commit:
                out.append(cleared | (2 << shift))
            if s & abort:
                out.append(cleared | (3 << shift))
        for nxt in out:
            generated += 1
            if nxt not in seen:
                seen[nxt] = s
                frontier.append((nxt, d + 1))
    return len(seen), generated, depth


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    bfs = {"tuple": tuple_bfs, "packed": packed_bfs}[sys.argv[1] if len(sys.argv) > 1 else "tuple"]
    start = time.perf_counter()
    print(bfs(n), f"{time.perf_counter() - start:.2f}s")
