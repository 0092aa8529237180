"""Use cases against a real store: record outcomes atomically, safety notes, promises, integrity check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.domain.compliance import builtin_profile
from app.domain.enums import Channel, SafetyCategory, Severity
from app.domain.outcomes import OutcomeCode
from app.domain.validation import OutcomeInvalid
from app.services.integrity import check_store
from app.services.outcomes import ComplianceBlocked, OutcomeInput, StaleCase, record_outcome
from app.services.promises import evaluate_promises
from app.services.safety import SafetyNoteInput, add_safety_note, expire_safety_note
from app.store import models as m
from app.store.engine import Store
from tests.evidence_helpers import kept_recording

CN = builtin_profile("CN")
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Beijing on DEMO_TODAY


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("events", "outbox", "audit_log", "contact_attempts", "promises", "payments",
                          "relief_proposals", "safety_notes", "addresses")}


def plain_case(store: Store) -> int:
    """An open case with no safety notes, no pause and no history today."""
    with store.read() as s:
        return s.scalars(select(m.Case.id).where(m.Case.safety_level == 0, m.Case.status == "open")
                         .order_by(m.Case.id)).first()  # type: ignore[return-value]


FIELDS: dict[OutcomeCode, dict[str, Any]] = {
    OutcomeCode.PROMISE_TO_PAY: {"promise_amount_fen": "100", "promise_date": "2026-12-05"},
    OutcomeCode.PAID_IN_FULL: {"payment_amount_fen": "50.5", "payment_method": "bank_transfer", "receipt_no": "R-1"},
    OutcomeCode.PARTIAL_PAYMENT: {"payment_amount_fen": "20", "payment_method": "platform_app", "receipt_no": "R-2"},
    OutcomeCode.MOVED: {"new_address": "成都市武侯区新地址1号"},
    OutcomeCode.THIRD_PARTY_MET: {"third_party_relation": "邻居"},
    OutcomeCode.DISPUTE: {"dispute_reason": "金额有误"},
    OutcomeCode.HARDSHIP: {"hardship_reason": "illness", "relief_kind": "deferral", "relief_detail": "延期三个月"},
    OutcomeCode.ABORTED_SAFETY: {"safety_note": {"category": "dog", "severity": "medium", "text": "恶犬"}},
}

EXTRA_ROWS = {
    OutcomeCode.PROMISE_TO_PAY: "promises", OutcomeCode.PAID_IN_FULL: "payments",
    OutcomeCode.PARTIAL_PAYMENT: "payments", OutcomeCode.MOVED: "addresses", OutcomeCode.HARDSHIP: "relief_proposals",
    OutcomeCode.ABORTED_SAFETY: "safety_notes",
}


@pytest.mark.parametrize("code", list(OutcomeCode))
def test_record_every_outcome_code_atomically(demo_store: Store, code: OutcomeCode, tmp_path: Path) -> None:
    case_id = plain_case(demo_store)
    recording = kept_recording(demo_store, tmp_path / "attachments", case_id)
    before = counts(demo_store)
    with demo_store.read() as s:
        version = s.get(m.Case, case_id).version  # type: ignore[union-attr]
    data = OutcomeInput(case_id=case_id, code=code, channel=Channel.VISIT, at=NOW, fields=FIELDS.get(code, {}),
                        notes="<b>note</b> & 王伟 👍", collectors=2, recording_sha256=recording,
                        expected_version=version)
    result = record_outcome(demo_store, data, CN, actor="agent01", now=NOW)
    after = counts(demo_store)
    for table in ("events", "outbox", "audit_log", "contact_attempts"):
        assert after[table] == before[table] + 1, table
    if code in EXTRA_ROWS:
        assert after[EXTRA_ROWS[code]] == before[EXTRA_ROWS[code]] + 1
    with demo_store.read() as s:
        event = s.get(m.Event, result.event_id)
        assert event is not None and event.kind == "outcome" and event.case_version == version
        assert '"notes":"<b>note</b> & 王伟 👍"' in event.payload
        case = s.get(m.Case, case_id)
        assert case is not None and case.version == version + 1
        if code in (OutcomeCode.DISPUTE, OutcomeCode.HARDSHIP):
            assert case.status == "paused"
        if code == OutcomeCode.PROMISE_TO_PAY:
            assert case.status == "promised" and case.promise_due == date(2026, 12, 5)
        if code == OutcomeCode.ABORTED_SAFETY:
            assert case.safety_level == 2
    assert check_store(demo_store).ok


def test_compliance_block_saves_nothing_and_says_why(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    before = counts(demo_store)
    night = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 23:00 in Beijing
    with pytest.raises(ComplianceBlocked) as info:
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, night), CN,
                       actor="agent01", now=night)
    assert info.value.decision.rules == ("contact_window",)
    assert "22:00" in info.value.decision.explain("zh")
    assert counts(demo_store) == before


def test_invalid_fields_save_nothing(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    before = counts(demo_store)
    with pytest.raises(OutcomeInvalid) as info:
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.PROMISE_TO_PAY, Channel.PHONE, NOW,
                                                fields={"promise_amount_fen": "-1", "promise_date": "2020-01-01"}),
                       CN, actor="agent01", now=NOW)
    assert set(info.value.errors) == {"promise_amount_fen", "promise_date"}
    assert counts(demo_store) == before


def test_a_failure_inside_the_transaction_leaves_nothing(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """If anything after the event is written fails (here: the audit append), the event and outbox go too."""
    import app.services.outcomes as outcomes

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(outcomes, "append_audit_db", boom)
    case_id = plain_case(demo_store)
    before = counts(demo_store)
    with pytest.raises(RuntimeError):
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, NOW), CN,
                       actor="agent01", now=NOW)
    assert counts(demo_store) == before


def test_stale_case_version_is_refused(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    with pytest.raises(StaleCase):
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE, NOW,
                                                expected_version=999), CN, actor="agent01", now=NOW)


def test_device_sequence_increases_per_event(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    for minute in range(3):
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE,
                                                NOW + timedelta(minutes=minute)), CN, actor="agent01", now=NOW)
    with demo_store.read() as s:
        seqs = s.scalars(select(m.Outbox.device_seq).order_by(m.Outbox.id)).all()
        devices = set(s.scalars(select(m.Event.device_id)).all())
    assert seqs == [1, 2, 3] and len(devices) == 1


def test_third_call_cap_through_the_service(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    for minute in range(3):
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.REFUSED, Channel.PHONE,
                                                NOW + timedelta(minutes=minute)), CN, actor="agent01", now=NOW)
    with pytest.raises(ComplianceBlocked) as info:
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.REFUSED, Channel.PHONE,
                                                NOW + timedelta(minutes=5)), CN, actor="agent01", now=NOW)
    assert info.value.decision.rules == ("effective_call_cap",)


def test_severe_safety_note_needs_acknowledgement(demo_store: Store, tmp_path: Path) -> None:
    case_id = plain_case(demo_store)
    recording = kept_recording(demo_store, tmp_path / "attachments", case_id)
    add_safety_note(demo_store, SafetyNoteInput(case_id, SafetyCategory.AGGRESSIVE, Severity.HIGH, "持刀威胁",
                                                two_person_required=True), actor="agent01", now=NOW)
    visit = OutcomeInput(case_id, OutcomeCode.NOT_HOME, Channel.VISIT, NOW + timedelta(minutes=1), collectors=2,
                         recording_sha256=recording)
    with pytest.raises(ComplianceBlocked) as info:
        record_outcome(demo_store, visit, CN, actor="agent01", now=NOW)
    assert info.value.decision.rules == ("severe_safety_ack",)
    acked = OutcomeInput(**{**visit.__dict__, "safety_acknowledged": True})
    result = record_outcome(demo_store, acked, CN, actor="agent01", now=NOW)
    with demo_store.read() as s:
        assert '"safety_acknowledged":true' in s.get(m.Event, result.event_id).payload  # type: ignore[union-attr]


def test_safety_note_versions_and_expiry(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    uid = add_safety_note(demo_store, SafetyNoteInput(case_id, SafetyCategory.DOG, Severity.LOW, "小狗"),
                          actor="agent01", now=NOW)
    with demo_store.read() as s:
        assert s.get(m.Case, case_id).safety_level == 1  # type: ignore[union-attr]
    uid2 = add_safety_note(demo_store, SafetyNoteInput(case_id, SafetyCategory.DOG, Severity.HIGH, "大型犬未拴"),
                           actor="agent01", now=NOW + timedelta(minutes=1), supersedes=uid)
    with demo_store.read() as s:
        old = s.scalars(select(m.SafetyNote).where(m.SafetyNote.uid == uid)).one()
        assert old.superseded_by == uid2
        assert s.get(m.Case, case_id).safety_level == 3  # type: ignore[union-attr]
    expire_safety_note(demo_store, uid2, actor="agent01", reason="dog gone", now=NOW + timedelta(minutes=2))
    with demo_store.read() as s:
        assert s.get(m.Case, case_id).safety_level == 0  # type: ignore[union-attr]
        kinds = s.scalars(select(m.Event.kind).order_by(m.Event.device_seq)).all()
    assert kinds == ["safety_note", "safety_note", "safety_note_expired"]
    with pytest.raises(OutcomeInvalid):
        add_safety_note(demo_store, SafetyNoteInput(case_id, SafetyCategory.DOG, Severity.LOW, "  "), actor="a")


def test_promise_evaluation_breaks_and_raises_priority(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.PROMISE_TO_PAY, Channel.PHONE, NOW,
                                            fields={"promise_amount_fen": "100", "promise_date": "2026-12-01"}),
                   CN, actor="agent01", now=NOW)
    with demo_store.read() as s:
        before = s.get(m.Case, case_id).priority  # type: ignore[union-attr]
    later = NOW + timedelta(days=10)
    result = evaluate_promises(demo_store, grace_days=2, now=later)
    assert result["broken"] >= 1
    with demo_store.read() as s:
        case = s.get(m.Case, case_id)
        assert case is not None and case.promise_due is None and case.status == "open"
        assert case.priority > before
        assert "broken" in case.priority_reasons


def test_check_finds_a_tampered_audit_log(demo_store: Store) -> None:
    case_id = plain_case(demo_store)
    for minute in range(3):
        record_outcome(demo_store, OutcomeInput(case_id, OutcomeCode.NO_ANSWER, Channel.PHONE,
                                                NOW + timedelta(minutes=minute)), CN, actor="agent01", now=NOW)
    assert check_store(demo_store).ok
    with demo_store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    report = check_store(demo_store)
    assert not report.ok and any("entry 2" in p for p in report.problems)


def test_check_finds_search_index_out_of_step(demo_store: Store) -> None:
    with demo_store.engine.begin() as conn:
        conn.execute(text("UPDATE debtors SET name = '改名' WHERE id = 3"))
    report = check_store(demo_store)
    assert any("search index" in p for p in report.problems)
