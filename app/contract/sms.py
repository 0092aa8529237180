"""API v1, SMS reminders of the escalation ladder (issue #18): templates and delivery receipts.
Routes under `/api/v1/sms/`.

* `GET /templates` (supervisor, admin): every template code at its newest version, the company
  settings the fields {company}, {hotline} and {pay_channels} take, and the closed set of merge fields.
* `PUT /templates` (supervisor, admin): store templates and/or settings. A template whose text,
  language or active flag changed gets a new version (older versions stay, for the messages made
  from them); an unchanged one keeps its version. Refused as a whole with 422 naming the rule:
  `{"error": "wording", ...}` (threats, insults, false legal claims), `merge_field` (unknown or
  malformed field), `brackets` (【】 in the text), `length`, `text`, `code`.
* `POST /receipts`: the SMS gateway's delivery receipts (see headoffice/sms/__init__.py): signed
  with HMAC-SHA256, not with a user's token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .v1 import _Model, request_text

PREFIX = "/api/v1/sms"

TemplateCode = request_text(64, min_length=1)
TemplateBody = request_text(20_000, min_length=1, multiline=True)  # the real limit is checked with a clear error
SettingText = request_text(1000)
Lang = Literal["zh", "en"]
MessageState = Literal["queued", "sending", "sent", "delivered", "undelivered", "failed", "skipped"]


class SmsTemplateIn(_Model):
    code: TemplateCode
    lang: Lang = "zh"
    body: TemplateBody
    active: bool = True


class SmsSettingsData(_Model):
    """What {company}, {hotline} and {pay_channels} say in every reminder (one line each)."""

    company: SettingText = ""
    hotline: SettingText = ""
    pay_channels: SettingText = ""


class SmsTemplatesRequest(_Model):
    templates: list[SmsTemplateIn] = Field(default_factory=list, max_length=200)
    settings: SmsSettingsData | None = None


class SmsTemplateOut(_Model):
    code: str
    version: int
    lang: str
    body: str
    active: bool
    fields: list[str]  # the merge fields it uses
    longest: int  # characters of its longest possible message (without the signature)
    set_by: str
    set_at: datetime


class MergeFieldInfo(_Model):
    name: str
    max_length: int
    what: str


class SmsTemplatesResponse(_Model):
    templates: list[SmsTemplateOut]
    settings: SmsSettingsData
    merge_fields: list[MergeFieldInfo]
    max_body: int
    changed: list[str] = Field(default_factory=list)  # the codes a PUT stored as a new version


class SmsReceiptRequest(_Model):
    """A delivery receipt from the gateway (documentation of the body; head office reads the raw
    bytes, checks their signature first, then this shape)."""

    message_id: str | None = None  # "doorstep-sms-<id>" as sent
    id: str | None = None  # or the gateway's own reference, as it answered the send
    status: str  # delivered | undelivered | expired | rejected | failed | blocked
    at: datetime | None = None  # when the gateway learned it (with a zone); default: when received


class SmsReceiptResponse(_Model):
    message_id: str
    state: MessageState
    duplicate: bool = False  # the same receipt again: nothing changed
    stale: bool = False  # older than the receipt already recorded: kept for the log only
