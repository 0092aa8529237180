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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.domain.enums import CaseStatus
from app.domain.outcomes import OutcomeCode, spec

from .decisions import latest_verdicts
from .models import Address, Attempt, Case, Event, Payment, Promise, ReliefProposal, SafetyNote, User

PROJECTED_KINDS = ("outcome", "safety_note", "safety_note_expired", "decision")


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What projection needs of an event being stored."""

    id: str
    case_id: int
    kind: str
    payload: Mapping[str, Any]
    occurred_at: datetime


class Rows:
    """Rows to insert, collected per table and written in bulk (foreign-key order)."""

    ORDER: tuple[type, ...] = (Attempt, Promise, Payment, Address, ReliefProposal, SafetyNote)

    def __init__(self) -> None:
        self.tables: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.note_uids: set[str] = set()

    def add(self, model: type, **values: Any) -> None:
        self.tables[model].append(values)

    def write(self, session: Session) -> None:
        for model in self.ORDER:
            if self.tables[model]:
                session.execute(insert(model.__table__), self.tables[model])  # type: ignore[attr-defined]
        self.tables.clear()


def project_event(session: Session, rows: Rows, ev: NewEvent, case: Case, author: User) -> str | None:
    """Collect the event's rows. Returns a flag reason when the event cannot be projected as it stands."""
    p = ev.payload
    if ev.kind == "outcome":
        _project_outcome(rows, ev, case, author, p)
    elif ev.kind == "safety_note":
        uid = str(p["uid"])
        if uid in rows.note_uids or session.scalar(select(SafetyNote.id).where(SafetyNote.uid == uid)) is not None:
            return "a safety note with this uid already exists; kept as an event only"
        rows.note_uids.add(uid)
        rows.add(SafetyNote,
                 uid=uid, case_id=case.id, debtor_id=case.debtor_id if p.get("on_debtor", True) else None,
                 category=p["category"], severity=p["severity"], text=p["text"], reporter=author.username,
                 reported_at=ev.occurred_at, own_expires_at=_time(p.get("expires_at")),
                 expires_at=_time(p.get("expires_at")), two_person_required=bool(p.get("two_person_required")),
                 do_not_visit=bool(p.get("do_not_visit")), supersedes=p.get("supersedes"), superseded_by=None,
                 event_id=ev.id)
    return None


def _project_outcome(rows: Rows, ev: NewEvent, case: Case, author: User, p: Mapping[str, Any]) -> None:
    code = OutcomeCode(p["code"])
    s = spec(code)
    fields: Mapping[str, Any] = p.get("fields") or {}
    rows.add(Attempt,
             case_id=case.id, event_id=ev.id, channel=p["channel"], at=ev.occurred_at, outcome=code.value,
             agent_id=author.id, phone=p.get("phone"), to_third_party=bool(p.get("to_third_party")),
             answered=s.is_rpc or code == OutcomeCode.THIRD_PARTY_MET, right_party=s.is_rpc,
             notes=p.get("notes") or "", lat=p.get("lat"), lon=p.get("lon"),
             recording_sha256=p.get("recording_sha256"), no_recording_reason=p.get("no_recording_reason"),
             collectors=int(p.get("collectors") or 1),
             details=json.dumps(dict(fields), ensure_ascii=False, sort_keys=True))
    if code == OutcomeCode.PROMISE_TO_PAY:
        rows.add(Promise, case_id=case.id, event_id=ev.id, amount_fen=int(fields["promise_amount_fen"]),
                 currency=case.currency, due=date.fromisoformat(str(fields["promise_date"])), made_at=ev.occurred_at)
    elif code in (OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT):
        rows.add(Payment, case_id=case.id, event_id=ev.id, amount_fen=int(fields["payment_amount_fen"]),
                 currency=case.currency, method=str(fields["payment_method"]),
                 receipt_no=str(fields["receipt_no"])[:200], paid_at=ev.occurred_at, collector=author.username)
    elif code == OutcomeCode.MOVED:
        rows.add(Address, debtor_id=case.debtor_id, kind="other", text=str(fields["new_address"]), district="",
                 lat=None, lon=None, event_id=ev.id)
    elif code == OutcomeCode.HARDSHIP:
        rows.add(ReliefProposal, case_id=case.id, event_id=ev.id, reason=str(fields["hardship_reason"]),
                 kind=str(fields["relief_kind"]), detail=str(fields["relief_detail"]), proposed_at=ev.occurred_at,
                 status="pending")
    elif code == OutcomeCode.ABORTED_SAFETY:
        note = fields.get("safety_note") or {}
        rows.add(SafetyNote,
                 uid=ev.id, case_id=case.id, debtor_id=case.debtor_id, category=str(note.get("category", "other")),
                 severity=str(note.get("severity", "high")), text=str(note.get("text", "")),
                 reporter=author.username, reported_at=ev.occurred_at, own_expires_at=None, expires_at=None,
                 two_person_required=bool(note.get("two_person_required")),
                 do_not_visit=bool(note.get("do_not_visit")), supersedes=None, superseded_by=None, event_id=ev.id)


# Outcome codes that change derived case state; others need not be read back to recompute it.
_EFFECT_CODES = (OutcomeCode.PROMISE_TO_PAY, OutcomeCode.PAID_IN_FULL, OutcomeCode.PARTIAL_PAYMENT,
                 OutcomeCode.DISPUTE, OutcomeCode.HARDSHIP, OutcomeCode.DECEASED)


@dataclass(frozen=True, slots=True)
class _StoredEvent:
    id: str
    case_id: int
    kind: str
    payload: str
    occurred_at: datetime
    status: str


def _ordered(events: Iterable[_StoredEvent]) -> list[_StoredEvent]:
    return sorted(events, key=lambda e: (e.occurred_at, e.id))


def _chunks(values: list[int], n: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


def recompute_case(session: Session, case: Case) -> None:
    recompute_cases(session, [case])


def changes_state(kind: str, payload: Mapping[str, Any]) -> bool:
    """Whether an event of this kind and payload can change what `recompute_cases` derives (status,
    pause, overdue, last contact, relief status, note expiry and supersession). An outcome that does
    none of that (no answer, a visit nobody opened…) only adds its attempt row."""
    if kind != "outcome":
        return True
    code = OutcomeCode(payload["code"])
    return code in _EFFECT_CODES or code == OutcomeCode.ABORTED_SAFETY or spec(code).is_rpc


def touch_cases(session: Session, cases: Sequence[Case], now: datetime) -> None:
    """A new version for each case (one UPDATE per 500 cases); the objects reload it when read."""
    table: Any = Case.__table__
    for chunk in _chunks([c.id for c in cases]):
        session.execute(update(table).where(table.c.id.in_(chunk)).values(version=table.c.version + 1,
                                                                          updated_at=now))
    for case in cases:
        session.expire(case, ["version", "updated_at"])


def recompute_cases(session: Session, cases: list[Case]) -> None:
    """Derive each case's state from its base and all its events (a few queries for the whole set).

    What changed is written with one UPDATE statement per table for the whole set, not one per row;
    the objects keep the new values as their committed state.
    """
    if not cases:
        return
    ids = [c.id for c in cases]
    events: dict[int, list[_StoredEvent]] = defaultdict(list)
    # Payloads are canonical JSON (sorted keys, no spaces), so an outcome's code appears verbatim;
    # a false match only costs a parse, a miss is impossible.
    affecting = or_(Event.kind != "outcome", *[Event.payload.contains(f'"code":"{c.value}"') for c in _EFFECT_CODES])
    last_contact: dict[int, datetime] = {}
    proposals: dict[int, list[ReliefProposal]] = defaultdict(list)
    notes: dict[int, list[SafetyNote]] = defaultdict(list)
    by_debtor: dict[int, list[int]] = defaultdict(list)
    for c in cases:
        by_debtor[c.debtor_id].append(c.id)
    for chunk in _chunks(ids):
        for row in session.execute(select(Event.id, Event.case_id, Event.kind, Event.payload, Event.occurred_at,
                                          Event.status).where(Event.case_id.in_(chunk),
                                                              Event.kind.in_(PROJECTED_KINDS), affecting)):
            events[row.case_id].append(_StoredEvent(*row))
        for case_id, at in session.execute(select(Attempt.case_id, func.max(Attempt.at)).where(
                Attempt.case_id.in_(chunk), Attempt.right_party.is_(True)).group_by(Attempt.case_id)):
            last_contact[case_id] = at
        for proposal in session.scalars(select(ReliefProposal).where(ReliefProposal.case_id.in_(chunk),
                                                                     ReliefProposal.event_id.is_not(None))):
            proposals[proposal.case_id].append(proposal)
    for chunk in _chunks(list(by_debtor)):
        for n in session.scalars(select(SafetyNote).where(SafetyNote.case_id.in_(ids) |
                                                          SafetyNote.debtor_id.in_(chunk))):
            targets = set(by_debtor.get(n.debtor_id or -1, []))
            if n.case_id in set(ids):
                targets.add(n.case_id)
            for cid in targets:
                notes[cid].append(n)
    case_changes: list[tuple[Any, dict[str, Any]]] = []
    proposal_changes: list[tuple[Any, dict[str, Any]]] = []
    for case in cases:
        status, paused, overdue, relief = _derive(case, _ordered(events[case.id]))
        # UTCTime hands back aware times; an aggregate bypasses the type on SQLite, so normalise here.
        at = last_contact.get(case.id)
        values: dict[str, Any] = {"status": status, "paused_reason": paused, "overdue_fen": overdue,
                                  "last_contact_at": _aware(at) if at is not None else None}
        case_changes.append((case, values))
        for proposal in proposals[case.id]:
            proposal_changes.append((proposal, {"status": relief.get(str(proposal.event_id), "pending")}))
    all_notes = {n.uid: n for ns in notes.values() for n in ns}
    expiries = _expiries(session, events, all_notes, set(ids))
    successors: dict[str, SafetyNote] = {}
    for n in all_notes.values():
        if n.supersedes:
            best = successors.get(n.supersedes)
            if best is None or (n.reported_at, n.uid) < (best.reported_at, best.uid):
                successors[n.supersedes] = n
    note_changes: list[tuple[Any, dict[str, Any]]] = []
    for n in all_notes.values():
        ends = [t for t in (n.own_expires_at, expiries.get(n.uid)) if t is not None]
        nxt = successors.get(n.uid)
        note_changes.append((n, {"expires_at": min(ends) if ends else None,
                                 "superseded_by": nxt.uid if nxt else None}))
    write_changed(session, case_changes)
    write_changed(session, proposal_changes)
    write_changed(session, note_changes)


def write_changed(session: Session, changes: Sequence[tuple[Any, dict[str, Any]]]) -> None:
    """Give loaded objects (all of one model, each with the same keys) new values: those that differ
    are written with one executemany UPDATE by primary key, and the objects take the new values as
    their committed state, so a later flush has nothing to write for them.

    Setting the attributes and letting the session flush would send one UPDATE per row (the SQLite
    driver cannot report an executemany's row counts, so SQLAlchemy checks each row alone), and a
    push recomputes hundreds of cases.
    """
    rows: list[dict[str, Any]] = []
    table: Any = None
    keys: list[str] = []
    for obj, values in changes:
        if all(getattr(obj, k) == v for k, v in values.items()):
            continue
        if table is None:
            mapper = sa_inspect(obj).mapper
            table, keys = mapper.local_table, list(values)
        rows.append({"_pk": sa_inspect(obj).identity[0], **{"_" + k: v for k, v in values.items()}})
        for k, v in values.items():
            set_committed_value(obj, k, v)
    if rows:
        pk = table.primary_key.columns[0]
        session.execute(update(table).where(pk == bindparam("_pk")).values({k: bindparam("_" + k) for k in keys}),
                        rows)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _derive(case: Case, events: list[_StoredEvent]) -> tuple[str, str | None, int, dict[str, str]]:
    """(status, paused reason, overdue, relief proposal verdicts by event id) after these events."""
    status, paused, overdue = case.base_status, case.base_paused_reason, case.base_overdue_fen
    relief: dict[str, str] = {}
    # A flagged fact counts provisionally; one a supervisor rejected does not (see decisions.py).
    verdicts = latest_verdicts((e.id, e.payload, e.occurred_at, 0) for e in events
                               if e.kind == "decision" and e.status == "accepted")
    rejected = {sid for (subject, sid), v in verdicts.items() if subject == "flagged_event" and not v.approved}
    for ev in events:
        if ev.id in rejected:
            continue
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
    return status, paused, overdue, relief


def _expiries(session: Session, events: Mapping[int, list[_StoredEvent]], notes: Mapping[str, SafetyNote],
              case_ids: set[int]) -> dict[str, datetime]:
    """Earliest expiry event per note uid. Notes on other cases of a debtor may have been expired
    through an event on one of those cases: look those up too."""
    out: dict[str, datetime] = {}

    def note(ev: _StoredEvent | Event) -> None:
        uid = str(json.loads(ev.payload).get("uid"))
        if uid in notes:
            out[uid] = min(out.get(uid, ev.occurred_at), ev.occurred_at)

    for evs in events.values():
        for ev in evs:
            if ev.kind == "safety_note_expired":
                note(ev)
    others = sorted({n.case_id for n in notes.values()} - case_ids)
    for chunk in _chunks(others):
        for ev in session.scalars(select(Event).where(Event.case_id.in_(chunk),
                                                      Event.kind == "safety_note_expired")):
            note(ev)
    return out
