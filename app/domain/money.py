"""Money as integer fen (分) with a currency code. Never float."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
# The largest amount we accept anywhere: 99,999,999,999.99 yuan. Guards against absurd input.
MAX_FEN = 9_999_999_999_999


class MoneyError(ValueError):
    """An amount that cannot be a sum of money."""


@dataclass(frozen=True, order=True, slots=True)
class Money:
    fen: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise MoneyError(f"money must be an integer number of fen, got {self.fen!r}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise MoneyError(f"currency must be a three-letter ISO code, got {self.currency!r}")

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        return cls(0, currency)

    @classmethod
    def yuan(cls, text: str | int, currency: str = "CNY") -> Money:
        return cls(parse_yuan(str(text)), currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def __bool__(self) -> bool:
        return self.fen != 0

    @property
    def is_negative(self) -> bool:
        return self.fen < 0

    def split(self, parts: int) -> list[Money]:
        """Split into `parts` amounts that differ by at most one fen and add up exactly."""
        if parts <= 0:
            raise MoneyError("cannot split into zero or fewer parts")
        base, rest = divmod(self.fen, parts)
        return [Money(base + (1 if i < rest else 0), self.currency) for i in range(parts)]

    def as_decimal(self) -> Decimal:
        return Decimal(self.fen) / FEN_PER_YUAN

    def format(self, symbol: bool = True) -> str:
        """`¥1,234.56` – grouping as used in mainland China."""
        sign = "-" if self.fen < 0 else ""
        yuan, fen = divmod(abs(self.fen), FEN_PER_YUAN)
        prefix = ("¥" if self.currency == "CNY" else self.currency + " ") if symbol else ""
        return f"{sign}{prefix}{yuan:,}.{fen:02d}"

    def __str__(self) -> str:
        return self.format()


_AMOUNT = re.compile(r"^(?P<int>\d+)(?:\.(?P<frac>\d*))?$")


def normalise_digits(text: str) -> str:
    """Turn full-width digits and punctuation (１２３．４５) into ASCII, drop grouping and currency marks."""
    text = unicodedata.normalize("NFKC", text).strip()
    for mark in ("¥", "￥", "元", "RMB", "CNY", ",", " ", "\u00a0"):
        text = text.replace(mark, "")
    return text


def parse_yuan(text: str) -> int:
    """Parse an amount typed in yuan into fen. Accepts '1234', '1,234.5', '１２３４.５６', '¥12'.

    Rejects negatives, more than two decimals, and anything that is not a plain amount.
    """
    cleaned = normalise_digits(text)
    if not cleaned:
        raise MoneyError("amount is empty")
    if cleaned.startswith(("-", "+")):
        raise MoneyError("amount must not carry a sign")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise MoneyError(f"not an amount: {text!r}")
    frac = match.group("frac") or ""
    if len(frac) > 2:
        raise MoneyError("amounts have at most two decimals (fen)")
    try:
        value = Decimal(match.group("int") + "." + (frac or "0"))
    except InvalidOperation as exc:  # pragma: no cover - regex already guarantees digits
        raise MoneyError(f"not an amount: {text!r}") from exc
    fen = int(value * FEN_PER_YUAN)
    if fen > MAX_FEN:
        raise MoneyError("amount is too large")
    return fen
