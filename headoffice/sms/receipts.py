"""Delivery receipts from the SMS gateway (the interface is in headoffice/sms/__init__.py).

`verify` checks the signature over the exact bytes received (constant-time); `parse` reads the body
(ReceiptError: 422); `apply` records it once: the same status again changes nothing (a replay), an
older receipt than the one recorded is kept out (stale), and each one that changes the message's
state adds a trail item. A receipt may arrive before the sender recorded `sent` (the gateway can be
quick): it is applied to the `sending` message, and the record keeps it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.domain.masking import mask_phone
from app.domain.text_input import text_problem
from headoffice.db import Database
from headoffice.ladder.models import SmsMessage
from headoffice.ladder.trail import add_trail, announce

from .slots import zone_of

SIGNATURE_HEADER = "X-Doorstep-Signature"
DELIVERED = frozenset({"delivered"})
UNDELIVERED = frozenset({"undelivered", "expired", "rejected", "failed", "blocked"})
STATUSES = DELIVERED | UNDELIVERED
MAX_BODY = 16 * 1024


class ReceiptError(ValueError):
    pass


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    given = header.strip()
    if not given.startswith("sha256="):
        given = "sha256=" + given
    return hmac.compare_digest(sign(secret, body).encode("ascii"), given.encode("utf-8", "replace"))


@dataclass(frozen=True)
class Receipt:
    message_id: int | None  # ours, from "doorstep-sms-<id>"
    provider_ref: str | None
    status: str
    at: datetime | None


def parse(body: bytes) -> Receipt:
    if len(body) > MAX_BODY:
        raise ReceiptError(f"a receipt is at most {MAX_BODY:,} bytes")
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ReceiptError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ReceiptError("the body must be a JSON object")
    unknown = set(data) - {"message_id", "id", "status", "at", "mobile", "detail"}
    if unknown:
        raise ReceiptError(f"unknown field {sorted(unknown)[0][:40]!r}")
    mid, ref = data.get("message_id"), data.get("id")
    message_id = None
    if mid is not None:
        if not isinstance(mid, str) or not mid.startswith("doorstep-sms-") or not mid[13:].isdigit() \
                or len(mid) > 30 or not mid[13:].isascii():
            raise ReceiptError("message_id must be \"doorstep-sms-<id>\" as it was sent")
        message_id = int(mid[13:])
        if not 1 <= message_id <= 2**31 - 1:
            raise ReceiptError("message_id is out of range")
    if ref is not None and (not isinstance(ref, str) or not ref or text_problem(ref, max_length=100)):
        raise ReceiptError("id must be the gateway's reference as text (1 to 100 characters)")
    if message_id is None and ref is None:
        raise ReceiptError("a receipt names the message: message_id or id")
    status = data.get("status")
    if not isinstance(status, str) or status.strip().lower() not in STATUSES:
        raise ReceiptError(f"status must be one of {', '.join(sorted(STATUSES))}")
    at = data.get("at")
    when = None
    if at is not None:
        if not isinstance(at, str) or len(at) > 40:
            raise ReceiptError("at must be an ISO time with a zone")
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise ReceiptError("at must be an ISO time with a zone") from None
        if when.tzinfo is None or when.utcoffset() is None:
            raise ReceiptError("at must carry a zone (e.g. 2026-12-01T10:00:00+08:00)")
        when = when.astimezone(UTC)
    return Receipt(message_id, ref, status.strip().lower(), when)


@dataclass(frozen=True)
class Applied:
    message_id: int
    state: str
    duplicate: bool = False
    stale: bool = False


def apply(db: Database, receipt: Receipt, now: datetime, default_zone: str = "Asia/Shanghai") -> Applied | None:
    """Record the receipt; None when no message of ours has that id or reference."""
    state = "delivered" if receipt.status in DELIVERED else "undelivered"
    at = receipt.at or now
    with db.write() as s:
        q = select(SmsMessage)
        if receipt.message_id is not None:
            q = q.where(SmsMessage.id == receipt.message_id)
        else:
            q = q.where(SmsMessage.provider_ref == receipt.provider_ref).order_by(SmsMessage.id)
        row = s.scalars(q.limit(1).with_for_update()).first()
        if row is None or row.state == "skipped" or (row.state == "queued" and row.attempts == 0):
            return None  # never handed to the gateway: no receipt can be about it
        if row.receipt_status == receipt.status:
            return Applied(row.id, row.state, duplicate=True)
        if row.receipt_at is not None and at < row.receipt_at:
            return Applied(row.id, row.state, stale=True)
        row.receipt_status, row.receipt_at = receipt.status, at
        row.state, row.next_attempt_at = state, None  # a retry still queued is not needed any more
        tz = zone_of(row.zone, default_zone)
        add_trail(s, row.case_id, "sms", {"state": state, "template": row.template_code,
                                          "number": mask_phone(row.number), "receipt": receipt.status,
                                          "at": at.astimezone(tz).isoformat()}, at, ref=str(row.id))
        announce(s, now, [row.case_id])
        return Applied(row.id, row.state)
