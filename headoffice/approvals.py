"""GET /approvals: what waits for a supervisor's decision, and what was decided.

Three subjects, each listed once:

* `relief`: a hardship relief proposal (subject_id = the hardship outcome's event id, which is the
  proposal's id in the app too);
* `flagged_event`: any event head office flagged (case moved, compliance, a decision by an agent…);
  an override that was also flagged is listed here, once;
* `override`: an outcome recorded under a supervisor override of compliance rules that was not
  flagged (the act was allowed because of the override: the supervisor confirms it afterwards).

Status comes from the latest accepted `decision` event on the subject (decisions.py): `pending`
without one, else `approved` / `rejected` with who decided and why. A supervisor sees their
team's cases only; an admin every case. The list is built per request for the caller's scope
(a team's open items are at most a few thousand rows), newest first.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.contract.v1 import ApprovalItem, ApprovalListResponse

from .decisions import Verdict, decision_rows, latest_verdicts
from .models import Case, Event, ReliefProposal, User

# The canonical payload JSON (sorted keys, no spaces) of an outcome that overrode at least one rule.
_OVERRIDE_MARK = '"overridden":["'
SUMMARY_CHARS = 200


def _scoped(q: Select[Any], user: User) -> Select[Any]:
    return q if user.role == "admin" else q.where(Case.team == user.team)


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _cut(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"


def list_approvals(session: Session, user: User, status: Literal["pending", "decided", "all"], offset: int,
                   limit: int) -> ApprovalListResponse:
    items = collect(session, user)
    if status == "pending":
        items = [i for i in items if i.status == "pending"]
    elif status == "decided":
        items = [i for i in items if i.status != "pending"]
    items.sort(key=lambda i: (i.created_at, i.subject_id), reverse=True)
    page = items[offset:offset + limit]
    nxt = offset + len(page)
    return ApprovalListResponse(items=page, total=len(items), next_offset=nxt if nxt < len(items) else None)


def collect(session: Session, user: User) -> list[ApprovalItem]:
    """Every approval subject in the user's scope, with its status."""
    verdicts = latest_verdicts(decision_rows(session, team=None if user.role == "admin" else user.team))
    names = dict(session.execute(select(User.id, User.username)).tuples().all())
    out: list[ApprovalItem] = []

    def item(subject: Literal["relief", "override", "flagged_event"], subject_id: str, case_id: int, case_no: str,
             author: int | None, at: datetime, summary: str, details: dict[str, Any]) -> ApprovalItem:
        v: Verdict | None = verdicts.get((subject, subject_id))
        return ApprovalItem(
            subject=subject, subject_id=subject_id, case_id=case_id, case_no=case_no, agent_id=author,
            agent_username=names.get(author) if author is not None else None, created_at=at,
            summary=_cut(summary), details=details,
            status="pending" if v is None else ("approved" if v.approved else "rejected"),
            decided_by=None if v is None else names.get(v.decided_by),
            decision_reason=None if v is None else v.reason)

    reliefs = _scoped(select(ReliefProposal.event_id, ReliefProposal.case_id, ReliefProposal.reason,
                             ReliefProposal.kind, ReliefProposal.detail, ReliefProposal.proposed_at, Case.case_no,
                             Event.author_id)
                      .join(Case, Case.id == ReliefProposal.case_id)
                      .join(Event, Event.id == ReliefProposal.event_id), user)
    for r in session.execute(reliefs):
        out.append(item("relief", r.event_id, r.case_id, r.case_no, r.author_id, r.proposed_at,
                        f"Hardship relief: {r.kind} ({r.reason}): {r.detail}",
                        {"reason": r.reason, "relief_kind": r.kind, "detail": r.detail}))

    events = _scoped(select(Event.id, Event.case_id, Event.kind, Event.payload, Event.occurred_at, Event.author_id,
                            Event.status, Event.flag_reason, Case.case_no)
                     .join(Case, Case.id == Event.case_id)
                     .where(or_(Event.flag_reason.is_not(None),
                                (Event.kind == "outcome") & Event.payload.contains(_OVERRIDE_MARK))), user)
    for e in session.execute(events):
        p = _payload(e.payload)
        comp = p.get("compliance") if isinstance(p.get("compliance"), dict) else {}
        details: dict[str, Any] = {"kind": e.kind}
        if e.kind == "outcome":
            details |= {"code": p.get("code"), "channel": p.get("channel")}
            if isinstance(p.get("recording_sha256"), str):  # the visit's recording, fetched by hash
                details["recording_sha256"] = p["recording_sha256"]
        if comp and comp.get("overridden"):
            details |= {"overridden": comp.get("overridden"), "override_by": comp.get("override_by"),
                        "override_reason": comp.get("override_reason")}
        if e.flag_reason is not None:
            details["flag_reason"] = e.flag_reason
            what = f"{e.kind} {p.get('code')}" if e.kind == "outcome" else e.kind
            out.append(item("flagged_event", e.id, e.case_id, e.case_no, e.author_id, e.occurred_at,
                            f"Flagged {what}: {e.flag_reason}", details))
        else:
            rules = ", ".join(str(r) for r in comp.get("overridden") or [])
            out.append(item("override", e.id, e.case_id, e.case_no, e.author_id, e.occurred_at,
                            f"Override of {rules} by {comp.get('override_by') or '?'}: "
                            f"{comp.get('override_reason') or ''}", details))
    return out
