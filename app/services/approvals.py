"""The supervisor's approvals: what waits for a decision, and the decisions made on this laptop. No Qt.

Which source is authoritative: **head office** (`GET /api/v1/approvals`). It holds every agent's
events, the flags it raised and the relief proposals of the whole team; a supervisor's local store
only mirrors the team's cases (their history as attempts), not the agents' relief proposals or the
server's flags, so it cannot tell what is pending. The local store adds two things:

* the decisions made here: a `decision` event (payload `{subject, subject_id, approved, reason}`)
  written with its outbox row in one transaction and delivered by the ordinary sync push. Its
  `sync_state` says whether head office has it yet (pending → acked/flagged; dead if refused), so
  a decided item shows as "waiting to upload" until acknowledged, and offline decisions just queue;
* the last list fetched from head office (kept in the sync state), shown with its age when head
  office cannot be reached.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import text

from app.contract import v1
from app.domain.clock import ensure_utc
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.events import append_event
from app.store.syncstate import get_state, set_state
from app.store.types import from_db_time

log = logging.getLogger(__name__)

SUBJECTS = ("relief", "override", "flagged_event")
STATUSES = ("pending", "decided", "all")
REASON_MAX = 500  # characters of a decision's reason
SUBJECT_ID_MAX = 64
PAGE = 200
MAX_ITEMS = 5_000  # a longer list is cut (and said so): nobody works through more in one sitting
CACHE_KEY = "approvals_cache:"  # + status

RowState = Literal["pending", "approved", "rejected", "queued", "delivered", "flagged", "refused"]


class DecisionInvalid(ValueError):
    """The decision cannot be queued as given; `code` says why (reason_required, reason_too_long, …)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class AlreadyDecided(Exception):
    """A decision on this subject was already made on this laptop (queued or delivered)."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_reason(raw: str) -> str:
    """The reason as stored: control and bidi-override characters removed, trimmed, required, ≤ REASON_MAX."""
    value = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if not value:
        raise DecisionInvalid("reason_required", "a reason is required")
    if len(value) > REASON_MAX:
        raise DecisionInvalid("reason_too_long", f"the reason is {len(value)} characters; at most {REASON_MAX}")
    return value


@dataclass(frozen=True, slots=True)
class LocalDecision:
    """A decision made on this laptop and its delivery state (the event's sync_state)."""

    event_id: str
    subject: str
    subject_id: str
    case_id: int
    approved: bool
    reason: str
    decided_at: datetime
    actor: str
    sync_state: str  # pending | acked | flagged | dead
    flag_reason: str | None = None

    @property
    def state(self) -> RowState:
        return {"pending": "queued", "acked": "delivered", "flagged": "flagged"}.get(  # type: ignore[return-value]
            self.sync_state, "refused")


def queue_decision(store: Store, *, subject: str, subject_id: str, case_id: int, approved: bool, reason: str,
                   actor: str, now: datetime) -> LocalDecision:
    """Write a `decision` event + outbox row + audit entry in one transaction. Raises DecisionInvalid,
    AlreadyDecided. Works offline: the event waits in the outbox for the next sync."""
    if subject not in SUBJECTS:
        raise DecisionInvalid("subject", f"unknown subject {subject!r}")
    subject_id = subject_id.strip()
    if not subject_id or len(subject_id) > SUBJECT_ID_MAX:
        raise DecisionInvalid("subject_id", "the item to decide on has no usable id")
    reason = clean_reason(reason)
    now = ensure_utc(now)
    with store.write() as session:
        earlier = _decisions(session, [(subject, subject_id)]).get((subject, subject_id))
        if earlier is not None and earlier.sync_state != "dead":
            raise AlreadyDecided(f"{subject} {subject_id} was already decided here")
        version = session.execute(text("SELECT version FROM cases WHERE id = :id"), {"id": case_id}).scalar()
        payload = {"subject": subject, "subject_id": subject_id, "approved": bool(approved), "reason": reason}
        event = append_event(session, case_id=int(case_id), case_version=int(version or 0), kind="decision",
                             payload=payload, occurred_at=now, recorded_at=now, actor=actor)
        append_audit(session, actor=actor, action="decision.queued", entity="case", entity_id=case_id,
                     data={"event": event.id, "subject": subject, "subject_id": subject_id,
                           "approved": bool(approved)}, at=now)
        return LocalDecision(event.id, subject, subject_id, int(case_id), bool(approved), reason, now, actor,
                             "pending")


def local_decisions(store: Store) -> dict[tuple[str, str], LocalDecision]:
    """Every decision made on this laptop, by (subject, subject_id); the latest one per subject."""
    with store.read() as session:
        return _decisions(session, None)


def _decisions(session: Any, only: Iterable[tuple[str, str]] | None) -> dict[tuple[str, str], LocalDecision]:
    rows = session.execute(text(
        "SELECT id, case_id, payload, occurred_at, actor, sync_state, flag_reason FROM events "
        "WHERE kind = 'decision' ORDER BY device_seq")).all()
    wanted = set(only) if only is not None else None
    out: dict[tuple[str, str], LocalDecision] = {}
    for event_id, case_id, payload, occurred_at, actor, state, flag in rows:
        try:
            p = json.loads(payload)
            key = (str(p["subject"]), str(p["subject_id"]))
            approved, reason = bool(p["approved"]), str(p.get("reason") or "")
        except (ValueError, KeyError, TypeError):
            continue  # not one this module wrote
        if wanted is not None and key not in wanted:
            continue
        at = from_db_time(occurred_at) if isinstance(occurred_at, str) else occurred_at
        out[key] = LocalDecision(str(event_id), key[0], key[1], int(case_id), approved, reason, ensure_utc(at),
                                 str(actor), str(state), flag)
    return out


# --- the list from head office ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalList:
    items: tuple[v1.ApprovalItem, ...]
    fetched_at: datetime
    status: str
    total: int
    truncated: bool = False


def fetch_approvals(client: Any, status: str = "pending", now: Callable[[], datetime] | None = None) -> ApprovalList:
    """Every page of `GET /approvals?status=` (runs in a worker with a signed-in HeadOfficeClient)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    from app.domain.clock import utcnow

    items: list[v1.ApprovalItem] = []
    offset: int | None = 0
    total = 0
    while offset is not None and len(items) < MAX_ITEMS:
        reply: v1.ApprovalListResponse = client.approvals(status=status, offset=offset, limit=PAGE)
        items.extend(reply.items)
        total = reply.total
        offset = reply.next_offset if reply.items else None
    return ApprovalList(tuple(items[:MAX_ITEMS]), ensure_utc((now or utcnow)()), status, total,
                        truncated=total > len(items[:MAX_ITEMS]))


def save_approvals(store: Store, listing: ApprovalList) -> None:
    """Keep the list just fetched, for when head office cannot be reached."""
    body = {"fetched_at": listing.fetched_at.isoformat(), "status": listing.status, "total": listing.total,
            "truncated": listing.truncated, "items": [i.model_dump(mode="json") for i in listing.items]}
    with store.write() as session:
        set_state(session, CACHE_KEY + listing.status, json.dumps(body, ensure_ascii=False))


def cached_approvals(store: Store, status: str = "pending") -> ApprovalList | None:
    """The last list fetched for `status`, or None (never fetched, or the saved copy is unreadable)."""
    with store.read() as session:
        raw = get_state(session, CACHE_KEY + status)
    if not raw:
        return None
    try:
        body = json.loads(raw)
        items = tuple(v1.ApprovalItem.model_validate(i) for i in body["items"])
        return ApprovalList(items, ensure_utc(datetime.fromisoformat(body["fetched_at"])), status,
                            int(body.get("total", len(items))), bool(body.get("truncated", False)))
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        log.warning("saved approvals list ignored: %s", exc)
        return None


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    """One line of the Approvals room: head office's item with this laptop's decision on it, if any."""

    item: v1.ApprovalItem
    local: LocalDecision | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.item.subject, self.item.subject_id)

    @property
    def state(self) -> RowState:
        if self.item.status != "pending":
            return self.item.status
        if self.local is not None:
            return self.local.state
        return "pending"

    @property
    def decidable(self) -> bool:
        """Still open for a decision from here (a refused upload may be decided again)."""
        return self.item.status == "pending" and (self.local is None or self.local.sync_state == "dead")


def merge(items: Iterable[v1.ApprovalItem], local: dict[tuple[str, str], LocalDecision]) -> list[ApprovalRow]:
    """Head office's items, oldest first, each with the decision made here (if any)."""
    rows = [ApprovalRow(i, local.get((i.subject, i.subject_id))) for i in items]
    rows.sort(key=lambda r: (aware(r.item.created_at), r.item.subject_id))
    return rows


def aware(value: datetime) -> datetime:
    """A time from the wire as aware UTC (a naive one is taken as UTC, the wire's convention)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
