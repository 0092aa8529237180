"""The cleaned-up problem the solvers work on, and the timing of a visiting order.

Node 0 is the start point, node 1 the end point, nodes 2… the plannable stops. Each stop has the
intervals in which its visit may *start* (the working day, the permitted hours and the debtor's
window intersected, each shortened by the visit's duration so the visit also ends inside).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Stop

START, END = 0, 1
FIRST_STOP = 2


@dataclass(frozen=True, slots=True)
class Problem:
    stops: tuple[Stop, ...]  # node i + FIRST_STOP is stops[i]
    metres: list[list[int]]
    seconds: list[list[int]]
    service: list[int]  # per node; 0 for start and end
    starts: list[tuple[tuple[int, int], ...]]  # per node: intervals for the visit's start
    prize: list[int]  # per node: penalty in metres for leaving it out
    must: list[bool]
    depart_s: int  # earliest departure from the start
    day_end_s: int  # latest arrival at the end

    @property
    def size(self) -> int:
        return len(self.service)

    def stop_nodes(self) -> range:
        return range(FIRST_STOP, self.size)


@dataclass(frozen=True, slots=True)
class Timing:
    arrival: list[int]
    start: list[int]
    departure: list[int]
    end_arrival: int


def earliest_start(intervals: Sequence[tuple[int, int]], at: int) -> int | None:
    """The first moment ≥ `at` inside one of the (sorted) intervals, or None."""
    for lo, hi in intervals:
        if at <= hi:
            return max(at, lo)
    return None


def timing(problem: Problem, order: Sequence[int], depart: int | None = None,
           strict: bool = True) -> Timing | None:
    """Times of an order of stop nodes when leaving as early as allowed and waiting where needed.

    With `strict`, None if any visit misses its intervals or the end is reached after the day's
    end; without it, late visits simply start on arrival (used to report a locked order as is).
    """
    t = problem.depart_s if depart is None else depart
    prev = START
    arrival: list[int] = []
    start: list[int] = []
    departure: list[int] = []
    for node in order:
        t += problem.seconds[prev][node]
        arrival.append(t)
        s = earliest_start(problem.starts[node], t)
        if s is None:
            if strict:
                return None
            s = t
        start.append(s)
        t = s + problem.service[node]
        departure.append(t)
        prev = node
    end_arrival = t + problem.seconds[prev][END]
    if strict and end_arrival > problem.day_end_s:
        return None
    return Timing(arrival, start, departure, end_arrival)


def route_metres(problem: Problem, order: Sequence[int]) -> int:
    prev, total = START, 0
    for node in order:
        total += problem.metres[prev][node]
        prev = node
    return total + problem.metres[prev][END]


def objective(problem: Problem, order: Sequence[int]) -> tuple[int, int]:
    """(must-visits left out, metres + prizes left out): smaller is better, compared as a tuple."""
    planned = set(order)
    missing_must = sum(1 for n in problem.stop_nodes() if problem.must[n] and n not in planned)
    lost = sum(problem.prize[n] for n in problem.stop_nodes() if n not in planned and not problem.must[n])
    return missing_must, route_metres(problem, order) + lost
