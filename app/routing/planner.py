"""Plan one agent's day: check the stops, build the problem, solve, polish, time the result.

`plan_day(request)` never raises for bad stops (each bad stop is skipped with its reason) and
always returns a feasible plan within the time limit plus a margin: a cheapest-insertion plan is
built first, the solver improves on it if it can, and the better of the two is kept. A request
that cannot describe a day at all (the day ends before it starts, a start point off the globe)
raises `PlanError` with a plain message.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import time as dt_time

from .insertion import cheapest_insertion, insert_left_out
from .model import (
    DAY_SECONDS,
    Plan,
    PlannedStop,
    PlanRequest,
    Point,
    Skipped,
    SkipReason,
    Stop,
)
from .ortools_solver import SearchSettings, solve
from .polish import polish
from .problem import END, FIRST_STOP, START, Problem, objective, timing
from .travel import GreatCircleTravel, TravelModel, great_circle_m

MAX_STOPS = 1_000
MAX_DURATION_S = 12 * 3600
# The repeatable stopping rule: the routing search stops after this many solutions per second of
# time limit (at least MIN_SOLUTIONS), the time limit being the backstop. Measured on a shared
# 2-core machine under load: 700 solutions a second for a dozen stops, 100–150 for 50–200
# candidates. So small days stop on the count (equal requests, equal plans: the tests rely on
# it), while 50+ candidates on a loaded machine may stop on the clock; the plan then says
# params["stopped_by"] == "time_limit" and a rerun may differ (benchmark: 4 of 5 reruns of
# 50-candidate days and 5 of 5 of 200-candidate days matched). A lower count made plans worse
# (0.8 % less priority than a 5 s search instead of 0.1 %) without making them repeatable.
SOLUTIONS_PER_SECOND = 200
MIN_SOLUTIONS = 100
SOLVER_SHARE = 0.75  # of the time left after the constructive plan; the rest is margin for polishing


def allowed_intervals(start: dt_time, end: dt_time) -> tuple[tuple[int, int], ...]:
    """A compliance window (e.g. 08:00–22:00, or one that wraps past midnight) as day intervals."""
    lo = start.hour * 3600 + start.minute * 60
    hi = end.hour * 3600 + end.minute * 60
    if lo == hi:
        return ((0, DAY_SECONDS),)
    if lo < hi:
        return ((lo, hi),)
    return ((0, hi), (lo, DAY_SECONDS))


def default_time_limit(candidates: int) -> float:
    """Seconds to give the search for a day of `candidates` stops: 0.3 s for 50, 1.2 s for 200
    (a day plan must be ready within 0.5 s from 50 candidates and 2 s from 200)."""
    return round(min(1.5, max(0.25, 0.006 * candidates)), 2)


class PlanError(ValueError):
    """A request that does not describe a plannable day."""


@dataclass(frozen=True, slots=True)
class _Checked:
    plannable: list[Stop]
    skipped: list[Skipped]
    start: Point | None
    end: Point | None


def _valid_point(p: Point | None, what: str) -> None:
    if p is None:
        return
    if not (math.isfinite(p.lat) and math.isfinite(p.lon)) or not (-90 <= p.lat <= 90) or not (-180 <= p.lon <= 180):
        raise PlanError(f"the {what} point {p.lat}, {p.lon} is not a place on Earth")


def _check_request(req: PlanRequest) -> None:
    if not (0 <= req.day_start_s < DAY_SECONDS + 1) or not (0 <= req.day_end_s <= DAY_SECONDS):
        raise PlanError("the day must start and end between 00:00 and 24:00")
    if req.day_end_s <= req.day_start_s:
        raise PlanError("the day ends before it starts")
    if not (0 < req.time_limit_s <= 600) or not math.isfinite(req.time_limit_s):
        raise PlanError("the time limit must be more than 0 and at most 600 seconds")
    if len(req.stops) > MAX_STOPS:
        raise PlanError(f"at most {MAX_STOPS:,} stops can be planned in one day, got {len(req.stops):,}")
    for lo, hi in req.allowed:
        if hi <= lo:
            raise PlanError("a permitted visiting interval ends before it starts")
    _valid_point(req.start, "start")
    _valid_point(req.end, "end")


def _check_stops(req: PlanRequest) -> _Checked:
    skipped: list[Skipped] = []
    seen: set[str] = set()
    located: list[Stop] = []
    for s in req.stops:
        if not s.id.strip():
            skipped.append(Skipped(s.id, SkipReason.EMPTY_ID))
            continue
        if s.id in seen:
            skipped.append(Skipped(s.id, SkipReason.DUPLICATE_ID))
            continue
        seen.add(s.id)
        if s.lat is None or s.lon is None:
            skipped.append(Skipped(s.id, SkipReason.NO_COORDINATES))
        elif not (math.isfinite(s.lat) and math.isfinite(s.lon)) or not (-90 <= s.lat <= 90) \
                or not (-180 <= s.lon <= 180):
            skipped.append(Skipped(s.id, SkipReason.IMPOSSIBLE_COORDINATES, f"{s.lat}, {s.lon}"))
        elif s.lat == 0 and s.lon == 0:
            skipped.append(Skipped(s.id, SkipReason.NO_COORDINATES, "0, 0 is a placeholder, not an address"))
        elif s.window is not None and s.window[1] <= s.window[0]:
            skipped.append(Skipped(s.id, SkipReason.BAD_WINDOW))
        elif not (0 <= s.duration_s <= MAX_DURATION_S):
            skipped.append(Skipped(s.id, SkipReason.BAD_DURATION, f"{s.duration_s // 60} min"))
        elif not math.isfinite(s.priority):
            skipped.append(Skipped(s.id, SkipReason.BAD_PRIORITY))
        elif s.needs_two_people and not (req.partner or "").strip():
            skipped.append(Skipped(s.id, SkipReason.NEEDS_PARTNER, s.two_person_why))
        else:
            located.append(s)
    if not located:
        return _Checked([], skipped, req.start, req.end or req.start)
    centre = Point(statistics.median(s.lat for s in located if s.lat is not None),
                   statistics.median(s.lon for s in located if s.lon is not None))
    start = req.start
    if start is None:  # the stop nearest the middle of the others
        nearest = min(located, key=lambda s: (great_circle_m(centre, _pt(s)), s.id))
        start = _pt(nearest)
    end = req.end or start
    plannable: list[Stop] = []
    for s in located:
        p = _pt(s)
        far = max(great_circle_m(centre, p), great_circle_m(start, p))
        if far > req.max_radius_m:
            skipped.append(Skipped(s.id, SkipReason.TOO_FAR, f"{far / 1000:,.0f} km away"))
        else:
            plannable.append(s)
    return _Checked(plannable, skipped, start, end)


def _pt(s: Stop) -> Point:
    assert s.lat is not None and s.lon is not None
    return Point(s.lat, s.lon)


def start_intervals(stop: Stop, req: PlanRequest) -> tuple[tuple[int, int], ...]:
    """When the visit may start: inside the day, the permitted hours and the debtor's window,
    early enough to end inside all three."""
    w_lo, w_hi = stop.window if stop.window is not None else (0, DAY_SECONDS)
    out = []
    for a_lo, a_hi in sorted(req.allowed):
        lo = max(req.day_start_s, a_lo, w_lo)
        hi = min(req.day_end_s, a_hi, w_hi) - stop.duration_s
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def _prize(stop: Stop, req: PlanRequest) -> int:
    # Every stop is worth something (a zero-priority visit still beats an idle afternoon).
    return max(1, round(max(0.0, stop.priority) * req.metres_per_priority_point)) + 100


def _problem(stops: Sequence[Stop], index: Sequence[int], metres: list[list[int]], seconds: list[list[int]],
             req: PlanRequest, depart_s: int) -> Problem:
    """The sub-problem over big-matrix rows `index` (start row, end row, then one per stop)."""
    if list(index) == list(range(len(metres))):  # the whole matrix: no copy
        sub_m, sub_s = metres, seconds
    else:
        sub_m = [[row[b] for b in index] for row in (metres[a] for a in index)]
        sub_s = [[row[b] for b in index] for row in (seconds[a] for a in index)]
    free = ((0, DAY_SECONDS),)
    return Problem(
        stops=tuple(stops), metres=sub_m, seconds=sub_s,
        service=[0, 0, *(s.duration_s for s in stops)],
        starts=[free, free, *(start_intervals(s, req) for s in stops)],
        prize=[0, 0, *(_prize(s, req) for s in stops)],
        must=[False, False, *(s.must_visit for s in stops)],
        depart_s=depart_s, day_end_s=req.day_end_s,
    )


def plan_day(req: PlanRequest, travel: TravelModel | None = None) -> Plan:
    began = time.perf_counter()
    _check_request(req)
    travel = travel or GreatCircleTravel()
    checked = _check_stops(req)
    skipped = list(checked.skipped)
    stops = checked.plannable
    params: dict[str, object] = {"time_limit_s": req.time_limit_s, "seed": req.seed, "day_start_s": req.day_start_s,
              "day_end_s": req.day_end_s, "partner": req.partner or "", "fixed_prefix": list(req.fixed_prefix)}
    if checked.start is None or checked.end is None:
        return Plan((), tuple(skipped), None, None, req.day_start_s, req.day_start_s, 0, 0, "none",
                    time.perf_counter() - began, params)
    start, end = checked.start, checked.end
    metres, seconds = travel.matrices([start, end, *(_pt(s) for s in stops)])
    row = {s.id: i + FIRST_STOP for i, s in enumerate(stops)}  # a stop's row in the big matrices
    by_id = {s.id: s for s in stops}

    # The fixed prefix is kept as given; the rest is planned from its last stop on.
    prefix = [by_id[i] for i in dict.fromkeys(req.fixed_prefix) if i in by_id]
    everything = _problem(stops, [0, 1, *range(FIRST_STOP, FIRST_STOP + len(stops))], metres, seconds, req,
                          req.day_start_s)
    prefix_nodes = [row[s.id] for s in prefix]
    prefix_timing = timing(everything, prefix_nodes, strict=False)
    assert prefix_timing is not None
    depart_after = prefix_timing.departure[-1] if prefix else req.day_start_s
    origin = prefix_nodes[-1] if prefix else START

    free: list[Stop] = []
    for s in stops:
        if s in prefix:
            continue
        if not start_intervals(s, req):
            if start_intervals(replace(s, window=None), req):
                skipped.append(Skipped(s.id, SkipReason.WINDOW_OUTSIDE_DAY))
            else:
                skipped.append(Skipped(s.id, SkipReason.DAY_TOO_SHORT, f"the visit takes {s.duration_s // 60} min"))
            continue
        alone = _problem([s], [origin, END, row[s.id]], metres, seconds, req, depart_after)
        if timing(alone, [FIRST_STOP]) is None:
            skipped.append(Skipped(s.id, SkipReason.DAY_TOO_SHORT, "after the locked stops" if prefix else ""))
            continue
        free.append(s)

    problem = _problem(free, [origin, END, *(row[s.id] for s in free)], metres, seconds, req, depart_after)
    if req.optimise_rest:
        order, solver, facts = _optimise(problem, req, began)
        params.update(facts)
    else:
        order, solver = [], "by hand"
    chosen = set(order)
    for node in problem.stop_nodes():
        if node not in chosen:
            s = problem.stops[node - FIRST_STOP]
            if not req.optimise_rest:
                skipped.append(Skipped(s.id, SkipReason.NOT_CHOSEN, "not in the order set by hand"))
            else:
                skipped.append(Skipped(s.id, SkipReason.MUST_VISIT_DID_NOT_FIT if s.must_visit
                                       else SkipReason.NOT_CHOSEN))

    full = prefix_nodes + [row[problem.stops[n - FIRST_STOP].id] for n in order]
    t = timing(everything, full, strict=False)
    assert t is not None
    planned: list[PlannedStop] = []
    prev = START
    for k, node in enumerate(full):
        s = stops[node - FIRST_STOP]
        warning = ""
        if k < len(prefix):
            ok_start = any(lo <= t.start[k] <= hi for lo, hi in everything.starts[node])
            warning = "" if ok_start else "outside the debtor's window, the permitted hours or the day"
        planned.append(PlannedStop(
            id=s.id, lat=_pt(s).lat, lon=_pt(s).lon, arrival_s=t.arrival[k], start_s=t.start[k],
            departure_s=t.departure[k], leg_m=metres[prev][node], leg_s=seconds[prev][node], priority=s.priority,
            must_visit=s.must_visit, locked=k < len(prefix), warning=warning, label=s.label))
        prev = node
    order_rank = {s.id: i for i, s in enumerate(req.stops)}
    skipped.sort(key=lambda k: order_rank.get(k.id, -1))
    return Plan(tuple(planned), tuple(skipped), start, end, req.day_start_s, t.end_arrival,
                metres[prev][END], seconds[prev][END], solver if full or not req.optimise_rest else "none",
                time.perf_counter() - began, params)


def _pure_tour(problem: Problem) -> bool:
    """Every stop a must-visit without a debtor window: only the order is left to choose."""
    return all(problem.must[n] and problem.stops[n - FIRST_STOP].window is None for n in problem.stop_nodes())


def _optimise(problem: Problem, req: PlanRequest, began: float) -> tuple[list[int], str, dict[str, object]]:
    """The best order found within the time limit, which method found it, and search facts.

    A day with choices or windows runs one guided local search from the polished insertion plan.
    A pure tour (all must-visits, no windows) splits the time between that and a second search
    started from Christofides' tour: measured, the two land in different local optima and the
    better of them is much steadier than either (see benchmarks/bench_routing.py).
    """
    facts: dict[str, object] = {}
    if problem.size == FIRST_STOP:
        return [], "none", facts
    deadline = began + req.time_limit_s
    # Two greedy orders (prize per second of the day, prize alone): neither wins every day. A pure
    # tour has nothing to choose: its stops go in as listed (measured: insertion in arbitrary order
    # gives better tours than leaving the isolated stops for last).
    rules = (True,) if _pure_tour(problem) else (False, True)
    start = min((insert_left_out(problem, polish(problem, cheapest_insertion(problem, by_prize=rule), req.seed,
                                                 deadline)) for rule in rules),
                key=lambda order: objective(problem, order))
    best, best_by = start, "insertion"
    solver_time = (deadline - time.perf_counter()) * SOLVER_SHARE
    if solver_time > 0.02:
        all_must = all(n in set(start) for n in problem.stop_nodes() if problem.must[n])
        limit = max(MIN_SOLUTIONS, int(SOLUTIONS_PER_SECOND * req.time_limit_s)) if req.repeatable else None
        runs = [SearchSettings(time_limit_s=solver_time, solution_limit=limit, hard_must=all_must)]
        if _pure_tour(problem) and all_must and len(start) >= 8:
            half = None if limit is None else max(MIN_SOLUTIONS // 2, limit // 2)
            runs = [replace(runs[0], time_limit_s=solver_time / 2, solution_limit=half),
                    replace(runs[0], time_limit_s=solver_time / 2, solution_limit=half,
                            first_solution="CHRISTOFIDES", gls_lambda=0.5)]
        solutions: list[int] = []
        stopped = []
        for k, settings in enumerate(runs):
            counter: list[int] = []
            found = solve(problem, settings, hint=start if settings.first_solution == "PATH_CHEAPEST_ARC" else None,
                          counter=counter)
            solutions.append(len(counter))
            stopped.append("solution_limit" if settings.solution_limit is not None
                           and len(counter) >= settings.solution_limit else "time_limit")
            if found is None or timing(problem, found) is None:
                continue
            found = insert_left_out(problem, polish(problem, found, req.seed, deadline + 0.05 * req.time_limit_s))
            if timing(problem, found) is None:
                continue
            score, incumbent = objective(problem, found), objective(problem, best)
            if score < incumbent or (score == incumbent and best_by == "insertion"):
                best, best_by = found, "or-tools" if k == 0 else "or-tools (christofides)"
        facts = {"solutions": sum(solutions), "solution_limit": limit,
                 "stopped_by": "solution_limit" if all(x == "solution_limit" for x in stopped) else "time_limit"}
    return best, best_by, facts
