"""Promise to pay: kept or broken, judged from payments and the due date with a grace period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .clock import DEFAULT_ZONE, local_day
from .enums import PromiseState
from .money import Money


@dataclass(frozen=True, slots=True)
class PromiseView:
    amount: Money
    due: date
    made_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentView:
    amount: Money
    paid_at: datetime


DEFAULT_GRACE_DAYS = 2


def evaluate_promise(
    promise: PromiseView,
    payments: Iterable[PaymentView],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
    zone: str = DEFAULT_ZONE,
) -> PromiseState:
    """Kept when payments made from the promise until due + grace add up to the amount.

    Broken once `today` is past due + grace without that. Open otherwise. Payment days are taken
    in the user's zone, so a payment at 23:30 Beijing time counts on that Beijing day.
    """
    if grace_days < 0:
        raise ValueError("grace period cannot be negative")
    deadline = promise.due + timedelta(days=grace_days)
    made_day = local_day(promise.made_at, zone)
    paid = sum(
        (p.amount.fen for p in payments if made_day <= local_day(p.paid_at, zone) <= deadline),
        0,
    )
    if paid >= promise.amount.fen:
        return PromiseState.KEPT
    if today > deadline:
        return PromiseState.BROKEN
    return PromiseState.OPEN
