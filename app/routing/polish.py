"""Polish a visiting order with 2-opt and Or-opt moves (first improvement, seeded scan order).

This is not a solver: it takes the solver's order and keeps applying moves that shorten it while
every window and the day's end still hold. Distance deltas are O(1); the timing check runs only
for a move that would shorten the route. Stops until no move helps or the deadline passes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from .problem import END, START, Problem, timing


def _symmetric(problem: Problem, path: Sequence[int]) -> bool:
    m = problem.metres
    return all(m[a][b] == m[b][a] for i, a in enumerate(path) for b in path[i + 1:])


def polish(problem: Problem, order: Sequence[int], seed: int, deadline: float,
           timed: bool = True) -> list[int]:
    """A shorter (or the same) order holding the same stops. `timed=False` skips timing checks
    (for problems whose windows cannot bind)."""
    best = list(order)
    if len(best) < 3:
        return best
    rng = random.Random(seed)
    m = problem.metres
    symmetric = _symmetric(problem, [START, *best, END])

    def ok(candidate: list[int]) -> bool:
        return not timed or timing(problem, candidate) is not None

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        path = [START, *best, END]
        n = len(path)
        # 2-opt: reverse path[i+1..j].
        if symmetric:
            starts = list(range(n - 3))
            rng.shuffle(starts)
            for i in starts:
                if time.perf_counter() >= deadline:
                    break
                a, b = path[i], path[i + 1]
                for j in range(i + 2, n - 1):
                    c, d = path[j], path[j + 1]
                    delta = m[a][c] + m[b][d] - m[a][b] - m[c][d]
                    if delta < 0:
                        cand_path = path[:i + 1] + path[i + 1:j + 1][::-1] + path[j + 1:]
                        cand = cand_path[1:-1]
                        if ok(cand):
                            best, path, improved = cand, cand_path, True
                            a, b = path[i], path[i + 1]
        # Or-opt: move a chain of 1–3 stops elsewhere, kept in its direction.
        for length in (1, 2, 3):
            if time.perf_counter() >= deadline:
                break
            path = [START, *best, END]
            n = len(path)
            firsts = list(range(1, n - length))
            rng.shuffle(firsts)
            for i in firsts:
                if time.perf_counter() >= deadline:
                    break
                p_, f, lst, nx = path[i - 1], path[i], path[i + length - 1], path[i + length]
                removed = m[p_][f] + m[lst][nx] - m[p_][nx]
                rest = path[:i] + path[i + length:]
                chain = path[i:i + length]
                for k in range(len(rest) - 1):
                    if k == i - 1:
                        continue
                    a, b = rest[k], rest[k + 1]
                    delta = m[a][f] + m[lst][b] - m[a][b] - removed
                    if delta < 0:
                        cand_path = rest[:k + 1] + chain + rest[k + 1:]
                        cand = cand_path[1:-1]
                        if ok(cand):
                            best, path, improved = cand, cand_path, True
                            break
    return best
