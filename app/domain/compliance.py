"""Compliance engine: judge an intended act before it happens.

`evaluate(act, context, profile)` is a pure function. A profile is data (JSON delivered by head
office, versioned); the rules here read it. Every blocked act names the rule ids that blocked it
and says why in plain language (English and, where the profile provides it, Chinese).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from .clock import ensure_utc
from .enums import ActKind
from .text_input import text_problem

CONTACT_ACTS = frozenset({ActKind.CALL, ActKind.SMS, ActKind.VISIT, ActKind.THIRD_PARTY_CONTACT})


class ProfileError(ValueError):
    """A compliance profile that cannot be loaded."""


@dataclass(frozen=True, slots=True)
class ContactWindow:
    start: time
    end: time
    acts: frozenset[ActKind]

    def allows(self, local_time: time) -> bool:
        if self.start <= self.end:
            return self.start <= local_time < self.end
        return local_time >= self.start or local_time < self.end


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    version: int
    name: str
    timezone: str
    window: ContactWindow
    max_effective_calls_per_debtor_per_day: int | None
    max_unanswered_per_number_per_day: int | None
    attempt_cap: tuple[int, int] | None  # (attempts, days)
    conversation_cooldown_days: int | None
    third_party_only_when_unreachable: bool
    third_party_consecutive_failures: int
    third_party_stop_when_refused: bool
    visit_requires_recording: bool
    home_visit_min_collectors: int
    max_promise_days: int
    promise_grace_days: int
    record_retention_years: int
    overridable: frozenset[str]
    messages: Mapping[str, Mapping[str, str]]
    # SMS reminders from head office: at most this many per debtor per local day / ISO week (None: no cap).
    sms_max_per_debtor_per_day: int | None = None
    sms_max_per_debtor_per_week: int | None = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def message(self, rule: str, lang: str, **args: object) -> str:
        templates = self.messages.get(rule, {})
        template = templates.get(lang) or templates.get("en") or rule
        try:
            return template.format(**args)
        except (KeyError, IndexError, ValueError):
            return template


def _time(text: str) -> time:
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise ProfileError(f"bad time {text!r}, expected HH:MM") from exc


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProfileError(f"{key} must be a non-negative integer or null")
    return value


MAX_PROFILE_TEXT = 2000  # a profile's name or one rule message


def _profile_text(value: object, where: str, limit: int = MAX_PROFILE_TEXT) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{where} must be text")
    problem = text_problem(value, max_length=limit)
    if problem is not None:
        raise ProfileError(f"{where} {problem}")
    return value


def _messages(value: object) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise ProfileError("messages must be an object of rule → {language: text}")
    out: dict[str, dict[str, str]] = {}
    for rule, texts in value.items():
        rule = _profile_text(rule, "a message's rule id", 64)
        if not isinstance(texts, Mapping):
            raise ProfileError(f"messages.{rule} must be an object of language → text")
        out[rule] = {_profile_text(lang, f"a language of messages.{rule}", 16):
                     _profile_text(text, f"messages.{rule}.{lang}") for lang, text in texts.items()}
    return out


def profile_from_dict(data: Mapping[str, Any]) -> Profile:
    """The profile `data` describes. Raises ProfileError (only) saying what is wrong."""
    try:
        window = data["contact_window"]
        third = data.get("third_party", {})
        cap = data.get("attempt_cap")
        tz = str(data["timezone"])
        ZoneInfo(tz)
        return Profile(
            id=_profile_text(data["id"], "id", 64),
            version=int(data["version"]),
            name=_profile_text(data.get("name", data["id"]), "name"),
            timezone=tz,
            window=ContactWindow(_time(window["start"]), _time(window["end"]),
                                 frozenset(ActKind(a) for a in window["acts"])),
            max_effective_calls_per_debtor_per_day=_opt_int(data, "max_effective_calls_per_debtor_per_day"),
            max_unanswered_per_number_per_day=_opt_int(data, "max_unanswered_per_number_per_day"),
            attempt_cap=(int(cap["attempts"]), int(cap["days"])) if cap else None,
            conversation_cooldown_days=_opt_int(data, "conversation_cooldown_days"),
            third_party_only_when_unreachable=bool(third.get("only_when_unreachable", True)),
            third_party_consecutive_failures=int(third.get("consecutive_failures", 3)),
            third_party_stop_when_refused=bool(third.get("stop_when_refused", True)),
            visit_requires_recording=bool(data.get("visit_requires_recording", False)),
            home_visit_min_collectors=int(data.get("home_visit_min_collectors", 1)),
            max_promise_days=int(data.get("max_promise_days", 30)),
            promise_grace_days=int(data.get("promise_grace_days", 0)),
            record_retention_years=int(data.get("record_retention_years", 5)),
            overridable=frozenset(data.get("overridable", [])),
            messages=_messages(data.get("messages", {})),
            sms_max_per_debtor_per_day=_opt_int(data, "sms_max_per_debtor_per_day"),
            sms_max_per_debtor_per_week=_opt_int(data, "sms_max_per_debtor_per_week"),
            raw=dict(data),
        )
    except ProfileError:
        raise
    except KeyError as exc:
        raise ProfileError(f"invalid compliance profile: {exc} is missing or unknown") from exc
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ProfileError(f"invalid compliance profile: {type(exc).__name__}: {str(exc)[:200]!r}") from exc


def load_profile_json(text: str) -> Profile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"compliance profile is not valid JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:  # digits past Python's limit; nesting past its stack
        raise ProfileError(f"compliance profile is not usable JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise ProfileError("compliance profile must be a JSON object")
    return profile_from_dict(data)


def builtin_profile(profile_id: str = "CN") -> Profile:
    """The profiles shipped with the app (head office may deliver newer ones in the pull)."""
    try:
        text = resources.files("app.domain.profiles").joinpath(f"{profile_id}.json").read_text("utf-8")
    except FileNotFoundError as exc:
        raise ProfileError(f"no built-in compliance profile {profile_id!r}") from exc
    return load_profile_json(text)


# --- what the engine judges -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """A past contact attempt on the case, as the engine needs it."""

    at: datetime
    kind: ActKind
    answered: bool = False  # a live conversation took place (an "effective" call)
    right_party: bool = False  # the conversation was with the debtor
    phone: str | None = None
    to_third_party: bool = False


@dataclass(frozen=True, slots=True)
class SafetyFlag:
    severity_rank: int  # 3 = high (severe)
    two_person_required: bool
    do_not_visit: bool
    text: str


@dataclass(frozen=True, slots=True)
class CaseContext:
    history: Sequence[HistoryItem] = ()
    all_debtor_numbers_invalid: bool = False
    paused_reason: str | None = None
    safety: Sequence[SafetyFlag] = ()
    third_party_refused: bool = False  # the third party of this act refused further contact


@dataclass(frozen=True, slots=True)
class Override:
    by: str
    reason: str
    rules: frozenset[str]


@dataclass(frozen=True, slots=True)
class Act:
    kind: ActKind
    at: datetime
    phone: str | None = None
    collectors: int = 1
    home_visit: bool = True
    zone: str | None = None  # the debtor's zone, if known; else the profile's
    recording_check: bool = False  # judging a recorded visit (not a plan): recording rules apply
    recording_sha256: str | None = None
    # Whether the recording itself is kept with the record: True/False where the device knows (its sealed
    # evidence), None where it cannot yet (head office: the file may arrive after its event).
    recording_kept: bool | None = None
    no_recording_reason: str | None = None
    safety_acknowledged: bool = False
    override: Override | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str
    message_zh: str
    overridable: bool


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    violations: tuple[Violation, ...]
    overridden: tuple[Violation, ...] = ()
    profile_id: str = ""
    profile_version: int = 0

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(v.rule for v in self.violations)

    def explain(self, lang: str = "en") -> str:
        return "\n".join(v.message_zh if lang.startswith("zh") else v.message for v in self.violations)


_ACT_WORDS = {
    "en": {ActKind.CALL: "calls", ActKind.SMS: "messages", ActKind.VISIT: "visits",
           ActKind.THIRD_PARTY_CONTACT: "third-party contact", ActKind.LETTER: "letters"},
    "zh": {ActKind.CALL: "电话催收", ActKind.SMS: "发送短信", ActKind.VISIT: "上门催收",
           ActKind.THIRD_PARTY_CONTACT: "联系第三方", ActKind.LETTER: "寄送函件"},
}


def evaluate(act: Act, context: CaseContext, profile: Profile) -> Decision:
    at = ensure_utc(act.at)
    zone = ZoneInfo(act.zone or profile.timezone)
    local_now = at.astimezone(zone)
    found: list[tuple[str, dict[str, object]]] = []

    # Contact window (quiet hours), judged in the debtor's local time.
    if act.kind in profile.window.acts and not profile.window.allows(local_now.time()):
        found.append(("contact_window", {"act": act.kind, "start": profile.window.start.strftime("%H:%M"),
                                         "end": profile.window.end.strftime("%H:%M"),
                                         "local_time": local_now.strftime("%H:%M")}))

    if context.paused_reason and act.kind in CONTACT_ACTS:
        found.append(("collection_paused", {"why": context.paused_reason}))

    today = local_now.date()
    same_day = [h for h in context.history if ensure_utc(h.at).astimezone(zone).date() == today
                and ensure_utc(h.at) <= at]
    calls_today = [h for h in same_day if h.kind == ActKind.CALL and not h.to_third_party]

    if act.kind == ActKind.CALL:
        cap = profile.max_effective_calls_per_debtor_per_day
        if cap is not None:
            effective = sum(1 for h in calls_today if h.answered and h.right_party)
            if effective >= cap:
                found.append(("effective_call_cap", {"count": effective, "limit": cap}))
        ucap = profile.max_unanswered_per_number_per_day
        if ucap is not None and act.phone:
            unanswered = sum(1 for h in calls_today if h.phone == act.phone and not h.answered)
            if unanswered >= ucap:
                found.append(("unanswered_cap", {"count": unanswered, "limit": ucap}))
        if profile.attempt_cap:
            limit, days = profile.attempt_cap
            since = at - timedelta(days=days)
            count = sum(1 for h in context.history if h.kind == ActKind.CALL and not h.to_third_party
                        and since < ensure_utc(h.at) <= at)
            if count >= limit:
                found.append(("attempt_cap", {"count": count, "days": days, "limit": limit}))
        if profile.conversation_cooldown_days:
            cool = profile.conversation_cooldown_days
            talks = [ensure_utc(h.at) for h in context.history
                     if h.kind == ActKind.CALL and h.answered and h.right_party and ensure_utc(h.at) <= at]
            if talks and at - max(talks) < timedelta(days=cool):
                found.append(("conversation_cooldown", {"days_ago": (at - max(talks)).days, "days": cool}))

    if act.kind == ActKind.THIRD_PARTY_CONTACT:
        if profile.third_party_stop_when_refused and context.third_party_refused:
            found.append(("third_party_refused", {}))
        if profile.third_party_only_when_unreachable and not _debtor_unreachable(context, profile):
            found.append(("third_party_unreachable", {"n": profile.third_party_consecutive_failures}))

    if act.kind == ActKind.VISIT:
        blocking = [f for f in context.safety if f.do_not_visit]
        if blocking:
            found.append(("do_not_visit", {"note": blocking[0].text[:200]}))
        need = profile.home_visit_min_collectors if act.home_visit else 1
        if any(f.two_person_required for f in context.safety):
            need = max(need, 2)
        if act.collectors < need:
            found.append(("home_visit_two_person", {"min": need, "count": act.collectors}))
        if any(f.severity_rank >= 3 for f in context.safety) and not act.safety_acknowledged:
            found.append(("severe_safety_ack", {}))
        if act.recording_check and profile.visit_requires_recording:
            has_hash = bool(act.recording_sha256 and len(act.recording_sha256) == 64) and act.recording_kept is not False
            has_reason = bool(act.no_recording_reason and act.no_recording_reason.strip())
            if not (has_hash or has_reason):
                found.append(("visit_recording", {}))

    violations = [
        Violation(rule, profile.message(rule, "en", **_words(args, "en")),
                  profile.message(rule, "zh", **_words(args, "zh")), rule in profile.overridable)
        for rule, args in found
    ]
    overridden: list[Violation] = []
    if act.override and act.override.reason.strip():
        overridden = [v for v in violations if v.overridable and v.rule in act.override.rules]
        violations = [v for v in violations if v not in overridden]
    return Decision(not violations, tuple(violations), tuple(overridden), profile.id, profile.version)


def _words(args: Mapping[str, object], lang: str) -> dict[str, object]:
    out = dict(args)
    act = out.get("act")
    if isinstance(act, ActKind):
        out["act"] = _ACT_WORDS[lang].get(act, str(act))
    return out


def _debtor_unreachable(context: CaseContext, profile: Profile) -> bool:
    if context.all_debtor_numbers_invalid:
        return True
    n = profile.third_party_consecutive_failures
    tries = sorted((h for h in context.history if not h.to_third_party
                    and h.kind in (ActKind.CALL, ActKind.VISIT)), key=lambda h: ensure_utc(h.at))
    last = tries[-n:]
    return len(last) >= n and not any(h.answered for h in last)
