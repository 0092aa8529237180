"""The server projection of events is the same for any order and duplication of the same batches.

Hypothesis drives the head office's own push code over real SQLite files (many examples, fast);
one more test checks the same property end to end over HTTP on both backends.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.domain.compliance import builtin_profile
from headoffice.changes import ChangeWriter
from headoffice.db import Database
from headoffice.demo import create_demo
from headoffice.migrate import upgrade
from headoffice.models import Address, Attempt, Case, Payment, Promise, ReliefProposal, SafetyNote, User
from headoffice.push import push
from tests.integration.conftest import HeadOffice, outcome_event, pull_all

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu
PROFILE = builtin_profile("CN")


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def event_pool(case_a: int, case_b: int) -> list[tuple[str, dict[str, Any]]]:
    """(author, event): a day of field facts on two cases, including ones whose effects interact."""
    dev = str(uuid.UUID(int=1))
    sup_dev = str(uuid.UUID(int=2))
    note1, note2 = str(uuid.UUID(int=11)), str(uuid.UUID(int=12))
    promise_day = (date(2026, 11, 30) + timedelta(days=5)).isoformat()
    hardship = outcome_event(case_b, dev, 9, code="hardship", channel="visit", at=_at(200),
                             fields={"hardship_reason": "illness", "relief_kind": "deferral",
                                     "relief_detail": "申请延期三个月"}, event_id=str(uuid.UUID(int=109)))
    evs: list[tuple[str, dict[str, Any]]] = [
        ("agent01", outcome_event(case_a, dev, 1, at=_at(0), event_id=str(uuid.UUID(int=101)))),
        ("agent01", outcome_event(case_a, dev, 2, code="promise_to_pay", at=_at(10), event_id=str(uuid.UUID(int=102)),
                                  fields={"promise_amount_fen": 50_000, "promise_date": promise_day})),
        ("agent01", outcome_event(case_a, dev, 3, code="partial_payment", at=_at(20), event_id=str(uuid.UUID(int=103)),
                                  fields={"payment_amount_fen": 30_000, "payment_method": "bank_transfer",
                                          "receipt_no": "R-1"})),
        ("agent01", outcome_event(case_a, dev, 4, code="partial_payment", at=_at(30), event_id=str(uuid.UUID(int=104)),
                                  fields={"payment_amount_fen": 20_000, "payment_method": "platform_app",
                                          "receipt_no": "R-2"})),
        ("agent01", outcome_event(case_a, dev, 5, code="moved", channel="visit", at=_at(40),
                                  event_id=str(uuid.UUID(int=105)), fields={"new_address": "成都市新都区新都大道9号"})),
        ("agent01", outcome_event(case_a, dev, 6, code="dispute", at=_at(50), event_id=str(uuid.UUID(int=106)),
                                  fields={"dispute_reason": "金额有误"})),
        ("agent01", {"id": str(uuid.UUID(int=107)), "device_id": dev, "device_seq": 7, "case_id": case_b,
                     "case_version": 1, "kind": "safety_note", "occurred_at": _at(60), "schema_version": 1,
                     "payload": {"uid": note1, "category": "dog", "severity": "medium", "text": "门口有恶犬",
                                 "two_person_required": False, "do_not_visit": False, "on_debtor": True,
                                 "expires_at": None, "supersedes": None}}),
        ("agent01", {"id": str(uuid.UUID(int=108)), "device_id": dev, "device_seq": 8, "case_id": case_b,
                     "case_version": 1, "kind": "safety_note", "occurred_at": _at(70), "schema_version": 1,
                     "payload": {"uid": note2, "category": "dog", "severity": "high", "text": "恶犬已咬伤邻居",
                                 "two_person_required": True, "do_not_visit": False, "on_debtor": True,
                                 "expires_at": None, "supersedes": note1}}),
        ("agent01", hardship),
        ("agent01", {"id": str(uuid.UUID(int=110)), "device_id": dev, "device_seq": 10, "case_id": case_b,
                     "case_version": 1, "kind": "safety_note_expired", "occurred_at": _at(300), "schema_version": 1,
                     "payload": {"uid": note2, "reason": "狗已送走"}}),
        ("super01", {"id": str(uuid.UUID(int=111)), "device_id": sup_dev, "device_seq": 1, "case_id": case_b,
                     "case_version": 1, "kind": "decision", "occurred_at": _at(400), "schema_version": 1,
                     "payload": {"subject": "relief", "subject_id": hardship["id"], "approved": True,
                                 "reason": "病历属实"}}),
        ("agent01", outcome_event(case_b, dev, 11, code="aborted_safety", channel="visit", at=_at(500),
                                  event_id=str(uuid.UUID(int=112)),
                                  fields={"safety_note": {"category": "aggressive", "severity": "high",
                                                          "text": "债务人持械", "do_not_visit": True}})),
        ("agent01", outcome_event(case_a, dev, 12, code="paid_in_full", at=_at(600), event_id=str(uuid.UUID(int=113)),
                                  fields={"payment_amount_fen": 10_000, "payment_method": "alipay_official",
                                          "receipt_no": "R-3"})),
    ]
    return evs


def snapshot(db: Database) -> dict[str, Any]:
    """Everything the projection produced, without surrogate ids or version counters."""
    with db.read() as s:
        def rows(model: type, cols: list[str]) -> list[str]:
            return sorted(json.dumps([str(getattr(r, c)) for c in cols], ensure_ascii=False)
                          for r in s.scalars(select(model)))
        return {
            "cases": rows(Case, ["id", "status", "paused_reason", "overdue_fen", "last_contact_at", "agent_id"]),
            "attempts": rows(Attempt, ["case_id", "event_id", "channel", "at", "outcome", "agent_id", "phone",
                                       "answered", "right_party", "notes", "details", "recording_sha256"]),
            "promises": rows(Promise, ["case_id", "event_id", "amount_fen", "due", "made_at"]),
            "payments": rows(Payment, ["case_id", "event_id", "amount_fen", "method", "receipt_no", "paid_at"]),
            "notes": rows(SafetyNote, ["uid", "case_id", "debtor_id", "severity", "text", "expires_at",
                                       "supersedes", "superseded_by", "do_not_visit", "event_id"]),
            "relief": rows(ReliefProposal, ["case_id", "event_id", "reason", "kind", "status"]),
            "addresses": rows(Address, ["debtor_id", "kind", "text", "event_id"]),
        }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("projection")
    path = folder / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.write() as s:
        create_demo(s, 40, seed=3, today=date(2026, 11, 30), password="projection-pw")
    db.dispose()
    yield path


def _cases_of(db: Database, username: str) -> tuple[int, int]:
    with db.read() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        ids = s.scalars(select(Case.id).where(Case.agent_id == uid).order_by(Case.id)).all()
    assert len(ids) >= 2
    return ids[0], ids[1]


def _apply(db: Database, batches: list[list[tuple[str, dict[str, Any]]]]) -> None:
    for batch in batches:
        by_author: dict[str, list[dict[str, Any]]] = {}
        for author, ev in batch:
            by_author.setdefault(author, []).append(ev)
        for author, events in by_author.items():
            with db.write() as s:
                user = s.scalar(select(User).where(User.username == author))
                assert user is not None
                now = datetime.now(UTC)
                result = push(s, user, events, PROFILE, now, ChangeWriter(s, now))
                assert not result.conflict
                assert all(r.status != "rejected" for r in result.results), result.results


def _fresh(template: Path, folder: str, name: str) -> Database:
    path = Path(folder) / name
    shutil.copy2(template, path)
    return Database(f"sqlite:///{path}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_projection_is_identical_for_any_order_and_duplication(template: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ref = _fresh(template, folder, "ref.sqlite3")
        case_a, case_b = _cases_of(ref, "agent01")
        pool = event_pool(case_a, case_b)
        try:
            _apply(ref, [pool])
            expected = snapshot(ref)
        finally:
            ref.dispose()

        order = data.draw(st.permutations(range(len(pool))), label="order")
        cuts = sorted(set(data.draw(st.lists(st.integers(1, len(pool) - 1), max_size=5), label="cuts")))
        shuffled = [pool[i] for i in order]
        batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(pool)], strict=True)]
        repeats = data.draw(st.lists(st.integers(0, len(batches) - 1), max_size=4), label="replayed batches")
        for i in repeats:
            batches.insert(data.draw(st.integers(0, len(batches)), label="where"), list(batches[i]))
        db = _fresh(template, folder, "run.sqlite3")
        try:
            _apply(db, batches)
            assert snapshot(db) == expected
        finally:
            db.dispose()


def test_reference_projection_has_the_expected_effects(template: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = _fresh(template, folder, "one.sqlite3")
        try:
            case_a, case_b = _cases_of(db, "agent01")
            _apply(db, [event_pool(case_a, case_b)])
            with db.read() as s:
                a, b = s.get(Case, case_a), s.get(Case, case_b)
                assert a is not None and b is not None
                assert a.status == "closed" and a.overdue_fen == max(0, a.base_overdue_fen - 60_000)
                assert b.status == "paused" and b.paused_reason == "hardship: illness"
                notes = {n.uid: n for n in s.scalars(select(SafetyNote).where(SafetyNote.case_id == case_b))}
                assert notes[str(uuid.UUID(int=11))].superseded_by == str(uuid.UUID(int=12))
                assert notes[str(uuid.UUID(int=12))].expires_at == T0 + timedelta(minutes=300)
                relief = s.scalars(select(ReliefProposal).where(ReliefProposal.case_id == case_b)).one()
                assert relief.status == "approved"
        finally:
            db.dispose()


def test_live_servers_agree_for_shuffled_and_replayed_batches(headoffice_server, backend: str) -> None:
    one: HeadOffice = headoffice_server(db=backend, cases=30)
    two: HeadOffice = headoffice_server(db=backend, cases=30)
    sup1 = one.client(one.token("super01"))
    mine = [c["id"] for c in sup1.get("/api/v1/cases", params={"limit": 100}).json()["cases"]
            if c["agent_id"] == 1]
    pool = event_pool(mine[0], mine[1])
    rng = random.Random(5)
    shuffled = pool[:]
    rng.shuffle(shuffled)
    batches = [shuffled[i:i + 3] for i in range(0, len(shuffled), 3)]
    batches = batches + batches[:2]
    for ho, plan in ((one, [pool]), (two, batches)):
        tokens = {name: ho.token(name) for name in ("agent01", "super01")}
        for batch in plan:
            for author in ("agent01", "super01"):
                events = [ev for who, ev in batch if who == author]
                if events:
                    r = ho.client(tokens[author]).post("/api/v1/sync/events", json={"events": events})
                    assert r.status_code == 200

    def view(ho: HeadOffice) -> dict[int, Any]:
        changes, _ = pull_all(ho.client(ho.token("super01")))
        latest = {ch["case_id"]: ch["case"] for ch in changes if ch["kind"] == "case_upsert"}
        return {cid: {k: v for k, v in case.items() if k != "version"} for cid, case in latest.items()
                if cid in mine[:2]}

    v1, v2 = view(one), view(two)
    for cid in v1:
        for key in v1[cid]:
            assert v1[cid][key] == v2[cid][key], (cid, key)
