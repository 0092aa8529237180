"""GET /team/today: each agent's day at a glance, from the events the agents pushed.

The day is a calendar day in Asia/Shanghai. Per agent (active agents of the supervisor's team; all
agents for an admin):

* `planned_visits`: stops of the agent's latest saved day plan for that day (`visit_planned`
  events, one per stop; a later save of the day's plan replaces the earlier one: the plan id with
  the newest event counts);
* `done_visits`, `outcomes`, `visits`: outcomes the agent recorded that day (visits: channel
  `visit`), rejected ones left out (decisions.py); still-flagged ones count provisionally and are
  also counted in `flagged`;
* `collected_fen`: payments the agent took that day; `promises_due`: promises falling due that day
  on the cases the agent holds; `safety_events`: safety notes the agent reported that day (an
  aborted visit writes one); `flagged`: the agent's events of that day still waiting for a decision.

Visit positions are whereabouts, sensitive personal information (PIPL Art. 28): the agent's own
team supervisor receives them; an admin gets the same figures with the positions left empty.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contract.v1 import AgentDay, TeamTodayResponse, VisitPoint
from app.domain.clock import DEFAULT_ZONE

from .models import Attempt, Case, Event, Payment, Promise, SafetyNote, User

ZONE = ZoneInfo(DEFAULT_ZONE)


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=ZONE).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=ZONE).astimezone(UTC)


def today(now: datetime) -> date:
    return now.astimezone(ZONE).date()


def team_today(session: Session, user: User, day: date) -> TeamTodayResponse:
    q = select(User).where(User.role == "agent", User.active.is_(True))
    if user.role != "admin":
        q = q.where(User.team == user.team)
    agents = list(session.scalars(q.order_by(User.id)))
    ids = [a.id for a in agents]
    if not ids:
        return TeamTodayResponse(day=day, agents=[])
    start, end = day_window(day)
    positions = user.role != "admin"

    outcomes: dict[int, Counter[str]] = defaultdict(Counter)
    visits: dict[int, list[VisitPoint]] = defaultdict(list)
    attempts = (select(Attempt.agent_id, Attempt.case_id, Attempt.channel, Attempt.outcome, Attempt.at,
                       Attempt.lat, Attempt.lon, Case.lat.label("case_lat"), Case.lon.label("case_lon"))
                .join(Event, Event.id == Attempt.event_id).join(Case, Case.id == Attempt.case_id)
                .where(Attempt.agent_id.in_(ids), Attempt.at >= start, Attempt.at < end, Event.status != "rejected")
                .order_by(Attempt.at, Attempt.id))
    for r in session.execute(attempts):
        outcomes[r.agent_id][r.outcome] += 1
        if r.channel == "visit":
            lat, lon = (r.lat, r.lon) if r.lat is not None and r.lon is not None else (r.case_lat, r.case_lon)
            visits[r.agent_id].append(VisitPoint(case_id=r.case_id, lat=lat if positions else None,
                                                 lon=lon if positions else None, at=r.at, outcome=r.outcome))

    usernames = {a.username: a.id for a in agents}
    collected: dict[int, int] = defaultdict(int)
    for collector, amount in session.execute(
            select(Payment.collector, func.sum(Payment.amount_fen)).join(Event, Event.id == Payment.event_id)
            .where(Payment.collector.in_(list(usernames)), Payment.paid_at >= start, Payment.paid_at < end,
                   Event.status != "rejected").group_by(Payment.collector)):
        collected[usernames[collector]] = int(amount or 0)

    promises_due = dict(session.execute(
        select(Case.agent_id, func.count(Promise.id)).join(Case, Case.id == Promise.case_id)
        .where(Case.agent_id.in_(ids), Promise.due == day, Case.status.not_in(("closed", "returned")))
        .group_by(Case.agent_id)).tuples().all())

    safety = dict(session.execute(
        select(SafetyNote.reporter, func.count(SafetyNote.id))
        .where(SafetyNote.reporter.in_(list(usernames)), SafetyNote.reported_at >= start,
               SafetyNote.reported_at < end).group_by(SafetyNote.reporter)).tuples().all())

    flagged = dict(session.execute(
        select(Event.author_id, func.count(Event.seq))
        .where(Event.author_id.in_(ids), Event.status == "flagged", Event.occurred_at >= start,
               Event.occurred_at < end).group_by(Event.author_id)).tuples().all())

    planned = _planned(session, ids, day)
    out = []
    for a in agents:
        counts = outcomes.get(a.id, Counter())
        out.append(AgentDay(
            agent_id=a.id, username=a.username, display_name=a.display_name, last_sync_at=a.last_sync_at,
            planned_visits=planned.get(a.id, 0), done_visits=len(visits.get(a.id, [])), outcomes=dict(counts),
            promises_due=int(promises_due.get(a.id, 0)), collected_fen=collected.get(a.id, 0),
            safety_events=int(safety.get(a.username, 0)), flagged=int(flagged.get(a.id, 0)),
            visits=visits.get(a.id, [])))
    return TeamTodayResponse(day=day, agents=out)


def _planned(session: Session, agent_ids: list[int], day: date) -> dict[int, int]:
    """Stops in each agent's latest plan for `day`."""
    mark = f'"day":"{day.isoformat()}"'  # canonical payload JSON
    plans: dict[int, dict[str, tuple[datetime, set[int]]]] = defaultdict(dict)
    for author, case_id, payload, at in session.execute(
            select(Event.author_id, Event.case_id, Event.payload, Event.occurred_at)
            .where(Event.kind == "visit_planned", Event.author_id.in_(agent_ids), Event.payload.contains(mark))):
        try:
            p = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(p, dict) or p.get("day") != day.isoformat():
            continue
        plan_id = str(p.get("plan_id") or "")
        newest, cases = plans[author].get(plan_id, (at, set()))
        cases.add(case_id)
        plans[author][plan_id] = (max(newest, at), cases)
    return {author: len(max(by_plan.values(), key=lambda v: v[0])[1]) for author, by_plan in plans.items()}
