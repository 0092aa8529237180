"""Build wire `CaseData` / `CaseSummary` from the head-office tables, a page of cases at a time."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.contract.v1 import (
    AccountData,
    AddressData,
    CaseData,
    CaseSummary,
    ContactData,
    HistoryItemData,
    PhoneData,
    SafetyNoteData,
)

from .models import Attempt, Case, Debtor, SafetyNote

HISTORY_LIMIT = 200  # newest attempts sent per case (compliance caps need days, the timeline a few months)


def load_cases(session: Session, ids: Sequence[int]) -> dict[int, Case]:
    if not ids:
        return {}
    rows = session.scalars(select(Case).where(Case.id.in_(ids)).options(
        selectinload(Case.accounts),
        selectinload(Case.debtor).selectinload(Debtor.phones),
        selectinload(Case.debtor).selectinload(Debtor.addresses),
        selectinload(Case.debtor).selectinload(Debtor.contacts)))
    return {c.id: c for c in rows}


def case_data(session: Session, cases: Sequence[Case], now: datetime) -> dict[int, CaseData]:
    ids = [c.id for c in cases]
    if not ids:
        return {}
    debtor_ids = {c.debtor_id for c in cases}
    notes: dict[int, list[SafetyNote]] = defaultdict(list)
    for note in session.scalars(select(SafetyNote).where(
            (SafetyNote.case_id.in_(ids)) | (SafetyNote.debtor_id.in_(debtor_ids)))
            .order_by(SafetyNote.reported_at, SafetyNote.uid)):
        notes[note.case_id].append(note)
        if note.debtor_id is not None:
            for c in cases:
                if c.debtor_id == note.debtor_id and c.id != note.case_id:
                    notes[c.id].append(note)
    history: dict[int, list[Attempt]] = defaultdict(list)
    for a in session.scalars(select(Attempt).where(Attempt.case_id.in_(ids))
                             .order_by(Attempt.at.desc(), Attempt.event_id.desc(), Attempt.id.desc())):
        if len(history[a.case_id]) < HISTORY_LIMIT:
            history[a.case_id].append(a)
    out: dict[int, CaseData] = {}
    for c in cases:
        d = c.debtor
        out[c.id] = CaseData(
            id=c.id, case_no=c.case_no, agent_id=c.agent_id, stage=c.stage, status=c.status, trigger=c.trigger,
            paused_reason=c.paused_reason, version=c.version, debtor_id=d.id, debtor_name=d.name,
            id_number=d.id_number,
            phones=[PhoneData(id=p.id, number=p.number, label=p.label, status=p.status)  # type: ignore[arg-type]
                    for p in d.phones],
            addresses=[AddressData(id=a.id, kind=a.kind, text=a.text, district=a.district,  # type: ignore[arg-type]
                                   lat=a.lat, lon=a.lon) for a in d.addresses],
            contacts=[ContactData(id=k.id, name=k.name, relation=k.relation, phone=k.phone,
                                  refused_contact=k.refused_contact) for k in d.contacts],
            accounts=[AccountData(id=a.id, loan_no=a.loan_no, product=a.product, principal_fen=a.principal_fen,
                                  outstanding_fen=a.outstanding_fen, overdue_fen=a.overdue_fen,
                                  currency=a.currency, days_past_due=a.days_past_due,
                                  missed_instalments=a.missed_instalments, last_payment_on=a.last_payment_on)
                      for a in c.accounts],
            safety_notes=[SafetyNoteData(uid=n.uid, category=n.category, severity=n.severity,  # type: ignore[arg-type]
                                         text=n.text, reporter=n.reporter, reported_at=n.reported_at,
                                         expires_at=n.expires_at, two_person_required=n.two_person_required,
                                         do_not_visit=n.do_not_visit, supersedes=n.supersedes)
                          for n in notes[c.id] if n.superseded_by is None
                          and (n.expires_at is None or n.expires_at > now)],
            history=[HistoryItemData(event_id=a.event_id, channel=a.channel, at=a.at, outcome=a.outcome,
                                     answered=a.answered, right_party=a.right_party,
                                     to_third_party=a.to_third_party, phone=a.phone,
                                     details=json.loads(a.details or "{}"))
                     for a in reversed(history[c.id])],
        )
    return out


def case_summary(c: Case) -> CaseSummary:
    return CaseSummary(id=c.id, case_no=c.case_no, agent_id=c.agent_id, district=c.district, stage=c.stage,
                       status=c.status, overdue_fen=c.overdue_fen, days_past_due=c.days_past_due,
                       version=c.version, lat=c.lat, lon=c.lon)
