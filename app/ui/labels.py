"""Words people see for the domain's stored values (stages, outcome codes, rules…), translated.

Built on each call so a language switch takes effect at once. Unknown values (a newer head
office may send codes this build does not know) fall back to the raw value rather than failing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def stage(value: str) -> str:
    return {
        "reminder": translate("Labels", "Reminder"), "legal_letter": translate("Labels", "Lawyer's letter"), "field_visit": translate("Labels", "Field visit"),
        "legal_action": translate("Labels", "Legal action"), "agency": translate("Labels", "Agency"), "closed": translate("Labels", "Closed"),
    }.get(value, value)


def status(value: str) -> str:
    return {
        "open": translate("Labels", "Open"), "paused": translate("Labels", "Paused"), "promised": translate("Labels", "Promised"), "closed": translate("Labels", "Closed"),
        "returned": translate("Labels", "Returned"),
    }.get(value, value)


def trigger(value: str | None) -> str:
    if not value:
        return translate("Labels", "none recorded")
    return {
        "repeated_delinquency": translate("Labels", "Repeated delinquency"), "evading_contact": translate("Labels", "Evading contact"),
        "serious_default": translate("Labels", "Serious default (asset transfer, forged signature)"),
    }.get(value, value)


def channel(value: str) -> str:
    return {"visit": translate("Labels", "Door visit"), "phone": translate("Labels", "Phone call"), "sms": translate("Labels", "SMS"), "letter": translate("Labels", "Letter")
            }.get(value, value)


def outcome(value: str) -> str:
    return {
        "promise_to_pay": translate("Labels", "Promise to pay"), "paid_in_full": translate("Labels", "Paid in full"),
        "partial_payment": translate("Labels", "Partial payment"), "refused": translate("Labels", "Refused to pay"), "not_home": translate("Labels", "Not at home"),
        "moved": translate("Labels", "Moved / wrong address"), "third_party_met": translate("Labels", "Met a third party"),
        "dispute": translate("Labels", "Dispute"), "hardship": translate("Labels", "Hardship claimed"),
        "deceased": translate("Labels", "Deceased / incapacitated"), "aborted_safety": translate("Labels", "Visit aborted for safety"),
        "no_answer": translate("Labels", "No answer"),
    }.get(value, value)


def payment_method(value: str) -> str:
    return {"bank_transfer": translate("Labels", "Bank transfer"), "platform_app": translate("Labels", "Lender's app"),
            "alipay_official": translate("Labels", "Alipay (official account)"),
            "wechat_official": translate("Labels", "WeChat Pay (official account)")}.get(value, value)


def hardship_reason(value: str) -> str:
    return {"unemployment": translate("Labels", "Unemployment"), "illness": translate("Labels", "Illness"), "accident": translate("Labels", "Accident"),
            "bereavement": translate("Labels", "Bereavement"), "other": translate("Labels", "Other")}.get(value, value)


def relief_kind(value: str) -> str:
    return {"deferral": translate("Labels", "Deferral"), "instalment_plan": translate("Labels", "Instalment plan")}.get(value, value)


def safety_category(value: str) -> str:
    return {"aggressive": translate("Labels", "Aggressive or threatening"), "dog": translate("Labels", "Dog"), "unsafe_area": translate("Labels", "Unsafe area"),
            "health_hazard": translate("Labels", "Health hazard"), "other": translate("Labels", "Other")}.get(value, value)


def severity(value: str) -> str:
    return {"low": translate("Labels", "Low"), "medium": translate("Labels", "Medium"), "high": translate("Labels", "Severe")}.get(value, value)


def promise_state(value: str) -> str:
    return {"open": translate("Labels", "Open"), "kept": translate("Labels", "Kept"), "broken": translate("Labels", "Broken")}.get(value, value)


def proposal_status(value: str) -> str:
    return {"pending": translate("Labels", "Awaiting supervisor"), "approved": translate("Labels", "Approved"), "rejected": translate("Labels", "Rejected")
            }.get(value, value)


def address_kind(value: str) -> str:
    return {"home": translate("Labels", "Home"), "work": translate("Labels", "Work"), "other": translate("Labels", "Other")}.get(value, value)


def phone_status(value: str) -> str:
    return {"valid": translate("Labels", "valid"), "invalid": translate("Labels", "not in service"), "unknown": translate("Labels", "unchecked")}.get(value, value)


def event_kind(value: str) -> str:
    return {"outcome": translate("Labels", "Outcome"), "safety_note": translate("Labels", "Safety note"),
            "safety_note_expired": translate("Labels", "Safety note expired")}.get(value, value)


def rule(value: str) -> str:
    return {
        "contact_window": translate("Labels", "Quiet hours"), "effective_call_cap": translate("Labels", "Daily call limit"),
        "unanswered_cap": translate("Labels", "Unanswered-attempt limit"), "third_party_unreachable": translate("Labels", "Third-party contact"),
        "third_party_refused": translate("Labels", "Third party refused contact"), "visit_recording": translate("Labels", "Visit recording"),
        "home_visit_two_person": translate("Labels", "Two-person visit"), "do_not_visit": translate("Labels", "Do not visit"),
        "collection_paused": translate("Labels", "Collection paused"), "severe_safety_ack": translate("Labels", "Severe safety note"),
        "attempt_cap": translate("Labels", "Attempt limit"), "conversation_cooldown": translate("Labels", "Conversation cooldown"),
    }.get(value, value)


def priority_reason(code: str, args: tuple[str, ...], fallback: str) -> str:
    a = list(args) + ["", ""]
    makers: dict[str, Callable[[], str]] = {
        "dpd": lambda: translate("Labels", "%1 days past due").replace("%1", a[0]),
        "amount": lambda: translate("Labels", "¥%1 overdue").replace("%1", a[0]),
        "broken": lambda: translate("Labels", "%1 broken promise(s)").replace("%1", a[0]),
        "evasion": lambda: translate("Labels", "%1 failed contact(s) in 30 days").replace("%1", a[0]),
        "never": lambda: translate("Labels", "never contacted"),
        "stale": lambda: translate("Labels", "no contact for %1 days").replace("%1", a[0]),
        "promise_due": lambda: translate("Labels", "promise falls due"),
        "hardship": lambda: translate("Labels", "hardship claim under review"),
        "dispute": lambda: translate("Labels", "dispute open: collection paused"),
    }
    maker = makers.get(code)
    return maker() if maker else fallback


def field_label(key: str) -> str:
    return {
        "promise_amount_fen": translate("Labels", "Promised amount (¥)"), "promise_date": translate("Labels", "Promised date"),
        "payment_amount_fen": translate("Labels", "Amount paid (¥)"), "payment_method": translate("Labels", "Payment channel"),
        "receipt_no": translate("Labels", "Receipt number"), "new_address": translate("Labels", "New address"),
        "hardship_reason": translate("Labels", "Hardship reason"), "relief_kind": translate("Labels", "Proposed relief"),
        "relief_detail": translate("Labels", "Relief details"), "safety_note": translate("Labels", "What made it unsafe"),
        "dispute_reason": translate("Labels", "What the debtor disputes"), "third_party_relation": translate("Labels", "Who was met"),
    }.get(key, key)


_ERRORS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^amount is empty$"), lambda m: translate("Labels", "Enter an amount.")),
    (re.compile(r"^amount must not carry a sign$"), lambda m: translate("Labels", "Enter the amount without a sign.")),
    (re.compile(r"^not an amount"), lambda m: translate("Labels", "This is not an amount of money.")),
    (re.compile(r"^amounts have at most two decimals"), lambda m: translate("Labels", "At most two decimals (fen).")),
    (re.compile(r"^amount is too large$"), lambda m: translate("Labels", "The amount is too large.")),
    (re.compile(r"^amount must be more than zero$"), lambda m: translate("Labels", "The amount must be more than zero.")),
    (re.compile(r"^amount is more than the balance \((?P<cap>.*)\)$"),
     lambda m: translate("Labels", "The amount is more than the balance (%1).").replace("%1", m.group("cap"))),
    (re.compile(r"^enter the date the debtor promised to pay$"), lambda m: translate("Labels", "Enter the promised date.")),
    (re.compile(r"^the promised date is in the past$"), lambda m: translate("Labels", "The promised date is in the past.")),
    (re.compile(r"^a promise may run at most (?P<n>\d+) days$"),
     lambda m: translate("Labels", "A promise may run at most %1 days.").replace("%1", m.group("n"))),
    (re.compile(r"^choose a "), lambda m: translate("Labels", "Choose one.")),
    (re.compile(r" is required$"), lambda m: translate("Labels", "Required.")),
    (re.compile(r" is too long$"), lambda m: translate("Labels", "Too long.")),
    (re.compile(r"^describe what made the visit unsafe$"), lambda m: translate("Labels", "Describe what made the visit unsafe.")),
    (re.compile(r"^describe the danger$"), lambda m: translate("Labels", "Describe the danger.")),
    (re.compile(r"^the expiry must be in the future$"), lambda m: translate("Labels", "The expiry must be in the future.")),
    (re.compile(r"^this outcome can only be recorded for a door visit$"),
     lambda m: translate("Labels", "This outcome can only be recorded for a door visit.")),
    (re.compile(r"^notes are limited to"), lambda m: translate("Labels", "Notes are too long.")),
    (re.compile(r"^limited to"), lambda m: translate("Labels", "Too long.")),
]


def validation_error(message: str) -> str:
    """A validation message from the core, in the user's language."""
    for pattern, make in _ERRORS:
        match = pattern.search(message)
        if match:
            return make(match)
    return message


def skip_reason(code: str, detail: str, fallback: str) -> str:
    """Why a case is not in the day's plan (app.routing.model.SkipReason), translated."""
    words = {
        "empty_id": translate("Labels", "the stop has no id"),
        "duplicate_id": translate("Labels", "the same case appears more than once; only the first is planned"),
        "no_coordinates": translate("Labels", "the address has no coordinates"),
        "impossible_coordinates": translate("Labels", "the coordinates are impossible"),
        "too_far": translate("Labels", "the address is too far from the start and the other stops"),
        "bad_window": translate("Labels", "the availability window ends before it starts"),
        "bad_duration": translate("Labels", "the visit duration is not a sensible number of minutes"),
        "bad_priority": translate("Labels", "the priority is not a number"),
        "window_outside_day": translate("Labels", "the visit cannot fit the working day, the permitted hours "
                                                  "and the debtor's availability at once"),
        "day_too_short": translate("Labels", "the day is too short to travel there, visit and get back in time"),
        "needs_partner": translate("Labels", "the visit needs two collectors and no partner is set for the day"),
        "do_not_visit": translate("Labels", "a safety note says do not visit"),
        "not_available": translate("Labels", "the case cannot be planned"),
        "not_chosen": translate("Labels", "did not fit in the day; the planned visits are worth more or lie closer"),
        "must_visit_did_not_fit": translate("Labels", "must-visit, but the day cannot hold it with the other "
                                                      "must-visits"),
    }
    base = words.get(code)
    if base is None:
        return fallback
    detail = _skip_detail(detail)
    return f"{base} ({detail})" if detail else base


def _skip_detail(detail: str) -> str:
    """The day plan's reason for two collectors (app.services.dayplan), in the user's language."""
    if detail == "a safety note asks for two collectors":
        return translate("Labels", "a safety note asks for two collectors")
    found = re.fullmatch(r"profile (\S+) asks for (\d+) collectors at a home visit", detail)
    if found:
        return (translate("Labels", "profile %1 asks for %2 collectors at a home visit")
                .replace("%1", found.group(1)).replace("%2", found.group(2)))
    return detail
