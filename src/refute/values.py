"""Immutable values that spec states are made of.

A state must be immutable and hashable: the checker fingerprints it, keeps it in the
frontier while other states share its parts, and replays it to rebuild a trace. Python's own
immutable types (``int``, ``str``, ``bool``, ``None``, ``tuple``, ``frozenset``) serve as they
are; this module adds what Python lacks:

* :class:`Record`: named fields, ``s.x`` to read, ``s.update(x=...)`` to derive a new one.
  ``State`` is the same type under the name specs use for their whole state.
* :class:`FrozenMap`: an immutable ``dict`` (``m[k]``, ``m.get``, ``in``, iteration all as
  usual) with ``m.set(k, v)`` to derive a new one.
* :class:`Bag`: a multiset (TLA+'s bags), e.g. a network that may hold duplicate messages.
* :class:`ModelValue`: interchangeable values such as ``r1, r2, r3`` (TLA+'s model values),
  which symmetry reduction may permute.

Writing ``dict``, ``set`` or ``list`` into a record is allowed and converted on the spot by
:func:`freeze` (to ``FrozenMap``, ``frozenset``, ``tuple``), so specs read like ordinary
Python: ``s.update(votes={**s.votes, rm: "yes"})``.

Design notes. Records and maps compare and hash in C wherever possible, because the checker
hashes every generated state: a record is a ``tuple`` whose first element is its field names
in sorted order and whose other elements are the values in that order (so records with
different fields never compare equal, and two records with the same fields and values are
equal, hash and fingerprint alike whatever order their fields were given in), a map a ``dict``
whose keys are kept in sorted order (so its hash can be taken from its items in order) with
the hash cached.
The calls that build every successor state, ``Record(...)``, ``Record.update`` and
``FrozenMap.set``, are C functions too when the extension :mod:`refute._values` is built (it
is the base of both classes); otherwise the pure-Python versions here, which behave identically, are used
(:data:`IMPLEMENTATION` says which).
"""

from __future__ import annotations

import difflib
import keyword
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from _collections import _tuplegetter  # the C descriptor behind namedtuple's fields

from refute.errors import Hinted

try:
    from refute._values import FrozenMapBase as _FrozenMapBase, RecordBase as _RecordBase
    from refute._values import field_descriptor as _field_descriptor
    from refute._values import new_record as _new_record
except ImportError:  # pragma: no cover - only without a C compiler
    _FrozenMapBase, _RecordBase, _new_record = dict, tuple, None  # type: ignore[misc]
    _field_descriptor = None

IMPLEMENTATION = "python" if _RecordBase is tuple else "c"
"""``"c"`` if ``Record.update`` and ``FrozenMap.set`` are the C methods, else ``"python"``."""

__all__ = ["IMPLEMENTATION", "Bag", "FrozenMap", "ModelValue", "Record", "State", "freeze", "model_values",
           "show", "sort_canonically", "sort_key"]


class ModelValue(str):
    """An uninterpreted, interchangeable constant (TLA+'s model value), e.g. ``r1``.

    It is a ``str`` so that it hashes, compares and sorts in C and prints as its name; the
    checker recognises it by type when it permutes values for symmetry reduction. Make them
    with :func:`model_values`.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)


def model_values(prefix: str, count: int) -> tuple[ModelValue, ...]:
    """``model_values("r", 3)`` is ``(r1, r2, r3)``: ``count`` interchangeable constants."""
    if not isinstance(count, int) or count < 0:
        raise TypeError(f"model_values({prefix!r}, {count!r}): count must be an int >= 0")
    return tuple(ModelValue(f"{prefix}{i}") for i in range(1, count + 1))


def sort_key(value: Any) -> tuple:
    """A total order over the values refute allows in states, for canonical orderings."""
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        # Model values r1..r10 in numeric order, not r1, r10, r2.
        stripped = value.rstrip("0123456789")
        if isinstance(value, ModelValue) and stripped != value:
            return (2, stripped, int(value[len(stripped):]), value)
        return (3, value)
    if value is None:
        return (-1,)
    if isinstance(value, Record):  # by the stored (sorted) layout: equal records, equal keys
        return (5, tuple.__getitem__(value, 0),
                tuple(sort_key(v) for v in tuple.__getitem__(value, slice(1, None))))
    if isinstance(value, tuple):
        return (4, tuple(sort_key(v) for v in value))
    if isinstance(value, (frozenset, Bag)):
        return (6, tuple(sorted(sort_key(v) for v in value)))
    if isinstance(value, FrozenMap):
        return (7, tuple((sort_key(k), sort_key(v)) for k, v in value.items()))
    return (8, type(value).__name__, repr(value))


def sort_canonically(values: Iterable[Any]) -> list[Any]:
    """Sort values of mixed types deterministically (never by ``hash``)."""
    items = list(values)
    try:
        if all(type(v) is type(items[0]) for v in items) and not isinstance(items[0], (tuple, frozenset)):
            return sorted(items, key=sort_key) if isinstance(items[0], ModelValue) else sorted(items)
    except (TypeError, IndexError):
        pass
    return sorted(items, key=sort_key)


class FrozenMap(_FrozenMapBase):
    """An immutable mapping: a ``dict`` that refuses mutation and can be hashed.

    Invariant: keys are in canonical sorted order (see :func:`sort_canonically`), so that two
    equal maps list their items in the same order and the hash, taken over the items in order,
    needs no sorting. ``set`` and ``update`` preserve the order of existing keys and re-sort
    only when a key is added.
    """

    __slots__ = ("_hash",)

    def __new__(cls, items: Mapping | Iterable[tuple[Any, Any]] = ()) -> FrozenMap:
        return cls._sorted(dict(items))

    def __init__(self, *args: Any) -> None:  # dict.__init__ would re-insert the items
        pass

    @classmethod
    def _sorted(cls, source: dict) -> FrozenMap:
        frozen = dict.__new__(cls)
        for key in sort_canonically(source):
            dict.__setitem__(frozen, key, freeze(source[key]))
        return frozen

    def set(self, key: Any, value: Any) -> FrozenMap:
        """A copy with ``key`` mapped to ``value`` (added if absent)."""
        if key not in self:
            return type(self)._sorted({**self, key: value})
        copy = dict.__new__(type(self))
        dict.update(copy, self)
        dict.__setitem__(copy, key, freeze(value) if type(value) in _MUTABLE else value)
        return copy

    _set_python = set
    if IMPLEMENTATION == "c":
        set = _FrozenMapBase.set  # type: ignore[attr-defined]  # the same, in C (_values.c)

    def update_with(self, changes: Mapping) -> FrozenMap:
        """A copy with every key in ``changes`` mapped to its new value."""
        if all(key in self for key in changes):
            copy = dict.__new__(FrozenMap)
            dict.update(copy, self)
            for key, value in changes.items():
                dict.__setitem__(copy, key, freeze(value))
            return copy
        return FrozenMap._sorted({**self, **changes})

    def remove(self, key: Any) -> FrozenMap:
        """A copy without ``key`` (which must be present)."""
        copy = dict.__new__(FrozenMap)
        dict.update(copy, self)
        dict.__delitem__(copy, key)
        return copy

    def __hash__(self) -> int:  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:
            self._hash = hash((tuple(self), tuple(self.values())))
            return self._hash

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"

    def __reduce__(self) -> tuple:
        return (FrozenMap, (dict(self),))

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "a FrozenMap is immutable: derive a new one with m.set(key, value), "
            "m.update_with({...}) or m.remove(key), or write {**m, key: value}"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]


class Bag(tuple):
    """A multiset (TLA+'s bag): ``Bag(["m1", "m1", "m2"])``; ``b.count(x)``, ``x in b``.

    Stored as a sorted tuple of ``(element, multiplicity)`` pairs so that equal bags are
    equal tuples, hashed in C. Iteration yields each element as often as it occurs.
    """

    __slots__ = ()

    def __new__(cls, elements: Iterable[Any] = ()) -> Bag:
        counts: dict[Any, int] = {}
        for element in elements:
            element = freeze(element)
            counts[element] = counts.get(element, 0) + 1
        return cls._from_counts(counts)

    @classmethod
    def _from_counts(cls, counts: Mapping[Any, int]) -> Bag:
        return tuple.__new__(cls, ((k, counts[k]) for k in sort_canonically(counts) if counts[k] > 0))

    def counts(self) -> dict[Any, int]:
        return dict(tuple.__iter__(self))

    def count(self, element: Any) -> int:  # type: ignore[override]
        return self.counts().get(element, 0)

    def add(self, element: Any, times: int = 1) -> Bag:
        counts = self.counts()
        counts[freeze(element)] = counts.get(element, 0) + times
        return Bag._from_counts(counts)

    def remove(self, element: Any, times: int = 1) -> Bag:
        counts = self.counts()
        if counts.get(element, 0) < times:
            raise ValueError(f"Bag.remove({element!r}): the bag holds it {counts.get(element, 0)} time(s)")
        counts[element] -= times
        return Bag._from_counts(counts)

    def distinct(self) -> frozenset:
        return frozenset(k for k, _ in tuple.__iter__(self))

    def __contains__(self, element: object) -> bool:
        return any(k == element for k, _ in tuple.__iter__(self))

    def __iter__(self) -> Iterator[Any]:
        for element, times in tuple.__iter__(self):
            for _ in range(times):
                yield element

    def __len__(self) -> int:
        return sum(times for _, times in tuple.__iter__(self))

    def __repr__(self) -> str:
        return "Bag(" + repr(list(self)) + ")"

    def __reduce__(self) -> tuple:
        return (Bag, (list(self),))


_MISSING = object()


class Record(_RecordBase):
    """Named, immutable fields: ``Record(type="prepare", rm=r1)``; ``m.type``; ``m.update(...)``.

    Two records are equal when they have the same fields with equal values, whatever order the
    fields were given in: ``Record(a=1, b=2) == Record(b=2, a=1)``, with equal hashes and
    fingerprints. Each keeps the order it was given in for display (``repr``, reports).

    ``Record(**fields)`` returns an instance of a class made once per tuple of field names (in
    the order given), so ``r.x`` is a C-level tuple access and hashing and equality are C
    tuple operations. Layout invariant: element 0 is the tuple of field names *sorted* (one
    shared tuple per set of names), elements 1..n the values in that sorted order; so records
    with different fields are never equal and equal ones are equal as tuples. Class attributes:
    ``_fields`` the names in display order, ``_names`` element 0, ``_positions`` the element
    index of each of ``_fields``, ``_order`` the index in ``_fields`` of each of ``_names``.
    """

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _names: tuple[str, ...] = ()
    _positions: tuple[int, ...] = ()
    _order: tuple[int, ...] = ()
    _classes: dict[tuple[str, ...], type[Record]] = {}
    _sorted_names: dict[tuple[str, ...], tuple[str, ...]] = {}  # element 0, one per set of names

    def __new__(cls, **fields: Any) -> Record:
        names = tuple(fields)
        record_class = cls._classes.get(names) or _record_class(names)
        given = tuple(fields.values())
        return tuple.__new__(record_class, (record_class._names, *(freeze(given[i]) for i in record_class._order)))

    _new_python = __new__  # Record._new_python(Record, **fields), for tests
    if IMPLEMENTATION == "c":  # the same, in C (_values.c): specs build messages with it
        __new__ = staticmethod(_new_record)  # type: ignore[assignment]  # noqa: F811

    def _values(self) -> tuple:
        """The values in the order of ``_fields`` (display order)."""
        return tuple([tuple.__getitem__(self, i) for i in self._positions])

    def _stored(self) -> tuple:
        """The values in the order of ``_names`` (sorted): the same for equal records."""
        return tuple.__getitem__(self, slice(1, None))

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self._values()))

    # update(**changes): a copy with the given fields changed (dicts, sets and lists are
    # frozen). The C method of _RecordBase, else one generated per class by _compile_update.

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self._values()))
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple:
        return (_rebuild_record, (self._fields, self._values()))

    def __iter__(self):  # a record is not a sequence of its values
        raise TypeError(f"a {type(self).__name__} is not iterable: read its fields by name "
                        f"({', '.join(self._fields)})")

    def __len__(self) -> int:
        return len(self._fields)

    def __getitem__(self, index: Any) -> Any:
        raise TypeError(f"a {type(self).__name__} is read by field name, not by index: "
                        f"use .{self._fields[0] if self._fields else 'field'}")


State = Record
"""A spec's whole state is a record: ``State(x=0, y=frozenset())``."""


def _rebuild_record(names: tuple[str, ...], values: tuple) -> Record:
    """The record with these fields (display order) and values (in that order): unpickling."""
    record_class = Record._classes.get(names) or _record_class(names)
    return tuple.__new__(record_class, (record_class._names, *(values[i] for i in record_class._order)))


class UnknownField(TypeError, Hinted):
    """``record.update(name=...)`` for a field the record does not have (a typo, most often):
    the message lists the record's fields, the hint suggests the nearest. Raised by both
    ``update`` implementations (C and Python), only on that error path."""

    def __init__(self, fields: tuple[str, ...], name: str) -> None:
        shown = ", ".join(fields) if fields else "none"
        super().__init__(f"Record.update() got {name!r}, which is not a field of the record "
                         f"(its fields: {shown})")
        self.fields, self.name = fields, name
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        self.hint = (f"did you mean {close[0]}? " if close else "") + \
            "update changes only the fields the record has; a new field needs adding where " \
            "the record is made (State(...) in init)"


def _record_class(names: tuple[str, ...]) -> type[Record]:
    """Make (once) the Record subclass for these field names, with a fast ``update``.

    Every record with these fields, whatever their order, shares one tuple of the interned names
    sorted as element 0, so the C ``update`` finds a field by comparing pointers with the
    (interned) keyword names, and records given their fields in different orders are equal.
    """
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(f"{name!r} cannot be a record field: use a Python identifier "
                             "that does not start with '_'")
        if name in ("update",):
            raise ValueError(f"{name!r} cannot be a record field: it is the name of a method")
    names = tuple(sys.intern(str(name)) for name in names)
    stored = tuple(sorted(names))
    stored = Record._sorted_names.setdefault(stored, stored)
    positions = tuple(stored.index(name) + 1 for name in names)
    namespace: dict[str, Any] = {"__slots__": (), "_fields": names, "_names": stored,
                                 "_positions": positions,
                                 "_order": tuple(names.index(name) for name in stored)}
    if _field_descriptor is None:
        for name, index in zip(names, positions):
            namespace[name] = _tuplegetter(index, f"field {name}")
    record_class = type("Record", (Record,), namespace)
    if IMPLEMENTATION == "python":
        record_class.update = _compile_update(record_class, stored)  # type: ignore[attr-defined]
    else:  # a member descriptor, which the interpreter reads without a call (see _values.c)
        for name, index in zip(names, positions):
            setattr(record_class, name, _field_descriptor(record_class, name, index))
    Record._classes[names] = record_class
    return record_class


def _compile_update(record_class: type, names: tuple[str, ...]) -> Any:
    """Generate ``update(self, *, a=_MISSING, ...)`` without a per-call loop over fields.

    ``names`` are the record's stored (sorted) field names, element 0 of its instances.

    It is the checker's hottest user-facing call (every successor state is made by it), so it
    is specialised per record class: a plain function with keyword-only parameters. The
    ``**_unknown`` catch-all turns a misspelt field into :class:`UnknownField` as the C version
    does; it costs this fallback about 0.2 us a call (an empty dict), against several for the
    rest of a step without the C extension.
    """
    params = "".join(f"{n}=_MISSING, " for n in names)
    lines = [f"def update(self, {'*, ' if names else ''}{params}**_unknown):",
             "    if _unknown: raise UnknownField(_names, next(iter(_unknown)))"]
    for index, name in enumerate(names, start=1):
        lines.append(f"    if {name} is _MISSING: {name} = _get(self, {index})")
        lines.append(f"    elif type({name}) in _MUTABLE: {name} = freeze({name})")
    lines.append(f"    return _new(_cls, (_names, {', '.join(names)}{',' if len(names) == 1 else ''}))")
    scope = {"_MISSING": _MISSING, "_get": tuple.__getitem__, "_MUTABLE": _MUTABLE,
             "freeze": freeze, "_new": tuple.__new__, "_cls": record_class, "_names": names,
             "UnknownField": UnknownField}
    exec("\n".join(lines), scope)  # noqa: S102 - generated from validated identifiers
    update = scope["update"]
    update.__doc__ = "A copy with the given fields changed (dicts, sets and lists are frozen)."
    update.__qualname__ = "Record.update"
    return update


_MUTABLE = frozenset({dict, set, list})


def freeze(value: Any) -> Any:
    """Convert ``dict``/``set``/``list`` (recursively) to FrozenMap/frozenset/tuple."""
    kind = type(value)
    if kind is dict:
        return FrozenMap._sorted(value)
    if kind is set or kind is frozenset:
        return frozenset(map(freeze, value)) if kind is set or any(type(v) in _MUTABLE for v in value) else value
    if kind is list or kind is tuple:
        if kind is tuple and not any(type(v) in _MUTABLE for v in value):
            return value
        return tuple(map(freeze, value))
    return value


def show(value: Any) -> str:
    """A value for people, the one rendering every report uses (states, action arguments):
    compact and unambiguous, strings quoted, model values bare, sets sorted canonically
    (``{r1, r2}``, not ``frozenset({r1, r2})``)."""
    if isinstance(value, ModelValue):
        return str.__str__(value)
    if isinstance(value, Record):
        return "(" + ", ".join(f"{n}={show(v)}" for n, v in zip(value._fields, value._values())) + ")"
    if isinstance(value, FrozenMap):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Bag):
        return "Bag(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, frozenset):
        return "{" + ", ".join(show(v) for v in sort_canonically(value)) + "}" if value else "{}"
    if isinstance(value, tuple):
        inner = ", ".join(show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)
