"""Validation of an outcome's fields, per outcome code. Pure: returns errors keyed by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .enums import Channel, HardshipReason, PaymentMethod, ReliefKind, SafetyCategory, Severity
from .money import MoneyError, parse_yuan
from .outcomes import Field, OutcomeCode, spec
from .text_input import text_problem

MAX_TEXT = 20_000  # notes and free text: long is fine, unbounded is not


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """What validation needs to know about the case."""

    outstanding_fen: int
    today: date
    max_promise_days: int


class OutcomeInvalid(ValueError):
    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def clean_outcome_fields(code: OutcomeCode, channel: Channel, raw: Mapping[str, Any], notes: str,
                         facts: OutcomeFacts) -> dict[str, Any]:
    """Check and normalise the fields an outcome requires. Raises OutcomeInvalid with one message per field."""
    s = spec(code)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if s.visit_only and channel != Channel.VISIT:
        errors["channel"] = "this outcome can only be recorded for a door visit"
    if len(notes) > MAX_TEXT:
        errors["notes"] = f"notes are limited to {MAX_TEXT:,} characters"
    elif (problem := text_problem(notes, max_length=MAX_TEXT, multiline=True)) is not None:
        errors["notes"] = f"notes {problem}"  # head office refuses what the device would send

    def text_field(f: Field, label: str) -> None:
        value = raw.get(f.value)
        if not isinstance(value, str) or not value.strip():
            errors[f.value] = f"{label} is required"
        elif len(value) > MAX_TEXT:
            errors[f.value] = f"{label} is too long"
        elif (problem := text_problem(value, max_length=MAX_TEXT, multiline=True)) is not None:
            errors[f.value] = f"{label} {problem}"
        else:
            out[f.value] = value.strip()

    def amount_field(f: Field, *, cap: int | None) -> None:
        value = raw.get(f.value)
        try:
            fen = value if isinstance(value, int) and not isinstance(value, bool) else parse_yuan(str(value or ""))
        except MoneyError as exc:
            errors[f.value] = str(exc)
            return
        if fen <= 0:
            errors[f.value] = "amount must be more than zero"
        elif cap is not None and fen > cap:
            errors[f.value] = f"amount is more than the balance (¥{cap / 100:,.2f})"
        else:
            out[f.value] = fen

    def choice(f: Field, enum: type[Any], label: str) -> None:
        value = raw.get(f.value)
        try:
            out[f.value] = enum(value).value
        except ValueError:
            errors[f.value] = f"choose a {label}"

    required = s.required
    if Field.PROMISE_AMOUNT in required:
        amount_field(Field.PROMISE_AMOUNT, cap=facts.outstanding_fen)
    if Field.PROMISE_DATE in required:
        value = raw.get(Field.PROMISE_DATE.value)
        try:
            due = value if isinstance(value, date) else date.fromisoformat(str(value))
        except (TypeError, ValueError):
            errors[Field.PROMISE_DATE.value] = "enter the date the debtor promised to pay"
        else:
            if due < facts.today:
                errors[Field.PROMISE_DATE.value] = "the promised date is in the past"
            elif due > facts.today + timedelta(days=facts.max_promise_days):
                errors[Field.PROMISE_DATE.value] = f"a promise may run at most {facts.max_promise_days} days"
            else:
                out[Field.PROMISE_DATE.value] = due.isoformat()
    if Field.PAYMENT_AMOUNT in required:
        amount_field(Field.PAYMENT_AMOUNT, cap=facts.outstanding_fen)
    if Field.PAYMENT_METHOD in required:
        choice(Field.PAYMENT_METHOD, PaymentMethod, "designated payment channel")
    if Field.RECEIPT_NO in required:
        text_field(Field.RECEIPT_NO, "receipt number")
    if Field.NEW_ADDRESS in required:
        text_field(Field.NEW_ADDRESS, "new address")
    if Field.HARDSHIP_REASON in required:
        choice(Field.HARDSHIP_REASON, HardshipReason, "hardship reason")
    if Field.RELIEF_KIND in required:
        choice(Field.RELIEF_KIND, ReliefKind, "kind of relief")
    if Field.RELIEF_DETAIL in required:
        text_field(Field.RELIEF_DETAIL, "proposed relief")
    if Field.DISPUTE_REASON in required:
        text_field(Field.DISPUTE_REASON, "what the debtor disputes")
    if Field.THIRD_PARTY_RELATION in required:
        text_field(Field.THIRD_PARTY_RELATION, "who was met")
    if Field.SAFETY_NOTE in required:
        note = raw.get(Field.SAFETY_NOTE.value)
        if not isinstance(note, Mapping) or not str(note.get("text", "")).strip():
            errors[Field.SAFETY_NOTE.value] = "describe what made the visit unsafe"
        elif (problem := text_problem(str(note["text"]).strip()[:MAX_TEXT], max_length=MAX_TEXT,
                                      multiline=True)) is not None:
            errors[Field.SAFETY_NOTE.value] = f"the safety note {problem}"
        else:
            try:
                out[Field.SAFETY_NOTE.value] = {
                    "category": SafetyCategory(note.get("category", "other")).value,
                    "severity": Severity(note.get("severity", "high")).value,
                    "text": str(note["text"]).strip()[:MAX_TEXT],
                    "two_person_required": bool(note.get("two_person_required", False)),
                    "do_not_visit": bool(note.get("do_not_visit", False)),
                }
            except ValueError:
                errors[Field.SAFETY_NOTE.value] = "choose a category and severity"
    if errors:
        raise OutcomeInvalid(errors)
    return out
