"""Explainable priority / early-warning score.

The score is a sum of capped contributions; each contribution is returned as a reason, so the
case can show *why* it ranks where it does. Weights live in `PriorityWeights` so head office can
tune them without code changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PriorityInputs:
    days_past_due: int
    overdue_fen: int
    broken_promises: int = 0
    evasion_signals: int = 0  # not-home / no-answer / invalid-number results in the last 30 days
    days_since_last_contact: int | None = None  # None: never contacted
    hardship_open: bool = False
    dispute_open: bool = False
    promise_due_soon: bool = False  # an open promise falls due today or tomorrow


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    dpd_per_30_days: float = 8.0
    dpd_cap: float = 32.0
    amount_log_weight: float = 4.0  # per factor of 10 above ¥1,000
    amount_cap: float = 20.0
    per_broken_promise: float = 8.0
    broken_cap: float = 24.0
    per_evasion_signal: float = 3.0
    evasion_cap: float = 12.0
    stale_contact_per_week: float = 2.0
    stale_cap: float = 10.0
    never_contacted: float = 10.0
    promise_due: float = 6.0
    hardship: float = -25.0
    dispute: float = -40.0


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: float
    text: str  # plain English; the UI translates by `code` and formats with `args`
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PriorityScore:
    score: float
    reasons: tuple[Reason, ...]


def score_priority(inputs: PriorityInputs, weights: PriorityWeights | None = None) -> PriorityScore:
    w = weights or PriorityWeights()
    reasons: list[Reason] = []

    def add(code: str, points: float, text: str, *args: str) -> None:
        if points:
            reasons.append(Reason(code, round(points, 1), text, tuple(args)))

    dpd = max(0, inputs.days_past_due)
    add("dpd", min(w.dpd_cap, dpd / 30.0 * w.dpd_per_30_days), f"{dpd} days past due", str(dpd))
    yuan = max(0, inputs.overdue_fen) / 100
    if yuan > 0:
        amount_points = min(w.amount_cap, max(0.0, (math.log10(yuan) - 2.0)) * w.amount_log_weight)
        add("amount", amount_points, f"¥{yuan:,.0f} overdue", f"{yuan:,.0f}")
    if inputs.broken_promises:
        add("broken", min(w.broken_cap, inputs.broken_promises * w.per_broken_promise),
            f"{inputs.broken_promises} broken promise(s)", str(inputs.broken_promises))
    if inputs.evasion_signals:
        add("evasion", min(w.evasion_cap, inputs.evasion_signals * w.per_evasion_signal),
            f"{inputs.evasion_signals} failed contact(s) in 30 days", str(inputs.evasion_signals))
    if inputs.days_since_last_contact is None:
        add("never", w.never_contacted, "never contacted")
    elif inputs.days_since_last_contact >= 7:
        weeks = inputs.days_since_last_contact / 7.0
        add("stale", min(w.stale_cap, weeks * w.stale_contact_per_week),
            f"no contact for {inputs.days_since_last_contact} days", str(inputs.days_since_last_contact))
    if inputs.promise_due_soon:
        add("promise_due", w.promise_due, "promise falls due")
    if inputs.hardship_open:
        add("hardship", w.hardship, "hardship claim under review")
    if inputs.dispute_open:
        add("dispute", w.dispute, "dispute open: collection paused")
    total = max(0.0, min(100.0, sum(r.points for r in reasons)))
    ordered = tuple(sorted(reasons, key=lambda r: -abs(r.points)))
    return PriorityScore(round(total, 1), ordered)
