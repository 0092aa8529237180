"""Build wire `CaseData` / `CaseSummary` from the head-office tables, a page of cases at a time.

A page reads each child table once (column queries, no ORM objects) and builds the `CaseData`
objects as plain dicts serialised with json.dumps: the values come from our own constrained
columns, so building (or validating) pydantic models would only add to the cost of the largest
reply the server sends (a pull of thousands of reassigned cases). The client validates the reply
against `v1.ChangesResponse` as always.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.contract.v1 import CaseSummary

from .ladder.caseview import ladder_data
from .models import Account, Address, Attempt, Case, Contact, Debtor, Phone, SafetyNote

HISTORY_LIMIT = 200  # newest attempts sent per case (compliance caps need days, the timeline a few months)


def _among(column: Any, ids: Sequence[int]) -> Any:
    """`column IN (1, 2, …)` with the page's ids written into the SQL as integer literals: bound one
    parameter each, SQLAlchemy's per-execution expansion of a 500-id list cost more than the query.
    Safe to inline: every id passes through int()."""
    table = column.expression.table.name
    return sql_text(f"{table}.{column.expression.name} IN ({','.join(map(str, map(int, ids)))})")


CASE_COLUMNS = (Case.id, Case.case_no, Case.agent_id, Case.team, Case.stage, Case.status, Case.trigger,
                Case.paused_reason, Case.version, Case.debtor_id)


def load_cases(session: Session, ids: Sequence[int]) -> dict[int, Any]:
    """The page's case rows (the columns a CaseData needs, plus the team for scoping), by id."""
    if not ids:
        return {}
    return {r.id: r for r in session.execute(select(*CASE_COLUMNS).where(_among(Case.id, ids)))}


def case_data(session: Session, cases: Sequence[Any], now: datetime) -> dict[int, dict[str, Any]]:
    """Each case as the JSON object of a wire `CaseData` (plain dicts, ready for json.dumps)."""
    ids = [c.id for c in cases]
    if not ids:
        return {}
    debtor_ids = sorted({c.debtor_id for c in cases})
    debtors = {row.id: row for row in session.execute(
        select(Debtor.id, Debtor.name, Debtor.id_number).where(_among(Debtor.id, debtor_ids)))}
    phones: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d, i, number, label, status in session.execute(
            select(Phone.debtor_id, Phone.id, Phone.number, Phone.label, Phone.status)
            .where(_among(Phone.debtor_id, debtor_ids)).order_by(Phone.id)).tuples():
        phones[d].append({"id": i, "number": number, "label": label, "status": status})
    addresses: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d, i, kind, text, district, lat, lon in session.execute(
            select(Address.debtor_id, Address.id, Address.kind, Address.text, Address.district, Address.lat,
                   Address.lon).where(_among(Address.debtor_id, debtor_ids)).order_by(Address.id)).tuples():
        addresses[d].append({"id": i, "kind": kind, "text": text, "district": district, "lat": lat, "lon": lon})
    contacts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d, i, name, relation, phone, refused in session.execute(
            select(Contact.debtor_id, Contact.id, Contact.name, Contact.relation, Contact.phone,
                   Contact.refused_contact).where(_among(Contact.debtor_id, debtor_ids)).order_by(Contact.id)).tuples():
        contacts[d].append({"id": i, "name": name, "relation": relation, "phone": phone, "refused_contact": refused})
    accounts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in session.execute(select(Account.case_id, Account.id, Account.loan_no, Account.product,
                                    Account.principal_fen, Account.outstanding_fen, Account.overdue_fen,
                                    Account.currency, Account.days_past_due, Account.missed_instalments,
                                    Account.last_payment_on).where(_among(Account.case_id, ids)).order_by(Account.id)):
        accounts[a.case_id].append({
            "id": a.id, "loan_no": a.loan_no, "product": a.product, "principal_fen": a.principal_fen,
            "outstanding_fen": a.outstanding_fen, "overdue_fen": a.overdue_fen, "currency": a.currency,
            "days_past_due": a.days_past_due, "missed_instalments": a.missed_instalments,
            "last_payment_on": a.last_payment_on})
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_debtor: dict[int, list[int]] = defaultdict(list)
    for c in cases:
        by_debtor[c.debtor_id].append(c.id)
    id_set = set(ids)
    for n in session.execute(select(
            SafetyNote.case_id, SafetyNote.debtor_id, SafetyNote.uid, SafetyNote.category, SafetyNote.severity,
            SafetyNote.text, SafetyNote.reporter, SafetyNote.reported_at, SafetyNote.expires_at,
            SafetyNote.two_person_required, SafetyNote.do_not_visit, SafetyNote.supersedes,
            SafetyNote.superseded_by).where(or_(_among(SafetyNote.case_id, ids), _among(SafetyNote.debtor_id, debtor_ids)))
            .order_by(SafetyNote.reported_at, SafetyNote.uid)):
        if n.superseded_by is not None or (n.expires_at is not None and n.expires_at <= now):
            continue
        item = {"uid": n.uid, "category": n.category, "severity": n.severity, "text": n.text, "reporter": n.reporter,
                "reported_at": n.reported_at, "expires_at": n.expires_at,
                "two_person_required": n.two_person_required, "do_not_visit": n.do_not_visit,
                "supersedes": n.supersedes}
        targets = set(by_debtor.get(n.debtor_id or -1, []))
        if n.case_id in id_set:
            targets.add(n.case_id)
        for cid in sorted(targets):
            notes[cid].append(item)
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in session.execute(select(Attempt.case_id, Attempt.event_id, Attempt.channel, Attempt.at, Attempt.outcome,
                                    Attempt.answered, Attempt.right_party, Attempt.to_third_party, Attempt.phone,
                                    Attempt.details).where(_among(Attempt.case_id, ids))
                             .order_by(Attempt.at.desc(), Attempt.event_id.desc(), Attempt.id.desc())):
        if len(history[r.case_id]) < HISTORY_LIMIT:
            history[r.case_id].append({
                "event_id": r.event_id, "channel": r.channel, "at": r.at, "outcome": r.outcome,
                "answered": r.answered, "right_party": r.right_party, "to_third_party": r.to_third_party,
                "phone": r.phone, "details": _details(r.details)})
    ladder = ladder_data(session, ids)
    out: dict[int, dict[str, Any]] = {}
    for c in cases:
        debtor = debtors[c.debtor_id]
        out[c.id] = {
            "id": c.id, "case_no": c.case_no, "agent_id": c.agent_id, "stage": c.stage, "status": c.status,
            "trigger": c.trigger, "paused_reason": c.paused_reason, "version": c.version, "debtor_id": debtor.id,
            "debtor_name": debtor.name, "id_number": debtor.id_number, "phones": phones[debtor.id],
            "addresses": addresses[debtor.id], "contacts": contacts[debtor.id], "accounts": accounts[c.id], "safety_notes": notes[c.id],
            "history": list(reversed(history[c.id])),
            **ladder.get(c.id, {})}
    return out


def to_json(value: Any) -> bytes:
    """JSON of plain data holding datetimes/dates (ISO-8601), as the wire models would write it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_iso).encode()


def _iso(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


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
