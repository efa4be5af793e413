"""The immutable values states are made of."""

from __future__ import annotations

import pickle

import pytest

from refute import Bag, FrozenMap, Record, State, freeze, model_values


def test_record_fields_update_and_equality():
    s = State(x=1, y=frozenset())
    t = s.update(x=2)
    assert (s.x, t.x, t.y) == (1, 2, frozenset())
    assert s != t and s == State(x=1, y=frozenset())
    assert hash(s) == hash(State(x=1, y=frozenset()))
    assert State(a=1) != State(b=1), "records with different fields are different values"
    assert State(a=1) != (1,)


def test_record_update_freezes_mutable_values():
    s = State(votes={}, seen=[]).update(votes={"b": 1, "a": 2}, seen=[1, [2]])
    assert isinstance(s.votes, FrozenMap) and list(s.votes) == ["a", "b"]
    assert s.seen == (1, (2,))
    assert s.update(seen={3}).seen == frozenset({3})


def test_record_rejects_unknown_fields_and_indexing():
    s = State(x=1)
    with pytest.raises(TypeError, match=r"got 'z', which is not a field of the record \(its "
                                        r"fields: x\)"):
        s.update(z=2)
    with pytest.raises(TypeError, match="read by field name"):
        s[0]
    with pytest.raises(TypeError, match="not iterable"):
        list(s)


def test_frozen_map_is_an_immutable_dict_with_canonical_order():
    m = FrozenMap({"b": 1, "a": 2})
    assert list(m.items()) == [("a", 2), ("b", 1)]
    assert m["a"] == 2 and m.get("c") is None and "b" in m
    assert m.set("a", 3) == {"a": 3, "b": 1} and m["a"] == 2
    assert list(m.set("0", 0)) == ["0", "a", "b"]
    assert m.remove("a") == {"b": 1}
    assert hash(m) == hash(FrozenMap({"a": 2, "b": 1}))
    with pytest.raises(TypeError, match="immutable"):
        m["a"] = 5
    with pytest.raises(TypeError, match="immutable"):
        m.update({"a": 1})


def test_model_values_sort_numerically_and_print_bare():
    values = model_values("r", 11)
    assert [str(v) for v in FrozenMap({v: 0 for v in reversed(values)})][:3] == ["r1", "r2", "r3"]
    assert repr(values[0]) == "r1"


def test_bag_counts_and_order():
    b = Bag(["m2", "m1", "m1"])
    assert b.count("m1") == 2 and len(b) == 3 and "m2" in b
    assert b == Bag(["m1", "m2", "m1"])
    assert b.remove("m1").count("m1") == 1
    assert b.add("m3").distinct() == frozenset({"m1", "m2", "m3"})
    with pytest.raises(ValueError, match="holds it 0 time"):
        b.remove("m9")


def test_values_pickle_round_trip():
    s = State(m=FrozenMap({"a": Bag([1, 1])}), r=Record(kind="x"))
    assert pickle.loads(pickle.dumps(s)) == s


def test_freeze_recurses():
    assert freeze({"k": [1, {2}]}) == FrozenMap({"k": (1, frozenset({2}))})
