"""`sweep(db, now)`: head office holds the timer. One pass turns what is due into its step:

    open session, next_check_at <= now, stage 0   reminder notice to the agent      (-> stage 1, due + grace)
    open session, next_check_at <= now, stage 1   AMBER `overdue` alarm              (-> stage 2, done)
    alarm, next_step_at <= now, AMBER, raised     RED (supervisors, contacts[0], colleagues nearby)
    alarm, next_step_at <= now, RED, raised       the next contact step (then all contacts at once)
    safety day, check_at <= now, not back safe    AMBER `day_end` alarm (once per agent and day)

EXACTLY ONCE across processes and restarts: due rows are claimed inside `db.write()` (PostgreSQL:
`SELECT … FOR UPDATE SKIP LOCKED` under the write lock; SQLite: BEGIN IMMEDIATE) and each step's
effects — the alarm, its messages, its log rows, and the moved `next_*_at` — commit in that same
transaction. A pass with nothing due is three index probes in a read transaction and takes no lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.safety import amber_at
from headoffice.db import Database
from headoffice.models import Case, User
from headoffice.pairs import partner_of

from .alarms import Step, announce, new_alarm, raise_alarm, red_step, turn_red
from .models import SafetyAlarm, SafetyDay, VisitSession
from .outbox import Recipient, enqueue
from .sessions import open_session_of

BATCH = 500


@dataclass
class SweepResult:
    reminders: int = 0
    ambers: int = 0
    reds: int = 0
    red_steps: int = 0
    day_ends: int = 0
    more: bool = False  # a batch was full: more is due than one pass took

    @property
    def steps(self) -> int:
        return self.reminders + self.ambers + self.reds + self.red_steps + self.day_ends


def _session_due(now: datetime) -> Any:
    return VisitSession.state == "open", VisitSession.next_check_at <= now


def _alarm_due(now: datetime) -> Any:
    return SafetyAlarm.next_step_at.is_not(None), SafetyAlarm.next_step_at <= now


def _day_due(now: datetime) -> Any:
    return SafetyDay.check_at.is_not(None), SafetyDay.check_at <= now


def anything_due(session: Session, now: datetime) -> bool:
    """Three probes of the partial indexes: is any session, alarm or day due at `now`?"""
    return any(session.scalar(select(column).where(*where).limit(1)) is not None for column, where in (
        (VisitSession.id, _session_due(now)), (SafetyAlarm.id, _alarm_due(now)), (SafetyDay.agent_id, _day_due(now))))


def sweep(db: Database, now: datetime, channels: frozenset[str] = frozenset(), batch: int = BATCH) -> SweepResult:
    """One pass of the ladder at `now` (the caller's clock); returns what it did."""
    result = SweepResult()
    with db.read() as s:
        if not anything_due(s, now):
            return result
    with db.write() as s:
        step = Step(s, now, channels)
        visits = list(s.scalars(select(VisitSession).where(*_session_due(now)).order_by(VisitSession.next_check_at)
                                .limit(batch).with_for_update(skip_locked=True)))
        loaded = _preload(s, visits)  # held here: the identity map keeps objects only while referenced
        raised: list[tuple[SafetyAlarm, User, User | None]] = []
        with s.no_autoflush:
            for v in visits:
                _advance_session(step, v, result, raised)
        del loaded
        s.flush()  # the new alarms get their ids in one batch, then each is told
        for alarm, agent, partner in raised:
            announce(step, alarm, agent, partner)
        alarms = s.scalars(select(SafetyAlarm).where(*_alarm_due(now)).order_by(SafetyAlarm.next_step_at).limit(batch)
                           .with_for_update(skip_locked=True)).all()
        for a in alarms:
            _advance_alarm(step, a, result)
        days = s.scalars(select(SafetyDay).where(*_day_due(now)).order_by(SafetyDay.check_at).limit(batch)
                         .with_for_update(skip_locked=True)).all()
        for d in days:
            _check_day(step, d, result)
        result.more = batch in (len(visits), len(alarms), len(days))
    return result


def _preload(s: Session, visits: list[VisitSession]) -> list[object]:
    """The agents, partners and cases of due sessions, in two queries (the steps then find them loaded)."""
    people = {v.agent_id for v in visits} | {v.partner_id for v in visits if v.partner_id is not None}
    if not people:
        return []
    return [*s.scalars(select(User).where(User.id.in_(people))),
            *s.scalars(select(Case).where(Case.id.in_({v.case_id for v in visits})))]


def _advance_session(step: Step, v: VisitSession, result: SweepResult,
                     raised: list[tuple[SafetyAlarm, User, User | None]]) -> None:
    s, now = step.session, step.now
    policy = step.policies(v.team)
    while v.state == "open" and v.next_check_at is not None and v.next_check_at <= now:
        agent = s.get(User, v.agent_id)
        assert agent is not None
        if v.stage == 0:
            enqueue(s, [Recipient.of(agent)], kind="reminder", title="计划时间已到",
                    text=f"{v.address}：请签出，或延长时间", now=now, channels=step.channels, session_id=v.id,
                    data={"session_id": v.id, "due_at": v.due_at.isoformat()})
            step.log("reminder", session_id=v.id, due_at=v.due_at.isoformat())
            v.stage, v.next_check_at = 1, amber_at(policy, v.due_at)
            result.reminders += 1
        else:
            partner = s.get(User, v.partner_id) if v.partner_id is not None else None
            raised.append((new_alarm(step, agent, kind="overdue", level="amber", at=now, visit=v), agent, partner))
            v.stage, v.next_check_at = 2, None
            result.ambers += 1


def _advance_alarm(step: Step, a: SafetyAlarm, result: SweepResult) -> None:
    if a.state != "raised":  # acknowledged or resolved: it escalates no further
        a.next_step_at = None
        return
    if a.level == "amber":
        turn_red(step, a)
        result.reds += 1
        return
    before = a.red_step
    red_step(step, a, step.now)
    result.red_steps += a.red_step > before


def _check_day(step: Step, d: SafetyDay, result: SweepResult) -> None:
    s = step.session
    d.check_at = None
    if d.closed_at is not None or d.alarm_id is not None:
        return
    if open_session_of(s, d.agent_id) is not None:
        return  # the session's own ladder watches the agent; its check-out sets the day-end check again
    agent = s.get(User, d.agent_id)
    if agent is None or not agent.active:
        return
    alarm = raise_alarm(step, agent, kind="day_end", level="amber", at=step.now, partner=partner_of(s, agent))
    d.alarm_id = alarm.id
    step.log("day_end_missed", alarm_id=alarm.id, day=d.day.isoformat(), agent=agent.username)
    result.day_ends += 1
