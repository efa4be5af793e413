"""The compiled backend: a TLA+ model explored by native code, with the interpreter's answers.

:func:`compile_model` lowers a loaded :class:`~refute.tla.model.TLAModel` to the IR, emits C,
builds (or finds in the cache) and loads it. :func:`explore` runs the native breadth-first
search and returns the same :class:`~refute.engine.result.Result` the interpreter's
:func:`refute.engine.bfs.explore` returns: the native search keeps the interpreter's order
(initial states, then each state's successors in ``next_states`` order), so its counts,
depth and parent links are the interpreter's, and a counterexample is rebuilt by replaying
those links through the interpreter's model (which also gives the trace its labels and
values exactly as an interpreted run shows them). A spec error met by native code (a
function applied outside its domain...) makes the interpreter run the model again, so that
the error is reported as it always is.

:func:`verify` explores both ways and compares every state, in discovery order, and the
number of successors of each.
"""

from __future__ import annotations

import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from refute.compiled.emit_c import emit
from refute.compiled.from_tla import lower
from refute.compiled.ir import Unsupported
from refute.compiled import checkpoint as checkpoints
from refute.compiled.native import Native, build, refute_version
from refute.engine import bfs
from refute.engine.result import ActionCoverage, Result, StopReason, Violation, ViolationKind
from refute.engine.parallel import WorkerDied
from refute.engine.trace import ROOT, rebuild_trace
from refute.errors import UsageError
from refute.limits import Watch
from refute.status import Status

(_ST_OK, _ST_INVARIANT, _ST_DEADLOCK, _ST_ERROR, _ST_MAX_STATES, _ST_MAX_DEPTH, _ST_TIME,
 _ST_CONSTRAINT, _ST_MEMORY, _ST_INTERRUPTED, _ST_BAD_CHECKPOINT,
 _ST_CHECKPOINT_FAILED) = range(12)  # runtime.h's ST_*
_INTERPRETER_ONLY = 17  # the native code's error code where it meets ("interpreted" in the IR)
_WORKER_DIED = 200  # runtime/workers.c: a worker process ended (killed) during the run
ONE_PROCESS = ("compiled backend: the search ran in one process (--workers is not used where a "
               "PROPERTY's [][A]_v or initial predicate is checked, nor where a CONSTRAINT "
               "prunes successors, checked before they are dropped as TLC checks them, nor where "
               "actions compose, A \\cdot B: the workers do not count intermediate states)")


@dataclass
class Compiled:
    native: Native
    invariant_names: list[str]
    """What the native search checks, by the runtime's numbers: the invariants, then (TLA+) a
    PROPERTY's ``[][A]_v`` and initial predicates, named after their PROPERTY."""
    labels: list[str]
    compile_seconds: float  # lowering, emitting and building (building: 0 when cached)
    cached: bool
    values_of: Callable[[Any], tuple] = tuple  # an interpreted state's variables, for --verify
    terminal_compiled: bool = False  # the native search tests the model's terminal states
    states_of: Callable[[list], list] | None = None
    """The interpreter's states for native ones (tuples of the variables): a Python spec's
    own state objects; None: the tuples are the interpreter's states (TLA+)."""
    step_labels: Callable[[list], Callable[[int, int], Any]] | None = None
    """Given the states, the label of a recorded step from its source and action instance;
    None: the instance's label, known beforehand (TLA+)."""
    constant: bool = False  # a constant module: its ASSUMEs are what the native code evaluates
    interpreted_instead: str | None = None
    """Why the last :func:`explore` handed the model to the interpreter (None: it did not)."""
    property_checks: frozenset = frozenset()
    """The names of ``invariant_names`` the workers' search does not check (runtime/workers.c):
    a PROPERTY's ``[][A]_v`` and initial predicates."""
    checked_here: tuple = ((), ())
    """The numbers of a PROPERTY's ``[][A]_v`` and initial predicates not lowered (in the
    model's ``_action_checks`` and ``_initial_checks``): :func:`explore` checks them on the
    states and steps the native search records."""
    one_process: bool = False
    """Whether the last :func:`explore`, asked for workers, ran in one process (it recorded
    the states to check what the native code does not on them, or checked a PROPERTY's
    ``[][A]_v`` or initial predicate): :data:`ONE_PROCESS` says so."""
    memory: dict | None = None
    """The last one-process :func:`explore`'s seen set and parent links, in bytes
    (:meth:`~refute.compiled.native.Native.memory`; None: it did not run one)."""
    live_in_python: int | None = None
    """How many of the liveness check's predicates the last :func:`explore` evaluated in
    Python, its graph built from the arrays (0: all natively); None: it told the graph step by
    step (:func:`_replay`), or built none."""
    live_index: dict = field(default_factory=dict)
    """The liveness check's predicates (their Python tests) -> their numbers in the native
    code (:mod:`.live`); one not there, or not lowered, is evaluated in Python."""


def compile_model(model: Any) -> Compiled:
    """``model`` compiled and loaded; :class:`Unsupported` names what stops it."""
    started = time.perf_counter()
    ir = lower(model)
    source, atoms = emit(ir)
    built = build(source)
    native = Native(built.path, atoms)
    native.on_print = _print_as_the_interpreter
    steps = [name for name, *_ in model.property_steps + model.property_initials]
    names = list(model.config.invariants) + [name for name, *_ in model.property_invariants] + steps
    unchecked = [p.name for p in model.invariants if p.name not in names]
    if unchecked:  # (every check the interpreter makes has its native counterpart above)
        raise Unsupported(f"checking {unchecked[0]}", model.config.file)
    nv = len(model.variables)  # (a state violating a PROPERTY carries its name after them)
    here = (tuple(k for k, e in enumerate(ir.step_checks) if e is None),
            tuple(k for k, e in enumerate(ir.initial_checks) if e is None))
    unfolder = getattr(model, "_unfolder", None)
    live_index = {} if unfolder is None else {test: k for k, test in enumerate(unfolder.origins)}
    return Compiled(native, names, ir.labels, time.perf_counter() - started, built.cached,
                    values_of=lambda state: tuple(state[:nv]), constant=ir.init is None,
                    property_checks=frozenset(steps), checked_here=here, live_index=live_index)


def _print_as_the_interpreter(value: Any, then: Any = None) -> None:
    """What Print (``value``, then ``then``, two spaces apart) and PrintT (``then`` None)
    write (:func:`refute.tla.stdlib._print`: standard error)."""
    from refute.tla.values import format_value

    print(format_value(value) if then is None else f"{format_value(value)}  {format_value(then)}",
          file=sys.stderr)


def compile_spec(model: Any) -> Compiled:
    """A Python spec's model compiled and loaded (:mod:`.python_spec`)."""
    from refute.compiled import python_spec

    started = time.perf_counter()
    native, labels, cached = python_spec.load(model)
    return Compiled(native, [p.name for p in model.invariants], labels,
                    time.perf_counter() - started, cached,
                    values_of=python_spec.record_values, terminal_compiled=True,
                    states_of=native.interpreter_states, step_labels=native.step_labels(model))


def explore(model: Any, compiled: Compiled, options: bfs.Options = bfs.Options(),
            graph: bfs.GraphObserver | None = None, workers: int = 1,
            checkpoint: checkpoints.Plan | None = None) -> Result:
    """Explore ``model`` natively; the same Result as ``refute.engine.bfs.explore``, and
    ``graph`` (the liveness check's state graph, ``--dump-graph``) told the same states and
    steps in the same order.

    The native search checks what the interpreter's checks (invariants, a ``PROPERTY``'s
    ``[]P``, ``[][A]_v`` and initial predicate) where the interpreter checks them, and stops
    where it stops, with its counts and counterexample. A ``[][A]_v`` or initial predicate
    the native code does not evaluate (:attr:`Compiled.checked_here`) is evaluated here on
    the states and steps it recorded; if one fails (or errs) there, the interpreter runs the
    model instead, and gives exactly its answer.

    ``workers`` > 1: the native search runs in that many processes (runtime/workers.c) with
    the same result; a run that records its states (``graph``, or checks made here on them)
    or checks a ``[][A]_v`` or initial predicate, or composes actions (``A \\cdot B``: the
    workers do not count intermediate states) runs in one (``compiled.one_process``).

    ``options.memory_limit`` (one process only: :func:`refute.engine.run.native_scale`): the
    search stops between two expansions where growing its tables would pass it, or once the
    process's resident memory has; the result is incomplete, with the counts of what it did.

    ``checkpoint``: write checkpoints of the one-process search and start from one
    (:mod:`.checkpoint`); a run that records its states (``graph``, a PROPERTY's checks made
    here) or has workers writes none, and says so in a warning."""
    started = time.perf_counter()
    invariants = bfs.select_invariants(model, options.invariants)
    chosen = {p.name for p in invariants}
    selected = [name in chosen for name in compiled.invariant_names]
    steps_here = [model._action_checks[k] for k in compiled.checked_here[0]
                  if model._action_checks[k][0] in chosen]
    initials_here = [model._initial_checks[k] for k in compiled.checked_here[1]
                     if model._initial_checks[k].name in chosen]
    record = graph is not None or bool(steps_here or initials_here)
    # the workers' search (runtime/workers.c) drops a successor outside the constraints
    # unchecked: one process checks it, as TLC does; nor does it count intermediate states
    in_one = record or bool(chosen & compiled.property_checks) or bool(
        model.constraints and invariants) or compiled.native.composes
    deadlock = options.deadlock and (compiled.terminal_compiled or not model.is_terminal(None))
    native = compiled.native
    compiled.interpreted_instead = None
    compiled.live_in_python = None
    status, notes, before = _run(model, compiled, options, selected, deadlock, record,
                                 1 if in_one else workers, checkpoint, graph is not None)
    compiled.one_process = workers > 1 and in_one and graph is None
    counts = native.counts()
    compiled.memory = None
    if status == _ST_ERROR and counts["error"] == _WORKER_DIED:
        raise WorkerDied("a worker process of the compiled search ended during the run: the "
                         "run is stopped, since the counts would be wrong",
                         hint="run again (signal 9 is often the kernel's out-of-memory "
                              "killer), or with --workers 1")
    if compiled.constant and status != _ST_ERROR:
        # no state to explore: the run is its ASSUMEs, which the interpreter found true when
        # it loaded the model; natively otherwise (a bug), the interpreter's answer stands
        if any(v != 1 for v in native.assumptions()):
            compiled.interpreted_instead = "an ASSUME the native code does not find true"
            return bfs.explore(model, options, graph=graph)
    elif status == _ST_ERROR or (not counts["generated"] and status != _ST_MEMORY):
        # the interpreter meets the same error in the same state and reports it, located; and
        # a model with no initial state is the interpreter's to refuse (a spec error at Init)
        # or, without variables, to report (its ASSUMEs are all there is to check)
        compiled.interpreted_instead = (
            "no initial state" if status != _ST_ERROR else
            "an operator only the interpreter evaluates" if counts["error"] == _INTERPRETER_ONLY
            else f"an evaluation error (code {counts['error']})")
        return bfs.explore(model, options, graph=graph)
    n = counts["distinct"]
    if record:
        decoded = _Decoded(model, compiled, n)
        if steps_here or initials_here:
            parents = native.array32("refute_parents", n)
            initials = next((k for k, p in enumerate(parents) if p != ROOT), n)
            if not _all_respected(model, decoded.states(), initials, decoded.edges(),
                                  decoded.afters(), steps_here, initials_here):
                compiled.interpreted_instead = "a PROPERTY's [][A]_v or initial predicate is violated"
                return bfs.explore(model, options, graph=graph)
        if _takes_arrays(graph, compiled):
            # the liveness check's graph, built from the arrays; only a complete search's is
            # read (refute.engine.liveness.check_model: not after a violation or a stop)
            if status not in (_ST_INVARIANT, _ST_DEADLOCK) and status not in _BOUNDS:
                from refute.compiled import live  # (numpy: imported where a graph is built)

                compiled.live_in_python = live.load(compiled, graph, n, decoded.states,
                                                    decoded.afters, lambda: _labels(model))
                if compiled.live_in_python is None:
                    _replay(model, compiled, decoded.states(), decoded.edges(), graph,
                            decoded.afters())
        elif graph is not None:
            # the interpreter does not tell the graph of a state that violates an invariant
            stored = status == _ST_INVARIANT and counts["index"] < n  # (else unstored, below)
            states = decoded.states()
            _replay(model, compiled, states[:n - 1] if stored else states,
                    decoded.edges(), graph, decoded.afters())
    if workers == 1 or record:
        compiled.memory = native.memory()
    fired = dict(zip(compiled.labels, native.array64("refute_fired", len(compiled.labels))))
    found = dict(zip(compiled.labels, native.array64("refute_found", len(compiled.labels))))
    violation = None
    stop = None
    result_status = Status.OK
    depth = counts["depth"]
    if status in (_ST_INVARIANT, _ST_DEADLOCK):
        # a violating successor not stored (seen before, or outside the constraints) has its
        # link one past the states found (runtime.c's unstored_violation)
        links = max(n, counts["index"] + 1) if status == _ST_INVARIANT else n
        parents = array("I", native.array32("refute_parents", links))
        ordinals = array("I", native.array32("refute_ordinals", links))
        trace = rebuild_trace(model, parents, ordinals, counts["index"])
        if status == _ST_INVARIANT:
            violation = Violation(ViolationKind.INVARIANT, compiled.invariant_names[counts["which"]], trace)
        else:
            violation = Violation(ViolationKind.DEADLOCK, "deadlock", trace)
            depth = _level(parents, n - 1)  # TLC's depth: the deepest state found so far
        result_status = Status.VIOLATION
    elif status == _ST_MAX_STATES:
        stop, result_status = StopReason.MAX_STATES, Status.INCOMPLETE
    elif status == _ST_MAX_DEPTH:
        stop, result_status = StopReason.MAX_DEPTH, Status.INCOMPLETE
    elif status == _ST_TIME:
        stop, result_status = StopReason.TIME_LIMIT, Status.INCOMPLETE
    elif status == _ST_MEMORY:
        stop, result_status = StopReason.MEMORY_LIMIT, Status.INCOMPLETE
    complete = stop is None and violation is None
    pruned = counts["constrained"]
    return Result(
        status=result_status, spec=model.name, distinct_states=n,
        states_generated=counts["generated"], depth=depth,
        seconds=before + time.perf_counter() - started, violation=violation, stop_reason=stop,
        coverage=tuple(ActionCoverage(a, fired.get(a, 0), found.get(a, 0)) for a in model.action_names),
        checked=tuple(p.name for p in invariants) + (("deadlock",) if options.deadlock else ()),
        warnings=tuple(getattr(model, "notes", ())) + notes + tuple(
            f"action {a} never fired: it is never enabled, or a guard is wrong"
            for a in model.action_names if fired.get(a, 0) == 0 and complete)
        + ((_memory_note(compiled.memory or {}, options.memory_limit or 0),)
           if status == _ST_MEMORY else ()),
        pruned=pruned, constrained_by=tuple(p.name for p in model.constraints) if pruned else ())


def _run(model: Any, compiled: Compiled, options: bfs.Options, selected: list[bool],
         deadlock: bool, record: bool, workers: int, checkpoint: checkpoints.Plan | None,
         graph: bool) -> tuple[int, tuple[str, ...], float]:
    """The native search's run, with ``checkpoint``'s checkpoints where the search takes them
    (one process, nothing recorded); its status, the warnings to add to its result and the
    time of the runs it resumes. A run Ctrl-C stopped raises KeyboardInterrupt once its
    checkpoint is written."""
    native = compiled.native
    writer = None
    time_limit = options.time_limit
    notes: tuple[str, ...] = ()
    if checkpoint is not None and (record or workers > 1):
        if not graph:  # (with a graph, refute.engine.run says so)
            why = ("it runs in worker processes" if workers > 1 else "it records its states "
                   "here (a PROPERTY's invariants are checked on them), which checkpoints do "
                   "not keep")
            notes = (f"no checkpoint was {'read' if checkpoint.resume else 'written'}: the "
                     f"compiled search does not checkpoint where {why}",)
        checkpoint = None
    if checkpoint is not None:
        header, time_limit = _prepare_checkpoints(model, compiled, options, deadlock, checkpoint)
        if checkpoint.directory is not None:
            writer = checkpoints.Writer(checkpoint.directory, header, native, header.seconds)
        native.checkpoint_every(checkpoint.interval if writer else None,
                                writer.due if writer else None)
    try:
        status = native.run(selected, deadlock, options.max_states, options.max_depth,
                            time_limit, keep=record, graph=record, workers=workers,
                            memory_limit=options.memory_limit)
    finally:
        native.checkpoint_every(None, None)
        native.resume_from(None)
    if checkpoint is None:
        return status, notes, 0.0
    if status == _ST_BAD_CHECKPOINT:
        raise UsageError("the checkpoint is damaged (cut short or altered) or is not of this "
                         "model", file=checkpoints.path_of(checkpoint.resume),
                         hint="run the check again from the start (without --resume)")
    if status == _ST_CHECKPOINT_FAILED:
        raise UsageError(f"cannot write a checkpoint into {checkpoint.directory}: "
                         f"{writer.error.strerror or writer.error}",
                         hint="give --checkpoint a directory with room and write permission")
    if writer is not None and status in (_ST_TIME, _ST_MAX_STATES, _ST_INTERRUPTED):
        try:
            where = writer.write({_ST_TIME: "time-limit", _ST_MAX_STATES: "max-states"}.get(
                status, "interrupted"))
            notes = (f"a checkpoint of where the run stopped is in {where}: refute check "
                     f"--resume {checkpoint.directory} goes on from there",)
        except OSError as exc:
            notes = (f"the checkpoint of where the run stopped could not be written into "
                     f"{checkpoint.directory}: {exc.strerror or exc}",)
        if status == _ST_INTERRUPTED:
            print(notes[0], file=sys.stderr)
            raise KeyboardInterrupt
    return status, notes, header.seconds


def _prepare_checkpoints(model: Any, compiled: Compiled, options: bfs.Options, deadlock: bool,
                        plan: checkpoints.Plan) -> tuple[checkpoints.Header, float | None]:
    """The header of the checkpoints this run writes, after setting the native search to
    start from ``plan.resume``'s (refused, located, unless it belongs to this run); and the
    run's time limit (what is left of it after the runs resumed)."""
    identity = checkpoints.Identity(
        spec=model.name, build=compiled.native.identity(), refute=refute_version(),
        invariants=tuple(p.name for p in bfs.select_invariants(model, options.invariants)),
        deadlock=deadlock,
        max_depth=options.max_depth)
    header = checkpoints.Header(identity=identity, source=checkpoints.recorded(plan.source),
                                max_states=options.max_states, time_limit=options.time_limit)
    time_limit = options.time_limit
    if plan.resume is not None:
        resumed, offset = checkpoints.read(plan.resume)
        checkpoints.refuse_other(plan.resume, resumed, identity)
        checkpoints.refuse_spent(plan.resume, resumed, options.max_states, time_limit)
        header.seconds = resumed.seconds
        header.source = resumed.source if header.source is None else header.source
        if time_limit is not None:  # (> 0: the C side's 0 is "no limit")
            time_limit = max(time_limit - resumed.seconds, 1e-9)
        compiled.native.resume_from(checkpoints.path_of(plan.resume), offset)
    return header, time_limit


def _memory_note(memory: dict, limit: int) -> str:
    """Where a search that --memory-limit stopped stood."""
    from refute.limits import format_size

    wanted = memory.get("wanted", 0)
    more = f", about to add {format_size(wanted)}" if wanted else ""
    return (f"the native search stopped at {format_size(memory.get('resident', 0))} resident"
            f"{more} (limit {format_size(limit)}); its seen set and parent links held "
            f"{format_size(memory.get('seen', 0) + memory.get('links', 0))}")


def _level(parents: array, index: int) -> int:
    """The BFS level of state ``index`` (an initial state's is 1), by its parent links."""
    level = 1
    while parents[index] != ROOT:
        index = parents[index]
        level += 1
    return level


def _all_respected(model: Any, states: list, initials: int, edges: tuple, afters: list | None,
                   step_checks: list, initial_checks: list) -> bool:
    """Whether every step found satisfies the ``[][A]_v`` of ``step_checks`` (``(name, test,
    node)``) and the ``initials`` initial states (the first states) the predicates
    ``initial_checks``; an error is a no as well. ``afters``: each step's successor, where it
    is not the state kept for it."""
    try:
        for p in initial_checks:
            if not all(map(p.test, states[:initials])):
                return False
        if step_checks:
            labels = _labels(model)
            sources, targets, _, instances = edges
            ends = afters if afters is not None else [states[t] for t in targets]
            for _, test, _ in step_checks:
                for s, a, after in zip(sources, instances, ends):
                    if not test(labels[a], states[s], after):
                        return False
    except Exception:  # noqa: BLE001 (the interpreter reports it, located, running again)
        return False
    return True


class _Decoded:
    """The recorded states and steps of the last native search, decoded when first asked."""

    def __init__(self, model: Any, compiled: Compiled, n: int) -> None:
        self.model, self.compiled, self.n = model, compiled, n
        self._states: list | None = None
        self._edges: tuple | None = None
        self._afters: list | None = None

    def states(self) -> list:
        if self._states is None:
            states = self.compiled.native.states(self.n)
            self._states = states if self.compiled.states_of is None else \
                self.compiled.states_of(states)
        return self._states

    def edges(self) -> tuple:
        if self._edges is None:
            self._edges = self.compiled.native.edges()
        return self._edges

    def afters(self) -> list | None:
        """Each step's successor, where it need not be the state kept for it (a VIEW or
        SYMMETRY merges states); None otherwise."""
        if self.model.view is None and not self.model.symmetry:
            return None
        if self._afters is None:
            native = self.compiled.native
            afters = native.states(native.lib.refute_nedges(), successors=True)
            self._afters = afters if self.compiled.states_of is None else \
                self.compiled.states_of(afters)
        return self._afters


def _takes_arrays(graph: Any, compiled: Compiled) -> bool:
    """Whether ``graph`` is the liveness check's builder alone, of a TLA+ model (whose
    fairness members are all ``True``): built at once from the arrays (:mod:`.live`)."""
    from refute.engine.fair_scc import GraphBuilder

    return type(graph) is GraphBuilder and compiled.step_labels is None and \
        compiled.states_of is None


def _labels(model: Any) -> list:
    from refute.tla.model import TLALabel
    return [TLALabel(name, params) for name, params, *_ in model.actions]


def _replay(model: Any, compiled: Compiled, states: list, edges: tuple,
            graph: bfs.GraphObserver, afters: list | None) -> None:
    """Tell ``graph`` the native search's states and steps in the order the interpreter's
    search tells them (:func:`refute.engine.bfs.explore`): the initial states, then each
    step, a new state just before the step that found it (the native search records both
    at once). A state's key is its number + 1. Only ``states`` and the steps into them are
    told. ``afters``: each step's successor, where it is not the state kept for it."""
    native = compiled.native
    n = len(states)
    parents = native.array32("refute_parents", n)
    ordinals = native.array32("refute_ordinals", n)
    if compiled.step_labels is None:
        labels = _labels(model)
        label_of = lambda _source, action: labels[action]  # noqa: E731
    else:
        label_of = compiled.step_labels(states)
    announced = 0
    while announced < n and parents[announced] == ROOT:
        graph.state(states[announced], announced + 1, ROOT, ordinals[announced])
        announced += 1
    for number, (source, target, position, action) in enumerate(zip(*edges)):
        if target >= n:
            break
        if target == announced:
            graph.state(states[target], target + 1, parents[target], ordinals[target])
            announced += 1
        after = states[target] if afters is None else afters[number]
        graph.edge(source, position, target + 1, label_of(source, action), states[source], after)


@dataclass
class Verification:
    """The outcome of ``--verify``: equal, different (the first state where the backends
    differ), or cut short by a bound or limit of the run (``complete`` false: the backends
    agree as far as they were compared, which is not equality)."""

    equal: bool
    states: int
    message: str
    complete: bool = True

    @property
    def differs(self) -> bool:
        return not self.equal and self.complete


_BOUNDS = {_ST_MAX_STATES: "--max-states", _ST_MAX_DEPTH: "--max-depth", _ST_TIME: "--time-limit",
           _ST_MEMORY: "--memory-limit"}


def verify(model: Any, compiled: Compiled, options: bfs.Options = bfs.Options()) -> Verification:
    """Explore both ways as the check ``options`` describes and compare what they did: each
    state, in discovery order, and the number of successors of each state expanded.

    The search stops where the check stops: at its first violation of a selected invariant
    (or deadlock), and within ``--max-states``, ``--max-depth``, ``--time-limit`` and
    ``--memory-limit`` (the last two bound the whole verification, both backends: the native
    search stops at them itself, and the interpreter's part is watched). A search a violation
    stops is compared completely (it is the whole of what the check explores); one a bound or
    limit cuts short is compared up to where it stopped, and is never called equal."""
    if compiled.constant:
        return _verify_assumptions(model, compiled)
    with Watch(options.time_limit, options.memory_limit) as watch:
        return _verify_states(model, compiled, options, watch)


def _verify_assumptions(model: Any, compiled: Compiled) -> Verification:
    values = compiled.native.assumptions()
    for k, v in enumerate(values):
        if v != 1:
            what = "false" if v == 0 else "an evaluation error"
            return Verification(False, 0, f"ASSUME {k + 1} of {model.name} is {what} natively; the "
                                          "interpreter found it true when it loaded the model")
    return Verification(True, 0, f"a constant module: the backends agree on its ASSUMEs ("
                                 f"{len(values)}, all true) and that it has no state")


def _verify_states(model: Any, compiled: Compiled, options: bfs.Options, watch: Watch) -> Verification:
    native = compiled.native
    invariants = bfs.select_invariants(model, options.invariants)
    chosen = {p.name for p in invariants}
    selected = [name in chosen for name in compiled.invariant_names]
    tested = [p for p in model.invariants if p.name in chosen and p.name in compiled.invariant_names]
    deadlock = options.deadlock and getattr(model, "checks_deadlock", True) and \
        (compiled.terminal_compiled or not model.is_terminal(None))
    status = native.run(selected, deadlock, options.max_states, options.max_depth,
                        options.time_limit, keep=True, memory_limit=options.memory_limit)
    counts = native.counts()
    if status == _ST_ERROR:
        return Verification(False, 0, "the native search met an evaluation error "
                                      f"(code {counts['error']}); run the interpreter to see it",
                            complete=False)
    if status == _ST_MEMORY and not counts["generated"]:
        return Verification(False, 0, "incomplete: the --memory-limit was reached before the "
                                      "native search's initial states", complete=False)
    n = counts["distinct"]
    succ_counts = native.array32("refute_succ_counts", n)
    # (a violating successor not stored has its link one past the states found)
    last = counts["index"] if status == _ST_INVARIANT and counts["index"] >= n else n - 1
    parents = native.array32("refute_parents", last + 1)
    # the states the native search expanded: all of them, unless it stopped in the middle of
    # a level (a violation, a bound), where those up to the parent of its last state were
    if status in (_ST_OK, _ST_MAX_DEPTH):
        expanded = n
    elif status == _ST_DEADLOCK:
        expanded = counts["index"] + 1
    else:
        expanded = 0 if last < 0 or parents[last] == ROOT else parents[last] + 1
    stopped = _interpreted_prefix(model, options, tested, deadlock, n, expanded, watch)
    order, interpreted_counts, generated, verdict = stopped
    for index, state in enumerate(order):
        if index >= n:
            return Verification(False, index, f"state {index + 1} in discovery order, "
                                              f"{model.describe_state(state)}, is reached by the "
                                              "interpreter only")
        mine = native.kept_state(index)
        if mine != compiled.values_of(state):
            return Verification(False, index, f"state {index + 1} in discovery order differs: "
                                              f"interpreted {model.describe_state(state)}, "
                                              f"compiled {model.describe_state(mine)}")
        if index < len(interpreted_counts) and index < expanded and \
                succ_counts[index] != interpreted_counts[index]:
            labels = [str(label) for label, _ in model.next_states(state)]
            return Verification(False, index, f"state {index + 1} ({model.describe_state(state)}) "
                                              f"has {interpreted_counts[index]} successors "
                                              f"interpreted ({', '.join(labels)}) but "
                                              f"{succ_counts[index]} compiled")
    if watch.reason is not None:  # the interpreter's part ran out of time or memory
        return Verification(False, len(order), f"incomplete: {watch.note()} after "
                                               f"{len(order):,} states; the backends agree on "
                                               "those", complete=False)
    native_verdict = _native_verdict(compiled, status, counts)
    # (a time or memory limit stops the native search between two expansions, perhaps after
    # some that found nothing new, which the interpreter's part did not do: their successors
    # not counted)
    same_generated = status in (_ST_TIME, _ST_MEMORY) or generated == counts["generated"]
    if n != len(order) or not same_generated or verdict != native_verdict:
        return Verification(False, len(order), f"the compiled search found {n} states, generated "
                                               f"{counts['generated']} and stopped with "
                                               f"{native_verdict or 'no violation'}; the "
                                               f"interpreter {len(order)}, {generated} and "
                                               f"{verdict or 'no violation'}")
    if status in _BOUNDS:
        return Verification(False, n, f"incomplete: {_BOUNDS[status]} stopped the search; the "
                                      f"backends agree on the {n:,} states explored before and "
                                      f"their {generated:,} successors", complete=False)
    upto = f", up to {verdict}" if verdict else ""
    return Verification(True, n, f"the backends agree on all {n:,} states{upto}, their order and "
                                 f"their {generated:,} successors")


def _native_verdict(compiled: Compiled, status: int, counts: dict) -> str | None:
    if status == _ST_INVARIANT:
        return f"invariant {compiled.invariant_names[counts['which']]} violated in state {counts['index'] + 1}"
    if status == _ST_DEADLOCK:
        return f"a deadlock in state {counts['index'] + 1}"
    return None


def _interpreted_prefix(model: Any, options: bfs.Options, invariants: list, deadlock: bool,
                        n: int, expanded: int, watch: Watch) -> tuple:
    """The interpreter's breadth-first search as the native one does it (same order, same
    stops: the first violation of ``invariants`` or deadlock, ``--max-depth``), going no
    further than the native search did (its ``n`` states, ``expanded`` of them expanded: what
    lies beyond is not compared) nor past the watch's limits. Returns the states in
    discovery order, the successor count of each state expanded, the successors generated
    and the violation that stopped it (None: none)."""
    fp = bfs.state_fingerprint(model)
    seen: set = set()
    order: list = []
    counts: list[int] = []
    generated = 0
    step_violation = getattr(model, "step_violation", None)
    by_name = {p.name: p for p in invariants}

    def judged(state: Any) -> tuple[Any, Any]:
        """The state, and the selected check its step fails (as :mod:`refute.engine.bfs`)."""
        marked = step_violation(state) if step_violation is not None else None
        return (state, None) if marked is None else (marked[0], by_name.get(marked[1]))

    def violated(state: Any, failing: Any, number: int) -> str | None:
        for p in invariants:
            if p is failing or not p.test(state):
                return f"invariant {p.name} violated in state {number}"
        return None

    def judge(state: Any, failing: Any, last_level: bool) -> tuple[bool, str | None]:
        """As the native search judges a successor (runtime.c): whether it is stored, and the
        violation it stops the search at (outside the constraints and seen before: checked,
        not stored, numbered one past the states found)."""
        if not _within(model, state):
            return False, violated(state, failing, len(order) + 1)
        key = fp(state)
        if key in seen:
            return False, failing and f"invariant {failing.name} violated in state {len(order) + 1}"
        if last_level:
            return False, None
        seen.add(key)
        order.append(state)
        return True, violated(state, failing, len(order))

    level = []
    for state in model.init_states():
        generated += 1
        state, failing = judged(state)
        stored, verdict = judge(state, failing, False)
        if verdict:
            return order, counts, generated, verdict
        if stored:
            level.append(state)
    depth = 1
    while level:
        last_level = options.max_depth is not None and depth >= options.max_depth
        following = []
        for state in level:
            if len(counts) >= expanded or watch.expired():
                return order, counts, generated, None
            successors = model.next_states(state)
            # (with the intermediate states of A \cdot B, as the search counts them)
            intermediate = successors.generated_besides if type(successors) is not list else None
            generated += len(successors) + (intermediate() if intermediate else 0)
            counts.append(len(successors))
            if not successors and deadlock and not model.is_terminal(state):
                return order, counts, generated, f"a deadlock in state {len(counts)}"
            for o, (_label, s) in enumerate(successors):
                s, failing = judged(s)
                stored, verdict = judge(s, failing, last_level)
                if stored:
                    following.append(s)
                if verdict or (stored and len(order) >= (options.max_states or 1 << 62)):
                    generated -= len(successors) - o - 1  # the rest are not generated
                    if intermediate:
                        generated -= intermediate() - intermediate(o)
                    return order, counts, generated, verdict
        level = following
        depth += 1
    return order, counts, generated, None


def result_difference(mine: Result, theirs: Result) -> str | None:
    """What differs between two results of one model (verdict, counts, depth, coverage,
    warnings, what was checked, the counterexample with its loop), or None."""
    for what in ("status", "distinct_states", "states_generated", "depth", "coverage",
                 "warnings", "checked", "stop_reason", "pruned", "constrained_by"):
        if getattr(mine, what) != getattr(theirs, what):
            return f"{what}: {getattr(mine, what)} and {getattr(theirs, what)}"
    a, b = mine.violation, theirs.violation
    if (a is None) != (b is None):
        return "one found a violation, the other not"
    if a is not None and (a.kind, a.name, a.trace, a.loop_start, a.loop_action) != \
            (b.kind, b.name, b.trace, b.loop_start, b.loop_action):
        return f"the counterexamples differ ({a.name}: {len(a.trace)} and {len(b.trace)} states)"
    return None


def _within(model: Any, state: Any) -> bool:
    return all(p.test(state) for p in model.constraints)


BACKENDS = ("auto", "compiled", "interpreted")


def choose(model: Any, backend: str, elsewhere: str | None) -> tuple[Compiled | None, str | None]:
    """The compiled model to run, or None for the interpreter, and the one-line notice that
    says why the interpreter runs when the user did not ask for it.

    ``elsewhere``: an option of the run the compiled backend does not take (``--workers``,
    liveness...), which sends the run to the interpreter with a notice. A construct outside
    the compiled subset does too under ``auto``; under ``compiled`` it is a located error."""
    from refute.spec.compile import SpecModel
    from refute.tla.model import TLAModel

    if backend == "interpreted":
        return None, None
    if isinstance(model, SpecModel):  # a Python spec (refute.compiled.from_python)
        compiler = compile_spec
    elif isinstance(model, TLAModel):
        compiler = compile_model
    else:
        if backend == "compiled":
            raise UsageError("--backend compiled takes a TLA+ (.tla) or Python (.py) spec only",
                             hint="leave --backend at auto")
        return None, None
    if elsewhere is not None:
        return None, f"compiled backend not used: {elsewhere} runs on the interpreter (for now)"
    try:
        return compiler(model), None
    except Unsupported as exc:
        if backend == "compiled":
            file, _, line = (exc.where or "").rpartition(":")
            raise UsageError(f"the compiled backend does not handle {exc.construct}",
                             file=file or exc.where, line=int(line) if line.isdigit() else None,
                             hint="run with --backend interpreted (or auto, which falls back "
                                  "by itself)") from None
        return None, f"compiled backend not used: {exc} (the interpreter runs instead)"
