"""Promises and payments recorded by someone else reach a laptop through the pulled case history.

Against a live head office on loopback: agent01 records a promise and a partial payment on a case and
syncs; the supervisor reassigns the case to agent02; agent02's sync rebuilds both records locally, so
the timeline shows them and the promise-due filter finds the case. Pulling again changes nothing, and
records made on the laptop itself are never doubled by their own echo in the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel
from app.domain.outcomes import OutcomeCode
from app.services.outcomes import OutcomeInput, record_outcome
from app.services.syncing import sync_once
from app.services.workspace import case_timeline
from app.store import models as m
from app.store.engine import Store
from app.store.migrate import open_store
from app.store.queries import CaseQuery, list_cases

from .sync_fixtures import (  # noqa: F401 (fixtures)
    BOTH,
    Connect,
    agent_store_fixture,
    connect_fixture,
    headoffice_fixture,
)
from .sync_server import HeadOffice

AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Chengdu
TODAY = date(2026, 11, 30)
CN = builtin_profile("CN")


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "agent02" / "doorstep.sqlite3")
    try:
        yield store
    finally:
        store.close()


def _phone(store: Store, case_id: int) -> str | None:
    with store.read() as session:
        return session.execute(text(
            "SELECT p.number FROM phones p JOIN cases c ON c.debtor_id = p.debtor_id WHERE c.id = :id LIMIT 1"),
            {"id": case_id}).scalar()


def _record(store: Store, case_id: int, code: OutcomeCode, fields: dict[str, str], at: datetime, actor: str) -> str:
    data = OutcomeInput(case_id=case_id, code=code, channel=Channel.PHONE, at=at, phone=_phone(store, case_id),
                        fields=fields)
    return record_outcome(store, data, CN, actor, now=at + timedelta(minutes=1)).event_id


def _rows(store: Store, case_id: int) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(promises as (event id, amount, state), payments as (event id, amount, method)) of a case."""
    with store.read() as session:
        promises = [(str(e), int(a), str(s)) for e, a, s in session.execute(
            select(m.Promise.event_id, m.Promise.amount_fen, m.Promise.state).where(m.Promise.case_id == case_id)
            .order_by(m.Promise.id))]
        payments = [(str(e), int(a), str(k)) for e, a, k in session.execute(
            select(m.Payment.event_id, m.Payment.amount_fen, m.Payment.method).where(m.Payment.case_id == case_id)
            .order_by(m.Payment.id))]
    return promises, payments


def _due_cases(store: Store, agent_id: int) -> list[int]:
    with store.engine.connect() as conn:
        return [r.id for r in list_cases(conn, CaseQuery(promise="due", today=TODAY, agent_id=agent_id), limit=1000)]


@pytest.mark.parametrize("headoffice", BOTH, indirect=True)
def test_promise_and_payment_by_a_previous_holder_reach_the_new_holder(
        headoffice: HeadOffice, agent_store: Store, other_store: Store, connect: Connect) -> None:
    clock = lambda: AT + timedelta(hours=1)  # noqa: E731
    a = connect(headoffice.url, agent_store, "agent01")
    b = connect(headoffice.url, other_store, "agent02")
    sync_once(agent_store, a, clock=clock)
    sync_once(other_store, b, clock=clock)
    assert a.user is not None and b.user is not None
    with agent_store.read() as session:
        case_id = int(session.scalar(select(func.min(m.Case.id))) or 0)
    with other_store.read() as session:
        assert session.get(m.Case, case_id) is None  # not agent02's yet

    promise = _record(agent_store, case_id, OutcomeCode.PROMISE_TO_PAY,
                      {"promise_amount_fen": "500", "promise_date": TODAY.isoformat()}, AT, "agent01")
    payment = _record(agent_store, case_id, OutcomeCode.PARTIAL_PAYMENT,
                      {"payment_amount_fen": "200", "payment_method": "bank_transfer", "receipt_no": "HZ-0042"},
                      AT + timedelta(minutes=20), "agent01")
    report = sync_once(agent_store, a, clock=clock)
    assert report.pushed.accepted == 2
    # agent01's own records come back in the history: still one row each, state as judged here.
    own = _rows(agent_store, case_id)
    assert own == ([(promise, 50_000, "open")], [(payment, 20_000, "bank_transfer")])
    sync_once(agent_store, a, clock=clock)
    assert _rows(agent_store, case_id) == own

    headoffice.assign(case_id, b.user.id)
    sync_once(other_store, b, clock=clock)

    assert _rows(other_store, case_id) == ([(promise, 50_000, "open")], [(payment, 20_000, "bank_transfer")])
    kinds = {(i.kind, i.amount_fen) for i in case_timeline(other_store, case_id)}
    assert {("promise", 50_000), ("payment", 20_000)} <= kinds
    assert case_id in _due_cases(other_store, b.user.id)
    with other_store.read() as session:
        case = session.get(m.Case, case_id)
        assert case is not None and case.promise_due == TODAY

    # Pulled again (a later change to the case): the same rows, nothing doubled.
    headoffice.assign(case_id, a.user.id)
    headoffice.assign(case_id, b.user.id)
    sync_once(other_store, b, clock=clock)
    assert _rows(other_store, case_id) == ([(promise, 50_000, "open")], [(payment, 20_000, "bank_transfer")])

    # agent02 pays the rest: its own payment is not doubled by the echo, and the promise is kept.
    rest = _record(other_store, case_id, OutcomeCode.PARTIAL_PAYMENT,
                   {"payment_amount_fen": "300", "payment_method": "alipay_official", "receipt_no": "HZ-0043"},
                   AT + timedelta(hours=2), "agent02")
    later = lambda: AT + timedelta(hours=3)  # noqa: E731
    sync_once(other_store, b, clock=later)
    sync_once(other_store, b, clock=later)
    promises, payments = _rows(other_store, case_id)
    assert payments == [(payment, 20_000, "bank_transfer"), (rest, 30_000, "alipay_official")]
    assert promises == [(promise, 50_000, "kept")]
    assert case_id not in _due_cases(other_store, b.user.id)


def test_an_unpaid_promise_by_someone_else_past_its_grace_is_broken(
        headoffice: HeadOffice, agent_store: Store, other_store: Store, connect: Connect) -> None:
    a = connect(headoffice.url, agent_store, "agent01")
    b = connect(headoffice.url, other_store, "agent02")
    sync_once(agent_store, a, clock=lambda: AT)
    assert b.user is not None
    with agent_store.read() as session:
        case_id = int(session.scalar(select(func.min(m.Case.id))) or 0)
    promise = _record(agent_store, case_id, OutcomeCode.PROMISE_TO_PAY,
                      {"promise_amount_fen": "800", "promise_date": (TODAY + timedelta(days=1)).isoformat()},
                      AT, "agent01")
    sync_once(agent_store, a, clock=lambda: AT)
    headoffice.assign(case_id, b.user.id)
    # agent02 first syncs a week later: due + 2 days' grace (CN) have passed without a payment.
    sync_once(other_store, b, clock=lambda: AT + timedelta(days=7))
    assert _rows(other_store, case_id) == ([(promise, 80_000, "broken")], [])
    with other_store.read() as session:
        case = session.get(m.Case, case_id)
        assert case is not None and case.promise_due is None
        reasons = str(case.priority_reasons)
    assert "broken" in reasons.lower()
