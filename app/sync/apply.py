"""Applying a pulled page of changes to the local store (inside the caller's one transaction).

* `case_upsert` writes the case and all that hangs off it (`apply_cases`). Records made on this
  laptop are never overwritten.
* `case_removed` (reassigned away, closed) removes the case only once its queued events are
  acknowledged; until then it is remembered as a deferred removal (`apply_removals`). Either way the
  agent gets a notice.
* `decision`, `event_status` update the local projections and tell the user (`apply_decisions`);
  `profile` keeps the compliance profile in force.

Rows are written with executemany per page, not per case: an initial sync of thousands of cases is
a few dozen statements per page (`local_writes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.contract import v1
from app.store.syncstate import PROFILE, set_state

from .apply_cases import Refresh, upsert_agent, upsert_cases
from .apply_decisions import NOTICE_DECISION, NOTICE_FLAGGED, apply_decision, apply_event_status
from .apply_removals import (
    NOTICE_DEFERRED,
    NOTICE_REMOVED,
    PENDING_REMOVALS,
    finish_deferred_removals,
    pending_removals,
    remove_case,
    remove_cases,
    request_removal,
    request_removals,
)
from .local_writes import cases_with_queued_events, executemany, run

__all__ = [
    "NOTICE_DECISION", "NOTICE_DEFERRED", "NOTICE_FLAGGED", "NOTICE_REMOVED", "PENDING_REMOVALS", "PageResult",
    "Refresh", "apply_decision", "apply_event_status", "apply_page", "cases_with_queued_events", "executemany",
    "finish_deferred_removals", "pending_removals", "remove_case", "remove_cases", "request_removal",
    "request_removals", "run", "upsert_agent",
]


@dataclass
class PageResult:
    upserted: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    decisions: int = 0
    statuses: int = 0
    profile: bool = False


def apply_page(session: Session, page: v1.ChangesResponse, now: datetime, refresh: Refresh | None = None,
               current_user_id: int | None = None) -> PageResult:
    """Apply one page in the caller's transaction (the caller also advances the cursor in it)."""
    result = PageResult()
    # Runs of upserts and runs of removals are each written as one set; a run ends where the other
    # kind (or a decision, a status) comes, so the page's order still decides.
    upserts: dict[int, v1.CaseData] = {}
    removals: list[tuple[int, str]] = []

    def flush_upserts() -> None:
        if upserts:
            upsert_cases(session, list(upserts.values()), now, refresh)
            result.upserted.extend(upserts)
            upserts.clear()

    def flush_removals() -> None:
        if removals:
            removed, deferred = request_removals(session, removals, now, current_user_id=current_user_id)
            result.removed.extend(removed)
            result.deferred.extend(deferred)
            removals.clear()

    for change in page.changes:
        if change.kind == "case_upsert" and change.case is not None:
            flush_removals()
            upserts.pop(change.case.id, None)  # a later version of the same case in the page wins
            upserts[change.case.id] = change.case
        elif change.kind == "case_removed" and change.case_id is not None:
            flush_upserts()
            removals.append((change.case_id, change.reason or ""))
        elif change.kind == "decision" and change.decision is not None:
            flush_removals()
            apply_decision(session, change.decision, change.case_id, now)
            result.decisions += 1
        elif change.kind == "event_status" and change.event_id:
            flush_removals()
            apply_event_status(session, change.event_id, change.event_status or "", change.reason, now)
            result.statuses += 1
        elif change.kind == "profile" and page.profile is None and change.reason:
            pass  # a profile change without the profile body: the page's `profile` carries it
    flush_removals()
    flush_upserts()
    if page.profile is not None:
        set_state(session, PROFILE, json.dumps(page.profile, ensure_ascii=False, sort_keys=True))
        result.profile = True
    return result
