"""The standard modules, and the community operators the corpus uses, as Python functions.

Each native operator takes evaluated arguments (an operator argument arrives as a Python
callable) and returns a TLA+ value (see :mod:`refute.tla.values`). Modules in
:data:`NATIVE_ONLY` are never read from source; for other modules (community ones), the
natives listed here replace the module's TLA+ definitions of the same name and the rest of
the module is evaluated from its source.

Printing operators (``Print``, ``PrintT``) write to standard error, as TLC writes to its log;
``TLCGet``/``TLCSet`` keep TLC's registers per process; ``TLCGet("level")`` is the level of
the state being explored (:data:`levels`, kept by the model of a spec that calls TLCGet).

Checking a spec never writes a file or runs a program, whatever the spec says: Json's
``JsonSerialize``/``ndJsonSerialize`` and IOUtils' writing and exec operators are errors when
evaluated (a spec that only names them, e.g. in a disjunct taken on a violation, is checked as
usual). Json's ``JsonDeserialize``/``ndJsonDeserialize`` read a file only below a path the user
allowed (``refute check --allow-read PATH``); without that they are errors that say so.
"""

from __future__ import annotations

import contextlib
import decimal
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from refute.values import FrozenMap
from refute.tla.community import COMMUNITY, atoi, csv_read_natives
from refute.tla.operators import INFIX
from refute.tla.scope import UNSET, Builtin
from refute.tla.values import (INFINITE_KINDS, INT, NAT, REAL, LazySet, RefuteLimitation,
                               TLAError, apply_fn, as_set, domain, fn_to_dict, format_value,
                               make_fn, sorted_elements)

NATIVE_ONLY = {"Naturals", "Integers", "Sequences", "FiniteSets", "Bags", "TLC", "TLCExt",
               "Randomization", "Reals", "Toolbox", "_TLCTrace"}


def _seq(s: Any) -> tuple:
    if type(s) is tuple:
        return s
    if isinstance(s, FrozenMap) and not s:
        return ()
    raise TLAError(f"expected a sequence, got {format_value(s)}")


def _len(s):
    if type(s) is str:
        return len(s)
    return len(_seq(s))


def _head(s):
    s = _seq(s)
    if not s:
        raise TLAError("Head of the empty sequence")
    return s[0]


def _tail(s):
    s = _seq(s)
    if not s:
        raise TLAError("Tail of the empty sequence")
    return s[1:]


def _subseq(s, m, n):
    s = _seq(s)
    if m > n:
        return ()
    if m < 1 or n > len(s):
        raise TLAError(f"SubSeq({format_value(s)}, {m}, {n}) is out of range")
    return s[m - 1:n]


def _cardinality(s):
    return len(as_set(s))


def _permutations(s):
    items = sorted_elements(as_set(s))
    return frozenset(make_fn(dict(zip(items, p))) for p in itertools.permutations(items))


def _sortseq(s, less):
    import functools
    return tuple(sorted(_seq(s), key=functools.cmp_to_key(
        lambda a, b: -1 if less(a, b) else (1 if less(b, a) else 0))))


def _print(out, val):
    """TLC's ``Print``: both values, two spaces apart (tlc2.module.TLC.Print), then ``val``."""
    print(f"{format_value(out)}  {format_value(val)}", file=sys.stderr)
    return val


def _printt(out):
    print(format_value(out), file=sys.stderr)
    return True


def _assert(val, out):
    if val is not True:
        raise TLAError(f"Assert failed: {format_value(out)}")
    return True


def _tostring(v):
    return format_value(v)


_registers: dict = {}


#: The Java system properties ``TLCGet("-D<name>")`` reads (TLCGetSet) that refute sets.
_PROPERTIES = {"tlc2.tool.impl.Tool.cdot": "true"}


def _tlcget(i):
    if i in _registers:
        return _registers[i]
    if i == "all" or i == "all:named":
        # TLC's getAllValues / getAllNamedRegisterValues: each register set so far (a number,
        # or for "all:named" a name "s:..."), mapped to the sequence of its value in each
        # worker; refute's registers are those of the one process evaluating, so one value.
        kind = str if i == "all:named" else int
        return make_fn({k: (v,) for k, v in _registers.items()
                        if type(k) is kind and (kind is int or k.startswith("s:"))})
    if isinstance(i, str) and i.startswith("-D"):
        # TLC reads a Java system property: System.getProperty(name, i), the name itself when
        # unset (TLCGetSet). refute has one: it always composes actions (A \cdot B), which TLC
        # does only with tlc2.tool.impl.Tool.cdot=true; every other property reads as unset.
        return _PROPERTIES.get(i[2:], i)
    if i in ("level", "diameter", "distinct", "queue", "generated", "duration"):
        return 0
    raise TLAError(f"TLCGet({format_value(i)}): no such register")


#: The level of each state explored (an initial state's is 1), kept by the model when the
#: spec calls TLCGet; None otherwise. A state that carries its level (:class:`AtLevel`) is
#: read from itself first.
levels: dict | None = None


class AtLevel(tuple):
    """A state of a spec that reads ``TLCGet("level")``, with its level, as TLC's states carry
    theirs: the same values reached at two levels are one state unless the VIEW tells them
    apart, and then each is explored at its own level. A trace-validation spec's VIEW
    ``<<vars, TLCGet("level")>>`` does so, so that the log line matched at each level is read
    even where the spec's variables did not change (a stuttering step)."""

    def __new__(cls, values: tuple, level: int) -> AtLevel:
        state = super().__new__(cls, values)
        state.level = level
        return state

    def __reduce__(self):
        return (AtLevel, (tuple(self), self.level))


def _tlcget_at(S, i):
    """``TLCGet(i)`` in state ``S``: ``"level"`` is ``S``'s level, that of the state whose
    successors, invariants or constraints are evaluated (TLC's ``s0.getLevel()``); 0 in the
    initial predicate, ASSUME and POSTCONDITION, as TLC defines it."""
    if i != "level":
        return _tlcget(i)
    if S is None or levels is None or UNSET in S:
        return 0
    level = S.level if type(S) is AtLevel else levels.get(S)
    if level is None:
        raise RefuteLimitation('TLCGet("level") of a state this process did not explore',
                               hint='check a spec that reads TLCGet("level") with one worker')
    return level


def configure_run(deadlock: bool, mode: str = "bfs", workers: int = 1) -> None:
    """``TLCGet("config")``: the run's configuration, with TLC's field names (its
    ``TLCGetSet``): ``mode`` ("bfs" for a model check, as TLC's breadth-first search),
    ``deadlock`` (whether deadlock is checked), ``worker``, and ``seed`` / ``fingerprint`` /
    ``install``, which in TLC vary from run to run and install to install: refute's runs are
    deterministic, so its seed and fingerprint index are "0", its install the package folder.
    Called as a model is loaded, it starts the run's registers afresh."""
    _registers.clear()  # a new run: no register of an earlier model's run is left
    _registers["config"] = make_fn({
        "install": os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "mode": mode,
        "deadlock": deadlock, "seed": "0", "fingerprint": "0", "worker": workers})


def configure_deadlock(deadlock: bool) -> None:
    """``TLCGet("config").deadlock`` for the run about to start (``--no-deadlock``)."""
    config = _registers.get("config")
    if config is not None:
        _registers["config"] = make_fn({**config, "deadlock": deadlock})


def describe_spec(value: Any) -> None:
    """``TLCGet("spec")``: the model's parts (refute.tla.spec_record builds the record)."""
    _registers["spec"] = value


def _tlcset(i, v):
    _registers[i] = v
    return True


@contextlib.contextmanager
def statistics(distinct: int, generated: int, diameter: int, seconds: float) -> Iterator[None]:
    """``TLCGet("stats")`` (and ``TLCGet("distinct")``, ...) give a finished run's counts while
    its POSTCONDITION is evaluated, under TLC's names."""
    counts = {"distinct": distinct, "generated": generated, "diameter": diameter, "queue": 0,
              "traces": 0, "duration": int(seconds)}
    saved = dict(_registers)
    _registers.update(counts, stats=make_fn(counts))
    try:
        yield
    finally:
        _registers.clear()
        _registers.update(saved)


_NO_COUNTEREXAMPLE = make_fn({"action": frozenset(), "state": frozenset()})


def counterexample_value(states: list[dict], labels: list, loop: tuple | None = None,
                         located: Callable[[Any], Any] | None = None) -> Any:
    """TLCExt's ``CounterExample``: the behaviour as a graph, ``[state |-> {<<i, s_i>>},
    action |-> {<<<<i, s_i>>, a, <<i + 1, s_i+1>>>>}]`` (``s_i`` a record of the variables,
    ``a`` the action that took the step), with ``loop = (back, label)`` the edge closing a
    lasso. An action is ``[name |-> ..., location |-> ...]`` with, when it has parameters,
    ``context`` (their values) and ``parameters`` (their names), as TLC's
    ``RecordValue(Action)``; ``located(label)`` is the action's ``location`` record (that of
    ``TLCGet("spec").actions``: Action.getDefinition), None where it has none."""
    nodes = [(i + 1, make_fn(state)) for i, state in enumerate(states)]

    def action(label: Any) -> Any:
        fields: dict = {"name": getattr(label, "action", "") if label is not None else ""}
        where = located(label) if located is not None and label is not None else None
        if where is not None:
            fields["location"] = where
        args = getattr(label, "args", ()) or ()
        if args:
            fields["context"] = make_fn(dict(args))
            fields["parameters"] = tuple(name for name, _ in args)
        return make_fn(fields)
    edges = [(nodes[i - 1], action(labels[i]), nodes[i]) for i in range(1, len(nodes))]
    if loop is not None:
        edges.append((nodes[-1], action(loop[1]), nodes[loop[0]]))
    return make_fn({"action": frozenset(edges), "state": frozenset(nodes)})


@contextlib.contextmanager
def counterexample(value: Any) -> Iterator[None]:
    """``CounterExample`` is ``value`` while a POSTCONDITION is evaluated (elsewhere, as in
    TLC, the empty graph)."""
    saved = _registers.get(_COUNTEREXAMPLE)
    _registers[_COUNTEREXAMPLE] = value
    try:
        yield
    finally:
        _registers[_COUNTEREXAMPLE] = saved


_COUNTEREXAMPLE = object()  # the register key, which no spec's TLCSet can name


def _counterexample() -> Any:
    return _registers.get(_COUNTEREXAMPLE) or _NO_COUNTEREXAMPLE


def _to_trace(ce: Any) -> tuple:
    """TLCExt's ``ToTrace``: a CounterExample's states as a sequence, by their numbers."""
    try:
        nodes = as_set(apply_fn(ce, "state"))
        ordered = dict(nodes)
        return tuple(ordered[i] for i in range(1, len(ordered) + 1))
    except (TLAError, TypeError, ValueError, KeyError):
        raise TLAError(f"The argument of ToTrace should be a CounterExample, but instead it "
                       f"is: {format_value(ce)}") from None


def _fold_set(op, base, s):
    acc = base
    for x in sorted_elements(as_set(s)):
        acc = op(x, acc)
    return acc


def _fold_seq(op, base, s):
    acc = base
    for x in _seq(s):
        acc = op(x, acc)
    return acc


def _fold_left(op, base, s):
    acc = base
    for x in _seq(s):
        acc = op(acc, x)
    return acc


def _fold_right(op, s, base):
    acc = base
    for x in reversed(_seq(s)):
        acc = op(x, acc)
    return acc


def _range_of(f):
    if type(f) is tuple:
        return frozenset(f)
    if isinstance(f, FrozenMap):
        return frozenset(f.values())
    return frozenset(fn_to_dict(f).values())


def _restrict(f, s):
    """``[x \\in S |-> f[x]]`` (TLC evaluates the definition: an element of S outside f's
    domain is its error, "applied to ... outside its domain")."""
    return make_fn({x: apply_fn(f, x) for x in sorted_elements(as_set(s))})


def _is_injective(f):
    vals = list(fn_to_dict(f).values())
    return len(vals) == len(set(vals))


def _kSubset(k, s):
    return frozenset(frozenset(c) for c in itertools.combinations(sorted_elements(as_set(s)), k))


def _max(s):
    s = as_set(s)
    if not s:
        raise TLAError("Max of the empty set")
    return max(s)


def _min(s):
    s = as_set(s)
    if not s:
        raise TLAError("Min of the empty set")
    return min(s)


def _bag_add(a, b):
    out = dict(fn_to_dict(a))
    for k, v in fn_to_dict(b).items():
        out[k] = out.get(k, 0) + v
    return _bag(out)


def _bag_sub(a, b):
    out = {}
    db = fn_to_dict(b)
    for k, v in fn_to_dict(a).items():
        n = v - db.get(k, 0)
        if n > 0:
            out[k] = n
    return _bag(out)


def _bag(d: dict):
    # a bag is a function, normalised as every function is (TLC's EmptyBag is <<>>, a bag
    # of 1..n a sequence): the same value however it was built (SetToBag, (-), BagRemove...)
    return make_fn(d)


def _set_to_bag(s):
    return _bag({x: 1 for x in as_set(s)})


def _bag_in(e, b):
    return e in domain(b)


def _copies_in(e, b):
    return apply_fn(b, e) if e in domain(b) else 0


def _bag_cardinality(b):
    return sum(fn_to_dict(b).values())


def _sub_bag(b):
    d = fn_to_dict(b)
    keys = sorted_elements(d)
    out = set()
    for counts in itertools.product(*[range(d[k] + 1) for k in keys]):
        out.add(_bag({k: c for k, c in zip(keys, counts) if c > 0}))
    return frozenset(out)


def _bag_of_all(f, b):
    out: dict = {}
    for k, v in fn_to_dict(b).items():
        y = f(k)
        out[y] = out.get(y, 0) + v
    return _bag(out)


def _bag_union(s):
    acc: Any = ()
    for b in sorted_elements(as_set(s)):
        acc = _bag_add(acc, b)
    return acc


def _select_seq(s, test):
    return tuple(x for x in _seq(s) if test(x))


def _reverse(s):
    return tuple(reversed(_seq(s)))


def _to_set(s):
    return frozenset(_seq(s))


def _set_to_seq(s):
    return tuple(sorted_elements(as_set(s)))


def ioenv() -> FrozenMap:
    """IOUtils' ``IOEnv``: the process's environment variables as a record of strings, as TLC
    gives them (CommunityModules' ``IOUtils.ioEnv`` returns ``System.getenv()``); what a spec
    reads from it is part of the run's input, as with TLC (StateGraphs.tla picks its graph by
    ``IOEnv.GRAPH``, with a default when it is not set)."""
    return FrozenMap(dict(sorted(os.environ.items())))


def _refuse(operator: str, does: str) -> Callable:
    def refused(*args):
        raise RefuteLimitation(f"{operator} {does}: refute never does that while checking a "
                               "spec (TLC would)",
                               hint=f"TLC does not report this ({operator} works there); to "
                                    f"check the spec with refute, keep {operator} out of what "
                                    "the model evaluates (e.g. override the definition that "
                                    "calls it in the .cfg), or check it with TLC")
    return refused


def _trace():
    raise RefuteLimitation("Trace (the behaviour leading to the current state) is not "
                           "available in refute (TLC's TLCExt has it)",
                           hint="keep the history in a variable of the spec instead")


def _json_value(v: Any, where: str) -> Any:
    """A parsed JSON value as TLC's Json module reads it: objects are records, arrays tuples,
    numbers Java ints (:func:`_java_int`; parsed with ``parse_float=decimal.Decimal``)."""
    if type(v) is bool or type(v) is str:
        return v
    if type(v) is int or type(v) is decimal.Decimal:
        return _java_int(v)
    if isinstance(v, list):
        return tuple(_json_value(x, where) for x in v)
    if isinstance(v, dict):
        return make_fn({k: _json_value(x, where) for k, x in v.items()})
    raise TLAError(f"{where}: JSON null has no TLA+ value (TLC: \"Cannot convert value: "
                   "unsupported JSON value null\"; it reads numbers, strings, booleans, arrays "
                   "and objects)")


def _java_int(number: int | decimal.Decimal) -> int:
    """A JSON number as TLC reads it (Gson's ``getAsInt``): its integer part (a fraction is
    cut off toward zero: a log's timestamp ``1712329729.6024537`` is ``1712329729``), kept to
    its low 32 bits as a Java ``int`` (``Long.parseLong`` then a cast, or
    ``BigDecimal.intValue``), so a number beyond the ints wraps around as in TLC."""
    whole = int(number)  # Decimal's int() truncates toward zero, as BigDecimal.intValue
    return (whole + 2 ** 31) % 2 ** 32 - 2 ** 31


def _json_natives(read_file: Callable[[str, str], str] | None) -> dict[str, Builtin]:
    def text(path: Any, operator: str) -> str:
        if type(path) is not str:
            raise TLAError(f"{operator} expects a file name (a string), got {format_value(path)}")
        if read_file is None:
            raise RefuteLimitation(f"{operator}({format_value(path)}) reads a file, and no file "
                                   "may be read here",
                                   hint="TLC would read it; refute reads a spec's data files "
                                        "only where you say: run refute check with "
                                        "--allow-read PATH")
        return read_file(path, operator)

    def parse(line: str, where: str) -> Any:
        try:
            return _json_value(json.loads(line, parse_float=decimal.Decimal), where)
        except ValueError as exc:
            raise TLAError(f"{where} is not JSON: {exc}") from None

    def deserialize(path):
        return parse(text(path, "JsonDeserialize"), path)

    def nd_deserialize(path):
        lines = text(path, "ndJsonDeserialize").splitlines()
        return tuple(parse(line, f"{path}:{i}") for i, line in enumerate(lines, 1) if line.strip())
    return {
        "JsonDeserialize": _b(deserialize, 1), "ndJsonDeserialize": _b(nd_deserialize, 1),
        "JsonSerialize": _b(_refuse("JsonSerialize", "writes a file"), 2),
        "ndJsonSerialize": _b(_refuse("ndJsonSerialize", "writes a file"), 2),
    }


def _csv_natives(read_file: Callable[[str, str], str] | None) -> dict[str, Builtin]:
    """CSV's readers read a file only where the user allowed; its writers are refused."""
    reading = csv_read_natives(read_file)
    return {"CSVRecords": _b(reading["CSVRecords"], 1), "CSVRead": _b(reading["CSVRead"], 3),
            "CSVWrite": _b(_refuse("CSVWrite", "writes a file"), 3),
            "CSVWriteRecord": _b(_refuse("CSVWriteRecord", "writes a file"), 4)}


def _b(fn, arity, *op_args):
    return Builtin(fn, arity, tuple(op_args))


_MODULES: dict[str, dict[str, Builtin]] = {
    "Naturals": {
        "Nat": _b(lambda: NAT, 0), "+": _b(INFIX["+"], 2), "-": _b(INFIX["-"], 2),
        "*": _b(INFIX["*"], 2), "^": _b(INFIX["^"], 2), "<": _b(INFIX["<"], 2),
        ">": _b(INFIX[">"], 2), "=<": _b(INFIX["=<"], 2), ">=": _b(INFIX[">="], 2),
        "%": _b(INFIX["%"], 2), "\\div": _b(INFIX["\\div"], 2), "..": _b(INFIX[".."], 2),
    },
    "Sequences": {
        "Seq": _b(lambda s: LazySet("Seq", s), 1), "Len": _b(_len, 1), "Head": _b(_head, 1),
        "Tail": _b(_tail, 1), "Append": _b(lambda s, e: _seq(s) + (e,), 2),
        "SubSeq": _b(_subseq, 3), "SelectSeq": _b(_select_seq, 2, 1),
        "\\o": _b(INFIX["\\o"], 2),
    },
    "FiniteSets": {
        "IsFiniteSet": _b(lambda s: isinstance(s, frozenset)
                          or (isinstance(s, LazySet) and s.kind not in INFINITE_KINDS), 1),
        "Cardinality": _b(_cardinality, 1),
    },
    "TLC": {
        "Print": _b(_print, 2), "PrintT": _b(_printt, 1), "Assert": _b(_assert, 2),
        "JavaTime": _b(lambda: 0, 0), "TLCGet": Builtin(_tlcget, 1, at_state=_tlcget_at), "TLCSet": _b(_tlcset, 2),
        ":>": _b(INFIX[":>"], 2), "@@": _b(INFIX["@@"], 2), "Permutations": _b(_permutations, 1),
        "SortSeq": _b(_sortseq, 2, 1), "RandomElement": _b(lambda s: sorted_elements(as_set(s))[0], 1),
        "Any": _b(lambda: LazySet("Any"), 0), "ToString": _b(_tostring, 1),
        "TLCEval": _b(lambda v: v, 1),
    },
    "TLCExt": {
        "AssertError": _b(lambda a, b: True, 2), "AssertEq": _b(lambda a, b: a == b, 2),
        "TLCDefer": _b(lambda v: True, 1), "PickSuccessor": _b(lambda v: True, 1),
        "TLCNoOp": _b(lambda v: v, 1), "TLCModelValue": _b(lambda s: s, 1),
        "Trace": _b(_trace, 0), "CounterExample": Builtin(_counterexample, 0, volatile=True),
        "ToTrace": _b(_to_trace, 1),
    },
    "IOUtils": {
        "IOEnv": _b(ioenv, 0),
        "IOSerialize": _b(_refuse("IOSerialize", "writes a file"), 3),
        "Serialize": _b(_refuse("Serialize", "writes a file"), 3),
        "IOExec": _b(_refuse("IOExec", "runs a program"), 1),
        "IOEnvExec": _b(_refuse("IOEnvExec", "runs a program"), 2),
        "IOExecTemplate": _b(_refuse("IOExecTemplate", "runs a program"), 2),
        "IOEnvExecTemplate": _b(_refuse("IOEnvExecTemplate", "runs a program"), 3),
        "IODeserialize": _b(_refuse("IODeserialize", "reads a file TLC serialised"), 2),
        "Deserialize": _b(_refuse("Deserialize", "reads a file TLC serialised"), 2),
        "atoi": _b(atoi, 1),
    },
    "Bags": {
        "IsABag": _b(lambda b: all(type(v) is int and v > 0 for v in fn_to_dict(b).values()), 1),
        "BagToSet": _b(domain, 1), "SetToBag": _b(_set_to_bag, 1), "BagIn": _b(_bag_in, 2),
        "EmptyBag": _b(lambda: (), 0), "(+)": _b(_bag_add, 2), "(-)": _b(_bag_sub, 2),
        "\\oplus": _b(_bag_add, 2), "\\ominus": _b(_bag_sub, 2),
        "BagUnion": _b(_bag_union, 1), "SubBag": _b(_sub_bag, 1), "BagOfAll": _b(_bag_of_all, 2, 0),
        "BagCardinality": _b(_bag_cardinality, 1), "CopiesIn": _b(_copies_in, 2),
        "\\sqsubseteq": _b(lambda a, b: all(_copies_in(k, b) >= v for k, v in fn_to_dict(a).items()), 2),
    },
    "Functions": {
        "Range": _b(_range_of, 1), "Restrict": _b(_restrict, 2), "IsInjective": _b(_is_injective, 1),
    },
    "FiniteSetsExt": {
        "FoldSet": _b(_fold_set, 3, 0), "Max": _b(_max, 1), "Min": _b(_min, 1),
        "SumSet": _b(lambda s: sum(as_set(s)), 1), "kSubset": _b(_kSubset, 2),
        "Quantify": _b(lambda s, p: sum(1 for x in as_set(s) if p(x)), 2, 1),
        "MapThenSumSet": _b(lambda f, s: sum(f(x) for x in as_set(s)), 2, 0),
    },
    "SequencesExt": {
        "ToSet": _b(_to_set, 1), "Reverse": _b(_reverse, 1), "SetToSeq": _b(_set_to_seq, 1),
        "FoldSeq": _b(_fold_seq, 3, 0), "FoldLeft": _b(_fold_left, 3, 0),
        "FoldRight": _b(_fold_right, 3, 0), "Cons": _b(lambda e, s: (e,) + _seq(s), 2),
        "Front": _b(lambda s: _seq(s)[:-1], 1),
        "Last": _b(lambda s: apply_fn(s, len(_seq(s))), 1),  # s[Len(s)], with its error on <<>>
    },
}
for _module, _table in COMMUNITY.items():
    _MODULES[_module] = {**_MODULES.get(_module, {}), **_table}
_MODULES["Integers"] = dict(_MODULES["Naturals"], **{"Int": _b(lambda: INT, 0),
                                                     "-.": _b(lambda a: -a, 1)})
_MODULES["Reals"] = dict(_MODULES["Integers"], Real=_b(lambda: REAL, 0))
_MODULES["Randomization"] = {
    "RandomSubset": _b(lambda k, s: frozenset(sorted_elements(as_set(s))[:k]), 2),
    "RandomSetOfSubsets": _b(lambda k, n, s: LazySet("SUBSET", s).materialize(), 3),
    "TestRandomSetOfSubsets": _b(lambda k, n, s: 0, 3),
}
_IMPLIED = {"Integers": ["Naturals"], "Reals": ["Integers", "Naturals"], }

# The operator symbols (+, .., \o, :>, ...) only a module defines, with the first module that
# does: like any name, one is known only where its module is EXTENDed or instantiated (SANY:
# "Could not find declaration or definition of symbol '-'"), although the parser reads it anyway.
MODULE_SYMBOLS: dict[str, str] = {}
for _module, _table in _MODULES.items():
    for _name in _table:
        if not _name[0].isalpha():
            MODULE_SYMBOLS.setdefault(_name, _module)


def natives_for(module: str, read_file: Callable[[str, str], str] | None = None) -> dict[str, Builtin]:
    """The natives of ``module``; ``read_file(path, operator)`` is how Json's deserialising
    operators read a file (it refuses paths the user did not allow; None: no file at all)."""
    out: dict[str, Builtin] = {}
    for implied in _IMPLIED.get(module, ()):
        out.update(_MODULES.get(implied, {}))
    out.update(_MODULES.get(module, {}))
    if module == "Json":
        out.update(_json_natives(read_file))
    if module == "CSV":
        out.update(_csv_natives(read_file))
    return out
