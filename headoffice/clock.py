"""The one clock every safety rule reads (sessions' due times, the sweep, the board, check-out).

Real UTC time, unless fault hooks are on (tests only) and a test set the clock: then the time kept in
the `meta` row `safety_clock` (`{"now": iso}`), so every process over one database shares it and a
restarted process keeps it. The sweep reads it on every pass. `POST /api/v1/_faults/clock` sets it
(`{"now": iso}` or `{"advance_seconds": N}`), `DELETE` goes back to real time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.domain.clock import utcnow

from .models import Meta

if TYPE_CHECKING:
    from .db import Database

CLOCK_KEY = "safety_clock"


class ClockError(ValueError):
    pass


class SafetyClock:
    def __init__(self, db: Database, settable: bool = False, real: Callable[[], datetime] = utcnow):
        self.db, self.settable, self.real = db, settable, real

    def now(self, session: Session | None = None) -> datetime:
        if not self.settable:
            return self.real()
        if session is not None:
            return _stored(session) or self.real()
        with self.db.read() as s:
            return _stored(s) or self.real()

    def set(self, now: datetime | None = None, advance_seconds: float | None = None) -> datetime:
        """Freeze the clock at `now`, or move it (frozen) by `advance_seconds` from where it is."""
        if not self.settable:
            raise ClockError("the clock is real time unless fault hooks are on")
        with self.db.write() as s:
            current = _stored(s) or self.real()
            if now is not None:
                if now.tzinfo is None:
                    raise ClockError("the time needs a zone, e.g. 2026-11-30T09:00:00+08:00")
                current = now.astimezone(UTC)
            if advance_seconds is not None:
                current = current + timedelta(seconds=advance_seconds)
            row = s.get(Meta, CLOCK_KEY)
            value = json.dumps({"now": current.isoformat()})
            if row is None:
                s.add(Meta(key=CLOCK_KEY, value=value))
            else:
                row.value = value
        return current

    def reset(self) -> None:
        with self.db.write() as s:
            row = s.get(Meta, CLOCK_KEY)
            if row is not None:
                s.delete(row)


def _stored(session: Session) -> datetime | None:
    row = session.get(Meta, CLOCK_KEY)
    if row is None:
        return None
    return datetime.fromisoformat(json.loads(row.value)["now"]).astimezone(UTC)
