"""Lone-worker safety rules (issue #17): the team's safety policy, how long a visit is planned for,
the escalation ladder's times, the PIN rule and the distance used for "colleagues nearby".

Pure functions of their inputs; head office (the timer's keeper) and the laptop (which proposes
the minutes and runs the local countdown) both use them, so the two never disagree about a time.

The ladder of a silent session (times from the session's `due_at`):
    due_at                         reminder to the agent
    due_at + grace                 AMBER alarm (kind overdue) to the partner and the supervisor(s)
    amber + red_after (unacked)    RED: contacts[0], then contacts[1] after step_wait, ...,
                                   then all contacts at once when the list is exhausted
An SOS or a duress check-out is RED at once (its contacts' ladder starts at the raise).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from .clock import DEFAULT_ZONE

PIN_RE = re.compile(r"^[0-9]{4,6}$")
EXTEND_CHOICES = (15, 30)  # what the window offers; head office accepts 1..max_minutes
REMIND_BEFORE = timedelta(minutes=5)  # the laptop reminds the agent this long before the end
ALARM_KINDS = ("overdue", "sos", "duress", "day_end")
ALARM_LEVELS = ("amber", "red")
ALARM_STATES = ("raised", "acknowledged", "resolved")
RESOLUTIONS = ("agent_safe", "partner_reached", "police_called", "false_alarm")
# Safety-note categories that mean the door was hostile before: the proposed visit is shorter.
HOSTILE_CATEGORIES = frozenset({"aggressive"})


class PolicyInvalid(ValueError):
    """A safety policy that cannot be used; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SafetyPolicy:
    """One team's safety policy. Minutes may go down to 1 and waits to 0 for drills."""

    default_minutes: int = 45
    min_minutes: int = 15
    max_minutes: int = 120
    hostile_minutes: int = 30  # proposed where a safety note says the door was hostile before
    grace_minutes: int = 10
    red_after_minutes: int = 10
    contacts: tuple[int, ...] = ()  # ordered user ids of the team's safety contacts
    step_wait_minutes: int = 3
    nearby_km: float = 2.0
    day_end: str = "20:00"  # local wall-clock time in `zone`
    zone: str = DEFAULT_ZONE

    def validated(self) -> SafetyPolicy:
        errors: dict[str, str] = {}
        if not 1 <= self.min_minutes <= 120:
            errors["min_minutes"] = "must be 1 to 120"
        if not self.min_minutes <= self.max_minutes <= 24 * 60:
            errors["max_minutes"] = "must be at least min_minutes and at most 1440"
        for name in ("default_minutes", "hostile_minutes"):
            if not self.min_minutes <= getattr(self, name) <= self.max_minutes:
                errors[name] = "must lie between min_minutes and max_minutes"
        for name in ("grace_minutes", "red_after_minutes", "step_wait_minutes"):
            if not 0 <= getattr(self, name) <= 24 * 60:
                errors[name] = "must be 0 to 1440"
        if not (0 <= self.nearby_km <= 100) or math.isnan(self.nearby_km):
            errors["nearby_km"] = "must be 0 to 100"
        if len(set(self.contacts)) != len(self.contacts):
            errors["contacts"] = "a contact is listed twice"
        elif len(self.contacts) > 20:
            errors["contacts"] = "at most 20 contacts"
        try:
            day_end_time(self.day_end)
        except ValueError:
            errors["day_end"] = 'must be a time "HH:MM"'
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(self.zone)
        except (ValueError, KeyError, OSError):
            errors["zone"] = "unknown time zone"
        if errors:
            raise PolicyInvalid(errors)
        return self

    def as_json(self) -> dict[str, Any]:
        return {"default_minutes": self.default_minutes, "min_minutes": self.min_minutes,
                "max_minutes": self.max_minutes, "hostile_minutes": self.hostile_minutes,
                "grace_minutes": self.grace_minutes, "red_after_minutes": self.red_after_minutes,
                "contacts": list(self.contacts), "step_wait_minutes": self.step_wait_minutes,
                "nearby_km": self.nearby_km, "day_end": self.day_end, "zone": self.zone}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SafetyPolicy:
        """A policy from stored or sent JSON; unknown keys are ignored, missing ones take the default."""
        base = cls()
        known = {k: data[k] for k in base.as_json() if k in data}
        if "contacts" in known:
            known["contacts"] = tuple(int(c) for c in known["contacts"])
        return replace(base, **known).validated()


def day_end_time(text: str) -> time:
    if not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", text or ""):
        raise ValueError(f"not a time HH:MM: {text!r}")
    hours, minutes = int(text[:2]), int(text[3:])
    if hours > 23:
        raise ValueError(f"not a time HH:MM: {text!r}")
    return time(hours, minutes)


@dataclass(frozen=True)
class NoteFact:
    """What the minutes proposal reads of a safety note in force."""

    category: str
    severity: str = "medium"


@dataclass(frozen=True)
class Proposal:
    minutes: int
    reason: str  # "policy" | "hostile_before"
    notes: tuple[NoteFact, ...] = field(default=())


def propose_minutes(policy: SafetyPolicy, notes: Iterable[NoteFact]) -> Proposal:
    """The planned minutes proposed for a visit: the policy default, or the shorter hostile-door
    time where a note in force says the door was hostile before (aggressive, or any high-severity
    note)."""
    hostile = tuple(n for n in notes if n.category in HOSTILE_CATEGORIES or n.severity == "high")
    if hostile:
        return Proposal(min(policy.hostile_minutes, policy.default_minutes), "hostile_before", hostile)
    return Proposal(policy.default_minutes, "policy")


def clamp_minutes(policy: SafetyPolicy, minutes: int) -> int:
    return max(policy.min_minutes, min(policy.max_minutes, int(minutes)))


def pin_problem(pin: str) -> str | None:
    """Why `pin` cannot be a safety or duress PIN, or None."""
    if not isinstance(pin, str) or not PIN_RE.fullmatch(pin):
        return "a PIN is 4 to 6 digits"
    if len(set(pin)) == 1:
        return "a PIN of one repeated digit is too easy to guess"
    if pin in "0123456789" or pin in "9876543210":
        return "a PIN of consecutive digits is too easy to guess"
    return None


def pins_problem(safety_pin: str, duress_pin: str) -> dict[str, str]:
    """Field -> problem for a pair of PINs (empty when both may be used)."""
    errors: dict[str, str] = {}
    for name, pin in (("safety_pin", safety_pin), ("duress_pin", duress_pin)):
        problem = pin_problem(pin)
        if problem:
            errors[name] = problem
    if not errors and safety_pin == duress_pin:
        errors["duress_pin"] = "the duress PIN must differ from the safety PIN"
    return errors


# --- the ladder's times ------------------------------------------------------------------------------


def amber_at(policy: SafetyPolicy, due_at: datetime) -> datetime:
    return due_at + timedelta(minutes=policy.grace_minutes)


def red_at(policy: SafetyPolicy, amber_raised_at: datetime) -> datetime:
    return amber_raised_at + timedelta(minutes=policy.red_after_minutes)


def next_contact_step(policy: SafetyPolicy, step: int, at: datetime) -> tuple[list[int], datetime | None]:
    """Red step `step` (0-based) fired at `at`: (the user ids to alert now, when the next step is due
    or None when the ladder is exhausted). Steps 0..n-1 alert one contact each, step n alerts all."""
    contacts = list(policy.contacts)
    if step < len(contacts):
        return [contacts[step]], at + timedelta(minutes=policy.step_wait_minutes)
    if step == len(contacts) and contacts:
        return contacts, None
    return [], None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
