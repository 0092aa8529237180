"""The supervisor's Team room: the team's day from head office, kept for offline use. No Qt.

Head office computes the figures (`GET /api/v1/team/today?day=`) from what the agents pushed; the
app keeps the last reply per day in the local store's sync state, so the room opens at once with
the last known figures and says how old they are when head office cannot be reached.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import text

from app.contract import v1
from app.domain.clock import ensure_utc, utcnow
from app.store.engine import Store
from app.store.syncstate import get_state, set_state

log = logging.getLogger(__name__)

CACHE_KEY = "team_day_cache"
KEEP_DAYS = 14  # replies kept (one per day looked at)


@dataclass(frozen=True, slots=True)
class TeamDay:
    reply: v1.TeamTodayResponse
    fetched_at: datetime

    @property
    def day(self) -> date:
        return self.reply.day


@dataclass(frozen=True, slots=True)
class TeamTotals:
    planned: int
    done: int
    promises_due: int
    collected_fen: int
    safety_events: int
    flagged: int
    outcomes: dict[str, int]


def fetch_team_day(client: Any, day: date | None, now: Callable[[], datetime] = utcnow) -> TeamDay:
    """Runs in a worker with a signed-in HeadOfficeClient."""
    reply: v1.TeamTodayResponse = client.team_today(day)
    return TeamDay(reply, ensure_utc(now()))


def save_team_day(store: Store, snapshot: TeamDay) -> None:
    """Keep this reply (and the other recent days'), newest days first, at most KEEP_DAYS."""
    with store.write() as session:
        saved = _load(get_state(session, CACHE_KEY))
        saved[snapshot.day.isoformat()] = {"fetched_at": snapshot.fetched_at.isoformat(),
                                           "reply": snapshot.reply.model_dump(mode="json")}
        keep = dict(sorted(saved.items(), reverse=True)[:KEEP_DAYS])
        set_state(session, CACHE_KEY, json.dumps(keep, ensure_ascii=False))


def cached_team_day(store: Store, day: date) -> TeamDay | None:
    """The last reply fetched for `day`, or None (never fetched, or the saved copy is unreadable)."""
    with store.read() as session:
        entry = _load(get_state(session, CACHE_KEY)).get(day.isoformat())
    if not isinstance(entry, dict):
        return None
    try:
        return TeamDay(v1.TeamTodayResponse.model_validate(entry["reply"]),
                       ensure_utc(datetime.fromisoformat(entry["fetched_at"])))
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        log.warning("saved team figures ignored: %s", exc)
        return None


def _load(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def totals(agents: list[v1.AgentDay]) -> TeamTotals:
    outcomes: dict[str, int] = {}
    for a in agents:
        for code, n in a.outcomes.items():
            outcomes[code] = outcomes.get(code, 0) + n
    return TeamTotals(sum(a.planned_visits for a in agents), sum(a.done_visits for a in agents),
                      sum(a.promises_due for a in agents), sum(a.collected_fen for a in agents),
                      sum(a.safety_events for a in agents), sum(a.flagged for a in agents), outcomes)


def case_numbers(store: Store, case_ids: list[int]) -> dict[int, str]:
    """Case numbers of the cases this laptop knows (a supervisor's pull brings the team's cases)."""
    if not case_ids:
        return {}
    with store.read() as session:
        rows = session.execute(text("SELECT id, case_no FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
                               {"ids": json.dumps(sorted(set(case_ids)))}).all()
    return {int(i): str(n) for i, n in rows}


def age(then: datetime, now: datetime) -> tuple[str, int]:
    """How long ago, as (unit, count): ('now', 0), ('min', n), ('h', n) or ('d', n)."""
    seconds = (ensure_utc(now) - (then.replace(tzinfo=UTC) if then.tzinfo is None else then)).total_seconds()
    if seconds < 60:
        return "now", 0
    if seconds < 3600:
        return "min", int(seconds // 60)
    if seconds < 86_400 * 2:
        return "h", int(seconds // 3600)
    return "d", int(seconds // 86_400)
