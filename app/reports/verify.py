"""The verification code printed on a payment receipt.

    code = Crockford-base32( HMAC-SHA256(key, canonical) )[:16], shown in four groups of four

`canonical` is the receipt's record as compact JSON with sorted keys (version, payment id, receipt
no., case no., amount in fen, currency, method, payment time in UTC to the second, collector, event
id). `key` is the organisation's receipt key when one is configured; without one a fixed,
published key is used, and the code then proves only that the printed facts were not altered
or mistyped against the record — head office recomputes it from its own copy of the record.
80 bits: guessing a valid code for altered facts is hopeless either way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC

from .data import Receipt

VERSION = 1
PUBLIC_KEY = b"doorstep-receipt-v1"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def canonical(receipt: Receipt) -> bytes:
    record = {
        "v": VERSION,
        "payment": receipt.payment_id,
        "receipt_no": receipt.receipt_no,
        "case_no": receipt.case_no,
        "amount_fen": receipt.amount.fen,
        "currency": receipt.amount.currency,
        "method": receipt.method,
        "paid_at": receipt.paid_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "collector": receipt.collector,
        "event": receipt.event_id or "",
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _base32(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    n = len(data) * 8
    return "".join(_ALPHABET[(bits >> (n - 5 * (i + 1))) & 31] for i in range(n // 5))


def verification_code(receipt: Receipt, key: bytes | None = None) -> str:
    digest = hmac.new(key or PUBLIC_KEY, canonical(receipt), hashlib.sha256).digest()
    code = _base32(digest[:10])  # 80 bits → 16 characters
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def check_code(receipt: Receipt, code: str, key: bytes | None = None) -> bool:
    wanted = verification_code(receipt, key)
    typed = code.strip().upper().replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    if "-" not in typed and len(typed) == 16:
        typed = "-".join(typed[i:i + 4] for i in range(0, 16, 4))
    return hmac.compare_digest(wanted, typed)
