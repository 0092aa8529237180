"""The notifications outbox: every message a safety step sends is a row here, written in the step's
own transaction (so a step and its messages commit together or not at all).

* `window` rows are delivered by being read (GET notices, the board): `delivered` at once;
* `sms` rows only for recipients with a phone, and only when an SMS gateway is configured;
* `webhook` rows when a webhook URL is configured.

The deliverer (`deliver_due`, a background thread of every API process) claims due rows with a lease
(`claimed_until`; SKIP LOCKED on PostgreSQL), so two processes never send one row at once, calls the
channel's adapter outside any transaction, then marks the row sent, or failed with the next attempt
from the backoff schedule (`next_attempt_at` None: given up). The row id is the adapter's
idempotency key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from headoffice.db import Database
from headoffice.models import User

from .models import Notification

log = logging.getLogger("headoffice.safety")
LEASE = timedelta(seconds=60)
CLAIM_BATCH = 50


@dataclass(frozen=True)
class Recipient:
    id: int | None
    name: str
    phone: str | None = None

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user.id, user.display_name or user.username, user.phone)


def enqueue(session: Session, recipients: Iterable[Recipient], *, kind: str, title: str, text: str, now: datetime,
            channels: Iterable[str] = (), alarm_id: int | None = None, session_id: int | None = None,
            data: Mapping[str, Any] | None = None) -> list[Notification]:
    """Rows for each recipient: the window, and each configured channel that can reach them."""
    configured = set(channels)
    payload = json.dumps(dict(data or {}), ensure_ascii=False, sort_keys=True)
    rows: list[Notification] = []
    seen: set[int | None] = set()
    for r in recipients:
        if r.id is not None and r.id in seen:
            continue
        seen.add(r.id)
        for channel in ("window", "sms", "webhook"):
            if channel != "window" and channel not in configured:
                continue
            if channel == "sms" and not r.phone:
                continue
            window = channel == "window"
            rows.append(Notification(
                channel=channel, recipient_id=r.id, recipient_name=r.name[:200], phone=r.phone, alarm_id=alarm_id,
                session_id=session_id, kind=kind, title=title, text=text, data=payload,
                state="delivered" if window else "queued", attempts=1 if window else 0,
                next_attempt_at=None if window else now, queued_at=now, sent_at=now if window else None))
    session.add_all(rows)  # flushed with the step (a sweep writes a batch of them in one go)
    return rows


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    recipient_name: str
    phone: str | None
    title: str
    text: str
    data: dict[str, Any]


def claim(db: Database, channels: Iterable[str], now: datetime, lease: timedelta = LEASE,
          batch: int = CLAIM_BATCH) -> list[Claimed]:
    """Take up to `batch` due rows of these channels for `lease`; committed before anything is sent."""
    names = sorted(set(channels))
    if not names:
        return []
    with db.read() as s:  # nothing due (the usual case) costs one index probe and no write lock
        if s.scalar(_due(names, now).with_only_columns(Notification.id).limit(1)) is None:
            return []
    out: list[Claimed] = []
    with db.write() as s:
        rows = s.scalars(_due(names, now).order_by(Notification.next_attempt_at, Notification.id).limit(batch)
                         .with_for_update(skip_locked=True)).all()
        for row in rows:
            row.claimed_until = now + lease
            out.append(Claimed(row.id, row.channel, row.recipient_name, row.phone, row.title, row.text,
                               json.loads(row.data or "{}")))
    return out


def _due(channels: list[str], now: datetime) -> Any:
    return select(Notification).where(
        Notification.next_attempt_at <= now, Notification.channel.in_(channels),
        Notification.state.in_(("queued", "failed")),
        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))


def mark_sent(db: Database, row_id: int, provider_ref: str | None, now: datetime) -> None:
    with db.write() as s:
        row = s.get(Notification, row_id)
        if row is None:
            return
        row.state, row.attempts, row.sent_at = "sent", row.attempts + 1, now
        row.provider_ref = None if provider_ref is None else str(provider_ref)[:200]
        row.next_attempt_at = row.claimed_until = None
        row.last_error = None


def mark_failed(db: Database, row_id: int, error: str, retryable: bool, now: datetime,
                next_attempt: Callable[[int, datetime, int], datetime | None]) -> None:
    with db.write() as s:
        row = s.get(Notification, row_id)
        if row is None:
            return
        row.attempts += 1
        row.state = "failed"
        row.last_error = error[:500]
        row.claimed_until = None
        row.next_attempt_at = next_attempt(row.attempts, now, row.id) if retryable else None


def deliver_due(db: Database, adapters: Mapping[str, Any], now: Callable[[], datetime]) -> int:
    """Send what is due on the configured channels once; returns how many rows were tried."""
    if not adapters:
        return 0
    from headoffice.notify.base import DeliveryError, Message
    from headoffice.notify.schedule import next_attempt

    claimed = claim(db, adapters, now())
    for c in claimed:
        message = Message(id=c.id, channel=c.channel, recipient_name=c.recipient_name, phone=c.phone,
                          title=c.title, text=c.text, data=c.data)
        try:
            ref = adapters[c.channel].send(message)
        except DeliveryError as exc:
            mark_failed(db, c.id, str(exc) or type(exc).__name__, bool(getattr(exc, "retryable", True)), now(),
                        next_attempt)
            continue
        except Exception as exc:  # an adapter's bug must not stop the deliverer: the row retries
            log.warning("notification %s: adapter %s raised %s", c.id, c.channel, type(exc).__name__)
            mark_failed(db, c.id, f"{type(exc).__name__}: {exc}", True, now(), next_attempt)
            continue
        mark_sent(db, c.id, ref, now())
    return len(claimed)
