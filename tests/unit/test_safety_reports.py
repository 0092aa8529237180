"""The kept safety reports on a real store file: read back by day range, a copy that no longer reads is
left out (and logged, the others still come), and only a supervisor's or admin's round fetches them."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest

from app.contract.safety import SafetyReportAlarm, SafetyReportResponse
from app.services.safety_reports import refresh_safety_reports_quietly, safety_days, synced_role
from app.store import models as m
from app.store.engine import Store
from app.store.syncstate import USER, set_state
from app.sync.client import HeadOfficeClient
from app.sync.retry import RetryPolicy
from app.sync.safety_client import SafetyApi

AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script> =HYPERLINK("x") 门口有狗 🐕 ' + "长" * 2000


def report(day: date, alarms: int = 0) -> SafetyReportResponse:
    return SafetyReportResponse(
        team="成都外访一组", day=day, sessions=3, checked_out=2, overdue_sessions=1,
        alarms=[SafetyReportAlarm(id=i + 1, kind="overdue", level="amber", agent_name="王伟 Wang", case_number="C-1",
                                  raised_at=AT, note=HOSTILE) for i in range(alarms)],
        median_minutes_to_acknowledge=4.5 if alarms else None)


def keep(store: Store, day: date, body: str) -> None:
    with store.write() as s:
        s.add(m.SafetyReportDay(day=day, team="成都外访一组", body=body, fetched_at=AT))


def test_kept_days_come_back_by_range_and_an_unreadable_copy_is_left_out(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    first, second, third = date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)
    keep(store, first, report(first, alarms=2).model_dump_json())
    keep(store, second, '{"team": "x", "day": "2026-11-29"')  # cut short
    keep(store, third, report(third).model_dump_json())
    caplog.set_level(logging.WARNING, logger="app.services.safety_reports")
    days = safety_days(store, first, third)
    assert sorted(days) == [first, third]
    assert days[first] == report(first, alarms=2) and days[first].alarms[1].note == HOSTILE
    assert any("2026-11-29" in r.getMessage() for r in caplog.records)
    assert list(safety_days(store, third, date(2026, 12, 31))) == [third]
    assert safety_days(store, third, first) == {}
    assert safety_days(store, date(2026, 12, 1), date(2026, 12, 2)) == {}


@pytest.mark.parametrize(("user", "role"), [
    (None, None),
    ("not json {", None),
    (json.dumps({"username": "agent01", "role": "agent"}), "agent"),
])
def test_only_a_supervisor_or_admin_round_fetches_the_report(store: Store, user: str | None, role: str | None,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    if user is not None:
        with store.write() as s:
            set_state(s, USER, user)
    assert synced_role(store) == role
    # Nothing listens on port 9: had this round asked head office, it would have failed and said so.
    api = SafetyApi(HeadOfficeClient("http://127.0.0.1:9", "device-1", retry=RetryPolicy(budget=0.2)))
    caplog.set_level(logging.WARNING, logger="app.services.safety_reports")
    assert refresh_safety_reports_quietly(store, api) == []
    assert not caplog.records


def test_a_supervisor_whose_head_office_cannot_be_reached_gets_a_warning_not_an_error(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    with store.write() as s:
        set_state(s, USER, json.dumps({"username": "super01", "role": "supervisor"}))
    keep(store, date(2026, 11, 30), report(date(2026, 11, 30)).model_dump_json())
    api = SafetyApi(HeadOfficeClient("http://127.0.0.1:9", "device-1", retry=RetryPolicy(budget=0.2)))
    caplog.set_level(logging.WARNING, logger="app.services.safety_reports")
    assert refresh_safety_reports_quietly(store, api) == []
    assert any("safety report was not fetched" in r.getMessage() for r in caplog.records)
    assert safety_days(store, date(2026, 11, 30), date(2026, 11, 30)) == {date(2026, 11, 30): report(date(2026, 11, 30))}
