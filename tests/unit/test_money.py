from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import MAX_FEN, Money, MoneyError, parse_yuan

fen = st.integers(min_value=-MAX_FEN, max_value=MAX_FEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 123400),
        ("1,234.5", 123450),
        ("１２３４.５６", 123456),  # full-width digits
        ("１２３４．５６", 123456),  # full-width point
        ("¥0.01", 1),
        ("￥99,999,999.99", 9_999_999_999),
        ("12元", 1200),
        (" 7 ", 700),
    ],
)
def test_parse_yuan_accepts_what_people_type(text: str, expected: int) -> None:
    assert parse_yuan(text) == expected


@pytest.mark.parametrize("text", ["", "-5", "+5", "1.234", "abc", "1e3", "12.3.4", "１２３.４５６", "0x10", "NaN"])
def test_parse_yuan_rejects_non_amounts(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_absurd_amount_is_refused() -> None:
    with pytest.raises(MoneyError):
        parse_yuan("1" + "0" * 20)


@given(fen, fen)
def test_addition_is_exact_and_commutative(a: int, b: int) -> None:
    assert (Money(a) + Money(b)).fen == a + b == (Money(b) + Money(a)).fen
    assert (Money(a) + Money(b) - Money(b)) == Money(a)


@given(st.integers(min_value=0, max_value=MAX_FEN), st.integers(min_value=1, max_value=50))
def test_split_adds_up_and_is_fair(total: int, parts: int) -> None:
    pieces = Money(total).split(parts)
    assert sum(p.fen for p in pieces) == total
    assert max(p.fen for p in pieces) - min(p.fen for p in pieces) <= 1


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_parse_round_trip(value: int) -> None:
    assert parse_yuan(Money(value).format()) == value


def test_currencies_do_not_mix() -> None:
    with pytest.raises(MoneyError):
        Money(1, "CNY") + Money(1, "USD")


def test_money_is_never_float() -> None:
    with pytest.raises(MoneyError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(True)  # type: ignore[arg-type]


def test_format() -> None:
    assert Money(123456789).format() == "¥1,234,567.89"
    assert Money(-5).format() == "-¥0.05"
    assert Money(100, "USD").format() == "USD 1.00"
