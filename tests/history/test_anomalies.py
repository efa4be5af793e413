"""One small hand-made history per anomaly type, with the exact anomaly and cycle expected."""

from __future__ import annotations

import pytest

from .conftest import check, committed, sequential, types


def only(result, anomaly_type):
    [finding] = [f for f in result.anomalies + result.other_anomalies if f.type == anomaly_type]
    return finding


def names(result, finding):
    txns = result.history.transactions
    return [txns[step.source].name for step in finding.cycle]


def test_g0_write_cycle():
    result = check(committed("[[:append :x 1] [:append :y 1]]",
                             "[[:append :x 2] [:append :y 2]]",
                             "[[:r :x [1 2]] [:r :y [2 1]]]"), "read-uncommitted")
    assert types(result) == {"G0"}
    finding = only(result, "G0")
    assert names(result, finding) == ["T1", "T2"]
    assert [(s.kind, s.key) for s in finding.cycle] == [("ww", "x"), ("ww", "y")]
    assert result.not_models == ["read-uncommitted"]


def test_g1a_aborted_read():
    text = sequential(("fail", 0, "[[:append :x 1]]"), ("ok", 1, "[[:r :x [1]]]"))
    result = check(text, "read-committed")
    assert types(result) == {"G1a"}
    assert "T1 failed" in only(result, "G1a").explanation
    assert result.not_models == ["read-committed"]


def test_g1b_intermediate_read():
    result = check(committed("[[:append :x 1] [:append :x 2]]", "[[:r :x [1]]]"),
                   "read-committed")
    # T2 also missed T1's later append of 2 while seeing its 1: a G-single, as in Elle.
    assert types(result) == {"G1b", "G-single"}
    assert only(result, "G1b").txns == [0, 1]
    assert [f.type for f in result.anomalies] == ["G1b"]  # read committed allows G-single


def test_g1c_circular_information_flow():
    result = check(committed("[[:append :x 1] [:r :y [1]]]", "[[:append :y 1] [:r :x [1]]]"),
                   "read-committed")
    finding = only(result, "G1c")
    assert names(result, finding) == ["T1", "T2"]
    assert [(s.kind, s.key) for s in finding.cycle] == [("wr", "x"), ("wr", "y")]
    assert "T2 read key :x = [1], which ends with T1's append of 1" in finding.cycle[0].text


def test_g_single_read_skew():
    result = check(committed("[[:append :x 1] [:append :y 1]]", "[[:r :x [1]] [:r :y []]]"),
                   "snapshot-isolation")
    assert types(result) == {"G-single"}
    finding = only(result, "G-single")
    assert [(s.kind, s.key) for s in finding.cycle] == [("wr", "x"), ("rw", "y")]
    assert finding.cycle[1].text == ("T2 read key :y as empty, without T1's append of 1, "
                                     "so T2 must precede T1")
    assert result.not_models == ["repeatable-read", "parallel-snapshot-isolation"]


def test_g_nonadjacent():
    result = check(committed("[[:r :a []] [:r :d [1]]]",
                             "[[:append :a 1] [:append :b 1]]",
                             "[[:r :b [1]] [:r :c []]]",
                             "[[:append :c 1] [:append :d 1]]"), "snapshot-isolation")
    assert types(result) == {"G-nonadjacent"}
    finding = only(result, "G-nonadjacent")
    assert names(result, finding) == ["T1", "T2", "T3", "T4"]
    assert [s.kind for s in finding.cycle] == ["rw", "wr", "rw", "wr"]


def test_g2_item_write_skew_is_allowed_by_snapshot_isolation():
    text = committed("[[:r :x []] [:r :y []] [:append :x 1]]",
                     "[[:r :x []] [:r :y []] [:append :y 1]]")
    result = check(text, "snapshot-isolation")
    assert result.valid and types(result) == {"G2-item"}
    assert [s.kind for s in only(result, "G2-item").cycle] == ["rw", "rw"]
    assert check(text, "repeatable-read").status.value == "violation"


def test_lost_update():
    result = check(committed("[[:r :x []] [:append :x 1]]", "[[:r :x []] [:append :x 2]]",
                             "[[:r :x [1 2]]]"), "repeatable-read")
    assert {"lost-update", "G-single"} <= types(result)
    assert only(result, "lost-update").txns == [0, 1]


def test_internal_inconsistency():
    result = check(committed("[[:append :x 1] [:r :x []]]"), "snapshot-isolation")
    assert types(result) == {"internal"}
    assert "must see a list ending with [1]" in only(result, "internal").explanation


def test_future_read():
    result = check(committed("[[:r :x [1]] [:append :x 1]]"), "read-committed")
    assert types(result) == {"future-read"}
    assert result.not_models == ["read-committed"]


def test_dirty_update():
    text = sequential(("fail", 0, "[[:append :x 1]]"), ("ok", 1, "[[:append :x 2]]"),
                      ("ok", 2, "[[:r :x [1 2]]]"))
    result = check(text, "read-committed")
    assert types(result) == {"dirty-update", "G1a"}
    assert only(result, "dirty-update").txns == [0, 1]


def test_duplicate_elements():
    result = check(committed("[[:append :x 1]]", "[[:r :x [1 1]]]"), "read-uncommitted")
    assert types(result) == {"duplicate-elements"}


def test_incompatible_order():
    result = check(committed("[[:append :x 1]]", "[[:append :x 2]]", "[[:r :x [1]]]",
                             "[[:r :x [2]]]"), "read-committed")
    assert "incompatible-order" in types(result)
    assert "neither list is a prefix" in only(result, "incompatible-order").explanation


def test_garbage_read():
    result = check(committed("[[:r :x [5]]]"), "read-uncommitted")
    assert types(result) == {"garbage-read"}
    assert result.not_models == ["read-uncommitted"]


def test_stale_read_is_g_single_realtime():
    text = sequential(("ok", 0, "[[:append :x 1]]"), ("ok", 1, "[[:r :x []]]"))
    assert check(text, "serializable").valid
    result = check(text, "strict-serializable")
    finding = only(result, "G-single-realtime")
    assert [s.kind for s in finding.cycle] == ["realtime", "rw"]
    assert result.not_models == ["strict-serializable"]


def test_same_process_stale_read_is_g_single_process():
    text = sequential(("ok", 0, "[[:append :x 1]]"), ("ok", 0, "[[:r :x []]]"))
    finding = only(check(text, "strict-serializable"), "G-single-process")
    assert [s.kind for s in finding.cycle] == ["process", "rw"]


def test_order_runs_are_merged_into_one_realtime_edge():
    text = sequential(("ok", 0, "[[:append :x 1]]"), ("ok", 1, "[[:r :y []]]"),
                      ("ok", 2, "[[:r :y []]]"), ("ok", 3, "[[:r :x []]]"))
    finding = only(check(text, "strict-serializable"), "G-single-realtime")
    assert len(finding.cycle) == 2
    assert "T1 committed (operation 2 of the history) before T7 was invoked" in \
        finding.cycle[0].text


@pytest.mark.parametrize("model", ["read-committed", "snapshot-isolation", "serializable"])
def test_serial_history_is_valid(model):
    text = sequential(("ok", 0, "[[:append :x 1] [:r :x [1]]]"),
                      ("ok", 1, "[[:r :x [1]] [:append :x 2]]"),
                      ("ok", 0, "[[:r :x [1 2]] [:r :y []]]"))
    result = check(text, model)
    assert result.valid and not result.counts and result.status.exit_code == 0


class TestRwRegister:
    def test_g1c(self):
        result = check(committed("[[:w :x 1] [:r :y 2]]", "[[:w :y 2] [:r :x 1]]"))
        assert types(result) == {"G1c"}

    def test_g_single(self):
        result = check(committed("[[:w :x 1] [:w :y 1]]", "[[:r :x 1] [:r :y nil]]"),
                       "snapshot-isolation")
        finding = only(result, "G-single")
        assert [s.kind for s in finding.cycle] == ["wr", "rw"]
        assert finding.cycle[1].text == ("T2 read key :y before any write (nil), and T1 wrote "
                                         "1 to it, so T2 must precede T1")
        assert not any(step.inferred for step in finding.cycle)

    def test_lost_update(self):
        result = check(committed("[[:r :x nil] [:w :x 1]]", "[[:r :x nil] [:w :x 2]]"),
                       "repeatable-read")
        assert {"lost-update"} == types(result) and not result.valid
        assert "version orders not searched" in result.notes[-1]

    def test_writes_follow_reads_order_gives_rw_edges(self):
        # T2 read 1 and wrote 2, so 1 << 2; T3 read 1 and must precede T2; T2's write seen
        # by T4, and T3 saw T4's write: T3 -rw-> T2 -wr-> T4 -wr-> T3.
        result = check(committed("[[:w :x 1]]", "[[:r :x 1] [:w :x 2] [:w :z 1]]",
                                 "[[:r :x 1] [:r :y 1]]", "[[:r :z 1] [:w :y 1]]"))
        finding = only(result, "G-single")
        assert [s.kind for s in finding.cycle] == ["wr", "wr", "rw"]

    def test_g1a_g1b_internal(self):
        text = sequential(("fail", 0, "[[:w :x 1]]"), ("ok", 1, "[[:w :y 1] [:w :y 2]]"),
                          ("ok", 2, "[[:r :x 1] [:r :y 1] [:w :z 1] [:r :z 2]]"))
        assert types(check(text)) == {"G1a", "G1b", "internal"}

    def test_polysi_text(self):
        text = "w(1,1,0,1)\nw(2,1,0,1)\nr(1,1,1,2)\nr(2,0,1,2)\n"
        result = check(text, "snapshot-isolation")
        assert result.history.format == "text" and result.workload == "rw-register"
        assert types(result) == {"G-single"}

    def test_polysi_session_order(self):
        text = "w(1,1,0,1)\nr(1,0,0,2)\n"
        result = check(text, "strict-serializable")
        assert types(result) == {"G-single-process"}
        assert result.notes
