"""The facts the ladder decides on, for a batch of cases (a range of case ids) in a few set-based
queries: the case and where it stands, promises (kept, open or broken by `app.domain.promises`, with
the compliance profile's grace days), the last payment, unanswered or refused attempts, the debtor's
numbers (and which are dead), delinquency episodes, and a standing finding of serious default.

Only what happened up to the end of the run date counts (a run for an earlier date sees that day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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


@dataclass(frozen=True, slots=True)
class Window:
    """How far back the facts reach (the widest any policy in force asks for)."""

    attempt_days: int
    episodes_since: date


@dataclass(slots=True)
class CaseRow:
    id: int
    team: str
    agent_id: int | None
    stage: str
    trigger: str | None
    standing: Standing
    facts: CaseFacts


def gather(session: Session, lo: int, hi: int, today: date, zone: str, grace_days: int,
           window: Window) -> list[CaseRow]:
    """Every case with lo <= id <= hi, with its facts as of the end of `today` (in `zone`)."""
    end = at_local(today + timedelta(days=1), time(0), zone)
    cases = session.execute(
        select(Case.id, Case.team, Case.agent_id, Case.stage, Case.trigger, Case.status, Case.days_past_due,
               Case.created_at, CaseLadder.level, CaseLadder.entered_on, CaseLadder.held)
        .outerjoin(CaseLadder, CaseLadder.case_id == Case.id)
        .where(Case.id.between(lo, hi)).order_by(Case.id)).all()
    if not cases:
        return []
    last_paid: dict[int, date] = {}
    for case_id, day in session.execute(
            select(Account.case_id, func.max(Account.last_payment_on)).where(
                Account.case_id.between(lo, hi), Account.last_payment_on <= today).group_by(Account.case_id)):
        if day is not None:
            last_paid[case_id] = day
    for case_id, at in session.execute(
            select(Payment.case_id, func.max(Payment.paid_at)).where(
                Payment.case_id.between(lo, hi), Payment.paid_at < end).group_by(Payment.case_id)):
        if at is not None:
            day = local_day(_aware(at), zone)
            last_paid[case_id] = max(day, last_paid.get(case_id, day))
    promise_open, broken = _promises(session, lo, hi, today, end, zone, grace_days)
    unanswered: dict[int, list[AttemptFact]] = defaultdict(list)
    since = at_local(today - timedelta(days=window.attempt_days - 1), time(0), zone)
    for case_id, at, channel, outcome in session.execute(
            select(Attempt.case_id, Attempt.at, Attempt.channel, Attempt.outcome).where(
                Attempt.case_id.between(lo, hi), Attempt.at >= since, Attempt.at < end,
                Attempt.to_third_party.is_(False),
                or_(Attempt.answered.is_(False), Attempt.outcome.in_(REFUSED)))):
        if outcome in NOT_ATTEMPTS:
            continue
        aware = _aware(at)
        unanswered[case_id].append(AttemptFact(aware, local_day(aware, zone), channel, outcome))
    numbers: dict[int, int] = dict(session.execute(
        select(Case.id, func.count(Phone.id)).join(Phone, Phone.debtor_id == Case.debtor_id)
        .where(Case.id.between(lo, hi)).group_by(Case.id)).tuples().all())
    dead: dict[int, list[str]] = defaultdict(list)
    for case_id, number in session.execute(
            select(Case.id, Phone.number).join(Phone, Phone.debtor_id == Case.debtor_id)
            .where(Case.id.between(lo, hi), Phone.status == "invalid").order_by(Case.id, Phone.id)):
        dead[case_id].append(mask_phone(number))
    episodes: dict[int, list[date]] = defaultdict(list)
    for case_id, started in session.execute(
            select(DelinquencyEpisode.case_id, DelinquencyEpisode.started_on).where(
                DelinquencyEpisode.case_id.between(lo, hi), DelinquencyEpisode.started_on > window.episodes_since,
                DelinquencyEpisode.started_on <= today)):
        episodes[case_id].append(started)
    findings: dict[int, Finding] = {}
    for case_id, kind, note, sha in session.execute(
            select(SeriousDefault.case_id, SeriousDefault.kind, SeriousDefault.note, SeriousDefault.attachment_sha256)
            .where(SeriousDefault.case_id.between(lo, hi), SeriousDefault.withdrawn_at.is_(None),
                   SeriousDefault.set_at < end).order_by(SeriousDefault.case_id, SeriousDefault.set_at)):
        findings[case_id] = Finding(kind, note, sha)  # the newest standing finding
    out = []
    for r in cases:
        facts = CaseFacts(
            days_past_due=r.days_past_due, status=r.status, promise_open=r.id in promise_open,
            broken_promises=tuple(broken.get(r.id, ())), episodes=tuple(episodes.get(r.id, ())),
            unanswered=tuple(unanswered.get(r.id, ())), numbers=numbers.get(r.id, 0),
            dead_numbers=tuple(dead.get(r.id, ())), last_payment_on=last_paid.get(r.id),
            came_in_on=local_day(_aware(r.created_at), zone), serious_default=findings.get(r.id), stage=r.stage)
        standing = Standing(r.level, r.entered_on, bool(r.held)) if r.level is not None else Standing()
        out.append(CaseRow(r.id, r.team, r.agent_id, r.stage, r.trigger, standing, facts))
    return out


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
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
