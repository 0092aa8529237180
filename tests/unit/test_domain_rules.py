"""Promises, priority, outcome specs, masking, buckets, the audit chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.audit import GENESIS, AuditRow, entry_hash, verify_chain
from app.domain.enums import Bucket, Channel, PromiseState
from app.domain.masking import mask_id_number, mask_name, mask_phone
from app.domain.money import Money
from app.domain.outcomes import OUTCOMES, Field, OutcomeCode, spec
from app.domain.priority import PriorityInputs, score_priority
from app.domain.promises import PaymentView, PromiseView, evaluate_promise
from app.domain.validation import OutcomeFacts, OutcomeInvalid, clean_outcome_fields

MADE = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def promise(amount: int = 100_00, due: date = date(2026, 11, 10)) -> PromiseView:
    return PromiseView(Money(amount), due, MADE)


def paid(amount: int, when: datetime) -> PaymentView:
    return PaymentView(Money(amount), when)


@pytest.mark.parametrize(
    ("today", "payments", "grace", "state"),
    [
        (date(2026, 11, 9), [], 2, PromiseState.OPEN),
        (date(2026, 11, 12), [], 2, PromiseState.OPEN),  # last day of grace
        (date(2026, 11, 13), [], 2, PromiseState.BROKEN),
        (date(2026, 11, 11), [], 0, PromiseState.BROKEN),
        (date(2026, 11, 13), [(100_00, datetime(2026, 11, 12, 15, 59, tzinfo=UTC))], 2, PromiseState.KEPT),  # 23:59 BJ
        (date(2026, 11, 13), [(100_00, datetime(2026, 11, 12, 16, 0, tzinfo=UTC))], 2, PromiseState.BROKEN),  # 00:00 BJ
        (date(2026, 11, 13), [(60_00, MADE), (40_00, MADE + timedelta(days=3))], 2, PromiseState.KEPT),
        (date(2026, 11, 13), [(99_99, MADE)], 2, PromiseState.BROKEN),
        (date(2026, 11, 13), [(100_00, MADE - timedelta(days=1))], 2, PromiseState.BROKEN),  # paid before promising
    ],
)
def test_promise_kept_or_broken(today: date, payments: list[tuple[int, datetime]], grace: int,
                                state: PromiseState) -> None:
    assert evaluate_promise(promise(), [paid(a, w) for a, w in payments], today, grace) == state


@given(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=60))
def test_broken_exactly_after_grace(grace: int, days_after_due: int) -> None:
    p = promise()
    state = evaluate_promise(p, [], p.due + timedelta(days=days_after_due), grace)
    assert state == (PromiseState.BROKEN if days_after_due > grace else PromiseState.OPEN)


def test_negative_grace_is_an_error() -> None:
    with pytest.raises(ValueError):
        evaluate_promise(promise(), [], date(2026, 11, 1), -1)


def test_priority_explains_itself() -> None:
    score = score_priority(PriorityInputs(days_past_due=95, overdue_fen=5_000_000, broken_promises=2,
                                          evasion_signals=3, days_since_last_contact=30))
    codes = {r.code for r in score.reasons}
    assert {"dpd", "amount", "broken", "evasion", "stale"} <= codes
    assert score.score == pytest.approx(min(100, sum(r.points for r in score.reasons)), abs=0.2)
    assert all(r.text for r in score.reasons)


@given(st.integers(0, 2000), st.integers(0, 10**11), st.integers(0, 20), st.integers(0, 50))
def test_priority_is_bounded_and_monotone_in_broken_promises(dpd: int, fen: int, broken: int, evasion: int) -> None:
    a = score_priority(PriorityInputs(dpd, fen, broken, evasion, 3))
    b = score_priority(PriorityInputs(dpd, fen, broken + 1, evasion, 3))
    assert 0 <= a.score <= 100 and b.score >= a.score


def test_hardship_and_dispute_lower_priority() -> None:
    base = PriorityInputs(120, 2_000_000, 1, 2, 10)
    plain = score_priority(base).score
    assert score_priority(PriorityInputs(120, 2_000_000, 1, 2, 10, hardship_open=True)).score < plain
    assert score_priority(PriorityInputs(120, 2_000_000, 1, 2, 10, dispute_open=True)).score < plain


@pytest.mark.parametrize(("days", "bucket"), [(1, Bucket.M1), (30, Bucket.M1), (31, Bucket.M2), (60, Bucket.M2),
                                              (61, Bucket.M3), (90, Bucket.M3), (91, Bucket.M4_PLUS)])
def test_buckets(days: int, bucket: Bucket) -> None:
    assert Bucket.for_days(days) == bucket


def test_every_outcome_code_has_a_spec_with_sensible_flags() -> None:
    assert set(OUTCOMES) == set(OutcomeCode)
    assert spec("promise_to_pay").required == {Field.PROMISE_AMOUNT, Field.PROMISE_DATE}
    assert spec(OutcomeCode.ABORTED_SAFETY).is_attempt is False
    assert spec(OutcomeCode.THIRD_PARTY_MET).is_rpc is False
    assert spec(OutcomeCode.DISPUTE).pauses_collection and spec(OutcomeCode.HARDSHIP).pauses_collection
    assert {c for c, s in OUTCOMES.items() if s.is_rpc} >= {OutcomeCode.PROMISE_TO_PAY, OutcomeCode.REFUSED}


FACTS = OutcomeFacts(outstanding_fen=500_000, today=date(2026, 11, 29), max_promise_days=30)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"promise_amount_fen": "-5", "promise_date": "2026-12-01"}, "promise_amount_fen"),
        ({"promise_amount_fen": "0", "promise_date": "2026-12-01"}, "promise_amount_fen"),
        ({"promise_amount_fen": "5000.01", "promise_date": "2026-12-01"}, "promise_amount_fen"),  # > balance
        ({"promise_amount_fen": "12.345", "promise_date": "2026-12-01"}, "promise_amount_fen"),
        ({"promise_amount_fen": "100", "promise_date": "2026-11-28"}, "promise_date"),
        ({"promise_amount_fen": "100", "promise_date": "2026-12-30"}, "promise_date"),
        ({"promise_amount_fen": "100", "promise_date": ""}, "promise_date"),
        ({"promise_amount_fen": "", "promise_date": "2026-12-01"}, "promise_amount_fen"),
    ],
)
def test_promise_fields_are_checked(fields: dict[str, str], bad: str) -> None:
    with pytest.raises(OutcomeInvalid) as info:
        clean_outcome_fields(OutcomeCode.PROMISE_TO_PAY, Channel.VISIT, fields, "", FACTS)
    assert bad in info.value.errors


def test_full_width_amount_is_accepted() -> None:
    clean = clean_outcome_fields(OutcomeCode.PROMISE_TO_PAY, Channel.VISIT,
                                 {"promise_amount_fen": "１２３", "promise_date": "2026-12-29"}, "", FACTS)
    assert clean == {"promise_amount_fen": 12300, "promise_date": "2026-12-29"}


def test_visit_only_codes_need_a_visit() -> None:
    with pytest.raises(OutcomeInvalid) as info:
        clean_outcome_fields(OutcomeCode.NOT_HOME, Channel.PHONE, {}, "", FACTS)
    assert "channel" in info.value.errors


def test_payment_needs_designated_channel_and_receipt() -> None:
    with pytest.raises(OutcomeInvalid) as info:
        clean_outcome_fields(OutcomeCode.PARTIAL_PAYMENT, Channel.VISIT,
                             {"payment_amount_fen": "10", "payment_method": "cash_to_collector", "receipt_no": " "},
                             "", FACTS)
    assert set(info.value.errors) == {"payment_method", "receipt_no"}


def test_masking() -> None:
    assert mask_id_number("110101199003071234") == "110***********1234"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("王小明") == "王**"
    assert mask_phone("12") == "**"


def _chain(n: int) -> list[AuditRow]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        h = entry_hash(prev, seq, "2026-01-01T00:00:00.000000Z", "a", "act", "case", str(seq), "{}")
        rows.append(AuditRow(seq, "2026-01-01T00:00:00.000000Z", "a", "act", "case", str(seq), "{}", prev, h))
        prev = h
    return rows


def test_audit_chain_detects_edit_removal_and_reorder() -> None:
    rows = _chain(5)
    assert verify_chain(rows) == []
    edited = list(rows)
    edited[2] = replace(edited[2], data_json='{"x":1}')
    assert [p.seq for p in verify_chain(edited)] == [3]
    assert verify_chain(rows[:2] + rows[3:])
    assert verify_chain([rows[0], rows[2], rows[1], rows[3], rows[4]])
    assert verify_chain(rows[:4]) == []  # truncation at the end is only visible against a known head

