"""Back-off arithmetic of the sync client: full jitter, caps, Retry-After in both forms."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sync.errors import Cancelled
from app.sync.retry import RetryPolicy, parse_retry_after, wait


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=2**32))
def test_full_jitter_stays_within_the_capped_exponential(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base=0.5, cap=30.0, rng=random.Random(seed))
    delay = policy.backoff(attempt)
    assert 0.0 <= delay <= min(30.0, 0.5 * 2 ** min(attempt, 30))


def test_jitter_spreads_delays_instead_of_synchronising_clients() -> None:
    policy = RetryPolicy(base=1.0, cap=30.0, rng=random.Random(1))
    delays = [policy.backoff(4) for _ in range(200)]
    assert min(delays) < 2.0 < 14.0 < max(delays)  # uniform over [0, 16)
    assert len({round(d, 3) for d in delays}) > 150


def test_retry_after_is_a_floor_not_a_replacement() -> None:
    policy = RetryPolicy(base=0.1, cap=30.0, rng=random.Random(3))
    assert all(policy.backoff(0, retry_after=5.0) >= 5.0 for _ in range(50))
    # An absurd Retry-After is bounded, so a misconfigured proxy cannot park the laptop for a day.
    assert policy.backoff(0, retry_after=86_400.0) <= 120.0


def test_parse_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == pytest.approx(90)
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    for bad in (None, "", "soon", "-3", "<script>"):
        assert parse_retry_after(bad) is None


def test_wait_wakes_at_once_when_cancelled() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        wait(3600.0, cancel)
