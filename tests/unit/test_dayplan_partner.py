"""The day-plan service's standing partner (as the demo city's sync state holds it) and a later end of day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.domain.compliance import builtin_profile
from app.routing.model import SkipReason
from app.services.dayplan import DayOptions, plan_agent_day, replan, save_day_plan, standing_partner
from app.store.syncstate import PARTNERS, set_state
from tests.conftest import DEMO_TODAY

NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 08:30 in Chengdu
CN = builtin_profile("CN")


def test_the_demo_agents_work_in_pairs(demo_store: Any) -> None:
    names = {agent: standing_partner(demo_store, agent) for agent in range(1, 8)}
    assert {a: (p.username, p.name) for a, p in names.items() if p} == {
        1: ("agent02", "李娜"), 2: ("agent01", "张建军"), 3: ("agent04", "刘芳"), 4: ("agent03", "王强"),
        5: ("agent06", "杨洋"), 6: ("agent05", "陈磊")}
    assert names[7] is None  # the supervisor
    with demo_store.write() as session:
        set_state(session, PARTNERS, "not json")
    assert standing_partner(demo_store, 1) is None  # unreadable state: no partner, not a crash


def test_with_the_standing_partner_the_demo_agent_plans_visits(demo_store: Any) -> None:
    partner = standing_partner(demo_store, 1)
    assert partner is not None
    alone = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(time_limit_s=0.3), now=NOW)
    assert alone.plan.stops == () and {k.reason for k in alone.plan.skipped} >= {SkipReason.NEEDS_PARTNER}
    paired = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(partner=partner.name, time_limit_s=0.3),
                            now=NOW)
    assert len(paired.plan.stops) >= 5


def test_a_later_end_of_day_never_plans_less(demo_store: Any) -> None:
    first = plan_agent_day(demo_store, 1, DEMO_TODAY, CN, DayOptions(partner="李娜"), now=NOW)
    save_day_plan(demo_store, first, "agent01", NOW)
    worth = sum(s.priority for s in first.plan.stops)
    for end in (19, 20, 22):
        later = replan(demo_store, 1, DEMO_TODAY, CN, day_end_s=end * 3600, now=NOW)
        assert later.options.day_end_s == end * 3600 and later.plan.return_s <= end * 3600
        assert sum(s.priority for s in later.plan.stops) >= worth
        assert not any(s.locked for s in later.plan.stops)  # nothing was locked by the agent
    assert replan(demo_store, 1, DEMO_TODAY, CN, day_end_s=3600, now=NOW).options.day_end_s == 10 * 3600
