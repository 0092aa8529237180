"""Cheapest feasible insertion: the constructive plan that is always there when the solver is not.

Stops are taken must-visits first, then by prize per second of the day they take, each put where it adds the fewest metres
without breaking a window or the day's end. Feasibility of a position is checked in constant
time from two arrays kept along the route: the earliest departure from each node and the latest
start at each node that still lets the rest of the route keep its windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from .problem import END, FIRST_STOP, START, Problem, earliest_start


def _latest_at_or_before(intervals: Sequence[tuple[int, int]], t: int) -> int | None:
    best: int | None = None
    for lo, hi in intervals:
        if lo > t:
            break
        best = min(hi, t)
    return best


class Route:
    """An order of stop nodes with the arrays that make insertion checks O(1)."""

    def __init__(self, problem: Problem, order: Sequence[int] = ()):
        self.p = problem
        self.order: list[int] = list(order)
        self.dep: list[int] = []  # departure from path[i]
        self.latest: list[int] = []  # latest start at path[i]
        self.feasible = self._update()

    @property
    def path(self) -> list[int]:
        return [START, *self.order, END]

    def _update(self) -> bool:
        p, path = self.p, self.path
        dep = [p.depart_s]
        ok = True
        for prev, node in zip(path, path[1:-1], strict=False):
            arrival = dep[-1] + p.seconds[prev][node]
            s = earliest_start(p.starts[node], arrival)
            if s is None:
                ok = False
                s = arrival
            dep.append(s + p.service[node])
        end_arrival = dep[-1] + p.seconds[path[-2]][END]
        dep.append(end_arrival)
        ok = ok and end_arrival <= p.day_end_s
        latest = [0] * len(path)
        latest[-1] = p.day_end_s
        for i in range(len(path) - 2, 0, -1):
            node, nxt = path[i], path[i + 1]
            bound = latest[i + 1] - p.seconds[node][nxt] - p.service[node]
            lt = _latest_at_or_before(p.starts[node], bound)
            latest[i] = -1 if lt is None else lt
        latest[0] = p.depart_s
        self.dep, self.latest = dep, latest
        return ok

    def best_insertion(self, node: int) -> tuple[int, int] | None:
        """(added metres, position in `order`) of the cheapest feasible place for `node`."""
        p, path = self.p, self.path
        best: tuple[int, int] | None = None
        for i in range(len(path) - 1):
            a, b = path[i], path[i + 1]
            delta = p.metres[a][node] + p.metres[node][b] - p.metres[a][b]
            if best is not None and delta >= best[0]:
                continue
            start = earliest_start(p.starts[node], self.dep[i] + p.seconds[a][node])
            if start is None:
                continue
            arrive_b = start + p.service[node] + p.seconds[node][b]
            if b == END:
                if arrive_b > p.day_end_s:
                    continue
            else:
                sb = earliest_start(p.starts[b], arrive_b)
                if sb is None or sb > self.latest[i + 1]:
                    continue
            best = (delta, i)
        return best

    def insert(self, node: int, position: int) -> None:
        self.order.insert(position, node)
        self.feasible = self._update()


def _worth_per_second(problem: Problem) -> dict[int, float]:
    """A stop's prize per second of the day it takes: its visit plus a round trip to its nearest
    other stop (what it costs to fit it between its neighbours)."""
    out: dict[int, float] = {}
    first, size = FIRST_STOP, problem.size
    for n in problem.stop_nodes():
        row = problem.seconds[n]
        hop = min(row[first:n] + row[n + 1:size], default=problem.seconds[START][n])
        out[n] = problem.prize[n] / (problem.service[n] + 2 * hop + 60)
    return out


def _order(problem: Problem, nodes: Sequence[int], by_prize: bool = False) -> list[int]:
    worth = {n: float(problem.prize[n]) for n in nodes} if by_prize else _worth_per_second(problem)
    return sorted(nodes, key=lambda n: (not problem.must[n], -worth[n], n))


def cheapest_insertion(problem: Problem, prefer: Sequence[int] = (), by_prize: bool = False) -> list[int]:
    """A feasible order (possibly empty) built by insertion; `prefer` nodes are tried first in
    their given order (e.g. a previous plan), then must-visits, then stops by prize per second of
    the day they take (or, `by_prize`, by prize alone)."""
    route = Route(problem)
    rest = _order(problem, list(problem.stop_nodes()), by_prize)
    seen = set()
    for node in [*prefer, *rest]:
        if node in seen:
            continue
        seen.add(node)
        found = route.best_insertion(node)
        if found is not None and (problem.must[node] or found[0] < problem.prize[node]):
            route.insert(node, found[1])
    return route.order


def insert_left_out(problem: Problem, order: Sequence[int]) -> list[int]:
    """Add any left-out stop that still fits (after polishing shortened the route)."""
    route = Route(problem, order)
    if not route.feasible:
        return list(order)
    planned = set(order)
    rest = _order(problem, [n for n in problem.stop_nodes() if n not in planned])
    for node in rest:
        found = route.best_insertion(node)
        if found is not None and (problem.must[node] or found[0] < problem.prize[node]):
            route.insert(node, found[1])
    return route.order
