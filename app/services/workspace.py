"""What the agent workspace reads: a case's detail and timeline, today's cases, the sync queue.

Read-only use cases for the desktop window (plus the audited reveal of a debtor's contact details).
Everything personal leaves here masked; the full values come only from `reveal_contacts`, which
writes an audit entry first. No Qt here: the window calls these from its background worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text

from app.domain.clock import DEFAULT_ZONE, ensure_utc, local, local_day, utcnow
from app.domain.enums import Bucket
from app.domain.masking import mask_id_number, mask_name, mask_phone
from app.store import models as m
from app.store.engine import Store
from app.store.notices import read_decision
from app.store.syncstate import LAST_SYNC, USER, get_state
from app.store.types import from_db_time

from .casefacts import active_safety_notes
from .errors import CaseNotFound
from .ladder_trail import ladder_state, letter_pdfs, trail_entries
from .privacy import record_reveal


@dataclass(frozen=True, slots=True)
class PhoneLine:
    id: int
    masked: str
    label: str
    status: str


@dataclass(frozen=True, slots=True)
class AddressLine:
    id: int
    kind: str
    text: str
    district: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class ContactLine:
    id: int
    masked_name: str
    relation: str
    masked_phone: str
    refused_contact: bool


@dataclass(frozen=True, slots=True)
class AccountLine:
    loan_no: str
    product: str
    principal_fen: int
    outstanding_fen: int
    overdue_fen: int
    currency: str
    days_past_due: int
    bucket: str
    missed_instalments: int
    last_payment_on: date | None


@dataclass(frozen=True, slots=True)
class SafetyLine:
    uid: str
    category: str
    severity: str
    text: str
    reporter: str
    reported_at: datetime
    expires_at: datetime | None
    two_person_required: bool
    do_not_visit: bool


@dataclass(frozen=True, slots=True)
class ReasonLine:
    code: str
    points: float
    text: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class CaseDetail:
    id: int
    case_no: str
    version: int
    stage: str
    status: str
    trigger: str | None
    paused_reason: str | None
    priority: float
    reasons: tuple[ReasonLine, ...]
    debtor_name_masked: str
    id_number_masked: str
    phones: tuple[PhoneLine, ...]
    addresses: tuple[AddressLine, ...]
    contacts: tuple[ContactLine, ...]
    accounts: tuple[AccountLine, ...]
    safety: tuple[SafetyLine, ...]
    overdue_fen: int
    outstanding_fen: int
    currency: str
    days_past_due: int
    bucket: str
    district: str
    promise_due: date | None
    next_action_on: date | None
    agent_name: str
    pending_relief: int
    # The newest decided relief proposal: (status, decided by, reason), once a supervisor's decision arrived.
    relief_decision: tuple[str, str, str] | None = None
    # Head office's escalation ladder: the case's level and why it is at a door (TriggerData as a dict).
    ladder_level: str | None = None
    trigger_why: dict[str, Any] | None = None

    @property
    def safety_level(self) -> int:
        return max(({"low": 1, "medium": 2, "high": 3}.get(s.severity, 0) for s in self.safety), default=0)

    @property
    def two_person_required(self) -> bool:
        return any(s.two_person_required for s in self.safety)

    @property
    def do_not_visit(self) -> bool:
        return any(s.do_not_visit for s in self.safety)


@dataclass(frozen=True, slots=True)
class RevealedContacts:
    """Unmasked personal data of one case, handed out only after an audit entry is written."""

    case_id: int
    debtor_name: str
    id_number: str
    phones: dict[int, str]
    contacts: dict[int, tuple[str, str]]  # contact id → (name, phone)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    kind: str  # attempt | payment | promise | safety_note | relief | decision | evidence | ladder
    code: str  # outcome code, promise state, payment method, safety category, relief kind, trail kind
    channel: str = ""
    amount_fen: int | None = None
    currency: str = "CNY"
    due: date | None = None
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboxLine:
    device_seq: int
    event_id: str
    kind: str
    case_id: int
    case_no: str
    occurred_at: datetime
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class DeadLine:
    event_id: str
    kind: str
    case_id: int
    case_no: str
    status_code: int
    error: str
    at: datetime


@dataclass(frozen=True)
class SyncOverview:
    pending: int
    dead: int
    last_sync: str | None
    outbox: tuple[OutboxLine, ...]
    dead_letters: tuple[DeadLine, ...]


def _reasons(raw: str) -> tuple[ReasonLine, ...]:
    try:
        items = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return ()
    out: list[ReasonLine] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            out.append(ReasonLine(str(item.get("code", "")), float(item.get("points", 0.0)),
                                  str(item.get("text", "")), tuple(str(a) for a in item.get("args", []))))
    return tuple(out)


def load_case_detail(store: Store, case_id: int, now: datetime | None = None) -> CaseDetail:
    """Everything the detail panel shows about one case, personal data masked."""
    now = ensure_utc(now or utcnow())
    with store.read() as session:
        case = session.get(m.Case, case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} is not on this device")
        debtor = case.debtor
        agent = session.get(m.Agent, case.agent_id) if case.agent_id else None
        notes = active_safety_notes(session, case, now)
        relief = session.scalar(select(func.count()).select_from(m.ReliefProposal).where(
            m.ReliefProposal.case_id == case.id, m.ReliefProposal.status == "pending")) or 0
        decided = session.execute(select(m.ReliefProposal.status, m.ReliefProposal.decided_by,
                                         m.ReliefProposal.decision_reason).where(
            m.ReliefProposal.case_id == case.id, m.ReliefProposal.status != "pending").order_by(
            m.ReliefProposal.decided_at.desc(), m.ReliefProposal.id.desc()).limit(1)).first()
        accounts = tuple(AccountLine(
            a.loan_no, a.product, a.principal_fen, a.outstanding_fen, a.overdue_fen, a.currency, a.days_past_due,
            Bucket.for_days(a.days_past_due).value if a.days_past_due >= 1 else "", a.missed_instalments,
            a.last_payment_on) for a in case.accounts)
        ladder = ladder_state(session, case.id)
        return CaseDetail(
            id=case.id, case_no=case.case_no, version=case.version, stage=case.stage, status=case.status,
            trigger=case.trigger, paused_reason=case.paused_reason, priority=case.priority,
            reasons=_reasons(case.priority_reasons),
            debtor_name_masked=mask_name(debtor.name), id_number_masked=mask_id_number(debtor.id_number),
            phones=tuple(PhoneLine(p.id, mask_phone(p.number), p.label, p.status) for p in debtor.phones),
            addresses=tuple(AddressLine(a.id, a.kind, a.text, a.district, a.lat, a.lon) for a in debtor.addresses),
            contacts=tuple(ContactLine(c.id, mask_name(c.name), c.relation, mask_phone(c.phone), c.refused_contact)
                           for c in debtor.contacts),
            accounts=accounts,
            safety=tuple(SafetyLine(n.uid, n.category, n.severity, n.text, n.reporter, n.reported_at, n.expires_at,
                                    n.two_person_required, n.do_not_visit) for n in notes),
            overdue_fen=case.overdue_fen, outstanding_fen=sum(a.outstanding_fen for a in case.accounts),
            currency=case.currency, days_past_due=case.days_past_due, bucket=case.bucket, district=case.district,
            promise_due=case.promise_due, next_action_on=case.next_action_on,
            agent_name=agent.display_name if agent else "", pending_relief=int(relief),
            relief_decision=(str(decided[0]), str(decided[1] or ""), str(decided[2] or "")) if decided else None,
            ladder_level=ladder.level, trigger_why=ladder.why,
        )


def reveal_contacts(store: Store, case_id: int, actor: str, now: datetime | None = None) -> RevealedContacts:
    """The case's unmasked personal data. Writes a `pii.revealed` audit entry in the same transaction."""
    now = ensure_utc(now or utcnow())
    with store.write() as session:
        case = session.get(m.Case, case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} is not on this device")
        debtor = case.debtor
        # Audit entry + pii_revealed event (queued for head office, which keeps the agents' reveal trail).
        record_reveal(session, case, ["name", "id_number", "phones", "contacts"], actor, now)
        return RevealedContacts(
            case_id=case.id, debtor_name=debtor.name, id_number=debtor.id_number,
            phones={p.id: p.number for p in debtor.phones},
            contacts={c.id: (c.name, c.phone) for c in debtor.contacts},
        )


def _details(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def case_timeline(store: Store, case_id: int) -> list[TimelineItem]:
    """Every attempt, outcome, payment, promise, safety note (all versions), relief proposal, evidence file
    (sealed here, or uploaded) and step of head office's escalation ladder (kind "ladder", code the trail
    kind; a letter's PDF is its item, not an evidence file of its own), newest first."""
    items: list[TimelineItem] = []
    with store.read() as session:
        for a in session.scalars(select(m.ContactAttempt).where(m.ContactAttempt.case_id == case_id)):
            items.append(TimelineItem(a.at, "attempt", a.outcome, channel=a.channel, text=a.notes,
                                      details=_details(a.details) | {
                                          "collectors": a.collectors, "to_third_party": a.to_third_party,
                                          "recorded": bool(a.recording_sha256),
                                          "no_recording_reason": a.no_recording_reason or ""}))
        for p in session.scalars(select(m.Payment).where(m.Payment.case_id == case_id)):
            items.append(TimelineItem(p.paid_at, "payment", p.method, amount_fen=p.amount_fen, currency=p.currency,
                                      text=p.receipt_no))
        for pr in session.scalars(select(m.Promise).where(m.Promise.case_id == case_id)):
            items.append(TimelineItem(pr.made_at, "promise", pr.state, amount_fen=pr.amount_fen,
                                      currency=pr.currency, due=pr.due))
        case = session.get(m.Case, case_id)
        debtor_id = case.debtor_id if case else -1
        for n in session.scalars(select(m.SafetyNote).where(
                (m.SafetyNote.case_id == case_id) | (m.SafetyNote.debtor_id == debtor_id))):
            items.append(TimelineItem(n.reported_at, "safety_note", n.category, text=n.text, details={
                "severity": n.severity, "two_person_required": n.two_person_required,
                "do_not_visit": n.do_not_visit, "superseded": n.superseded_by is not None,
                "expires_at": n.expires_at.isoformat() if n.expires_at else None, "uid": n.uid}))
        for r in session.scalars(select(m.ReliefProposal).where(m.ReliefProposal.case_id == case_id)):
            items.append(TimelineItem(r.proposed_at, "relief", r.kind, text=r.detail,
                                      details={"reason": r.reason, "status": r.status,
                                               "decided_by": r.decided_by or ""}))
        for n in session.scalars(select(m.Notice).where(m.Notice.case_id == case_id, m.Notice.kind == "decision")):
            verdict = read_decision(n.text)  # a supervisor's verdict (sync)
            if verdict is None:  # the older free-text form
                items.append(TimelineItem(n.at, "decision", "", text=n.text))
            else:
                items.append(TimelineItem(n.at, "decision", str(verdict["subject"]), text=str(verdict["reason"]),
                                          details={"approved": bool(verdict["approved"]), "by": str(verdict["by"])}))
        for at, kind, data in reversed(trail_entries(session, case_id)):  # newest first among equal times
            items.append(TimelineItem(at, "ladder", kind, details=data))
        letters = letter_pdfs(session, case_id)
        for ev in session.scalars(select(m.Attachment).where(m.Attachment.case_id == case_id)):
            if ev.sha256 in letters:
                continue
            items.append(TimelineItem(ev.created_at, "evidence", ev.media_type, details={
                "sha256": ev.sha256, "size": ev.size, "uploaded": bool(ev.uploaded)}))
    items.sort(key=lambda i: ensure_utc(i.at), reverse=True)
    return items


def planned_case_ids(data: str) -> list[int]:
    """Case ids in a saved day plan's JSON, in visiting order. Tolerates any shape it does not know."""
    try:
        plan = json.loads(data)
    except (json.JSONDecodeError, TypeError):
        return []
    stops: Any = plan.get("stops", plan.get("case_ids", [])) if isinstance(plan, dict) else plan
    out: list[int] = []
    for stop in stops if isinstance(stops, list) else []:
        value = stop.get("case_id") if isinstance(stop, dict) else stop
        if isinstance(value, int) and not isinstance(value, bool) and value not in out:
            out.append(value)
    return out


def today_case_ids(store: Store, now: datetime | None = None, zone: str = DEFAULT_ZONE,
                   agent_id: int | None = None) -> list[int]:
    """Today's cases: the day plan's stops in order first, then promises and actions due today by priority."""
    today = local_day(ensure_utc(now or utcnow()), zone)
    with store.engine.connect() as conn:
        sql = "SELECT data FROM day_plans WHERE day = :day"
        params: dict[str, object] = {"day": today.isoformat()}
        if agent_id is not None:
            sql += " AND agent_id = :agent"
            params["agent"] = agent_id
        planned: list[int] = []
        for (data,) in conn.execute(text(sql + " ORDER BY id"), params):
            planned += [i for i in planned_case_ids(data) if i not in planned]
        due_sql = ("SELECT id FROM cases WHERE (promise_due = :day OR next_action_on = :day) "
                   "AND status NOT IN ('closed', 'returned')")
        if agent_id is not None:
            due_sql += " AND agent_id = :agent"
        due = [r[0] for r in conn.execute(text(due_sql + " ORDER BY priority DESC, id"), params)]
        known = {r[0] for r in conn.execute(text("SELECT id FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
                                            {"ids": json.dumps(planned)})}
    seen = set()
    out: list[int] = []
    for cid in [i for i in planned if i in known] + due:
        if cid not in seen:
            seen.add(cid)
            out.append(cid)
    return out


def pending_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())


def last_sync(store: Store, zone: str = DEFAULT_ZONE) -> str | None:
    """When the last sync finished, as 'YYYY-MM-DD HH:MM' on the user's clock (stored as UTC)."""
    with store.read() as session:
        return _local_stamp(get_state(session, LAST_SYNC), zone)


def _local_stamp(stored: str | None, zone: str = DEFAULT_ZONE) -> str | None:
    if not stored:
        return None
    try:
        when = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    except ValueError:
        return stored
    if when.tzinfo is None:
        return stored
    return local(when, zone).strftime("%Y-%m-%d %H:%M")


def sync_overview(store: Store, limit: int = 500) -> SyncOverview:
    """What waits to upload and what failed, for the sync page (the first `limit` of each)."""
    with store.engine.connect() as conn:
        pending = int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())
        dead = int(conn.execute(text("SELECT count(*) FROM dead_letters")).scalar_one())
        outbox = conn.execute(text(
            "SELECT o.device_seq, e.id, e.kind, e.case_id, COALESCE(c.case_no, ''), e.occurred_at, o.attempts, "
            "o.last_error FROM outbox o JOIN events e ON e.id = o.event_id LEFT JOIN cases c ON c.id = e.case_id "
            "ORDER BY o.id LIMIT :limit"), {"limit": limit}).all()
        dead_rows = conn.execute(text(
            "SELECT e.id, e.kind, e.case_id, COALESCE(c.case_no, ''), d.status_code, d.error, d.at "
            "FROM dead_letters d JOIN events e ON e.id = d.event_id LEFT JOIN cases c ON c.id = e.case_id "
            "ORDER BY d.at DESC LIMIT :limit"), {"limit": limit}).all()
    with store.read() as session:
        last = _local_stamp(get_state(session, LAST_SYNC))
    return SyncOverview(
        pending=pending, dead=dead, last_sync=last,
        outbox=tuple(OutboxLine(r[0], r[1], r[2], r[3], r[4], from_db_time(r[5]), r[6], r[7]) for r in outbox),
        dead_letters=tuple(DeadLine(r[0], r[1], r[2], r[3], r[4], r[5], from_db_time(r[6])) for r in dead_rows),
    )


def actor_name(store: Store, default: str = "local") -> str:
    """Who is working on this device (the signed-in user once login exists; the device's user before)."""
    with store.read() as session:
        return get_state(session, USER) or default


def contact_number(store: Store, case_id: int, kind: str, row_id: int) -> str:
    """The full number of one of the case's debtor phones ('phone') or emergency contacts ('contact').

    For the compliance engine, which counts attempts per number; the number is not shown.
    """
    with store.read() as session:
        case = session.get(m.Case, case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} is not on this device")
        if kind == "phone":
            phone = session.get(m.Phone, row_id)
            if phone is None or phone.debtor_id != case.debtor_id:
                raise LookupError("that phone number does not belong to this debtor")
            return phone.number
        contact = session.get(m.EmergencyContact, row_id)
        if contact is None or contact.debtor_id != case.debtor_id:
            raise LookupError("that contact does not belong to this debtor")
        return contact.phone


@dataclass(frozen=True, slots=True)
class MapPoint:
    """One case placed at its debtor's home (else first) address, for the map."""

    id: int
    case_no: str
    label: str
    lat: float
    lon: float
    priority: float
    safety_level: int
    status: str


def map_points(store: Store, case_ids: list[int]) -> list[MapPoint]:
    """Positions of these cases (those with a located address), names masked, in the order given."""
    if not case_ids:
        return []
    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.id, c.case_no, c.debtor_name, a.lat, a.lon, c.priority, c.safety_level, c.status "
            "FROM cases c JOIN addresses a ON a.id = (SELECT a2.id FROM addresses a2 WHERE a2.debtor_id = c.debtor_id "
            "AND a2.lat IS NOT NULL ORDER BY a2.kind != 'home', a2.id LIMIT 1) "
            "WHERE c.id IN (SELECT value FROM json_each(:ids))"), {"ids": json.dumps(case_ids)}).all()
    found = {r[0]: MapPoint(r[0], r[1], f"{r[1]} {mask_name(r[2])}", r[3], r[4], r[5], r[6], r[7]) for r in rows}
    return [found[i] for i in case_ids if i in found]


def agent_id_for(store: Store, username: str) -> int | None:
    """The id of the agent with this username on this device, if there is one."""
    with store.engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM agents WHERE username = :u"), {"u": username}).scalar()
    return int(found) if found is not None else None


def case_id_by_number(store: Store, case_no: str) -> int | None:
    """The id of the case with this case number on this device, if there is one."""
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT id FROM cases WHERE case_no = :no"), {"no": case_no}).first()
    return int(row[0]) if row else None
