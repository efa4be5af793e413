"""The graph algorithms and the model tables, on their own."""

from __future__ import annotations

from refute.history.anomalies import boundary, classify, forbidden_by, implied
from refute.history.graph import (
    BASE_SPECS,
    REALTIME,
    RW,
    WR,
    WW,
    Graph,
    find_cycle,
    strongly_connected_components,
)


def test_scc_is_iterative_on_a_long_cycle():
    n = 200_000
    adjacency = [[(v + 1) % n] for v in range(n)]
    [component] = strongly_connected_components(adjacency)
    assert len(component) == n


def test_scc_skips_trivial_components():
    assert strongly_connected_components([[1], [2], []]) == []
    assert sorted(map(sorted, strongly_connected_components([[1], [0], [3], [2]]))) == \
        [[0, 1], [2, 3]]


def test_shortest_g_single_is_found_among_longer_ones():
    graph = Graph(6)
    for u, v in [(0, 1), (1, 2), (2, 3), (3, 4)]:
        graph.add(u, v, WW)
    graph.add(4, 0, RW)  # a five-edge G-single
    graph.add(2, 5, WR)
    graph.add(5, 1, RW)  # a three-edge one: 1 -> 2 -> 5 -> 1
    spec = next(s for s in BASE_SPECS if s.name == "G-single")
    outcome = find_cycle(graph, spec, list(range(6)), None, 10)
    assert outcome.complete
    assert sorted(step[0] for step in outcome.cycle) == [1, 2, 5]


def test_classify():
    assert classify([WW, WW]) == "G0"
    assert classify([WW, WR]) == "G1c"
    assert classify([WR, RW]) == "G-single"
    assert classify([RW, WR, RW, WR]) == "G-nonadjacent"
    assert classify([RW, RW]) == "G2-item"
    assert classify([REALTIME, RW]) == "G-single-realtime"


def test_model_boundaries_follow_elle_and_adya():
    assert boundary(["G2-item"]) == (["repeatable-read"],
                                     ["serializable", "strict-serializable"])
    assert boundary(["G-single"])[0] == ["repeatable-read", "parallel-snapshot-isolation"]
    assert boundary(["G-nonadjacent"])[0] == ["repeatable-read", "snapshot-isolation"]
    assert boundary(["G0"])[0] == ["read-uncommitted"]
    assert boundary(["G1a"])[0] == ["read-committed"]
    assert boundary(["internal"])[0] == ["prefix-consistency", "parallel-snapshot-isolation"]
    assert boundary(["fractured-read"]) == (
        ["read-atomic"], ["causal", "prefix-consistency", "parallel-snapshot-isolation",
                          "snapshot-isolation", "serializable", "strict-serializable"])
    assert boundary(["G2-item-realtime"]) == (["strict-serializable"], [])
    assert boundary([]) == ([], [])


def test_implications():
    assert {"G1c", "G0-realtime", "G1c-realtime"} <= implied(["G0"])
    assert "G2-item-realtime" in implied(["G-single-realtime"])
    assert "G2-item" not in forbidden_by("snapshot-isolation")
    assert "G-single-process" in forbidden_by("strict-serializable")
