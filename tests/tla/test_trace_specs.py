"""Trace-validation specs as TLC checks them: a log of an implementation's run (ndjson, put in
causal order by VectorClocks' ``CausalOrder``), matched one line per level by an
ACTION_CONSTRAINT that reads ``TLCGet("level")``, with the VIEW ``<<vars, TLCGet("level")>>``
so that a line the spec's variables do not change is still a step, and a POSTCONDITION that
says whether the whole log was matched (tlaplus/Examples' EWD998ChanTrace is one).

Every figure here is what TLC built from source (tlaplus/tlaplus cc6b616, with its
CommunityModules jar) reported for the same files, ``tlc -workers 1``.
"""

from __future__ import annotations

import textwrap

from click.testing import CliRunner

from refute.cli import main
from refute.tla.community import causal_order

TRACE_SPEC = """\
---- MODULE Trace ----
EXTENDS Naturals, Sequences, Json, VectorClocks, TLC
VARIABLES inflight, delivered
vars == <<inflight, delivered>>
Init == inflight = 0 /\\ delivered = 0
Send == inflight' = inflight + 1 /\\ UNCHANGED delivered
Recv == inflight > 0 /\\ inflight' = inflight - 1 /\\ delivered' = delivered + 1
Next == Send \\/ Recv
Log == CausalOrder(ndJsonDeserialize("log.ndjson"), LAMBDA l : l.vc, LAMBDA l : l.node,
                   LAMBDA c : DOMAIN c)
TraceSpec == Init /\\ [][Next \\/ UNCHANGED vars]_vars
Matches == LET i == TLCGet("level") IN
    /\\ i <= Len(Log)
    /\\ \\/ Log[i].event = "send" /\\ Send
       \\/ Log[i].event = "recv" /\\ Recv
       \\/ Log[i].event = "idle" /\\ UNCHANGED vars
View == <<vars, TLCGet("level")>>
Accepted == TLCGet("stats").diameter - 1 = Len(Log)
====
"""

TRACE_CFG = "SPECIFICATION TraceSpec\nVIEW View\nACTION_CONSTRAINT Matches\nPOSTCONDITION Accepted\n"


def _check(tmp_path, log: str, *options: str):
    (tmp_path / "Trace.tla").write_text(TRACE_SPEC)
    (tmp_path / "Trace.cfg").write_text(TRACE_CFG)
    (tmp_path / "log.ndjson").write_text(textwrap.dedent(log))
    return CliRunner().invoke(main, ["check", str(tmp_path / "Trace.tla"), "--allow-read",
                                     str(tmp_path), *options])


def test_a_log_the_spec_allows_is_matched_line_by_line(tmp_path, monkeypatch) -> None:
    # two nodes, out of order in the file; idle lines are stuttering steps the VIEW keeps apart.
    # TLC: no error, 7 distinct, 17 generated, depth 7 (the same for every -fp polynomial)
    monkeypatch.chdir(tmp_path)  # ndJsonDeserialize reads relative to the working directory
    run = _check(tmp_path, """\
        {"node":"q","event":"recv","vc":{"p":1,"q":1}}
        {"node":"p","event":"send","vc":{"p":1}}
        {"node":"p","event":"idle","vc":{"p":2}}
        {"node":"q","event":"recv","vc":{"p":3,"q":3}}
        {"node":"q","event":"idle","vc":{"p":1,"q":2}}
        {"node":"p","event":"send","vc":{"p":3}}
        """)
    assert run.exit_code == 0, run.output
    assert "Trace: 7 distinct states, 17 generated, depth 7" in run.output


def test_a_log_the_spec_refuses_fails_the_postcondition(tmp_path, monkeypatch) -> None:
    # a second receive with nothing in flight: TLC "Error: Postcondition Accepted ... is
    # false", 3 distinct, 8 generated, depth 3
    monkeypatch.chdir(tmp_path)
    run = _check(tmp_path, """\
        {"node":"p","event":"send","vc":{"p":1}}
        {"node":"p","event":"recv","vc":{"p":2}}
        {"node":"p","event":"recv","vc":{"p":3}}
        {"node":"p","event":"send","vc":{"p":4}}
        """, "--backend", "interpreted")
    assert run.exit_code == 2, run.output
    assert "POSTCONDITION Accepted is FALSE after the search (3 distinct states, 8 generated, " \
           "depth 3" in run.output


def test_a_view_with_the_level_keeps_stuttering_states_apart(tmp_path) -> None:
    # the same values at levels 1..5 are five states; the sixth successor is outside the
    # ACTION_CONSTRAINT. TLC: no error, 5 distinct, 6 generated, depth 5
    (tmp_path / "LV.tla").write_text(textwrap.dedent("""\
        ---- MODULE LV ----
        EXTENDS Naturals, TLC
        VARIABLE x
        Init == x = 0
        Next == UNCHANGED x
        View == <<x, TLCGet("level")>>
        AC == TLCGet("level") < 5
        ====
        """))
    (tmp_path / "LV.cfg").write_text("INIT Init\nNEXT Next\nVIEW View\nACTION_CONSTRAINT AC\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "LV.tla")])
    assert run.exit_code == 0, run.output
    assert "LV: 5 distinct states, 6 generated, depth 5" in run.output


VALUES = """\
---- MODULE V ----
EXTENDS Naturals, Sequences, VectorClocks, TLC
Chain == << [n |-> 2, c |-> <<2, 2>>], [n |-> 2, c |-> <<1, 1>>], [n |-> 1, c |-> <<2, 1>>],
           [n |-> 1, c |-> <<1, 0>>] >>
ASSUME CausalOrder(Chain, LAMBDA e : e.c, LAMBDA e : e.n, LAMBDA c : DOMAIN c) =
       << [n |-> 1, c |-> <<1, 0>>], [n |-> 2, c |-> <<1, 1>>], [n |-> 1, c |-> <<2, 1>>],
          [n |-> 2, c |-> <<2, 2>>] >>
ASSUME CausalOrder(<<>>, LAMBDA e : e.c, LAMBDA e : e.n, LAMBDA c : DOMAIN c) = <<>>
ASSUME << IsCausalOrder(<< <<1,0>>, <<0,1>> >>, LAMBDA l: l),
          IsCausalOrder(<< <<0,1>>, <<0,0>> >>, LAMBDA l: l),
          IsCausalOrder(<< [a |-> 1], [a |-> 1, b |-> 1] >>, LAMBDA l: l),
          IsCausalOrder(<< [a |-> 2], [b |-> 1] >>, LAMBDA l: l),
          IsCausalOrder(<< [a |-> 1, b |-> 1], [a |-> 1] >>, LAMBDA l: l) >>
       = <<TRUE, FALSE, TRUE, TRUE, FALSE>>
VARIABLE x
Init == x = 0
Next == UNCHANGED x
====
"""


def test_vector_clocks_give_tlcs_values(tmp_path) -> None:
    # TLC prints these values (a chain of clocks has one causal order, whatever the rounds)
    (tmp_path / "V.tla").write_text(VALUES)
    (tmp_path / "V.cfg").write_text("INIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "V.tla")])
    assert run.exit_code == 0, run.output


def test_unordered_entries_come_in_the_order_their_nodes_first_appear() -> None:
    # a's and b's first entries are unordered by their clocks: TLC places a's first with
    # -fp 0, 3, 4, 5, 6 and b's with -fp 1, 2, 7 (its rounds follow a HashMap of its
    # fingerprints); refute's rounds visit the nodes as the log first names them: b, then a
    log = ({"n": "b", "c": {"a": 1, "b": 2}}, {"n": "a", "c": {"a": 1}}, {"n": "b", "c": {"b": 1}})
    from refute.values import FrozenMap
    entries = tuple(FrozenMap({k: FrozenMap(v) if isinstance(v, dict) else v for k, v in e.items()})
                    for e in log)
    ordered = causal_order(entries, lambda e: e["c"], lambda e: e["n"],
                           lambda c: frozenset(c.keys()))
    assert [(e["n"], dict(e["c"])) for e in ordered] == \
        [("b", {"b": 1}), ("a", {"a": 1}), ("b", {"a": 1, "b": 2})]


def test_a_clock_with_a_gap_is_a_located_error(tmp_path) -> None:
    # p's only entry has count 2: TLC's Java code indexes p's entries by count and fails
    (tmp_path / "G.tla").write_text(textwrap.dedent("""\
        ---- MODULE G ----
        EXTENDS Naturals, Sequences, VectorClocks
        VARIABLE x
        Init == x = CausalOrder(<< [n |-> "q", c |-> [q |-> 1, p |-> 2]], [n |-> "p", c |-> [p |-> 2]] >>,
                                LAMBDA e : e.c, LAMBDA e : e.n, LAMBDA c : DOMAIN c)
        Next == UNCHANGED x
        ====
        """))
    (tmp_path / "G.cfg").write_text("INIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "G.tla")])
    assert run.exit_code == 2, run.output
    assert "G.tla:4" in run.output and "counts must have no gaps" in run.output, run.output


def test_json_numbers_are_read_as_tlcs_java_ints(tmp_path, monkeypatch) -> None:
    # a log's timestamps have fractions (etcd-io/raft's traces: "ts":1712329729.6024537):
    # TLC's Json module reads every number with Gson's getAsInt, the integer part cut toward
    # zero and kept to 32 bits. TLC prints [a |-> 1, b |-> -1, c |-> 100, d |-> 1,
    # e |-> -2147483648, f |-> -159383553, g |-> 0, h |-> 0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "n.ndjson").write_text('{"a":1.9,"b":-1.9,"c":1e2,"d":4294967297,"e":2147483648,'
                                       '"f":99999999999999999999999,"g":-0.5,"h":2.5e-3}\n')
    (tmp_path / "JN.tla").write_text(textwrap.dedent("""\
        ---- MODULE JN ----
        EXTENDS Json, Integers
        ASSUME ndJsonDeserialize("n.ndjson") = << [a |-> 1, b |-> -1, c |-> 100, d |-> 1,
            e |-> -2147483648, f |-> -159383553, g |-> 0, h |-> 0] >>
        VARIABLE x
        Init == x = 0
        Next == UNCHANGED x
        ====
        """))
    (tmp_path / "JN.cfg").write_text("INIT Init\nNEXT Next\n")
    run = CliRunner().invoke(main, ["check", str(tmp_path / "JN.tla"), "--allow-read", str(tmp_path)])
    assert run.exit_code == 0, run.output
