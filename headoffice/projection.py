"""Project stored events into head-office rows, independent of arrival order.

Two steps:
1. `project_event` adds the rows one event implies (attempt, promise, payment, relief proposal,
   safety note, new address), each keyed by the event id, so a duplicate can never add twice.
2. `recompute_case` derives the case's state (status, paused reason, overdue, last contact) and
   each note's expiry/supersession from the imported base plus ALL the case's events, sorted by
   (occurred_at, id). The result is a function of the set of events, not of their order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.enums import CaseStatus
from app.domain.outcomes import OutcomeCode, spec

from .models import Address, Attempt, Case, Event, Payment, Promise, ReliefProposal, SafetyNote, User

PROJECTED_KINDS = ("outcome", "safety_note", "safety_note_expired", "decision")


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value))


def project_event(session: Session, ev: Event, case: Case, author: User) -> str | None:
    """Add the event's rows. Returns a flag reason when the event cannot be projected as it stands."""
    p: Mapping[str, Any] = json.loads(ev.payload)
    if ev.kind == "outcome":
        _project_outcome(session, ev, case, author, p)
    elif ev.kind == "safety_note":
        if session.scalar(select(SafetyNote.id).where(SafetyNote.uid == p["uid"])) is not None:
            return "a safety note with this uid already exists; kept as an event only"
        session.add(SafetyNote(
            uid=p["uid"], case_id=case.id, debtor_id=case.debtor_id if p.get("on_debtor", True) else None,
            category=p["category"], severity=p["severity"], text=p["text"], reporter=author.username,
            reported_at=ev.occurred_at, own_expires_at=_time(p.get("expires_at")),
            expires_at=_time(p.get("expires_at")), two_person_required=bool(p.get("two_person_required")),
            do_not_visit=bool(p.get("do_not_visit")), supersedes=p.get("supersedes"), event_id=ev.id))
    return None


def _project_outcome(session: Session, ev: Event, case: Case, author: User, p: Mapping[str, Any]) -> None:
    code = OutcomeCode(p["code"])
    s = spec(code)
    fields: Mapping[str, Any] = p.get("fields") or {}
    session.add(Attempt(
        case_id=case.id, event_id=ev.id, channel=p["channel"], at=ev.occurred_at, outcome=code.value,
        agent_id=author.id, phone=p.get("phone"), to_third_party=bool(p.get("to_third_party")),
        answered=s.is_rpc or code == OutcomeCode.THIRD_PARTY_MET, right_party=s.is_rpc,
        notes=p.get("notes") or "", lat=p.get("lat"), lon=p.get("lon"), recording_sha256=p.get("recording_sha256"),
        no_recording_reason=p.get("no_recording_reason"), collectors=int(p.get("collectors") or 1),
        details=json.dumps(dict(fields), ensure_ascii=False, sort_keys=True)))
    if code == OutcomeCode.PROMISE_TO_PAY:
        session.add(Promise(case_id=case.id, event_id=ev.id, amount_fen=int(fields["promise_amount_fen"]),
                            currency=case.currency, due=date.fromisoformat(str(fields["promise_date"])),
                            made_at=ev.occurred_at))
    elif code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT):
        session.add(Payment(case_id=case.id, event_id=ev.id, amount_fen=int(fields["payment_amount_fen"]),
                            currency=case.currency, method=str(fields["payment_method"]),
                            receipt_no=str(fields["receipt_no"])[:200], paid_at=ev.occurred_at,
                            collector=author.username))
    elif code == OutcomeCode.MOVED:
        session.add(Address(debtor_id=case.debtor_id, kind="other", text=str(fields["new_address"]),
                            district="", event_id=ev.id))
    elif code == OutcomeCode.HARDSHIP:
        session.add(ReliefProposal(case_id=case.id, event_id=ev.id, reason=str(fields["hardship_reason"]),
                                   kind=str(fields["relief_kind"]), detail=str(fields["relief_detail"]),
                                   proposed_at=ev.occurred_at, status="pending"))
    elif code == OutcomeCode.ABORTED_SAFETY:
        note = fields.get("safety_note") or {}
        session.add(SafetyNote(
            uid=ev.id, case_id=case.id, debtor_id=case.debtor_id, category=str(note.get("category", "other")),
            severity=str(note.get("severity", "high")), text=str(note.get("text", "")), reporter=author.username,
            reported_at=ev.occurred_at, two_person_required=bool(note.get("two_person_required")),
            do_not_visit=bool(note.get("do_not_visit")), event_id=ev.id))


def _ordered(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.occurred_at, e.id))


def recompute_case(session: Session, case: Case) -> None:
    events = _ordered(session.scalars(select(Event).where(Event.case_id == case.id,
                                                          Event.kind.in_(PROJECTED_KINDS))))
    status, paused, overdue = case.base_status, case.base_paused_reason, case.base_overdue_fen
    relief: dict[str, str] = {}
    expiries: dict[str, datetime] = {}
    for ev in events:
        p = json.loads(ev.payload)
        if ev.kind == "outcome":
            code = OutcomeCode(p["code"])
            f = p.get("fields") or {}
            if code == OutcomeCode.PROMISE_TO_PAY and status == CaseStatus.OPEN.value:
                status = CaseStatus.PROMISED.value
            elif code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT):
                overdue = max(0, overdue - int(f["payment_amount_fen"]))
                if code == OutcomeCode.PAID_IN_FULL:
                    status = CaseStatus.CLOSED.value
            elif code == OutcomeCode.DISPUTE:
                status, paused = CaseStatus.PAUSED.value, "dispute: " + str(f["dispute_reason"])[:500]
            elif code == OutcomeCode.HARDSHIP:
                status, paused = CaseStatus.PAUSED.value, "hardship: " + str(f["hardship_reason"])
            elif code == OutcomeCode.DECEASED:
                status, paused = CaseStatus.PAUSED.value, "deceased or incapacitated: awaiting head office"
        elif ev.kind == "decision" and ev.status == "accepted" and p.get("subject") == "relief":
            relief[str(p["subject_id"])] = "approved" if p.get("approved") else "rejected"
        elif ev.kind == "safety_note_expired":
            uid = str(p["uid"])
            expiries[uid] = min(expiries.get(uid, ev.occurred_at), ev.occurred_at)
    case.status, case.paused_reason, case.overdue_fen = status, paused, overdue
    case.last_contact_at = session.scalar(select(func.max(Attempt.at)).where(Attempt.case_id == case.id,
                                                                            Attempt.right_party.is_(True)))
    for proposal in session.scalars(select(ReliefProposal).where(ReliefProposal.case_id == case.id,
                                                                 ReliefProposal.event_id.is_not(None))):
        proposal.status = relief.get(str(proposal.event_id), "pending")
    _recompute_notes(session, case, expiries)


def _recompute_notes(session: Session, case: Case, expiries: Mapping[str, datetime]) -> None:
    notes = list(session.scalars(select(SafetyNote).where(
        (SafetyNote.case_id == case.id) | (SafetyNote.debtor_id == case.debtor_id))))
    # Expiry events may have been pushed on another case of the same debtor.
    extra = _expiries_for(session, {n.uid for n in notes if n.case_id != case.id} - set(expiries))
    successors: dict[str, SafetyNote] = {}
    for n in notes:
        if n.supersedes:
            best = successors.get(n.supersedes)
            if best is None or (n.reported_at, n.uid) < (best.reported_at, best.uid):
                successors[n.supersedes] = n
    for n in notes:
        ends = [t for t in (n.own_expires_at, expiries.get(n.uid), extra.get(n.uid)) if t is not None]
        n.expires_at = min(ends) if ends else None
        nxt = successors.get(n.uid)
        n.superseded_by = nxt.uid if nxt else None


def _expiries_for(session: Session, uids: set[str]) -> dict[str, datetime]:
    if not uids:
        return {}
    out: dict[str, datetime] = {}
    for ev in session.scalars(select(Event).where(Event.kind == "safety_note_expired")):
        uid = str(json.loads(ev.payload).get("uid"))
        if uid in uids:
            out[uid] = min(out.get(uid, ev.occurred_at), ev.occurred_at)
    return out
