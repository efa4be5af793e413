"""The CommunityModules operators refute implements natively, with TLC's semantics.

TLC evaluates a CommunityModules operator either by a Java override (``tlc2.overrides``: the
operator's TLA+ definition is not evaluated) or, where there is none, by its TLA+ definition.
The operators here are those a definition could not state as cheaply (folds in TLC's order,
graph searches, the Java code's own results); the others, including some TLC overrides whose
definition gives the same value (Bitwise, IsPrefix, LongestCommonPrefix), are evaluated from
refute's modules, so that the compiled backend lowers them as any definition. Each function
here computes what TLC computes, including which element a CHOOSE
in a definition takes (the least in TLC's order of values, :func:`sorted_elements`) and the
order a Java override enumerates a set in (its normalised order, the same). refute's own
declaration modules (``library/*.tla``, written by refute) name these operators; their natives
replace their definitions (:func:`refute.tla.stdlib.natives_for`).

Operators that write files or run programs (CSV's writers) are errors when evaluated, as
IOUtils' are (:mod:`refute.tla.stdlib`); those that read a file go through the loader's
permission check (``read_file``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from typing import Any

from refute.values import FrozenMap
from refute.tla.scope import Builtin
from refute.tla.values import (LazySet, TLAError, apply_fn, as_set, domain, fn_to_dict,
                               format_value, in_tlc_order, is_fn, make_fn, sorted_elements,
                               tlc_key)


def seq(s: Any) -> tuple:
    """``s`` as a sequence (the empty function is the empty sequence)."""
    if type(s) is tuple:
        return s
    if isinstance(s, FrozenMap) and not s:
        return ()
    raise TLAError(f"expected a sequence, got {format_value(s)}")


# ----------------------------------------------------------------------------- Folds
def map_then_fold_set(op, base, f, choose, s):
    """Folds' ``MapThenFoldSet`` (no Java override): ``op(f(c1), op(f(c2), ... base))`` where
    ``c1 = choose(S)``, ``c2 = choose(S \\ {c1})``, ...: the first chosen is applied last."""
    rest = as_set(s)
    chosen = []
    while rest:
        x = choose(rest)
        if x not in rest:
            raise TLAError(f"MapThenFoldSet: choose returned {format_value(x)}, which is not in "
                           f"{format_value(rest)}")
        chosen.append(x)
        rest = rest - {x}
    acc = base
    for x in reversed(chosen):
        acc = op(f(x), acc)
    return acc


# ------------------------------------------------------------------------- Functions


def anti_function(f):
    """``[t \\in Range(f) |-> CHOOSE s \\in DOMAIN f : f[s] = t]``: f's inverse (for a value
    f takes at several arguments, the least of them)."""
    out: dict = {}
    for x, v in sorted(fn_to_dict(f).items(), key=lambda pair: tlc_key(pair[0])):
        out.setdefault(v, x)
    return make_fn(out)


def fold_function_on_set(op, base, f, indices):
    """The Java override: ``acc := op(f[i], acc)`` for the indices in their order."""
    acc = base
    for i in sorted_elements(as_set(indices)):
        acc = op(apply_fn(f, i), acc)
    return acc


def fold_function(op, base, f):
    return fold_function_on_set(op, base, f, domain(f))


# --------------------------------------------------------------------- FiniteSetsExt


# ---------------------------------------------------------------------- SequencesExt
def set_to_seqs(s):
    return frozenset(itertools.permutations(sorted_elements(as_set(s))))






def contains(s, e):
    """The Java override compares with ``equals``: a value of another kind is just unequal."""
    return any(type(x) is type(e) and x == e for x in seq(s))


def select_in_seq(s, test):
    return next((i for i, x in enumerate(seq(s), 1) if test(x)), 0)


def select_last_in_seq(s, test):
    return max((i for i, x in enumerate(seq(s), 1) if test(x)), default=0)


def _sub_range(s, i, j, op):
    """The indices ``i..j`` of ``s`` a ...InSubSeq override scans (TLC's bounds checks)."""
    s = seq(s)
    if i > j:
        return s, range(0)
    for bound in (i, j):
        if not 1 <= bound <= len(s):
            raise TLAError(f"{op}: index {bound} is outside the domain of {format_value(s)}")
    return s, range(i, j + 1)


def select_in_sub_seq(s, i, j, test):
    """The Java override: the first index in ``i..j`` (of ``s`` itself, not of the piece)
    whose element passes ``test``; 0 if none. (Its TLA+ definition would count from ``i``.)"""
    s, indices = _sub_range(s, i, j, "SelectInSubSeq")
    return next((k for k in indices if test(s[k - 1])), 0)


def select_last_in_sub_seq(s, i, j, test):
    s, indices = _sub_range(s, i, j, "SelectLastInSubSeq")
    return next((k for k in reversed(indices) if test(s[k - 1])), 0)


def remove_first(s, e):
    s = seq(s)
    i = next((i for i, x in enumerate(s, 1) if type(x) is type(e) and x == e), 0)
    return s[:i - 1] + s[i:] if i else s


def remove_first_match(s, test):
    s = seq(s)
    i = select_in_seq(s, test)
    return s[:i - 1] + s[i:] if i else s


def suffixes(s):
    s = seq(s)
    return frozenset(s[n:] for n in range(len(s) + 1))




def fold_left_domain(op, base, s):
    """``op(... op(op(base, 1), 2) ..., n)`` over the indices ``1..Len(s)``."""
    acc = base
    for i in range(1, len(seq(s)) + 1):
        acc = op(acc, i)
    return acc


def fold_right_domain(op, s, base):
    """``op(1, op(2, ... op(n, base)))`` over the indices ``1..Len(s)``."""
    acc = base
    for i in range(len(seq(s)), 0, -1):
        acc = op(i, acc)
    return acc


def all_sub_seqs(s):
    s = seq(s)
    return frozenset(tuple(s[i] for i in keep) for r in range(len(s) + 1)
                     for keep in itertools.combinations(range(len(s)), r))


# --------------------------------------------------------------------------- BagsExt


def fold_bag(op, base, b):
    """The Java override: ``acc := op(acc, e)`` for each copy of each element, in the
    elements' order (the accumulator first, unlike FoldSet)."""
    acc = base
    d = fn_to_dict(b)
    for x in sorted_elements(d):
        for _ in range(d[x]):
            acc = op(acc, x)
    return acc


# -------------------------------------------------------------------- DyadicRationals
def _rational(num, den):
    return FrozenMap({"num": num, "den": den})


def _reduce(num, den):
    """Divides by the greatest common divisor (TLC's override of the LOCAL ``Reduce``:
    ``gcd(0, d) = d``, so ``0/d`` becomes ``0/1``)."""
    g = math.gcd(num, den)
    return _rational(num // g, den // g) if g > 1 else _rational(num, den)


ZERO = _rational(0, 1)
ONE = _rational(1, 1)


def dyadic_add(p, q):
    if p == ZERO:
        return q
    pn, pd = apply_fn(p, "num"), apply_fn(p, "den")
    qn, qd = apply_fn(q, "num"), apply_fn(q, "den")
    lcn = max(pd, qd)
    return _reduce(qn * (lcn // qd) + pn * (lcn // pd), lcn)


def dyadic_half(p):
    return _reduce(apply_fn(p, "num"), apply_fn(p, "den") * 2)


def is_dyadic(r):
    den = apply_fn(r, "den")
    return den > 0 and den & (den - 1) == 0


def dyadic_pretty(p):
    if p == ZERO:
        return "0"
    if p == ONE:
        return "1"
    return f"{apply_fn(p, 'num')}/{apply_fn(p, 'den')}"


# ------------------------------------------------------------- Graphs, UndirectedGraphs
def _graph(g):
    return as_set(apply_fn(g, "node")), as_set(apply_fn(g, "edge"))


def undirected_components(g):
    nodes, edges = _graph(g)
    comps = {n: frozenset([n]) for n in nodes}
    for e in sorted_elements(edges):
        ends = sorted_elements(as_set(e))
        a, b = ends[0], ends[-1]
        if comps[a] is not comps[b]:
            merged = comps[a] | comps[b]
            for n in merged:
                comps[n] = merged
    return frozenset(comps.values())


def undirected_connected(m, n, g):
    return any(m in c and n in c for c in undirected_components(g))


def _simple_paths(nodes, step):
    """Every non-empty sequence of distinct nodes whose consecutive nodes ``step`` links."""
    out = []

    def extend(path):
        out.append(path)
        for n in nodes:
            if n not in path and step(path[-1], n):
                extend(path + (n,))
    for n in nodes:
        extend((n,))
    return frozenset(out)


def undirected_simple_path(g):
    nodes, edges = _graph(g)
    return _simple_paths(sorted_elements(nodes), lambda a, b: frozenset([a, b]) in edges)


def directed_simple_path(g):
    nodes, edges = _graph(g)
    return _simple_paths(sorted_elements(nodes), lambda a, b: (a, b) in edges)


def _reachable(edges, start):
    seen, todo = {start}, [start]
    while todo:
        a = todo.pop()
        for e in edges:
            if e[0] == a and e[1] not in seen:
                seen.add(e[1])
                todo.append(e[1])
    return seen


def directed_connected(m, n, g):
    """Some simple path from ``m`` to ``n`` (``m`` itself when they are the same node)."""
    nodes, edges = _graph(g)
    if m not in nodes or n not in nodes:
        return False
    return m == n or n in _reachable(edges, m)


def directed_strongly_connected(g):
    nodes, edges = _graph(g)
    return all(nodes <= _reachable(edges, m) for m in nodes)


# ---------------------------------------------------------------------- VectorClocks
def causal_order(log, clock, node, clock_domain):
    """VectorClocks' ``CausalOrder`` as TLC's Java code computes it (ShiViz's way), not by
    its definition's CHOOSE over every rearrangement.

    Each node's entries are ordered by the node's own count (``clock(e)[node(e)]``, stable);
    an entry's parents are, for each node its clock counts, the entry of that node with that
    count when the count is more than what the entry's node has already seen; then rounds
    over the nodes, each taking its next entry if no parent is left, until every entry is
    placed. The rounds visit the nodes in the order they first appear in the log: TLC visits
    them in a Java HashMap's order, which follows TLC's fingerprints of the node values, and
    those change with the fingerprint polynomial TLC picks at random for each run (``-fp``).
    So where two nodes' entries are unordered by their clocks, TLC's own result varies from
    run to run (EWD998ChanTrace: 659 distinct states and depth 655 for every polynomial,
    11,154 to 11,190 generated); refute's is the same on every run. As in TLC, counts must
    have no gaps (the entry with count k is the k-th of its node), and a log whose clocks
    contradict each other yields the entries placed before the contradiction."""
    entries = seq(log)
    by_node: dict = {}
    for e in entries:
        who = node(e)
        c = clock(e)
        count = apply_fn(c, who)
        if type(count) is not int:
            raise TLAError(f"CausalOrder: the clock {format_value(c)} counts "
                           f"{format_value(count)} for its node {format_value(who)}, not an integer")
        by_node.setdefault(who, []).append([e, c, count, sorted_elements(as_set(clock_domain(c))), set(), []])
    for line in by_node.values():
        line.sort(key=lambda entry: entry[2])
    for who, line in by_node.items():
        seen = dict.fromkeys(by_node, 0)
        for entry in line:
            seen[who] = entry[2]
            for other in entry[3]:
                count = apply_fn(entry[1], other)
                if type(count) is not int:
                    raise TLAError(f"CausalOrder: the clock {format_value(entry[1])} counts "
                                   f"{format_value(count)} for node {format_value(other)}, "
                                   "not an integer")
                if other not in seen:
                    raise TLAError(f"CausalOrder: the clock {format_value(entry[1])} counts "
                                   f"node {format_value(other)}, which logged nothing")
                if seen[other] < count:
                    seen[other] = count
                    if not 1 <= count <= len(by_node[other]):
                        raise TLAError(f"CausalOrder: the clock {format_value(entry[1])} counts "
                                       f"{count} for node {format_value(other)}, which logged "
                                       f"{len(by_node[other])} entries (counts must have no gaps)")
                    parent = by_node[other][count - 1]
                    entry[4].add(id(parent))
                    parent[5].append(entry)
    heads = {who: 0 for who in by_node}
    placed = []
    for _ in range(len(entries)):
        for who, line in by_node.items():
            i = heads[who]
            if i < len(line) and not line[i][4]:
                heads[who] = i + 1
                for child in line[i][5]:
                    child[4].discard(id(line[i]))
                placed.append(line[i][0])
    return tuple(placed)


# ------------------------------------------------------------------------------ CSV
def csv_read_natives(read_file: Callable[[str, str], str] | None) -> dict[str, Callable]:
    """CSV's reading operators over the loader's permission check (TLC reads the file)."""

    def text(path, operator):
        if type(path) is not str:
            raise TLAError(f"{operator} expects a file name (a string), got {format_value(path)}")
        if read_file is None:
            from refute.tla.values import RefuteLimitation
            raise RefuteLimitation(f"{operator}({format_value(path)}) reads a file, and no file "
                                   "may be read here",
                                   hint="refute reads a spec's data files only where you say: "
                                        "run refute check with --allow-read PATH")
        return read_file(path, operator)

    def records(path):
        """How many lines the file has (TLC's ``CSVRecords``: 0 when it does not exist)."""
        try:
            return len(text(path, "CSVRecords").splitlines())
        except TLAError as exc:
            if "cannot read" in exc.message:
                return 0
            raise

    def read(columns, delimiter, path):
        """A record per line, its fields split at the delimiter, a Java regular expression
        (``String.split``: trailing empty fields dropped)."""
        names = seq(columns)
        out = []
        for line in text(path, "CSVRead").splitlines():
            fields = re.split(delimiter, line)
            while fields and fields[-1] == "":
                fields.pop()
            out.append(FrozenMap(dict(zip(names, fields))))
        return tuple(out)
    return {"CSVRecords": records, "CSVRead": read}


# ----------------------------------------------------------------------------- Json
_GSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                 "\f": "\\f", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(text: str) -> str:
    """A JSON string as Gson's ``JsonElement.toString`` writes it (TLC's Json module): quotes,
    backslashes, control characters and the line separators escaped, nothing else."""
    return '"' + "".join(_GSON_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c)
                         for c in text) + '"'


def to_json_array(v: Any) -> str:
    if type(v) is tuple:
        items = v
    elif isinstance(v, (frozenset, LazySet)):
        items = sorted_elements(as_set(v))
    elif isinstance(v, FrozenMap) or is_fn(v):
        return to_json_object(v)
    else:
        raise TLAError(f"ToJsonArray cannot convert {format_value(v)}")
    return "[" + ",".join(to_json(x) for x in items) + "]"


def to_json_object(v: Any) -> str:
    if type(v) is tuple:  # a sequence as an object: its indices from 0
        return "{" + ",".join(f"{_json_string(str(i))}:{to_json(x)}" for i, x in enumerate(v)) + "}"
    if not (isinstance(v, FrozenMap) or is_fn(v)):
        raise TLAError(f"ToJsonObject cannot convert {format_value(v)}")
    pairs = in_tlc_order(fn_to_dict(v).items())
    return "{" + ",".join(f"{_json_string(k if type(k) is str else format_value(k))}:{to_json(x)}"
                          for k, x in pairs) + "}"


def to_json(v: Any) -> str:
    """Json's ``ToJson``: records and functions as objects, sequences and sets as arrays (a
    set's elements in their order), strings and model values as strings."""
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is int:
        return str(v)
    if isinstance(v, str):  # a model value too (its name)
        return _json_string(str.__str__(v))
    if type(v) is tuple or isinstance(v, (frozenset, LazySet)):
        return to_json_array(v)
    return to_json_object(v)


def atoi(v):
    """IOUtils' ``atoi``: a string of a (32-bit) integer as the integer (Java's parseInt)."""
    if type(v) is str and re.fullmatch(r"[+-]?[0-9]+", v) and -2**31 <= int(v) < 2**31:
        return int(v)
    raise TLAError(f"The argument of atoi should be a string, but instead it is: {format_value(v)}")


def _b(fn, arity, *op_args):
    return Builtin(fn, arity, tuple(op_args))


def _seq_op(fn):
    return lambda s, *rest: fn(seq(s), *rest)


COMMUNITY: dict[str, dict[str, Builtin]] = {
    "Folds": {"MapThenFoldSet": _b(map_then_fold_set, 5, 0, 2, 3)},
    "Functions": {
        "AntiFunction": _b(anti_function, 1), "FoldFunction": _b(fold_function, 3, 0),
        "FoldFunctionOnSet": _b(fold_function_on_set, 4, 0),
    },
    "SequencesExt": {
        "SetToSeqs": _b(set_to_seqs, 1), "Contains": _b(contains, 2),
        "SelectInSeq": _b(select_in_seq, 2, 1),
        "SelectInSubSeq": _b(select_in_sub_seq, 4, 3),
        "SelectLastInSeq": _b(select_last_in_seq, 2, 1),
        "SelectLastInSubSeq": _b(select_last_in_sub_seq, 4, 3),
        "RemoveFirst": _b(remove_first, 2), "RemoveFirstMatch": _b(remove_first_match, 2, 1),
        "Suffixes": _b(suffixes, 1),
        "AllSubSeqs": _b(all_sub_seqs, 1),
        "FoldLeftDomain": _b(fold_left_domain, 3, 0), "FoldRightDomain": _b(fold_right_domain, 3, 0),
    },
    "BagsExt": {"FoldBag": _b(fold_bag, 3, 0)},
    "Json": {"ToJson": _b(to_json, 1), "ToJsonArray": _b(to_json_array, 1),
             "ToJsonObject": _b(to_json_object, 1)},
    "DyadicRationals": {
        "Zero": _b(lambda: ZERO, 0), "One": _b(lambda: ONE, 0), "Add": _b(dyadic_add, 2),
        "Half": _b(dyadic_half, 1), "IsDyadicRational": _b(is_dyadic, 1),
        "PrettyPrint": _b(dyadic_pretty, 1),
    },
    "UndirectedGraphs": {
        "ConnectedComponents": _b(undirected_components, 1),
        "AreConnectedIn": _b(undirected_connected, 3), "SimplePath": _b(undirected_simple_path, 1),
    },
    "VectorClocks": {"CausalOrder": _b(causal_order, 4, 1, 2, 3)},
    "Graphs": {
        "SimplePath": _b(directed_simple_path, 1), "AreConnectedIn": _b(directed_connected, 3),
        "IsStronglyConnected": _b(directed_strongly_connected, 1),
    },
}
"""Module -> the natives of its operators (besides those :mod:`refute.tla.stdlib` lists)."""

NATIVE_FOR_SPEED = frozenset({"UndirectedGraphs", "Graphs"})
"""Modules whose natives only compute faster what refute's own definitions of them say (the
graph searches): where a native has no compiled form, the compiled backend may lower the
definition instead. Not so elsewhere: IOUtils' definitions are placeholders for what refute
refuses, and some Java overrides differ from their module's TLA+ (SelectInSubSeq)."""

SAME_AS_DEFINITION: dict[str, frozenset[str]] = {
    "FiniteSetsExt": frozenset({"Quantify", "kSubset", "MapThenSumSet"}),
    "SequencesExt": frozenset({"Reverse", "Cons", "Front", "Last"}),
    "Functions": frozenset({"Restrict"}),
}
"""Single operators of other modules whose natives compute their module definition's value
(a count, the k-element subsets, a sum, a sequence rebuilt): as for :data:`NATIVE_FOR_SPEED`,
the compiled backend lowers the definition where it has no form of its own. Checked by
``--verify`` in tests/tla/test_compiled_natives.py; an operator whose Java override means
something else than its definition (the Fold orders, SelectInSubSeq) is not listed."""

