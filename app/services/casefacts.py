"""Reading what the rules need about a case, and keeping its denormalised list columns in step."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, local_day
from app.domain.compliance import CaseContext, HistoryItem, SafetyFlag
from app.domain.enums import ActKind, CaseStatus, Channel, PromiseState, Severity
from app.domain.outcomes import OutcomeCode
from app.domain.priority import PriorityInputs, score_priority
from app.store import models as m
from app.store.types import from_db_time

EVASION_CODES = (OutcomeCode.NOT_HOME.value, OutcomeCode.NO_ANSWER.value, OutcomeCode.MOVED.value)
CHANNEL_ACT = {Channel.PHONE.value: ActKind.CALL, Channel.SMS.value: ActKind.SMS,
               Channel.VISIT.value: ActKind.VISIT, Channel.LETTER.value: ActKind.LETTER}


def active_safety_notes(session: Session, case: m.Case, now: datetime) -> list[m.SafetyNote]:
    notes = session.scalars(
        select(m.SafetyNote).where(
            ((m.SafetyNote.case_id == case.id) | (m.SafetyNote.debtor_id == case.debtor_id)),
            m.SafetyNote.superseded_by.is_(None),
        ).order_by(m.SafetyNote.reported_at.desc())
    ).all()
    return [n for n in notes if n.reported_at <= now and (n.expires_at is None or now < n.expires_at)]


def safety_level(notes: list[m.SafetyNote]) -> int:
    return max((Severity(n.severity).rank for n in notes), default=0)


def compliance_context(session: Session, case: m.Case, now: datetime, phone: str | None = None,
                       history_days: int = 14) -> CaseContext:
    since = now - timedelta(days=history_days)
    attempts = session.scalars(
        select(m.ContactAttempt).where(m.ContactAttempt.case_id == case.id, m.ContactAttempt.at >= since)
    ).all()
    history = [
        HistoryItem(at=a.at,
                    kind=ActKind.THIRD_PARTY_CONTACT if a.to_third_party else CHANNEL_ACT[a.channel],
                    answered=a.answered, right_party=a.right_party, phone=a.phone,
                    to_third_party=a.to_third_party)
        for a in attempts
    ]
    phones = session.scalars(select(m.Phone.status).where(m.Phone.debtor_id == case.debtor_id)).all()
    refused = False
    if phone:
        refused = bool(session.scalar(select(func.count()).select_from(m.EmergencyContact).where(
            m.EmergencyContact.debtor_id == case.debtor_id, m.EmergencyContact.phone == phone,
            m.EmergencyContact.refused_contact.is_(True))))
    notes = active_safety_notes(session, case, now)
    paused = case.paused_reason if case.status == CaseStatus.PAUSED.value else None
    return CaseContext(
        history=history,
        all_debtor_numbers_invalid=bool(phones) and all(s == "invalid" for s in phones),
        paused_reason=paused,
        safety=[SafetyFlag(Severity(n.severity).rank, n.two_person_required, n.do_not_visit, n.text) for n in notes],
        third_party_refused=refused,
    )


def refresh_case(session: Session, case: m.Case, now: datetime, zone: str = DEFAULT_ZONE) -> None:
    """Recompute the case's list columns (promise due, safety level, priority with reasons)."""
    today = local_day(now, zone)
    # One round trip for every aggregate the score needs (this runs inside every saved outcome).
    row = session.execute(select(
        select(func.min(m.Promise.due)).where(m.Promise.case_id == case.id,
                                             m.Promise.state == PromiseState.OPEN.value).scalar_subquery(),
        select(func.count()).select_from(m.Promise).where(
            m.Promise.case_id == case.id, m.Promise.state == PromiseState.BROKEN.value).scalar_subquery(),
        select(func.count()).select_from(m.ContactAttempt).where(
            m.ContactAttempt.case_id == case.id, m.ContactAttempt.at >= now - timedelta(days=30),
            m.ContactAttempt.outcome.in_(EVASION_CODES)).scalar_subquery(),
        select(func.max(m.ContactAttempt.at)).where(
            m.ContactAttempt.case_id == case.id, m.ContactAttempt.right_party.is_(True)).scalar_subquery(),
        select(func.count()).select_from(m.ReliefProposal).where(
            m.ReliefProposal.case_id == case.id, m.ReliefProposal.status == "pending").scalar_subquery(),
    )).one()
    open_due = date.fromisoformat(row[0]) if isinstance(row[0], str) else row[0]
    broken, evasion = row[1] or 0, row[2] or 0
    last_rpc = from_db_time(row[3]) if isinstance(row[3], str) else row[3]
    hardship = bool(row[4])
    case.promise_due = open_due
    case.safety_level = safety_level(active_safety_notes(session, case, now))
    score = score_priority(PriorityInputs(
        days_past_due=case.days_past_due,
        overdue_fen=case.overdue_fen,
        broken_promises=broken,
        evasion_signals=evasion,
        days_since_last_contact=None if last_rpc is None else max(0, (now - last_rpc).days),
        hardship_open=hardship,
        dispute_open=case.status == CaseStatus.PAUSED.value and (case.paused_reason or "").startswith("dispute"),
        promise_due_soon=open_due is not None and today <= open_due <= today + timedelta(days=1),
    ))
    case.priority = score.score
    case.priority_reasons = json.dumps(
        [{"code": r.code, "points": r.points, "text": r.text, "args": list(r.args)} for r in score.reasons],
        ensure_ascii=False)
    if open_due is None and case.status == CaseStatus.PROMISED.value:
        case.status = CaseStatus.OPEN.value

