"""The C proof that a list-append history is clean (``refute.history._listappend``) never
changes an answer: on generated histories, clean and damaged, checking a file with it gives
the same result as the Python path alone, and it answers (skips the Python path) exactly on
histories the Python path finds clean."""

from __future__ import annotations

import random
import re

import pytest

from refute.errors import RefuteError
from refute.history import check_history, checker
from refute.history.anomalies import LIST_APPEND_MODELS
from refute.history.synthetic import list_append_history

certify = pytest.importorskip("refute.history._listappend").certify

_NUMBER = re.compile(r"(?<=[ \[])-?\d+(?=[\] ,])")


def _damage(text: str, rng: random.Random) -> str:
    """One random edit of the kind that makes anomalies or input errors: a number changed
    or dropped, an outcome changed, a read emptied, a line removed or repeated."""
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    line = lines[i]
    edit = rng.randrange(7)
    numbers = list(_NUMBER.finditer(line))
    if edit == 0 and numbers:
        m = rng.choice(numbers)
        line = line[:m.start()] + str(int(m.group()) + rng.choice((-2, -1, 1, 2))) + line[m.end():]
    elif edit == 1 and numbers:
        m = rng.choice(numbers)
        line = line[:m.start()] + line[m.end():].lstrip()
    elif edit == 2:
        outcomes = (":ok", ":fail", ":info", ":invoke")
        line = re.sub(r":type :\w+", ":type " + rng.choice(outcomes), line)
    elif edit == 3:
        line = re.sub(r"\[:r (\d+) \[[^\]]*\]\]", r"[:r \1 []]", line, count=1)
    elif edit == 4:
        del lines[i]
        return "\n".join(lines) + "\n"
    elif edit == 5:
        lines.insert(i, line)
    else:
        line = re.sub(r"\[(\d+)", lambda m: "[" + m.group(1) + " " + m.group(1), line, count=1)
    lines[i] = line
    return "\n".join(lines) + "\n"


def _answer(path, model):
    try:
        result = check_history(path, model=model)
    except RefuteError as error:
        return ("error", str(error))
    answer = result.to_json()
    del answer["seconds"]
    return answer


def _both(path, model, monkeypatch):
    fast = _answer(path, model)
    with monkeypatch.context() as patch:
        patch.setattr(checker, "_certify", None)
        slow = _answer(path, model)
    return fast, slow


@pytest.mark.parametrize("seed", range(8))
def test_clean_histories_are_certified_with_the_python_answer(seed, tmp_path, monkeypatch):
    text = list_append_history(300, seed=seed, clients=4, keys=3, max_writes=12)
    path = tmp_path / "h.edn"
    path.write_text(text)
    for model in ("strict-serializable", "serializable", "read-committed"):
        assert certify(text, model == "strict-serializable") is not None
        fast, slow = _both(path, model, monkeypatch)
        assert fast == slow
        assert fast["status"] == "ok" and fast["edges"] > 0


def test_damaged_histories_get_the_python_answer(tmp_path, monkeypatch):
    rng = random.Random(7)
    certified = refused = 0
    outcomes = set()
    for case in range(300):
        text = list_append_history(40, seed=case, clients=3, keys=2, max_writes=8)
        for _ in range(rng.randint(1, 3)):
            text = _damage(text, rng)
        path = tmp_path / f"h{case}.edn"
        path.write_text(text)
        model = rng.choice(("strict-serializable", "serializable", "snapshot-isolation"))
        fast, slow = _both(path, model, monkeypatch)
        assert fast == slow, (case, text)
        proof = certify(text, model == "strict-serializable")
        if proof is not None:
            certified += 1
            assert slow["status"] == "ok" and not slow["anomaly_counts"] and not slow["warnings"]
            assert proof == (slow["transactions"], slow["edges"])
        else:
            refused += 1
            outcomes.add(fast["status"] if isinstance(fast, dict) else "error")
    # Both sides of the proof are exercised, and the damage produced every kind of answer.
    assert certified > 30 and refused > 100
    assert {"ok", "violation", "error"} <= outcomes


@pytest.mark.parametrize("text", [
    # G1a: a committed read sees a failed append
    "{:type :invoke, :f :txn, :value [[:append 1 1]], :process 0}\n"
    "{:type :fail, :f :txn, :value [[:append 1 1]], :process 0}\n"
    "{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 1}\n"
    "{:type :ok, :f :txn, :value [[:r 1 [1]]], :process 1}\n",
    # G1b: a read of an intermediate state
    "{:type :invoke, :f :txn, :value [[:append 1 1] [:append 1 2]], :process 0}\n"
    "{:type :ok, :f :txn, :value [[:append 1 1] [:append 1 2]], :process 0}\n"
    "{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 1}\n"
    "{:type :ok, :f :txn, :value [[:r 1 [1]]], :process 1}\n",
    # internal: a transaction does not see its own append
    "{:type :invoke, :f :txn, :value [[:append 1 1] [:r 1 nil]], :process 0}\n"
    "{:type :ok, :f :txn, :value [[:append 1 1] [:r 1 []]], :process 0}\n",
    # lost update: two transactions read [] and both append
    "{:type :invoke, :f :txn, :value [[:r 1 nil] [:append 1 1]], :process 0}\n"
    "{:type :invoke, :f :txn, :value [[:r 1 nil] [:append 1 2]], :process 1}\n"
    "{:type :ok, :f :txn, :value [[:r 1 []] [:append 1 1]], :process 0}\n"
    "{:type :ok, :f :txn, :value [[:r 1 []] [:append 1 2]], :process 1}\n",
    # a real-time cycle only: T1 commits before T2 starts, yet T2's append comes first
    "{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 0}\n"
    "{:type :ok, :f :txn, :value [[:r 1 [2]]], :process 0}\n"
    "{:type :invoke, :f :txn, :value [[:append 1 2]], :process 1}\n"
    "{:type :ok, :f :txn, :value [[:append 1 2]], :process 1}\n",
    # a string in the history: outside the grammar the C reader takes
    '{:type :invoke, :f :txn, :value [[:append "k" 1]], :process 0}\n'
    '{:type :ok, :f :txn, :value [[:append "k" 1]], :process 0}\n',
])
def test_anything_to_report_is_left_to_the_python_path(text):
    assert certify(text, True) is None


def test_the_real_time_cycle_is_allowed_without_order_edges():
    text = ("{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 0}\n"
            "{:type :ok, :f :txn, :value [[:r 1 [2]]], :process 0}\n"
            "{:type :invoke, :f :txn, :value [[:append 1 2]], :process 1}\n"
            "{:type :ok, :f :txn, :value [[:append 1 2]], :process 1}\n")
    assert certify(text, False) == (2, 1)


def test_a_certified_result_reads_its_transactions_when_asked(tmp_path):
    path = tmp_path / "h.edn"
    path.write_text(list_append_history(50, seed=3))
    result = check_history(path)
    assert result.history.loaded is None  # proven without building them
    assert len(result.history.transactions) == result.transactions == 50
    assert result.history.transactions[0].invoked == 0


def test_every_list_append_model_is_certified_alike(tmp_path, monkeypatch):
    path = tmp_path / "h.edn"
    path.write_text(list_append_history(200, seed=5, clients=5, keys=4))
    for model in LIST_APPEND_MODELS:
        fast, slow = _both(path, model, monkeypatch)
        assert fast == slow and fast["status"] == "ok"
