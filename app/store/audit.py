"""Appending to and reading the hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.audit import GENESIS, AuditRow, canonical, entry_hash

from .models import AuditEntry
from .rows import insert_row
from .types import to_db_time


def append_audit(session: Session, *, actor: str, action: str, entity: str, entity_id: str | int,
                 data: Mapping[str, Any], at: datetime) -> AuditEntry:
    """Append one entry, chained to the last. Must run inside the writing transaction."""
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at_iso = to_db_time(at)
    data_json = canonical(data)
    entry = AuditEntry(seq=seq, at=at_iso, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                       data=data_json, prev_hash=prev,
                       hash=entry_hash(prev, seq, at_iso, actor, action, entity, str(entity_id), data_json))
    session.add(entry)
    session.flush([entry])
    return entry


def iter_audit_rows(session: Session, batch: int = 5000) -> Iterator[AuditRow]:
    """All entries in stored (rowid) order, so a reordering by an editor is visible."""
    result = session.execute(text(
        "SELECT seq, at, actor, action, entity, entity_id, data, prev_hash, hash FROM audit_log ORDER BY rowid"))
    for row in result.yield_per(batch):
        yield AuditRow(*row)


def append_audit_db(db: Any, *, actor: str, action: str, entity: str, entity_id: str | int,
                    data: Mapping[str, Any], at: datetime) -> int:
    """`append_audit` on the bare DB-API connection of `Store.write_db` (same chain, same hash).
    Returns the entry's seq. Must run inside the writing transaction."""
    last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at_iso = to_db_time(at)
    data_json = canonical(data)
    eid = str(entity_id)
    insert_row(db, "audit_log", {
        "seq": seq, "at": at_iso, "actor": actor, "action": action, "entity": entity, "entity_id": eid,
        "data": data_json, "prev_hash": prev,
        "hash": entry_hash(prev, seq, at_iso, actor, action, entity, eid, data_json)})
    return seq
