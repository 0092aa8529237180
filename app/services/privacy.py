"""Revealing one masked field: an explicit act, audited locally and reported to head office.

`reveal(store, case_id, field, actor)` returns the clear value and, in the same transaction, writes a
`pii.revealed` audit entry and a `pii_revealed` event (with its outbox row), so head office keeps the
agents' reveal trail even if the laptop is lost. Neither record carries the revealed value itself.

Fields: "name", "id_number", "phone:<phone id>", "contact_name:<contact id>", "contact_phone:<contact id>",
"address:<address id>".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.clock import ensure_utc, utcnow
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import append_event

from .outcomes import CaseNotFound

SIMPLE_FIELDS = ("name", "id_number")
ITEM_FIELDS = ("phone", "contact_name", "contact_phone", "address")


class UnknownField(ValueError):
    """The field named is not a personal field of this case."""


def record_reveal(session: Session, case: m.Case, fields: Sequence[str], actor: str, now: datetime) -> None:
    """Audit entry + pii_revealed event for fields shown in the clear. Runs in the caller's transaction."""
    data = {"debtor": case.debtor_id, "fields": list(fields)}
    append_audit(session, actor=actor, action="pii.revealed", entity="case", entity_id=case.id, data=data, at=now)
    append_event(session, case_id=case.id, case_version=case.version, kind="pii_revealed", payload=data,
                 occurred_at=now, recorded_at=now, actor=actor)


def _value(debtor: m.Debtor, field: str) -> str:
    if field == "name":
        return debtor.name
    if field == "id_number":
        return debtor.id_number
    kind, sep, ident = field.partition(":")
    if not sep or kind not in ITEM_FIELDS or not ident.isdigit():
        raise UnknownField(f"cannot reveal {field[:40]!r}: not a personal field")
    item_id = int(ident)
    if kind == "phone":
        for p in debtor.phones:
            if p.id == item_id:
                return p.number
    elif kind == "address":
        for a in debtor.addresses:
            if a.id == item_id:
                return a.text
    else:
        for c in debtor.contacts:
            if c.id == item_id:
                return c.name if kind == "contact_name" else c.phone
    raise UnknownField(f"cannot reveal {field[:40]!r}: no such item on this case")


def reveal(store: Store, case_id: int, field: str, actor: str, now: datetime | None = None) -> str:
    """The clear value of one personal field; audited and reported before it is returned."""
    now = ensure_utc(now or utcnow())
    with store.write() as session:
        case = session.get(m.Case, case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} is not on this device")
        value = _value(case.debtor, field)
        record_reveal(session, case, [field], actor, now)
        return value
