"""The sync use case: one round with head office, with the case list columns kept in step.

The sync engine (app.sync) knows the wire and the store; recomputing a case's priority, promise
due date and safety level is a service rule (casefacts), so it is handed to the engine from here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, local_day, utcnow
from app.domain.enums import CaseStatus, Severity
from app.domain.priority import PriorityInputs, score_priority
from app.store.engine import Store, refresh_statistics
from app.store.types import from_db_time, to_db_time
from app.sync.apply import executemany
from app.sync.client import HeadOfficeClient
from app.sync.engine import Progress, Step, SyncEngine, SyncOptions, SyncReport
from app.sync.safety_client import SafetyApi

from .assigning import deliver_pending, pending_assignment_count
from .casefacts import EVASION_CODES
from .evidence import EvidenceReader, KeySource
from .safety_reports import refresh_safety_reports_quietly
from .visits import VisitDesk, pending_safety


def refresh_cases(session: Session, case_ids: Sequence[int], now: datetime, zone: str = DEFAULT_ZONE) -> None:
    """Recompute the list columns of cases a pull just wrote, with the same rules as `refresh_case`
    (promise due, safety level, priority and its reasons) but a few grouped queries per page
    instead of several per case: an initial sync writes thousands of cases."""
    if not case_ids:
        return
    session.flush()
    ids = "[" + ",".join(str(int(i)) for i in case_ids) + "]"
    now_s = to_db_time(now)
    today = local_day(now, zone)
    conn = session.connection()

    def grouped(sql: str, **params: object) -> dict[int, Any]:
        return {int(r[0]): r[1] for r in conn.execute(text(sql), {"ids": ids, **params})}

    in_page = "case_id IN (SELECT value FROM json_each(:ids))"
    open_due = grouped(f"SELECT case_id, min(due) FROM promises WHERE {in_page} AND state = 'open' "
                       "GROUP BY case_id")
    broken = grouped(f"SELECT case_id, count(*) FROM promises WHERE {in_page} AND state = 'broken' "
                     "GROUP BY case_id")
    evasion = grouped(
        f"SELECT case_id, count(*) FROM contact_attempts WHERE {in_page} AND at >= :since "
        "AND outcome IN (SELECT value FROM json_each(:codes)) GROUP BY case_id",
        since=to_db_time(now - timedelta(days=30)), codes=json.dumps(list(EVASION_CODES)))
    last_rpc = grouped(f"SELECT case_id, max(at) FROM contact_attempts WHERE {in_page} "
                       "AND right_party = 1 GROUP BY case_id")
    hardship = grouped(f"SELECT case_id, count(*) FROM relief_proposals WHERE {in_page} "
                       "AND status = 'pending' GROUP BY case_id")
    ranks = {s.value: s.rank for s in Severity}
    safety: dict[int, int] = {}
    for case_id, severity in conn.execute(text(
            "SELECT c.id, n.severity FROM cases c JOIN safety_notes n "
            "ON (n.case_id = c.id OR n.debtor_id = c.debtor_id) "
            "WHERE c.id IN (SELECT value FROM json_each(:ids)) AND n.superseded_by IS NULL "
            "AND n.reported_at <= :now AND (n.expires_at IS NULL OR n.expires_at > :now)"),
            {"ids": ids, "now": now_s}):
        safety[int(case_id)] = max(safety.get(int(case_id), 0), ranks.get(severity, 0))
    rows = conn.execute(text(
        "SELECT id, days_past_due, overdue_fen, status, paused_reason FROM cases "
        "WHERE id IN (SELECT value FROM json_each(:ids))"), {"ids": ids}).all()
    updates = []
    for case_id, dpd, overdue, status, paused in rows:
        due = open_due.get(case_id)
        due_day = date.fromisoformat(due) if due else None
        rpc = last_rpc.get(case_id)
        score = score_priority(PriorityInputs(
            days_past_due=dpd, overdue_fen=overdue, broken_promises=int(broken.get(case_id, 0)),
            evasion_signals=int(evasion.get(case_id, 0)),
            days_since_last_contact=None if rpc is None else max(0, (now - from_db_time(rpc)).days),
            hardship_open=bool(hardship.get(case_id)),
            dispute_open=status == CaseStatus.PAUSED.value and (paused or "").startswith("dispute"),
            promise_due_soon=due_day is not None and today <= due_day <= today + timedelta(days=1)))
        reasons = json.dumps([{"code": r.code, "points": r.points, "text": r.text, "args": list(r.args)}
                              for r in score.reasons], ensure_ascii=False)
        new_status = CaseStatus.OPEN.value if due is None and status == CaseStatus.PROMISED.value else status
        updates.append({"id": case_id, "due": due, "level": safety.get(case_id, 0), "p": score.score,
                        "r": reasons, "s": new_status})
    executemany(session, "UPDATE cases SET promise_due = :due, safety_level = :level, priority = :p, "
                         "priority_reasons = :r, status = :s WHERE id = :id", updates)
    session.expire_all()


BULK_CASES = 1000  # a pull this large changes the list columns' spread: refresh the planner's statistics


def sync_once(store: Store, client: HeadOfficeClient, *, attachments_dir: Path | None = None,
              options: SyncOptions | None = None, progress: Progress | None = None, step: Step | None = None,
              cancel: threading.Event | None = None,
              clock: Callable[[], datetime] = utcnow,
              evidence_key: bytes | bytearray | KeySource | None = None) -> SyncReport:
    """Deliver the safety queue, then push, upload evidence, pull and apply; a supervisor's round then
    keeps head office's safety report of today and yesterday (best effort: a failure there is a logged
    warning, never a failed round). Raises
    app.sync.errors.SyncError subclasses (a safety command that cannot be sent stays queued, and the
    push that follows meets the same network).

    Evidence in `attachments_dir` (or the options') is read through the evidence service: sealed files
    are decrypted in memory with `evidence_key` (the key, or a callable giving it while unlocked).
    """
    opts = options or SyncOptions()
    if attachments_dir is not None:
        opts.attachments_dir = attachments_dir
    if opts.evidence is None and opts.attachments_dir is not None:
        opts.evidence = EvidenceReader(opts.attachments_dir, evidence_key)
    engine = SyncEngine(store, client, refresh=refresh_cases, options=opts, clock=clock, progress=progress,
                        step=step, cancel=cancel)
    if pending_safety(store):  # safety first: a queued SOS or visit goes before every other record
        desk = VisitDesk(store, client.username or "sync", clock=clock)
        desk.deliver(SafetyApi(client), engine.cancel)
    if pending_assignment_count(store):  # a supervisor's queued assignments go first, by their own endpoint
        deliver_pending(store, client, now=clock, cancelled=engine.cancel.is_set,
                        progress=(lambda d, t: progress("assign", d, t)) if progress else None)
    report = engine.run()
    if not engine.cancel.is_set():
        refresh_safety_reports_quietly(store, SafetyApi(client), clock)
    if report.full_resync or report.cases_updated >= BULK_CASES:
        refresh_statistics(store.engine)  # the list's query plans depend on them
    return report
