"""The lean write path of a saved outcome (bare DB-API statements) against the ORM's rules.

`record_outcome` recomputes the case's list columns and promise states itself, from one read; the
ORM functions `casefacts.refresh_case` and `outcomes.evaluate_case_promises` are the reference. After
any save, running the reference again must change nothing, and the rows must read back through the
ORM exactly as written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.domain.clock import local_day
from app.domain.compliance import builtin_profile
from app.domain.enums import Channel, SafetyCategory, Severity
from app.domain.outcomes import OutcomeCode
from app.domain.validation import OutcomeInvalid
from app.services.casefacts import refresh_case
from app.services.integrity import check_store
from app.services.outcomes import (
    ComplianceBlocked,
    OutcomeInput,
    check_outcome,
    evaluate_case_promises,
    prepare_outcome,
    record_outcome,
)
from app.services.safety import SafetyNoteInput, add_safety_note
from app.store import models as m
from app.store.engine import Store
from tests.evidence_helpers import kept_recording

CN = builtin_profile("CN")
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Beijing

FIELDS: dict[OutcomeCode, dict[str, Any]] = {
    OutcomeCode.PROMISE_TO_PAY: {"promise_amount_fen": "100", "promise_date": "2026-12-01"},
    OutcomeCode.PAID_IN_FULL: {"payment_amount_fen": "50.5", "payment_method": "bank_transfer", "receipt_no": "R-1"},
    OutcomeCode.PARTIAL_PAYMENT: {"payment_amount_fen": "20", "payment_method": "platform_app", "receipt_no": "R-2"},
    OutcomeCode.MOVED: {"new_address": "成都市武侯区新地址1号 <script>"},
    OutcomeCode.THIRD_PARTY_MET: {"third_party_relation": "邻居"},
    OutcomeCode.DISPUTE: {"dispute_reason": "金额有误"},
    OutcomeCode.HARDSHIP: {"hardship_reason": "illness", "relief_kind": "deferral", "relief_detail": "延期三个月"},
    OutcomeCode.ABORTED_SAFETY: {"safety_note": {"category": "dog", "severity": "high", "text": "恶犬",
                                                 "two_person_required": True}},
}


def columns(store: Store, case_id: int) -> tuple[Any, ...]:
    with store.read() as s:
        c = s.get(m.Case, case_id)
        assert c is not None
        states = tuple(s.scalars(select(m.Promise.state).where(m.Promise.case_id == case_id)
                                 .order_by(m.Promise.id)).all())
        return (c.priority, c.priority_reasons, c.promise_due, c.safety_level, c.status, c.paused_reason,
                c.overdue_fen, c.last_contact_at, c.version, states)


def reference_refresh(store: Store, case_id: int, now: datetime) -> None:
    """What the ORM path did after its writes: evaluate the promises, then refresh the list columns."""
    with store.write() as s:
        case = s.get(m.Case, case_id)
        assert case is not None
        s.flush()
        evaluate_case_promises(s, case, local_day(now), CN.promise_grace_days)
        s.flush()
        refresh_case(s, case, now)


def cases_with_history(store: Store) -> list[int]:
    """Open cases of the demo city: with promises, with payments, with safety notes, and plain ones."""
    with store.read() as s:
        open_ids = set(s.scalars(select(m.Case.id).where(m.Case.status.in_(("open", "promised")))).all())
        promised = s.scalars(select(m.Promise.case_id).where(m.Promise.state == "open")).all()
        paid = s.scalars(select(m.Payment.case_id)).all()
        noted = s.scalars(select(m.Case.id).where(m.Case.safety_level.between(1, 2))).all()
        plain = s.scalars(select(m.Case.id).where(m.Case.safety_level == 0, m.Case.status == "open")
                          .order_by(m.Case.id)).all()
    picked: list[int] = []
    for group in (promised, paid, noted, plain):
        picked += [c for c in group if c in open_ids and c not in picked][:2]
    return picked


@pytest.mark.parametrize("code", list(OutcomeCode))
def test_list_columns_match_the_orm_reference(demo_store: Store, code: OutcomeCode, tmp_path: Path) -> None:
    recording = kept_recording(demo_store, tmp_path / "attachments")
    for case_id in cases_with_history(demo_store):
        channel = Channel.VISIT
        data = OutcomeInput(case_id, code, channel, NOW, fields=FIELDS.get(code, {}), collectors=2,
                            recording_sha256=recording, safety_acknowledged=True)
        try:
            record_outcome(demo_store, data, CN, actor="agent01", now=NOW)
        except (ComplianceBlocked, OutcomeInvalid):
            continue  # e.g. a do-not-visit note or a small balance: nothing to compare
        written = columns(demo_store, case_id)
        reference_refresh(demo_store, case_id, NOW)
        assert columns(demo_store, case_id) == written, (code, case_id)
    assert check_store(demo_store).ok


def test_a_payment_keeps_an_open_promise_in_the_same_save(demo_store: Store) -> None:
    case_id = cases_with_history(demo_store)[-1]
    record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.PROMISE_TO_PAY, Channel.PHONE, NOW,
                                            fields={"promise_amount_fen": "30", "promise_date": "2026-12-02"}),
                   CN, actor="agent01", now=NOW)
    assert columns(demo_store, case_id)[4] == "promised"
    record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.PARTIAL_PAYMENT, Channel.PHONE,
                                            NOW + timedelta(minutes=1),
                                            fields={"payment_amount_fen": "30", "payment_method": "platform_app",
                                                    "receipt_no": "R-9"}), CN, actor="agent01", now=NOW)
    _priority, _reasons, due, _level, status, *_rest, states = columns(demo_store, case_id)
    assert states[-1] == "kept" and due is None and status == "open"


def test_rows_read_back_through_the_orm(demo_store: Store) -> None:
    case_id = cases_with_history(demo_store)[-1]
    at = NOW + timedelta(minutes=3)
    result = record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.PROMISE_TO_PAY, Channel.VISIT, at,
                                                     fields={"promise_amount_fen": "12.34",
                                                             "promise_date": "2026-12-03"},
                                                     notes="=1+1 <b>王伟</b> 👍", collectors=2,
                                                     no_recording_reason="设备故障"),
                            CN, actor="agent01", now=NOW)
    with demo_store.read() as s:
        event = s.get(m.Event, result.event_id)
        assert event is not None and event.occurred_at == at and event.recorded_at == NOW
        attempt = s.get(m.ContactAttempt, result.attempt_id)
        assert attempt is not None and attempt.at == at and attempt.right_party is True
        assert attempt.notes == "=1+1 <b>王伟</b> 👍" and attempt.no_recording_reason == "设备故障"
        promise = s.scalars(select(m.Promise).where(m.Promise.event_id == result.event_id)).one()
        assert promise.due == date(2026, 12, 3) and promise.made_at == at and promise.amount_fen == 1234
        case = s.get(m.Case, case_id)
        assert case is not None and case.last_contact_at == at and case.version == result.case_version
        outbox = s.scalars(select(m.Outbox).where(m.Outbox.event_id == result.event_id)).one()
        assert outbox.device_seq == event.device_seq and outbox.attempts == 0


def test_compliance_sees_notes_in_force_at_the_act(demo_store: Store, tmp_path: Path) -> None:
    """A do-not-visit note added after the visit's time does not block it; one in force does."""
    case_id = cases_with_history(demo_store)[-1]
    recording = kept_recording(demo_store, tmp_path / "attachments", case_id)
    add_safety_note(demo_store, SafetyNoteInput(case_id, SafetyCategory.AGGRESSIVE, Severity.MEDIUM, "勿访",
                                                do_not_visit=True), actor="agent01", now=NOW)
    before = OutcomeInput(case_id, OutcomeCode.NOT_HOME, Channel.VISIT, NOW - timedelta(hours=1), collectors=2,
                          recording_sha256=recording)
    _clean, decision = check_outcome(demo_store, before, CN, now=NOW)
    assert decision.allowed
    after = OutcomeInput(case_id, OutcomeCode.NOT_HOME, Channel.VISIT, NOW + timedelta(minutes=1), collectors=2,
                         recording_sha256=recording)
    with pytest.raises(ComplianceBlocked) as info:
        record_outcome(demo_store, after, CN, actor="agent01", now=NOW)
    assert info.value.decision.rules == ("do_not_visit",)
    assert "勿访" in info.value.decision.explain("zh")


def test_a_failed_commit_path_leaves_the_connection_usable(demo_store: Store) -> None:
    """An error inside write_db rolls back and the pooled connection serves the next save."""
    case_id = cases_with_history(demo_store)[-1]
    with pytest.raises(RuntimeError), demo_store.write_db() as db:
        db.execute("UPDATE cases SET priority = -1 WHERE id = ?", (case_id,))
        raise RuntimeError("boom")
    assert columns(demo_store, case_id)[0] != -1
    result = record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, NOW), CN,
                            actor="agent01", now=NOW)
    assert result.case_version == columns(demo_store, case_id)[8]


def test_saves_leave_the_checkpoint_to_the_checkpointer(demo_store: Store) -> None:
    """The saving connection never folds the WAL into the database file itself (that made every 30-odd
    saves slow); the checkpointer's thread does, once the saves pause."""
    import hashlib
    from pathlib import Path

    from app.store.engine import checkpoint

    path = Path(str(demo_store.path))
    checkpoint(demo_store.engine)

    def digest() -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    before = digest()
    demo_store.checkpointer.configure(quiet=3600.0, most=10**9)  # no pause is long enough, no count forces it
    wal = Path(str(path) + "-wal")
    ids = cases_with_history(demo_store)
    for n in range(400):  # past SQLite's own checkpoint point of 1,000 pages (a save writes 10-30)
        record_outcome(demo_store, OutcomeInput(ids[n % len(ids)], OutcomeCode.NO_ANSWER, Channel.LETTER,
                                                NOW + timedelta(seconds=n)), CN, actor="agent01", now=NOW)
        if wal.stat().st_size > 1200 * 4120:
            break
    assert wal.stat().st_size > 1200 * 4120  # the WAL grew past it: no save folded it back
    assert digest() == before  # nothing copied into the database file yet
    assert not demo_store.checkpointer.ran.is_set()
    demo_store.checkpointer.configure(quiet=0.05)
    record_outcome(demo_store, OutcomeInput(ids[0], OutcomeCode.NO_ANSWER, Channel.LETTER, NOW), CN,
                   actor="agent01", now=NOW)
    assert demo_store.checkpointer.ran.wait(30)  # the pause after the last save
    assert digest() != before
    assert check_store(demo_store).ok


def test_saves_that_never_pause_are_folded_after_a_number_of_them(demo_store: Store) -> None:
    demo_store.checkpointer.configure(quiet=3600.0, most=5)
    ids = cases_with_history(demo_store)
    for n in range(4):
        record_outcome(demo_store, OutcomeInput(ids[n], OutcomeCode.NO_ANSWER, Channel.LETTER,
                                                NOW + timedelta(seconds=n)), CN, actor="agent01", now=NOW)
    assert not demo_store.checkpointer.ran.is_set()
    record_outcome(demo_store, OutcomeInput(ids[4], OutcomeCode.NO_ANSWER, Channel.LETTER,
                                            NOW + timedelta(seconds=4)), CN, actor="agent01", now=NOW)
    assert demo_store.checkpointer.ran.wait(30)


def test_after_a_pause_the_next_save_writes_the_wal_from_its_beginning(demo_store: Store) -> None:
    """A checkpoint that ran while no save did folds the whole WAL, so the next save starts it again
    (over frames the file already has) instead of growing it."""
    from pathlib import Path

    wal = Path(str(demo_store.path) + "-wal")
    ids = cases_with_history(demo_store)
    sizes = []
    for round_ in range(3):
        # No pause is long enough while the round's saves run, however slow the machine is at the moment
        # (with a short pause, a loaded machine folded in the middle of a round, beside a save); the pause
        # comes after the round, when the test says so.
        demo_store.checkpointer.configure(quiet=3600.0)
        demo_store.checkpointer.ran.clear()
        for n in range(20):
            record_outcome(demo_store, OutcomeInput(ids[n % len(ids)], OutcomeCode.NO_ANSWER, Channel.LETTER,
                                                    NOW + timedelta(minutes=round_, seconds=n)), CN,
                           actor="agent01", now=NOW)
        sizes.append(wal.stat().st_size)
        assert not demo_store.checkpointer.ran.is_set()  # nothing folded while the saves ran
        demo_store.checkpointer.configure(quiet=0.0)  # the pause
        assert demo_store.checkpointer.ran.wait(30)
    assert sizes[0] > 0 and sizes[2] <= sizes[0] * 1.2  # reused, not grown three times over


def test_disposing_closes_the_saving_connection_and_the_next_save_opens_one(demo_store: Store) -> None:
    ids = cases_with_history(demo_store)
    record_outcome(demo_store, OutcomeInput(ids[0], OutcomeCode.NO_ANSWER, Channel.LETTER, NOW), CN,
                   actor="agent01", now=NOW)
    first = demo_store._writer
    assert first is not None
    demo_store.dispose()
    assert demo_store._writer is None
    result = record_outcome(demo_store, OutcomeInput(ids[1], OutcomeCode.NO_ANSWER, Channel.LETTER, NOW), CN,
                            actor="agent01", now=NOW)
    assert demo_store._writer is not None and demo_store._writer is not first
    assert result.case_version == columns(demo_store, ids[1])[8]


def test_the_read_ahead_reads_on_the_saving_connection_and_changes_nothing(demo_store: Store) -> None:
    """`prepare_outcome` (the outcome dialog runs it when it opens) reads the case on the connection the save
    will use, leaves no transaction open and writes nothing; the save after it takes that connection."""
    ids = cases_with_history(demo_store)
    before = columns(demo_store, ids[0])
    assert demo_store.path is not None
    wal = demo_store.path.with_name(demo_store.path.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    prepare_outcome(demo_store, ids[0], NOW)
    writer = demo_store._writer
    assert writer is not None and not writer.driver_connection.in_transaction
    assert writer.driver_connection.total_changes == 0
    assert (wal.stat().st_size if wal.exists() else 0) == wal_before
    assert columns(demo_store, ids[0]) == before
    prepare_outcome(demo_store, 10**9, NOW)  # a case that is not (or no longer) here: nothing to read
    result = record_outcome(demo_store, OutcomeInput(ids[0], OutcomeCode.NO_ANSWER, Channel.LETTER, NOW), CN,
                            actor="agent01", now=NOW)
    assert demo_store._writer is writer
    assert result.case_version == before[8] + 1


def test_the_read_ahead_waits_for_a_running_save_and_never_overlaps_it(demo_store: Store) -> None:
    import threading

    ids = cases_with_history(demo_store)
    entered, release = threading.Event(), threading.Event()
    done: list[str] = []

    def saving() -> None:
        with demo_store.write_db() as db:
            db.execute("SELECT 1").fetchone()
            entered.set()
            release.wait(10)
            done.append("save")

    t = threading.Thread(target=saving)
    t.start()
    assert entered.wait(10)
    reader = threading.Thread(target=lambda: (prepare_outcome(demo_store, ids[0], NOW), done.append("read")))
    reader.start()
    reader.join(0.2)
    assert done == []  # held back by the writer lock
    release.set()
    t.join(10)
    reader.join(10)
    assert done == ["save", "read"]
