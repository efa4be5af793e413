"""refute.engine.fingerprint: deterministic 64-bit fingerprints, C and pure-Python twin."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from array import array

import pytest
import xxhash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refute.engine import fingerprint as fp_module
from refute.engine.fingerprint import IMPLEMENTATION, MAX_DEPTH, fingerprint, fingerprint_python
from refute.values import Bag, FrozenMap, ModelValue, Record

try:
    from refute.engine import _fingerprint
except ImportError:  # pragma: no cover - only without a C compiler
    _fingerprint = None

needs_c = pytest.mark.skipif(_fingerprint is None, reason="C extension not built")
IMPLEMENTATIONS = [
    pytest.param(_fingerprint.fingerprint if _fingerprint else None, id="c", marks=needs_c),
    pytest.param(fingerprint_python, id="python"),
]


def signed(u: int) -> int:
    return u - (1 << 64) if u >= 1 << 63 else u


def unsigned(s: int) -> int:
    return s & 0xFFFFFFFFFFFFFFFF


def test_the_c_extension_is_built_and_used():
    # `pip install -e .` must build it wherever there is a compiler (CI has one); the fallback
    # to the pure-Python twin is for installs without one, and is several times slower.
    assert _fingerprint is not None, "refute.engine._fingerprint did not build: see pip's output"
    assert IMPLEMENTATION == "c"
    assert fingerprint is _fingerprint.fingerprint
    assert _fingerprint.MAX_DEPTH == MAX_DEPTH


# ---- golden numbers: any change to the algorithm must change these on purpose ----

GOLDEN = [
    (None, -481241281247711640),
    (0, 9216343749197319773),
    (1, -1517430816787417412),
    (-1, -2762336844487803488),
    (2**63, 5459275433724424930),
    (0.5, -8858768891785350263),
    ("", -3301518935215078931),
    ("a", 8939154254116864156),
    ("é\ud800", 3643918004825956603),
    (b"ab", 4174757912327339452),
    ((), 2725401260211493871),
    ((1, "a"), 6809952108252325992),
    (frozenset(), -6570737869327271968),
    (frozenset({1, 2, "x"}), -8786646660535992286),
    ({}, -6523788925231777379),
    ({"a": 1, "b": (None,)}, 4070814438950487447),
    (Record(x=1, y=ModelValue("r1")), -4947279652667131432),
    ("x" * 100, 1763369891391478463),
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("value", "expected"), GOLDEN, ids=[repr(v)[:20] for v, _ in GOLDEN])
def test_golden_numbers(impl, value, expected):
    assert impl(value) == expected


# ---- the algorithm as documented, rebuilt from the xxhash package ----

def xxh(data: bytes, seed: int) -> int:
    return xxhash.xxh64_intdigest(data, seed)


def words(values) -> bytes:
    return b"".join(struct.pack("<Q", unsigned(v)) for v in values)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_the_documented_algorithm(impl):
    m = fp_module
    assert unsigned(impl(None)) == xxh(b"", m._SEED_NONE)
    assert unsigned(impl(-5)) == xxh(struct.pack("<q", -5), m._SEED_INT)
    assert unsigned(impl(2**64)) == xxh((2**64).to_bytes(9, "little", signed=True), m._SEED_BIGINT)
    assert unsigned(impl(-(2**63) - 1)) == xxh((-(2**63) - 1).to_bytes(9, "little", signed=True),
                                               m._SEED_BIGINT)
    assert unsigned(impl(0.25)) == xxh(struct.pack("<d", 0.25), m._SEED_FLOAT)
    assert unsigned(impl(float("nan"))) == xxh(struct.pack("<Q", 0x7FF8000000000000), m._SEED_FLOAT)
    assert unsigned(impl("h\u00e9\ud800")) == xxh("h\u00e9\ud800".encode("utf-8", "surrogatepass"),
                                                    m._SEED_STR)
    assert unsigned(impl(b"\x00\xff")) == xxh(b"\x00\xff", m._SEED_BYTES)
    items = (1, "two", None, 4.5, b"5")
    assert unsigned(impl(items)) == xxh(words(impl(x) for x in items), m._SEED_TUPLE)
    elements = frozenset({"a", "b", 3, (4,)})
    assert unsigned(impl(elements)) == xxh(words(sorted(unsigned(impl(x)) for x in elements)),
                                           m._SEED_FROZENSET)
    mapping = {"k": 1, 2: "v", (3,): None}
    pairs = sorted((unsigned(impl(k)), unsigned(impl(v))) for k, v in mapping.items())
    assert unsigned(impl(mapping)) == xxh(words(w for pair in pairs for w in pair), m._SEED_DICT)


@needs_c
@pytest.mark.parametrize("length", [*range(0, 70), 100, 1000, 4099])
def test_c_xxh64_matches_the_reference(length):
    data = bytes((i * 131 + length) % 256 for i in range(length))
    for seed in (0, 1, fp_module._SEED_STR, 2**64 - 1):
        assert _fingerprint.xxh64(data, seed) == xxh(data, seed)


# ---- equal values, equal fingerprints ----

EQUAL_GROUPS = [
    [1, 1.0, True],
    [0, 0.0, -0.0, False],
    [2**70, 2.0**70],
    [-(2**63), float(-(2**63))],
    ["r1", ModelValue("r1")],
    [(("x", "y"), 1, "a"), Record(x=1, y="a")],
    [(("m", 2),), Bag(["m", "m"])],
    [{"b": 1, "a": 2}, {"a": 2, "b": 1}, FrozenMap({"a": 2, "b": 1}), FrozenMap({"b": 1, "a": 2})],
    [frozenset(range(100)), frozenset(reversed(range(100))), frozenset(list(range(100))[::7] + list(range(100)))],
    [frozenset({(1, "a"), ("b", 2.0)}), frozenset({("b", 2), (True, ModelValue("a"))})],
    [{1: "x"}, {1.0: "x"}, {True: "x"}],
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("group", EQUAL_GROUPS, ids=[repr(g[0])[:20] for g in EQUAL_GROUPS])
def test_equal_values_have_equal_fingerprints(impl, group):
    assert all(v == group[0] for v in group)
    assert len({impl(v) for v in group}) == 1


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_different_values_differ(impl):
    values = [None, 0, 1, -1, 0.5, "", "0", b"", b"0", (), (0,), ((),), frozenset(), frozenset({0}),
              {}, {0: 0}, {0: 1}, {1: 0}, (0, 1), (1, 0), ("a", "b"), ("ab",), frozenset({()}),
              float("inf"), float("-inf"), float("nan"), 2**64, -(2**64), Record(x=1), Record(y=1)]
    assert len({impl(v) for v in values}) == len(values)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_results_are_signed_64_bit(impl):
    results = [impl(i) for i in range(2000)]
    assert all(-(2**63) <= r < 2**63 for r in results)
    assert any(r < 0 for r in results) and any(r > 0 for r in results)
    array("q", results)  # fits an int64 container as is


# ---- the C version and the twin agree on arbitrary nested values ----

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "a\udfffb", "é", "日本", "🙂"]),
    st.binary(max_size=40),
    st.text("rs", min_size=1, max_size=3).map(ModelValue),
)


def frozen_map(d):
    """A FrozenMap; keys of mixed types that do not sort are kept in insertion order."""
    try:
        return FrozenMap(d)
    except TypeError:
        return unsorted_frozen_map(d.items())


def unsorted_frozen_map(items):
    frozen = dict.__new__(FrozenMap)
    for key, value in items:
        dict.__setitem__(frozen, key, value)
    return frozen


def hashable_containers(children):
    # Sets and dicts are built from plain lists: Hypothesis's unique collections put their
    # element strategy's repr (megabytes for a recursive strategy) into an event on redraws.
    return st.one_of(
        st.lists(children, max_size=6).map(tuple),
        st.lists(children, max_size=6).map(frozenset),
        st.lists(st.tuples(st.text(max_size=4), children), max_size=5).map(lambda kv: FrozenMap(dict(kv))),
        st.lists(st.tuples(children, children), max_size=4).map(lambda kv: frozen_map(dict(kv))),
        st.builds(lambda a, b: Record(a=a, b=b), children, children),
        st.lists(st.text("ab", max_size=2), max_size=5).map(Bag),
    )


values = st.recursive(scalars, hashable_containers, max_leaves=40)
top_level = st.one_of(values, st.lists(st.tuples(values, values), max_size=4).map(dict))


@needs_c
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top_level)
def test_c_and_python_twin_agree(value):
    assert _fingerprint.fingerprint(value) == fingerprint_python(value)


def rebuilt(value):
    """An equal value built differently: sets and dicts in reverse order, integral floats as ints."""
    if isinstance(value, Record):
        return value  # its elements are covered through plain tuples
    if isinstance(value, tuple):
        return tuple(rebuilt(v) for v in tuple.__iter__(value))
    if isinstance(value, frozenset):
        return frozenset(reversed([rebuilt(v) for v in value]))
    if isinstance(value, FrozenMap):  # keys in reverse (non-canonical) order
        return unsorted_frozen_map((rebuilt(k), rebuilt(v)) for k, v in reversed(dict.items(value)))
    if isinstance(value, dict):
        return {rebuilt(k): rebuilt(v) for k, v in reversed(dict.items(value))}
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is int and not isinstance(value, bool) and abs(value) < 2**53:
        return float(value)
    return value


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=top_level)
def test_equal_rebuilt_values_have_equal_fingerprints(impl, value):
    other = rebuilt(value)
    if other == value:  # NaN inside makes them unequal; then nothing is promised
        assert impl(other) == impl(value)


# ---- determinism across processes and hash seeds ----

SCRIPT = """
import json, sys
from refute.engine.fingerprint import fingerprint, fingerprint_python
from refute.values import FrozenMap, ModelValue, Record
values = [None, "a", frozenset(f"s{i}" for i in range(50)), {f"k{i}": i for i in range(20)},
          FrozenMap({ModelValue(f"r{i}"): "working" for i in range(5)}),
          Record(votes=FrozenMap({"r1": "yes"}), msgs=frozenset({("prepared", ModelValue("r1")), (None, 2)})),
          frozenset({None, (None,), frozenset({None})}), b"bytes", 3.5, 2**100]
print(json.dumps([[fingerprint(v) for v in values], [fingerprint_python(v) for v in values]]))
"""


def test_same_numbers_under_any_hash_seed_and_process():
    outputs = []
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                             check=True)
        outputs.append(json.loads(run.stdout))
    c_numbers, python_numbers = outputs[0]
    assert c_numbers == python_numbers
    assert all(out == outputs[0] for out in outputs)
    assert len(set(c_numbers)) == len(c_numbers)


# ---- what cannot be fingerprinted ----

@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize(("value", "message"), [
    ([1, 2], "cannot fingerprint a list: states must be immutable (use tuple)"),
    ({1, 2}, "cannot fingerprint a set: states must be immutable (use frozenset)"),
    (bytearray(b"x"), "cannot fingerprint a bytearray: states must be immutable (use bytes)"),
    (object(), "cannot fingerprint a object"),
    ((1, ("a", [3])), "cannot fingerprint a list"),
    (frozenset({(1, object())}), "cannot fingerprint a object"),
    ({"k": {1}}, "cannot fingerprint a set"),
    (1j, "cannot fingerprint a complex"),
    (Ellipsis, "cannot fingerprint a ellipsis"),
])
def test_unsupported_types_raise_type_error(impl, value, message):
    with pytest.raises(TypeError) as error:
        impl(value)
    assert message in str(error.value)


class Unsupported:
    pass


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_type_error_names_a_user_class(impl):
    with pytest.raises(TypeError, match="cannot fingerprint a Unsupported: states may hold only"):
        impl((1, Unsupported()))


# ---- nesting ----

def nested(kind: str, depth: int):
    value = 0
    for _ in range(depth):
        value = {"tuple": lambda v: (v,), "frozenset": lambda v: frozenset({v}),
                 "dict": lambda v: FrozenMap({"k": v})}[kind](value)
    return value


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("kind", ["tuple", "frozenset", "dict"])
def test_nesting_up_to_the_limit_works_and_beyond_raises(impl, kind):
    deepest = nested(kind, MAX_DEPTH)
    assert impl(deepest) == fingerprint_python(deepest)
    with pytest.raises(RecursionError, match="nested more than"):
        impl(nested(kind, MAX_DEPTH + 1))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pathological_nesting_does_not_crash(impl):
    value = ()
    for _ in range(200_000):
        value = (value,)
    with pytest.raises(RecursionError):
        impl(value)
    assert sys.getrecursionlimit() < 2 * 3 * MAX_DEPTH  # the twin restored the limit


@needs_c
def test_nesting_limit_fits_a_small_thread_stack():
    results = []
    old = threading.stack_size(1024 * 1024)
    try:
        thread = threading.Thread(target=lambda: results.append(
            [_fingerprint.fingerprint(nested(kind, MAX_DEPTH)) for kind in ("tuple", "frozenset", "dict")]))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old)
    assert len(results) == 1


# ---- collisions ----

def test_no_collisions_among_a_million_small_tuples():
    fps = {fingerprint((i % 1000, i // 1000)) for i in range(1_000_000)}
    assert len(fps) == 1_000_000


def test_no_collisions_among_strings_ints_and_sets():
    fps = [fingerprint(f"s{i}") for i in range(200_000)]
    fps += [fingerprint(i) for i in range(-100_000, 100_000)]
    fps += [fingerprint(frozenset({i, i + 1})) for i in range(100_000)]
    fps += [fingerprint(FrozenMap({"k": i})) for i in range(100_000)]
    assert len(set(fps)) == len(fps)


@pytest.mark.skipif(IMPLEMENTATION != "c", reason="the identity cache is the C version's")
def test_identity_cache_never_serves_a_stale_fingerprint():
    """Cached kinds are immutable; a mutable dict is never cached; evictions stay correct."""
    mutable = {"k": 1}
    before = fingerprint(mutable)
    mutable["k"] = 2
    assert fingerprint(mutable) != before and fingerprint(mutable) == fingerprint_python(mutable)
    values = [FrozenMap({f"k{i}": frozenset({i, str(i)})}) for i in range(20_000)]  # > cache size
    for _ in range(2):
        assert [fingerprint(v) for v in values] == [fingerprint_python(v) for v in values]


@needs_c
def test_fingerprinted_immutable_values_leave_the_cyclic_collector():
    """States kept in the frontier cost the collector nothing: the C fingerprint untracks the
    immutable containers whose items are settled, and only those (a plain dict, or a tuple
    holding one, may still change into a cycle)."""
    import gc

    point = Record(x=1, y=(ModelValue("r1"), "a"))
    state = Record(m=FrozenMap({ModelValue("r1"): point}), s=frozenset({("m", 2)}),
                   b=Bag(["x", "x"]))
    assert gc.is_tracked(state)
    _fingerprint.fingerprint(state)
    parts = [state, *tuple.__iter__(state), point, *tuple.__iter__(point)]
    assert not any(gc.is_tracked(part) for part in parts if not isinstance(part, ModelValue))
    mutable = (1, {"k": [1]})
    with pytest.raises(TypeError):
        _fingerprint.fingerprint(mutable)  # a list: refused, and nothing untracked
    holder = (("t",), {"k": ("v",)})
    _fingerprint.fingerprint(holder)
    assert gc.is_tracked(holder) and not gc.is_tracked(holder[0])
    # a cycle through a mutable object is still found and freed
    cycle: list = []
    cycle.append((cycle,))
    del cycle
    assert gc.collect() >= 2


@needs_c
def test_maps_sharing_key_objects_fingerprint_as_the_python_twin():
    """The C fingerprint remembers the last map's keys and their order (see fp_dict's memo):
    maps with the same key objects, values that are maps with the same keys, a map whose key
    objects differ though equal, and values that reorder pairs all agree with the twin."""
    keys = [ModelValue(f"r{i}") for i in range(1, 9)]
    inner = FrozenMap({k: i for i, k in enumerate(keys)})
    values = ["working", "prepared", inner, inner.set(keys[0], -1), None, (1, inner)]
    maps = [FrozenMap({k: values[(i + j) % len(values)] for j, k in enumerate(keys)})
            for i in range(12)]
    maps.append(FrozenMap({ModelValue(str(k)): "x" for k in keys}))  # equal keys, new objects
    maps.append(FrozenMap({k: "x" for k in keys[:7]}))
    maps.append({k: {k: k} for k in keys})
    for value in maps + maps[::-1]:
        assert _fingerprint.fingerprint(value) == fingerprint_python(value)
