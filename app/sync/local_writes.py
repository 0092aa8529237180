"""What the appliers of a pulled page share: statements on the session's own DB-API connection (in its
transaction), the cases with events still waiting to upload, and notices to the agent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.store import models as m
from app.store.types import to_db_time


def executemany(session: Session, sql: str, rows: Sequence[dict[str, Any]]) -> None:
    """Run one statement over many rows on the session's own DB-API connection (same transaction).

    SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself for the tens of
    thousands of rows an initial sync writes; the statements here use only plain values.
    """
    if rows:
        session.connection().connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]


def run(session: Session, sql: str, params: dict[str, Any] | None = None) -> Any:
    """One statement on the session's DB-API connection (same transaction); returns the sqlite3 cursor.

    A page runs a few dozen statements; through SQLAlchemy each costs more in statement handling than
    SQLite takes to run it over the page's rows.
    """
    return session.connection().connection.driver_connection.execute(sql, params or {})  # type: ignore[union-attr]


def json_id_list(ids: Iterable[int]) -> str:
    """Ids as a JSON array, for `IN (SELECT value FROM json_each(:ids))`."""
    return "[" + ",".join(map(str, map(int, ids))) + "]"


def db_time(value: datetime | None) -> str | None:
    """A time as the store keeps it, None as None."""
    return None if value is None else to_db_time(value)


def cases_with_queued_events(session: Session, case_ids: Iterable[int] | None = None) -> set[int]:
    """The cases (of `case_ids`, else all) with events still waiting in the outbox."""
    sql = "SELECT DISTINCT e.case_id FROM outbox o JOIN events e ON e.id = o.event_id"
    params: dict[str, Any] = {}
    if case_ids is not None:
        sql += " WHERE e.case_id IN (SELECT value FROM json_each(:ids))"
        params["ids"] = json_id_list(case_ids)
    return {int(r[0]) for r in run(session, sql, params)}


def add_notice(session: Session, now: datetime, kind: str, case_id: int | None, message: str) -> None:
    session.add(m.Notice(at=now, kind=kind, case_id=case_id, text=message, read=False))
