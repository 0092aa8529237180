"""Raising an alarm and walking it up the ladder (app/domain/safety.py has the times):

* AMBER (overdue, day_end): the partner and the team's supervisor(s) are told; it turns RED when
  still unacknowledged `red_after` minutes later (`next_step_at`).
* RED (SOS, duress, or an AMBER turned RED): the supervisor(s) are told at once, the policy's
  contacts one after another (`step_wait` apart), then all of them at once; colleagues of the team
  within `nearby_km` get a window notice (name and address, no debt details).

Every step is one row of `safety_log` and its messages are rows of the outbox, in the caller's
transaction. Nothing here tells the alarm's own agent anything (a duress alarm is silent).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, at_local, local_day
from app.domain.safety import SafetyPolicy, distance_km, next_contact_step, red_at
from headoffice.models import Address, Case, Event, User

from .models import SafetyAlarm, SafetyLog, VisitSession
from .outbox import Recipient, enqueue
from .policy import PolicyCache

LEVEL_TITLE = {"amber": "黄色警报", "red": "红色警报"}
KIND_TEXT = {"overdue": "超时未签出", "sos": "紧急求助 SOS", "duress": "紧急情况", "day_end": "未报平安（收工）"}


@dataclass
class Step:
    """What one unit of safety work needs: its session, the time, the configured channels, policies."""

    session: Session
    now: datetime
    channels: frozenset[str] = frozenset()
    actor: str = "sweep"
    policies: PolicyCache = field(init=False)

    def __post_init__(self) -> None:
        self.policies = PolicyCache(self.session)
        self._supervisors: dict[str, list[User]] = {}

    def supervisors(self, team: str) -> list[User]:
        """The team's supervisors, read once per unit of work."""
        if team not in self._supervisors:
            self._supervisors[team] = supervisors(self.session, team)
        return self._supervisors[team]

    def log(self, action: str, *, session_id: int | None = None, alarm_id: int | None = None,
            at: datetime | None = None, actor: str | None = None, **detail: Any) -> None:
        self.session.add(SafetyLog(at=at or self.now, actor=(actor or self.actor)[:64], action=action,
                                   session_id=session_id, alarm_id=alarm_id,
                                   detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)))


def supervisors(session: Session, team: str) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "supervisor", User.team == team,
                                                   User.active.is_(True)).order_by(User.id)))


def users(session: Session, ids: Iterable[int]) -> list[User]:
    wanted = list(ids)
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True)))}
    return [found[i] for i in wanted if i in found]


def name_of(user: User | None) -> str:
    return "" if user is None else (user.display_name or user.username)


def visit_address(session: Session, case: Case) -> tuple[str, float | None, float | None]:
    """The case's visit address: the newest home address of the debtor (else any address)."""
    rows = list(session.scalars(select(Address).where(Address.debtor_id == case.debtor_id).order_by(Address.id)))
    homes = [a for a in rows if a.kind == "home"] or rows
    if not homes:
        return "", case.lat, case.lon
    a = homes[-1]
    return a.text, a.lat if a.lat is not None else case.lat, a.lon if a.lon is not None else case.lon


def raise_alarm(step: Step, agent: User, *, kind: str, level: str, at: datetime, visit: VisitSession | None = None,
                case_id: int | None = None, lat: float | None = None, lon: float | None = None,
                partner: User | None = None) -> SafetyAlarm:
    """A new alarm of `agent`'s; AMBER tells partner and supervisors, RED starts its ladder at once."""
    alarm = new_alarm(step, agent, kind=kind, level=level, at=at, visit=visit, case_id=case_id, lat=lat, lon=lon)
    step.session.flush()
    announce(step, alarm, agent, partner)
    return alarm


def new_alarm(step: Step, agent: User, *, kind: str, level: str, at: datetime, visit: VisitSession | None = None,
              case_id: int | None = None, lat: float | None = None, lon: float | None = None) -> SafetyAlarm:
    """The alarm row, added but not yet flushed (the sweep flushes a batch of them at once)."""
    s = step.session
    case_id = visit.case_id if visit is not None else case_id
    address = visit.address if visit is not None else None
    if lat is None or lon is None:
        lat, lon = (visit.lat, visit.lon) if visit is not None else (None, None)
    case = s.get(Case, case_id) if case_id is not None else None
    if (lat is None or lon is None) and case is not None:
        lat, lon = case.lat, case.lon
    if address is None and case is not None:
        address = visit_address(s, case)[0]
    alarm = SafetyAlarm(session_id=visit.id if visit is not None else None, agent_id=agent.id, team=agent.team,
                        case_id=case_id, address=address, level=level, kind=kind, raised_at=at, state="raised",
                        lat=lat, lon=lon, red_step=0)
    s.add(alarm)
    return alarm


def announce(step: Step, alarm: SafetyAlarm, agent: User, partner: User | None) -> None:
    """Log a flushed new alarm and tell whom its level tells (a RED one starts its contact ladder)."""
    policy = step.policies(agent.team)
    if alarm.level == "amber":  # one log row: the raise and whom it told
        alarm.next_step_at = red_at(policy, alarm.raised_at)
        told = _tell(step, alarm, agent, ([partner] if partner is not None else []) + step.supervisors(agent.team),
                     "amber", log=False)
        step.log("alarm_raised", session_id=alarm.session_id, alarm_id=alarm.id, level=alarm.level,
                 kind=alarm.kind, agent=agent.username, **told)
    else:
        step.log("alarm_raised", session_id=alarm.session_id, alarm_id=alarm.id, level=alarm.level,
                 kind=alarm.kind, agent=agent.username)
        _turn_red(step, alarm, agent, policy, alarm.raised_at)


def turn_red(step: Step, alarm: SafetyAlarm) -> None:
    """An AMBER alarm unacknowledged for `red_after` minutes becomes RED (called by the sweep)."""
    agent = step.session.get(User, alarm.agent_id)
    assert agent is not None
    alarm.level = "red"
    step.log("alarm_red", session_id=alarm.session_id, alarm_id=alarm.id, kind=alarm.kind)
    _turn_red(step, alarm, agent, step.policies(alarm.team), step.now)


def _turn_red(step: Step, alarm: SafetyAlarm, agent: User, policy: SafetyPolicy, at: datetime) -> None:
    alarm.red_since = at
    _tell(step, alarm, agent, step.supervisors(alarm.team), "red")
    red_step(step, alarm, at)
    tell_nearby(step, alarm, agent, policy)


def red_step(step: Step, alarm: SafetyAlarm, at: datetime) -> None:
    """Fire the alarm's next red step: one contact (or all of them once the list is exhausted)."""
    policy = step.policies(alarm.team)
    ids, nxt = next_contact_step(policy, alarm.red_step, at)
    alarm.next_step_at = nxt
    if not ids:
        return
    agent = step.session.get(User, alarm.agent_id)
    contacts = users(step.session, ids)
    alarm.red_step += 1
    step.log("red_step", session_id=alarm.session_id, alarm_id=alarm.id, step=alarm.red_step,
             contacts=[c.username for c in contacts], next_step_at=nxt.isoformat() if nxt else None)
    _tell(step, alarm, agent, contacts, "contact")


def _tell(step: Step, alarm: SafetyAlarm, agent: User | None, told: Iterable[User], why: str,
          log: bool = True) -> dict[str, Any]:
    """Queue the alarm's message to `told`; logs a `notified` row unless the caller logs it (`log=False`).
    Returns what the log says: who was told, on which channels."""
    recipients = [Recipient.of(u) for u in told if agent is None or u.id != agent.id]
    if not recipients:
        return {"recipients": [], "channels": []}
    who = name_of(agent)
    title = f"{LEVEL_TITLE[alarm.level]}：{who} {KIND_TEXT[alarm.kind]}"
    # The text stands alone (an SMS carries only the text): level, kind, who and where; no debt details.
    text = f"{LEVEL_TITLE[alarm.level]}：{who} {KIND_TEXT[alarm.kind]}，地址：{alarm.address or '未知'}"
    rows = enqueue(step.session, recipients, kind="alarm", title=title, text=text, now=step.now,
                   channels=step.channels, alarm_id=alarm.id, session_id=alarm.session_id,
                   data={"alarm_id": alarm.id, "level": alarm.level, "kind": alarm.kind, "agent": who,
                         "address": alarm.address, "lat": alarm.lat, "lon": alarm.lon})
    detail = {"recipients": sorted({r.recipient_name for r in rows}), "channels": sorted({r.channel for r in rows})}
    if log:
        step.log("notified", session_id=alarm.session_id, alarm_id=alarm.id, why=why, **detail)
    return detail


def tell_nearby(step: Step, alarm: SafetyAlarm, agent: User, policy: SafetyPolicy) -> list[int]:
    """Window notices to the team's other agents whose open session or planned stop today lies
    within `nearby_km` of the alarm; returns their ids."""
    if alarm.lat is None or alarm.lon is None:
        return []
    s = step.session
    colleagues = {u.id: u for u in s.scalars(select(User).where(
        User.role == "agent", User.team == alarm.team, User.active.is_(True), User.id != agent.id))}
    if not colleagues:
        return []
    points: dict[int, list[tuple[float, float]]] = {uid: [] for uid in colleagues}
    for uid, lat, lon, clat, clon in s.execute(
            select(VisitSession.agent_id, VisitSession.lat, VisitSession.lon, Case.lat, Case.lon)
            .join(Case, Case.id == VisitSession.case_id)
            .where(VisitSession.state == "open", VisitSession.agent_id.in_(list(colleagues)))):
        if lat is not None and lon is not None:
            points[uid].append((lat, lon))
        elif clat is not None and clon is not None:
            points[uid].append((clat, clon))
    zone = policy.zone or DEFAULT_ZONE
    day = local_day(step.now, zone).isoformat()
    for uid, payload, clat, clon in s.execute(
            select(Event.author_id, Event.payload, Case.lat, Case.lon).join(Case, Case.id == Event.case_id)
            .where(Event.kind == "visit_planned", Event.author_id.in_(list(colleagues)),
                   Event.payload.contains(f'"day":"{day}"'))):
        if clat is not None and clon is not None and _planned_on(payload, day):
            points[uid].append((clat, clon))
    near = [uid for uid, pts in points.items()
            if any(distance_km(alarm.lat, alarm.lon, lat, lon) <= policy.nearby_km for lat, lon in pts)]
    who = name_of(agent)
    for uid in near:
        enqueue(s, [Recipient.of(colleagues[uid])], kind="nearby_alarm", title=f"附近同事需要帮助：{who}",
                text=f"{who} · {alarm.address or '地址未知'}", now=step.now, alarm_id=alarm.id,
                session_id=alarm.session_id, data={"lat": alarm.lat, "lon": alarm.lon, "agent": who,
                                                   "address": alarm.address})
    if near:
        step.log("nearby_told", session_id=alarm.session_id, alarm_id=alarm.id,
                 colleagues=sorted(colleagues[u].username for u in near))
    return near


def _planned_on(payload: str, day: str) -> bool:
    try:
        p = json.loads(payload)
    except ValueError:
        return False
    return isinstance(p, dict) and p.get("day") == day


def day_end_instant(policy: SafetyPolicy, now: datetime) -> datetime:
    """The policy's day-end time on the local day of `now`."""
    from app.domain.safety import day_end_time

    zone = policy.zone or DEFAULT_ZONE
    return at_local(local_day(now, zone), day_end_time(policy.day_end), zone)
