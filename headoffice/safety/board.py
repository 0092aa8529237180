"""What supervisors and agents read: the board (open sessions, alarms open or resolved in the last
12 hours, each with its deliveries), acknowledge and resolve, the day's report, the user's window
notices and `GET me`. A supervisor sees their team only (another team's alarm answers 404); an
admin every team, or the one named with `?team=`."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.contract.safety import (
    AlarmOut,
    BoardResponse,
    BoardSession,
    ContactInfo,
    DeliveryOut,
    Notice,
    NoticesResponse,
    ResolveRequest,
    SafetyMeResponse,
    SafetyReportAlarm,
    SafetyReportResponse,
)
from app.contract.v1 import PartnerInfo
from app.domain.clock import DEFAULT_ZONE, at_local, local_day
from headoffice.models import Case, User
from headoffice.pairs import partner_of
from headoffice.service import ApiError

from .alarms import Step, name_of, supervisors
from .models import Notification, SafetyAlarm, SafetyDay, SafetyPins, VisitSession
from .policy import load_policy, policy_data
from .sessions import open_session_of, session_out

RECENT = timedelta(hours=12)
NOTICES_PAGE = 200


class Names:
    """Users by id for one reply (each looked up once)."""

    def __init__(self, session: Session):
        self.session, self.known = session, {}  # type: ignore[var-annotated]

    def __call__(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.known:
            self.known[user_id] = name_of(self.session.get(User, user_id)) or None
        return self.known[user_id]  # type: ignore[no-any-return]


def delivery_out(n: Notification) -> DeliveryOut:
    return DeliveryOut(id=n.id, channel=n.channel, recipient_id=n.recipient_id,  # type: ignore[arg-type]
                       recipient_name=n.recipient_name, state=n.state, attempts=n.attempts,  # type: ignore[arg-type]
                       last_error=n.last_error, next_attempt_at=n.next_attempt_at, at=n.queued_at)


def alarm_out(session: Session, a: SafetyAlarm, names: Names | None = None,
              deliveries: list[Notification] | None = None) -> AlarmOut:
    names = names or Names(session)
    if deliveries is None:
        deliveries = list(session.scalars(select(Notification).where(Notification.alarm_id == a.id)
                                          .order_by(Notification.id)))
    case = session.get(Case, a.case_id) if a.case_id is not None else None
    visit = session.get(VisitSession, a.session_id) if a.session_id is not None else None
    return AlarmOut(id=a.id, session_id=a.session_id, level=a.level, kind=a.kind,  # type: ignore[arg-type]
                    raised_at=a.raised_at, state=a.state, agent_id=a.agent_id,  # type: ignore[arg-type]
                    agent_name=names(a.agent_id) or "", case_id=a.case_id,
                    case_number=case.case_no if case is not None else None, address=a.address,
                    partner_name=names(visit.partner_id) if visit is not None else None, lat=a.lat, lon=a.lon,
                    red_step=a.red_step, acknowledged_by=a.acknowledged_by,
                    acknowledged_by_name=names(a.acknowledged_by), acknowledged_at=a.acknowledged_at,
                    resolved_by_name=names(a.resolved_by), resolved_at=a.resolved_at,
                    outcome=a.outcome, note=a.note,  # type: ignore[arg-type]
                    deliveries=[delivery_out(n) for n in deliveries])


def scope_team(user: User, team: str | None) -> str | None:
    """The team a supervisor or admin reads (None: an admin reading every team)."""
    if user.role == "admin":
        return team or None
    return user.team


def board(session: Session, user: User, team: str | None, now: datetime) -> BoardResponse:
    scope = scope_team(user, team)
    q = select(VisitSession).where(VisitSession.state == "open")
    aq = select(SafetyAlarm).where(or_(SafetyAlarm.state != "resolved", SafetyAlarm.resolved_at >= now - RECENT))
    if scope is not None:
        q, aq = q.where(VisitSession.team == scope), aq.where(SafetyAlarm.team == scope)
    sessions = []
    for v in session.scalars(q.order_by(VisitSession.due_at, VisitSession.id)):
        left = int((v.due_at - now).total_seconds())
        sessions.append(BoardSession(**session_out(session, v).model_dump(), overdue=left < 0, seconds_left=left))
    alarms = list(session.scalars(aq.order_by(SafetyAlarm.raised_at.desc(), SafetyAlarm.id.desc())))
    by_alarm: dict[int, list[Notification]] = defaultdict(list)
    if alarms:
        for n in session.scalars(select(Notification).where(Notification.alarm_id.in_([a.id for a in alarms]))
                                 .order_by(Notification.id)):
            by_alarm[n.alarm_id or 0].append(n)
    names = Names(session)
    return BoardResponse(team=scope if scope is not None else "*", sessions=sessions,
                         alarms=[alarm_out(session, a, names, by_alarm[a.id]) for a in alarms], server_time=now)


def _scoped_alarm(step: Step, user: User, alarm_id: int) -> SafetyAlarm:
    a = step.session.get(SafetyAlarm, alarm_id)
    if a is None or (user.role != "admin" and a.team != user.team):
        raise ApiError(404, "not_found", "no such alarm in your team")
    return a


def _acknowledge(step: Step, user: User, a: SafetyAlarm) -> None:
    a.acknowledged_by, a.acknowledged_at, a.next_step_at = user.id, step.now, None
    if a.state == "raised":
        a.state = "acknowledged"
    step.log("acknowledged", session_id=a.session_id, alarm_id=a.id, by=user.username)


def acknowledge(step: Step, user: User, alarm_id: int) -> AlarmOut:
    """The first to acknowledge owns the alarm (it escalates no further); another answers 409 naming them."""
    a = _scoped_alarm(step, user, alarm_id)
    if a.acknowledged_by is None:
        _acknowledge(step, user, a)
    elif a.acknowledged_by != user.id:
        raise ApiError(409, "already_acknowledged", f"{name_of(step.session.get(User, a.acknowledged_by))} "
                       "acknowledged this alarm first",
                       extra={"alarm": alarm_out(step.session, a).model_dump(mode="json")})
    return alarm_out(step.session, a)


def resolve(step: Step, user: User, alarm_id: int, body: ResolveRequest) -> AlarmOut:
    a = _scoped_alarm(step, user, alarm_id)
    if a.state == "resolved":
        raise ApiError(409, "already_resolved", "this alarm is resolved already",
                       extra={"alarm": alarm_out(step.session, a).model_dump(mode="json")})
    if a.acknowledged_by is None:
        _acknowledge(step, user, a)
    a.state, a.resolved_by, a.resolved_at, a.next_step_at = "resolved", user.id, step.now, None
    a.outcome, a.note = body.outcome, body.note
    step.log("resolved", session_id=a.session_id, alarm_id=a.id, by=user.username, outcome=body.outcome,
             note=body.note)
    return alarm_out(step.session, a)


def report(session: Session, user: User, team: str | None, day: date, now: datetime) -> SafetyReportResponse:
    scope = scope_team(user, team)
    zone = load_policy(session, scope).zone if scope is not None else DEFAULT_ZONE
    start = at_local(day, datetime.min.time(), zone)
    end = at_local(day + timedelta(days=1), datetime.min.time(), zone)
    q = select(VisitSession).where(VisitSession.started_at >= start, VisitSession.started_at < end)
    aq = select(SafetyAlarm).where(SafetyAlarm.raised_at >= start, SafetyAlarm.raised_at < end)
    if scope is not None:
        q, aq = q.where(VisitSession.team == scope), aq.where(SafetyAlarm.team == scope)
    visits = list(session.scalars(q))
    alarms = list(session.scalars(aq.order_by(SafetyAlarm.raised_at, SafetyAlarm.id)))
    overdue_ids = {a.session_id for a in alarms if a.kind == "overdue"}
    overdue = sum(1 for v in visits if v.id in overdue_ids or (v.closed_at or now) > v.due_at)
    names = Names(session)
    out, waits = [], []
    for a in alarms:
        wait = None if a.acknowledged_at is None else round((a.acknowledged_at - a.raised_at).total_seconds() / 60, 2)
        if wait is not None:
            waits.append(wait)
        case = session.get(Case, a.case_id) if a.case_id is not None else None
        out.append(SafetyReportAlarm(id=a.id, kind=a.kind, level=a.level, agent_name=names(a.agent_id) or "",  # type: ignore[arg-type]
                                     case_number=case.case_no if case is not None else None, raised_at=a.raised_at,
                                     acknowledged_by_name=names(a.acknowledged_by), minutes_to_acknowledge=wait,
                                     outcome=a.outcome, note=a.note))  # type: ignore[arg-type]
    return SafetyReportResponse(team=scope if scope is not None else "*", day=day, sessions=len(visits),
                                checked_out=sum(1 for v in visits if v.state == "closed"), overdue_sessions=overdue,
                                alarms=out, median_minutes_to_acknowledge=statistics.median(waits) if waits else None)


def notices(session: Session, user: User, after: int) -> NoticesResponse:
    rows = list(session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.channel == "window", Notification.id > after)
        .order_by(Notification.id).limit(NOTICES_PAGE)))
    out = []
    for n in rows:
        data: dict[str, Any] = json.loads(n.data or "{}")
        out.append(Notice(id=n.id, kind=n.kind, at=n.queued_at, title=n.title, text=n.text,  # type: ignore[arg-type]
                          session_id=n.session_id, alarm_id=None if n.kind == "nearby_alarm" else n.alarm_id,
                          lat=_float(data.get("lat")), lon=_float(data.get("lon"))))
    return NoticesResponse(notices=out, last_id=rows[-1].id if rows else after)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def me(session: Session, user: User, now: datetime) -> SafetyMeResponse:
    policy = load_policy(session, user.team)
    partner = partner_of(session, user)
    contacts = []
    if partner is not None:
        contacts.append(ContactInfo(id=partner.id, display_name=name_of(partner), role="partner", phone=partner.phone))
    for sup in supervisors(session, user.team) if user.team else []:
        if sup.id != user.id:
            contacts.append(ContactInfo(id=sup.id, display_name=name_of(sup), role="supervisor", phone=sup.phone))
    current = open_session_of(session, user.id)
    day = session.get(SafetyDay, (user.id, local_day(now, policy.zone or DEFAULT_ZONE)))
    return SafetyMeResponse(
        policy=policy_data(policy), pins_set=session.get(SafetyPins, user.id) is not None, contacts=contacts,
        partner=None if partner is None else PartnerInfo(id=partner.id, username=partner.username,
                                                         display_name=name_of(partner)),
        open_session=session_out(session, current) if current is not None else None,
        day_closed=day is not None and day.closed_at is not None, server_time=now)
