"""Amounts in Chinese financial capitals (大写金额), as written on receipts and cheques.

We use cn2an's "rmb" mode. It was checked against the People's Bank of China rules for writing
amounts (正确填写票据和结算凭证的基本规定): 0.01 → 壹分, 10.00 → 壹拾元整, 1,010.00 → 壹仟零壹拾元整,
100,000.05 → 壹拾万元零伍分, 1,000.01 → 壹仟元零壹分, 99,999,999.99 → 玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分
(tests/unit/test_reports_capitals.py holds the table). It is given an exact decimal string built
from integer fen, never a float.
"""

from __future__ import annotations

from app.domain.money import MAX_FEN, Money


class AmountError(ValueError):
    pass


def yuan_text(fen: int) -> str:
    """1234 fen → '12.34' (exact)."""
    yuan, rest = divmod(fen, 100)
    return f"{yuan}.{rest:02d}"


def in_capitals(amount: Money) -> str:
    """Money(123456) → '壹仟贰佰叁拾肆元伍角陆分'. Only CNY, only 0 ≤ amount ≤ the store's maximum."""
    if amount.currency != "CNY":
        raise AmountError(f"capital numerals are for RMB amounts, not {amount.currency}")
    if amount.fen < 0:
        raise AmountError("a receipt amount cannot be negative")
    if amount.fen > MAX_FEN:
        raise AmountError("amount is too large")
    import cn2an  # local: loads its config on import

    return str(cn2an.an2cn(yuan_text(amount.fen), "rmb"))
