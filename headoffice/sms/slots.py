"""When a reminder may go out: the compliance profile's contact window in the debtor's own zone, and
the per-debtor caps per local day and per local ISO week (Monday to Sunday). Pure.

`first_slot(after, zone, window, caps, counts)` is the first moment at or after `after` that is inside
the window (for the act `sms`) on a local day and in a local week that still have room. Outside the
window it is the window's next opening minute (CN: 08:00 the same morning or the next); over a day's
cap, the next day's opening; over a week's cap, the next Monday's opening. A message is moved, never
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.compliance import ContactWindow, Profile
from app.domain.enums import ActKind

MAX_DAYS_AHEAD = 400  # a cap of 0 would never find room: give up (the caller skips the message)


@lru_cache(maxsize=512)
def zone_of(name: str | None, default: str) -> ZoneInfo:
    """The debtor's zone, or the profile's when it has none or an unknown one."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(default)


@dataclass(frozen=True)
class Caps:
    per_day: int | None = None
    per_week: int | None = None

    @classmethod
    def of(cls, profile: Profile) -> Caps:
        return cls(profile.sms_max_per_debtor_per_day, profile.sms_max_per_debtor_per_week)


@dataclass
class Counts:
    """One debtor's messages by local day and local ISO week (year, week)."""

    days: dict[date, int] = field(default_factory=dict)
    weeks: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, day: date) -> None:
        self.days[day] = self.days.get(day, 0) + 1
        week = _week(day)
        self.weeks[week] = self.weeks.get(week, 0) + 1

    def remove(self, day: date) -> None:
        self.days[day] = max(0, self.days.get(day, 0) - 1)
        week = _week(day)
        self.weeks[week] = max(0, self.weeks.get(week, 0) - 1)


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def window_for(profile: Profile) -> ContactWindow | None:
    """The window that binds SMS, or None when the profile sets none for SMS."""
    return profile.window if ActKind.SMS in profile.window.acts else None


def allowed(at: datetime, tz: ZoneInfo, window: ContactWindow | None) -> bool:
    return window is None or window.allows(at.astimezone(tz).time().replace(tzinfo=None))


def _opening(day: date, tz: ZoneInfo, start: time) -> datetime:
    local = datetime.combine(day, start, tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz)  # a start inside a DST gap moves to its real instant


def next_open(after: datetime, tz: ZoneInfo, window: ContactWindow | None) -> datetime:
    """`after` when the window is open then, else the window's next opening minute (UTC)."""
    if allowed(after, tz, window):
        return after.astimezone(UTC)
    assert window is not None
    local = after.astimezone(tz)
    today = _opening(local.date(), tz, window.start)
    if today > local:
        return today.astimezone(UTC)
    return _opening(local.date() + timedelta(days=1), tz, window.start).astimezone(UTC)


def first_slot(after: datetime, tz: ZoneInfo, window: ContactWindow | None, caps: Caps,
               counts: Counts | None = None) -> datetime | None:
    """The first allowed moment at or after `after` with room under the caps (UTC), or None."""
    c = counts or Counts()
    at = next_open(after, tz, window)
    start = window.start if window is not None else time(0, 0)
    for _ in range(MAX_DAYS_AHEAD):
        day = at.astimezone(tz).date()
        if caps.per_week is not None and c.weeks.get(_week(day), 0) >= caps.per_week:
            monday = day + timedelta(days=7 - day.weekday())
            at = next_open(_opening(monday, tz, start), tz, window)
            continue
        if caps.per_day is not None and c.days.get(day, 0) >= caps.per_day:
            at = next_open(_opening(day + timedelta(days=1), tz, start), tz, window)
            continue
        return at
    return None


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()
