"""The day planner: windows, day length, must-visits, two-person rule, skipped reasons, bad input,
determinism, locked prefix, and an independent check of every plan's timing."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.routing.model import Plan, PlanRequest, Point, SkipReason, Stop
from app.routing.planner import PlanError, allowed_intervals, plan_day
from app.routing.travel import GreatCircleTravel, great_circle_m

H = 3600
CENTRE = Point(30.66, 104.06)  # Chengdu
CN = ((8 * H, 22 * H),)


def city_stops(n: int, seed: int, spread: float = 0.06, **kw: object) -> list[Stop]:
    rng = random.Random(seed)
    return [Stop(f"s{i:03d}", CENTRE.lat + rng.uniform(-spread, spread), CENTRE.lon + rng.uniform(-spread, spread),
                 priority=round(rng.uniform(1, 60), 1), duration_s=rng.choice([900, 1200, 1800]), **kw)  # type: ignore[arg-type]
            for i in range(n)]


def request(stops: list[Stop], **kw: object) -> PlanRequest:
    base: dict[str, object] = {"start": CENTRE, "allowed": CN, "time_limit_s": 0.2}
    base.update(kw)
    return PlanRequest(stops=tuple(stops), **base)  # type: ignore[arg-type]


def assert_valid(plan: Plan, req: PlanRequest) -> None:
    """Recompute the plan's times from scratch and check every rule it must keep."""
    travel = GreatCircleTravel()
    by_id = {s.id: s for s in reversed(req.stops)}  # the first of duplicate ids is the one planned
    t = req.day_start_s
    prev = plan.start
    assert prev is not None
    assert plan.depart_s == req.day_start_s
    for ps in plan.stops:
        s = by_id[ps.id]
        here = Point(ps.lat, ps.lon)
        metres, seconds = travel.matrices([prev, here])
        assert ps.leg_m == metres[0][1]
        t += seconds[0][1]
        assert ps.arrival_s == t
        assert ps.start_s >= ps.arrival_s
        if not ps.locked:
            assert ps.start_s >= req.day_start_s
            assert ps.departure_s == ps.start_s + s.duration_s
            assert any(lo <= ps.start_s and ps.departure_s <= hi for lo, hi in req.allowed), "outside permitted hours"
            if s.window:
                assert s.window[0] <= ps.start_s and ps.departure_s <= s.window[1], f"{ps.id} outside its window"
        t = ps.departure_s
        prev = here
    end = plan.end
    assert end is not None
    metres, seconds = travel.matrices([prev, end])
    assert plan.return_s == t + seconds[0][1]
    assert plan.return_s <= req.day_end_s, "the day is longer than allowed"
    ids = [s.id for s in plan.stops] + [k.id for k in plan.skipped]
    assert len(plan.stops) == len(set(plan.order))
    assert sorted(set(ids)) == sorted({s.id for s in req.stops})


def test_windows_and_permitted_hours_are_kept() -> None:
    stops = city_stops(25, 1)
    rng = random.Random(2)
    windowed = []
    for s in stops:
        if rng.random() < 0.5:
            lo = rng.randrange(9 * H, 16 * H, 1800)
            s = Stop(s.id, s.lat, s.lon, s.priority, s.duration_s, (lo, lo + 2 * H))
        windowed.append(s)
    # A late debtor window: the permitted hours (CN: until 22:00) cut it, the visit must end by 22:00.
    late = Stop("late", CENTRE.lat + 0.01, CENTRE.lon, priority=500, duration_s=1800, window=(21 * H, 23 * H))
    req = request([*windowed, late], day_start_s=9 * H, day_end_s=23 * H + 1800)
    plan = plan_day(req)
    assert_valid(plan, req)
    assert len(plan.stops) >= 10
    assert any(s.window for s in windowed if s.id in plan.order)
    [p] = [s for s in plan.stops if s.id == "late"]
    assert 21 * H <= p.start_s and p.departure_s <= 22 * H


def test_day_length_is_kept_and_the_rest_is_skipped_with_reason() -> None:
    stops = city_stops(40, 3)
    req = request(stops, day_start_s=9 * H, day_end_s=12 * H)
    plan = plan_day(req)
    assert_valid(plan, req)
    assert 2 <= len(plan.stops) < 40
    assert plan.return_s <= 12 * H
    assert {k.reason for k in plan.skipped} == {SkipReason.NOT_CHOSEN}
    # The prize matters: the chosen stops are worth more on average than those left out.
    chosen = [s.priority for s in plan.stops]
    left = [s.priority for s in stops if s.id not in plan.order]
    assert sum(chosen) / len(chosen) > sum(left) / len(left)


def test_must_visit_is_planned_even_when_worth_little() -> None:
    stops = city_stops(30, 4)
    far_cheap = Stop("promise", CENTRE.lat + 0.09, CENTRE.lon + 0.09, priority=0.0, duration_s=1200, must_visit=True)
    req = request([*stops, far_cheap], day_start_s=9 * H, day_end_s=13 * H)
    plan = plan_day(req)
    assert_valid(plan, req)
    assert "promise" in plan.order
    assert any(k.reason == SkipReason.NOT_CHOSEN for k in plan.skipped)  # others gave way to it


def test_must_visits_that_cannot_all_fit_are_reported() -> None:
    stops = [Stop(f"m{i}", CENTRE.lat + 0.01 * i, CENTRE.lon, duration_s=3600, must_visit=True) for i in range(5)]
    req = request(stops, day_start_s=9 * H, day_end_s=12 * H)
    plan = plan_day(req)
    assert_valid(plan, req)
    assert 1 <= len(plan.stops) <= 3
    assert {k.reason for k in plan.skipped} == {SkipReason.MUST_VISIT_DID_NOT_FIT}


def test_two_person_rule() -> None:
    stops = city_stops(6, 5)
    risky = Stop("dog", CENTRE.lat + 0.005, CENTRE.lon, priority=99, needs_two_people=True,
                 two_person_why="a safety note asks for two collectors")
    alone = plan_day(request([*stops, risky]))
    assert "dog" not in alone.order
    [k] = [k for k in alone.skipped if k.id == "dog"]
    assert k.reason == SkipReason.NEEDS_PARTNER and "safety note" in k.text
    together = plan_day(request([*stops, risky], partner="李娜"))
    assert "dog" in together.order
    assert_valid(together, request([*stops, risky], partner="李娜"))


def test_bad_stops_are_skipped_with_their_reasons() -> None:
    good = city_stops(5, 6)
    bad = [
        Stop("nocoord", None, None),
        Stop("lat91", 91.0, 104.0),
        Stop("nan", math.nan, 104.0),
        Stop("nullisland", 0.0, 0.0),
        Stop("sea", 0.5, 0.5),  # in the sea off Africa, far from Chengdu
        Stop("backwards", CENTRE.lat, CENTRE.lon, window=(15 * H, 14 * H)),
        Stop("s000", CENTRE.lat, CENTRE.lon),  # duplicate of a good one
        Stop("", CENTRE.lat, CENTRE.lon),
        Stop("night", CENTRE.lat, CENTRE.lon, window=(23 * H, 24 * H)),
        Stop("neg", CENTRE.lat, CENTRE.lon, duration_s=-60),
        Stop("prio", CENTRE.lat, CENTRE.lon, priority=math.inf),
        Stop("🐍<script>alert(1)</script>" + "长" * 300, CENTRE.lat + 0.001, CENTRE.lon),
    ]
    req = request([*good, *bad])
    plan = plan_day(req)
    reasons = {k.id: k.reason for k in plan.skipped}
    assert reasons["nocoord"] == SkipReason.NO_COORDINATES
    assert reasons["lat91"] == SkipReason.IMPOSSIBLE_COORDINATES
    assert reasons["nan"] == SkipReason.IMPOSSIBLE_COORDINATES
    assert reasons["nullisland"] == SkipReason.NO_COORDINATES
    assert reasons["sea"] == SkipReason.TOO_FAR
    assert reasons["backwards"] == SkipReason.BAD_WINDOW
    assert reasons["s000"] == SkipReason.DUPLICATE_ID
    assert reasons[""] == SkipReason.EMPTY_ID
    assert reasons["night"] == SkipReason.WINDOW_OUTSIDE_DAY
    assert reasons["neg"] == SkipReason.BAD_DURATION
    assert reasons["prio"] == SkipReason.BAD_PRIORITY
    assert all(k.text for k in plan.skipped)
    assert "s000" in plan.order and any(s.id.startswith("🐍") for s in plan.stops)
    assert_valid(plan, req)


def test_a_day_too_short_for_any_visit() -> None:
    stops = city_stops(8, 7)
    plan = plan_day(request(stops, day_start_s=9 * H, day_end_s=9 * H + 600))
    assert plan.stops == ()
    assert {k.reason for k in plan.skipped} == {SkipReason.DAY_TOO_SHORT}
    assert plan.total_distance_m == 0 and plan.total_time_s == 0


def test_requests_that_are_not_a_day_raise_a_clear_error() -> None:
    with pytest.raises(PlanError, match="ends before it starts"):
        plan_day(request(city_stops(3, 8), day_start_s=17 * H, day_end_s=9 * H))
    with pytest.raises(PlanError, match="not a place on Earth"):
        plan_day(request(city_stops(3, 8), start=Point(91, 0)))
    with pytest.raises(PlanError, match="time limit"):
        plan_day(request(city_stops(3, 8), time_limit_s=0))
    with pytest.raises(PlanError, match="at most 1,000 stops"):
        plan_day(request([Stop(f"x{i}", CENTRE.lat, CENTRE.lon) for i in range(1001)]))


def test_empty_list_gives_an_empty_plan() -> None:
    plan = plan_day(request([]))
    assert plan.stops == () and plan.skipped == () and plan.solver == "none"
    assert plan_day(PlanRequest(stops=())).to_dict()["stops"] == []


def test_start_defaults_to_the_most_central_stop_and_end_to_the_start() -> None:
    stops = city_stops(9, 9)
    plan = plan_day(PlanRequest(stops=tuple(stops), time_limit_s=0.2))
    assert plan.start in {Point(s.lat, s.lon) for s in stops if s.lat is not None and s.lon is not None}
    assert plan.end == plan.start
    away = Point(CENTRE.lat + 0.05, CENTRE.lon - 0.05)
    plan = plan_day(request(stops, end=away))
    assert plan.end == away


def test_same_seed_and_time_limit_give_the_same_plan() -> None:
    # Small enough that the search reaches its solution count well before the (backstop) time limit.
    stops = city_stops(12, 10)
    req = request(stops, day_end_s=12 * H, time_limit_s=3.0, seed=3)
    first, second = plan_day(req), plan_day(req)
    assert first.params["stopped_by"] == "solution_limit"  # the repeatable stopping rule applied
    assert first.order == second.order
    assert first.to_dict()["stops"] == second.to_dict()["stops"]


def test_locked_prefix_stays_first_and_in_order() -> None:
    stops = city_stops(20, 11)
    req = request(stops, day_end_s=15 * H)
    plan = plan_day(req)
    prefix = (plan.order[-1], plan.order[0])
    again = plan_day(request(stops, day_end_s=15 * H, fixed_prefix=prefix))
    assert again.order[:2] == prefix
    assert [s.locked for s in again.stops[:3]] == [True, True, False]
    assert_valid(again, req)


def test_a_locked_stop_outside_its_window_is_kept_with_a_warning() -> None:
    stops = [Stop("early", CENTRE.lat + 0.01, CENTRE.lon, window=(16 * H, 17 * H)),
             Stop("b", CENTRE.lat - 0.01, CENTRE.lon)]
    plan = plan_day(request(stops, fixed_prefix=("early",), day_end_s=18 * H))
    # The user put it first: it stays first (waiting for 16:00 is allowed, so no warning)...
    assert plan.order[0] == "early" and plan.stops[0].start_s == 16 * H and not plan.stops[0].warning
    late = [Stop("gone", CENTRE.lat + 0.01, CENTRE.lon, window=(8 * H, 8 * H + 1800))]
    plan = plan_day(request(late, fixed_prefix=("gone",)))
    assert plan.order == ("gone",) and plan.stops[0].warning
    assert plan.over_time_s == 0
    long_day = [Stop(f"l{i}", CENTRE.lat + 0.01 * i, CENTRE.lon, duration_s=3 * H) for i in range(4)]
    plan = plan_day(request(long_day, fixed_prefix=tuple(s.id for s in long_day), day_end_s=18 * H))
    assert plan.order == tuple(s.id for s in long_day)  # kept as the user locked it...
    assert plan.over_time_s > 0 and plan.to_dict()["over_time_min"] > 0  # ...and the overrun is reported
    assert plan.stops[-1].warning


def test_tiny_time_limit_still_gives_a_feasible_plan() -> None:
    stops = city_stops(60, 12)
    req = request(stops, time_limit_s=0.001, day_end_s=13 * H)
    plan = plan_day(req)
    assert plan.solver == "insertion"
    assert plan.stops
    assert_valid(plan, req)


def test_plan_round_trips_through_json() -> None:
    stops = city_stops(10, 13)
    plan = plan_day(request([*stops, Stop("x", None, None)]))
    again = Plan.from_dict(plan.to_dict())
    assert again.order == plan.order and again.skipped == plan.skipped
    assert again.total_distance_m == plan.total_distance_m and again.return_s == plan.return_s
    with pytest.raises(ValueError, match="not a saved day plan"):
        Plan.from_dict({"stops": [{"id": 1}]})


def test_totals_add_up() -> None:
    plan = plan_day(request(city_stops(12, 14)))
    d = plan.to_dict()
    assert d["total_distance_m"] == sum(s["leg_m"] for s in d["stops"]) + d["end_leg_m"]
    assert d["total_time_s"] == plan.return_s - plan.depart_s
    assert d["stops"][0]["eta"] == "09:00" or d["stops"][0]["arrival_s"] > 9 * H


def test_compliance_window_that_wraps_midnight() -> None:
    assert allowed_intervals(parse_time("08:00"), parse_time("22:00")) == ((8 * H, 22 * H),)
    assert allowed_intervals(parse_time("22:00"), parse_time("06:00")) == ((0, 6 * H), (22 * H, 24 * H))
    stops = [Stop("a", CENTRE.lat + 0.01, CENTRE.lon), Stop("b", CENTRE.lat - 0.01, CENTRE.lon)]
    req = request(stops, allowed=((0, 6 * H), (22 * H, 24 * H)), day_start_s=5 * H, day_end_s=23 * H + 1800)
    plan = plan_day(req)
    assert_valid(plan, req)
    assert set(plan.order) == {"a", "b"}


def parse_time(text: str):  # type: ignore[no-untyped-def]
    from datetime import time

    return time.fromisoformat(text)


def test_great_circle_distance() -> None:
    # One degree of latitude on the mean-radius sphere is 111.195 km; along a parallel it shrinks by cos(lat).
    assert great_circle_m(Point(30.0, 104.0), Point(31.0, 104.0)) == pytest.approx(111_195, abs=2)
    assert great_circle_m(Point(60.0, 10.0), Point(60.0, 10.01)) == pytest.approx(555.97, abs=0.5)
    assert great_circle_m(CENTRE, CENTRE) == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05), st.floats(0, 80),
                          st.sampled_from([0, 600, 1800, 3600]), st.integers(8, 20), st.integers(0, 6),
                          st.booleans()), min_size=0, max_size=25),
       st.integers(8, 12), st.integers(13, 23))
def test_any_plan_keeps_every_rule(rows: list[tuple[float, float, float, int, int, int, bool]],
                                   day_start: int, day_end: int) -> None:
    stops = [Stop(f"p{i}", CENTRE.lat + dy, CENTRE.lon + dx, pr, dur,
                  None if span == 0 else (lo * H, min(24, lo + span) * H), must)
             for i, (dy, dx, pr, dur, lo, span, must) in enumerate(rows)]
    req = request(stops, day_start_s=day_start * H, day_end_s=day_end * H, time_limit_s=0.05)
    plan = plan_day(req)
    assert_valid(plan, req)
    planned = set(plan.order)
    for k in plan.skipped:
        assert k.id not in planned


class TenMinutesEverywhere:
    """A stand-in road network: every trip is 2 km and 10 minutes, whatever the map says."""

    def matrices(self, points: list[Point]) -> tuple[list[list[int]], list[list[int]]]:
        n = len(points)
        return ([[0 if i == j else 2000 for j in range(n)] for i in range(n)],
                [[0 if i == j else 600 for j in range(n)] for i in range(n)])


def test_the_travel_model_is_pluggable() -> None:
    stops = [Stop(f"t{i}", CENTRE.lat + 0.01 * i, CENTRE.lon, duration_s=1200) for i in range(4)]
    plan = plan_day(request(stops), TenMinutesEverywhere())
    assert len(plan.stops) == 4
    assert [s.leg_s for s in plan.stops] == [600] * 4 and plan.end_leg_s == 600
    assert [s.arrival_s for s in plan.stops] == [9 * H + 600 + k * 1800 for k in range(4)]
    assert plan.total_distance_m == 10_000


def test_an_order_set_by_hand_is_timed_as_given() -> None:
    stops = city_stops(10, 15)
    mine = ("s007", "s002", "s009")
    plan = plan_day(request(stops, fixed_prefix=mine, optimise_rest=False))
    assert plan.order == mine and all(s.locked for s in plan.stops)
    assert plan.solver == "by hand"
    assert {k.id for k in plan.skipped} == {s.id for s in stops} - set(mine)
    assert all("by hand" in k.text for k in plan.skipped)
    assert_valid(plan, request(stops))
