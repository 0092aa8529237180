"""Time rules: store aware UTC, show in the user's zone (default Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


class NaiveTimeError(ValueError):
    """A datetime without a time zone reached code that needs to know which instant it is."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveTimeError(f"naive datetime {value!r}: store aware times only")
    return value.astimezone(UTC)


def local(value: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    return ensure_utc(value).astimezone(ZoneInfo(zone))


def at_local(day: date, clock: time, zone: str = DEFAULT_ZONE) -> datetime:
    """The aware UTC instant of a wall-clock time on a day in a zone."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_day(value: datetime, zone: str = DEFAULT_ZONE) -> date:
    return local(value, zone).date()
