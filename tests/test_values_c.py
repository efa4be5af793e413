"""Record.update and FrozenMap.set: the C methods (refute._values) and the Python ones.

Every behavioural check runs against both implementations, on the same values: ``update(r,
**changes)`` and ``set_(m, key, value)`` below call either the C method or the pure-Python
version that values.py uses when the extension is not built.
"""

from __future__ import annotations

import copy
import gc
import os
import pickle
import subprocess
import sys

import pytest

from refute import FrozenMap, ModelValue, Record, State
from refute import values as values_module
from refute.engine.fingerprint import fingerprint, fingerprint_python
from refute.values import UnknownField, _compile_update, sort_key

try:
    from refute import _values
except ImportError:  # pragma: no cover - only without a C compiler
    _values = None

needs_c = pytest.mark.skipif(_values is None, reason="C extension not built")


def _python_update(record, *args, **changes):
    return _compile_update(type(record), record._names)(record, *args, **changes)


IMPLEMENTATIONS = [
    pytest.param((_values.RecordBase.update if _values else None,
                  _values.FrozenMapBase.set if _values else None), id="c", marks=needs_c),
    pytest.param((_python_update, FrozenMap._set_python), id="python"),
]


@pytest.fixture(params=IMPLEMENTATIONS)
def impl(request):
    return request.param


def test_the_c_extension_is_built_and_used():
    # `pip install -e .` must build it wherever there is a compiler (CI has one).
    assert _values is not None, "refute._values did not build: see pip's output"
    assert values_module.IMPLEMENTATION == "c"
    assert issubclass(Record, _values.RecordBase) and issubclass(FrozenMap, _values.FrozenMapBase)
    assert type(State(x=1)).update is _values.RecordBase.update
    assert FrozenMap.set is _values.FrozenMapBase.set


# ---- Record(**fields) ----

@pytest.mark.parametrize("new", [pytest.param(_values.new_record if _values else None, id="c",
                                              marks=needs_c),
                                 pytest.param(Record._new_python, id="python")])
def test_record_construction_alike(new):
    made = new(Record, type="1b", acc=ModelValue("a1"), votes={1: [2, {3}]}, path=(1, [2]), none=None)
    assert made == Record._new_python(Record, type="1b", acc=ModelValue("a1"),
                                      votes=FrozenMap({1: (2, frozenset({3}))}), path=(1, (2,)),
                                      none=None)
    assert type(made) is type(Record(type=0, acc=0, votes=0, path=0, none=0))
    assert tuple.__getitem__(made, 0) is made._names and made.votes[1] == (2, frozenset({3}))
    assert type(made.votes) is FrozenMap and made.acc == "a1" and made.path == (1, (2,))
    assert new(Record) == Record._new_python(Record) and new(Record)._fields == ()
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        new(Record, 1)
    with pytest.raises(ValueError, match="cannot be a record field"):
        new(Record, _hidden=1)
    acc = ModelValue("a2")
    new(Record, type="1b", acc=acc)  # the first call may make the record class
    gc.collect()
    before = sys.getrefcount(acc)
    for _ in range(100):
        new(Record, type="1b", acc=acc)
    gc.collect()
    assert sys.getrefcount(acc) == before  # no reference leaked


@pytest.mark.parametrize("new", [pytest.param(_values.new_record if _values else None, id="c",
                                              marks=needs_c),
                                 pytest.param(Record._new_python, id="python")])
def test_records_are_equal_whatever_order_their_fields_were_given_in(new):
    # Issue 19 item 10: same fields, same values: one value, for ==, hash, fingerprint, sets,
    # maps and sort order, while each record shows its fields in the order it was given them.
    ab, ba = new(Record, a=1, b=frozenset({2})), new(Record, b=frozenset({2}), a=1)
    assert ab == ba and hash(ab) == hash(ba) and type(ab) is not type(ba)
    assert fingerprint(ab) == fingerprint(ba) == fingerprint_python(ab) == fingerprint_python(ba)
    assert sort_key(ab) == sort_key(ba) and len({ab, ba}) == 1
    assert FrozenMap({ab: 1}) == FrozenMap({ba: 1}) and hash(FrozenMap({ab: 1})) == hash(FrozenMap({ba: 1}))
    assert (ab.a, ab.b, ba.a, ba.b) == (1, frozenset({2}), 1, frozenset({2}))
    assert repr(ab) == "Record(a=1, b=frozenset({2}))" and repr(ba) == "Record(b=frozenset({2}), a=1)"
    assert ba._fields == ("b", "a") and ba._values() == (frozenset({2}), 1)
    assert ba.update(a=3) == ab.update(a=3) == new(Record, a=3, b=frozenset({2}))
    assert ba.update(a=3)._fields == ("b", "a")
    assert ab != new(Record, a=2, b=frozenset({1})) and ab != new(Record, a=1, c=frozenset({2}))
    assert pickle.loads(pickle.dumps(ba)) == ab and pickle.loads(pickle.dumps(ba))._fields == ("b", "a")
    assert new(Record, z=1, y=2, x=3) == new(Record, x=3, z=1, y=2) == new(Record, y=2, x=3, z=1)


# ---- Record.update ----

def test_update_changes_fields_and_keeps_the_rest(impl):
    update, _ = impl
    s = State(x=1, y="a", z=frozenset({1}))
    t = update(s, y="b")
    assert (t.x, t.y, t.z) == (1, "b", frozenset({1}))
    assert s.y == "a", "the original is unchanged"
    assert t == State(x=1, y="b", z=frozenset({1}))
    assert hash(t) == hash(State(x=1, y="b", z=frozenset({1})))
    u = update(s, z=2, x=0)
    assert (u.x, u.y, u.z) == (0, "a", 2)


def test_update_keeps_type_and_field_names_object(impl):
    update, _ = impl
    s = State(a=1, b=2)
    for t in (update(s, a=5), update(s)):
        assert type(t) is type(s)
        assert tuple.__getitem__(t, 0) is tuple.__getitem__(s, 0) is type(s)._names
        assert t is not s
    assert update(s) == s


def test_update_freezes_exactly_dict_set_and_list(impl):
    update, _ = impl
    s = State(m=None, f=None, t=None, k=None)
    t = update(s, m={"b": 1, "a": [2]}, f={3}, t=[1, [2]], k=FrozenMap({"a": 1}))
    assert type(t.m) is FrozenMap and list(t.m.items()) == [("a", (2,)), ("b", 1)]
    assert t.f == frozenset({3}) and type(t.f) is frozenset
    assert t.t == (1, (2,)) and type(t.t) is tuple
    untouched = (1, 2)
    assert update(s, t=untouched).t is untouched, "tuples are not rebuilt"

    class MyList(list):  # not exactly list: stored as is, like the Python version does
        pass

    mine = MyList([1])
    assert update(s, t=mine).t is mine


def test_update_rejects_unknown_fields_and_positional_arguments(impl):
    update, _ = impl
    s = State(x=1)
    with pytest.raises(UnknownField, match=r"^Record\.update\(\) got 'z', which is not a field "
                                           r"of the record \(its fields: x\)$"):
        update(s, z=2)
    with pytest.raises(TypeError, match="got 'z', which is not a field"):
        update(s, x=2, z=2)
    with pytest.raises(TypeError, match=r"^Record\.update\(\) takes 1 positional argument but 2"):
        update(s, 5)


def test_an_unknown_field_lists_the_fields_and_suggests_the_nearest(impl):
    """Issue 25: s.update(balanse=1) once said only "unexpected keyword argument", and the
    report's hint was about guarding the action."""
    update, _ = impl
    s = State(balance=0, owner="a")
    with pytest.raises(UnknownField) as caught:
        update(s, balanse=1)
    error = caught.value
    assert str(error) == ("Record.update() got 'balanse', which is not a field of the record "
                          "(its fields: balance, owner)")
    assert (error.fields, error.name) == (("balance", "owner"), "balanse")
    assert error.hint.startswith("did you mean balance? update changes only the fields")
    with pytest.raises(UnknownField) as far:
        update(s, colour=1)
    assert far.value.hint.startswith("update changes only the fields the record has")


def test_update_matches_fields_by_equality_when_names_are_not_interned(impl):
    update, _ = impl
    s = State(alpha=1, beta=2)
    name = "".join(["be", "ta"])  # an equal string, not the interned object
    assert update(s, **{name: 3}).beta == 3


def test_update_on_records_that_came_through_pickle(impl):
    update, _ = impl
    s = pickle.loads(pickle.dumps(State(x=1, y={"a": 1})))
    t = update(s, y=[1])
    assert t == State(x=1, y=(1,)) and type(t) is type(State(x=0, y=0))


class _Unsortable:
    """Two of these as dict keys make freeze fail: they neither compare nor repr."""

    def __repr__(self):
        raise ValueError("no repr")


def test_update_propagates_errors_from_freeze(impl):
    update, _ = impl
    with pytest.raises(ValueError, match="no repr"):
        update(State(x=1), x={_Unsortable(): 1, _Unsortable(): 2})


def test_update_leaks_no_references(impl):
    update, _ = impl
    s, value = State(x=1, y=2), object()
    before = sys.getrefcount(value)
    for _ in range(100):
        update(s, y=value)
        with pytest.raises(TypeError):
            update(s, y=value, z=1)
    gc.collect()
    assert sys.getrefcount(value) == before


# ---- FrozenMap.set ----

def test_set_replaces_a_value_keeping_the_order(impl):
    _, set_ = impl
    m = FrozenMap({"b": 1, "a": 2, "c": 3})
    n = set_(m, "b", 9)
    assert type(n) is FrozenMap
    assert list(n.items()) == [("a", 2), ("b", 9), ("c", 3)]
    assert m["b"] == 1, "the original is unchanged"


def test_set_adds_a_key_in_canonical_order(impl):
    _, set_ = impl
    m = FrozenMap({ModelValue("r2"): 0, ModelValue("r10"): 0})
    n = set_(m, ModelValue("r3"), [1])
    assert [str(k) for k in n] == ["r2", "r3", "r10"]
    assert n[ModelValue("r3")] == (1,), "a new key's value is frozen too"
    assert type(n) is FrozenMap


def test_set_result_hashes_and_compares_like_a_map_built_from_scratch(impl):
    _, set_ = impl
    m = FrozenMap({"a": 1, "b": 2})
    hash(m)  # cache m's hash: the derived map must not inherit it
    for n, expected in [(set_(m, "a", 5), {"a": 5, "b": 2}),
                        (set_(m, "c", 3), {"a": 1, "b": 2, "c": 3}),
                        (set_(m, "b", {"x": {1}}), {"a": 1, "b": FrozenMap({"x": frozenset({1})})})]:
        scratch = FrozenMap(expected)
        assert n == scratch and hash(n) == hash(scratch) and hash(n) != hash(m)
        assert list(n.items()) == list(scratch.items())
        assert {n: 1}[scratch] == 1
    assert hash(set_(m, "a", 1)) == hash(m) and set_(m, "a", 1) == m


def test_set_freezes_exactly_dict_set_and_list(impl):
    _, set_ = impl
    m = FrozenMap({"k": None})
    assert type(set_(m, "k", {"b": 1, "a": 2})["k"]) is FrozenMap
    assert set_(m, "k", {1})["k"] == frozenset({1})
    assert set_(m, "k", [1, [2]])["k"] == (1, (2,))
    t = (1, 2)
    assert set_(m, "k", t)["k"] is t


def test_set_arguments_and_errors(impl):
    _, set_ = impl
    m = FrozenMap({"a": 1})
    assert set_(m, key="a", value=2) == {"a": 2} == set_(m, "a", value=2)
    with pytest.raises(TypeError, match="unhashable type: 'list'"):
        set_(m, [], 1)
    with pytest.raises(TypeError, match=r"FrozenMap\.set\(\) missing 1 required positional argument: 'value'"):
        set_(m, "a")
    with pytest.raises(TypeError, match=r"FrozenMap\.set\(\) got an unexpected keyword argument 'k'"):
        set_(m, k=1, value=2)
    with pytest.raises(TypeError, match=r"FrozenMap\.set\(\) takes 3 positional arguments but 4"):
        set_(m, "a", 1, 2)
    with pytest.raises(TypeError, match="multiple values for argument 'key'"):
        set_(m, "a", key="a")
    with pytest.raises(ValueError, match="no repr"):
        set_(FrozenMap({"a": 1}), "a", {_Unsortable(): 1, _Unsortable(): 2})


def test_set_leaves_the_map_immutable_and_preserves_subclass(impl):
    _, set_ = impl

    class Sub(FrozenMap):
        __slots__ = ()

    m = Sub({"a": 1})
    assert type(set_(m, "a", 2)) is Sub and type(set_(m, "b", 2)) is Sub
    n = set_(FrozenMap({"a": 1}), "a", 2)
    with pytest.raises(TypeError, match="immutable"):
        n["a"] = 3


def test_set_leaks_no_references(impl):
    _, set_ = impl
    m, value = FrozenMap({"a": 1}), object()
    before = sys.getrefcount(value)
    for _ in range(100):
        set_(m, "a", value)
        set_(m, "b", value)
    gc.collect()
    assert sys.getrefcount(value) == before


# ---- the C base types change nothing else ----

def test_pickle_copy_repr_and_field_access_are_unchanged():
    s = State(x=1, m=FrozenMap({"b": [1], "a": 2}))
    t = s.update(x=2).update(m=s.m.set("a", 3))
    for clone in (pickle.loads(pickle.dumps(t)), copy.copy(t), copy.deepcopy(t)):
        assert clone == t and hash(clone) == hash(t) and type(clone) is type(t)
    assert repr(t) == "Record(x=2, m={'a': 3, 'b': (1,)})"
    assert repr(t.m) == "{'a': 3, 'b': (1,)}" and pickle.loads(pickle.dumps(t.m)) == t.m
    assert copy.copy(t.m) == t.m and copy.deepcopy(t.m) == t.m
    assert (t.x, type(t).x.__get__(t)) == (2, 2)
    assert isinstance(t, tuple) and isinstance(t.m, dict)
    assert tuple.__eq__(t, (type(t)._names, t.m, 2))  # stored in the names' sorted order
    with pytest.raises(TypeError, match="read by field name"):
        t[0]
    with pytest.raises(TypeError, match="immutable"):
        t.m.update({"a": 1})


_FALLBACK = r"""
import json, sys
if sys.argv[1] == "python":
    sys.modules["refute._values"] = None  # as if the extension had not been built
sys.path.insert(0, sys.argv[2])
import refute
from refute import values
from two_phase import TwoPhase
assert values.IMPLEMENTATION == sys.argv[1]
assert (refute.Record.__bases__[0] is tuple) == (sys.argv[1] == "python")
result = refute.check(TwoPhase(rms=3))
print(json.dumps([result.distinct_states, result.states_generated, result.depth]))
"""


def test_both_implementations_check_a_spec_alike():
    examples = os.path.join(os.path.dirname(__file__), "..", "examples")
    counts = [subprocess.run([sys.executable, "-c", _FALLBACK, implementation, examples],
                             check=True, capture_output=True, text=True).stdout
              for implementation in (["c", "python"] if _values else ["python"])]
    assert len(set(counts)) == 1 and counts[0].startswith("["), counts
