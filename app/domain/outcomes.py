"""Outcome codes of a contact attempt and what each one demands.

Each code says whether it counts as an attempt, whether it is a right-party contact (RPC), which
fields it requires, and what it does to the case. The record-outcome dialog and the service both
read this table, so adding a code here is the single place to start (see README, CONTRIBUTING).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutcomeCode(StrEnum):
    PROMISE_TO_PAY = "promise_to_pay"
    PAID_IN_FULL = "paid_in_full"
    PARTIAL_PAYMENT = "partial_payment"
    REFUSED = "refused"
    NOT_HOME = "not_home"
    MOVED = "moved"  # moved / wrong address
    THIRD_PARTY_MET = "third_party_met"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    DECEASED = "deceased"  # deceased or incapacitated
    ABORTED_SAFETY = "aborted_safety"
    NO_ANSWER = "no_answer"


class Field(StrEnum):
    """Fields an outcome may require. Names match the event payload keys."""

    PROMISE_AMOUNT = "promise_amount_fen"
    PROMISE_DATE = "promise_date"
    PAYMENT_AMOUNT = "payment_amount_fen"
    PAYMENT_METHOD = "payment_method"
    RECEIPT_NO = "receipt_no"
    NEW_ADDRESS = "new_address"
    HARDSHIP_REASON = "hardship_reason"
    RELIEF_KIND = "relief_kind"
    RELIEF_DETAIL = "relief_detail"
    SAFETY_NOTE = "safety_note"
    DISPUTE_REASON = "dispute_reason"
    THIRD_PARTY_RELATION = "third_party_relation"


@dataclass(frozen=True, slots=True)
class OutcomeSpec:
    code: OutcomeCode
    is_attempt: bool
    is_rpc: bool
    required: frozenset[Field]
    pauses_collection: bool = False
    closes_case: bool = False
    visit_only: bool = False


def _spec(code: OutcomeCode, attempt: bool, rpc: bool, *fields: Field, **flags: bool) -> OutcomeSpec:
    return OutcomeSpec(code, attempt, rpc, frozenset(fields), **flags)


OUTCOMES: dict[OutcomeCode, OutcomeSpec] = {
    s.code: s
    for s in (
        _spec(OutcomeCode.PROMISE_TO_PAY, True, True, Field.PROMISE_AMOUNT, Field.PROMISE_DATE),
        _spec(OutcomeCode.PAID_IN_FULL, True, True, Field.PAYMENT_AMOUNT, Field.PAYMENT_METHOD, Field.RECEIPT_NO,
              closes_case=True),
        _spec(OutcomeCode.PARTIAL_PAYMENT, True, True, Field.PAYMENT_AMOUNT, Field.PAYMENT_METHOD, Field.RECEIPT_NO),
        _spec(OutcomeCode.REFUSED, True, True),
        _spec(OutcomeCode.NOT_HOME, True, False, visit_only=True),
        _spec(OutcomeCode.MOVED, True, False, Field.NEW_ADDRESS),
        # The debt is never disclosed to a third party; the relation is recorded, nothing else.
        _spec(OutcomeCode.THIRD_PARTY_MET, True, False, Field.THIRD_PARTY_RELATION),
        _spec(OutcomeCode.DISPUTE, True, True, Field.DISPUTE_REASON, pauses_collection=True),
        _spec(OutcomeCode.HARDSHIP, True, True, Field.HARDSHIP_REASON, Field.RELIEF_KIND, Field.RELIEF_DETAIL,
              pauses_collection=True),
        _spec(OutcomeCode.DECEASED, True, False, pauses_collection=True),
        _spec(OutcomeCode.ABORTED_SAFETY, False, False, Field.SAFETY_NOTE, visit_only=True),
        _spec(OutcomeCode.NO_ANSWER, True, False),
    )
}

assert set(OUTCOMES) == set(OutcomeCode), "every outcome code needs a spec"


def spec(code: OutcomeCode | str) -> OutcomeSpec:
    return OUTCOMES[OutcomeCode(code)]
