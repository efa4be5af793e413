"""TLA+ values as refute values, chosen so that TLA+ equality is Python equality.

=================  ===========================================================================
TLA+               Python
=================  ===========================================================================
integer, boolean   ``int``, ``bool`` (caveat: Python has ``1 == True``; TLC refuses to compare
                   them, so a spec that relies on their difference is already an error in TLC)
string             ``str``
model value        :class:`refute.values.ModelValue` (a ``str`` subclass; symmetry permutes
                   them; TLC's "compare a model value with a string" is not an error here)
finite set         ``frozenset``; ``Nat``, ``Int``, ``Real``, ``STRING``, ``Seq(S)``, ``SUBSET S``,
                   ``[S -> T]``, ``[a: S]`` and ``{x \\in S : P}`` of one of those are
                   :class:`LazySet` until enumerated (membership is tested, as TLC does)
function           with domain ``1..n`` (``n >= 0``): a ``tuple`` -- so ``<<1, 2>>`` equals
                   ``[i \\in 1..2 |-> i]`` and ``<<>>`` the function with empty domain, as in TLC;
                   with any other domain: :class:`~refute.values.FrozenMap`
record             a function with string domain: a ``FrozenMap`` with ``str`` keys
=================  ===========================================================================

:func:`make_fn` is the one constructor of functions: it applies that normalisation, which is
what keeps equality, hashing and fingerprints of equal TLA+ values equal;
:func:`format_value` prints a value in TLA+ syntax, as TLC does in traces.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from refute.values import FrozenMap, ModelValue, sort_key

__all__ = ["FrozenMap", "LazySet", "ModelValue", "TLAError", "RefuteLimitation", "make_fn", "as_set", "domain",
           "apply_fn", "sorted_elements", "format_value"]


class TLAError(Exception):
    """An evaluation error in a TLA+ spec (TLC would report it too), with the source node."""

    def __init__(self, message: str, node: Any = None):
        super().__init__(message)
        self.message = message
        self.node = node


class InfiniteSetError(TLAError):
    """An infinite set (``Int``, ``[S -> Nat]``, ...) was to be enumerated, which TLC refuses
    too; a set that only holds one can still be compared and hashed (:meth:`LazySet.__hash__`)."""


class RefuteLimitation(TLAError):
    """An evaluation refute stops where TLC would go on: a construct refute does not evaluate,
    or an effect it refuses while checking (running a program, reading a file not allowed).
    ``hint`` says what to do instead; a report never adds "TLC reports this error too"."""

    def __init__(self, message: str, hint: str, node: Any = None):
        super().__init__(message, node)
        self.hint = hint


def make_fn(mapping: dict) -> Any:
    """The TLA+ function with this graph, normalised (``1..n`` domains become tuples)."""
    n = len(mapping)
    if n == 0:
        return ()
    if all(type(k) is int for k in mapping) and min(mapping) == 1 and max(mapping) == n:
        return tuple(mapping[i] for i in range(1, n + 1))
    return FrozenMap(mapping)


def is_fn(v: Any) -> bool:
    return type(v) is tuple or isinstance(v, (FrozenMap, LazyFn))


def domain(f: Any) -> Any:
    if type(f) is tuple:
        return frozenset(range(1, len(f) + 1))
    if isinstance(f, FrozenMap):
        return frozenset(f)
    if isinstance(f, LazyFn):
        return f.dom
    raise TLAError(f"DOMAIN applied to a non-function: {short(f)}")


def apply_fn(f: Any, x: Any) -> Any:
    if type(f) is tuple:
        if type(x) is int and 1 <= x <= len(f):
            return f[x - 1]
    elif isinstance(f, FrozenMap):
        try:
            return f[x]
        except KeyError:
            pass
        except TypeError:
            pass
    elif isinstance(f, LazyFn):
        return f(x)
    else:
        raise TLAError(f"applied a non-function {short(f)} to {short(x)}")
    raise TLAError(f"function {short(f)} applied to {short(x)}, outside its domain")


def fn_to_dict(f: Any) -> dict:
    if type(f) is tuple:
        return {i + 1: v for i, v in enumerate(f)}
    if isinstance(f, FrozenMap):
        return dict(f)
    if isinstance(f, LazyFn):
        return {x: f(x) for x in as_set(f.dom)}
    raise TLAError(f"expected a function, got {short(f)}")


class LazyFn:
    """A function over a domain too large to build (``[n \\in Nat |-> ...]``, recursive
    function definitions): applied on demand, with a memo."""

    __slots__ = ("dom", "body", "memo")

    def __init__(self, dom: Any, body: Any):
        self.dom = dom
        self.body = body
        self.memo: dict = {}

    def __call__(self, x: Any) -> Any:
        memo = self.memo
        if x in memo:
            return memo[x]
        if x not in self.dom:
            raise TLAError(f"function applied to {short(x)}, outside its domain")
        v = memo[x] = self.body(x)
        return v

    def force(self) -> Any:
        return make_fn({x: self(x) for x in as_set(self.dom)})

    def __eq__(self, other: Any) -> bool:
        return self.force() == (other.force() if isinstance(other, LazyFn) else other)

    def __hash__(self) -> int:
        return hash(self.force())


_PRIMITIVE = frozenset(("Nat", "Int", "Real", "STRING"))
_MEMO_MAX = 1 << 16


class LazySet:
    """A set described, not enumerated: membership is a test; anything else enumerates it."""

    __slots__ = ("kind", "args", "_items", "_memo")

    def __init__(self, kind: str, *args: Any):
        self.kind = kind
        self.args = args
        self._items: frozenset | None = None
        self._memo: dict | None = None

    def __contains__(self, v: Any) -> bool:
        r"""Membership; for composite sets (``[S -> T]``, ``[a: S]``, ``SUBSET S``, unions...)
        remembered per value, since a type invariant such as ``msgs \in SUBSET Message`` tests
        the same immutable values in state after state. The memo is bounded (cleared when
        full). Values are keyed by equality, so ``1`` and ``TRUE`` share an entry: comparing
        them is an error in TLC, so no spec TLC accepts depends on the difference."""
        if self.kind in _PRIMITIVE:
            return self._contains(v)
        memo = self._memo
        if memo is None:
            memo = self._memo = {}
        try:
            return memo[v]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (cannot be in a finite TLA+ set built here)
            return self._contains(v)
        found = self._contains(v)
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[v] = found
        return found

    def _contains(self, v: Any) -> bool:
        k, a = self.kind, self.args
        if type(v) is not ModelValue and _kind(v) != _MEMBERS.get(k, _kind(v)):
            # TLC: "Attempted to check if the value "a" is an element of Nat."
            raise TLAError(f"TLC cannot decide whether {short(v)} is an element of "
                           f"{format_value(self)}: it holds only {_MEMBERS[k]} values")
        if k == "Nat":
            return type(v) is int and v >= 0
        if k == "Int":
            return type(v) is int
        if k == "Real":  # TLC has no other real numbers than the integers (no literal, no /)
            return type(v) is int
        if k == "STRING":
            return type(v) is str
        if k == "Seq":
            return type(v) is tuple and all(_member(x, a[0]) for x in v)
        if k == "SUBSET":
            return isinstance(v, frozenset) and all(_member(x, a[0]) for x in v)
        if k == "FcnSet":
            if not is_fn(v):
                return False
            d = domain(v)
            if d != as_set(a[0]):
                return False
            return all(_member(apply_fn(v, x), a[1]) for x in d)
        if k == "RecSet":
            if not isinstance(v, FrozenMap) or len(v) != len(a[0]):
                return False
            return all(name in v and _member(v[name], s) for name, s in a[0])
        if k == "Filter":  # {x \in S : P(x)} over a set not worth enumerating, as TLC's SetPredValue
            return v in a[0] and a[1](v)
        if k == "Diff":
            return v in a[0] and v not in a[1]
        if k == "Cap":
            return v in a[0] and v in a[1]
        if k == "Cup":
            return v in a[0] or v in a[1]
        if k == "Product":
            return type(v) is tuple and len(v) == len(a[0]) and all(x in s for x, s in zip(v, a[0]))
        if k == "Union":  # UNION of sets one of which is infinite: in one of them (TLC's UnionValue.member)
            return any(_member(v, s) for s in as_set(a[0]) if isinstance(s, (frozenset, LazySet)))
        return v in self.materialize()

    def materialize(self) -> frozenset:
        if self._items is not None:
            return self._items
        k, a = self.kind, self.args
        if k in INFINITE_KINDS:
            raise InfiniteSetError(f"TLC cannot enumerate the infinite set {self.kind}")
        if k == "SUBSET":
            base = sorted_elements(as_set(a[0]))
            items = frozenset(frozenset(c) for r in range(len(base) + 1)
                              for c in itertools.combinations(base, r))
        elif k == "FcnSet":
            dom = sorted_elements(as_set(a[0]))
            rng = sorted_elements(as_set(a[1]))
            items = frozenset(make_fn(dict(zip(dom, choice)))
                              for choice in itertools.product(rng, repeat=len(dom)))
        elif k == "RecSet":
            names = [n for n, _ in a[0]]
            sets = [sorted_elements(as_set(s)) for _, s in a[0]]
            items = frozenset(FrozenMap(dict(zip(names, choice))) for choice in itertools.product(*sets))
        elif k == "Product":
            items = frozenset(itertools.product(*[sorted_elements(as_set(s)) for s in a[0]]))
        elif k == "Cup":
            items = as_set(a[0]) | as_set(a[1])
        elif k == "Union":
            items = frozenset().union(*[as_set(s) for s in as_set(a[0])])
        elif k == "Filter":
            items = frozenset([v for v in as_set(a[0]) if a[1](v)])
        else:
            raise TLAError(f"cannot enumerate {self.kind}")
        self._items = items
        return items

    def __iter__(self) -> Iterator:
        return iter(self.materialize())

    def __len__(self) -> int:
        return len(self.materialize())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, LazySet):
            if self.kind == other.kind and (self.kind in _PRIMITIVE or self.args == other.args):
                return True  # the same description: the same set, enumerable or not
            other = other.materialize()
        return isinstance(other, frozenset) and self.materialize() == other

    def __hash__(self) -> int:
        """The hash of the elements; for a set that cannot be enumerated (``[S -> Int]``, held
        in ``{[S -> Int]}``), of its description: equal infinite sets are compared by their
        descriptions (:meth:`__eq__`; any other comparison enumerates, and fails, as in TLC)."""
        try:
            return hash(self.materialize())
        except InfiniteSetError:
            return hash((self.kind, self.args))

    def __repr__(self) -> str:
        return f"LazySet({self.kind})"


_MEMBERS = {"Nat": "integer", "Int": "integer", "Real": "integer", "STRING": "string",
            "Seq": "function", "SUBSET": "set", "FcnSet": "function", "RecSet": "function"}
"""The one kind of value each kind of :class:`LazySet` holds: TLC refuses to test whether a
value of another kind is an element (a model value is in none of them, without error)."""

INFINITE_KINDS = frozenset({"Nat", "Int", "Real", "STRING", "Seq"})
"""The kinds of :class:`LazySet` that are infinite whatever their arguments."""


def is_infinite(s: Any) -> bool:
    r"""Whether ``s`` is a set TLC cannot enumerate: ``Nat``, or built from one by the set
    constructors (``Nat \cup {-1}``, ``Nat \X Nat``, ``[a : Nat]``, ``[S -> Nat]``, ``SUBSET
    Int``, ``{x \in Nat : P}``, ``UNION {Nat, S}``...). Such a set stays described (TLC's
    lazy set values): a union or difference with it, or a function over it, is kept lazy, and
    membership in it is a test, so that ``m \in [a : {2}] \cup [a : Nat]`` holds or fails
    as in TLC instead of failing to enumerate ``Nat``."""
    if not isinstance(s, LazySet):
        return False
    k, a = s.kind, s.args
    if k in INFINITE_KINDS or k == "Cap":  # Cap: made only of two infinite sets
        return True
    if k in ("Cup", "SUBSET"):
        return any(is_infinite(x) for x in a)
    if k in ("Diff", "Filter"):
        return is_infinite(a[0])
    if k == "Product":
        return any(is_infinite(x) for x in a[0])
    if k == "RecSet":
        return any(is_infinite(x) for _, x in a[0])
    if k == "FcnSet":  # [{} -> Nat] is {<<>>}
        return is_infinite(a[0]) or (is_infinite(a[1]) and a[0] != frozenset())
    if k == "Union":
        return isinstance(a[0], frozenset) and any(is_infinite(x) for x in a[0])
    return False

NAT = LazySet("Nat")
INT = LazySet("Int")
REAL = LazySet("Real")
STRING = LazySet("STRING")


def as_set(v: Any) -> frozenset:
    if isinstance(v, frozenset):
        return v
    if isinstance(v, LazySet):
        return v.materialize()
    raise TLAError(f"expected a set, got {short(v)}")


def _by_identity(compute: Any, limit: int = 1 << 14) -> Any:
    """``compute`` remembered by the identity of its argument: values in states are
    immutable and recur as the same objects in state after state (a set shared by the states
    that do not change it, records interned where built). An entry holds its value, so the
    id cannot be reused while it lives; the memo is cleared when full (and by ``.clear()``,
    when the order it remembers changes), so it stays bounded."""
    memo: dict[int, tuple[Any, Any]] = {}

    def cached(v: Any) -> Any:
        hit = memo.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        result = compute(v)
        if len(memo) >= limit:
            memo.clear()
        memo[id(v)] = (v, result)
        return result
    cached.clear = memo.clear  # type: ignore[attr-defined]
    return cached


# ------------------------------------------------------------ TLC's order of values
_atoms: dict[str, int] = {}  # the model's strings and model values -> TLC's rank (tla/atoms.py)


def use_atom_order(ordinals: dict[str, int]) -> None:
    """Order strings and model values by ``ordinals`` (:func:`refute.tla.atoms.atom_ordinals`)
    from now on. A model installs its own before it evaluates anything (one process may load
    several); the orders remembered under the previous one are forgotten."""
    global _atoms
    if ordinals is not _atoms:
        _atoms = ordinals
        _cached_key.clear()
        _sorted_set.clear()


def tlc_key(value: Any) -> tuple:
    """A sort key that orders TLA+ values as TLC's ``compareTo`` methods do, which decides what
    CHOOSE takes and the order ``\\E`` and ``x \\in S`` enumerate in: strings and model values by
    TLC's rank (:mod:`refute.tla.atoms`; a string the model's tables do not hold, computed while
    checking, after all of them, alphabetically), model values before any other value; a tuple
    by its length, then element by element (``TupleValue``); a set by its size, then its
    elements in order (``SetEnumValue``); a function or record by its size, then its arguments
    (field names) in order, then its values (``FcnRcdValue``, ``RecordValue``). Values TLC does
    not compare with each other (an integer and a string) are kept apart by kind. The compiled
    backend's C runtime (``rt_cmp``) orders values alike."""
    kind = type(value)
    if kind is int:
        return (1, value)
    if kind is str or kind is ModelValue:
        rank = _atoms.get(value)
        return (3 if kind is str else 2, 0, rank) if rank is not None else (3 if kind is str else 2, 1, value)
    if kind is bool:
        return (0, int(value))
    if kind is tuple:
        return (4, len(value), tuple(map(tlc_key, value)))
    if kind is frozenset:
        return (6, len(value), tuple(sorted(map(tlc_key, value))))
    if isinstance(value, FrozenMap):
        pairs = sorted((tlc_key(k), tlc_key(x)) for k, x in value.items())
        return (7, len(pairs), tuple(k for k, _ in pairs), tuple(x for _, x in pairs))
    return sort_key(value)


def _sort(s: Iterable) -> list:
    items = list(s)
    if items and all(type(v) is int for v in items):
        return sorted(items)
    try:
        if items and isinstance(items[0], (FrozenMap, tuple, frozenset)):
            return sorted(items, key=_cached_key)
        return sorted(items, key=tlc_key)
    except TypeError:
        return sorted(items, key=lambda v: (type(v).__name__, repr(v)))


_cached_key = _by_identity(tlc_key)
_sorted_set = _by_identity(_sort)


def in_tlc_order(items: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A function's ``(argument, value)`` pairs in TLC's order of the arguments, as TLC prints
    them (a record's fields in its order of their names, not alphabetically)."""
    return sorted(items, key=lambda pair: tlc_key(pair[0]))


def sorted_elements(s: Iterable) -> list:
    """Elements in a canonical order: TLC's choice (CHOOSE) and exploration order depend on it.

    Sorting is the hot spot of quantifiers over state-dependent sets (``\\E m \\in msgs`` is
    enumerated by several actions of every state), so the order of a ``frozenset`` is
    remembered by identity. Callers must not mutate the list they get."""
    return _sorted_set(s) if type(s) is frozenset else _sort(s)


def format_value(v: Any) -> str:
    """``v`` in TLA+ syntax, as TLC prints values in traces (sets in canonical order)."""
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, ModelValue):
        return str.__str__(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, frozenset):
        return "{" + ", ".join(format_value(x) for x in sorted_elements(v)) + "}"
    if type(v) is tuple:
        return "<<" + ", ".join(format_value(x) for x in v) + ">>"
    if isinstance(v, FrozenMap):
        if v and all(type(k) is str for k in v):
            return "[" + ", ".join(f"{k} |-> {format_value(x)}" for k, x in in_tlc_order(v.items())) + "]"
        return "(" + " @@ ".join(f"{format_value(k)} :> {format_value(x)}"
                                 for k, x in in_tlc_order(v.items())) + ")"
    if isinstance(v, LazySet):
        if v.kind not in INFINITE_KINDS:  # TLC prints a set it can enumerate as its elements
            try:
                return format_value(v.materialize())
            except TLAError:
                pass
        return v.kind if not v.args else f"{v.kind}(...)"
    if isinstance(v, LazyFn):
        return "[function]"
    return repr(v)


def short(v: Any) -> str:
    """``v`` printed for an error message: at most about 200 characters."""
    text = format_value(v)
    return text if len(text) < 200 else text[:200] + "..."


# ------------------------------------------------------------ what TLC can compare
_SCALAR_KINDS = {int: "integer", str: "string", bool: "boolean"}


def _kind(v: Any) -> str | None:
    """The kind of value TLC compares ``v`` as: ``"integer"``, ``"string"``, ``"boolean"``,
    ``"set"``, ``"function"``, or None for a model value (comparable with anything)."""
    t = type(v)
    kind = _SCALAR_KINDS.get(t)
    if kind is not None:
        return kind
    if t is ModelValue:
        return None
    if t is frozenset or t is LazySet:
        return "set"
    return "function"


def incomparable(a: Any, b: Any) -> TLAError:
    """TLC's error for comparing values of different kinds (``1 = {1}``, ``"a" = [f |-> 1]``)."""
    return TLAError(f"cannot compare the {_kind(a)} {short(a)} with the {_kind(b)} {short(b)}: "
                    "TLC compares only values of one kind (integers, strings, booleans, sets, "
                    "functions) or model values")


def tlc_equal(a: Any, b: Any) -> bool:
    """``a = b`` as TLC decides it: an error, not FALSE, when the two values (or two elements
    that decide it, inside sets and functions) are of kinds TLC does not compare
    (``tlc2.value.impl``'s ``equals``, e.g. IntValue's "Attempted to check equality of integer
    0 with non-integer"). Python's ``1 == True`` is refused here as TLC refuses it."""
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta in _SCALAR_KINDS or ta is ModelValue:
            return a == b
        equal = a == b
        if not equal and a and b:
            _check_comparable_parts(a, b, "set" if ta is frozenset or ta is LazySet else "function")
        return equal
    ka, kb = _kind(a), _kind(b)
    if ka is None or kb is None:
        return a == b
    if ka != kb:
        raise incomparable(a, b)
    equal = a == b
    if not equal:
        _check_comparable_parts(a, b, ka)
    return equal


def _check_comparable_parts(a: Any, b: Any, kind: str) -> None:
    """Raise TLC's error if unequal ``a`` and ``b`` (both sets or both functions) differ
    where TLC's comparison would meet values of different kinds: an element of each set, or
    the first argument at which two functions over one domain differ."""
    if kind == "set":
        if type(a) is not frozenset or type(b) is not frozenset or not a or not b:
            return
        x, y = next(iter(a)), next(iter(b))
        if type(x) is not type(y):
            kx, ky = _kind(x), _kind(y)
            if kx is not None and ky is not None and kx != ky:
                raise incomparable(x, y)
        return
    if type(a) is tuple and type(b) is tuple:
        if len(a) == len(b):
            for x, y in zip(a, b):
                if x != y:  # the first difference decides, as TLC compares in order
                    tlc_equal(x, y)
                    return
        return
    if isinstance(a, FrozenMap) and isinstance(b, FrozenMap):
        if len(a) == len(b):
            for key, x in a.items():
                y = b.get(key, a)
                if y is a:
                    return
                if x != y:
                    tlc_equal(x, y)
                    return
        return
    record = a if isinstance(a, FrozenMap) and a and all(type(k) is str for k in a) else \
        b if isinstance(b, FrozenMap) and b and all(type(k) is str for k in b) else None
    other = b if record is a else a
    if record is not None and type(other) is tuple and other:
        raise TLAError(f"cannot compare the record {short(record)} with the non-record "
                       f"{short(other)}: TLC compares a record only with a record")


def one_kind(items: list, node: Any = None) -> None:
    """Raise TLC's error for a set enumerated from values of kinds it does not compare
    (``{1, "a"}``: TLC cannot put its elements in order); model values mix with any kind."""
    first = type(items[0])
    if all(type(x) is first for x in items):
        return
    kinds = {k for k in map(_kind, items) if k is not None}
    if len(kinds) > 1:
        a = next(x for x in items if _kind(x) is not None)
        b = next(x for x in items if _kind(x) not in (None, _kind(a)))
        raise TLAError(incomparable(a, b).message, node)


def _member(v: Any, s: Any) -> bool:
    """``v \\in s`` inside a composite set's membership test, with TLC's error for a value
    of another kind than an enumerated set's elements."""
    found = v in s
    if not found:
        element_kind_error(v, s)
    return found


def element_kind_error(v: Any, s: Any) -> None:
    """Raise TLC's error if ``v`` is not in the enumerated set ``s`` because it is of another
    kind than its elements (``"a" \\in {1, 2}``: TLC compares ``"a"`` with 1 and stops)."""
    if type(s) is frozenset and s:
        x = next(iter(s))
        kv, kx = _kind(v), _kind(x)
        if kv is not None and kx is not None and kv != kx:
            raise incomparable(x, v)
