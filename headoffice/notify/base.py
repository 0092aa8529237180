"""The notification interface of head office: one message, one adapter per channel.

A `Message` is one row of head office's notification outbox on its way out: its `id` is the row's
id and travels to the provider as the idempotency key, so a retry after a lost reply is not a second
message. An adapter sends one message and returns the provider's reference, or raises
`DeliveryError` saying whether trying again can help. Adapters hold no state between messages and
never touch the database: the outbox (headoffice/safety) claims a row, calls `send`, and records
what happened, so several head-office processes never send one row twice.

Channels: `window` (read by the recipient's own window; no adapter — the row is delivered by being
read), `sms` (sms.py: the client's licensed SMS channel over HTTP) and `webhook` (webhook.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    id: int  # the outbox row id: the idempotency key at the provider
    channel: str  # "sms" | "webhook"
    recipient_name: str
    phone: str | None
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)  # alarm id, level, kind, case number, address, lat, lon
    # The idempotency key at the provider when not `doorstep-<id>`: a sender with ids of its own (the
    # SMS reminders, `doorstep-sms-<id>`) must not collide with the outbox's ids on a shared channel.
    key: str | None = None


class DeliveryError(Exception):
    """The message did not go out. `retryable`: a later attempt may succeed (network, 5xx, 429);
    False: it never will as it is (refused number, bad credentials, content refused)."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Adapter(Protocol):
    channel: str

    def send(self, message: Message) -> str | None:
        """Send one message; return the provider's reference (or None). Raises DeliveryError."""
        ...
