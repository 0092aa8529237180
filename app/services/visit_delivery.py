"""Sending the safety queue to head office, and reading what head office says (safety at the door).

Delivery rules (`deliver_queue`):

* Order: SOS (priority 0) first, then everything else in the order it was queued. An SOS queued while a
  visit's `open` is still waiting goes without the session's id (head office has none yet) but with the
  case, so it is never held back.
* A visit's `open` reaches head office before its `extend` and `check-out`, which use the id head office
  gave it. If head office refused the `open`, its later commands cannot be sent; they leave the queue
  with the reason recorded on the visit.
* The first network failure (unreachable, busy past the retry budget, sign-in needed, cancelled) stops
  the delivery; the row keeps its place and counts the attempt. Nothing after it is sent: order matters.
* A permanent refusal (a 4xx) is recorded on the visit (`problem` in the window) and the row leaves the
  queue: sending it again would be refused again.
* Every command carries the `client_ref` made when the agent acted, so a command whose answer was lost is
  sent again safely: head office answers what it answered the first time.
* A check-out row holds the typed PIN; it is deleted, PIN and all, in the transaction that records head
  office's answer. One delivery at a time per store (the window's timer and a sync round may overlap).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.contract import safety as wire
from app.domain.clock import local_day
from app.domain.safety import PolicyInvalid, SafetyPolicy
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.syncstate import (
    SAFETY_CONTACTS,
    SAFETY_DAY_CLOSED,
    SAFETY_NOTICES_AFTER,
    SAFETY_PINS_AT_HO,
    SAFETY_POLICY,
    get_state,
    set_state,
)
from app.sync.errors import ProtocolError, SyncError
from app.sync.safety_client import SafetyApi, SafetyRefused

from .visit_records import DeliveryResult, NoticeView, _open_session, cached_policy

_GUARD = threading.Lock()
WHAT = {"open": "the visit", "extend": "the extension", "check_out": "the check-out", "sos": "the SOS",
        "day_end": "back safe"}


class _Permanent(Exception):
    """This row can never be sent as it is (refused, or its visit never reached head office)."""


def _store_lock(store: Store) -> threading.Lock:
    with _GUARD:
        lock = store.__dict__.get("_safety_delivery_lock")
        if lock is None:
            lock = threading.Lock()
            store.__dict__["_safety_delivery_lock"] = lock
        return lock


def _next_row(session: Session) -> m.SafetyOutbox | None:
    return session.scalars(select(m.SafetyOutbox).order_by(m.SafetyOutbox.priority, m.SafetyOutbox.id)
                           .limit(1)).first()


def _send(api: SafetyApi, kind: str, body: dict[str, Any], visit: m.VisitSession | None) -> BaseModel:
    """One queued command to head office; raises _Permanent, SafetyRefused or a SyncError."""
    try:
        if kind == "open":
            return api.open_session(wire.SessionOpenRequest.model_validate(body))
        if kind == "sos":
            if visit is not None and visit.server_id is not None:
                body = {**body, "session_id": visit.server_id}
            return api.sos(wire.SosRequest.model_validate(body))
        if kind == "day_end":
            return api.day_end(wire.DayEndRequest.model_validate(body))
        if visit is None or visit.server_id is None:
            raise _Permanent("head office never had this visit" + (f" ({visit.last_error})"
                                                                    if visit is not None and visit.last_error else ""))
        if kind == "extend":
            return api.extend(visit.server_id, wire.ExtendRequest.model_validate(body))
        if kind == "check_out":
            return api.check_out(visit.server_id, wire.CheckOutRequest.model_validate(body))
    except ValidationError as exc:
        raise _Permanent(f"it cannot be sent as recorded ({exc.errors()[0].get('msg', 'invalid')})") from None
    raise _Permanent(f"unknown safety command {kind!r}")


def _same_visit_open(kind: str, exc: Exception, visit: m.VisitSession | None) -> wire.SessionOut | None:
    """The session of a 409 `session_open` answer to our `open`, when it is a visit to the same case."""
    if kind != "open" or visit is None or not isinstance(exc, SafetyRefused) or exc.code != "session_open":
        return None
    try:
        remote = wire.SessionOut.model_validate(exc.extra.get("session"))
    except ValidationError:
        return None
    return remote if remote.case_id == visit.case_id and remote.state == "open" else None


def _problem_of(kind: str, exc: Exception) -> str:
    if isinstance(exc, SafetyRefused):
        if kind == "check_out" and exc.status in (403, 423):
            return ("head office did not accept the check-out PIN; the visit is still open there: "
                    f"call your supervisor ({exc.detail})")
        return f"head office refused {WHAT.get(kind, kind)}: {exc.detail}"
    return f"{WHAT.get(kind, kind)} was not sent: {exc}"


def deliver_queue(store: Store, api: SafetyApi, actor: str, now: Callable[[], datetime],
                  cancel: threading.Event | None = None) -> DeliveryResult:
    """Send the safety queue; see the module's rules."""
    sent = 0
    problem: str | None = None
    with _store_lock(store):
        while cancel is None or not cancel.is_set():
            with store.read() as session:
                row = _next_row(session)
                if row is None:
                    break
                visit = session.get(m.VisitSession, row.session_id) if row.session_id else None
                row_id, kind, body = row.id, row.kind, json.loads(row.body)
            try:
                answer = _send(api, kind, body, visit)
            except (SafetyRefused, _Permanent) as exc:
                remote = _same_visit_open(kind, exc, visit)
                if remote is not None:  # head office has this visit already (opened for this door elsewhere)
                    _done(store, row_id, kind, remote, now())
                    sent += 1
                    continue
                problem = _problem_of(kind, exc)
                _drop(store, row_id, problem, actor, now(), exc)
                continue
            except ProtocolError as exc:
                if exc.status_code is not None and 400 <= exc.status_code < 500:
                    problem = _problem_of(kind, exc)
                    _drop(store, row_id, problem, actor, now(), exc)
                    continue
                problem = str(exc)
                _keep(store, row_id, problem)
                break
            except SyncError as exc:  # unreachable, sign-in needed, untrusted, cancelled: keep it, stop
                problem = str(exc)
                _keep(store, row_id, problem)
                break
            _done(store, row_id, kind, answer, now())
            sent += 1
        with store.read() as session:
            still = int(session.scalar(select(func.count()).select_from(m.SafetyOutbox)) or 0)
            current = _open_session(session)
            knows = current.head_office_knows if current is not None else still == 0
    return DeliveryResult(sent=sent, still_queued=still, head_office_knows=knows, problem=problem)


def _keep(store: Store, row_id: int, problem: str) -> None:
    with store.write() as session:
        row = session.get(m.SafetyOutbox, row_id)
        if row is not None:
            row.attempts += 1
            row.last_error = problem[:500]


def _drop(store: Store, row_id: int, problem: str, actor: str, at: datetime, exc: Exception) -> None:
    with store.write() as session:
        row = session.get(m.SafetyOutbox, row_id)
        if row is None:
            return
        visit = session.get(m.VisitSession, row.session_id) if row.session_id else None
        if visit is not None:
            visit.last_error = problem[:500]
        code = exc.code if isinstance(exc, SafetyRefused) else "not_sent"
        append_audit(session, actor=actor, action="safety.refused", entity="safety", entity_id=row.kind,
                     data={"session": row.session_id, "code": code}, at=at)
        session.execute(delete(m.SafetyOutbox).where(m.SafetyOutbox.id == row_id))


def _done(store: Store, row_id: int, kind: str, answer: BaseModel, at: datetime) -> None:
    with store.write() as session:
        row = session.get(m.SafetyOutbox, row_id)
        if row is None:
            return
        visit = session.get(m.VisitSession, row.session_id) if row.session_id else None
        if kind == "open" and visit is not None and isinstance(answer, wire.SessionOut):
            other = session.scalars(select(m.VisitSession).where(m.VisitSession.server_id == answer.id,
                                                                 m.VisitSession.id != visit.id)).first()
            if other is not None:  # adopted from head office before our own open came back
                other.server_id = None
                other.state = "closed"
                other.closed_at = other.closed_at or at
            visit.server_id = answer.id
            visit.head_office_knows = True
            visit.last_error = None
        # The row (and with a check-out, the PIN it held) goes in the same transaction.
        session.execute(delete(m.SafetyOutbox).where(m.SafetyOutbox.id == row_id))


# --- what head office says ---------------------------------------------------------------------------


def refresh_from(store: Store, api: SafetyApi, actor: str, now: Callable[[], datetime]) -> None:
    me = api.me()
    at = now()
    with store.write() as session:
        try:
            policy = SafetyPolicy.from_json(me.policy.model_dump())
            set_state(session, SAFETY_POLICY, json.dumps(policy.as_json(), sort_keys=True))
        except (PolicyInvalid, ValueError, TypeError):
            policy = cached_policy(session)  # keep the last good one
        contacts = [{"name": c.display_name, "role": c.role, "phone": c.phone} for c in me.contacts]
        set_state(session, SAFETY_CONTACTS, json.dumps(contacts, ensure_ascii=False))
        set_state(session, SAFETY_PINS_AT_HO, "1" if me.pins_set else "0")
        if me.day_closed:
            set_state(session, SAFETY_DAY_CLOSED, local_day(at, policy.zone).isoformat())
        _reconcile(session, me.open_session, actor, at)


def _queued_for(session: Session, visit_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(m.SafetyOutbox)
                              .where(m.SafetyOutbox.session_id == visit_id)) or 0)


def _reconcile(session: Session, remote: wire.SessionOut | None, actor: str, at: datetime) -> None:
    """Bring the local open session in line with head office's, where nothing of ours is still queued."""
    local_open = _open_session(session)
    if remote is None:
        if local_open is not None and local_open.server_id is not None and not _queued_for(session, local_open.id):
            local_open.state = "closed"  # closed at head office (another laptop, or a supervisor)
            local_open.closed_at = at
            local_open.last_error = "this visit was closed at head office"
            append_audit(session, actor=actor, action="visit.closed_at_head_office", entity="case",
                         entity_id=local_open.case_id, data={"session": local_open.id}, at=at)
        return
    known = session.scalars(select(m.VisitSession).where(m.VisitSession.server_id == remote.id)).first()
    if known is not None:
        if known.state == "open" and not _queued_for(session, known.id):
            known.due_at = remote.due_at  # head office keeps the timer (an extension made elsewhere)
            known.planned_minutes = remote.planned_minutes
            known.extended_minutes = remote.extended_minutes
        return
    if local_open is not None:
        return  # ours is on its way; head office will refuse one of the two and say so
    visit = m.VisitSession(
        id=str(uuid.uuid4()), case_id=remote.case_id, case_number=remote.case_number, address=remote.address,
        partner_id=remote.partner_id, partner_name=remote.partner_name, planned_minutes=remote.planned_minutes,
        extended_minutes=remote.extended_minutes, started_at=remote.started_at, due_at=remote.due_at,
        lat=remote.lat, lon=remote.lon, position_source="none", state="open", server_id=remote.id,
        head_office_knows=True, last_error=None, wrong_pins=0)
    session.add(visit)
    append_audit(session, actor=actor, action="visit.adopted", entity="case", entity_id=remote.case_id,
                 data={"session": visit.id, "server_id": remote.id}, at=at)


def fetch_notices(store: Store, api: SafetyApi) -> list[NoticeView]:
    with store.read() as session:
        raw = get_state(session, SAFETY_NOTICES_AFTER) or "0"
    after = int(raw) if raw.isdigit() else 0
    answer = api.notices(after)
    fresh = [n for n in answer.notices if n.id > after]
    last = max([answer.last_id, after, *(n.id for n in fresh)])
    with store.write() as session:
        set_state(session, SAFETY_NOTICES_AFTER, str(last))
    return [NoticeView(id=n.id, kind=n.kind, at=n.at, title=n.title, text=n.text, lat=n.lat, lon=n.lon)
            for n in sorted(fresh, key=lambda n: n.id)]
