"""Build wire `CaseData` / `CaseSummary` from the head-office tables, a page of cases at a time.

A page reads each child table once (column queries, no ORM objects) and builds the models with
`model_construct`: the values come from our own constrained columns, so validating them again
would only double the cost of the largest reply the server sends.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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

from .models import Account, Address, Attempt, Case, Contact, Debtor, Phone, SafetyNote

HISTORY_LIMIT = 200  # newest attempts sent per case (compliance caps need days, the timeline a few months)


def load_cases(session: Session, ids: Sequence[int]) -> dict[int, Case]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}


def case_data(session: Session, cases: Sequence[Case], now: datetime) -> dict[int, CaseData]:
    ids = [c.id for c in cases]
    if not ids:
        return {}
    debtor_ids = sorted({c.debtor_id for c in cases})
    debtors = {row.id: row for row in session.execute(
        select(Debtor.id, Debtor.name, Debtor.id_number).where(Debtor.id.in_(debtor_ids)))}
    phones: dict[int, list[PhoneData]] = defaultdict(list)
    for r in session.execute(select(Phone.debtor_id, Phone.id, Phone.number, Phone.label, Phone.status)
                             .where(Phone.debtor_id.in_(debtor_ids)).order_by(Phone.id)):
        phones[r.debtor_id].append(PhoneData.model_construct(id=r.id, number=r.number, label=r.label,
                                                             status=r.status))
    addresses: dict[int, list[AddressData]] = defaultdict(list)
    for r in session.execute(select(Address.debtor_id, Address.id, Address.kind, Address.text, Address.district,
                                    Address.lat, Address.lon).where(Address.debtor_id.in_(debtor_ids))
                             .order_by(Address.id)):
        addresses[r.debtor_id].append(AddressData.model_construct(id=r.id, kind=r.kind, text=r.text,
                                                                  district=r.district, lat=r.lat, lon=r.lon))
    contacts: dict[int, list[ContactData]] = defaultdict(list)
    for r in session.execute(select(Contact.debtor_id, Contact.id, Contact.name, Contact.relation, Contact.phone,
                                    Contact.refused_contact).where(Contact.debtor_id.in_(debtor_ids))
                             .order_by(Contact.id)):
        contacts[r.debtor_id].append(ContactData.model_construct(id=r.id, name=r.name, relation=r.relation,
                                                                 phone=r.phone, refused_contact=r.refused_contact))
    accounts: dict[int, list[AccountData]] = defaultdict(list)
    for a in session.execute(select(Account).where(Account.case_id.in_(ids)).order_by(Account.id)).scalars():
        accounts[a.case_id].append(AccountData.model_construct(
            id=a.id, loan_no=a.loan_no, product=a.product, principal_fen=a.principal_fen,
            outstanding_fen=a.outstanding_fen, overdue_fen=a.overdue_fen, currency=a.currency,
            days_past_due=a.days_past_due, missed_instalments=a.missed_instalments,
            last_payment_on=a.last_payment_on))
    notes: dict[int, list[SafetyNoteData]] = defaultdict(list)
    by_debtor: dict[int, list[int]] = defaultdict(list)
    for c in cases:
        by_debtor[c.debtor_id].append(c.id)
    id_set = set(ids)
    for n in session.scalars(select(SafetyNote).where(
            (SafetyNote.case_id.in_(ids)) | (SafetyNote.debtor_id.in_(debtor_ids)))
            .order_by(SafetyNote.reported_at, SafetyNote.uid)):
        if n.superseded_by is not None or (n.expires_at is not None and n.expires_at <= now):
            continue
        item = SafetyNoteData.model_construct(
            uid=n.uid, category=n.category, severity=n.severity, text=n.text, reporter=n.reporter,
            reported_at=n.reported_at, expires_at=n.expires_at, two_person_required=n.two_person_required,
            do_not_visit=n.do_not_visit, supersedes=n.supersedes)
        targets = set(by_debtor.get(n.debtor_id or -1, []))
        if n.case_id in id_set:
            targets.add(n.case_id)
        for cid in sorted(targets):
            notes[cid].append(item)
    history: dict[int, list[HistoryItemData]] = defaultdict(list)
    for r in session.execute(select(Attempt.case_id, Attempt.event_id, Attempt.channel, Attempt.at, Attempt.outcome,
                                    Attempt.answered, Attempt.right_party, Attempt.to_third_party, Attempt.phone,
                                    Attempt.details).where(Attempt.case_id.in_(ids))
                             .order_by(Attempt.at.desc(), Attempt.event_id.desc(), Attempt.id.desc())):
        if len(history[r.case_id]) < HISTORY_LIMIT:
            history[r.case_id].append(HistoryItemData.model_construct(
                event_id=r.event_id, channel=r.channel, at=r.at, outcome=r.outcome, answered=r.answered,
                right_party=r.right_party, to_third_party=r.to_third_party, phone=r.phone,
                details=_details(r.details)))
    out: dict[int, CaseData] = {}
    for c in cases:
        d = debtors[c.debtor_id]
        out[c.id] = CaseData.model_construct(
            id=c.id, case_no=c.case_no, agent_id=c.agent_id, stage=c.stage, status=c.status, trigger=c.trigger,
            paused_reason=c.paused_reason, version=c.version, debtor_id=d.id, debtor_name=d.name,
            id_number=d.id_number, phones=phones[d.id], addresses=addresses[d.id], contacts=contacts[d.id],
            accounts=accounts[c.id], safety_notes=notes[c.id], history=list(reversed(history[c.id])))
    return out


def _details(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def case_summary(c: Case) -> CaseSummary:
    return CaseSummary(id=c.id, case_no=c.case_no, agent_id=c.agent_id, district=c.district, stage=c.stage,
                       status=c.status, overdue_fen=c.overdue_fen, days_past_due=c.days_past_due,
                       version=c.version, lat=c.lat, lon=c.lon)
