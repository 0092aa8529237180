"""What the safety-at-the-door services share: the views the window gets, the queue's writer, the cached
head-office facts (policy, contacts) and the open session. `app.services.visits` is the API; this module is
below it and below the delivery, so neither imports the other."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import ensure_utc
from app.domain.safety import SafetyPolicy
from app.store import models as m
from app.store.engine import Store
from app.store.syncstate import SAFETY_CONTACTS, SAFETY_POLICY, get_state

SOS_PRIORITY = 0
NORMAL_PRIORITY = 1


class VisitProblem(Exception):
    """What the agent asked cannot be done; `str(exc)` says why in words for the agent, `.code` which rule:
    'no_pins', 'already_open', 'minutes', 'no_case', 'not_open', 'pin_locked', 'pins' (`.fields` says
    which PIN is wrong)."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str  # 'partner' | 'supervisor' | 'contact'
    phone: str | None


@dataclass(frozen=True)
class VisitView:
    local_id: str
    case_id: int
    case_number: str
    address: str
    partner_name: str | None
    planned_minutes: int
    started_at: datetime
    due_at: datetime
    head_office_knows: bool
    problem: str | None
    contacts: tuple[ContactView, ...]

    def seconds_left(self, now: datetime) -> int:
        """Seconds to the planned end (negative once past it)."""
        left = (self.due_at - ensure_utc(now)).total_seconds()
        return int(left // 1) if left >= 0 else -int((-left) // 1)


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    still_queued: int
    head_office_knows: bool
    problem: str | None


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    at: datetime
    title: str
    text: str
    lat: float | None
    lon: float | None


def _open_session(session: Session) -> m.VisitSession | None:
    return session.scalars(select(m.VisitSession).where(m.VisitSession.state == "open")
                           .order_by(m.VisitSession.started_at.desc()).limit(1)).first()


def pending_safety(store: Store) -> int:
    """Safety commands waiting for head office (a quick count, for the sync round)."""
    with store.read_db() as db:
        return int(db.execute("SELECT count(*) FROM safety_outbox").fetchone()[0])


def queue_command(session: Session, kind: str, body: dict[str, Any], now: datetime,
                  visit: m.VisitSession | None = None) -> str:
    """Queue one safety command (in the caller's transaction); returns its client_ref."""
    ref = str(body.get("client_ref") or uuid.uuid4())
    body = {**body, "client_ref": ref}
    session.add(m.SafetyOutbox(client_ref=ref, kind=kind, session_id=visit.id if visit is not None else None,
                               body=json.dumps(body, ensure_ascii=False, sort_keys=True), created_at=now,
                               attempts=0, priority=SOS_PRIORITY if kind == "sos" else NORMAL_PRIORITY))
    return ref


def cached_policy(session: Session) -> SafetyPolicy:
    raw = get_state(session, SAFETY_POLICY)
    if not raw:
        return SafetyPolicy()
    try:
        return SafetyPolicy.from_json(json.loads(raw))
    except (ValueError, TypeError):
        return SafetyPolicy()


def cached_contacts(session: Session) -> tuple[ContactView, ...]:
    try:
        rows = json.loads(get_state(session, SAFETY_CONTACTS) or "[]")
    except ValueError:
        return ()
    out: list[ContactView] = []
    for r in rows if isinstance(rows, list) else []:
        if isinstance(r, dict) and r.get("name"):
            out.append(ContactView(str(r["name"]), str(r.get("role") or "contact"),
                                   str(r["phone"]) if r.get("phone") else None))
    return tuple(out)
