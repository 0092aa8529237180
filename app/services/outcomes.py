"""Record what happened at a door (or on the phone): the central use case of the app.

Order of work, all or nothing:
1. validate the outcome's fields (inline errors, nothing saved);
2. run the compliance engine on the act (a block names its rules, nothing saved);
3. in ONE transaction: the event + its outbox row, the projections (attempt, promise, payment,
   relief proposal, safety note, new address), the case's list columns, and an audit entry.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.domain.clock import DEFAULT_ZONE, ensure_utc, local_day, utcnow
from app.domain.compliance import Act, Decision, Override, Profile, evaluate
from app.domain.enums import ActKind, AddressKind, CaseStatus, Channel, PromiseState
from app.domain.model import GeoPoint
from app.domain.money import Money
from app.domain.outcomes import Field, OutcomeCode, spec
from app.domain.promises import PaymentView, PromiseView, evaluate_promise
from app.domain.validation import OutcomeFacts, OutcomeInvalid, clean_outcome_fields  # noqa: F401 (re-export)
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import append_event
from app.store.search import reindex_cases

from .casefacts import compliance_context, refresh_case


class CaseNotFound(LookupError):
    pass


class ComplianceBlocked(Exception):
    def __init__(self, decision: Decision):
        super().__init__(decision.explain("en"))
        self.decision = decision


class StaleCase(Exception):
    """The case changed since the user opened it (e.g. a sync applied a newer version)."""


@dataclass(frozen=True)
class OutcomeInput:
    case_id: int
    code: OutcomeCode
    channel: Channel
    at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""
    phone: str | None = None
    to_third_party: bool = False
    collectors: int = 1
    position: GeoPoint | None = None
    recording_sha256: str | None = None
    no_recording_reason: str | None = None
    safety_acknowledged: bool = False
    override: Override | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RecordedOutcome:
    event_id: str
    attempt_id: int
    case_version: int
    decision: Decision


def act_for(data: OutcomeInput) -> Act:
    kind = {Channel.PHONE: ActKind.CALL, Channel.SMS: ActKind.SMS, Channel.VISIT: ActKind.VISIT,
            Channel.LETTER: ActKind.LETTER}[data.channel]
    if data.to_third_party and kind in (ActKind.CALL, ActKind.SMS, ActKind.VISIT):
        kind = ActKind.THIRD_PARTY_CONTACT
    return Act(kind=kind, at=data.at, phone=data.phone, collectors=data.collectors,
               recording_check=data.channel == Channel.VISIT, recording_sha256=data.recording_sha256,
               no_recording_reason=data.no_recording_reason, safety_acknowledged=data.safety_acknowledged,
               override=data.override)


def check_outcome(store: Store, data: OutcomeInput, profile: Profile, now: datetime | None = None,
                  zone: str = DEFAULT_ZONE) -> tuple[dict[str, Any], Decision]:
    """Validate and judge without saving: (clean fields, decision). Raises OutcomeInvalid."""
    now = now or utcnow()
    with store.read() as session:
        case = session.get(m.Case, data.case_id)
        if case is None:
            raise CaseNotFound(f"case {data.case_id} is not on this device")
        outstanding = sum(a.outstanding_fen for a in case.accounts) or case.overdue_fen
        clean = clean_outcome_fields(data.code, data.channel, data.fields, data.notes,
                                     OutcomeFacts(outstanding, local_day(now, zone), profile.max_promise_days))
        decision = evaluate(act_for(data), compliance_context(session, case, ensure_utc(data.at), data.phone),
                            profile)
    return clean, decision


def record_outcome(store: Store, data: OutcomeInput, profile: Profile, actor: str,
                   now: datetime | None = None, zone: str = DEFAULT_ZONE) -> RecordedOutcome:
    """Validate, judge, then save atomically. Raises OutcomeInvalid, ComplianceBlocked, StaleCase."""
    now = ensure_utc(now or utcnow())
    at = ensure_utc(data.at)
    s = spec(data.code)
    with store.write() as session:
        case = session.get(m.Case, data.case_id)
        if case is None:
            raise CaseNotFound(f"case {data.case_id} is not on this device")
        if data.expected_version is not None and case.version != data.expected_version:
            raise StaleCase(f"case {case.case_no} changed since it was opened; reopen it")
        outstanding = sum(a.outstanding_fen for a in case.accounts) or case.overdue_fen
        clean = clean_outcome_fields(data.code, data.channel, data.fields, data.notes,
                                     OutcomeFacts(outstanding, local_day(now, zone), profile.max_promise_days))
        decision = evaluate(act_for(data), compliance_context(session, case, at, data.phone), profile)
        if not decision.allowed:
            raise ComplianceBlocked(decision)

        payload: dict[str, Any] = {
            "code": data.code.value, "channel": data.channel.value, "notes": data.notes,
            "phone": data.phone, "to_third_party": data.to_third_party, "collectors": data.collectors,
            "lat": data.position.lat if data.position else None,
            "lon": data.position.lon if data.position else None,
            "recording_sha256": data.recording_sha256, "no_recording_reason": data.no_recording_reason,
            "safety_acknowledged": data.safety_acknowledged, "fields": clean,
            "compliance": {"profile": decision.profile_id, "version": decision.profile_version,
                           "overridden": [v.rule for v in decision.overridden],
                           "override_by": data.override.by if data.override and decision.overridden else None,
                           "override_reason": data.override.reason if data.override and decision.overridden
                           else None},
        }
        event = append_event(session, case_id=case.id, case_version=case.version, kind="outcome",
                             payload=payload, occurred_at=at, recorded_at=now, actor=actor)
        attempt = m.ContactAttempt(
            case_id=case.id, event_id=event.id, channel=data.channel.value, at=at, outcome=data.code.value,
            phone=data.phone, to_third_party=data.to_third_party,
            answered=s.is_rpc or data.code == OutcomeCode.THIRD_PARTY_MET,
            right_party=s.is_rpc, notes=data.notes,
            lat=payload["lat"], lon=payload["lon"], recording_sha256=data.recording_sha256,
            no_recording_reason=data.no_recording_reason, collectors=data.collectors,
            details=json.dumps(clean, ensure_ascii=False, sort_keys=True))
        session.add(attempt)
        _apply_effects(session, case, data, clean, event.id, at, actor)
        if s.is_rpc:
            case.last_contact_at = at
        case.version += 1
        case.updated_at = now
        session.flush()
        evaluate_case_promises(session, case, local_day(now, zone), profile.promise_grace_days, zone)
        refresh_case(session, case, now, zone)
        append_audit(session, actor=actor, action="outcome.recorded", entity="case", entity_id=case.id,
                     data={"event": event.id, "code": data.code.value, "channel": data.channel.value,
                           "overridden": [v.rule for v in decision.overridden]}, at=now)
        session.flush()
        return RecordedOutcome(event.id, attempt.id, case.version, decision)


def _apply_effects(session: Any, case: m.Case, data: OutcomeInput, clean: Mapping[str, Any], event_id: str,
                   at: datetime, actor: str) -> None:
    code = data.code
    if code == OutcomeCode.PROMISE_TO_PAY:
        session.add(m.Promise(case_id=case.id, event_id=event_id, amount_fen=clean[Field.PROMISE_AMOUNT.value],
                              currency=case.currency, due=date.fromisoformat(clean[Field.PROMISE_DATE.value]),
                              made_at=at, state=PromiseState.OPEN.value))
        if case.status == CaseStatus.OPEN.value:
            case.status = CaseStatus.PROMISED.value
    elif code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT):
        amount = clean[Field.PAYMENT_AMOUNT.value]
        session.add(m.Payment(case_id=case.id, event_id=event_id, amount_fen=amount, currency=case.currency,
                              method=clean[Field.PAYMENT_METHOD.value], receipt_no=clean[Field.RECEIPT_NO.value],
                              paid_at=at, collector=actor))
        case.overdue_fen = max(0, case.overdue_fen - amount)
        if code == OutcomeCode.PAID_IN_FULL:
            case.status = CaseStatus.CLOSED.value
    elif code == OutcomeCode.MOVED:
        session.add(m.Address(debtor_id=case.debtor_id, kind=AddressKind.OTHER.value,
                              text=clean[Field.NEW_ADDRESS.value], district=""))
        session.flush()
        reindex_cases(session.connection(), [case.id])
    elif code == OutcomeCode.DISPUTE:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "dispute: " + clean[Field.DISPUTE_REASON.value][:500]
    elif code == OutcomeCode.HARDSHIP:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "hardship: " + clean[Field.HARDSHIP_REASON.value]
        session.add(m.ReliefProposal(case_id=case.id, event_id=event_id, reason=clean[Field.HARDSHIP_REASON.value],
                                     kind=clean[Field.RELIEF_KIND.value], detail=clean[Field.RELIEF_DETAIL.value],
                                     proposed_at=at, status="pending"))
    elif code == OutcomeCode.DECEASED:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "deceased or incapacitated: awaiting head office"
    elif code == OutcomeCode.ABORTED_SAFETY:
        note = clean[Field.SAFETY_NOTE.value]
        session.add(m.SafetyNote(uid=str(uuid.uuid4()), case_id=case.id, debtor_id=case.debtor_id,
                                 category=note["category"], severity=note["severity"], text=note["text"],
                                 reporter=actor, reported_at=at, two_person_required=note["two_person_required"],
                                 do_not_visit=note["do_not_visit"], event_id=event_id))


def evaluate_case_promises(session: Any, case: m.Case, today: date, grace_days: int,
                           zone: str = DEFAULT_ZONE) -> list[tuple[int, str]]:
    """Mark open promises kept or broken from the case's payments. Returns (promise id, new state)."""
    changed: list[tuple[int, str]] = []
    promises = session.scalars(select(m.Promise).where(m.Promise.case_id == case.id,
                                                       m.Promise.state == PromiseState.OPEN.value)).all()
    if not promises:
        return changed
    payments = [PaymentView(_money(p.amount_fen, p.currency), p.paid_at)
                for p in session.scalars(select(m.Payment).where(m.Payment.case_id == case.id)).all()]
    for promise in promises:
        state = evaluate_promise(PromiseView(_money(promise.amount_fen, promise.currency), promise.due,
                                             promise.made_at), payments, today, grace_days, zone)
        if state != PromiseState.OPEN:
            promise.state = state.value
            changed.append((promise.id, state.value))
    return changed


def _money(fen: int, currency: str) -> Money:
    return Money(fen, currency)
