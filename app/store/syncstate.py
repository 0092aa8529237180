"""Key/value sync state: device id, per-device event sequence, pull cursor, last sync, clock skew."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import SyncState

DEVICE_ID = "device_id"
NEXT_SEQ = "next_device_seq"
CURSOR = "pull_cursor"
LAST_SYNC = "last_sync_at"
CLOCK_SKEW = "clock_skew_seconds"
PROFILE = "compliance_profile"
USER = "user"


def get_state(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.execute(select(SyncState.value).where(SyncState.key == key)).scalar()
    return default if value is None else value


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value


def device_id(session: Session) -> str:
    """This installation's device id, made once on first use."""
    value = get_state(session, DEVICE_ID)
    if value is None:
        value = str(uuid.uuid4())
        set_state(session, DEVICE_ID, value)
    return value


def take_device_seq(session: Session) -> int:
    """The next per-device sequence number (1, 2, …), advanced in the caller's transaction."""
    current = int(get_state(session, NEXT_SEQ, "1") or "1")
    set_state(session, NEXT_SEQ, str(current + 1))
    return current


# --- the same on the bare DB-API connection of `Store.write_db` (hot write paths) ---------------

def take_device_seq_db(db: Any) -> tuple[str, int]:
    """(device id, next per-device sequence number), the sequence advanced in the caller's transaction;
    the device id is made on first use, as `device_id` does."""
    found = dict(db.execute("SELECT key, value FROM sync_state WHERE key IN (?, ?)", (DEVICE_ID, NEXT_SEQ)).fetchall())
    device = found.get(DEVICE_ID)
    if device is None:
        device = str(uuid.uuid4())
        db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (DEVICE_ID, device))
    current = int(found.get(NEXT_SEQ) or "1")
    db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               (NEXT_SEQ, str(current + 1)))
    return device, current
