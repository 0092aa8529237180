"""A letter's verification code: `XXXX-XXXX-XXXX-XXXC`, random, unguessable, easy to type.

Fifteen characters drawn with `secrets` from Crockford's base-32 alphabet (digits and capitals
without I, L, O, U: nothing to mistake for something else) carry 75 bits of chance, and the last one is
a check character (Luhn mod 32), so one mistyped character or two swapped neighbours are answered "not
a code" before the database is asked. Uniqueness is the `letters.code` unique index; a collision
(odds 1 in 2^75 per pair) only means drawing again.

Reading back is forgiving: case, spaces, hyphens, dashes, dots, underscores and full-width forms do
not matter, and O, I and L are read as 0, 1 and 1, as Crockford intends.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 15
LENGTH = RANDOM_CHARS + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00b7\u30fb\u3000")
MAX_INPUT = 64  # longer input is not a code, however many separators it has


class CodeError(ValueError):
    """Text that cannot be a verification code (said in words)."""


def check_char(body: str) -> str:
    """The Luhn mod 32 check character of `body` (characters of ALPHABET)."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return formatted(body + check_char(body))


def formatted(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def normalise(text: str) -> str:
    """The code as stored (`XXXX-XXXX-XXXX-XXXX`) from what someone typed; CodeError if it is not one."""
    if len(text) > MAX_INPUT:
        raise CodeError(f"a verification code has {LENGTH} characters; this text has {len(text):,}")
    folded = unicodedata.normalize("NFKC", text).upper().translate(_READ_AS)
    raw = "".join(ch for ch in folded if ch not in _SEPARATORS)
    if len(raw) != LENGTH:
        raise CodeError(f"a verification code has {LENGTH} letters and digits (4 groups of 4); "
                        f"this one has {len(raw)}")
    bad = next((ch for ch in raw if ch not in _VALUE), None)
    if bad is not None:
        raise CodeError(f"a verification code holds only the digits and the letters {ALPHABET[10:]}; "
                        f"not {bad!a}")
    if check_char(raw[:-1]) != raw[-1]:
        raise CodeError("this is not a valid verification code: a character is mistyped (the check "
                        "character does not match)")
    return formatted(raw)
