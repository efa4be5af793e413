"""DBCop's JSON and text histories and Cobra's binary client logs: sniffed by content, named
by ``--format``, and read into the same register histories as EDN (verdicts compared with
the brute-force oracle and with the EDN form of the same transactions)."""

from __future__ import annotations

import json
import random
import struct

import pytest

from refute.errors import InputError
from refute.history import check_history
from refute.history.cobra import INIT_ID, looks_like_cobra, read_cobra
from refute.history.formats import detect_format, parse_history, read_history

from . import brute_force

# DBCop's documentation's second example (docs/history-format.md): two sessions, each
# transaction reads what the other session's first write left and writes the other key. It
# is a write skew: snapshot isolation allows it, serializability does not (the oracle agrees).
SKEW = [(1, (("w", 0, 1), ("w", 1, 2))), (1, (("r", 1, 2), ("w", 0, 3))),
        (2, (("r", 0, 1), ("w", 1, 4)))]
KEYS = "xyz"


def dbcop_json(txns, wrapped: bool = False) -> str:
    sessions: dict[int, list] = {}
    for session, ops in txns:
        events = [{"Read" if f == "r" else "Write": {"variable": _index(k), "version": v}}
                  for f, k, v in ops]
        sessions.setdefault(session, []).append({"events": events, "committed": True})
    data = [sessions[s] for s in sorted(sessions)]
    if wrapped:
        return json.dumps({"params": {"id": 0, "n_node": len(data)}, "info": "test",
                           "start": "", "end": "", "data": data}, indent=2)
    return json.dumps(data, indent=2)


def dbcop_text(txns) -> str:
    sessions: dict[int, list] = {}
    for session, ops in txns:
        events = " ".join(f"{_name(k)}{':=' if f == 'w' else '=='}"
                          f"{'?' if v is None else v}" for f, k, v in ops)
        sessions.setdefault(session, []).append(f"[{events}]")
    return "\n---\n".join(f"// session {s}\n" + "\n".join(sessions[s])
                          for s in sorted(sessions)) + "\n"


def cobra_logs(txns, folder) -> None:
    """One binary log per session; a write's id is unique across keys, a read names its
    writer's transaction id (or the initial one)."""
    writer = {(_index(k), v): t + 1 for t, (_, ops) in enumerate(txns)
              for f, k, v in ops if f == "w"}
    logs: dict[int, bytearray] = {}
    for t, (session, ops) in enumerate(txns):
        log = logs.setdefault(session, bytearray())
        log += b"S" + struct.pack(">q", t + 1)
        for f, k, v in ops:
            key = _index(k)
            if f == "w":
                log += b"W" + struct.pack(">3q", key * 1000 + v, key, v)
            elif v is None:
                log += b"R" + struct.pack(">4q", INIT_ID, INIT_ID, key, 0)
            else:
                log += b"R" + struct.pack(">4q", writer[(key, v)], key * 1000 + v, key, v)
        log += b"C" + struct.pack(">q", t + 1)
    for session, log in logs.items():
        (folder / f"T{session}.log").write_bytes(bytes(log))


def _index(key) -> int:
    return KEYS.index(key) if isinstance(key, str) else key


def _name(key) -> str:
    return key if isinstance(key, str) else KEYS[key]


def _valid(path, model, format=None):
    return check_history(path, model=model, format=format).valid


@pytest.mark.parametrize("wrapped", [False, True])
def test_dbcop_json_write_skew(tmp_path, wrapped):
    path = tmp_path / "skew.json"
    path.write_text(dbcop_json(SKEW, wrapped))
    assert detect_format(path.read_text()) == "dbcop"
    history = read_history(path)
    assert [t.process for t in history.transactions] == [1, 1, 2]
    assert history.transactions[1].mops == (("r", 1, 2), ("w", 0, 3))
    events_lines = [n for n, line in enumerate(path.read_text().splitlines(), 1)
                    if '"events"' in line]
    assert [t.line for t in history.transactions] == events_lines and len(events_lines) == 3
    for model in ("snapshot-isolation", "serializable", "prefix-consistency"):
        assert _valid(path, model) is brute_force.holds(SKEW, model), model
    assert _valid(path, "snapshot-isolation") and not _valid(path, "serializable")


def test_dbcop_text_write_skew_and_an_uncommitted_transaction(tmp_path):
    path = tmp_path / "skew.hist"
    path.write_text("// Session 1\n[x:=1 y:=2] [y==2 x:=3]\n---\n// Session 2\n"
                    "[x==1 y:=4]\n")
    assert detect_format(path.read_text()) == "dbcop-text"
    history = read_history(path)
    assert [(t.name, t.line, t.process) for t in history.transactions] == \
        [("T1", 2, 1), ("T2", 2, 1), ("T3", 5, 2)]
    assert history.transactions[2].mops == (("r", "x", 1), ("w", "y", 4))
    assert _valid(path, "snapshot-isolation") and not _valid(path, "serializable")
    aborted = tmp_path / "aborted.hist"
    aborted.write_text("[x:=1]!\n---\n[x==1]\n[z==?]\n")
    result = check_history(aborted, model="read-committed")
    assert result.anomaly_types == ["G1a"] and result.status.exit_code == 1
    assert parse_history(aborted.read_text()).transactions[2].mops == (("r", "z", None),)


@pytest.mark.parametrize(("text", "where"), [
    ("[x:=1 y=2]\n", (1, 2)), ("[x:=?]\n", (1, 2)), ("[x:=1] junk\n", (1, 8)),
    ("[x:=1]\n---\n[]\n", (3, 1))])
def test_dbcop_text_errors_are_located(tmp_path, text, where):
    with pytest.raises(InputError) as error:
        parse_history(text, file="h.hist", format="dbcop-text")
    assert (error.value.line, error.value.column) == where


def test_dbcop_json_errors_are_located():
    text = '[[{"events": [{"Read": {"variable": 0}}], "committed": true}]]'
    with pytest.raises(InputError, match="Read"):
        parse_history(text, format="dbcop")
    with pytest.raises(InputError, match="array of sessions"):
        parse_history('{"params": {}, "data": 3}', format="dbcop")


def test_cobra_logs_lost_update(tmp_path):
    lost = [(1, (("w", "x", 1),)), (2, (("r", "x", 1), ("w", "x", 2))),
            (3, (("r", "x", 1), ("w", "x", 3)))]
    cobra_logs(lost, tmp_path)
    assert looks_like_cobra(tmp_path) and looks_like_cobra(tmp_path / "T1.log")
    history = read_history(tmp_path)
    assert history.format == "cobra" and [t.process for t in history.transactions] == [1, 2, 3]
    assert history.transactions[1].mops == (("r", 0, 1), ("w", 0, 2))
    for model in ("read-committed", "causal", "prefix-consistency", "snapshot-isolation"):
        assert _valid(tmp_path, model) is brute_force.holds(lost, model), model
    assert not _valid(tmp_path, "snapshot-isolation")
    assert _valid(tmp_path, "snapshot-isolation", format="cobra") is False


def test_cobra_initial_reads_gc_markers_and_unfinished_transactions(tmp_path):
    log = (b"S" + struct.pack(">q", 7) + b"R" + struct.pack(">4q", INIT_ID, INIT_ID, 5, 0)
           + b"R" + struct.pack(">4q", INIT_ID, 0x23332333, 9, 0)
           + b"W" + struct.pack(">3q", 70, 5, 1) + b"C" + struct.pack(">q", 7)
           + b"S" + struct.pack(">q", 8) + b"W" + struct.pack(">3q", 80, 5, 2))
    (tmp_path / "c.log").write_bytes(log)
    history = read_cobra(tmp_path)
    first, second = history.transactions
    assert first.mops == (("r", 5, None), ("w", 5, 70)) and first.outcome.value == "ok"
    assert second.outcome.value == "info" and second.mops == (("w", 5, 80),)
    assert any("garbage-collection" in note for note in history.notes)


def test_cobra_damage_is_an_input_error(tmp_path):
    (tmp_path / "c.log").write_bytes(b"S" + struct.pack(">q", 1) + b"X")
    with pytest.raises(InputError, match="byte 9"):
        read_cobra(tmp_path)
    (tmp_path / "c.log").write_bytes(b"S" + struct.pack(">q", 1) + b"C" + struct.pack(">q", 2))
    with pytest.raises(InputError, match="commit of transaction"):
        read_cobra(tmp_path)


@pytest.mark.parametrize("seed", range(12))
def test_every_format_gives_the_edn_verdict(seed, tmp_path):
    rng = random.Random(seed)
    txns = brute_force.snapshot_history(rng, rng.randint(3, 6), keys="xyz", sessions=3)
    edn = tmp_path / "h.edn"
    edn.write_text(brute_force.edn(txns))
    (tmp_path / "h.json").write_text(dbcop_json(txns))
    (tmp_path / "h.hist").write_text(dbcop_text(txns))
    (tmp_path / "logs").mkdir()
    cobra_logs(txns, tmp_path / "logs")
    for model in ("causal", "prefix-consistency", "snapshot-isolation", "serializable"):
        expected = brute_force.holds(txns, model)
        assert _valid(edn, model) is expected
        for other in ("h.json", "h.hist", "logs"):
            assert _valid(tmp_path / other, model) is expected, (other, model)
