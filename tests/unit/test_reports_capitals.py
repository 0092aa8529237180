"""Chinese financial capitals on receipts, and the receipt's verification code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.money import MAX_FEN, Money
from app.reports.capitals import AmountError, in_capitals, yuan_text
from app.reports.data import Receipt
from app.reports.verify import check_code, verification_code

# Written out by hand from the People's Bank of China rules for amounts on bills.
TABLE = [
    (1, "壹分"),
    (5, "伍分"),
    (10, "壹角"),
    (99, "玖角玖分"),
    (100, "壹元整"),
    (1000, "壹拾元整"),
    (1005, "壹拾元零伍分"),
    (1050, "壹拾元伍角"),
    (10010, "壹佰元壹角"),
    (32504, "叁佰贰拾伍元零肆分"),
    (101000, "壹仟零壹拾元整"),
    (100001, "壹仟元零壹分"),
    (123456, "壹仟贰佰叁拾肆元伍角陆分"),
    (140950, "壹仟肆佰零玖元伍角"),
    (600714, "陆仟零柒元壹角肆分"),
    (168032, "壹仟陆佰捌拾元叁角贰分"),
    (3000000, "叁万元整"),
    (1001001, "壹万零壹拾元零壹分"),
    (10000005, "壹拾万元零伍分"),
    (10000100, "壹拾万零壹元整"),
    (10700053, "壹拾万柒仟元伍角叁分"),
    (100000001, "壹佰万元零壹分"),
    (101010101, "壹佰零壹万零壹佰零壹元零壹分"),
    (9999999999, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (10000000000, "壹亿元整"),
    (10000000100, "壹亿零壹元整"),
    (10001000000, "壹亿零壹万元整"),
    (10010010000, "壹亿零壹拾万零壹佰元整"),
    (MAX_FEN, "玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("fen", "words"), TABLE)
def test_capitals_match_the_table(fen: int, words: str) -> None:
    assert in_capitals(Money(fen)) == words


def test_yuan_text_is_exact() -> None:
    assert yuan_text(1) == "0.01"
    assert yuan_text(9999999999) == "99999999.99"
    assert yuan_text(MAX_FEN) == "99999999999.99"


@pytest.mark.parametrize("amount", [Money(-1), Money(MAX_FEN + 1), Money(100, "USD")])
def test_capitals_refuse_what_a_receipt_cannot_say(amount: Money) -> None:
    with pytest.raises(AmountError):
        in_capitals(amount)


def _receipt(**kw: object) -> Receipt:
    base: dict[str, object] = dict(payment_id=7, receipt_no="R0000007001", amount=Money(123456), method="bank_transfer",
                                   paid_at=datetime(2026, 11, 30, 4, 5, 6, tzinfo=UTC), collector="agent01",
                                   case_no="CD260000007", payer_name="王小明", event_id="e-1")
    base.update(kw)
    return Receipt(**base)  # type: ignore[arg-type]


def test_verification_code_is_stable_and_checks() -> None:
    code = verification_code(_receipt())
    assert code == verification_code(_receipt())
    assert len(code) == 19 and code.count("-") == 3
    assert check_code(_receipt(), code)
    assert check_code(_receipt(), code.replace("-", "").lower())


@pytest.mark.parametrize("change", [
    {"amount": Money(123457)}, {"receipt_no": "R0000007002"}, {"case_no": "CD260000008"},
    {"paid_at": datetime(2026, 11, 30, 4, 5, 7, tzinfo=UTC)}, {"collector": "agent02"}, {"method": "platform_app"},
])
def test_any_altered_fact_changes_the_code(change: dict[str, object]) -> None:
    assert verification_code(_receipt(**change)) != verification_code(_receipt())


def test_an_organisation_key_gives_other_codes() -> None:
    assert verification_code(_receipt(), b"org-secret") != verification_code(_receipt())
    assert not check_code(_receipt(), verification_code(_receipt()), b"org-secret")
