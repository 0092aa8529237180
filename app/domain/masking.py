"""Masking of personal identifiers for lists, reports and exports."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def mask_id_number(id_number: str) -> str:
    """110101199003071234 → 110***********1234 (first three, last four)."""
    s = id_number.strip()
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_phone(phone: str) -> str:
    """+8613812345678 / 13812345678 → 138****5678."""
    digits = _DIGITS.sub("", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """王小明 → 王**; 'Zhang Wei' → 'Z********'. Keeps the first character only."""
    s = name.strip()
    if len(s) <= 1:
        return s
    return s[0] + "*" * min(len(s) - 1, 8)


def id_tail(id_number: str, n: int = 4) -> str:
    return id_number.strip()[-n:]
