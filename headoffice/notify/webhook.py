"""Alarms to a webhook: a company's own alerting (an on-call rota, a chat room, a monitoring centre).

    POST <url>
    Content-Type: application/json
    X-Doorstep-Delivery: <message id>                     (the same for every retry)
    X-Doorstep-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>   (with a secret)

    {"id": 42, "channel": "webhook", "recipient": "...", "title": "...", "text": "...", "data": {...}}

2xx is delivered; 408, 425, 429, 5xx and network failures are tried again; any other 4xx is refused.
The receiver checks the signature over the exact bytes received and drops a delivery id it has seen.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from .base import DeliveryError, Message
from .sms import RETRYABLE_STATUS


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class Webhook:
    channel = "webhook"

    def __init__(self, url: str, secret: str | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        if not url.startswith(("https://", "http://")):
            raise ValueError("the webhook address must start with https:// (http:// only on a private network)")
        self.url, self.secret = url, secret
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def send(self, message: Message) -> str | None:
        body = json.dumps({"id": message.id, "channel": "webhook", "recipient": message.recipient_name,
                           "title": message.title, "text": message.text, "data": message.data},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json", "X-Doorstep-Delivery": str(message.id)}
        if self.secret:
            headers["X-Doorstep-Signature"] = signature(self.secret, body)
        try:
            reply = self._http.post(self.url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise DeliveryError(f"webhook unreachable ({type(exc).__name__})") from None
        if reply.status_code // 100 == 2:
            return None
        retryable = reply.status_code >= 500 or reply.status_code in RETRYABLE_STATUS
        raise DeliveryError(f"webhook answered {reply.status_code}", retryable=retryable)

    def close(self) -> None:
        self._http.close()
