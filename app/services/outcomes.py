"""Record what happened at a door (or on the phone): the central use case of the app.

Order of work, all or nothing, in ONE transaction that holds the write lock from its start:
1. validate the outcome's fields (inline errors, nothing saved);
2. run the compliance engine on the act against the case's latest history (a block names its rules,
   nothing saved);
3. write the event + its outbox row, the projections (attempt, promise, payment, relief proposal,
   safety note, new address), the case's list columns, and an audit entry.

With a recording (`record_outcome_with_evidence`): validation and compliance are checked first, then
the file is sealed into the evidence folder (temporary name, fsync, rename: `app.services.evidence`),
then the transaction above also writes the attachment row. A sealing failure saves nothing; a failure
after sealing removes the file it created; a crash between the two leaves a whole sealed file that no
row refers to, which `evidence.sweep_unfinished` removes later. So no event points at a missing file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.domain.clock import DEFAULT_ZONE, ensure_utc, local_day, utcnow
from app.domain.compliance import (
    Act,
    CaseContext,
    Decision,
    HistoryItem,
    Override,
    Profile,
    SafetyFlag,
    evaluate,
)
from app.domain.enums import ActKind, AddressKind, CaseStatus, Channel, PromiseState, Severity
from app.domain.model import GeoPoint
from app.domain.money import Money
from app.domain.outcomes import Field, OutcomeCode, spec
from app.domain.priority import PriorityInputs, score_priority
from app.domain.promises import PaymentView, PromiseView, evaluate_promise
from app.domain.validation import OutcomeFacts, OutcomeInvalid, clean_outcome_fields  # noqa: F401 (re-export)
from app.store import models as m
from app.store.audit import append_audit_db
from app.store.case_snapshot import CaseSnapshot, NoteFact, read_case_snapshot, read_case_totals
from app.store.engine import Store
from app.store.events import append_event_db
from app.store.rows import insert_row, update_row
from app.store.search import reindex_cases_db
from app.store.types import from_db_time, to_db_time

from .casefacts import CHANNEL_ACT, EVASION_CODES
from .errors import CaseNotFound as CaseNotFound  # raised here; defined apart for light importers

if TYPE_CHECKING:  # the evidence service (and its cipher) loads only when a recording is saved
    from .evidence import Check, ChosenFile, Progress, SealedFile


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


def act_for(data: OutcomeInput, recording_kept: bool | None = None) -> Act:
    kind = {Channel.PHONE: ActKind.CALL, Channel.SMS: ActKind.SMS, Channel.VISIT: ActKind.VISIT,
            Channel.LETTER: ActKind.LETTER}[data.channel]
    if data.to_third_party and kind in (ActKind.CALL, ActKind.SMS, ActKind.VISIT):
        kind = ActKind.THIRD_PARTY_CONTACT
    return Act(kind=kind, at=data.at, phone=data.phone, collectors=data.collectors,
               recording_check=data.channel == Channel.VISIT, recording_sha256=data.recording_sha256,
               recording_kept=recording_kept, no_recording_reason=data.no_recording_reason, safety_acknowledged=data.safety_acknowledged,
               override=data.override)


HISTORY_DAYS = 14  # how far back the compliance rules look at a case's attempts
_KEPT_SQL = "SELECT 1 FROM attachments WHERE sha256 = ?"


def _recording_kept(db: Any, data: OutcomeInput, sealing: str | None) -> bool | None:
    """Whether a visit's recording is kept on this device (None: no recording named)."""
    if data.channel != Channel.VISIT or not data.recording_sha256:
        return None
    if sealing is not None and sealing == data.recording_sha256:
        return True
    return db.execute(_KEPT_SQL, (data.recording_sha256,)).fetchone() is not None


def check_outcome(store: Store, data: OutcomeInput, profile: Profile, now: datetime | None = None,
                  zone: str = DEFAULT_ZONE, sealing: str | None = None) -> tuple[dict[str, Any], Decision]:
    """Validate and judge without saving: (clean fields, decision). Raises OutcomeInvalid. `sealing`: the
    hash of a recording about to be sealed with this outcome (counted as kept)."""
    now = now or utcnow()
    at = ensure_utc(data.at)
    with store.read_db() as db:
        snap = read_case_snapshot(db, data.case_id, at - timedelta(days=HISTORY_DAYS), data.phone)
        kept = _recording_kept(db, data, sealing)
    if snap is None:
        raise CaseNotFound(f"case {data.case_id} is not on this device")
    clean = clean_outcome_fields(data.code, data.channel, data.fields, data.notes,
                                 OutcomeFacts(_outstanding(snap), local_day(now, zone), profile.max_promise_days))
    return clean, evaluate(act_for(data, kept), context_of(snap, at), profile)


def prepare_outcome(store: Store, case_id: int, now: datetime | None = None) -> None:
    """Read ahead, on the saving connection, what saving an outcome for this case reads and rewrites: the
    case with its compliance history, what its list columns are computed from, its entry in the list
    index and its place in the event index. The outcome dialog calls it (in the background) when it
    opens, while the agent is still filling it in. It changes nothing; on an encrypted store it spares
    the save decrypting those pages (measured by `benchmarks --only security`)."""
    now = ensure_utc(now or utcnow())
    with store.writer_reads() as db:
        snap = read_case_snapshot(db, case_id, now - timedelta(days=HISTORY_DAYS), None)
        if snap is None:
            return
        read_case_totals(db, snap.id, snap.debtor_id, now - timedelta(days=30), EVASION_CODES)
        db.execute("SELECT count(*) FROM cases INDEXED BY ix_cases_list WHERE priority = ? AND id = ?",
                   (snap.priority, snap.id)).fetchone()
        db.execute("SELECT max(occurred_at) FROM events WHERE case_id = ?", (snap.id,)).fetchone()


def record_outcome(store: Store, data: OutcomeInput, profile: Profile, actor: str,
                   now: datetime | None = None, zone: str = DEFAULT_ZONE,
                   evidence: SealedFile | None = None) -> RecordedOutcome:
    """Validate, judge, then save atomically. Raises OutcomeInvalid, ComplianceBlocked, StaleCase.

    `evidence`: a file already sealed into the evidence folder for this outcome; its attachment row is
    written in the same transaction as the event that names it. A visit naming a recording that is not
    kept on this device counts as not recorded where the profile requires recordings.

    The hot path of the app, so it runs on the bare DB-API connection (`Store.write_db`): one statement
    reads the case and everything the rules need, a handful of inserts, one statement reads what the
    list columns are computed from, one UPDATE of the case, the audit entry. The transaction is
    `BEGIN IMMEDIATE`, so the history the rules judged is the history the event is appended to."""
    now = ensure_utc(now or utcnow())
    at = ensure_utc(data.at)
    s = spec(data.code)
    today = local_day(now, zone)
    with store.write_db() as db:
        snap = read_case_snapshot(db, data.case_id, at - timedelta(days=HISTORY_DAYS), data.phone)
        if snap is None:
            raise CaseNotFound(f"case {data.case_id} is not on this device")
        if data.expected_version is not None and snap.version != data.expected_version:
            raise StaleCase(f"case {snap.case_no} changed since it was opened; reopen it")
        clean = clean_outcome_fields(data.code, data.channel, data.fields, data.notes,
                                     OutcomeFacts(_outstanding(snap), today, profile.max_promise_days))
        act = act_for(data, _recording_kept(db, data, evidence.sha256 if evidence else None))
        decision = evaluate(act, context_of(snap, at), profile)
        if not decision.allowed:
            raise ComplianceBlocked(decision)
        if evidence is not None:
            db.execute("INSERT OR IGNORE INTO attachments (sha256, case_id, media_type, size, created_at, uploaded) "
                       "VALUES (?, ?, ?, ?, ?, 0)", (evidence.sha256, snap.id, evidence.media_type, evidence.size,
                                                     to_db_time(now)))

        payload = _payload(data, clean, decision)
        event_id, _seq = append_event_db(db, case_id=snap.id, case_version=snap.version, kind="outcome",
                                         payload=payload, occurred_at=at, recorded_at=now, actor=actor)
        attempt_id = insert_row(db, "contact_attempts", {
            "case_id": snap.id, "event_id": event_id, "channel": data.channel.value, "at": to_db_time(at),
            "outcome": data.code.value, "agent_id": None, "phone": data.phone,
            "to_third_party": data.to_third_party,
            "answered": s.is_rpc or data.code == OutcomeCode.THIRD_PARTY_MET, "right_party": s.is_rpc,
            "notes": data.notes, "lat": payload["lat"], "lon": payload["lon"],
            "recording_sha256": data.recording_sha256, "no_recording_reason": data.no_recording_reason,
            "collectors": data.collectors, "details": json.dumps(clean, ensure_ascii=False, sort_keys=True)})
        case = _CaseColumns(status=snap.status, paused_reason=snap.paused_reason, overdue_fen=snap.overdue_fen)
        _apply_effects(db, snap, case, data, clean, event_id, at, actor)
        columns = _list_columns(db, snap, case, now, today, profile.promise_grace_days, zone)
        columns.update(status=case.status, paused_reason=case.paused_reason, overdue_fen=case.overdue_fen)
        if s.is_rpc:
            columns["last_contact_at"] = to_db_time(at)
        # Only what changes is SET: every column named in an UPDATE rewrites its entries in the list's indexes.
        changed = {k: v for k, v in columns.items() if v != getattr(snap, k)}
        changed["version"] = snap.version + 1
        changed["updated_at"] = to_db_time(now)
        update_row(db, "cases", "id", snap.id, changed)
        append_audit_db(db, actor=actor, action="outcome.recorded", entity="case", entity_id=snap.id,
                        data={"event": event_id, "code": data.code.value, "channel": data.channel.value,
                              "overridden": [v.rule for v in decision.overridden]}, at=now)
    return RecordedOutcome(event_id, attempt_id, snap.version + 1, decision)


def record_outcome_with_evidence(store: Store, data: OutcomeInput, profile: Profile, actor: str, *, folder: Path,
                                 key: bytes | bytearray, chosen: ChosenFile, now: datetime | None = None,
                                 zone: str = DEFAULT_ZONE, progress: Progress | None = None,
                                 check: Check | None = None) -> RecordedOutcome:
    """Save an outcome with the file chosen as its recording: check, seal (in chunks, with progress and
    cancel through `check`), then the one transaction that writes the event and the attachment row.
    Raises OutcomeInvalid / ComplianceBlocked before anything is written, EvidenceError when the file cannot
    be sealed (nothing stored), StaleCase etc. after sealing (the new file is removed again)."""
    from .evidence import discard_sealed, seal_file

    data = replace(data, recording_sha256=chosen.sha256)
    _clean, decision = check_outcome(store, data, profile, now=now, zone=zone, sealing=chosen.sha256)
    if not decision.allowed:
        raise ComplianceBlocked(decision)
    sealed = seal_file(folder, key, chosen, progress=progress, check=check)
    try:
        return record_outcome(store, data, profile, actor, now=now, zone=zone, evidence=sealed)
    except BaseException:
        discard_sealed(sealed)
        raise


def _outstanding(snap: CaseSnapshot) -> int:
    return snap.accounts_outstanding_fen or snap.overdue_fen


def _active(notes: list[NoteFact], at: datetime) -> list[NoteFact]:
    """Notes in force at `at`, newest first (as `casefacts.active_safety_notes`)."""
    moment = to_db_time(at)  # stored times are fixed-width UTC text: they compare as they sort
    live = [n for n in notes if n.reported_at <= moment and (n.expires_at is None or moment < n.expires_at)]
    return sorted(live, key=lambda n: n.reported_at, reverse=True)


def context_of(snap: CaseSnapshot, at: datetime) -> CaseContext:
    """What the compliance engine needs, from the snapshot (as `casefacts.compliance_context`)."""
    history = [HistoryItem(at=from_db_time(a.at),
                           kind=ActKind.THIRD_PARTY_CONTACT if a.to_third_party else CHANNEL_ACT[a.channel],
                           answered=a.answered, right_party=a.right_party, phone=a.phone,
                           to_third_party=a.to_third_party)
               for a in sorted(snap.attempts, key=lambda a: a.at)]
    return CaseContext(
        history=history,
        all_debtor_numbers_invalid=bool(snap.phone_statuses) and all(st == "invalid" for st in snap.phone_statuses),
        paused_reason=snap.paused_reason if snap.status == CaseStatus.PAUSED.value else None,
        safety=[SafetyFlag(Severity(n.severity).rank, n.two_person_required, n.do_not_visit, n.text)
                for n in _active(snap.notes, at)],
        third_party_refused=snap.third_party_refused,
    )


def _payload(data: OutcomeInput, clean: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    return {
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


@dataclass
class _CaseColumns:
    """The case columns an outcome's effects may change, before they are written in one UPDATE."""

    status: str
    paused_reason: str | None
    overdue_fen: int


def _apply_effects(db: Any, snap: CaseSnapshot, case: _CaseColumns, data: OutcomeInput, clean: Mapping[str, Any],
                   event_id: str, at: datetime, actor: str) -> None:
    code = data.code
    at_db = to_db_time(at)
    if code == OutcomeCode.PROMISE_TO_PAY:
        insert_row(db, "promises", {"case_id": snap.id, "event_id": event_id,
                                    "amount_fen": clean[Field.PROMISE_AMOUNT.value], "currency": snap.currency,
                                    "due": date.fromisoformat(clean[Field.PROMISE_DATE.value]).isoformat(),
                                    "made_at": at_db, "state": PromiseState.OPEN.value})
        if case.status == CaseStatus.OPEN.value:
            case.status = CaseStatus.PROMISED.value
    elif code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT):
        amount = clean[Field.PAYMENT_AMOUNT.value]
        insert_row(db, "payments", {"case_id": snap.id, "event_id": event_id, "amount_fen": amount,
                                    "currency": snap.currency, "method": clean[Field.PAYMENT_METHOD.value],
                                    "receipt_no": clean[Field.RECEIPT_NO.value], "paid_at": at_db,
                                    "collector": actor})
        case.overdue_fen = max(0, case.overdue_fen - amount)
        if code == OutcomeCode.PAID_IN_FULL:
            case.status = CaseStatus.CLOSED.value
    elif code == OutcomeCode.MOVED:
        insert_row(db, "addresses", {"debtor_id": snap.debtor_id, "kind": AddressKind.OTHER.value,
                                     "text": clean[Field.NEW_ADDRESS.value], "district": "", "lat": None,
                                     "lon": None})
        reindex_cases_db(db, [snap.id])
    elif code == OutcomeCode.DISPUTE:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "dispute: " + clean[Field.DISPUTE_REASON.value][:500]
    elif code == OutcomeCode.HARDSHIP:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "hardship: " + clean[Field.HARDSHIP_REASON.value]
        insert_row(db, "relief_proposals", {
            "case_id": snap.id, "event_id": event_id, "reason": clean[Field.HARDSHIP_REASON.value],
            "kind": clean[Field.RELIEF_KIND.value], "detail": clean[Field.RELIEF_DETAIL.value],
            "proposed_at": at_db, "status": "pending", "decided_by": None, "decision_reason": None,
            "decided_at": None})
    elif code == OutcomeCode.DECEASED:
        case.status = CaseStatus.PAUSED.value
        case.paused_reason = "deceased or incapacitated: awaiting head office"
    elif code == OutcomeCode.ABORTED_SAFETY:
        note = clean[Field.SAFETY_NOTE.value]
        insert_row(db, "safety_notes", {
            "uid": str(uuid.uuid4()), "case_id": snap.id, "debtor_id": snap.debtor_id, "address_id": None,
            "category": note["category"], "severity": note["severity"], "text": note["text"], "reporter": actor,
            "reported_at": at_db, "expires_at": None, "two_person_required": note["two_person_required"],
            "do_not_visit": note["do_not_visit"], "supersedes": None, "superseded_by": None,
            "event_id": event_id})


def _list_columns(db: Any, snap: CaseSnapshot, case: _CaseColumns, now: datetime, today: date, grace_days: int,
                  zone: str) -> dict[str, Any]:
    """Mark the case's open promises kept or broken, then recompute its list columns (promise due, safety
    level, priority and reasons, promised → open): what `evaluate_case_promises` then
    `casefacts.refresh_case` do, from one read. Returns the new values (`case.status` is updated in place)."""
    totals = read_case_totals(db, snap.id, snap.debtor_id, now - timedelta(days=30), EVASION_CODES)
    broken = totals.broken_promises
    open_dues: list[date] = []
    if totals.open_promises:
        payments = [PaymentView(Money(p.amount_fen, p.currency), from_db_time(p.paid_at)) for p in totals.payments]
        for promise in totals.open_promises:
            due = date.fromisoformat(promise.due)
            state = evaluate_promise(PromiseView(Money(promise.amount_fen, promise.currency), due,
                                                 from_db_time(promise.made_at)), payments, today, grace_days, zone)
            if state == PromiseState.OPEN:
                open_dues.append(due)
            else:
                update_row(db, "promises", "id", promise.id, {"state": state.value})
                broken += state == PromiseState.BROKEN
    open_due = min(open_dues, default=None)
    last_rpc = from_db_time(totals.last_right_party_at) if totals.last_right_party_at else None
    score = score_priority(PriorityInputs(
        days_past_due=snap.days_past_due,
        overdue_fen=case.overdue_fen,
        broken_promises=broken,
        evasion_signals=totals.evasion_signals,
        days_since_last_contact=None if last_rpc is None else max(0, (now - last_rpc).days),
        hardship_open=bool(totals.pending_relief),
        dispute_open=case.status == CaseStatus.PAUSED.value and (case.paused_reason or "").startswith("dispute"),
        promise_due_soon=open_due is not None and today <= open_due <= today + timedelta(days=1),
    ))
    if open_due is None and case.status == CaseStatus.PROMISED.value:
        case.status = CaseStatus.OPEN.value
    return {
        "promise_due": None if open_due is None else open_due.isoformat(),
        "safety_level": max((Severity(n.severity).rank for n in _active(totals.notes, now)), default=0),
        "priority": score.score,
        "priority_reasons": json.dumps(
            [{"code": r.code, "points": r.points, "text": r.text, "args": list(r.args)} for r in score.reasons],
            ensure_ascii=False),
    }


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
