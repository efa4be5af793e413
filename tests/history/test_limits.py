"""--time-limit and --memory-limit bound reading and graph building too: a run cut short is
incomplete (exit 3) and says where it stopped, never "holds"."""

from __future__ import annotations

import pytest

from refute.history import check_history, parse_history
from refute.history.list_append import ListAppendAnalysis
from refute.history.synthetic import list_append_history
from refute.history import formats
from refute.limits import Limit, LimitReached, Watch


class _ExpiresAfter(Watch):
    """A watch that expires at its ``checks``-th look: deterministic stops mid-stage."""

    def __init__(self, checks: int) -> None:
        super().__init__(time_limit=3600)
        self.left = checks

    def expired(self) -> bool:
        self.left -= 1
        if self.left < 0 and self.reason is None:
            self.reason = Limit.TIME
        return super().expired()


@pytest.fixture(scope="module")
def stale_history(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "h.edn"
    path.write_text(list_append_history(12_000, seed=2, stale_reads=0.01))
    return path


def test_a_limit_reached_while_reading_is_incomplete(stale_history):
    result = check_history(stale_history, memory_limit=1)  # below any RSS: expired at once
    assert result.status.value == "incomplete" and result.status.exit_code == 3
    [note] = result.notes
    assert note.startswith("the --memory-limit was reached (") and \
        "while reading the history" in note and note.endswith("nothing was decided")
    assert result.stop_reason.json_name == "memory-limit"


@pytest.mark.parametrize("checks", [0, 2, 4])
def test_reading_stops_between_chunks_and_operations(stale_history, checks):
    text = stale_history.read_text()
    with pytest.raises(LimitReached):
        parse_history(text, file=str(stale_history), watch=_ExpiresAfter(checks))


@pytest.mark.parametrize("checks", [1, 2, 4])
def test_building_the_graph_stops_at_the_limit(stale_history, checks):
    history = parse_history(stale_history.read_text())
    with pytest.raises(LimitReached):
        ListAppendAnalysis(history, _ExpiresAfter(checks))


def test_the_c_proof_stops_at_the_limit(stale_history):
    certify = pytest.importorskip("refute.history._listappend").certify
    clean = list_append_history(6_000, seed=2)
    assert certify(clean, True, 3600.0) == (6_000, certify(clean, True)[1])
    assert certify(clean, True, 0.0) is False  # the deadline is now: stopped, not None
    assert certify(clean, True, -1.0, 1) is False  # one byte of memory


@pytest.mark.parametrize("vector", [False, True])
def test_chunked_reading_gives_the_same_transactions(stale_history, monkeypatch, vector):
    """Under a limit EDN is read in chunks; a file whose chunks do not stand alone (one
    vector of operations) is read whole. Either way the transactions are the same."""
    text = stale_history.read_text()
    if vector:
        text = "[" + text + "]"
    whole = parse_history(text)
    monkeypatch.setattr(formats, "_CHUNK", 20_000)
    with Watch(time_limit=3600) as watch:
        chunked = parse_history(text, watch=watch)
    assert [(t.name, t.outcome, t.mops, t.invoked, t.completed) for t in chunked.transactions] \
        == [(t.name, t.outcome, t.mops, t.invoked, t.completed) for t in whole.transactions]
    assert chunked.transactions[-1].line == whole.transactions[-1].line


def test_a_file_whose_text_alone_exceeds_the_memory_limit_is_not_read(stale_history,
                                                                         monkeypatch):
    from refute.history import checker
    from refute.limits import rss
    monkeypatch.setattr(checker, "_SMALL_TEXT", 0)  # as if the file were large
    size = stale_history.stat().st_size
    result = check_history(stale_history, memory_limit=rss() + size)  # text + decoded: 2x
    assert result.status.value == "incomplete" and result.transactions == 0
    assert "its text alone takes" in result.notes[0]
