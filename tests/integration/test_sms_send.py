"""Sending SMS reminders on a real database (SQLite and PostgreSQL). The client's licensed SMS channel
is outside the project: these tests send to the local fake gateway (tests/fake_gateway.py), a real
HTTP server on loopback that records every request and answers as told. Time is injected (a clock
the test sets); no test sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from app.domain.compliance import builtin_profile
from headoffice.db import Database
from headoffice.models import Case, Phone
from headoffice.notify.schedule import MAX_ATTEMPTS, wait_seconds
from headoffice.sms.jobs import gateway as make_gateway
from headoffice.sms.plan import plan
from headoffice.sms.send import LEASE, Sender, claim, send_due
from tests.fake_gateway import FakeGateway

from .sms_helpers import (  # noqa: F401  (the fixtures)
    SmsWorld,
    local,
    sms_db_fixture,
    sms_templates_fixture,
    world_fixture,
)

CN = builtin_profile("CN")
SIGNATURE = "某某金融"


@pytest.fixture
def gw() -> FakeGateway:
    with FakeGateway(keep_alive=True) as g:
        yield g  # type: ignore[misc]


def sender(gw: FakeGateway, workers: int = 8) -> Sender:
    return Sender(make_gateway(gw.url, SIGNATURE, "tok", workers), CN, workers=workers)


class Clock:
    """The injected clock: each read returns the next of `times`, then the last one for ever."""

    def __init__(self, *times: datetime):
        self.times = list(times)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.times.pop(0) if len(self.times) > 1 else self.times[0]


def test_a_reminder_goes_out_once_with_its_signature_and_is_on_the_trail(world: SmsWorld, gw: FakeGateway) -> None:
    case = world.case()
    now = local(2026, 12, 4, 10, 0)
    world.action(case)
    plan(world.db, now, CN)
    s = sender(gw)
    try:
        result = send_due(world.db, now, s)
        assert (result.claimed, result.sent) == (1, 1)
        assert send_due(world.db, now + timedelta(minutes=5), s).claimed == 0  # nothing twice
    finally:
        s.close()
    m = world.queued(case)
    (headers, body, _raw) = gw.requests[0]
    assert headers["idempotency-key"] == body["message_id"] == f"doorstep-sms-{m.id}"
    assert headers["authorization"] == "Bearer tok"
    assert body["mobile"] == m.number and body["content"] == f"【{SIGNATURE}】{m.body}"
    assert (m.state, m.attempts, m.provider_ref, m.sent_at, m.lease_until) == ("sent", 1, "gw-1", now, None)
    assert [(t["state"], t["ref"]) for t in world.trail(case)] == [("queued", str(m.id)), ("sent", str(m.id))]
    assert world.trail(case)[1]["text"] == body["content"]


def test_claimed_at_21_59_59_and_due_to_go_at_22_00_it_waits_for_08_00(world: SmsWorld, gw: FakeGateway) -> None:
    case = world.case()
    world.action(case)
    plan(world.db, local(2026, 12, 4, 21, 59), CN)
    s = sender(gw)
    try:
        result = send_due(world.db, Clock(local(2026, 12, 4, 21, 59, 59), local(2026, 12, 4, 22, 0, 0)), s)
        assert (result.claimed, result.sent, result.requeued) == (1, 0, 1)
        assert gw.requests == []
        m = world.queued(case)
        assert (m.state, m.attempts, m.scheduled_at, m.next_attempt_at) == (
            "queued", 0, local(2026, 12, 5, 8, 0), local(2026, 12, 5, 8, 0))
        assert world.trail(case)[-1]["why"] == "quiet_hours"
        assert send_due(world.db, local(2026, 12, 5, 7, 59), s).claimed == 0
        assert send_due(world.db, local(2026, 12, 5, 8, 0), s).sent == 1
    finally:
        s.close()
    assert len(gw.requests) == 1 and world.queued(case).state == "sent"


def test_failures_are_retried_with_back_off_then_failed(world: SmsWorld, gw: FakeGateway) -> None:
    case = world.case()
    world.action(case)
    now = local(2026, 12, 4, 10, 0)
    plan(world.db, now, CN)
    gw.fail_next(MAX_ATTEMPTS, status=503)
    s = sender(gw)
    try:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            result = send_due(world.db, now, s)
            assert result.claimed == 1, attempt
            m = world.queued(case)
            assert m.attempts == attempt and "503" in (m.last_error or "")
            if attempt < MAX_ATTEMPTS:
                expected = now + timedelta(seconds=wait_seconds(attempt, m.id))
                assert (m.state, m.next_attempt_at) == ("queued", expected)
                assert send_due(world.db, expected - timedelta(seconds=1), s).claimed == 0  # not before its time
                now = expected
        assert (m.state, m.next_attempt_at) == ("failed", None)
    finally:
        s.close()
    assert len(gw.requests) == MAX_ATTEMPTS and len(set(gw.keys())) == 1  # one key for every attempt
    assert [t["state"] for t in world.trail(case)] == ["queued", "failed"]
    assert world.trail(case)[-1]["attempts"] == MAX_ATTEMPTS


def test_a_refusal_fails_at_once_and_a_retry_past_22_00_moves_to_the_morning(world: SmsWorld,
                                                                            gw: FakeGateway) -> None:
    refused, late = world.case(), world.case()
    world.action(refused)
    plan(world.db, local(2026, 12, 4, 10, 0), CN)
    gw.refuse_next(1, status=400)
    s = sender(gw)
    try:
        assert send_due(world.db, local(2026, 12, 4, 10, 0), s).failed == 1
        world.action(late)
        plan(world.db, local(2026, 12, 4, 21, 59, 58), CN)
        gw.fail_next(1, status=503)
        result = send_due(world.db, local(2026, 12, 4, 21, 59, 58), s)  # the retry would be 22:00:03 or so
        assert result.retried == 1
    finally:
        s.close()
    assert world.queued(refused).state == "failed" and world.queued(refused).attempts == 1
    m = world.queued(late)
    assert (m.state, m.attempts, m.next_attempt_at, m.scheduled_at) == (
        "queued", 1, local(2026, 12, 5, 8, 0), local(2026, 12, 5, 8, 0))


def test_a_case_closed_or_a_number_dead_after_planning_is_skipped_at_the_claim(world: SmsWorld,
                                                                              gw: FakeGateway) -> None:
    closed, dead = world.case(), world.case()
    for case in (closed, dead):
        world.action(case)
    now = local(2026, 12, 4, 10, 0)
    plan(world.db, now, CN)
    with world.db.write() as s:
        s.execute(update(Case).where(Case.id == closed).values(status="closed"))
        s.execute(update(Phone).where(Phone.id == world.queued(dead).phone_id).values(status="invalid"))
    s_ = sender(gw)
    try:
        result = send_due(world.db, now, s_)
    finally:
        s_.close()
    assert (result.claimed, result.skipped) == (0, 2) and gw.requests == []
    assert [(m.state, m.skip_reason) for m in world.messages(closed)] == [("skipped", "case_closed")]
    assert [(m.state, m.skip_reason) for m in world.messages(dead)] == [("skipped", "number_invalid")]
    assert world.trail(closed)[-1]["state"] == "skipped"


def test_a_sender_that_died_after_its_claim_is_taken_over_after_the_lease(world: SmsWorld, gw: FakeGateway) -> None:
    case = world.case()
    world.action(case)
    now = local(2026, 12, 4, 10, 0)
    plan(world.db, now, CN)
    assert len(claim(world.db, now)) == 1  # ... and the claimer is gone
    s = sender(gw)
    try:
        assert send_due(world.db, now + LEASE - timedelta(seconds=1), s).claimed == 0
        assert send_due(world.db, now + LEASE + timedelta(seconds=1), s).sent == 1
    finally:
        s.close()
    assert len(gw.requests) == 1 and world.queued(case).state == "sent"


def _drain(db_url: str, now: datetime, gw: FakeGateway, counts: list[int], start: threading.Event) -> Callable[[], None]:
    def run() -> None:
        db = Database(db_url)
        s = sender(gw)
        try:
            start.wait(30)
            while True:
                result = send_due(db, now, s, limit=40)
                counts.append(result.claimed)
                if result.claimed == 0:
                    return
        finally:
            s.close()
            db.dispose()
    return run


def test_two_senders_claim_each_message_exactly_once(world: SmsWorld, gw: FakeGateway) -> None:
    """Two senders, each with its own connection pool, drain one queue of 300 at once (on PostgreSQL
    with FOR UPDATE SKIP LOCKED; on SQLite one writer at a time): each message reaches the gateway
    exactly once."""
    now = local(2026, 12, 4, 10, 0)
    for i in range(300):
        world.action(world.case(name=f"测试{i}"))
    assert plan(world.db, now, CN).queued == 300
    start = threading.Event()
    counts: tuple[list[int], list[int]] = ([], [])
    threads = [threading.Thread(target=_drain(world.db.url, now, gw, counts[i], start)) for i in range(2)]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    keys = gw.keys()
    assert len(keys) == 300 and len(set(keys)) == 300
    assert sum(counts[0]) + sum(counts[1]) == 300
    assert {m.state for m in world.messages()} == {"sent"}
    assert len({m.provider_ref for m in world.messages()}) == 300
