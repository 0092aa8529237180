"""Users' mobile numbers (safety alarms go to them by SMS): checked and kept in E.164 form."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "CN"


class PhoneError(ValueError):
    pass


def e164(text: str, region: str = DEFAULT_REGION) -> str:
    """`text` as an E.164 number (`+8613812345678`); a number without a country code is read as `region`'s.
    Raises PhoneError naming what is wrong."""
    raw = (text or "").strip()
    if not raw or len(raw) > 32:
        raise PhoneError("a phone number is 1 to 32 characters")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
