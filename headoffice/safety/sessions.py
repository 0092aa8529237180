"""The agent's safety commands: open a visit session, extend it, check out with a PIN, SOS, day end.

Each runs inside one write transaction (`Step`) and returns `(status, body)`; the route stores that
reply under the command's `client_ref` in the same transaction (`safety_replies`), so a replay
answers byte for byte what the first answered and changes nothing. An `ApiError` raised here rolls
everything back (nothing happened, nothing is stored). Replies that change state and still answer an
error (403 `wrong_pin` counts a wrong PIN) are returned, not raised, so they commit.

Check-out with the duress PIN closes the session exactly as the safety PIN does and answers the same
bytes; in the same transaction it raises a silent RED `duress` alarm.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contract.safety import (
    CheckOutRequest,
    CheckOutResponse,
    DayEndRequest,
    DayEndResponse,
    ExtendRequest,
    SessionOpenRequest,
    SessionOut,
    SosRequest,
    SosResponse,
)
from app.domain.clock import DEFAULT_ZONE, local_day
from app.domain.safety import SafetyPolicy
from headoffice.models import Case, User
from headoffice.pairs import partner_of
from headoffice.service import ApiError

from .alarms import Step, day_end_instant, name_of, raise_alarm, visit_address
from .models import SafetyAlarm, SafetyDay, SafetyPins, VisitSession
from .pins import check_pin

Reply = tuple[int, dict[str, Any]]
MAX_WRONG_PINS = 5
MAX_BACKDATE = timedelta(hours=24)


def session_out(session: Session, v: VisitSession) -> SessionOut:
    agent = session.get(User, v.agent_id)
    case = session.get(Case, v.case_id)
    partner = session.get(User, v.partner_id) if v.partner_id is not None else None
    return SessionOut(id=v.id, agent_id=v.agent_id, agent_name=name_of(agent), case_id=v.case_id,
                      case_number=case.case_no if case is not None else "", address=v.address,
                      partner_id=v.partner_id, partner_name=name_of(partner) or None,
                      planned_minutes=v.planned_minutes, started_at=v.started_at, due_at=v.due_at, lat=v.lat,
                      lon=v.lon, state="open" if v.state == "open" else "closed", closed_at=v.closed_at,
                      extended_minutes=v.extended_minutes)


def open_session_of(session: Session, agent_id: int) -> VisitSession | None:
    return session.scalar(select(VisitSession).where(VisitSession.agent_id == agent_id,
                                                     VisitSession.state == "open"))


def _backwards(sent: datetime | None, now: datetime, oldest: datetime) -> datetime:
    """A laptop's time of an act, used only backwards (never later than now, never before `oldest`)."""
    if sent is None or sent > now or sent < oldest:
        return now
    return sent


def _minutes_range(policy: SafetyPolicy, name: str, minutes: int, low: int | None = None) -> None:
    low = policy.min_minutes if low is None else low
    if not low <= minutes <= policy.max_minutes:
        raise ApiError(422, "minutes_out_of_range",
                       f"{name}: must be {low} to {policy.max_minutes} minutes for your team")


def _own_session(step: Step, user: User, session_id: int) -> VisitSession:
    v = step.session.get(VisitSession, session_id)
    if v is None or v.agent_id != user.id:
        raise ApiError(404, "not_found", "no such session of yours")
    return v


def _safety_day(step: Step, user: User, policy: SafetyPolicy, started: datetime) -> SafetyDay:
    day = local_day(started, policy.zone or DEFAULT_ZONE)
    row = step.session.get(SafetyDay, (user.id, day))
    if row is None:
        row = SafetyDay(agent_id=user.id, day=day, team=user.team)
        step.session.add(row)
    return row


def open_session(step: Step, user: User, body: SessionOpenRequest) -> Reply:
    s, now = step.session, step.now
    if s.get(SafetyPins, user.id) is None:
        raise ApiError(409, "pins_not_set", "set your safety PIN and duress PIN before your first visit session")
    case = s.get(Case, body.case_id)
    if case is None or case.agent_id != user.id:
        raise ApiError(404, "not_found", "no such case of yours")
    policy = step.policies(user.team)
    _minutes_range(policy, "planned_minutes", body.planned_minutes)
    current = open_session_of(s, user.id)
    if current is not None:
        raise ApiError(409, "session_open", "you have an open session: check out of it first",
                       extra={"session": session_out(s, current).model_dump(mode="json")})
    if body.partner_id is not None:
        partner = s.get(User, body.partner_id)
        if (partner is None or partner.id == user.id or partner.role != "agent" or not partner.active
                or partner.team != user.team):
            raise ApiError(422, "unknown_partner", "partner_id: not an active agent of your team")
    else:
        partner = partner_of(s, user)
    started = _backwards(body.started_at, now, now - timedelta(minutes=policy.max_minutes))
    due = started + timedelta(minutes=body.planned_minutes)
    address = visit_address(s, case)[0]
    lat, lon = (body.lat, body.lon) if body.lat is not None and body.lon is not None else (None, None)
    v = VisitSession(agent_id=user.id, team=user.team, case_id=case.id, address=address,
                     partner_id=partner.id if partner is not None else None, planned_minutes=body.planned_minutes,
                     started_at=started, due_at=due, extended_minutes=0, lat=lat, lon=lon,
                     position_source=body.position_source if lat is not None else "none", state="open",
                     stage=0, next_check_at=due, wrong_pins=0, created_at=now)
    s.add(v)
    s.flush()
    day = _safety_day(step, user, policy, started)
    if day.alarm_id is None:
        day.closed_at = None  # out at a door again: not back safe yet
        day.check_at = day_end_instant(policy, started)
    step.log("session_opened", session_id=v.id, case=case.case_no, planned_minutes=v.planned_minutes,
             due_at=due.isoformat(), partner=partner.username if partner is not None else None)
    return 201, session_out(s, v).model_dump(mode="json")


def extend(step: Step, user: User, session_id: int, body: ExtendRequest) -> Reply:
    v = _own_session(step, user, session_id)
    if v.state != "open":
        raise ApiError(409, "session_closed", "this session is closed")
    _minutes_range(step.policies(user.team), "minutes", body.minutes, low=1)
    # Added to the planned end, or to now when that is already past (an overdue agent gets the minutes).
    v.due_at = max(v.due_at, step.now) + timedelta(minutes=body.minutes)
    v.extended_minutes += body.minutes
    v.stage, v.next_check_at = 0, v.due_at  # the ladder starts again; a raised alarm stays as it is
    step.log("session_extended", session_id=v.id, minutes=body.minutes, due_at=v.due_at.isoformat())
    return 200, session_out(step.session, v).model_dump(mode="json")


def check_out(step: Step, user: User, session_id: int, body: CheckOutRequest) -> Reply:
    s, now = step.session, step.now
    v = _own_session(step, user, session_id)
    pins = s.get(SafetyPins, user.id)
    if v.state != "open":
        raise ApiError(409, "session_closed", "this session is closed")
    if pins is None:
        raise ApiError(409, "pins_not_set", "no PINs are set")
    if v.wrong_pins >= MAX_WRONG_PINS:
        return 423, {"error": "pin_locked", "detail": "too many wrong PINs: your supervisor has been told"}
    kind = check_pin(pins, body.pin)
    if kind is None:
        v.wrong_pins += 1
        step.log("wrong_pin", session_id=v.id, count=v.wrong_pins)
        if v.wrong_pins >= MAX_WRONG_PINS:  # someone is guessing: treat it as duress
            alarm = raise_alarm(step, user, kind="duress", level="red", at=now, visit=v)
            step.log("pin_guessing", session_id=v.id, alarm_id=alarm.id, count=v.wrong_pins)
        return 403, {"error": "wrong_pin", "detail": "wrong PIN"}
    at = _backwards(body.checked_out_at, now, v.started_at)
    v.state, v.closed_at, v.next_check_at = "closed", at, None
    policy = step.policies(user.team)
    day = s.get(SafetyDay, (user.id, local_day(v.started_at, policy.zone or DEFAULT_ZONE)))
    if day is not None and day.closed_at is None and day.alarm_id is None:
        day.check_at = max(day_end_instant(policy, v.started_at), at + timedelta(minutes=policy.grace_minutes))
    step.log("checked_out", session_id=v.id, checked_out_at=at.isoformat())
    if kind == "duress":
        raise_alarm(step, user, kind="duress", level="red", at=now, visit=v)
    else:
        for alarm in s.scalars(select(SafetyAlarm).where(SafetyAlarm.session_id == v.id,
                                                         SafetyAlarm.next_step_at.is_not(None))):
            alarm.next_step_at = None
            step.log("escalation_stopped", session_id=v.id, alarm_id=alarm.id, why="checked out with the safety PIN")
    return 200, CheckOutResponse(checked_out_at=at).model_dump(mode="json")


def sos(step: Step, user: User, body: SosRequest) -> Reply:
    s, now = step.session, step.now
    visit = _own_session(step, user, body.session_id) if body.session_id is not None else open_session_of(s, user.id)
    case_id = None
    if body.case_id is not None:
        case = s.get(Case, body.case_id)
        if case is None or case.agent_id != user.id:
            raise ApiError(404, "not_found", "no such case of yours")
        case_id = case.id
        if visit is not None and visit.case_id != case_id:
            visit = None  # the agent says where they are: another door than the session's
    at = _backwards(body.raised_at, now, now - MAX_BACKDATE)
    lat, lon = (body.lat, body.lon) if body.lat is not None and body.lon is not None else (None, None)
    alarm = raise_alarm(step, user, kind="sos", level="red", at=at, visit=visit, case_id=case_id, lat=lat, lon=lon)
    step.log("sos", session_id=alarm.session_id, alarm_id=alarm.id, raised_at=at.isoformat())
    return 200, SosResponse(received_at=now).model_dump(mode="json")


def day_end(step: Step, user: User, body: DayEndRequest) -> Reply:
    s, now = step.session, step.now
    policy = step.policies(user.team)
    today = local_day(now, policy.zone or DEFAULT_ZONE)
    day = body.day or today
    if day > today:
        raise ApiError(422, "day_in_future", f"day: {day.isoformat()} has not begun yet")
    at = _backwards(body.at, now, now - MAX_BACKDATE)
    row = s.get(SafetyDay, (user.id, day))
    if row is None:
        row = SafetyDay(agent_id=user.id, day=day, team=user.team)
        s.add(row)
    if row.closed_at is None:
        row.closed_at = at
    row.check_at = None
    if row.alarm_id is not None:
        alarm = s.get(SafetyAlarm, row.alarm_id)
        if alarm is not None and alarm.next_step_at is not None:
            alarm.next_step_at = None
            step.log("escalation_stopped", alarm_id=alarm.id, why="the agent said back safe")
    step.log("day_end", day=day.isoformat(), closed_at=row.closed_at.isoformat())
    return 200, DayEndResponse(day=day, closed_at=row.closed_at).model_dump(mode="json")

