"""Deterministic 64-bit fingerprints of states: ``fingerprint(value) -> int``.

The checker fingerprints every state it generates (tens of millions per run) and keeps the
fingerprints, not the states, in its visited set (:class:`~refute.engine.fpset.FingerprintSet`), so this is the
hottest path in refute. :func:`fingerprint` is the C function from the extension module
:mod:`refute.engine._fingerprint` when that was built, else :func:`fingerprint_python`, a
pure-Python twin that returns exactly the same numbers (:data:`IMPLEMENTATION` says which).

Invariants
----------
1. **Deterministic.** A fingerprint depends only on the value: not on ``PYTHONHASHSEED``,
   object addresses, the iteration order of sets and dicts, the process, the machine or its
   byte order. That is why Python's ``hash()`` cannot be used: ``str``/``bytes`` hashes are
   seeded per process, and in 3.11 ``hash(None)`` is derived from the address of ``None``.
   Fingerprints can therefore be compared across worker processes, stored on disk and used to
   resume a run.
2. **Equal values, equal fingerprints** (for the supported types), as Python's ``==`` says:

   * ``frozenset`` and ``dict`` (any dict subclass, e.g. ``FrozenMap``) are fingerprinted
     order-independently: the elements' fingerprints (a dict's ``(key, value)`` fingerprint
     pairs) are sorted as unsigned 64-bit numbers before they are hashed, so iteration order,
     which for sets depends on the hash seed, cannot matter. FrozenMap keeps its keys in
     canonical order, but nothing here relies on that.
   * Numbers: ``True``/``False`` fingerprint as the ints ``1``/``0`` (``True == 1`` in
     Python, so they must), and an integral float as the equal int (``1.0 == 1``,
     ``-0.0 == 0.0 == 0``, ``2.0**70 == 2**70``). Every NaN fingerprints alike.
   * Subclasses fingerprint as their base type: ``ModelValue`` as the ``str`` of the same
     characters, ``Record`` and ``Bag`` as the plain tuple of the same elements (a Record's
     element 0 is its tuple of field names, so records with different fields differ).
   * ``str`` and ``bytes`` are never equal in Python and get different seeds.

3. **Well mixed.** Every fingerprint is an XXH64 hash (the xxHash 64-bit algorithm, written
   out in C and taken from the ``xxhash`` package in the twin) of a byte string, seeded with a
   per-type constant so that values of different types land apart: ``str`` hashes its UTF-8
   bytes (``'surrogatepass'`` for lone surrogates), ``bytes`` itself, an int its 8-byte
   little-endian two's complement (XXH64 of 8 bytes is a bijection, so distinct int64 never
   collide), an int beyond 64 bits its minimal two's-complement little-endian bytes under a
   different seed, a non-integral float its IEEE bits (all NaNs alike). A tuple hashes its
   items' fingerprints as a sequence of little-endian 64-bit words, which is position
   dependent and runs through XXH64's four-lane mixing; a frozenset or dict the sorted words.
4. **Only immutable state values.** ``None``, ``bool``, ``int``, ``float``, ``str``,
   ``bytes``, ``tuple``, ``frozenset`` and dicts (and subclasses of these) are accepted;
   anything else (``list``, ``set``, ``bytearray``, arbitrary objects) raises ``TypeError``
   naming the type. Nesting deeper than :data:`MAX_DEPTH` containers raises
   ``RecursionError`` (never a crash), at the same depth in both implementations (the twin,
   should Python's recursion limit strike first, retries once with the limit raised
   temporarily, which 3.11 allows safely since Python-to-Python calls use no C stack).
5. **Fast.** The C version walks the value with exact-type fast paths, streams the words of
   a tuple through XXH64 without a buffer, and sorts set and dict fingerprints on the stack;
   on a freshly built state it costs about what builtin ``hash()`` does (hash() is faster
   only when it can reuse the hashes cached in frozensets and FrozenMaps), and the twin is
   tens of times slower (see ``benchmarks/bench_fingerprint.py``). The C version caches the
   fingerprints of frozensets and FrozenMaps by identity (holding a reference, so the object
   cannot change or be replaced at that address): successors share most parts with their
   parent, and each shared part is then walked once per parent, not once per successor.
   Only parts referenced from elsewhere too are cached (a part an action built anew belongs
   to its successor alone); a map's keys are read from a memo of the last map's keys and
   their sorted order (states' maps share their key objects). As it walks, it takes the
   immutable containers whose items are all atoms or such containers off the cyclic
   collector's lists, as CPython does for tuples of atoms: the frontier's millions of states
   are then never traversed by the collector. None of this changes a fingerprint.

The result is a signed 64-bit int (it fits an ``int64`` key directly). The algorithm is
spelled out at the top of ``_fingerprint.c``; the golden numbers in
``tests/engine/test_fingerprint.py`` pin it, so any change to it must be deliberate (it
invalidates stored fingerprints) and made to both implementations.
"""

from __future__ import annotations

import struct
import sys
from array import array
from typing import Any

import xxhash

__all__ = ["IMPLEMENTATION", "MAX_DEPTH", "fingerprint", "fingerprint_python"]

MAX_DEPTH = 1_000
"""Containers may nest this deep; one level more raises ``RecursionError``.

Far beyond any real state, and low enough that the C recursion stays well within the stack of
any thread (a few hundred bytes per level).
"""

_SEED_NONE = 0x6A09E667F3BCC908
_SEED_INT = 0xBB67AE8584CAA73B
_SEED_BIGINT = 0x3C6EF372FE94F82B
_SEED_FLOAT = 0xA54FF53A5F1D36F1
_SEED_STR = 0x510E527FADE682D1
_SEED_BYTES = 0x9B05688C2B3E6C1F
_SEED_TUPLE = 0x1F83D9ABFB41BD6B
_SEED_FROZENSET = 0xCBBB9D5DC1059ED8
_SEED_DICT = 0x629A292A367CD507
_NAN = struct.pack("<Q", 0x7FF8000000000000)

_xxh64 = xxhash.xxh64_intdigest
_pack_int64 = struct.Struct("<q").pack
_pack_double = struct.Struct("<d").pack
_BIG_ENDIAN = sys.byteorder == "big"

_FP_NONE = _xxh64(b"", _SEED_NONE)


def _words(fps: list[int]) -> array:
    """Fingerprints (uint64) as a buffer of little-endian words, for XXH64."""
    words = array("Q", fps)
    if _BIG_ENDIAN:
        words.byteswap()
    return words


def _fp_int(v: int) -> int:
    if -0x8000000000000000 <= v <= 0x7FFFFFFFFFFFFFFF:
        return _xxh64(_pack_int64(v), _SEED_INT)
    length = ((v if v >= 0 else ~v).bit_length() + 8) // 8
    return _xxh64(int.to_bytes(v, length, "little", signed=True), _SEED_BIGINT)


def _fp_float(v: float) -> int:
    if float.is_integer(v):  # False for inf and nan
        return _fp_int(int(v))
    return _xxh64(_NAN if v != v else _pack_double(v), _SEED_FLOAT)


def _fp_str(v: str) -> int:
    return _xxh64(str.encode(v, "utf-8", "surrogatepass"), _SEED_STR)


def _fp_bytes(v: bytes) -> int:
    return _xxh64(v, _SEED_BYTES)  # the buffer, never __bytes__


# Container fingerprints use list comprehensions, not generators: a generator is resumed
# through the C stack, a comprehension (like any Python-to-Python call in 3.11) is not.

def _fp_tuple(v: tuple, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise _too_deep()
    # tuple.__iter__, not Record.__iter__ (which refuses).
    return _xxh64(_words([_fp(item, depth) for item in tuple.__iter__(v)]), _SEED_TUPLE)


def _fp_frozenset(v: frozenset, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise _too_deep()
    fps = [_fp(item, depth) for item in frozenset.__iter__(v)]
    fps.sort()
    return _xxh64(_words(fps), _SEED_FROZENSET)


def _fp_dict(v: dict, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise _too_deep()
    pairs = [(_fp(key, depth), _fp(value, depth)) for key, value in dict.items(v)]
    pairs.sort()
    return _xxh64(_words([word for pair in pairs for word in pair]), _SEED_DICT)


def _too_deep() -> RecursionError:
    return RecursionError(f"cannot fingerprint a value nested more than {MAX_DEPTH} levels deep")


def _type_error(v: Any) -> TypeError:
    if isinstance(v, list):
        hint = "states must be immutable (use tuple)"
    elif isinstance(v, set):
        hint = "states must be immutable (use frozenset)"
    elif isinstance(v, bytearray):
        hint = "states must be immutable (use bytes)"
    else:
        hint = ("states may hold only None, bool, int, float, str, bytes, tuple, "
                "frozenset and dict/FrozenMap (and their subclasses)")
    return TypeError(f"cannot fingerprint a {type(v).__name__}: {hint}")


# Scalars take the value; containers the value and the depth of their parent.
_SCALARS: dict[type, Any] = {
    str: _fp_str, int: _fp_int, bool: _fp_int, float: _fp_float, bytes: _fp_bytes,
    type(None): lambda v: _FP_NONE,
}
_CONTAINERS: dict[type, Any] = {tuple: _fp_tuple, frozenset: _fp_frozenset, dict: _fp_dict}


def _handler(kind: type) -> tuple[bool, Any]:
    """(is_container, function) for a subclass of a supported type, else (False, None)."""
    # Same precedence as the C version.
    if issubclass(kind, tuple):
        return True, _fp_tuple
    if issubclass(kind, str):
        return False, _fp_str  # str.encode, unbound
    if issubclass(kind, frozenset):
        return True, _fp_frozenset
    if issubclass(kind, dict):
        return True, _fp_dict
    if issubclass(kind, int):
        return False, lambda v: _fp_int(int.__index__(v))
    if issubclass(kind, float):
        return False, lambda v: _fp_float(float.__float__(v))
    if issubclass(kind, bytes):
        return False, _fp_bytes
    return False, None


def _fp(v: Any, depth: int) -> int:
    kind = type(v)
    if kind is str:
        return _xxh64(v.encode("utf-8", "surrogatepass"), _SEED_STR)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        return scalar(v)
    container = _CONTAINERS.get(kind)
    if container is not None:
        return container(v, depth + 1)
    is_container, function = _handler(kind)
    if function is None:
        raise _type_error(v)
    # Cache the subclass's handler (Record classes, ModelValue, FrozenMap, Bag, ...).
    (_CONTAINERS if is_container else _SCALARS)[kind] = function
    return function(v, depth + 1) if is_container else function(v)


def fingerprint_python(value: Any) -> int:
    """The pure-Python twin of the C ``fingerprint``: the same signed 64-bit numbers."""
    try:
        h = _fp(value, 0)
    except RecursionError as error:
        if error.args and str(error.args[0]).startswith("cannot fingerprint"):
            raise
        # Python's own recursion limit struck before MAX_DEPTH did: retry with room for
        # MAX_DEPTH levels (3.11 runs Python-to-Python calls without using the C stack), so
        # that the twin accepts exactly the values the C version accepts.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + 3 * MAX_DEPTH + 100)  # at most three frames per level
        try:
            h = _fp(value, 0)
        finally:
            sys.setrecursionlimit(limit)
    return h - 0x10000000000000000 if h > 0x7FFFFFFFFFFFFFFF else h


try:
    from refute.engine import _fingerprint
except ImportError:  # not compiled (no compiler when installed): the twin stands in
    _fingerprint = None

if _fingerprint is not None:
    from refute.values import FrozenMap

    _fingerprint.register_immutable_mapping(FrozenMap)
    fingerprint = _fingerprint.fingerprint
    IMPLEMENTATION = "c"
else:
    fingerprint = fingerprint_python
    IMPLEMENTATION = "python"
