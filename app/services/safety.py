"""Safety notes (安全提示): add, edit as a new version, expire. Each is a field event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain.clock import ensure_utc, utcnow
from app.domain.enums import SafetyCategory, Severity
from app.domain.text_input import text_problem
from app.domain.validation import MAX_TEXT, OutcomeInvalid
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import append_event

from .casefacts import refresh_case
from .outcomes import CaseNotFound


@dataclass(frozen=True)
class SafetyNoteInput:
    case_id: int
    category: SafetyCategory
    severity: Severity
    text: str
    two_person_required: bool = False
    do_not_visit: bool = False
    expires_at: datetime | None = None
    on_debtor: bool = True  # applies to every case of this debtor (else only this case)


def _validate(data: SafetyNoteInput, now: datetime) -> None:
    errors: dict[str, str] = {}
    if not data.text.strip():
        errors["text"] = "describe the danger"
    elif len(data.text) > MAX_TEXT:
        errors["text"] = f"limited to {MAX_TEXT:,} characters"
    elif (problem := text_problem(data.text, max_length=MAX_TEXT, multiline=True)) is not None:
        errors["text"] = problem  # head office refuses the same
    if data.expires_at is not None and ensure_utc(data.expires_at) <= now:
        errors["expires_at"] = "the expiry must be in the future"
    if errors:
        raise OutcomeInvalid(errors)


def add_safety_note(store: Store, data: SafetyNoteInput, actor: str, now: datetime | None = None,
                    supersedes: str | None = None) -> str:
    """Add a note (or a new version of one). Returns the note's uid."""
    now = ensure_utc(now or utcnow())
    _validate(data, now)
    with store.write() as session:
        case = session.get(m.Case, data.case_id)
        if case is None:
            raise CaseNotFound(f"case {data.case_id} is not on this device")
        uid = str(uuid.uuid4())
        old = None
        if supersedes:
            old = session.query(m.SafetyNote).filter_by(uid=supersedes).one_or_none()
            if old is None:
                raise LookupError(f"safety note {supersedes} not found")
        payload = {"uid": uid, "category": data.category.value, "severity": data.severity.value,
                   "text": data.text, "two_person_required": data.two_person_required,
                   "do_not_visit": data.do_not_visit, "on_debtor": data.on_debtor,
                   "expires_at": ensure_utc(data.expires_at).isoformat() if data.expires_at else None,
                   "supersedes": supersedes}
        event = append_event(session, case_id=case.id, case_version=case.version, kind="safety_note",
                             payload=payload, occurred_at=now, recorded_at=now, actor=actor, replaces=None)
        session.add(m.SafetyNote(
            uid=uid, case_id=case.id, debtor_id=case.debtor_id if data.on_debtor else None,
            category=data.category.value, severity=data.severity.value, text=data.text, reporter=actor,
            reported_at=now, expires_at=data.expires_at, two_person_required=data.two_person_required,
            do_not_visit=data.do_not_visit, supersedes=supersedes, event_id=event.id))
        if old is not None:
            old.superseded_by = uid
        session.flush()
        refresh_case(session, case, now)
        case.version += 1
        case.updated_at = now
        append_audit(session, actor=actor, action="safety_note.added" if not supersedes else "safety_note.edited",
                     entity="case", entity_id=case.id, data={"event": event.id, "note": uid}, at=now)
        return uid


def expire_safety_note(store: Store, uid: str, actor: str, reason: str, now: datetime | None = None) -> None:
    now = ensure_utc(now or utcnow())
    with store.write() as session:
        note = session.query(m.SafetyNote).filter_by(uid=uid).one_or_none()
        if note is None:
            raise LookupError(f"safety note {uid} not found")
        case = session.get(m.Case, note.case_id) if note.case_id else None
        if case is None:
            raise CaseNotFound("the note's case is not on this device")
        note.expires_at = now
        event = append_event(session, case_id=case.id, case_version=case.version, kind="safety_note_expired",
                             payload={"uid": uid, "reason": reason}, occurred_at=now, recorded_at=now, actor=actor)
        session.flush()
        refresh_case(session, case, now)
        case.version += 1
        case.updated_at = now
        append_audit(session, actor=actor, action="safety_note.expired", entity="case", entity_id=case.id,
                     data={"event": event.id, "note": uid}, at=now)
