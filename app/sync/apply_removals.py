"""A case that leaves this laptop (reassigned away, closed): removed only once its queued events are
acknowledged; until then it is remembered as a deferred removal. Either way the agent gets a notice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.store.search import reindex_cases
from app.store.syncstate import get_state, set_state

from .local_writes import add_notice, cases_with_queued_events, json_id_list, run

PENDING_REMOVALS = "pending_removals"  # sync_state key: {"case id": "reason"}

NOTICE_REMOVED = "case_removed"
NOTICE_DEFERRED = "case_removal_deferred"


def pending_removals(session: Session) -> dict[int, str]:
    raw = get_state(session, PENDING_REMOVALS)
    if not raw:
        return {}
    return {int(k): str(v) for k, v in json.loads(raw).items()}


def save_pending_removals(session: Session, pending: dict[int, str]) -> None:
    set_state(session, PENDING_REMOVALS, json.dumps({str(k): v for k, v in sorted(pending.items())},
                                                    ensure_ascii=False))


def request_removal(session: Session, case_id: int, reason: str, now: datetime,
                    current_user_id: int | None = None) -> bool:
    """Remove the case now if nothing of it waits to upload (True); else defer it (False)."""
    removed, _ = request_removals(session, [(case_id, reason)], now, current_user_id=current_user_id)
    return bool(removed)


def request_removals(session: Session, items: Sequence[tuple[int, str]], now: datetime,
                     current_user_id: int | None = None) -> tuple[list[int], list[int]]:
    """`request_removal` for many (case id, reason) in order, with a few statements for the whole set.
    Returns (removed or not on this laptop, deferred), one entry per item."""
    removed: list[int] = []
    deferred: list[int] = []
    if not items:
        return removed, deferred
    ids_json = json_id_list(cid for cid, _ in items)
    here = {int(r[0]): str(r[1]) for r in run(
        session, "SELECT id, case_no FROM cases WHERE id IN (SELECT value FROM json_each(:c))", {"c": ids_json})}
    queued = cases_with_queued_events(session, here) if here else set()
    pending = pending_removals(session)
    changed = False
    gone: list[int] = []
    notices: list[tuple[str, int, str]] = []
    for case_id, reason in items:
        case_no = here.get(case_id)
        if case_no is None:  # not on this laptop (or removed earlier in this set): nothing to do
            if pending.pop(case_id, None) is not None:
                changed = True
            removed.append(case_id)
        elif case_id in queued:
            if case_id not in pending:
                pending[case_id] = reason
                changed = True
                notices.append((NOTICE_DEFERRED, case_id,
                                f"Case {case_no} is no longer yours ({_reason_text(reason)}). It stays on this "
                                "laptop until what you recorded on it has been delivered to head office."))
            deferred.append(case_id)
        else:
            gone.append(case_id)
            del here[case_id]
            if pending.pop(case_id, None) is not None:
                changed = True
            notices.append((NOTICE_REMOVED, case_id,
                            f"Case {case_no} was removed from this laptop ({_reason_text(reason)}). "
                            "Everything you recorded on it was delivered to head office."))
            removed.append(case_id)
    remove_cases(session, gone)
    if changed:
        save_pending_removals(session, pending)
    for kind, case_id, message in notices:
        add_notice(session, now, kind, case_id, message)
    return removed, deferred


def finish_deferred_removals(session: Session, now: datetime) -> list[int]:
    """Remove deferred cases whose events are now all acknowledged. Returns the removed ids."""
    pending = pending_removals(session)
    if not pending:
        return []
    still_queued = cases_with_queued_events(session, pending)
    ready = [(case_id, reason) for case_id, reason in sorted(pending.items()) if case_id not in still_queued]
    return request_removals(session, ready, now)[0]


def remove_case(session: Session, case_id: int) -> None:
    """Delete a case and what hangs off it (its acknowledged events stay as the upload record)."""
    remove_cases(session, [case_id])


def remove_cases(session: Session, case_ids: Sequence[int]) -> None:
    """`remove_case` for a set of cases: one statement per table; a debtor left with no case goes too."""
    if not case_ids:
        return
    session.flush()  # ORM changes made before this come first, as with the session's own statements
    c = {"c": json_id_list(case_ids)}
    debtors = json_id_list(int(r[0]) for r in run(
        session, "SELECT DISTINCT debtor_id FROM cases WHERE id IN (SELECT value FROM json_each(:c))", c))
    for table in ("contact_attempts", "payments", "promises", "relief_proposals", "accounts", "safety_notes",
                  "ladder_trail", "case_ladder"):
        run(session, f"DELETE FROM {table} WHERE case_id IN (SELECT value FROM json_each(:c))", c)
    run(session, "DELETE FROM cases WHERE id IN (SELECT value FROM json_each(:c))", c)
    orphans = {"d": json_id_list(int(r[0]) for r in run(
        session, "SELECT value FROM json_each(:d) WHERE value NOT IN (SELECT debtor_id FROM cases WHERE debtor_id IS NOT NULL)", {"d": debtors}))}
    run(session, "DELETE FROM safety_notes WHERE debtor_id IN (SELECT value FROM json_each(:d))", orphans)
    run(session, "DELETE FROM debtors WHERE id IN (SELECT value FROM json_each(:d))", orphans)
    reindex_cases(session.connection(), case_ids)



def _reason_text(reason: str) -> str:
    return {"reassigned": "reassigned to another agent", "closed": "closed at head office",
            "unassigned": "returned to head office", "not_visible": "no longer assigned to you"}.get(
        reason, reason or "no longer assigned to you")
