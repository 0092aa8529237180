"""The facts the ladder decides on, for a batch of cases (a range of case ids) in a few set-based
queries: the case and where it stands, promises (kept, open or broken by `app.domain.promises`, with
the compliance profile's grace days), the last payment, unanswered or refused attempts, the debtor's
numbers (and which are dead), delinquency episodes, and a standing finding of serious default.

Only what happened up to the end of the run date counts (a run for an earlier date sees that day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain.clock import at_local, local_day
from app.domain.enums import PromiseState
from app.domain.ladder import AttemptFact, BrokenPromise, CaseFacts, Finding, Standing
from app.domain.masking import mask_phone
from app.domain.money import Money
from app.domain.outcomes import OUTCOMES, OutcomeCode
from app.domain.promises import PaymentView, PromiseView, evaluate_promise
from headoffice.models import Account, Attempt, Case, Payment, Phone, Promise

from .models import CaseLadder, DelinquencyEpisode, SeriousDefault

# Outcomes that count as an attempt nobody answered (besides any attempt not answered): refused.
REFUSED = frozenset({OutcomeCode.REFUSED.value})
NOT_ATTEMPTS = frozenset(c.value for c, s in OUTCOMES.items() if not s.is_attempt)
CHUNK = 2_000  # case ids per IN list


@dataclass(frozen=True, slots=True)
class Window:
    """How far back the facts reach (the widest any policy in force asks for)."""

    attempt_days: int
    episodes_since: date


@dataclass(slots=True)
class CaseRow:
    """A case as the run sees it: the case row, where it stands, and (once gathered) all its facts."""

    id: int
    team: str
    agent_id: int | None
    stage: str
    trigger: str | None
    status: str
    days_past_due: int
    created_at: datetime
    standing: Standing
    promise_open: bool = False
    broken: tuple[BrokenPromise, ...] = ()
    facts: CaseFacts | None = None


class DayCache:
    """Local days of instants in one zone (imports stamp many cases with the same instant)."""

    def __init__(self, zone: str):
        self.zone, self.known = zone, dict[datetime, date]()

    def __call__(self, at: datetime) -> date:
        day = self.known.get(at)
        if day is None:
            day = self.known[at] = local_day(_aware(at), self.zone)
        return day


def gather(session: Session, lo: int, hi: int, today: date, zone: str, grace_days: int,
           window: Window) -> list[CaseRow]:
    """Every case with lo <= id <= hi, with all its facts as of the end of `today` (in `zone`)."""
    rows = case_rows(session, lo, hi, today, zone, grace_days)
    add_facts(session, rows, today, zone, window)
    return rows


def case_rows(session: Session, lo: int, hi: int, today: date, zone: str, grace_days: int) -> list[CaseRow]:
    """The cases with lo <= id <= hi, where each stands, and their promises (open, broken): what
    `app.domain.ladder.early` needs."""
    conn = session.connection()
    end = at_local(today + timedelta(days=1), time(0), zone)
    c, cl = _t(Case), _t(CaseLadder)
    out = []
    for r in _all(conn,
            select(c.c.id, c.c.team, c.c.agent_id, c.c.stage, c.c.trigger, c.c.status, c.c.days_past_due,
                   c.c.created_at, cl.c.level, cl.c.entered_on, cl.c.held)
            .select_from(c.outerjoin(cl, cl.c.case_id == c.c.id))
            .where(c.c.id.between(lo, hi)).order_by(c.c.id)):
        standing = Standing(r[8], r[9], bool(r[10])) if r[8] is not None else NOT_ON_LADDER
        out.append(CaseRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], standing))
    if out:
        promise_open, broken = _promises(session, lo, hi, today, end, zone, grace_days)
        for row in out:
            if row.id in promise_open:
                row.promise_open = True
            if row.id in broken:
                row.broken = tuple(broken[row.id])
    return out


NOT_ON_LADDER = Standing()


def add_facts(session: Session, rows: list[CaseRow], today: date, zone: str, window: Window) -> None:
    """The rest of the facts (payments, attempts, numbers, episodes, findings) for these cases."""
    if not rows:
        return
    conn = session.connection()
    end = at_local(today + timedelta(days=1), time(0), zone)
    since = at_local(today - timedelta(days=window.attempt_days - 1), time(0), zone)
    days = DayCache(zone)
    last_paid: dict[int, date] = {}
    unanswered: dict[int, list[AttemptFact]] = defaultdict(list)
    numbers: dict[int, int] = {}
    dead: dict[int, list[str]] = defaultdict(list)
    episodes: dict[int, list[date]] = defaultdict(list)
    findings: dict[int, Finding] = {}
    a, pay, att, c, ph, ep, sd = (_t(m) for m in (Account, Payment, Attempt, Case, Phone, DelinquencyEpisode,
                                                  SeriousDefault))
    # Rows of cases not asked for (read with an id range) are never looked up below.
    for where in _id_sets(sorted(r.id for r in rows)):
        for case_id, day in _all(conn, select(a.c.case_id, func.max(a.c.last_payment_on)).where(
                where(a.c.case_id), a.c.last_payment_on <= today).group_by(a.c.case_id)):
            if day is not None:
                last_paid[case_id] = day
        for case_id, at in _all(conn, select(pay.c.case_id, func.max(pay.c.paid_at)).where(
                where(pay.c.case_id), pay.c.paid_at < end).group_by(pay.c.case_id)):
            if at is not None:
                day = days(at)
                last_paid[case_id] = max(day, last_paid.get(case_id, day))
        for case_id, at, channel, outcome in _all(conn,
                select(att.c.case_id, att.c.at, att.c.channel, att.c.outcome).where(
                    where(att.c.case_id), att.c.at >= since, att.c.at < end, att.c.to_third_party.is_(False),
                    or_(att.c.answered.is_(False), att.c.outcome.in_(REFUSED)))):
            if outcome not in NOT_ATTEMPTS:
                unanswered[case_id].append(AttemptFact(_aware(at), days(at), channel, outcome))
        for case_id, n in _all(conn, select(c.c.id, func.count(ph.c.id)).select_from(
                c.join(ph, ph.c.debtor_id == c.c.debtor_id)).where(where(c.c.id)).group_by(c.c.id)):
            numbers[case_id] = n
        for case_id, number in _all(conn, select(c.c.id, ph.c.number).select_from(
                c.join(ph, ph.c.debtor_id == c.c.debtor_id)).where(where(c.c.id), ph.c.status == "invalid")
                .order_by(c.c.id, ph.c.id)):
            dead[case_id].append(mask_phone(number))
        for case_id, started in _all(conn, select(ep.c.case_id, ep.c.started_on).where(
                where(ep.c.case_id), ep.c.started_on > window.episodes_since, ep.c.started_on <= today)):
            episodes[case_id].append(started)
        for case_id, kind, note, sha in _all(conn,
                select(sd.c.case_id, sd.c.kind, sd.c.note, sd.c.attachment_sha256)
                .where(where(sd.c.case_id), sd.c.withdrawn_at.is_(None), sd.c.set_at < end)
                .order_by(sd.c.case_id, sd.c.set_at, sd.c.id)):
            findings[case_id] = Finding(kind, note, sha)  # the newest standing finding
    for r in rows:
        r.facts = CaseFacts(
            days_past_due=r.days_past_due, status=r.status, promise_open=r.promise_open, broken_promises=r.broken,
            episodes=tuple(episodes.get(r.id, ())), unanswered=tuple(unanswered.get(r.id, ())),
            numbers=numbers.get(r.id, 0), dead_numbers=tuple(dead.get(r.id, ())), last_payment_on=last_paid.get(r.id),
            came_in_on=days(r.created_at), serious_default=findings.get(r.id), stage=r.stage)


def _id_sets(ids: list[int]) -> list[Any]:
    """How to select these (sorted) case ids: one id range where they are dense in it (rows of other
    cases read with them are dropped), else IN lists of CHUNK ids."""
    if not ids:
        return []
    lo, hi = ids[0], ids[-1]
    if len(ids) <= CHUNK or len(ids) * 5 < hi - lo + 1:
        return [lambda col, part=ids[i:i + CHUNK]: col.in_(part) for i in range(0, len(ids), CHUNK)]
    return [lambda col: col.between(lo, hi)]


def _all(conn: Any, statement: Any) -> list[Any]:
    """Every row at once (one fetch, not one call per row)."""
    return list(conn.execute(statement).all())


def _t(model: type) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def _promises(session: Session, lo: int, hi: int, today: date, end: datetime, zone: str,
              grace_days: int) -> tuple[set[int], dict[int, list[BrokenPromise]]]:
    """(cases with a promise still open on `today`, each case's broken promises)."""
    promises: dict[int, list[PromiseView]] = defaultdict(list)
    for case_id, amount, currency, due, made_at in session.execute(
            select(Promise.case_id, Promise.amount_fen, Promise.currency, Promise.due, Promise.made_at).where(
                Promise.case_id.between(lo, hi), Promise.made_at < end)):
        promises[case_id].append(PromiseView(Money(amount, currency), due, _aware(made_at)))
    if not promises:
        return set(), {}
    payments: dict[int, list[PaymentView]] = defaultdict(list)
    ids = sorted(promises)
    for start in range(0, len(ids), 500):
        for case_id, amount, currency, paid_at in session.execute(
                select(Payment.case_id, Payment.amount_fen, Payment.currency, Payment.paid_at).where(
                    Payment.case_id.in_(ids[start:start + 500]), Payment.paid_at < end)):
            payments[case_id].append(PaymentView(Money(amount, currency), _aware(paid_at)))
    open_: set[int] = set()
    broken: dict[int, list[BrokenPromise]] = defaultdict(list)
    for case_id, views in promises.items():
        for p in views:
            state = evaluate_promise(p, payments.get(case_id, ()), today, grace_days, zone)
            if state == PromiseState.OPEN:
                open_.add(case_id)
            elif state == PromiseState.BROKEN:
                broken[case_id].append(BrokenPromise(p.due, p.amount.fen))
    return open_, broken


def _aware(value: datetime) -> datetime:
    """UTCTime hands back aware times, but not through an aggregate on SQLite."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
