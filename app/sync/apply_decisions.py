"""A supervisor's decision and head office's verdict on an uploaded record: the local projections
are updated and the agent is told with a notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.contract import v1
from app.store.notices import decision_text
from app.store.types import to_db_time

from .local_writes import add_notice

NOTICE_DECISION = "decision"
NOTICE_FLAGGED = "event_flagged"


def apply_decision(session: Session, d: v1.DecisionData, case_id: int | None, now: datetime) -> None:
    """A supervisor's verdict: update what it is about (if on this laptop) and tell the agent with a notice
    on the case, which the case's timeline shows."""
    verdict = "approved" if d.approved else "rejected"
    by, reason = d.decided_by[:64], d.reason
    if d.subject == "relief":
        session.execute(text(
            "UPDATE relief_proposals SET status = :s, decided_by = :by, decision_reason = :r, decided_at = :at "
            "WHERE event_id = :id OR CAST(id AS TEXT) = :id"),
            {"s": verdict, "by": by, "r": reason, "at": to_db_time(d.decided_at), "id": d.subject_id})
    elif d.subject == "flagged_event":
        # Approved: the record is accepted after all. Rejected: it stays flagged, with the verdict.
        session.execute(text(
            "UPDATE events SET flag_reason = :r, sync_state = CASE WHEN :ok AND sync_state = 'flagged' "
            "THEN 'acked' ELSE sync_state END WHERE id = :id"),
            {"r": f"{'approved' if d.approved else 'rejected'} by {by}: {reason}", "ok": d.approved,
             "id": d.subject_id})
    if case_id is None:
        case_id = session.execute(text("SELECT case_id FROM events WHERE id = :id"), {"id": d.subject_id}).scalar()
    add_notice(session, now, NOTICE_DECISION, case_id, decision_text(d.subject, d.approved, by, reason))


def apply_event_status(session: Session, event_id: str, status: str, reason: str | None, now: datetime) -> None:
    row = session.execute(text("SELECT case_id, sync_state, flag_reason FROM events WHERE id = :id"),
                          {"id": event_id}).first()
    if row is None:
        return  # another device's event
    state = {"flagged": "flagged", "accepted": "acked", "duplicate": "acked", "rejected": "dead"}.get(status)
    if state is None or row[1] == "pending":
        return  # the push result decides a queued event's state
    if row[1] == state and (state != "flagged" or row[2] == reason):
        return  # already known from the push reply
    session.execute(text("UPDATE events SET sync_state = :s, flag_reason = :r WHERE id = :id"),
                    {"s": state, "r": reason if state == "flagged" else None, "id": event_id})
    if state == "flagged":
        add_notice(session, now, NOTICE_FLAGGED, int(row[0]),
                f"Head office flagged a record for a supervisor: {reason or 'no reason given'}")
