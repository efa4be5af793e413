"""Small hand-made histories for each built-in model, and Jepsen's :fail and :info semantics."""

from __future__ import annotations

import pytest

from refute.linearize import MODELS, Verdict, check, parse


def verdict(model: str, edn: str) -> Verdict:
    return check(parse(edn), model).verdict


OK, BAD = Verdict.LINEARIZABLE, Verdict.NOT_LINEARIZABLE

# Each case: model, history as EDN (one event per line), expected verdict.
CASES = {
    "register: a read sees the concurrent write": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}
        {:process 0 :type :ok :f :write :value 1}""", OK),
    "register: a stale read after the write returned": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :ok :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value nil}""", BAD),
    "register: reads cannot go back in time": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}
        {:process 2 :type :invoke :f :read :value nil}
        {:process 2 :type :ok :f :read :value nil}
        {:process 0 :type :ok :f :write :value 1}""", BAD),
    "cas-register: a cas succeeds on the value it expects": ("cas-register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :ok :f :write :value 1}
        {:process 1 :type :invoke :f :cas :value [1 2]}
        {:process 1 :type :ok :f :cas :value [1 2]}
        {:process 0 :type :invoke :f :read :value nil}
        {:process 0 :type :ok :f :read :value 2}""", OK),
    "cas-register: a cas cannot succeed on another value": ("cas-register", """
        {:process 0 :type :invoke :f :write :value 3}
        {:process 0 :type :ok :f :write :value 3}
        {:process 1 :type :invoke :f :cas :value [1 2]}
        {:process 1 :type :ok :f :cas :value [1 2]}""", BAD),
    "kv: appends concatenate per key": ("kv", """
        {:process 0 :type :invoke :f :append :key "a" :value "x"}
        {:process 1 :type :invoke :f :append :key "a" :value "y"}
        {:process 0 :type :ok :f :append :key "a" :value "x"}
        {:process 1 :type :ok :f :append :key "a" :value "y"}
        {:process 2 :type :invoke :f :get :key "a" :value nil}
        {:process 2 :type :ok :f :get :key "a" :value "yx"}
        {:process 2 :type :invoke :f :get :key "b" :value nil}
        {:process 2 :type :ok :f :get :key "b" :value ""}""", OK),
    "kv: a put on another key is invisible": ("kv", """
        {:process 0 :type :invoke :f :put :key "a" :value "1"}
        {:process 0 :type :ok :f :put :key "a" :value "1"}
        {:process 1 :type :invoke :f :get :key "b" :value nil}
        {:process 1 :type :ok :f :get :key "b" :value "1"}""", BAD),
    "mutex: overlapping acquires, one after the other's release": ("mutex", """
        {:process 0 :type :invoke :f :acquire}
        {:process 1 :type :invoke :f :acquire}
        {:process 0 :type :ok :f :acquire}
        {:process 0 :type :invoke :f :release}
        {:process 0 :type :ok :f :release}
        {:process 1 :type :ok :f :acquire}""", OK),
    "mutex: two holders at once": ("mutex", """
        {:process 0 :type :invoke :f :acquire}
        {:process 0 :type :ok :f :acquire}
        {:process 1 :type :invoke :f :acquire}
        {:process 1 :type :ok :f :acquire}""", BAD),
    "queue: dequeues in enqueue order": ("queue", """
        {:process 0 :type :invoke :f :enqueue :value 1}
        {:process 0 :type :ok :f :enqueue :value 1}
        {:process 0 :type :invoke :f :enqueue :value 2}
        {:process 0 :type :ok :f :enqueue :value 2}
        {:process 1 :type :invoke :f :dequeue}
        {:process 1 :type :ok :f :dequeue :value 1}""", OK),
    "queue: not LIFO": ("queue", """
        {:process 0 :type :invoke :f :enqueue :value 1}
        {:process 0 :type :ok :f :enqueue :value 1}
        {:process 0 :type :invoke :f :enqueue :value 2}
        {:process 0 :type :ok :f :enqueue :value 2}
        {:process 1 :type :invoke :f :dequeue}
        {:process 1 :type :ok :f :dequeue :value 2}""", BAD),
    "set: a read sees a concurrent add or not": ("set", """
        {:process 0 :type :invoke :f :add :value 1}
        {:process 1 :type :invoke :f :read}
        {:process 1 :type :ok :f :read :value #{}}
        {:process 0 :type :ok :f :add :value 1}
        {:process 1 :type :invoke :f :read}
        {:process 1 :type :ok :f :read :value [1]}""", OK),
    "set: an element nobody added": ("set", """
        {:process 0 :type :invoke :f :add :value 1}
        {:process 0 :type :ok :f :add :value 1}
        {:process 1 :type :invoke :f :read}
        {:process 1 :type :ok :f :read :value #{1 2}}""", BAD),
    "set: a read with a duplicate": ("set", """
        {:process 0 :type :invoke :f :add :value 1}
        {:process 0 :type :ok :f :add :value 1}
        {:process 1 :type :invoke :f :read}
        {:process 1 :type :ok :f :read :value [1 1]}""", BAD),
    # Jepsen semantics of :fail and :info
    "a failed write did not happen": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :fail :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}""", BAD),
    "an :info write may take effect long after its call": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :info :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value nil}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}""", OK),
    "an :info write may never take effect": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :info :f :write :value 1}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value nil}""", OK),
    "an :info write takes effect once, not twice": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :info :f :write :value 1}
        {:process 1 :type :invoke :f :write :value 2}
        {:process 1 :type :ok :f :write :value 2}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}
        {:process 1 :type :invoke :f :write :value 2}
        {:process 1 :type :ok :f :write :value 2}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}""", BAD),
    "an :info write cannot take effect before its call": ("register", """
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 1}
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :info :f :write :value 1}""", BAD),
    "an invocation that never completes is :info": ("cas-register", """
        {:process 0 :type :invoke :f :cas :value [nil 5]}
        {:process 1 :type :invoke :f :read :value nil}
        {:process 1 :type :ok :f :read :value 5}""", OK),
    "two equal :info writes stand for two": ("register", """
        {:process 0 :type :invoke :f :write :value 1}
        {:process 0 :type :info :f :write :value 1}
        {:process 1 :type :invoke :f :write :value 1}
        {:process 1 :type :info :f :write :value 1}
        {:process 2 :type :invoke :f :write :value 2}
        {:process 2 :type :ok :f :write :value 2}
        {:process 2 :type :invoke :f :read :value nil}
        {:process 2 :type :ok :f :read :value 1}
        {:process 2 :type :invoke :f :write :value 2}
        {:process 2 :type :ok :f :write :value 2}
        {:process 2 :type :invoke :f :read :value nil}
        {:process 2 :type :ok :f :read :value 1}""", OK),
}


@pytest.mark.parametrize("name", CASES)
def test_hand_made_history(name: str) -> None:
    model, edn, expected = CASES[name]
    assert verdict(model, edn) is expected


def test_every_built_in_model_has_a_case() -> None:
    assert {model for model, _, _ in CASES.values()} == set(MODELS)


def test_an_operation_the_model_lacks_says_which_model_to_choose() -> None:
    from refute.errors import InputError

    history = parse('{:process 0 :type :invoke :f :append :key "k" :value "x"}\n'
                    '{:process 0 :type :ok :f :append :key "k" :value "x"}', file="h.edn")
    with pytest.raises(InputError) as caught:
        check(history, "cas-register")
    error = caught.value
    assert (error.file, error.line) == ("h.edn", 1)
    assert "no operation 'append'" in error.message and "--object" in error.hint
