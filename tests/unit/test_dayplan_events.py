"""Saving a day plan queues one `visit_planned` event per stop for head office (planned vs done visits)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from app.contract.v1 import VisitPlannedPayload
from app.domain.compliance import builtin_profile
from app.services.dayplan import DayOptions, plan_agent_day, save_day_plan
from tests.conftest import DEMO_TODAY

NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)


def _queued(store: Any) -> list[tuple[int, int, dict[str, Any]]]:
    with store.engine.connect() as conn:
        return [(r[0], r[1], json.loads(r[2])) for r in conn.execute(text(
            "SELECT e.case_id, e.case_version, e.payload FROM events e JOIN outbox o ON o.event_id = e.id "
            "WHERE e.kind = 'visit_planned' ORDER BY o.device_seq"))]


def test_each_save_queues_the_stops_in_order_under_one_plan_id(demo_store: Any) -> None:
    day = plan_agent_day(demo_store, 1, DEMO_TODAY, builtin_profile("CN"),
                         DayOptions(partner="李娜", time_limit_s=0.3), now=NOW)
    assert len(day.case_ids) >= 3
    save_day_plan(demo_store, day, actor="agent01", now=NOW)
    first = _queued(demo_store)
    assert [c for c, _v, _p in first] == list(day.case_ids)
    payloads = [VisitPlannedPayload.model_validate(p) for _c, _v, p in first]  # what head office checks
    assert [p.position for p in payloads] == list(range(1, len(day.case_ids) + 1))
    assert {p.day for p in payloads} == {DEMO_TODAY} and len({p.plan_id for p in payloads}) == 1
    with demo_store.engine.connect() as conn:
        versions = dict(conn.execute(text("SELECT id, version FROM cases")).all())
    assert all(v == versions[c] for c, v, _p in first)
    # Only the day and the position travel: no coordinates, times or names of the route.
    assert all(set(p) == {"day", "position", "plan_id"} for _c, _v, p in first)

    save_day_plan(demo_store, day, actor="agent01", now=NOW)  # saved again: a new plan id replaces the first
    second = _queued(demo_store)[len(first):]
    assert len(second) == len(first)
    assert {p["plan_id"] for _c, _v, p in second}.isdisjoint({p["plan_id"] for _c, _v, p in first})
