"""The day-plan service over the demo city: candidates, safety rules, save/load, re-plan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.compliance import builtin_profile
from app.domain.enums import SafetyCategory, Severity
from app.routing.model import SkipReason
from app.services.dayplan import (
    DayOptions,
    DayPlanError,
    load_day_plan,
    plan_agent_day,
    replan,
    save_day_plan,
)
from app.services.safety import SafetyNoteInput, add_safety_note
from tests.conftest import DEMO_TODAY

NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 08:30 in Chengdu
CN = builtin_profile("CN")
US = builtin_profile("US-RegF")
FAST = DayOptions(partner="李娜", time_limit_s=0.3)


def rows(store: Any, sql: str, **params: object) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def field_cases(store: Any, agent_id: int) -> list[int]:
    return [r[0] for r in rows(store, "SELECT id FROM cases WHERE agent_id = :a AND stage = 'field_visit' "
                                      "AND status IN ('open', 'promised') ORDER BY priority DESC, id", a=agent_id)]


def test_plan_save_and_load_for_the_demo_city(demo_store: Any) -> None:
    day_plan = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, FAST, now=NOW)
    plan = day_plan.plan
    candidates = field_cases(demo_store, 1)[:50]
    planned = [int(i) for i in plan.order]
    assert len(planned) >= 5
    assert set(planned) <= set(candidates)
    assert {int(k.id) for k in plan.skipped} | set(planned) == set(candidates)
    assert plan.return_s <= FAST.day_end_s
    assert all(s.label and s.start_s >= 9 * 3600 for s in plan.stops)
    base = rows(demo_store, "SELECT base_lat, base_lon FROM agents WHERE id = 1")[0]
    assert plan.start is not None and (plan.start.lat, plan.start.lon) == (base[0], base[1])

    save_day_plan(demo_store, day_plan, actor="agent01", now=NOW)
    again = load_day_plan(demo_store, 1, DEMO_TODAY)
    assert again is not None
    assert again.plan.order == plan.order and again.plan.skipped == plan.skipped
    assert again.options == FAST and again.updated_at == NOW
    [(data,)] = rows(demo_store, "SELECT data FROM day_plans WHERE agent_id = 1 AND day = :d", d=DEMO_TODAY.isoformat())
    saved = json.loads(data)
    assert [s["case_id"] for s in saved["stops"]] == planned  # what the Today page and the daily sheet read
    assert rows(demo_store, "SELECT count(*) FROM audit_log WHERE action = 'day_plan.saved'")[0][0] == 1

    # Saving again replaces the day's plan; it does not add a second one.
    save_day_plan(demo_store, day_plan, actor="agent01", now=NOW)
    assert rows(demo_store, "SELECT count(*) FROM day_plans WHERE agent_id = 1")[0][0] == 1
    assert load_day_plan(demo_store, 2, DEMO_TODAY) is None


def test_the_saved_plan_is_read_by_the_daily_sheet_and_today_page(demo_store: Any) -> None:
    from app.services.reporting import read_day_plan
    from app.services.workspace import planned_case_ids

    day_plan = plan_agent_day(demo_store, 2, DEMO_TODAY, CN, FAST, now=NOW)
    data = day_plan.to_json()
    assert planned_case_ids(data) == list(day_plan.case_ids)
    sheet = read_day_plan(data)
    assert sheet.case_ids == list(day_plan.case_ids)
    assert sheet.planned[day_plan.case_ids[0]] == day_plan.plan.stops[0].start_s


def test_promise_due_today_is_a_must_visit(demo_store: Any) -> None:
    low = field_cases(demo_store, 3)[40]  # among the candidates, but worth little
    with demo_store.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET promise_due = :d, priority = 0.5 WHERE id = :i"),
                     {"d": DEMO_TODAY.isoformat(), "i": low})
    day_plan = plan_agent_day(demo_store, 3, DEMO_TODAY, CN, FAST, now=NOW)
    [stop] = [s for s in day_plan.plan.stops if s.id == str(low)]
    assert stop.must_visit


def test_two_collectors_by_profile_or_safety_note(demo_store: Any) -> None:
    alone = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(time_limit_s=0.2), now=NOW)
    assert alone.plan.stops == ()  # CN: at least two collectors at every home visit
    assert {k.reason for k in alone.plan.skipped} == {SkipReason.NEEDS_PARTNER}
    assert "profile CN" in alone.plan.skipped[0].text

    us = plan_agent_day(demo_store, 1, DEMO_TODAY, US, DayOptions(time_limit_s=0.3), now=NOW)
    assert us.plan.stops  # one collector is enough under US-RegF...
    target = int(us.plan.order[0])
    add_safety_note(demo_store, SafetyNoteInput(target, SafetyCategory.DOG, Severity.MEDIUM, "大狗 big dog",
                                                two_person_required=True), actor="agent01", now=NOW)
    us = plan_agent_day(demo_store, 1, DEMO_TODAY, US, DayOptions(time_limit_s=0.3), now=NOW)
    [k] = [k for k in us.plan.skipped if k.id == str(target)]  # ...unless a safety note says two
    assert k.reason == SkipReason.NEEDS_PARTNER and "safety note" in k.text
    with_partner = plan_agent_day(demo_store, 1, DEMO_TODAY, US, DayOptions(partner="李娜", time_limit_s=0.3),
                                  now=NOW)
    assert all(k.id != str(target) or k.reason != SkipReason.NEEDS_PARTNER for k in with_partner.plan.skipped)


def test_do_not_visit_keeps_the_case_out(demo_store: Any) -> None:
    first = plan_agent_day(demo_store, 4, DEMO_TODAY, CN, FAST, now=NOW)
    target = int(first.plan.order[0])
    add_safety_note(demo_store, SafetyNoteInput(target, SafetyCategory.AGGRESSIVE, Severity.HIGH, "threatened staff",
                                                do_not_visit=True), actor="agent04", now=NOW)
    again = plan_agent_day(demo_store, 4, DEMO_TODAY, CN, FAST, now=NOW)
    assert str(target) not in again.plan.order
    assert [k.reason for k in again.plan.skipped if k.id == str(target)] == [SkipReason.DO_NOT_VISIT]


def test_replan_with_locks_added_and_removed_cases(demo_store: Any) -> None:
    first = plan_agent_day(demo_store, 5, DEMO_TODAY, CN, FAST, now=NOW)
    save_day_plan(demo_store, first, actor="agent05", now=NOW)
    order = [int(i) for i in first.plan.order]
    extra = rows(demo_store, "SELECT id FROM cases WHERE agent_id = 6 AND stage = 'field_visit' "
                             "AND status = 'open' ORDER BY priority DESC LIMIT 1")[0][0]
    locked = [order[-1], order[1]]
    again = replan(demo_store, 5, DEMO_TODAY, CN, fixed_prefix=locked, add=[extra], remove=[order[0]], now=NOW)
    new = [int(i) for i in again.plan.order]
    assert new[:2] == locked and again.plan.stops[0].locked and not again.plan.stops[2].locked
    assert order[0] not in new and order[0] not in {int(k.id) for k in again.plan.skipped}
    assert extra in new or extra in {int(k.id) for k in again.plan.skipped}
    assert again.options.remove == (order[0],) and again.options.add == (extra,)
    assert again.options.partner == "李娜"  # kept from the saved plan
    # A case added back is no longer removed.
    back = replan(demo_store, 5, DEMO_TODAY, CN, add=[order[0]], now=NOW)
    assert order[0] not in back.options.remove


def test_unknown_case_added_and_closed_case_added_are_reported(demo_store: Any) -> None:
    closed = rows(demo_store, "SELECT id FROM cases WHERE status = 'closed' LIMIT 1")
    adds = (999_999, *(r[0] for r in closed))
    plan = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(partner="x", time_limit_s=0.2, add=adds),
                          now=NOW).plan
    reasons = {k.id: k.reason for k in plan.skipped}
    assert reasons["999999"] == SkipReason.NOT_AVAILABLE
    for r in closed:
        assert reasons[str(r[0])] == SkipReason.NOT_AVAILABLE


def test_errors_are_clear(demo_store: Any) -> None:
    with pytest.raises(DayPlanError, match="no agent 42"):
        plan_agent_day(demo_store, 42, DEMO_TODAY, CN, FAST, now=NOW)
    supervisor = rows(demo_store, "SELECT id FROM agents WHERE role = 'supervisor'")[0][0]
    with pytest.raises(DayPlanError, match="start point"):
        plan_agent_day(demo_store, supervisor, DEMO_TODAY, CN, FAST, now=NOW)
    with pytest.raises(DayPlanError, match="ends before it starts"):
        plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(day_start_s=18 * 3600, day_end_s=9 * 3600), now=NOW)
    with demo_store.engine.begin() as conn:
        conn.execute(text("INSERT INTO day_plans(agent_id, day, data, updated_at) VALUES (1, :d, :j, :u)"),
                     {"d": DEMO_TODAY.isoformat(), "j": "{not json", "u": "2026-11-30T00:00:00.000000Z"})
    with pytest.raises(DayPlanError, match="cannot be read"):
        load_day_plan(demo_store, 1, DEMO_TODAY)


def test_drag_to_reorder_keeps_the_order_and_survives_a_reload(demo_store: Any) -> None:
    first = plan_agent_day(demo_store, 6, DEMO_TODAY, CN, FAST, now=NOW)
    save_day_plan(demo_store, first, actor="agent06", now=NOW)
    dragged = [int(i) for i in reversed(first.plan.order)]
    mine = replan(demo_store, 6, DEMO_TODAY, CN, fixed_prefix=dragged, optimise_rest=False, now=NOW)
    assert [int(i) for i in mine.plan.order] == dragged
    assert all(s.locked for s in mine.plan.stops) and mine.plan.solver == "by hand"
    assert mine.plan.stops[0].arrival_s == FAST.day_start_s + mine.plan.stops[0].leg_s
    save_day_plan(demo_store, mine, actor="agent06", now=NOW)
    loaded = load_day_plan(demo_store, 6, DEMO_TODAY)
    assert loaded is not None and [int(i) for i in loaded.plan.order] == dragged
    assert loaded.options.optimise_rest is False
    # Re-optimising after the first two stops (say, already visited) lets the optimiser back in.
    rest = replan(demo_store, 6, DEMO_TODAY, CN, fixed_prefix=dragged[:2], optimise_rest=True, now=NOW)
    assert [int(i) for i in rest.plan.order[:2]] == dragged[:2] and len(rest.plan.order) >= len(dragged)


def test_an_empty_hand_order_still_plans_the_day(demo_store: Any) -> None:
    plan = plan_agent_day(demo_store, 2, DEMO_TODAY, CN, DayOptions(partner="李娜", time_limit_s=0.3,
                                                                      optimise_rest=False), now=NOW).plan
    assert plan.stops and plan.solver != "by hand"


def test_an_agent_without_a_base_starts_from_the_middle_of_the_days_doors(demo_store: Any) -> None:
    """Head office sends no base location with a synced agent: the day still plans, from the median door."""
    with demo_store.engine.begin() as conn:
        conn.execute(text("UPDATE agents SET base_lat = NULL, base_lon = NULL WHERE id = 1"))
    plan = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, FAST, now=NOW).plan
    assert plan.start is not None and len(plan.order) >= 5
    assert 30.45 <= plan.start.lat <= 30.92 and 103.78 <= plan.start.lon <= 104.34  # inside the demo city
