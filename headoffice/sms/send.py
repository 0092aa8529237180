"""Sending: due queued messages go out through the SMS gateway adapter, each exactly once.

`send_due(db, now, adapter, limit)` makes one pass:

1. **Claim** (one write transaction): up to `limit` rows that are `queued` with `next_attempt_at` due,
   or `sending` with an expired lease (a sender that died), `FOR UPDATE SKIP LOCKED` on PostgreSQL
   (SQLite has one writer). A row whose case is no longer open, or whose number has since been marked
   dead, is `skipped` here. The others become `sending` with `lease_until` = now + LEASE; the lease
   is the claim's token, so only the claimer records the outcome. Committed before anything is sent.
2. **Send** concurrently (a thread pool over one pooled HTTP client): for each message the clock is
   read again just before it goes. Outside the contact window in the debtor's zone (claimed at
   21:59:59, about to go at 22:00:00) it does not go: it is queued again for the next allowed minute
   with room under the caps (a `queued` trail item, why `quiet_hours`). A message whose lease is
   nearly over is not started (it is released). The idempotency key is `doorstep-sms-<id>`, the same
   for every attempt, so a send repeated after a crash is one message at the gateway.
3. **Record** (one write transaction): `sent` with the provider's reference (`sent` trail item);
   a failure the gateway says may pass is queued again after `headoffice.notify.schedule`'s back-off
   (attempts counted; a retry that would fall outside the window or on another local day is moved to
   the next allowed minute with room); after the last attempt, or a refusal, `failed` (`failed` trail
   item with the error). A delivery receipt that overtook the record keeps its state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.domain.compliance import Profile, builtin_profile
from app.domain.masking import mask_phone
from headoffice.db import Database
from headoffice.ladder.models import CaseTrailItem, SmsMessage
from headoffice.ladder.trail import announce, trail_rows
from headoffice.models import Case, Phone
from headoffice.notify.base import Adapter, DeliveryError, Message
from headoffice.notify.schedule import next_attempt
from headoffice.notify.sms import sms_content

from .plan import DEAD_STATUSES, debtor_counts
from .slots import Caps, allowed, first_slot, local_day, window_for, zone_of

log = logging.getLogger("headoffice.sms")
LEASE = timedelta(seconds=120)
LEASE_MARGIN = timedelta(seconds=15)  # more than one send's time-out: a send never outlives its lease
LIMIT = 500
WORKERS = 8  # concurrent sends: enough to hide a round trip; more only contend for the GIL
Clock = Callable[[], datetime]


def key_of(message_id: int) -> str:
    return f"doorstep-sms-{message_id}"


@dataclass(frozen=True)
class Claimed:
    id: int
    case_id: int
    debtor_id: int
    number: str
    body: str
    template: str
    zone: str
    lease_until: datetime
    attempts: int
    scheduled_at: datetime


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    requeued: int = 0  # outside the window at send time
    skipped: int = 0  # the case closed or the number died after planning
    released: int = 0  # lease too short to start

    def add(self, other: SendResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Outcome:
    claim: Claimed
    kind: str  # sent | error | quiet | release
    at: datetime
    ref: str | None = None
    error: str = ""
    retryable: bool = True
    content: str = ""


@dataclass
class Sender:
    """What a pass needs besides the database: the adapter, the profile, the signature (for the trail's
    text as sent) and a pool of threads kept between passes. It owns the adapter: `close` closes it."""

    adapter: Adapter
    profile: Profile = field(default_factory=lambda: builtin_profile("CN"))
    workers: int = WORKERS
    signature: str = ""
    pool: ThreadPoolExecutor | None = None

    def __post_init__(self) -> None:
        self.signature = self.signature or str(getattr(self.adapter, "signature", ""))
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sms-send")

    def close(self) -> None:
        """Stop the threads and close the adapter's connections."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        close = getattr(self.adapter, "close", None)
        if close is not None:
            close()


def send_due(db: Database, now: datetime | Clock, adapter: Adapter | Sender, limit: int = LIMIT,
             profile: Profile | None = None) -> SendResult:
    """One pass: claim, send, record. `now` is a time, or a clock read at the claim and again just
    before each message goes (a test moves it between the two)."""
    if callable(now):
        clock: Clock = now
    else:
        fixed = now
        clock = lambda: fixed  # noqa: E731
    own = not isinstance(adapter, Sender)
    sender = Sender(adapter, profile or builtin_profile("CN")) if not isinstance(adapter, Sender) else adapter
    try:
        return _pass(db, clock, sender, limit)
    finally:
        if own and sender.pool is not None:  # the caller's adapter stays open for the caller
            sender.pool.shutdown(wait=True)


def _pass(db: Database, clock: Clock, sender: Sender, limit: int) -> SendResult:
    result = SendResult()
    claimed = claim(db, clock(), limit, result)
    if not claimed:
        return result
    assert sender.pool is not None
    outcomes = list(sender.pool.map(lambda c: _send_one(c, clock, sender), claimed))
    record(db, outcomes, sender.profile, result)
    return result


def _due(now: datetime, limit: int) -> Any:
    return (select(SmsMessage).where(SmsMessage.state == "queued", SmsMessage.next_attempt_at <= now)
            .order_by(SmsMessage.next_attempt_at, SmsMessage.id).limit(limit))


def _expired(now: datetime, limit: int) -> Any:
    return (select(SmsMessage).where(SmsMessage.state == "sending", SmsMessage.lease_until < now)
            .order_by(SmsMessage.lease_until, SmsMessage.id).limit(limit))


def claim(db: Database, now: datetime, limit: int = LIMIT, result: SendResult | None = None) -> list[Claimed]:
    """Take up to `limit` due messages for LEASE; committed before anything is sent."""
    result = result if result is not None else SendResult()
    with db.read() as s:  # nothing due (the usual case) costs two index probes and no write lock
        if (s.scalar(_due(now, 1).with_only_columns(SmsMessage.id)) is None
                and s.scalar(_expired(now, 1).with_only_columns(SmsMessage.id)) is None):
            return []
    out: list[Claimed] = []
    with db.write() as s:
        rows = list(s.scalars(_expired(now, limit).with_for_update(skip_locked=True)))
        if len(rows) < limit:
            rows += list(s.scalars(_due(now, limit - len(rows)).with_for_update(skip_locked=True)))
        if not rows:
            return []
        case_ids = sorted({r.case_id for r in rows})
        cases = {cid: (status, debtor) for cid, status, debtor in s.execute(
            select(Case.id, Case.status, Case.debtor_id).where(Case.id.in_(case_ids))).tuples()}
        phone_ids = sorted({r.phone_id for r in rows if r.phone_id is not None})
        phones = dict(s.execute(select(Phone.id, Phone.status).where(Phone.id.in_(phone_ids))).tuples().all())
        lease_until = now + LEASE
        trail: list[dict[str, Any]] = []
        for row in rows:
            status, debtor_id = cases.get(row.case_id, ("closed", 0))
            why = None
            if status != "open":
                why = f"case_{status}"
            elif row.phone_id is not None and (phones.get(row.phone_id) or "").strip().lower() in DEAD_STATUSES:
                why = "number_invalid"
            if why is not None:
                row.state, row.skip_reason, row.next_attempt_at, row.lease_until = "skipped", why, None, None
                trail.append(trail_rows(s, row.case_id, "sms", {
                    "state": "skipped", "template": row.template_code, "number": mask_phone(row.number),
                    "why": why}, now, ref=str(row.id)))
                result.skipped += 1
                continue
            row.state, row.lease_until = "sending", lease_until
            out.append(Claimed(row.id, row.case_id, debtor_id, row.number, row.body, row.template_code, row.zone,
                               lease_until, row.attempts, row.scheduled_at))
        if trail:
            s.execute(insert(CaseTrailItem), trail)
            announce(s, now, {t["case_id"] for t in trail})
    result.claimed += len(out)
    return out


def _send_one(c: Claimed, clock: Clock, sender: Sender) -> _Outcome:
    at = clock()
    tz = zone_of(c.zone, sender.profile.timezone)
    if not allowed(at, tz, window_for(sender.profile)):
        return _Outcome(c, "quiet", at)
    if at >= c.lease_until - LEASE_MARGIN:
        return _Outcome(c, "release", at)
    message = Message(id=c.id, channel="sms", recipient_name="", phone=c.number, title=c.template, text=c.body,
                      data={"template": c.template}, key=key_of(c.id))
    try:
        ref = sender.adapter.send(message)
    except DeliveryError as exc:
        return _Outcome(c, "error", clock(), error=str(exc) or type(exc).__name__,
                        retryable=bool(getattr(exc, "retryable", True)))
    except Exception as exc:  # an adapter's bug must not stop the sender: the message is tried again
        log.warning("sms %s: the adapter raised %s", c.id, type(exc).__name__)
        return _Outcome(c, "error", clock(), error=f"{type(exc).__name__}: {exc}"[:500])
    return _Outcome(c, "sent", clock(), ref=None if ref is None else str(ref)[:100],
                    content=sms_content(sender.signature, c.body) if sender.signature else c.body)


def reslot(s: Session, row: SmsMessage, debtor_id: int, after: datetime, profile: Profile) -> datetime:
    """The next allowed minute at or after `after` with room under the caps, this message not counted."""
    tz = zone_of(row.zone, profile.timezone)
    counts = debtor_counts(s, [debtor_id], after - timedelta(days=8), {debtor_id: tz}, exclude=row.id)
    slot = first_slot(after, tz, window_for(profile), Caps.of(profile), counts[debtor_id])
    return slot if slot is not None else after


def record(db: Database, outcomes: list[_Outcome], profile: Profile, result: SendResult) -> None:
    with db.write() as s:
        ids = [o.claim.id for o in outcomes]
        current: dict[int, tuple[str, datetime | None, str | None]] = {}
        for start in range(0, len(ids), 1000):
            for mid, state, lease, ref in s.execute(select(
                    SmsMessage.id, SmsMessage.state, SmsMessage.lease_until, SmsMessage.provider_ref)
                    .where(SmsMessage.id.in_(ids[start:start + 1000]))).tuples():
                current[mid] = (state, lease, ref)
        updates: list[dict[str, Any]] = []
        trail: list[dict[str, Any]] = []
        for o in outcomes:
            c = o.claim
            state, lease, ref = current.get(c.id, ("", None, None))
            if lease != c.lease_until or state not in ("sending", "delivered", "undelivered"):
                continue  # no longer ours: reclaimed after the lease, or gone
            masked = mask_phone(c.number)
            tz = zone_of(c.zone, profile.timezone)
            if o.kind == "sent":
                values: dict[str, Any] = {"id": c.id, "attempts": c.attempts + 1, "sent_at": o.at,
                                          "provider_ref": ref or o.ref, "next_attempt_at": None,
                                          "lease_until": None, "last_error": None}
                if state == "sending":
                    values["state"] = "sent"
                updates.append(values)
                trail.append(trail_rows(s, c.case_id, "sms", {
                    "state": "sent", "template": c.template, "number": masked, "text": o.content,
                    "scheduled_at": c.scheduled_at.astimezone(tz).isoformat()}, o.at, ref=str(c.id)))
                result.sent += 1
                continue
            if state != "sending":
                continue
            if o.kind == "release":
                updates.append({"id": c.id, "state": "queued", "lease_until": None, "next_attempt_at": o.at})
                result.released += 1
                continue
            row = s.get(SmsMessage, c.id)
            assert row is not None
            if o.kind == "quiet":
                slot = reslot(s, row, c.debtor_id, o.at, profile)
                updates.append({"id": c.id, "state": "queued", "lease_until": None, "next_attempt_at": slot,
                                "scheduled_at": slot})
                trail.append(trail_rows(s, c.case_id, "sms", {
                    "state": "queued", "template": c.template, "number": masked, "why": "quiet_hours",
                    "scheduled_at": slot.astimezone(tz).isoformat()}, o.at, ref=str(c.id)))
                result.requeued += 1
                continue
            attempts = c.attempts + 1
            later = next_attempt(attempts, o.at, c.id) if o.retryable else None
            if later is None:
                updates.append({"id": c.id, "state": "failed", "attempts": attempts, "lease_until": None,
                                "next_attempt_at": None, "last_error": o.error[:500]})
                trail.append(trail_rows(s, c.case_id, "sms", {
                    "state": "failed", "template": c.template, "number": masked, "why": o.error[:200],
                    "attempts": attempts}, o.at, ref=str(c.id)))
                result.failed += 1
                continue
            values = {"id": c.id, "state": "queued", "attempts": attempts, "lease_until": None,
                      "next_attempt_at": later, "last_error": o.error[:500]}
            if not allowed(later, tz, window_for(profile)) or local_day(later, tz) != local_day(c.scheduled_at, tz):
                slot = reslot(s, row, c.debtor_id, later, profile)
                values["next_attempt_at"] = values["scheduled_at"] = slot
            updates.append(values)
            result.retried += 1
        for group in _by_keys(updates):
            s.execute(update(SmsMessage), group)
        if trail:
            s.execute(insert(CaseTrailItem), trail)
            announce(s, max(o.at for o in outcomes), {t["case_id"] for t in trail})


def _by_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key needs the same columns in every row of one statement."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    return list(groups.values())
