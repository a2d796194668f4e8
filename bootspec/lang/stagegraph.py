"""The stage graph: stages as nodes, an edge ``a -> b`` for each ``stage b after a``.

Four questions are asked of it (roots and sinks, successors in order, a cycle), on
graphs of a few dozen stages; written here rather than imported (networkx took
~130 ms of every ``bootspec check`` process, a third of a small one, for these).
"""

from __future__ import annotations

from collections.abc import Iterator


class StageGraph:
    """A directed graph over names, nodes and each node's edges in insertion order."""

    def __init__(self) -> None:
        self._succ: dict[str, list[str]] = {}
        self._pred: dict[str, list[str]] = {}

    def add_node(self, n: str) -> None:
        self._succ.setdefault(n, [])
        self._pred.setdefault(n, [])

    def add_edge(self, a: str, b: str) -> None:
        self.add_node(a)
        self.add_node(b)
        if b not in self._succ[a]:
            self._succ[a].append(b)
            self._pred[b].append(a)

    def __iter__(self) -> Iterator[str]:
        return iter(self._succ)

    def successors(self, n: str) -> list[str]:
        return list(self._succ[n])

    def predecessors(self, n: str) -> list[str]:
        return list(self._pred[n])

    def in_degree(self, n: str) -> int:
        return len(self._pred[n])

    def out_degree(self, n: str) -> int:
        return len(self._succ[n])

    def find_cycle(self) -> list[tuple[str, str]] | None:
        """The edges of a cycle, from the first node (in insertion order) whose depth-first
        walk meets one, or None when the graph has none."""
        done: set[str] = set()
        for root in self._succ:
            if root in done:
                continue
            path: list[str] = [root]
            on_path = {root}
            todo = [iter(self._succ[root])]
            while todo:
                nxt = next(todo[-1], None)
                if nxt is None:  # every edge from the node followed: it is on no cycle
                    finished = path.pop()
                    on_path.discard(finished)
                    done.add(finished)
                    todo.pop()
                    continue
                if nxt in on_path:
                    cyc = path[path.index(nxt):]
                    return [(a, b) for a, b in zip(cyc, [*cyc[1:], nxt], strict=True)]
                if nxt not in done:
                    path.append(nxt)
                    on_path.add(nxt)
                    todo.append(iter(self._succ[nxt]))
        return None
