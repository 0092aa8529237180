"""Polish a visiting order with 2-opt and Or-opt moves over nearest-neighbour lists.

This is not a solver: it takes an order (the insertion plan, the solver's answer) and keeps
applying moves that shorten it while every window and the day's end still hold. Moves are only
tried towards each stop's nearest neighbours, so a pass costs O(n·k) distance look-ups; the timing
check runs only for a move that would shorten the route. The scan order is shuffled by the seed.
Stops when no move helps or the deadline passes.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Sequence

from .problem import END, START, Problem, timing

NEIGHBOURS = 12


def _symmetric(problem: Problem, nodes: Sequence[int]) -> bool:
    m = problem.metres
    return all(m[a][b] == m[b][a] for i, a in enumerate(nodes) for b in nodes[i + 1:])


def _near(problem: Problem, nodes: Sequence[int], k: int) -> dict[int, list[int]]:
    m = problem.metres
    return {a: heapq.nsmallest(k, (b for b in nodes if b != a), key=lambda b: (m[a][b], b)) for a in nodes}


def polish(problem: Problem, order: Sequence[int], seed: int, deadline: float, timed: bool = True) -> list[int]:
    """A shorter (or the same) order holding the same stops."""
    best = list(order)
    if len(best) < 3:
        return best
    rng = random.Random(seed)
    m = problem.metres
    near = _near(problem, [START, *best], NEIGHBOURS)
    symmetric = _symmetric(problem, [START, *best, END])

    def ok(path: list[int]) -> bool:
        return not timed or timing(problem, path[1:-1]) is not None

    path = [START, *best, END]
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        if symmetric:
            path, changed = _two_opt(path, m, near, ok, rng, deadline)
            improved |= changed
        path, changed = _or_opt(path, m, near, ok, rng, deadline)
        improved |= changed
    return path[1:-1]


def _two_opt(path: list[int], m: list[list[int]], near: dict[int, list[int]], ok: Callable[[list[int]], bool], rng: random.Random,
             deadline: float) -> tuple[list[int], bool]:
    """Reverse path[p+1..q] to create the edges (path[p], path[q]) and (path[p+1], path[q+1])."""
    changed = False
    pos = {node: i for i, node in enumerate(path)}
    order = list(range(len(path) - 1))
    rng.shuffle(order)
    for i in order:
        if time.perf_counter() >= deadline:
            break
        a = path[i]
        for c in near[a]:
            j = pos[c]
            p, q = (i, j) if j > i else (j, i)
            if q - p < 2 or q + 1 >= len(path):
                continue
            w, x, y, z = path[p], path[p + 1], path[q], path[q + 1]
            delta = m[w][y] + m[x][z] - m[w][x] - m[y][z]
            if delta < 0:
                candidate = path[:p + 1] + path[p + 1:q + 1][::-1] + path[q + 1:]
                if ok(candidate):
                    path, changed = candidate, True
                    pos = {node: k for k, node in enumerate(path)}
                    break
    return path, changed


def _or_opt(path: list[int], m: list[list[int]], near: dict[int, list[int]], ok: Callable[[list[int]], bool],
            rng: random.Random, deadline: float) -> tuple[list[int], bool]:
    """Move a chain of 1–3 stops (kept in its direction) next to a near neighbour of its ends."""
    changed = False
    for length in (1, 2, 3):
        pos = {node: k for k, node in enumerate(path)}
        firsts = list(range(1, len(path) - length))
        rng.shuffle(firsts)
        for i in firsts:
            if time.perf_counter() >= deadline:
                return path, changed
            f, last = path[i], path[i + length - 1]
            before, after = path[i - 1], path[i + length]
            gain = m[before][f] + m[last][after] - m[before][after]
            for c in (*near[f], *near[last]):
                k = pos.get(c)
                if k is None:
                    continue
                done = False
                for s in (k - 1, k):  # insert between path[s] and path[s + 1]
                    if s < 0 or s + 1 >= len(path) or i - 1 <= s <= i + length - 1:
                        continue
                    a, b = path[s], path[s + 1]
                    if m[a][f] + m[last][b] - m[a][b] - gain < 0:
                        chain = path[i:i + length]
                        rest = path[:i] + path[i + length:]
                        at = s + 1 if s < i else s + 1 - length
                        candidate = rest[:at] + chain + rest[at:]
                        if ok(candidate):
                            path, changed, done = candidate, True, True
                            pos = {node: q for q, node in enumerate(path)}
                            break
                if done:
                    break
    return path, changed
