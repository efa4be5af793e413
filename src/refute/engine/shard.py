"""The sharded search shared by ``--workers`` (:mod:`.parallel`) and ``--ray`` (:mod:`.ray_explorer`).

Transport-free: a :class:`Shard` is one worker's part of the search, a :class:`Coordinator` the
part that sees every worker; the drivers only move their messages (numpy arrays of
fingerprints and keys, a few small dicts) between processes or Ray actors.

The algorithm: level-synchronous BFS where states never move for membership
--------------------------------------------------------------------------------------------
A state is *expanded by the worker that holds it*; only *fingerprint membership* is sharded:
the **owner** of fingerprint ``fp`` is worker ``fp mod N`` and keeps those fingerprints in its
seen-set. Expanding a state whose successors are mostly owned elsewhere costs 16 bytes a
successor on the wire (fingerprint, key), never a pickled state. Per level:

1. each worker expands its frontier, block by block, in rank order; a successor gets the
   **key** ``parent_rank << 20 | ordinal`` (ordinal: its position in ``next_states``), which
   orders successors exactly as the sequential search (:mod:`.bfs`) discovers them. A worker
   keeps the first occurrence of each fingerprint among its own successors of the level (its
   blocks are in rank order, so that occurrence has the least key) and asks each owner which of
   them were seen in an *earlier* level; it drops those, and holds the rest (the candidates);
2. at the level's end each owner sorts the candidates it was asked about by (fingerprint, key):
   the least key per fingerprint wins, as the sequential search would have reached that
   state first. Winners enter its seen-set;
3. the coordinator sorts every winner's key: position ``i`` in that order is global rank
   ``distinct_so_far + i``, exactly the sequential discovery number; it records the parent
   links (``parent = key >> 20``, ``ordinal = key & 0xFFFFF``) for trace replay and tells each
   holder the ranks of its winners. Holders drop the losers and check invariants on the
   winners, in rank order;
4. **the first event wins**: the sequential search stops at the first of: a deadlock (checked
   when a parent is expanded, before its successors: position ``(rank, -1)``), an invariant
   violation or spec error (position ``(parent rank, ordinal)``), the ``--max-states`` bound
   (the new state of rank ``max_states - 1``). Every worker reports its first event of the
   level; the least position is the run's, and the counts at that instant (generated,
   distinct, per-action coverage) are rebuilt from the per-parent successor counts and action
   indices each holder kept for the level. So a stopped parallel run reports the very numbers
   of the sequential one.

Hence the **tie-break** among equally short counterexamples is the sequential one: the state
of least (parent rank, successor position), recursively: initial states in ``init_states``
order, successors in ``next_states`` order. It never depends on timing or the worker count.

On one machine the workers can share one fingerprint set instead
(:mod:`.shared_seen`, what ``--workers`` uses unless ``--memory-limit`` is given): a holder
*claims* each successor's fingerprint with its key in the shared set, which keeps the least key
claimed per fingerprint, and so knows at once whether the successor is new (steps 1 and 2 in
one compare-and-swap); at the level's end each holder's winners are its candidates whose key
is still the least (:meth:`Shard.winners`). Steps 3 and 4 are the same.

Why not route states to their owner (as TLC's distributed mode does)? A state then crosses a
process for most successors (pickling costs about as much as computing it). Here only new
states could ever move, and only to rebalance (:meth:`Shard.give`): a worker that holds the
parents of the least ranks wins ties, so without rebalancing everything stays with the worker
that held the initial state.

Limits: at most ``2**20`` successors per state (the key's ordinal bits) and ``2**32 - 1``
states (the parent links are 32-bit, as in the sequential search).
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

import numpy as np

from refute.engine.bfs import (Options, _satisfies, _warnings, select_invariants,
                               state_fingerprint)
from refute.engine.fpset import FingerprintSet
from refute.engine.model import Model
from refute.engine.result import (ActionCoverage, Result, StopReason, Violation, ViolationKind,
                                  WorkerStats)
from refute.engine import shared_seen
from refute.engine.shared_seen import SharedFingerprints
from refute.engine.spill import (BlockStore, Budget, FingerprintStore, OutOfMemory, memory_note,
                                 peak_rss)
from refute.engine.trace import ROOT, rebuild_trace
from refute.errors import RefuteError, SpecError, UsageError
from refute.status import Status

ORDINAL_BITS = 20
ORDINAL_MASK = (1 << ORDINAL_BITS) - 1
BLOCK = 512  # states per frontier block: the unit of expansion, of messages and of spilling
MAX_STATES = 0xFFFFFFFF - 1
first = itemgetter(0)
second = itemgetter(1)


class WorkerProgress(NamedTuple):
    """One worker's throughput and memory, for progress displays."""

    worker: int
    states_per_second: float
    rss: int
    spilling: bool


class ParallelProgress(NamedTuple):
    """:class:`~refute.engine.bfs.Progress` plus one :class:`WorkerProgress` per worker."""

    distinct: int
    generated: int
    queue: int
    depth: int
    seconds: float
    workers: tuple[WorkerProgress, ...] = ()


@dataclass
class LevelReport:
    """What a holder tells the coordinator at the end of a level."""

    worker: int
    successors: int = 0
    frontier: int = 0
    event: tuple | None = None  # (position, kind, payload), the holder's first of the level
    timed_out: bool = False


@dataclass
class Partial:
    """A holder's counts up to a cut: successors generated, actions fired and found,
    successors outside the state constraints."""

    generated: int
    fired: np.ndarray
    found: np.ndarray
    pruned: int


def _position(key: int) -> tuple[int, int]:
    return key >> ORDINAL_BITS, key & ORDINAL_MASK


def _spec_error(exc: Exception, doing: str, state: Any, model: Model) -> RefuteError:
    if isinstance(exc, RefuteError):
        return exc
    return SpecError.from_exception(exc, doing, state, model.source)


class Shard:
    """One worker: the states it holds (frontier, candidates) and the fingerprints it owns.

    Invariant: the frontier is in rank order, so this holder's successors come in key order
    and the first occurrence of a fingerprint among them is its least key.
    """

    def __init__(self, model: Model, index: int, count: int, options: Options,
                 memory_share: int | None = None, spill_dir: str | None = None,
                 shared: SharedFingerprints | None = None) -> None:
        self.model = model
        self.index = index
        self.count = count
        self.fp = state_fingerprint(model)
        self.invariants = select_invariants(model, options.invariants)
        self.constraints = tuple(p.test for p in model.constraints)
        self.deadlock = options.deadlock
        self.actions = {name: number for number, name in enumerate(model.action_names)}
        self.budget = Budget(memory_share)
        self.spill_dir = spill_dir
        self.shared = shared  # the machine's fingerprint set, or None: owners answer
        self.seen = FingerprintStore(spill_dir)
        self.numbered = 0  # states this holder numbered first (with a shared set)
        self.overflowed = False  # the shared set filled up during this level
        self.frontier = BlockStore(spill_dir)
        self.generated = 0  # successors computed, for progress
        self._started = self._level_started = time.perf_counter()
        self._cpu_started = time.process_time()
        self._reset_level(last=False)

    # -- level bookkeeping --------------------------------------------------------------

    def _reset_level(self, last: bool) -> None:
        self.last = last
        # This level's fingerprints kept so far, with owner-sharded membership (never spilled:
        # it is emptied every level); a C claim set where the extension is built, for scan.
        self._asked = (shared_seen.private(2 * self.frontier.size)
                       if self.shared is None and shared_seen.available() else FingerprintSet())
        self._next_block = 0  # the frontier blocks still to expand: [next, end)
        self._end_block = self.frontier.blocks
        self._stolen = False  # expanded another worker's block (give_block) this level
        self._chunks = 0
        self._parts: dict[int, list] = {}  # chunk -> decided candidate parts (block numbers)
        self._waiting: dict[tuple[int, int], tuple] = {}  # (chunk, owner) -> candidates
        self._candidates = BlockStore(self.spill_dir)
        self._parent_ranks: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._fired: list[np.ndarray] = []
        self._asked_by: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._claimed: list[tuple[np.ndarray, np.ndarray]] = []  # (fps, keys) kept, shared set
        self.min_new_key: int | None = None  # least key of a new successor (last level)
        self._pruned_keys = array("q")  # keys of this level's successors outside the constraints
        self.event: tuple | None = None
        self.expanding = True
        self.timed_out = False
        self.level_generated = 0

    def load(self, ranks: np.ndarray, states: list, fingerprints: np.ndarray) -> None:
        """Take initial (or restored) states, in rank order, and the owned fingerprints."""
        spill = self.budget.check()
        for start in range(0, len(states), BLOCK):
            self.frontier.append(ranks[start:start + BLOCK], states[start:start + BLOCK], spill)
        self.numbered += len(states)
        if self.shared is None:  # a shared set is filled by the coordinator
            self.seen.add(fingerprints[np.remainder(fingerprints, self.count) == self.index])

    def start_level(self, last: bool) -> None:
        self._reset_level(last)
        self._level_started = time.perf_counter()

    def restart_level(self, shared: SharedFingerprints) -> None:
        """Expand this level again from the start, with a larger shared set (the last one
        filled up during the level): what the level had found is forgotten."""
        self.generated -= self.level_generated
        self._candidates.close()
        self.shared.close()
        self.shared = shared
        self.overflowed = False
        self.start_level(self.last)

    @property
    def waiting(self) -> int:
        """Candidate batches sent to owners and not answered yet."""
        return len(self._waiting)

    # -- holder side: expansion ---------------------------------------------------------

    def expand(self, deadline: float | None = None) -> dict[int, tuple[int, np.ndarray, np.ndarray]]:
        """Expand the next frontier block; return the queries for other owners.

        ``{owner: (chunk, fingerprints, keys)}``; an empty dict when this block needed none.
        Sets :attr:`expanding` to False when the frontier is done (or an event stopped it).
        """
        if not self.expanding:
            return {}
        if deadline is not None and time.perf_counter() >= deadline:
            self.expanding = False
            self.timed_out = True
            return {}
        if self._next_block >= self._end_block:
            self.expanding = False
            return {}
        self._next_block += 1
        return self._expand_block(*self.frontier.get(self._next_block - 1))

    def give_block(self) -> tuple[np.ndarray, list] | None:
        """The last frontier block not yet expanded, for an idle worker to expand instead
        (:meth:`expand_stolen`); None if this worker has no more than the one it is on."""
        if self._end_block - self._next_block < 2 or not self.expanding:
            return None
        self._end_block -= 1
        return self.frontier.get(self._end_block)

    def expand_stolen(self, ranks: np.ndarray, states: list) -> dict:
        """Expand a block another holder gave away: its parents' successors are this
        holder's candidates like its own, numbered by the same keys. Only with a shared set,
        where the least key wins whatever the order blocks are expanded in."""
        assert self.shared is not None, "stealing needs the shared set's least-key claims"
        self._stolen = True
        return self._expand_block(ranks, states)

    def _expand_block(self, ranks: np.ndarray, states: list) -> dict:
        model = self.model
        next_states = model.next_states
        action_of = self.actions.__getitem__
        # Each successor is fingerprinted, and dropped if an earlier one of the level had its
        # fingerprint, as soon as it is computed (as the sequential search does): a dropped
        # state's memory is reused by the next one while it is still in the CPU cache, where
        # holding a block's successors to fingerprint them later is twice as slow. Without a
        # constraint, and with the C extension, that loop runs in C (SharedSeen.scan).
        claim_set = self._claim_set()
        scan = claim_set.scan if claim_set is not None and not self.constraints else None
        kept: list = []
        claims = bytearray()  # scan's (fingerprint, key) int64 pairs of the kept successors
        kept_fps = array("q")  # the same, from the loop in Python
        kept_keys = array("q")
        fired = bytearray()  # the int16 action number of every successor
        counts = array("I")
        expanded = 0
        failed = False
        for rank, state in zip(ranks.tolist(), states):
            try:
                successors = next_states(state)
            except Exception as exc:
                self._stop((rank, -1), "error", _spec_error(exc, "an action", state, model))
                break
            if type(successors) is not list and successors.intermediate:
                self._stop((rank, -1), "error", UsageError(
                    f"{model.name} generates intermediate states (TLA+'s A \\cdot B), which the "
                    "sharded search does not count",
                    hint="run without --workers, --ray, --memory-limit, --checkpoint and --resume: "
                         "the sequential search counts them as TLC does"))
                break
            number = len(successors)
            expanded += 1
            counts.append(number)
            if number > ORDINAL_MASK:
                self._stop((rank, -1), "error", UsageError(
                    f"a state of {model.name} has {number:,} successors; the parallel search "
                    f"supports at most {ORDINAL_MASK + 1:,} per state",
                    hint="run without --workers, or split the action's nondeterminism"))
                break
            if not number and self.deadlock and not model.is_terminal(state):
                self._stop((rank, -1), "deadlock", rank)
                break
            base = rank << ORDINAL_BITS
            if scan is not None:
                try:
                    while scan(successors, self.fp, base, self.actions, kept, claims, fired) < 0:
                        if self._full():
                            break
                        scan = self._asked.scan
                    if self.overflowed:
                        failed = True
                        break
                    continue
                except Exception:  # noqa: BLE001 - a fingerprint failed: the loop below says where
                    pass
            fired += array("h", map(action_of, map(first, map(first, successors))))
            if self._claim_each(successors, rank, kept, kept_fps, kept_keys):
                failed = True
                break
        ranks = np.asarray(ranks[:expanded], dtype=np.int64)
        counts_np = np.frombuffer(counts, dtype=np.uint32).astype(np.int64) if expanded \
            else np.empty(0, np.int64)
        self._parent_ranks.append(ranks)
        self._counts.append(counts_np)
        total = int(counts_np.sum())
        self.generated += total
        self.level_generated += total
        self._fired.append(np.frombuffer(fired, dtype=np.int16) if len(fired)
                           else np.empty(0, np.int16))
        if failed or not kept:
            return {}
        if claims:
            pairs = np.frombuffer(claims, dtype=np.int64).reshape(-1, 2)
            fps, keys = pairs[:, 0].copy(), pairs[:, 1].copy()
        else:
            fps = np.frombuffer(kept_fps, dtype=np.int64)
            keys = np.frombuffer(kept_keys, dtype=np.int64)
        chunk = self._chunks
        self._chunks += 1
        self._parts[chunk] = []
        if self.shared is not None:  # new, or reached first by this holder so far: a candidate
            if self.last:
                least = int(keys[0])
                if self.min_new_key is None or least < self.min_new_key:
                    self.min_new_key = least
            else:
                self._claimed.append((fps, keys))
                self._parts[chunk].append(self._candidates.append(keys, kept,
                                                                  self.budget.spilling))
            return {}
        owners = np.remainder(fps, self.count)
        queries = {}
        for owner in range(self.count):
            mask = owners == owner
            if not mask.any():
                continue
            held = (keys[mask], [pair for pair, mine in zip(kept, mask) if mine]
                    if self.count > 1 else kept)
            if owner == self.index:
                self.accept(chunk, owner, self.answer(self.index, fps[mask], keys[mask]), held)
            else:
                self._waiting[(chunk, owner)] = held
                queries[owner] = (chunk, fps[mask], keys[mask])
        return queries

    def _claim_each(self, successors: list, rank: int, kept: list, kept_fps: array,
                    kept_keys: array) -> bool:
        """Keep each successor of one parent that is inside the constraints and whose
        fingerprint this level had not kept yet (with a shared set: whose key is the least
        claimed for it); True if the level stops here (an error, or the shared set is full)."""
        model = self.model
        constraints = self.constraints
        fp = self.fp
        claim_set = self._claim_set()
        claim = claim_set.claim if claim_set is not None else None
        asked = self._asked  # this level's fingerprints already kept (by earlier parents)
        base = rank << ORDINAL_BITS
        for ordinal, pair in enumerate(successors):
            successor = pair[1]
            if constraints:
                try:
                    inside = _satisfies(constraints, successor, model)
                except RefuteError as exc:
                    self._stop((rank, ordinal), "error", exc)
                    return True
                if not inside:
                    self._pruned_keys.append(base | ordinal)
                    continue
            try:
                key = fp(successor)
            except Exception as exc:
                self._stop((rank, ordinal), "error",
                           _spec_error(exc, "the view or symmetry", successor, model))
                return True
            if claim is not None:
                claimed = claim(key, base | ordinal)
                while claimed < 0:
                    if self._full():
                        return True
                    claim = self._asked.claim
                    claimed = claim(key, base | ordinal)
                if not claimed:
                    continue
            elif key in asked:
                continue
            else:
                asked.add(key)
            kept.append(pair)
            kept_fps.append(key)
            kept_keys.append(base | ordinal)
        return False

    def _claim_set(self) -> Any:
        """The C set successors are claimed in (the machine's shared one, or this level's own),
        or None: the pure-Python fallback, with a :class:`~refute.engine.fpset.FingerprintSet`."""
        if self.shared is not None:
            return self.shared.table
        return self._asked if not isinstance(self._asked, FingerprintSet) else None

    def _full(self) -> bool:
        """The claim set is full: this level's own set doubles (False: go on), the shared one
        stops the level, to be expanded again with a larger one (True)."""
        if self.shared is None:
            self._asked = shared_seen.doubled(self._asked)
            return False
        self.overflowed = True
        self.expanding = False
        return True

    def _failing(self, keys: np.ndarray, pairs: list, test: Callable) -> tuple[int, int]:
        """The position of the first successor on which ``test`` raises."""
        for key, (_, state) in zip(keys, pairs):
            try:
                test(state)
            except Exception:
                return _position(int(key))
        return _position(int(keys[0]))

    def _stop(self, position: tuple[int, int], kind: str, payload: Any) -> None:
        if self.event is None or position < self.event[0]:
            self.event = (position, kind, payload)
        self.expanding = False

    def accept(self, chunk: int, owner: int, new: np.ndarray, held: tuple | None = None) -> None:
        """An owner's answer: which candidates of ``chunk`` it had not seen before this level."""
        keys, pairs = held if held is not None else self._waiting.pop((chunk, owner))
        if self.last or not new.any():
            return
        kept = [pair for pair, fresh in zip(pairs, new) if fresh]
        self._parts[chunk].append(self._candidates.append(keys[new], kept, self.budget.spilling))

    # -- owner side ---------------------------------------------------------------------

    def answer(self, holder: int, fps: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Which of ``fps`` were not seen in an earlier level (``holder`` holds them)."""
        new = ~self.seen.contains(fps)
        if new.any():
            keys = keys[new]
            if self.last:
                least = int(keys.min())
                if self.min_new_key is None or least < self.min_new_key:
                    self.min_new_key = least
            else:
                self._asked_by.append((fps[new], keys, np.full(len(keys), holder, np.int16)))
        return new

    def winners(self) -> tuple[np.ndarray, np.ndarray, int | None]:
        """End of level, owner side: the least key per new fingerprint, and who holds it.

        With a shared set every holder answers for itself: its candidates whose key is still
        the least claimed for their fingerprint.
        """
        if self.shared is not None and self._claimed and not self.last:
            fps = np.concatenate([part[0] for part in self._claimed])
            keys = np.concatenate([part[1] for part in self._claimed])
            self._claimed = []
            keys = keys[self.shared.lookup(fps) == keys]
            self.numbered += len(keys)
            return keys, np.full(len(keys), self.index, np.int16), None
        if self.last or not self._asked_by:
            return np.empty(0, np.int64), np.empty(0, np.int16), self.min_new_key
        fps = np.concatenate([part[0] for part in self._asked_by])
        keys = np.concatenate([part[1] for part in self._asked_by])
        holders = np.concatenate([part[2] for part in self._asked_by])
        self._asked_by = []
        order = np.lexsort((keys, fps))
        fps = fps[order]
        head = np.ones(len(fps), dtype=bool)
        head[1:] = fps[1:] != fps[:-1]
        won = order[head]
        self.seen.add(fps[head])
        if self.budget.check() and self.seen.memory_bytes > (self.budget.share or 0) // 4:
            self.seen.spill()
        return keys[won], holders[won], None

    # -- holder side: the level's end ---------------------------------------------------

    def finish(self, won_keys: np.ndarray, won_ranks: np.ndarray,
               check_below: int | None = None) -> LevelReport:
        """Keep this holder's winners (sorted keys, their ranks) as the next frontier.

        Invariants are checked in rank order up to this holder's first violation, and not at
        or past ``check_below`` (an earlier event of another holder is known to stop the run).
        """
        report = LevelReport(self.index, successors=self.level_generated,
                             timed_out=self.timed_out)
        self._won_keys = won_keys
        self._won_actions = np.empty(len(won_keys), np.int16)
        frontier = BlockStore(self.spill_dir)
        taken = 0
        pending_states: list = []
        pending_ranks: list = []
        checking_violations = True
        invariants = self.invariants
        # Chunks are in key order, each chunk's keys above the last one's, except after a stolen
        # block (whose ranks interleave with this holder's): then all are sorted at once.
        groups = ([list(range(self._chunks))] if self._stolen else
                  [[chunk] for chunk in range(self._chunks)])
        for group in groups:
            parts = [self._candidates.get(number) for chunk in group
                     for number in self._parts[chunk]]
            if not parts:
                continue
            keys = np.concatenate([part[0] for part in parts])
            pairs = [pair for part in parts for pair in part[1]]
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            stop = np.searchsorted(won_keys, keys[-1], side="right")
            mine = won_keys[taken:stop]
            picked = order[np.searchsorted(keys, mine)].tolist()
            won = [pairs[i] for i in picked]
            actions = self.actions
            self._won_actions[taken:stop] = [actions[pair[0][0]] for pair in won]
            rank_list = won_ranks[taken:stop].tolist()
            for offset, (_, state) in enumerate(won):
                rank = rank_list[offset]
                if checking_violations and self.event is not None and \
                        _position(int(mine[offset])) >= self.event[0]:
                    checking_violations = False
                if checking_violations and check_below is not None and rank >= check_below:
                    checking_violations = False
                if checking_violations:
                    checking = None
                    try:
                        for checking in invariants:
                            if not checking.test(state):
                                self._stop(_position(int(mine[offset])), "violation",
                                           (rank, checking.name))
                                checking_violations = False
                                break
                    except Exception as exc:
                        self._stop(_position(int(mine[offset])), "error",
                                   _spec_error(exc, f"invariant {checking.name}", state,
                                               self.model))
                        checking_violations = False
                pending_states.append(state)
                pending_ranks.append(rank)
                if len(pending_states) == BLOCK:
                    frontier.append(np.array(pending_ranks, np.int64), pending_states,
                                    self.budget.check())
                    pending_states, pending_ranks = [], []
            taken = stop
        if pending_states:
            frontier.append(np.array(pending_ranks, np.int64), pending_states, self.budget.check())
        self._candidates.close()
        self.frontier.close()
        self.frontier = frontier
        report.frontier = len(frontier)
        report.event = self.event
        return report

    def partial(self, key: int) -> Partial:
        """Counts up to a cut: the successors (and new states) of key <= ``key``, a key being
        (parent rank, successor position). The sequential search stops at the successor it
        checks, so it has generated none after it (as TLC, which checks each successor as it
        generates it)."""
        ranks = np.concatenate(self._parent_ranks) if self._parent_ranks else np.empty(0, np.int64)
        counts = np.concatenate(self._counts) if self._counts else np.empty(0, np.int64)
        actions = np.concatenate(self._fired) if self._fired else np.empty(0, np.int16)
        parent, ordinal = key >> ORDINAL_BITS, key & ORDINAL_MASK
        taken = np.where(ranks < parent, counts,
                         np.where(ranks == parent, np.minimum(counts, ordinal + 1), 0))
        generated = int(taken.sum())
        position = np.arange(len(actions)) - np.repeat(np.cumsum(counts) - counts, counts)
        fired = np.bincount(actions[position < np.repeat(taken, counts)], minlength=len(self.actions))
        won = getattr(self, "_won_keys", np.empty(0, np.int64))
        found = np.bincount(self._won_actions[won <= key], minlength=len(self.actions)) \
            if len(won) else np.zeros(len(self.actions), np.int64)
        pruned = int(np.count_nonzero(np.frombuffer(self._pruned_keys, np.int64) <= key)) \
            if len(self._pruned_keys) else 0
        return Partial(generated, fired, found, pruned)

    def totals(self) -> Partial:
        """This level's counts when no event cut it."""
        actions = np.concatenate(self._fired) if self._fired else np.empty(0, np.int16)
        fired = np.bincount(actions, minlength=len(self.actions))
        won = getattr(self, "_won_actions", np.empty(0, np.int16))
        return Partial(self.level_generated, fired, np.bincount(won, minlength=len(self.actions)),
                       len(self._pruned_keys))

    # -- rebalancing and checkpoints ----------------------------------------------------

    def give(self, amount: int) -> tuple[np.ndarray, list]:
        """Hand over ``amount`` frontier states, evenly spread over the rank range."""
        ranks, states = self._all_frontier()
        chosen = np.zeros(len(states), dtype=bool)
        chosen[np.linspace(0, len(states) - 1, amount).astype(np.int64)] = True
        kept = [s for s, c in zip(states, chosen) if not c]
        given = [s for s, c in zip(states, chosen) if c]
        self._set_frontier(ranks[~chosen], kept)
        return ranks[chosen], given

    def take(self, ranks: np.ndarray, states: list) -> None:
        mine, held = self._all_frontier()
        ranks = np.concatenate([mine, ranks])
        held += states
        order = np.argsort(ranks, kind="stable")
        self._set_frontier(ranks[order], [held[i] for i in order])

    def _all_frontier(self) -> tuple[np.ndarray, list]:
        ranks = [block[0] for block in self.frontier]
        states = [state for block in self.frontier for state in block[1]]
        return (np.concatenate(ranks) if ranks else np.empty(0, np.int64)), states

    def _set_frontier(self, ranks: np.ndarray, states: list) -> None:
        self.frontier.close()
        self.frontier = BlockStore(self.spill_dir)
        spill = self.budget.check()
        for start in range(0, len(states), BLOCK):
            self.frontier.append(ranks[start:start + BLOCK], states[start:start + BLOCK], spill)

    def snapshot(self) -> tuple[np.ndarray, np.ndarray, list]:
        """(owned fingerprints, frontier ranks, frontier states), for a checkpoint."""
        ranks, states = self._all_frontier()
        if self.shared is None:
            return self.seen.to_array(), ranks, states
        fingerprints = self.shared.fingerprints()  # owned as the owner-sharded search would
        return fingerprints[np.remainder(fingerprints, self.count) == self.index], ranks, states

    def stats(self) -> WorkerStats:
        """This worker's part of the run so far, for the Result."""
        owned = len(self.seen) if self.shared is None else self.numbered
        return WorkerStats(self.index, owned, self.generated,
                           time.perf_counter() - self._started, peak_rss(), self.budget.spilling,
                           time.process_time() - self._cpu_started)

    @property
    def spilled_ever(self) -> bool:
        return self.budget.spilling

    def close(self) -> None:
        self.frontier.close()
        self._candidates.close()
        self.seen.close()


class Workers(Protocol):
    """How a :class:`Coordinator` reaches its N workers, whatever carries the messages.

    One call per step of a level; each returns when every worker has done its part, with
    one answer per worker in worker order. :mod:`.parallel` implements it with queues
    between processes, :mod:`.ray_explorer` with calls to Ray actors.
    """

    def expand(self, last: bool, deadline: float | None) -> None:
        """Expand every frontier (:meth:`Shard.expand`), answering each other's membership
        questions, until none is left; ``deadline`` is a :func:`time.time` instant or None."""

    def winners(self) -> list[tuple[np.ndarray, np.ndarray, int | None]]:
        """:meth:`Shard.winners` of every owner."""

    def finish(self, per_holder: list[tuple[np.ndarray, np.ndarray]]
               ) -> list[tuple[LevelReport, Partial]]:
        """:meth:`Shard.finish` of every holder with its (keys, ranks), and its totals."""

    def partial(self, key: int) -> list[Partial]:
        """:meth:`Shard.partial` of every holder."""

    def rebalance(self, moves: list[tuple[int, int, int]]) -> None:
        """Move frontier states: ``(giver, taker, amount)`` as :func:`plan_rebalance` says."""

    def snapshot(self, path: str) -> None:
        """Every worker writes its shard into the checkpoint directory ``path``."""


class ProgressBoard:
    """What each worker last said about its progress, shown every ``progress_interval``."""

    def __init__(self, coordinator: Coordinator) -> None:
        self.coordinator = coordinator
        self.show = coordinator.options.progress
        self.interval = coordinator.options.progress_interval
        self.workers: dict[int, tuple[float, int, int, int, bool]] = {}
        self.next = time.perf_counter() + self.interval

    def update(self, worker: int, rate: float, level_generated: int, queue: int, rss: int,
               spilling: bool) -> None:
        self.workers[worker] = (rate, level_generated, queue, rss, spilling)

    def new_level(self) -> None:
        """The coordinator now counts the last level's successors: forget the workers'."""
        self.workers = {w: (p[0], 0, *p[2:]) for w, p in self.workers.items()}

    def maybe_report(self) -> None:
        now = time.perf_counter()
        if self.show is None or now < self.next:
            return
        self.next = now + self.interval
        generated = sum(p[1] for p in self.workers.values())
        queue = sum(p[2] for p in self.workers.values())
        workers = tuple(WorkerProgress(i, p[0], p[3], p[4])
                        for i, p in sorted(self.workers.items()))
        self.show(self.coordinator.progress(generated, queue, workers))


@dataclass
class Coordinator:
    """The global side: initial states, ranks, parent links, events, counts, the Result."""

    model: Model
    options: Options
    workers: int
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        model = self.model
        self.invariants = select_invariants(model, self.options.invariants)
        self.constraints = tuple(p.test for p in model.constraints)
        self.parents = array("I")
        self.ordinals = array("I")
        self.generated = 0
        self.depth = 0
        self.fired = np.zeros(len(model.action_names), np.int64)
        self.found = np.zeros(len(model.action_names), np.int64)
        self.stop: StopReason | None = None
        self.pruned = 0  # successors (and initial states) outside the constraints, before the stop
        self.level_keys = np.empty(0, np.int64)
        self.level_base = 0  # rank of the first state of the last level numbered: the frontier
        self.elapsed_before = 0.0  # seconds of the runs this one resumes
        self.completed = 0  # states of the levels finished (what a stopped run reports)

    @property
    def distinct(self) -> int:
        return len(self.parents)

    def initial(self) -> tuple[Result | None, list[tuple[np.ndarray, list]], np.ndarray]:
        """The first level, exactly as :func:`~refute.engine.bfs.explore` does it.

        Returns a finished Result if an initial state violates an invariant, else per worker
        its (ranks, states), and every initial fingerprint (owners keep theirs).
        """
        model = self.model
        fp = state_fingerprint(model)
        seen: set[int] = set()
        states: list = []
        fps: list[int] = []
        state = None
        checking = None
        try:
            for ordinal, state in enumerate(model.init_states()):
                self.generated += 1
                if self.constraints and not _satisfies(self.constraints, state, model):
                    self.pruned += 1
                    continue
                key = fp(state)
                if key in seen:
                    continue
                seen.add(key)
                index = len(self.parents)
                self.parents.append(ROOT)
                self.ordinals.append(ordinal)
                self.depth = 1
                for checking in self.invariants:
                    if not checking.test(state):
                        violation = Violation(ViolationKind.INVARIANT, checking.name,
                                              self.trace(index))
                        return self.result(Status.VIOLATION, violation), [], np.empty(0, np.int64)
                checking = None
                states.append(state)
                fps.append(key)
        except RefuteError:
            raise
        except Exception as exc:
            doing = f"invariant {checking.name}" if checking is not None else "the view or symmetry"
            raise SpecError.from_exception(exc, doing, state, model.source) from None
        shares = []
        for worker in range(self.workers):
            ranks = np.arange(worker, len(states), self.workers, dtype=np.int64)
            shares.append((ranks, [states[i] for i in ranks]))
        self.completed = len(self.parents)
        return None, shares, np.array(fps, dtype=np.int64)

    @property
    def frontier(self) -> int:
        """States of the level to be expanded next (ranks ``level_base`` onwards)."""
        return len(self.parents) - self.level_base

    @property
    def last_level(self) -> bool:
        return self.options.max_depth is not None and self.depth >= self.options.max_depth

    def run(self, workers: Workers, boundary: Callable[[], None] = lambda: None) -> Result:
        """Drive ``workers`` level by level to the Result of the search.

        ``boundary`` is called at every level boundary the run goes on from (checkpoints,
        progress). A worker past its share of ``--memory-limit`` with everything spilled
        (:class:`~.spill.OutOfMemory`) ends the run incomplete, with the counts of the levels
        finished: a partial level is never counted.
        """
        deadline = None
        if self.options.time_limit is not None:
            deadline = time.time() + max(self.options.time_limit - self.elapsed_before, 0.0)
        self.completed = len(self.parents)
        try:
            while True:
                workers.expand(self.last_level, deadline)
                winners = workers.winners()
                least_new = [w[2] for w in winners if w[2] is not None]
                finished = workers.finish(self.assign_ranks([w[:2] for w in winners]))
                reports = [f[0] for f in finished]
                event = self.first_event(reports)
                if event is not None and event[1] != "error":
                    counts = workers.partial(self.cut_key(event))
                else:
                    counts = [f[1] for f in finished]
                result = self.conclude(event, counts, min(least_new) if least_new else None,
                                       any(r.timed_out for r in reports))
                if result is not None:
                    return result
                self.completed = len(self.parents)
                workers.rebalance(plan_rebalance([r.frontier for r in reports]))
                boundary()
        except OutOfMemory as exc:
            return self.out_of_memory(exc)

    def out_of_memory(self, exc: OutOfMemory) -> Result:
        """The run did not fit in --memory-limit even spilled: incomplete, with the counts of
        the levels finished (the level being expanded is not counted)."""
        del self.parents[self.completed:]
        del self.ordinals[self.completed:]
        self.stop = StopReason.MEMORY_LIMIT
        result = self.result(Status.INCOMPLETE)
        return replace(result, warnings=result.warnings + (exc.message,))

    def assign_ranks(self, winners: Sequence[tuple[np.ndarray, np.ndarray]]
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Global ranks for the level's winners; per holder its (sorted keys, ranks)."""
        keys = np.concatenate([w[0] for w in winners]) if winners else np.empty(0, np.int64)
        holders = np.concatenate([w[1] for w in winners]) if winners else np.empty(0, np.int16)
        order = np.argsort(keys)
        keys = keys[order]
        holders = holders[order]
        base = len(self.parents)
        if base + len(keys) > MAX_STATES:
            raise UsageError(f"more than {MAX_STATES:,} distinct states: the parent links are "
                             "32-bit", hint="add a state constraint or --max-states")
        ranks = np.arange(base, base + len(keys), dtype=np.int64)
        self.parents.frombytes((keys >> ORDINAL_BITS).astype(np.uint32).tobytes())
        self.ordinals.frombytes((keys & ORDINAL_MASK).astype(np.uint32).tobytes())
        self.level_keys = keys
        self.level_base = base
        return [(keys[holders == h], ranks[holders == h]) for h in range(self.workers)]

    def first_event(self, reports: Sequence[LevelReport]) -> tuple | None:
        """The event the sequential search would have stopped at in this level, if any."""
        events = [r.event for r in reports if r.event is not None]
        max_states = self.options.max_states
        if max_states is not None and len(self.parents) >= max_states and len(self.level_keys):
            at = max(max_states - 1 - self.level_base, 0)
            events.append((_position(int(self.level_keys[at])), "max_states", at))
        if not events:
            return None
        # At one position a violation (or error) precedes max-states: invariants are checked
        # before the bound.
        order = {"error": 0, "deadlock": 0, "violation": 1, "max_states": 2}
        return min(events, key=lambda e: (e[0], order[e[1]]))

    def cut_key(self, event: tuple) -> int:
        """The last successor key counted at ``event`` (a deadlocked parent has none)."""
        (parent, ordinal), kind, _ = event
        if kind == "deadlock":
            return (parent << ORDINAL_BITS) - 1
        return (parent << ORDINAL_BITS) | ordinal

    def conclude(self, event: tuple | None, counts: Sequence[Partial], min_new_key: int | None,
                 timed_out: bool) -> Result | None:
        """Account for a finished level; a Result when the run stops here."""
        for part in counts:
            self.generated += part.generated
            self.fired += part.fired
            self.found += part.found
            self.pruned += part.pruned
        if event is None:
            if self.last_level and min_new_key is not None:
                self.stop = StopReason.MAX_DEPTH
            if timed_out:
                self.stop = StopReason.TIME_LIMIT
                return self.result(Status.INCOMPLETE)
            if len(self.level_keys) and not self.last_level:
                self.depth += 1
                return None
            return self.result(Status.INCOMPLETE if self.stop else Status.OK)
        (parent, ordinal), kind, payload = event
        if kind == "error":
            raise payload
        limit = self.cut_key(event)
        if self.last_level and min_new_key is not None and min_new_key <= limit:
            self.stop = StopReason.MAX_DEPTH
        counted = int(np.searchsorted(self.level_keys, limit, side="right"))
        del self.parents[self.level_base + counted:]
        del self.ordinals[self.level_base + counted:]
        if kind == "deadlock":
            violation = Violation(ViolationKind.DEADLOCK, "deadlock", self.trace(parent))
            if counted:  # TLC's depth: the deepest state found before it
                self.depth += 1
            return self.result(Status.VIOLATION, violation)
        self.depth += 1
        if kind == "max_states":
            self.stop = StopReason.MAX_STATES
            return self.result(Status.INCOMPLETE)
        rank, name = payload
        violation = Violation(ViolationKind.INVARIANT, name, self.trace(rank))
        return self.result(Status.VIOLATION, violation)

    def trace(self, index: int) -> tuple:
        return rebuild_trace(self.model, self.parents, self.ordinals, index)

    def progress(self, generated: int, queue: int,
                 workers: tuple[WorkerProgress, ...]) -> ParallelProgress:
        return ParallelProgress(len(self.parents), self.generated + generated, queue, self.depth,
                                self.seconds, workers)

    @property
    def seconds(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.started

    def result(self, status: Status, violation: Violation | None = None) -> Result:
        model = self.model
        fired = {a: int(self.fired[i]) for i, a in enumerate(model.action_names)}
        found = {a: int(self.found[i]) for i, a in enumerate(model.action_names)}
        stop = self.stop
        return Result(
            status=status, spec=model.name, distinct_states=len(self.parents),
            states_generated=self.generated, depth=self.depth, seconds=self.seconds,
            violation=violation, stop_reason=stop,
            coverage=tuple(ActionCoverage(a, fired[a], found[a]) for a in model.action_names),
            checked=tuple(p.name for p in self.invariants)
            + (("deadlock",) if self.options.deadlock else ()),
            warnings=_warnings(model, fired, complete=stop is None and violation is None),
            pruned=self.pruned,
            constrained_by=tuple(p.name for p in model.constraints) if self.pruned else ())


def with_workers(result: Result, stats: Sequence[WorkerStats], memory_limit: int | None) -> Result:
    """``result`` with each worker's stats and, under ``--memory-limit``, a note on the peak
    RSS reached (this coordinator's and the workers' summed)."""
    warnings = result.warnings
    if memory_limit is not None:
        peak = peak_rss() + sum(w.peak_rss for w in stats)
        warnings += (memory_note(memory_limit, peak, any(w.spilled for w in stats)),)
    return replace(result, workers=tuple(stats), warnings=warnings)


def plan_rebalance(sizes: Sequence[int]) -> list[tuple[int, int, int]]:
    """Moves ``(from, to, count)`` that even out the frontier sizes, when worth it.

    A worker holding 10% more than its share (and at least a block more) gives the surplus to
    the ones below their share.
    """
    total = sum(sizes)
    if len(sizes) < 2 or total < 2 * BLOCK:
        return []
    share = total / len(sizes)
    if max(sizes) <= share * 1.1 + BLOCK:
        return []
    surplus = [[w, int(s - share)] for w, s in enumerate(sizes) if s > share]
    deficit = [[w, int(share - s)] for w, s in enumerate(sizes) if s < share]
    moves = []
    for giver in surplus:
        for taker in deficit:
            amount = min(giver[1], taker[1])
            if amount > 0:
                moves.append((giver[0], taker[0], amount))
                giver[1] -= amount
                taker[1] -= amount
    return moves
