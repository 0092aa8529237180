"""Writing field events with their outbox row (one transaction, the caller's)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import uuid6
from sqlalchemy.orm import Session

from .models import Event, Outbox
from .rows import insert_row
from .syncstate import device_id, take_device_seq, take_device_seq_db
from .types import to_db_time

EVENT_SCHEMA_VERSION = 1


def new_event_id() -> str:
    """A time-ordered UUID (version 7, RFC 9562) for a new event. Any UUID is a valid idempotency key; a
    time-ordered one lands each new event at the end of the indexes keyed by it (events, outbox, contact
    attempts), where a random one touched a page chosen at random in each: read from the file (and on an
    encrypted store decrypted) at every save, and one more page for every checkpoint to copy."""
    return str(uuid6.uuid7())


def append_event(session: Session, *, case_id: int, case_version: int, kind: str, payload: Mapping[str, Any],
                 occurred_at: datetime, recorded_at: datetime, actor: str, replaces: str | None = None,
                 event_id: str | None = None) -> Event:
    event = Event(
        id=event_id or new_event_id(),
        device_id=device_id(session),
        device_seq=take_device_seq(session),
        case_id=case_id,
        case_version=case_version,
        kind=kind,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        schema_version=EVENT_SCHEMA_VERSION,
        actor=actor,
        replaces=replaces,
        sync_state="pending",
    )
    session.add(event)
    session.add(Outbox(id=event.device_seq, event_id=event.id, device_seq=event.device_seq, created_at=recorded_at))
    return event


def append_event_db(db: Any, *, case_id: int, case_version: int, kind: str, payload: Mapping[str, Any],
                    occurred_at: datetime, recorded_at: datetime, actor: str, replaces: str | None = None,
                    event_id: str | None = None) -> tuple[str, int]:
    """`append_event` on the bare DB-API connection of `Store.write_db`: the event row and its outbox row
    in the caller's transaction. Returns (event id, device sequence)."""
    device, seq = take_device_seq_db(db)
    eid = event_id or new_event_id()
    recorded = to_db_time(recorded_at)
    insert_row(db, "events", {
        "id": eid, "device_id": device, "device_seq": seq, "case_id": case_id, "case_version": case_version,
        "kind": kind, "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        "occurred_at": to_db_time(occurred_at), "recorded_at": recorded, "schema_version": EVENT_SCHEMA_VERSION,
        "actor": actor, "replaces": replaces, "sync_state": "pending", "server_seq": None, "flag_reason": None,
    })
    insert_row(db, "outbox", {"id": seq, "event_id": eid, "device_seq": seq, "attempts": 0, "last_error": None,
                              "created_at": recorded})
    return eid, seq
