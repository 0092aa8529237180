"""SMS through the client's own licensed channel.

The large cloud SMS services forbid loan and collection content, so a collections company sends
through a channel it holds a licence for. Doorstep speaks one documented HTTP interface to it; a
channel with another interface gets a small adapter with the same `send`.

    POST <url>
    Content-Type: application/json
    Authorization: Bearer <token>            (when a token is configured)
    Idempotency-Key: doorstep-<message id>   (the same for every retry of one message; a reminder
                                             from headoffice/sms is doorstep-sms-<its id>)

    {"message_id": "doorstep-42", "mobile": "+8613800138000", "sign": "Doorstep",
     "content": "【Doorstep】Visit overdue: ..."}

    2xx  accepted; the reply may carry {"id": "<provider reference>"} (or "message_id")
    408, 425, 429, 5xx, a time-out or a broken connection: try again later
    any other 4xx: refused (bad number, credentials, content) — trying again will not help

The content is the sender's signature in 【】 followed by the text; a 【 or 】 inside the text would
read as a second signature to the channel (and to the recipient), so they become [ ]. Control
characters are removed, and the text is cut to MAX_CHARS. The number must be a valid mobile number
(phonenumbers, region CN unless it carries its own +country code), sent as E.164.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import phonenumbers

from .base import DeliveryError, Message

MAX_CHARS = 480  # about seven long-SMS segments of Chinese text
RETRYABLE_STATUS = frozenset({408, 425, 429})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def sms_content(signature: str, text: str) -> str:
    """`【signature】text` as the channel receives it (no 【】 in the body, no control characters)."""
    body = _CONTROL.sub("", text.replace("【", "[").replace("】", "]")).replace("\n", " ").strip()
    content = f"【{signature}】{body}"
    return content if len(content) <= MAX_CHARS else content[: MAX_CHARS - 1] + "…"


def e164(phone: str | None, region: str = "CN") -> str:
    """The number as E.164, or DeliveryError (not retryable) when it is not a valid number."""
    if not phone or not phone.strip():
        raise DeliveryError("the recipient has no phone number", retryable=False)
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        raise DeliveryError("the recipient's phone number cannot be read", retryable=False) from None
    if not phonenumbers.is_valid_number(parsed):
        raise DeliveryError("the recipient's phone number is not a valid number", retryable=False)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class SmsGateway:
    channel = "sms"

    def __init__(self, url: str, signature: str, token: str | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        if not url.startswith(("https://", "http://")):
            raise ValueError("the SMS gateway address must start with https:// (http:// only on a private network)")
        signature = signature.strip()
        if (not 2 <= len(signature) <= 16 or any(c in signature for c in "【】[]")
                or not signature.isprintable()):
            raise ValueError("the SMS signature is 2 to 16 characters, without brackets")
        self.url, self.signature, self.token = url, signature, token
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def send(self, message: Message) -> str | None:
        key = message.key or f"doorstep-{message.id}"
        body = {"message_id": key, "mobile": e164(message.phone), "sign": self.signature,
                "content": sms_content(self.signature, message.text)}
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            reply = self._http.post(self.url, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise DeliveryError(f"SMS gateway unreachable ({type(exc).__name__})") from None
        if reply.status_code // 100 == 2:
            return _reference(reply)
        retryable = reply.status_code >= 500 or reply.status_code in RETRYABLE_STATUS
        raise DeliveryError(f"SMS gateway answered {reply.status_code}{_reason(reply)}", retryable=retryable)

    def close(self) -> None:
        self._http.close()


def _reference(reply: httpx.Response) -> str | None:
    try:
        data: Any = reply.json()
    except ValueError:
        return None
    if isinstance(data, dict):
        ref = data.get("id") or data.get("message_id")
        return str(ref)[:100] if ref is not None else None
    return None


def _reason(reply: httpx.Response) -> str:
    text = _CONTROL.sub("", reply.text or "").strip()
    return f": {text[:120]}" if text else ""
