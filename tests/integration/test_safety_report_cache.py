"""A supervisor's sync round keeps head office's safety report of today and yesterday on the laptop
(for the team report's safety section), against a REAL head office on loopback whose safety clock the
test sets (fault hook): the days are head office's, in the team's zone; a later round replaces a day's
copy; a report head office cannot give leaves the round successful and the kept copies as they were;
an agent's round never asks for it."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.demo import city
from app.services.safety_reports import safety_days
from app.services.syncing import sync_once
from app.services.visits import VisitDesk
from app.store import models as m
from app.store.engine import Store
from app.store.migrate import open_store
from app.sync.safety_client import SafetyApi

from .sync_fixtures import (  # noqa: F401 (fixtures)
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_server import HeadOffice

SAFETY_PIN = "2580"
DURESS_PIN = "7391"
FROZEN = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 10:30 in the team's zone (Asia/Shanghai)
TODAY, YESTERDAY = date(2026, 12, 7), date(2026, 12, 6)


class RequestLog:
    """The client's requests to head office, in the order they were sent (an httpx event hook)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, request: httpx.Request) -> None:
        self.lines.append(f"{request.method} {request.url.path.removeprefix('/api/v1')}")


def freeze_safety_clock(headoffice: HeadOffice, at: datetime) -> None:
    with httpx.Client(timeout=10) as c:
        c.post(headoffice.process.api + "/_faults/clock", json={"now": at.isoformat()}).raise_for_status()


def kept_rows(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.SafetyReportDay)) or 0)


def test_a_supervisors_round_keeps_today_and_yesterday_and_a_failure_keeps_the_round(
        headoffice: HeadOffice, agent_store: Store, connect: Connect, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    freeze_safety_clock(headoffice, FROZEN)
    agent_log = RequestLog()
    agent = connect(headoffice.url, agent_store, budget=1.0, event_hooks={"request": [agent_log]})
    sync_once(agent_store, agent)
    desk = VisitDesk(agent_store, "agent01", clock=lambda: FROZEN)
    agent_api = SafetyApi(agent)
    desk.refresh(agent_api)
    desk.set_pins(agent_api, SAFETY_PIN, DURESS_PIN)
    with agent_store.read() as s:
        case_id = s.scalars(select(m.Case.id).order_by(m.Case.id)).first()
    assert case_id is not None
    desk.start(case_id, 30)
    desk.sos()
    assert desk.deliver(agent_api).still_queued == 0

    boss_store = open_store(tmp_path / "super01" / "doorstep.sqlite3")
    try:
        log = RequestLog()
        boss = connect(headoffice.url, boss_store, username="super01", budget=1.0, event_hooks={"request": [log]})
        sync_once(boss_store, boss)
        # After the pull; today as head office counts it, then the day before.
        reports = [i for i, line in enumerate(log.lines) if line.startswith("GET /safety/report")]
        assert len(reports) == 2 and reports[0] > max(i for i, line in enumerate(log.lines)
                                                      if line.startswith("GET /sync/changes"))
        days = safety_days(boss_store, YESTERDAY, TODAY)
        assert sorted(days) == [YESTERDAY, TODAY]
        today, yesterday = days[TODAY], days[YESTERDAY]
        assert (today.team, today.sessions, today.checked_out) == (city.TEAM, 1, 0)
        [sos] = today.alarms
        assert (sos.kind, sos.level, sos.raised_at) == ("sos", "red", FROZEN)
        assert sos.agent_name and sos.case_number
        assert (yesterday.day, yesterday.sessions, yesterday.alarms) == (YESTERDAY, 0, [])
        assert safety_days(boss_store, TODAY, YESTERDAY) == {}  # an empty range
        assert list(safety_days(boss_store, TODAY, date(2026, 12, 31))) == [TODAY]

        # The agent checks out; the next round replaces today's copy (one row per day, not another).
        assert desk.check_out(SAFETY_PIN) is True
        assert desk.deliver(agent_api).sent == 1
        sync_once(boss_store, boss)
        after = safety_days(boss_store, YESTERDAY, TODAY)
        assert (after[TODAY].sessions, after[TODAY].checked_out) == (1, 1) and kept_rows(boss_store) == 2

        # Head office busy on the report route only: the round succeeds, a warning says why, nothing is lost.
        headoffice.faults(fail_503=20, retry_after=1, paths=["/api/v1/safety/report"])
        caplog.set_level(logging.WARNING, logger="app.services.safety_reports")
        record_count = len(caplog.records)
        round_report = sync_once(boss_store, boss)
        assert round_report.finished_at is not None
        warnings = [r for r in caplog.records[record_count:] if r.name == "app.services.safety_reports"]
        assert len(warnings) == 1 and "safety report was not fetched" in warnings[0].getMessage()
        assert safety_days(boss_store, YESTERDAY, TODAY) == after
        headoffice.clear_faults()
    finally:
        boss_store.close()

    # The agent's rounds never asked for the report, and the agent's laptop keeps none.
    assert not any(line.startswith("GET /safety/report") for line in agent_log.lines)
    agent_log.lines.clear()
    sync_once(agent_store, agent)
    assert agent_log.lines and not any(line.startswith("GET /safety/report") for line in agent_log.lines)
    assert kept_rows(agent_store) == 0 and safety_days(agent_store, YESTERDAY, TODAY) == {}
