"""Key/value sync state: device id, per-device event sequence, pull cursor, last sync, clock skew,
standing partners."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import SyncState

DEVICE_ID = "device_id"
NEXT_SEQ = "next_device_seq"
CURSOR = "pull_cursor"
LAST_SYNC = "last_sync_at"
CLOCK_SKEW = "clock_skew_seconds"
PROFILE = "compliance_profile"
USER = "user"
# Standing partners (the second collector of visits that need two), as a JSON object keyed by agent
# id: {"<agent id>": {"id", "username", "display_name"}}. A sync writes its own user's entry.
PARTNERS = "standing_partners"


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


# The next sequence number of this device's events: one more than its last event (read along the events'
# (device_id, device_seq) index), or the floor in sync_state if it is higher. The floor is raised by the
# events_device_seq_floor trigger (migration 0005) whenever one of the device's events is deleted, so a
# number is never handed out twice; nothing else writes it, so a save does not rewrite sync_state.
_NEXT_SEQ = ("max(coalesce((SELECT max(device_seq) FROM events WHERE device_id = {device}), 0) + 1, "
             f"coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '{NEXT_SEQ}'), 1))")


def take_device_seq(session: Session) -> int:
    """The next per-device sequence number (1, 2, …) for an event the caller writes in its transaction."""
    device = device_id(session)
    session.flush()  # events added to the session but not yet written count too
    return int(session.execute(text("SELECT " + _NEXT_SEQ.format(device=":device")),
                               {"device": device}).scalar_one())


# --- the same on the bare DB-API connection of `Store.write_db` (hot write paths) ---------------

def take_device_seq_db(db: Any) -> tuple[str, int]:
    """(device id, next per-device sequence number) for an event the caller writes in its transaction;
    the device id is made on first use, as `device_id` does."""
    row = db.execute(f"SELECT d.value, {_NEXT_SEQ.format(device='d.value')} FROM sync_state d WHERE d.key = ?",
                     (DEVICE_ID,)).fetchone()
    if row is not None:
        return str(row[0]), int(row[1])
    device = str(uuid.uuid4())
    db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (DEVICE_ID, device))
    return device, int(db.execute("SELECT " + _NEXT_SEQ.format(device="?"), (device,)).fetchone()[0])

# Safety at the door (app.services.visits): what head office last said (`GET /safety/me`) and what the
# laptop remembers between runs.
SAFETY_POLICY = "safety_policy"  # the team's policy as JSON (SafetyPolicy.as_json)
SAFETY_CONTACTS = "safety_contacts"  # JSON list of {"name", "role", "phone"}: who the agent can call
SAFETY_PINS_AT_HO = "safety_pins_set"  # "1" when head office says the agent's PINs are set
SAFETY_NOTICES_AFTER = "safety_notices_after"  # the last notice id fetched
SAFETY_DAY_CLOSED = "safety_day_closed"  # the local day (ISO) the agent last said "back safe"
