"""Supervisors' decisions: `decision` events on a relief proposal, an override or a flagged event.

A decision travels as an ordinary event (payload `{subject, subject_id, approved, reason}`) on the
subject's case. Head office stores it like any event and:

* checks that a known subject is on that case (else the decision is stored and flagged); a subject
  not stored yet is fine: decisions and subjects may arrive in any order;
* `relief`: the proposal's status is derived from the latest accepted decision (projection.py);
* `flagged_event`: the subject event's status becomes `accepted` (approved) or `rejected`, from the
  latest accepted decision on it. A flagged fact counts in the case's derived state provisionally,
  like any field fact; a rejected one is excluded from it (projection.py), though its contact
  attempt stays in the history (the contact happened; the compliance caps count it);
* `override`: a review of an outcome recorded under a supervisor override; the act stands either
  way (the override was within the rules the profile lets a supervisor override), the verdict is
  recorded and reaches the agent;
* a `decision` change goes to the agent who recorded the subject and to the case's current agent.

"Latest" is by (occurred_at, event id), the order the projection uses, so the result does not
depend on the order decisions arrive in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Case, Event, ReliefProposal

SUBJECTS = ("relief", "override", "flagged_event")


@dataclass(frozen=True, slots=True)
class Verdict:
    approved: bool
    reason: str
    decided_by: int  # user id
    decided_at: datetime
    event_id: str


def subject_problem(session: Session, case: Case, payload: Mapping[str, Any]) -> str | None:
    """A flag reason when the decision's subject is not on this case (None: it is)."""
    subject, subject_id = payload.get("subject"), str(payload.get("subject_id"))
    if subject == "relief":
        found = session.scalar(select(ReliefProposal.case_id).where(ReliefProposal.event_id == subject_id))
    else:
        found = session.scalar(select(Event.case_id).where(Event.id == subject_id))
        if found is not None and subject == "flagged_event":
            flagged = session.scalar(select(Event.flag_reason).where(Event.id == subject_id))
            if flagged is None:
                return "decision on an event that was never flagged"
    if found is None:
        # Not here yet (events arrive in any order): it takes effect when the subject arrives.
        return None
    if found != case.id:
        return f"decision on a {subject} of another case"
    return None


def subject_author(session: Session, subject_id: str) -> int | None:
    """Who recorded the subject (a relief proposal's id is its hardship outcome's event id)."""
    return session.scalar(select(Event.author_id).where(Event.id == subject_id))


def latest_verdicts(rows: Iterable[tuple[str, str, datetime, int]]) -> dict[tuple[str, str], Verdict]:
    """(subject, subject_id) → the latest accepted decision, from rows of
    (event id, canonical payload, occurred_at, author id) of accepted decision events."""
    best: dict[tuple[str, str], tuple[tuple[datetime, str], Verdict]] = {}
    for event_id, payload, at, author in rows:
        try:
            p = json.loads(payload)
        except ValueError:
            continue
        if not isinstance(p, dict) or p.get("subject") not in SUBJECTS:
            continue
        key = (str(p["subject"]), str(p.get("subject_id")))
        order = (at, event_id)
        if key not in best or order > best[key][0]:
            best[key] = (order, Verdict(bool(p.get("approved")), str(p.get("reason") or ""), author, at, event_id))
    return {k: v for k, (_o, v) in best.items()}


def decision_rows(session: Session, case_ids: Iterable[int] | None = None,
                  team: str | None = None) -> list[tuple[str, str, datetime, int]]:
    """Accepted decision events: on the given cases, or on a team's cases, or all."""
    q = select(Event.id, Event.payload, Event.occurred_at, Event.author_id).where(
        Event.kind == "decision", Event.status == "accepted")
    if team is not None:
        q = q.join(Case, Case.id == Event.case_id).where(Case.team == team)
    if case_ids is not None:
        ids = sorted(set(case_ids))
        out: list[tuple[str, str, datetime, int]] = []
        for i in range(0, len(ids), 500):
            out += list(session.execute(q.where(Event.case_id.in_(ids[i:i + 500]))).tuples())
        return out
    return list(session.execute(q).tuples())


def settle_flagged(session: Session, case_ids: Iterable[int]) -> None:
    """Set each decided flagged event's status from the latest decision on it (cases given)."""
    verdicts = latest_verdicts(decision_rows(session, case_ids))
    for (subject, subject_id), v in verdicts.items():
        if subject != "flagged_event":
            continue
        session.execute(update(Event).where(Event.id == subject_id, Event.flag_reason.is_not(None))
                        .values(status="accepted" if v.approved else "rejected")
                        .execution_options(synchronize_session=False))
