"""Retention: closed or returned cases leave the laptop once head office has everything recorded on them.

A case is purged when all of these hold:
* its status is `closed` or `returned`,
* it was last changed more than `days` days ago (the retention setting),
* none of its events waits in the outbox (every one acknowledged by head office; a dead-lettered event
  keeps the case, because the agent must still see and resolve it),
* every evidence file of the case has been uploaded.
Then its rows (case, accounts, attempts, payments, promises, safety notes, relief proposals, the debtor if
no other case needs them), its search-index rows, its acknowledged events and its evidence files go.
Deletes run with SQLite's secure_delete on and the full-text indexes are merged afterwards, so the removed
text does not linger in free pages. Head office keeps the collection records (≥ 5 years); this laptop
does not need to.

Scheduling (the window runs it in the background after each successful sync and once a day):
`scheduled_purge(store, days=…)` purges and records a summary — counts only, no personal data — under
the sync-state key `last_purge`; `purge_due(store)` says whether a day has passed since the last run;
`last_purge(store)` reads the summary back for the Sync page.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from app.domain.clock import ensure_utc, utcnow
from app.domain.enums import CaseStatus
from app.store.engine import Store
from app.store.search import FTS_TABLES
from app.store.syncstate import get_state, set_state
from app.store.types import to_db_time
from app.sync.apply import cases_with_queued_events, remove_case

from .evidence import remove_evidence_file, sweep_unfinished

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
LAST_PURGE = "last_purge"
PURGE_EVERY = timedelta(days=1)
PURGEABLE = (CaseStatus.CLOSED.value, CaseStatus.RETURNED.value)


@dataclass
class PurgeReport:
    purged_cases: list[int] = field(default_factory=list)
    kept_waiting_upload: list[int] = field(default_factory=list)
    events_removed: int = 0
    evidence_files_removed: int = 0


def purge_expired(store: Store, *, days: int = DEFAULT_DAYS, evidence_folder: Path | None = None,
                  now: datetime | None = None) -> PurgeReport:
    """Remove every case past retention whose records head office has acknowledged."""
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = ensure_utc(now or utcnow()) - timedelta(days=days)
    report = PurgeReport()
    files: list[str] = []
    with store.write() as session:
        session.execute(text("PRAGMA secure_delete = ON"))
        try:
            candidates = [int(r[0]) for r in session.execute(text(
                "SELECT id FROM cases WHERE status IN (:a, :b) AND updated_at < :cutoff ORDER BY id"),
                {"a": PURGEABLE[0], "b": PURGEABLE[1], "cutoff": to_db_time(cutoff)})]
            if not candidates:
                return report
            queued = cases_with_queued_events(session, candidates)
            dead = {int(r[0]) for r in session.execute(text(
                "SELECT DISTINCT e.case_id FROM dead_letters d JOIN events e ON e.id = d.event_id"))}
            not_uploaded = {int(r[0]) for r in session.execute(text(
                "SELECT DISTINCT case_id FROM attachments WHERE uploaded = 0 AND case_id IS NOT NULL"))}
            for case_id in candidates:
                if case_id in queued or case_id in dead or case_id in not_uploaded:
                    report.kept_waiting_upload.append(case_id)
                    continue
                files += [r[0] for r in session.execute(
                    text("SELECT sha256 FROM attachments WHERE case_id = :id"), {"id": case_id})]
                session.execute(text("DELETE FROM attachments WHERE case_id = :id"), {"id": case_id})
                gone = session.execute(text(
                    "DELETE FROM events WHERE case_id = :id AND sync_state IN ('acked', 'flagged', 'duplicate') "
                    "AND id NOT IN (SELECT event_id FROM outbox) AND id NOT IN (SELECT event_id FROM dead_letters) "
                    "RETURNING id"), {"id": case_id}).all()
                report.events_removed += len(gone)
                remove_case(session, case_id)
                report.purged_cases.append(case_id)
            if report.purged_cases:
                for table in FTS_TABLES:
                    session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
        finally:
            session.execute(text("PRAGMA secure_delete = OFF"))
    if evidence_folder is not None:
        with store.read() as session:
            still_used = {r[0] for r in session.execute(text("SELECT sha256 FROM attachments"))}
        for sha in files:
            if sha not in still_used and remove_evidence_file(evidence_folder, sha):
                report.evidence_files_removed += 1
    log.info("retention: %d case(s) purged, %d kept until head office has them",
             len(report.purged_cases), len(report.kept_waiting_upload))
    return report


@dataclass(frozen=True)
class PurgeSummary:
    """What the last scheduled purge did, in counts (shown on the Sync page)."""

    at: datetime
    days: int
    cases: int
    events: int
    evidence_files: int
    kept: int


def _summary(raw: str | None) -> PurgeSummary | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return PurgeSummary(ensure_utc(datetime.fromisoformat(data["at"])), int(data["days"]), int(data["cases"]),
                            int(data["events"]), int(data["evidence_files"]), int(data["kept"]))
    except (ValueError, KeyError, TypeError):
        return None


def last_purge(store: Store) -> PurgeSummary | None:
    with store.read() as session:
        return _summary(get_state(session, LAST_PURGE))


def purge_due(store: Store, *, now: datetime | None = None, every: timedelta = PURGE_EVERY) -> bool:
    last = last_purge(store)
    return last is None or ensure_utc(now or utcnow()) - last.at >= every


def scheduled_purge(store: Store, *, days: int = DEFAULT_DAYS, evidence_folder: Path | None = None,
                    now: datetime | None = None) -> PurgeSummary:
    """Purge, then record what left the laptop (counts only) for the Sync page. Also removes what a crash
    while saving a recording can leave in the evidence folder (`evidence.sweep_unfinished`)."""
    at = ensure_utc(now or utcnow())
    report = purge_expired(store, days=days, evidence_folder=evidence_folder, now=at)
    if evidence_folder is not None:
        sweep_unfinished(store, evidence_folder)
    summary = PurgeSummary(at, days, len(report.purged_cases), report.events_removed,
                           report.evidence_files_removed, len(report.kept_waiting_upload))
    with store.write() as session:
        set_state(session, LAST_PURGE, json.dumps({
            "at": at.isoformat(), "days": days, "cases": summary.cases, "events": summary.events,
            "evidence_files": summary.evidence_files, "kept": summary.kept}))
    return summary
