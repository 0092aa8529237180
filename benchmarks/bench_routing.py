"""Day-plan figures: speed of a plan from 50 and 200 candidates, and tour quality.

Quality is measured on pure tours (every stop a must-visit, no windows, a whole day): the TSPLIB
instances berlin52 and kroA100 (proven optima) placed on Chengdu at 1 unit = 10 m, their tours
measured back in TSPLIB's own EUC_2D metric; and 200 random city stops against the same planner
given 30 s in the same run. The references beside each gap are OR-Tools with its default search
settings given the same time (what an untuned setup gets), and beside each time the constructive
plan alone. Files are read from `../shared/bench` next to the repository.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from app.routing.model import Plan, PlanRequest, Point, Stop
from app.routing.planner import default_time_limit, plan_day
from app.routing.travel import GreatCircleTravel, TravelModel
from benchmarks.common import Context, Figure

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATA = ROOT.parent / "shared" / "bench" / "tsplib"
LAT0, LON0, SCALE = 30.66, 104.06, 10.0  # metres per TSPLIB unit
H = 3600


class BenchDataMissing(RuntimeError):
    pass


def read_tsplib(name: str) -> tuple[list[tuple[float, float]], int]:
    path = BENCH_DATA / f"{name}.tsp"
    if not path.is_file():
        raise BenchDataMissing(f"TSPLIB instance {name} not found at {path}: the routing quality benchmark "
                               "needs the shared benchmark data (../shared/bench/tsplib next to the repository)")
    coords: list[tuple[float, float]] = []
    optimum = None
    in_coords = False
    for line in path.read_text("ascii").splitlines():
        line = line.strip()
        if line.startswith("OPTIMUM"):
            optimum = int(line.split(":")[1])
        elif line.startswith("EDGE_WEIGHT_TYPE") and "EUC_2D" not in line:
            raise BenchDataMissing(f"{name}: only EUC_2D instances are supported")
        elif line == "NODE_COORD_SECTION":
            in_coords = True
        elif line == "EOF":
            break
        elif in_coords and line:
            _, x, y = line.split()
            coords.append((float(x), float(y)))
    if optimum is None or not coords:
        raise BenchDataMissing(f"{name}: no OPTIMUM header or no coordinates")
    return coords, optimum


def _tour_request(points: list[tuple[float, float]], time_limit: float, seed: int = 0) -> PlanRequest:

    stops = [Stop(str(i), lat, lon, priority=1.0, duration_s=0, must_visit=True)
             for i, (lat, lon) in enumerate(points)]
    depot = stops[0]
    assert depot.lat is not None and depot.lon is not None
    return PlanRequest(stops=tuple(stops[1:]), start=Point(depot.lat, depot.lon), day_start_s=0, day_end_s=24 * H,
                       allowed=((0, 24 * H),), time_limit_s=time_limit, seed=seed)


def _place(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    k = SCALE / 111_320.0
    return [(LAT0 + y * k, LON0 + x * k / math.cos(math.radians(LAT0))) for x, y in coords]


def _tsplib_length(coords: list[tuple[float, float]], order: list[int]) -> int:
    tour = [0, *order]
    return sum(int(math.dist(coords[a], coords[b]) + 0.5) for a, b in zip(tour, tour[1:] + tour[:1], strict=True))


def _plan(req: PlanRequest, travel: TravelModel | None = None) -> tuple[Plan, float]:
    started = time.perf_counter()
    plan = plan_day(req, travel or GreatCircleTravel(detour=1.0))
    return plan, time.perf_counter() - started


def _default_ortools_order(req: PlanRequest, travel: TravelModel) -> list[int]:
    """OR-Tools routing with its default search parameters and the same time limit: the reference."""
    from ortools.constraint_solver import pywrapcp  # type: ignore[import-untyped]

    assert req.start is not None
    points = [req.start, *(s.point for s in req.stops if s.point is not None)]
    metres, _ = travel.matrices(points)
    manager = pywrapcp.RoutingIndexManager(len(points), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(metres))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.time_limit.FromMilliseconds(int(req.time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    order: list[int] = []
    index = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return order


def _city(n: int, seed: int, spread_km: float = 9.0) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    dlat = spread_km / 111.32
    dlon = dlat / math.cos(math.radians(LAT0))
    return [(LAT0 + rng.uniform(-dlat, dlat), LON0 + rng.uniform(-dlon, dlon)) for _ in range(n)]


def _candidates(n: int, seed: int) -> PlanRequest:
    """A realistic day: n candidate cases around the agent's base, a third with a debtor window,
    a few must-visit promise follow-ups, visits of 15–40 minutes, 09:00–18:00 under CN hours."""
    rng = random.Random(seed)
    stops = []
    for i, (lat, lon) in enumerate(_city(n, seed, spread_km=8.0)):
        window = None
        if rng.random() < 0.33:
            lo = rng.randrange(9 * H, 16 * H, 1800)
            window = (lo, lo + rng.choice([2, 3, 4]) * H)
        stops.append(Stop(f"c{i}", lat, lon, priority=round(rng.uniform(5, 90), 1),
                          duration_s=rng.choice([15, 20, 30, 40]) * 60, window=window, must_visit=rng.random() < 0.04))
    return PlanRequest(stops=tuple(stops), start=Point(LAT0, LON0), allowed=((8 * H, 22 * H),))


def run(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    overruns: list[float] = []
    exact = GreatCircleTravel(detour=1.0)
    long_limit = 10.0 if ctx.quick else 30.0

    # --- speed of a day plan, its value against a longer search, and repeatability -----------------
    ref_limit = 3.0 if ctx.quick else 5.0
    for n, target in ((50, 0.5), (200, 2.0)):
        times, plain, shortfalls, same, stops_by = [], [], [], [], []
        for seed in range(3 if ctx.quick else 5):
            req = replace(_candidates(n, 100 + seed), time_limit_s=default_time_limit(n), seed=seed)
            plan, seconds = _plan(req, GreatCircleTravel())
            times.append(seconds)
            overruns.append(seconds / req.time_limit_s)
            stops_by.append(str(plan.params.get("stopped_by")))
            _, quick_s = _plan(replace(req, time_limit_s=0.001), GreatCircleTravel())
            plain.append(quick_s)
            again, _ = _plan(req, GreatCircleTravel())
            same.append(again.order == plan.order)
            if seed < (1 if ctx.quick else 3):
                ref_plan, _ = _plan(replace(req, time_limit_s=ref_limit, repeatable=False), GreatCircleTravel())
                short = 100.0 * (ref_plan.collected_priority - plan.collected_priority) / ref_plan.collected_priority
                shortfalls.append(short)
                print(f"  routing: {n} candidates, seed {seed}: {len(plan.stops)} visits worth "
                      f"{plan.collected_priority:.0f}, {plan.total_distance_m / 1000:.1f} km in {seconds:.2f} s; "
                      f"{ref_limit:.0f} s search: {len(ref_plan.stops)} worth {ref_plan.collected_priority:.0f}, "
                      f"{ref_plan.total_distance_m / 1000:.1f} km")
        figures.append(Figure(f"day plan from {n} candidates (max of {len(times)})", max(times), "s", target=target,
                              reference=statistics.median(plain), reference_label="insertion plan alone"))
        figures.append(Figure(f"day plan from {n}: priority short of a {ref_limit:.0f} s search (mean)",
                              statistics.mean(shortfalls), "%", note=f"worst {max(shortfalls):.1f} %"))
        figures.append(Figure(f"day plan from {n}: same plan when run again", 100.0 * sum(same) / len(same), "%",
                              higher_is_better=True,
                              note=f"search stopped by: {', '.join(sorted(set(stops_by)))}"))

    # --- quality on TSPLIB ------------------------------------------------------------------------
    gaps: list[float] = []
    default_gaps: list[float] = []
    for name in ("berlin52", "kroA100"):
        coords, optimum = read_tsplib(name)
        req = _tour_request(_place(coords), 1.0)
        plan, seconds = _plan(req, exact)
        overruns.append(seconds / req.time_limit_s)
        if len(plan.stops) != len(coords) - 1:
            raise RuntimeError(f"{name}: the planner left out {len(coords) - 1 - len(plan.stops)} must-visits")
        gap = 100.0 * (_tsplib_length(coords, [int(i) for i in plan.order]) - optimum) / optimum
        default_gap = 100.0 * (_tsplib_length(coords, _default_ortools_order(req, exact)) - optimum) / optimum
        gaps.append(gap)
        default_gaps.append(default_gap)
        print(f"  routing: {name}: gap {gap:.2f} % in {seconds:.2f} s ({plan.solver}, {plan.params.get('stopped_by')});"
              f" OR-Tools defaults {default_gap:.2f} %")
        figures.append(Figure(f"{name} gap above optimum, 1 s", gap, "%", target=2.0, reference=default_gap,
                              reference_label="OR-Tools defaults, 1 s"))
    figures.append(Figure("TSPLIB mean gap, 1 s", statistics.mean(gaps), "%", target=1.0,
                          reference=statistics.mean(default_gaps), reference_label="OR-Tools defaults, 1 s"))
    figures.append(Figure("TSPLIB worst gap, 1 s", max(gaps), "%", target=2.0, reference=max(default_gaps),
                          reference_label="OR-Tools defaults, 1 s"))

    # --- 200 random city stops against a long run --------------------------------------------------
    city_gaps = []
    for seed in (1,) if ctx.quick else (1, 2, 3):
        req = _tour_request(_city(200, seed), 2.0, seed)
        plan, seconds = _plan(req, exact)
        overruns.append(seconds / req.time_limit_s)
        long_plan, long_s = _plan(replace(req, time_limit_s=long_limit, repeatable=False), exact)
        best = min(long_plan.total_distance_m, plan.total_distance_m)
        gap = 100.0 * (plan.total_distance_m - best) / best
        default_len = _route_m(req, _default_ortools_order(req, exact), exact)
        city_gaps.append(gap)
        print(f"  routing: 200 city stops (seed {seed}): {plan.total_distance_m} m in {seconds:.2f} s vs "
              f"{long_plan.total_distance_m} m in {long_s:.1f} s → gap {gap:.2f} %; "
              f"OR-Tools defaults, 2 s: {100.0 * (default_len - best) / best:.2f} %")
        figures.append(Figure(f"200 city stops (seed {seed}) gap vs {long_limit:.0f} s run, 2 s", gap, "%",
                              target=2.0, reference=100.0 * (default_len - best) / best,
                              reference_label="OR-Tools defaults, 2 s"))

    figures.append(Figure("wall time / time limit, worst run", max(overruns), "×", target=1.10))
    return figures


def _route_m(req: PlanRequest, order: list[int], travel: TravelModel) -> int:
    assert req.start is not None
    points = [req.start, *(s.point for s in req.stops if s.point is not None)]
    metres, _ = travel.matrices(points)
    tour = [0, *order, 0]
    return sum(metres[a][b] for a, b in zip(tour, tour[1:], strict=False))
