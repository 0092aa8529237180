"""Head office's safety report, kept on a supervisor's laptop for the team report (safety at the door).

Each sync round of a supervisor or admin (after the pull) fetches `GET /safety/report` for today and
yesterday, the days of the team's own time zone as head office counts them: the first request names
no day (head office answers its today), the second asks for the day before. Each day's answer is kept
as it came (SafetyReportResponse JSON) in `safety_report_days`, replacing that day's earlier copy, so
the team report can show a safety section offline:

    days = safety_days(store, date(2026, 12, 1), date(2026, 12, 7))   # {day: SafetyReportResponse}

Fetching is best effort: the sync round calls `refresh_safety_reports_quietly`, which logs a warning
and carries on when head office cannot give the report (unreachable, refused, an answer it cannot
read); the copies already kept stay as they were.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.contract.safety import SafetyReportResponse
from app.domain.clock import ensure_utc, utcnow
from app.store import models as m
from app.store.engine import Store
from app.store.syncstate import USER, get_state
from app.sync.errors import SyncError
from app.sync.safety_client import SafetyApi

from .assigning import SUPERVISOR_ROLES

log = logging.getLogger(__name__)

DAYS_KEPT_FRESH = 2  # today and yesterday


def synced_role(store: Store) -> str | None:
    """The role of the user this store last synced as (head office's word, kept by the sync round)."""
    with store.read() as session:
        raw = get_state(session, USER)
    try:
        user = json.loads(raw) if raw else None
    except ValueError:
        return None
    role = user.get("role") if isinstance(user, dict) else None
    return str(role) if role else None


def refresh_safety_reports(store: Store, api: SafetyApi,
                           clock: Callable[[], datetime] = utcnow) -> list[date]:
    """Fetch and keep today's and yesterday's safety reports of the supervisor's team; returns the days
    kept. Raises SyncError (SafetyRefused, ServerUnavailable, ProtocolError) when head office cannot give
    one; a day already fetched in this call is kept."""
    today = api.report()  # no day: head office's today, in the team's zone
    kept = [_keep(store, today, clock)]
    for back in range(1, DAYS_KEPT_FRESH):
        kept.append(_keep(store, api.report(today.day - timedelta(days=back)), clock))
    return kept


def refresh_safety_reports_quietly(store: Store, api: SafetyApi,
                                   clock: Callable[[], datetime] = utcnow) -> list[date]:
    """`refresh_safety_reports` for a supervisor or admin, never raising: a failure is a logged warning
    (the sync round it is part of has succeeded). Nothing is fetched for an agent."""
    if synced_role(store) not in SUPERVISOR_ROLES:
        return []
    try:
        return refresh_safety_reports(store, api, clock)
    except (SyncError, ValidationError, SQLAlchemyError, ValueError) as exc:
        log.warning("the safety report was not fetched from head office (kept copies unchanged): %s", exc)
        return []


def _keep(store: Store, report: SafetyReportResponse, clock: Callable[[], datetime]) -> date:
    body = report.model_dump_json()
    with store.write() as session:
        row = session.get(m.SafetyReportDay, report.day)
        if row is None:
            session.add(m.SafetyReportDay(day=report.day, team=report.team, body=body,
                                          fetched_at=ensure_utc(clock())))
        else:
            row.team, row.body, row.fetched_at = report.team, body, ensure_utc(clock())
    return report.day


def safety_days(store: Store, start: date, end: date) -> dict[date, SafetyReportResponse]:
    """The kept safety reports of the days from `start` to `end` (both included), by day; a day never
    fetched is absent. A kept copy that no longer reads as a report is left out (and logged)."""
    if end < start:
        return {}
    with store.read() as session:
        rows = list(session.execute(select(m.SafetyReportDay.day, m.SafetyReportDay.body)
                                    .where(m.SafetyReportDay.day >= start, m.SafetyReportDay.day <= end)
                                    .order_by(m.SafetyReportDay.day)))
    out: dict[date, SafetyReportResponse] = {}
    for day, body in rows:
        try:
            out[day] = SafetyReportResponse.model_validate_json(body)
        except ValidationError as exc:
            log.warning("the kept safety report of %s cannot be read: %s", day, exc.errors()[0].get("msg", exc))
    return out


__all__ = ["safety_days", "refresh_safety_reports", "refresh_safety_reports_quietly", "synced_role"]
