"""When a failed notification is tried again: exponential back-off with a little jitter, then give up.

5 s, 10 s, 20 s, 40 s, 80 s, 160 s, then every 5 minutes, eight attempts in all (about 16 minutes):
an alarm that cannot be delivered is shown as failed on the supervisor's board long before a person
would have given up waiting. The jitter (up to a fifth of the wait) is derived from the message id
and the attempt, so two processes agree on a row's next attempt and a test can predict it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

FIRST_WAIT_S = 5.0
MAX_WAIT_S = 300.0
MAX_ATTEMPTS = 8


def wait_seconds(attempts: int, key: int = 0) -> float:
    """The wait after the `attempts`-th failed attempt (1-based)."""
    base = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** max(0, attempts - 1))
    digest = hashlib.sha256(f"{key}:{attempts}".encode()).digest()
    jitter = int.from_bytes(digest[:2], "big") / 65535 * 0.2
    return float(base * (1.0 + jitter))


def next_attempt(attempts: int, now: datetime, key: int = 0) -> datetime | None:
    """When to try a message again after its `attempts`-th failure, or None: give up (state failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=wait_seconds(attempts, key))
