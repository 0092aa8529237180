"""Is a pushed event well-formed? Structural checks only: a malformed event is rejected (it goes to
the device's dead-letter list); anything well-formed is stored, and business-rule problems are
flagged later, never rejected."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from app.contract.v1 import (
    EVENT_KINDS,
    EVENT_SCHEMA_VERSION,
    MIN_EVENT_SCHEMA_VERSION,
    EventIn,
    VisitPlannedPayload,
)
from app.domain.enums import Channel, SafetyCategory, Severity
from app.domain.money import MAX_FEN
from app.domain.outcomes import OutcomeCode
from app.domain.text_input import shown
from app.domain.validation import MAX_TEXT, OutcomeFacts, OutcomeInvalid, clean_outcome_fields

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_ID = 2**31 - 1


class Malformed(ValueError):
    pass


def parse_event(raw: Any) -> EventIn:
    return parse_event_text(raw)[0]


def parse_event_text(raw: Any) -> tuple[EventIn, str]:
    """The event and its payload as canonical JSON (what is stored; computed once, for the size check)."""
    if not isinstance(raw, Mapping):
        raise Malformed("an event must be a JSON object")
    try:
        ev = EventIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(shown(str(p)) for p in first.get("loc", ())) or "event"
        raise Malformed(f"{where}: {first.get('msg', 'invalid')}") from None
    if not 1 <= ev.case_id <= MAX_ID:
        raise Malformed("case_id is out of range")
    if ev.device_seq > 2**62 or ev.case_version > MAX_ID:
        raise Malformed("device_seq / case_version out of range")
    if not MIN_EVENT_SCHEMA_VERSION <= ev.schema_version <= EVENT_SCHEMA_VERSION:
        raise Malformed(f"schema_version {ev.schema_version} is not supported "
                        f"(this server accepts {MIN_EVENT_SCHEMA_VERSION}..{EVENT_SCHEMA_VERSION})")
    if ev.kind not in EVENT_KINDS:
        raise Malformed(f"unknown event kind {ev.kind!r}")
    text = canonical(ev.payload)
    if len(text) > MAX_PAYLOAD_BYTES:
        raise Malformed("payload too large")
    _CHECKS.get(ev.kind, _any)(ev.payload)
    return ev, text


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def body_hash(ev: EventIn) -> str:
    """Hash of what the device said, with the time normalised to UTC (same instant → same body)."""
    data = ev.model_dump(mode="json")
    data["occurred_at"] = ev.occurred_at.timestamp()
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def _any(payload: Mapping[str, Any]) -> None:
    return None


def _opt_str(p: Mapping[str, Any], key: str, limit: int = MAX_TEXT) -> None:
    v = p.get(key)
    if v is not None and (not isinstance(v, str) or len(v) > limit):
        raise Malformed(f"payload.{key} must be text of at most {limit} characters")


def _opt_bool(p: Mapping[str, Any], key: str) -> None:
    if key in p and p[key] is not None and not isinstance(p[key], bool):
        raise Malformed(f"payload.{key} must be true or false")


def _opt_number(p: Mapping[str, Any], key: str, low: float, high: float) -> None:
    v = p.get(key)
    if v is None:
        return
    if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
        raise Malformed(f"payload.{key} must be a number between {low} and {high}")


def _outcome(p: Mapping[str, Any]) -> None:
    try:
        code = OutcomeCode(p.get("code"))
        channel = Channel(p.get("channel"))
    except ValueError:
        raise Malformed("payload.code / payload.channel: unknown outcome code or channel") from None
    fields = p.get("fields", {})
    if not isinstance(fields, Mapping):
        raise Malformed("payload.fields must be an object")
    notes = p.get("notes") or ""
    if not isinstance(notes, str):
        raise Malformed("payload.notes must be text")
    for key in ("phone", "no_recording_reason"):
        _opt_str(p, key, 32 if key == "phone" else MAX_TEXT)  # 32: the width of Attempt.phone
    for key in ("to_third_party", "safety_acknowledged"):
        _opt_bool(p, key)
    _opt_number(p, "lat", -90, 90)
    _opt_number(p, "lon", -180, 180)
    collectors = p.get("collectors", 1)
    if isinstance(collectors, bool) or not isinstance(collectors, int) or not 1 <= collectors <= 20:
        raise Malformed("payload.collectors must be a whole number from 1 to 20")
    rec = p.get("recording_sha256")
    if rec is not None and (not isinstance(rec, str) or not _SHA.match(rec)):
        raise Malformed("payload.recording_sha256 must be a lower-case SHA-256")
    comp = p.get("compliance", {})
    if comp is not None and not isinstance(comp, Mapping):
        raise Malformed("payload.compliance must be an object")
    # Field rules (required fields, amounts, choices) as the device applies them. Dates are checked
    # for form only: the promise window was judged on the device at the time of the visit.
    try:
        clean_outcome_fields(code, channel, fields, notes, OutcomeFacts(MAX_FEN, date(2000, 1, 1), 100_000))
    except OutcomeInvalid as exc:
        raise Malformed("payload.fields: " + str(exc)) from None


def _safety_note(p: Mapping[str, Any]) -> None:
    uid = p.get("uid")
    if not isinstance(uid, str) or not _UUID.match(uid):
        raise Malformed("payload.uid must be a UUID")
    try:
        SafetyCategory(p.get("category"))
        Severity(p.get("severity"))
    except ValueError:
        raise Malformed("payload.category / payload.severity: unknown value") from None
    text = p.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise Malformed("payload.text must describe the danger")
    for key in ("two_person_required", "do_not_visit", "on_debtor"):
        _opt_bool(p, key)
    sup = p.get("supersedes")
    if sup is not None and (not isinstance(sup, str) or not _UUID.match(sup)):
        raise Malformed("payload.supersedes must be a UUID")
    exp = p.get("expires_at")
    if exp is not None:
        try:
            when = datetime.fromisoformat(str(exp))
        except ValueError:
            raise Malformed("payload.expires_at must be an ISO time") from None
        if when.tzinfo is None:
            raise Malformed("payload.expires_at must carry a time zone")


def _safety_note_expired(p: Mapping[str, Any]) -> None:
    uid = p.get("uid")
    if not isinstance(uid, str) or not _UUID.match(uid):
        raise Malformed("payload.uid must be a UUID")
    _opt_str(p, "reason")


def _decision(p: Mapping[str, Any]) -> None:
    if p.get("subject") not in ("relief", "override", "flagged_event"):
        raise Malformed("payload.subject must be relief, override or flagged_event")
    if not isinstance(p.get("subject_id"), str) or not p["subject_id"]:
        raise Malformed("payload.subject_id is required")
    if not isinstance(p.get("approved"), bool):
        raise Malformed("payload.approved must be true or false")
    _opt_str(p, "reason")


def _visit_planned(p: Mapping[str, Any]) -> None:
    try:
        VisitPlannedPayload.model_validate(p)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise Malformed(f"payload.{where}: {first.get('msg', 'invalid')}") from None


_CHECKS = {"outcome": _outcome, "safety_note": _safety_note, "safety_note_expired": _safety_note_expired,
           "decision": _decision, "visit_planned": _visit_planned}
