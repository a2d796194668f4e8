"""The stage graph bootspec walks for boot paths and checks for cycles (BS110)."""

from __future__ import annotations

import itertools
import random

from bootspec.lang.stagegraph import StageGraph


def _graph(edges: list[tuple[str, str]], nodes: str = "") -> StageGraph:
    g = StageGraph()
    for n in nodes:
        g.add_node(n)
    for a, b in edges:
        g.add_edge(a, b)
    return g


def test_degrees_and_neighbours_keep_the_order_edges_were_added() -> None:
    g = _graph([("a", "c"), ("a", "b"), ("b", "c")], "abcd")
    assert list(g) == ["a", "b", "c", "d"]
    assert g.successors("a") == ["c", "b"] and g.predecessors("c") == ["a", "b"]
    assert [g.in_degree(n) for n in "abcd"] == [0, 1, 2, 0]
    assert [g.out_degree(n) for n in "abcd"] == [2, 1, 0, 0]
    assert "d" in g and "e" not in g
    g.add_edge("a", "c")  # again: one edge
    assert g.out_degree("a") == 2


def test_a_cycle_is_found_and_is_a_cycle() -> None:
    assert _graph([("a", "b"), ("b", "a")]).find_cycle() == [("a", "b"), ("b", "a")]
    assert _graph([("a", "a")]).find_cycle() == [("a", "a")]
    assert _graph([("a", "b"), ("b", "c"), ("c", "b")]).find_cycle() == [("b", "c"), ("c", "b")]
    assert _graph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]).find_cycle() is None


def _has_cycle(nodes: list[str], edges: set[tuple[str, str]]) -> bool:
    """By definition: some order of the nodes has every edge going forward, or none."""
    for order in itertools.permutations(nodes):
        pos = {n: i for i, n in enumerate(order)}
        if all(pos[a] < pos[b] for a, b in edges):
            return False
    return True


def test_cycles_are_found_exactly_when_there_is_one() -> None:
    rng = random.Random(7)
    nodes = list("abcde")
    for _ in range(300):
        edges = {(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 7))}
        g = _graph(sorted(edges), "".join(nodes))
        cycle = g.find_cycle()
        assert (cycle is not None) == _has_cycle(nodes, edges)
        if cycle is not None:  # consecutive edges of the graph that close
            assert all(e in edges for e in cycle)
            assert all(x[1] == y[0] for x, y in zip(cycle, cycle[1:] + cycle[:1], strict=True))
