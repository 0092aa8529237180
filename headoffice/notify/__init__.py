"""Notifications out of head office: the interface (base.py), the retry schedule (schedule.py) and
the adapters (sms.py, webhook.py). The outbox that calls them lives with what it notifies about."""

from __future__ import annotations

from .base import Adapter, DeliveryError, Message
from .schedule import next_attempt
from .sms import SmsGateway
from .webhook import Webhook


def adapters_from(sms_url: str | None, sms_signature: str, sms_token: str | None, webhook_url: str | None,
                  webhook_secret: str | None) -> dict[str, Adapter]:
    """The adapters a head-office process is configured with (none: only the window channel)."""
    out: dict[str, Adapter] = {}
    if sms_url:
        out["sms"] = SmsGateway(sms_url, sms_signature, sms_token)
    if webhook_url:
        out["webhook"] = Webhook(webhook_url, webhook_secret)
    return out


__all__ = ["Adapter", "DeliveryError", "Message", "next_attempt", "SmsGateway", "Webhook", "adapters_from"]
