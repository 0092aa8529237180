"""The ladder report's figures, read from the head-office database: what the cheap steps achieved.

For a period (and optionally one team): per level, in the policy's order (then any level seen in the
period that the policy no longer has, by code), the entries into the level and what followed them
(see `report_figures` for every rule). The policy is the team's newest version, else the company
default's; its `cure_days` and `costs_fen` apply to every entry (one price list for the report).

Reading is set-based: one query for the period's entries, each with the case's next move (a window
function, the same SQL on SQLite and PostgreSQL), then, for the cases in chunks, one query per kind
of fact (payments, promises, SMS, letters, visits). Nothing is read case by case. Outcomes are judged
as of `as_of` (default: the period's last day), so a report made again later says the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, Integer, String, and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, at_local, local_day
from app.domain.promises import DEFAULT_GRACE_DAYS
from headoffice.models import Attempt, Case, Debtor, Payment, Promise
from headoffice.types import UTCTime

from .models import LadderPolicyVersion, LadderTransition, Letter, SmsMessage
from .report_figures import CaseFacts, Entry, LevelFigures, Pay, Promised, Tally, evaluate_entry
from .report_policy import (
    NO_POLICY,
    LevelSpec,
    ReportInputError,
    ReportPolicy,
    level_codes,
    parse_policy_json,
    read_policy,
    with_levels_seen,
)

CHUNK = 900  # case ids per IN list (under SQLite's oldest bound-parameter limit)
MAX_PERIOD_DAYS = 3660
# What the gateway accepted is paid for, whatever the receipt later said.
BILLED_SMS = ("sent", "delivered", "undelivered")
MADE_LETTERS = ("made", "mailed", "returned")
CURRENCY = "CNY"


@dataclass(frozen=True, slots=True)
class ReportRequest:
    start: date
    end: date
    team: str | None = None
    as_of: date | None = None  # None: the period's last day
    zone: str = DEFAULT_ZONE  # the report's zone (a debtor's own zone wins for that debtor's days)
    grace_days: int = DEFAULT_GRACE_DAYS  # the compliance profile's promise grace

    def checked(self) -> ReportRequest:
        if self.end < self.start:
            raise ReportInputError(f"the period ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise ReportInputError(f"the period is longer than {MAX_PERIOD_DAYS} days")
        as_of = self.as_of or self.end
        if as_of < self.end:
            raise ReportInputError(f"--as-of ({as_of}) must not be before the period's last day ({self.end})")
        if self.team is not None and not 0 < len(self.team) <= 64:
            raise ReportInputError("a team name is 1 to 64 characters")
        if not 0 <= self.grace_days <= 365:
            raise ReportInputError("the promise grace is 0 to 365 days")
        return ReportRequest(self.start, self.end, self.team, as_of, self.zone, self.grace_days)


@dataclass(frozen=True, slots=True)
class PolicyUse:
    scope: str
    version: int | None  # None: a move that names no stored version (or one since deleted)
    entries: int


@dataclass(frozen=True, slots=True)
class LadderReport:
    start: date
    end: date
    as_of: date
    team: str | None
    zone: str
    grace_days: int
    policy: ReportPolicy  # with the levels seen in the period added after its own
    has_policy: bool
    levels: tuple[LevelFigures, ...]
    total: LevelFigures  # recovered: each payment once, even when two levels' windows hold it
    cases: int  # distinct cases with an entry in the period
    policy_uses: tuple[PolicyUse, ...]  # the policy versions that made the period's moves

    @property
    def costs_set(self) -> bool:
        return bool(self.policy.costs_fen)


def day_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """[start of `first`, end of `last`) in `zone`, as UTC instants."""
    return at_local(first, time(0), zone), at_local(last + timedelta(days=1), time(0), zone)


def current_policy(session: Session, team: str | None) -> ReportPolicy | None:
    """The newest stored version of the team's policy, else of the company default."""
    scopes = [team, ""] if team else [""]
    for scope in scopes:
        row = session.execute(
            select(LadderPolicyVersion.id, LadderPolicyVersion.version, LadderPolicyVersion.data)
            .where(LadderPolicyVersion.scope == scope)
            .order_by(LadderPolicyVersion.version.desc()).limit(1)).first()
        if row is not None:
            return read_policy(row.data, scope=scope, version=row.version, policy_id=row.id)
    return None


def _in_period(tc: Any, start: date, end: date, lo: datetime, hi: datetime) -> Any:
    """A move belongs to the period by its run date, or (a manual move without one) by its time."""
    return or_(tc.run_on.between(start, end), and_(tc.run_on.is_(None), tc.at >= lo, tc.at < hi))


def entries_query(req: ReportRequest) -> Any:
    """Every move into a level in the period, with the same case's next move (of any date)."""
    t = LadderTransition.__table__
    lo, hi = day_bounds(req.start, req.end, req.zone)
    period_cases = select(t.c.case_id).where(t.c.kind == "move", _in_period(t.c, req.start, req.end, lo, hi))
    if req.team is not None:
        period_cases = period_cases.where(t.c.case_id.in_(select(Case.id).where(Case.team == req.team)))
    window: dict[str, Any] = {"partition_by": t.c.case_id, "order_by": (t.c.at, t.c.id)}
    moves = (select(t.c.id, t.c.case_id, t.c.run_on, t.c.at, t.c.to_level, t.c.policy_id,
                    func.lead(t.c.to_level, type_=String).over(**window).label("next_level"),
                    func.lead(t.c.run_on, type_=Date).over(**window).label("next_run_on"),
                    func.lead(t.c.at, type_=UTCTime).over(**window).label("next_at"),
                    func.lead(t.c.policy_id, type_=Integer).over(**window).label("next_policy_id"))
             .where(t.c.kind == "move", t.c.case_id.in_(period_cases.scalar_subquery()))
             .subquery("moves"))
    return (select(moves).where(moves.c.to_level.is_not(None), _in_period(moves.c, req.start, req.end, lo, hi))
            .order_by(moves.c.case_id, moves.c.at, moves.c.id))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_entries(session: Session, req: ReportRequest) -> list[Entry]:
    out: list[Entry] = []
    for r in session.execute(entries_query(req)).mappings():
        at = _aware(r["at"])
        next_at = _aware(r["next_at"]) if r["next_at"] is not None else None
        out.append(Entry(
            transition_id=r["id"], case_id=r["case_id"], level=r["to_level"],
            day=r["run_on"] or local_day(at, req.zone), at=at, policy_id=r["policy_id"],
            next_level=r["next_level"],
            next_day=(r["next_run_on"] or local_day(next_at, req.zone)) if next_at is not None else None,
            next_at=next_at, next_policy_id=r["next_policy_id"]))
    return out


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i:i + CHUNK])


def read_facts(session: Session, ids: list[int], until: datetime) -> dict[int, CaseFacts]:
    """Payments, promises, SMS, letters and visits of these cases up to `until` (one query each)."""
    facts: dict[int, CaseFacts] = {i: CaseFacts() for i in ids}
    for cid, overdue, zone in session.execute(
            select(Case.id, Case.base_overdue_fen, Debtor.zone).join(Debtor, Debtor.id == Case.debtor_id)
            .where(Case.id.in_(ids))).tuples():
        facts[cid].base_overdue_fen, facts[cid].zone = int(overdue), zone
    for pid, cid, amount, paid_at in session.execute(
            select(Payment.id, Payment.case_id, Payment.amount_fen, Payment.paid_at)
            .where(Payment.case_id.in_(ids), Payment.currency == CURRENCY, Payment.paid_at < until)).tuples():
        facts[cid].payments.append(Pay(pid, int(amount), paid_at))
    for cid, amount, due, made_at in session.execute(
            select(Promise.case_id, Promise.amount_fen, Promise.due, Promise.made_at)
            .where(Promise.case_id.in_(ids), Promise.currency == CURRENCY, Promise.made_at < until)).tuples():
        facts[cid].promises.append(Promised(int(amount), due, made_at))
    for cid, sent_at in session.execute(
            select(SmsMessage.case_id, SmsMessage.sent_at)
            .where(SmsMessage.case_id.in_(ids), SmsMessage.state.in_(BILLED_SMS), SmsMessage.sent_at.is_not(None),
                   SmsMessage.sent_at < until)).tuples():
        if sent_at is not None:  # the query says so; the column may hold NULL for other states
            facts[cid].sms.append(sent_at)
    made = func.coalesce(Letter.made_at, Letter.mailed_at)
    for cid, made_at in session.execute(
            select(Letter.case_id, made).where(Letter.case_id.in_(ids), Letter.state.in_(MADE_LETTERS),
                                               made.is_not(None), made < until)).tuples():
        facts[cid].letters.append(_aware(made_at) if isinstance(made_at, datetime) else made_at)
    for cid, at in session.execute(
            select(Attempt.case_id, Attempt.at)
            .where(Attempt.case_id.in_(ids), Attempt.channel == "visit", Attempt.at < until)).tuples():
        facts[cid].visits.append(at)
    return facts


def _policy_levels(session: Session, ids: set[int]) -> dict[int, tuple[str, ...]]:
    """The level order of each stored policy version a move names (to tell up from down)."""
    out: dict[int, tuple[str, ...]] = {}
    wanted = sorted(i for i in ids if i is not None)
    for chunk in _chunks(wanted):
        for pid, data in session.execute(select(LadderPolicyVersion.id, LadderPolicyVersion.data)
                                         .where(LadderPolicyVersion.id.in_(chunk))).tuples():
            out[pid] = level_codes(parse_policy_json(data))
    return out


def went_up(entry: Entry, as_of: date, rank: dict[str, int], orders: dict[int, tuple[str, ...]]) -> bool | None:
    """Whether the entry's next move (on or before `as_of`) climbed. The order of the policy version
    that made that move decides when it knows both levels; else the report's order."""
    if entry.next_level is None or entry.next_day is None or entry.next_day > as_of:
        return None
    order = orders.get(entry.next_policy_id) if entry.next_policy_id is not None else None
    if order and entry.level in order and entry.next_level in order:
        return order.index(entry.next_level) > order.index(entry.level)
    return rank.get(entry.next_level, len(rank)) > rank.get(entry.level, len(rank))


def _scope_names(session: Session, ids: set[int]) -> dict[int, tuple[str, int]]:
    out: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(sorted(ids)):
        for pid, scope, version in session.execute(
                select(LadderPolicyVersion.id, LadderPolicyVersion.scope, LadderPolicyVersion.version)
                .where(LadderPolicyVersion.id.in_(chunk))).tuples():
            out[pid] = (scope, version)
    return out


def build_report(session: Session, request: ReportRequest) -> LadderReport:
    """The whole report for one period (and team), read in one consistent snapshot by the caller."""
    req = request.checked()
    assert req.as_of is not None
    found = current_policy(session, req.team)
    entries = read_entries(session, req)
    policy = with_levels_seen(found or NO_POLICY, [e.level for e in entries])
    rank = {code: i for i, code in enumerate(policy.codes)}
    orders = _policy_levels(session, {e.next_policy_id for e in entries if e.next_policy_id is not None})
    _, as_of_end = day_bounds(req.as_of, req.as_of, req.zone)
    # A debtor's zone may run up to a day ahead of the report's: read facts to a day past the end.
    until = as_of_end + timedelta(days=1)
    by_case: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        by_case[e.case_id].append(e)
    tallies: dict[str, Tally] = {code: Tally() for code in policy.codes}
    credited: dict[int, int] = {}  # payment id → fen, each payment once
    for ids in _chunks(sorted(by_case)):
        facts = read_facts(session, ids, until)
        for cid in ids:
            for e in by_case[cid]:
                outcome = evaluate_entry(e, facts[cid], cure_days=policy.cure_days, as_of=req.as_of,
                                         as_of_end=as_of_end, zone=req.zone, grace_days=req.grace_days,
                                         went_up=went_up(e, req.as_of, rank, orders))
                tallies[e.level].add(outcome)
                credited.update((p.id, p.amount_fen) for p in facts[cid].payments if p.id in outcome.payment_ids)
    total = Tally()
    for t in tallies.values():
        total.merge(t)
    levels = tuple(tallies[lv.code].freeze(lv, policy.costs_fen) for lv in policy.levels)
    recovered_once = sum(credited.values())  # each payment once, whichever levels' windows held it
    uses: dict[int | None, int] = defaultdict(int)
    for e in entries:
        uses[e.policy_id] += 1
    names = _scope_names(session, {i for i in uses if i is not None})
    policy_uses = tuple(sorted((PolicyUse(names[i][0], names[i][1], n) if i in names else PolicyUse("", None, n)
                                for i, n in uses.items()), key=lambda u: (u.scope, u.version or 0)))
    return LadderReport(start=req.start, end=req.end, as_of=req.as_of, team=req.team, zone=req.zone,
                        grace_days=req.grace_days, policy=policy, has_policy=found is not None, levels=levels,
                        total=total.freeze(LevelSpec("", "", "", ""), policy.costs_fen, recovered_once),
                        cases=len(by_case), policy_uses=policy_uses)

