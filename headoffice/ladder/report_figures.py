"""What happened after one entry into a level, and the per-level sums: pure, no SQL.

An *entry* is one `ladder_transitions` move into a level. For each entry, as of the report's
as-of day and within the cure window (the entry day and the N days after it, N = the policy's
`cure_days`):

- **cured by payment**: payments on those days cover what was overdue on entry (the imported
  overdue less the payments recorded before the entry day), with at least one payment;
- **cured by a kept promise**: a promise that `app.domain.promises.evaluate_promise` finds kept with
  the payments up to the window's last day, and did not already find kept with the payments before
  the entry day (the keeping happened in the window). A broken or open promise cures nothing;
- **recovered**: the payments on those days (fen);
- **rolled**: the case's next move after this entry (on or before the as-of day) went up the ladder;
  **moved down**: it went down or sideways (a supervisor's move); **still there**: no next move yet;
- **cost**: SMS sent, letters made and door visits made while the case stayed at the level (from the
  entry until its next move, or the end of the as-of day), at the policy's prices.

Days are the debtor's local days (the debtor's zone, else the report's zone), as promises judge them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.domain.clock import local_day
from app.domain.enums import PromiseState
from app.domain.money import Money
from app.domain.promises import PaymentView, PromiseView, evaluate_promise

from .report_policy import LevelSpec

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Entry:
    """One move into a level, with the case's next move (if any)."""

    transition_id: int
    case_id: int
    level: str
    day: date  # the run date, or the local day of a manual move
    at: datetime
    policy_id: int | None
    next_level: str | None = None
    next_day: date | None = None
    next_at: datetime | None = None
    next_policy_id: int | None = None


@dataclass(frozen=True, slots=True)
class Pay:
    id: int
    amount_fen: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class Promised:
    amount_fen: int
    due: date
    made_at: datetime


@dataclass(slots=True)
class CaseFacts:
    """What the report reads of one case (loaded in bulk, a chunk of cases at a time)."""

    base_overdue_fen: int = 0
    zone: str | None = None
    payments: list[Pay] = field(default_factory=list)
    promises: list[Promised] = field(default_factory=list)
    sms: list[datetime] = field(default_factory=list)
    letters: list[datetime] = field(default_factory=list)
    visits: list[datetime] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Outcome:
    cured_paid: bool
    cured_promise: bool
    window_open: bool
    movement: str  # rolled | moved_down | still_there
    recovered_fen: int
    payment_ids: frozenset[int]
    sms: int
    letters: int
    visits: int

    @property
    def cured(self) -> bool:
        return self.cured_paid or self.cured_promise


def _kept(promise: Promised, pays: Sequence[tuple[date, Pay]], until: date, zone: str, grace_days: int) -> bool:
    views = [PaymentView(Money(p.amount_fen), p.paid_at) for d, p in pays if d <= until]
    view = PromiseView(Money(promise.amount_fen), promise.due, promise.made_at)
    return evaluate_promise(view, views, until, grace_days, zone) == PromiseState.KEPT


def _count(times: Iterable[datetime], lo: datetime, hi: datetime) -> int:
    return sum(1 for t in times if lo <= t < hi)


def evaluate_entry(entry: Entry, facts: CaseFacts, *, cure_days: int, as_of: date, as_of_end: datetime,
                   zone: str, grace_days: int, went_up: bool | None) -> Outcome:
    """The outcome of one entry. `went_up` says whether its next move climbed (None: no next move
    on or before the as-of day); `as_of_end` is the instant the as-of day ends in the report's zone."""
    here = facts.zone or zone
    window_end = entry.day + timedelta(days=cure_days)
    last = min(window_end, as_of)
    pays = sorted(((local_day(p.paid_at, here), p) for p in facts.payments), key=lambda dp: (dp[0], dp[1].id))
    before = sum(p.amount_fen for d, p in pays if d < entry.day)
    owed_on_entry = max(0, facts.base_overdue_fen - before)
    in_window = [p for d, p in pays if entry.day <= d <= last]
    recovered = sum(p.amount_fen for p in in_window)
    cured_paid = bool(in_window) and recovered >= owed_on_entry
    cured_promise = False
    if not cured_paid:
        before_entry = entry.day - timedelta(days=1)
        cured_promise = any(_kept(pr, pays, last, here, grace_days)
                            and not _kept(pr, pays, before_entry, here, grace_days)
                            for pr in facts.promises if local_day(pr.made_at, here) <= last)
    if went_up is None:
        movement, stay_end = "still_there", as_of_end
    else:
        movement = "rolled" if went_up else "moved_down"
        stay_end = min(entry.next_at or as_of_end, as_of_end)
    return Outcome(cured_paid=cured_paid, cured_promise=cured_promise, window_open=window_end > as_of,
                   movement=movement, recovered_fen=recovered, payment_ids=frozenset(p.id for p in in_window),
                   sms=_count(facts.sms, entry.at, stay_end), letters=_count(facts.letters, entry.at, stay_end),
                   visits=_count(facts.visits, entry.at, stay_end))


def ratio(cost_fen: int | None, recovered_fen: int) -> Decimal | None:
    """Cost per yuan recovered (fen per fen is yuan per yuan), 4 places; None without a cost or
    without anything recovered (never a division by zero)."""
    if cost_fen is None or recovered_fen <= 0:
        return None
    return (Decimal(cost_fen) / Decimal(recovered_fen)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LevelFigures:
    level: LevelSpec
    entered: int = 0
    cured: int = 0
    cured_paid: int = 0
    cured_promise: int = 0  # by a kept promise, not paid in full
    rolled: int = 0
    moved_down: int = 0
    still_there: int = 0
    window_open: int = 0  # entries whose cure window had not ended on the as-of day
    recovered_fen: int = 0
    sms: int = 0
    letters: int = 0
    visits: int = 0
    cost_fen: int | None = None  # None: the policy prices none of the steps

    @property
    def cost_per_yuan(self) -> Decimal | None:
        return ratio(self.cost_fen, self.recovered_fen)

    @property
    def cure_rate(self) -> Decimal | None:
        """Share of entries cured, 4 places (None with no entries)."""
        if self.entered == 0:
            return None
        return (Decimal(self.cured) / Decimal(self.entered)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Tally:
    """Mutable sums of one level while the entries are read."""

    entered: int = 0
    cured: int = 0
    cured_paid: int = 0
    cured_promise: int = 0
    rolled: int = 0
    moved_down: int = 0
    still_there: int = 0
    window_open: int = 0
    recovered_fen: int = 0
    sms: int = 0
    letters: int = 0
    visits: int = 0

    def add(self, o: Outcome) -> None:
        self.entered += 1
        self.cured += o.cured
        self.cured_paid += o.cured_paid
        self.cured_promise += o.cured_promise and not o.cured_paid
        self.rolled += o.movement == "rolled"
        self.moved_down += o.movement == "moved_down"
        self.still_there += o.movement == "still_there"
        self.window_open += o.window_open
        self.recovered_fen += o.recovered_fen
        self.sms += o.sms
        self.letters += o.letters
        self.visits += o.visits

    def merge(self, other: Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def freeze(self, level: LevelSpec, costs_fen: Mapping[str, int], recovered_fen: int | None = None) -> LevelFigures:
        return LevelFigures(level=level, entered=self.entered, cured=self.cured, cured_paid=self.cured_paid,
                            cured_promise=self.cured_promise, rolled=self.rolled, moved_down=self.moved_down,
                            still_there=self.still_there, window_open=self.window_open,
                            recovered_fen=self.recovered_fen if recovered_fen is None else recovered_fen,
                            sms=self.sms, letters=self.letters, visits=self.visits,
                            cost_fen=cost_of(self.sms, self.letters, self.visits, costs_fen))


def cost_of(sms: int, letters: int, visits: int, costs_fen: Mapping[str, int]) -> int | None:
    """The steps' cost in fen at the priced kinds (an unpriced kind adds nothing); None when none is priced."""
    if not costs_fen:
        return None
    counts = {"sms": sms, "letter": letters, "field_visit": visits}
    return sum(counts[k] * v for k, v in costs_fen.items() if k in counts)
