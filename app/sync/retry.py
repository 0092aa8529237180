"""Retries with capped exponential back-off and full jitter, honouring `Retry-After`.

delay(n) = max(Retry-After, uniform(0, min(cap, base · 2ⁿ))). Waiting goes through a
`threading.Event`, so a cancel request wakes the waiter at once. The budget is wall time
(monotonic), not a count, so a long outage is ridden out and a short one costs little.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from .errors import Cancelled

RETRYABLE_STATUS = frozenset({408, 425, 429, 502, 503, 504})


@dataclass
class RetryPolicy:
    base: float = 0.5  # seconds
    cap: float = 30.0  # longest single wait
    budget: float = 120.0  # give up after this much time in one request
    rng: random.Random = field(default_factory=random.Random)
    monotonic: Callable[[], float] = time.monotonic

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        jitter = self.rng.uniform(0.0, min(self.cap, self.base * (2 ** min(attempt, 30))))
        if retry_after is not None:
            return max(jitter, min(retry_after, self.cap * 4))
        return jitter


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def wait(seconds: float, cancel: threading.Event | None) -> None:
    """Wait, waking early (and raising Cancelled) if `cancel` is set."""
    if cancel is None:
        cancel = threading.Event()
    if cancel.wait(max(0.0, seconds)):
        raise Cancelled("sync stopped")
