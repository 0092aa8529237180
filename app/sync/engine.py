"""One sync round: push the outbox, upload evidence, pull changes, finish deferred removals.

Each step commits in short local transactions, so a crash between any two leaves the store
consistent: a queued event is either still in the outbox or acknowledged; a pulled page is either
applied together with its cursor or not at all. The next run continues from there.

A 410 on the cursor starts a full resync from no cursor, keeping the outbox; when it completes,
cases head office did not send are removed (deferred while they still have queued events).
`step(name, info)` is called at the named points of a round (for progress and for crash tests).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from app.contract import v1
from app.domain.clock import utcnow
from app.store import models as m
from app.store.audit import append_audit
from app.store.engine import Store
from app.store.syncstate import CLOCK_SKEW, CURSOR, LAST_SYNC, PARTNERS, USER, device_id, get_state, set_state

from .apply import Refresh, apply_page, finish_deferred_removals, request_removal, upsert_agent
from .attachments import Reader, clear_file_reader, upload_attachments
from .client import HeadOfficeClient
from .errors import Cancelled, CursorGone
from .push import PushTotals, push_outbox

log = logging.getLogger(__name__)

FULL_RESYNC = "full_resync"  # sync_state key: "1" while a full resync is under way
RESYNC_SEEN = "resync_seen"  # sync_state key: case ids sent so far in the full resync (JSON list)

Progress = Callable[[str, int, int], None]  # (phase, done, total)
Step = Callable[[str, dict[str, Any]], None]


@dataclass
class SyncReport:
    pushed: PushTotals = field(default_factory=PushTotals)
    pulled_pages: int = 0
    cases_updated: int = 0
    cases_removed: list[int] = field(default_factory=list)
    removals_deferred: list[int] = field(default_factory=list)
    decisions: int = 0
    attachments_uploaded: int = 0
    full_resync: bool = False
    clock_skew_seconds: float | None = None
    retries: int = 0
    still_queued: int = 0
    dead_letters: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def lines(self) -> list[str]:
        p = self.pushed
        out = [f"uploaded {p.acknowledged:,} record(s) ({p.accepted:,} new, {p.duplicate:,} already there, "
               f"{p.flagged:,} flagged for a supervisor), {p.rejected:,} refused",
               f"received {self.cases_updated:,} case update(s) in {self.pulled_pages:,} page(s)"
               + (" (full resync)" if self.full_resync else "")]
        if self.cases_removed:
            out.append(f"removed {len(self.cases_removed):,} case(s) no longer assigned here")
        if self.removals_deferred:
            out.append(f"{len(self.removals_deferred):,} case(s) leave once their records are delivered")
        if self.attachments_uploaded:
            out.append(f"uploaded {self.attachments_uploaded:,} evidence file(s)")
        if self.still_queued:
            out.append(f"{self.still_queued:,} record(s) still waiting to upload")
        if self.dead_letters:
            out.append(f"{self.dead_letters:,} record(s) refused by head office (see the Sync view)")
        if self.clock_skew_seconds is not None and abs(self.clock_skew_seconds) >= 120:
            out.append(f"this laptop's clock is {abs(self.clock_skew_seconds) / 60:,.0f} min "
                       f"{'behind' if self.clock_skew_seconds > 0 else 'ahead of'} head office")
        return out


@dataclass
class SyncOptions:
    push_batch: int = 200
    page_size: int = 500
    attachments_dir: Path | None = None  # evidence kept in the clear there (when `evidence` is not given)
    evidence: Reader | None = None  # the plaintext of an evidence file by hash (the evidence service decrypts)
    fetch_agents: bool = True  # supervisors: refresh the agent list (names for the Team view)


def remember_partner(session: Any, agent_id: int, partner: v1.PartnerInfo | None) -> None:
    """Keep (or forget) the agent's standing partner in the sync state (see `syncstate.PARTNERS`)."""
    try:
        known = json.loads(get_state(session, PARTNERS) or "{}")
    except ValueError:
        known = {}
    if not isinstance(known, dict):
        known = {}
    if partner is None:
        known.pop(str(agent_id), None)
    else:
        known[str(agent_id)] = partner.model_dump()
    set_state(session, PARTNERS, json.dumps(known, ensure_ascii=False, sort_keys=True))


class SyncEngine:
    def __init__(self, store: Store, client: HeadOfficeClient, *, refresh: Refresh | None = None,
                 options: SyncOptions | None = None, clock: Callable[[], datetime] = utcnow,
                 progress: Progress | None = None, step: Step | None = None,
                 cancel: threading.Event | None = None):
        self.store = store
        self.client = client
        self.refresh = refresh
        self.options = options or SyncOptions()
        self.clock = clock
        self.progress = progress or (lambda _p, _d, _t: None)
        self._step = step or (lambda _n, _i: None)
        self.cancel = cancel or client.cancel or threading.Event()
        if client.cancel is None:
            client.cancel = self.cancel

    def step(self, name: str, info: dict[str, Any] | None = None) -> None:
        if self.cancel.is_set():
            raise Cancelled("sync stopped")
        self._step(name, info or {})

    # --- one round ---------------------------------------------------------------------------

    def run(self) -> SyncReport:
        report = SyncReport(started_at=self.clock())
        self.remember_user()
        self.push(report)
        self.upload_attachments(report)
        self.pull(report)
        self.finish(report)
        return report

    def remember_user(self) -> None:
        me = self.client.me()  # the user and their standing partner as head office has them now
        user = self.client.user or (me.user if me is not None else None)
        if user is None:
            return
        with self.store.write() as session:
            upsert_agent(session, user.id, user.username, user.display_name, user.role, user.team)
            set_state(session, USER, json.dumps(user.model_dump(), ensure_ascii=False))
            if me is not None:
                remember_partner(session, user.id, me.partner)
        if user.role != "agent" and self.options.fetch_agents:
            agents = self.client.agents()
            with self.store.write() as session:
                for a in agents:
                    upsert_agent(session, a.id, a.username, a.display_name, a.role, a.team, a.base_lat, a.base_lon)

    def push(self, report: SyncReport) -> None:
        self.step("push.start")
        totals = push_outbox(self.store, self.client, self.clock, self.options.push_batch, step=self.step,
                             progress=lambda d, t: self.progress("push", d, t))
        report.pushed = totals
        if totals.sent or totals.rejected:
            with self.store.write() as session:
                append_audit(session, actor=self._actor(), action="sync.pushed", entity="outbox", entity_id="-",
                             data={"accepted": totals.accepted, "duplicate": totals.duplicate,
                                   "flagged": totals.flagged, "rejected": totals.rejected}, at=self.clock())
                report.cases_removed.extend(finish_deferred_removals(session, self.clock()))

    def upload_attachments(self, report: SyncReport) -> None:
        read = self.options.evidence
        if read is None and self.options.attachments_dir is not None:
            read = clear_file_reader(self.options.attachments_dir)
        if read is None:
            return
        self.step("attachments.start")
        report.attachments_uploaded = upload_attachments(self.store, self.client, read, step=self.step)

    def pull(self, report: SyncReport) -> None:
        """Fetch pages in cursor order and apply each with its cursor in one transaction.

        The next page is fetched while the current one is applied (one request ahead, never more):
        head office builds a page in about the time the laptop takes to write one. A prefetched page
        is only ever applied after the page before it, so a crash loses at most a fetch.
        """
        self.step("pull.start")
        with self.store.read() as session:
            cursor = get_state(session, CURSOR)
            resync = get_state(session, FULL_RESYNC) == "1" or cursor is None
        if resync:
            cursor = None
            self._begin_resync(report)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch")
        try:
            ahead: Future[v1.ChangesResponse] = pool.submit(self.client.changes, cursor, self.options.page_size)
            while True:
                try:
                    page = ahead.result()
                except CursorGone:
                    log.warning("pull cursor expired at head office: full resync (the outbox is kept)")
                    resync = True
                    self._begin_resync(report)
                    ahead = pool.submit(self.client.changes, None, self.options.page_size)
                    continue
                if page.has_more and not self.cancel.is_set():
                    ahead = pool.submit(self.client.changes, page.next_cursor, self.options.page_size)
                self._apply(page, resync, report)
                if not page.has_more:
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _apply(self, page: v1.ChangesResponse, resync: bool, report: SyncReport) -> None:
        now = self.clock()
        user_id = self.client.user.id if self.client.user else None
        with self.store.write() as session:
            result = apply_page(session, page, now, self.refresh, current_user_id=user_id)
            set_state(session, CURSOR, page.next_cursor)
            if resync:
                self._note_seen(session, result.upserted)
                if not page.has_more:
                    gone, kept = self._finish_resync(session, now)
                    result.removed.extend(gone)
                    result.deferred.extend(kept)
            if page.changes:
                append_audit(session, actor=self._actor(), action="sync.pulled", entity="cursor",
                             entity_id="-", data={"changes": len(page.changes), "upserted": len(result.upserted),
                                                  "removed": result.removed, "deferred": result.deferred},
                             at=now)
        report.pulled_pages += 1
        report.cases_updated += len(result.upserted)
        report.cases_removed.extend(result.removed)
        report.removals_deferred.extend(result.deferred)
        report.decisions += result.decisions
        self.progress("pull", report.cases_updated, report.cases_updated + (1 if page.has_more else 0))
        self.step("pull.page_applied", {"cursor": page.next_cursor, "has_more": page.has_more})

    def finish(self, report: SyncReport) -> None:
        now = self.clock()
        with self.store.write() as session:
            report.cases_removed.extend(finish_deferred_removals(session, now))
            set_state(session, LAST_SYNC, now.isoformat())
            if self.client.last_skew is not None:
                set_state(session, CLOCK_SKEW, f"{self.client.last_skew:.1f}")
            report.still_queued = int(session.scalar(select(func.count()).select_from(m.Outbox)) or 0)
            report.dead_letters = int(session.scalar(select(func.count()).select_from(m.DeadLetter)) or 0)
        deferred_left = set(report.removals_deferred) - set(report.cases_removed)
        report.removals_deferred = sorted(deferred_left)
        report.clock_skew_seconds = self.client.last_skew
        report.retries = self.client.retries
        report.finished_at = self.clock()
        self.step("done", {"queued": report.still_queued})

    # --- full resync -------------------------------------------------------------------------

    def _begin_resync(self, report: SyncReport) -> None:
        report.full_resync = True
        with self.store.write() as session:
            set_state(session, FULL_RESYNC, "1")
            set_state(session, RESYNC_SEEN, "[]")
            session.execute(text("DELETE FROM sync_state WHERE key = :k"), {"k": CURSOR})

    def _note_seen(self, session: Any, ids: list[int]) -> None:
        if not ids:
            return
        seen = set(json.loads(get_state(session, RESYNC_SEEN) or "[]"))
        seen.update(ids)
        set_state(session, RESYNC_SEEN, json.dumps(sorted(seen)))

    def _finish_resync(self, session: Any, now: datetime) -> tuple[list[int], list[int]]:
        """Cases head office did not send in a full resync are no longer this user's: (removed, deferred)."""
        seen = set(json.loads(get_state(session, RESYNC_SEEN) or "[]"))
        local = {int(r[0]) for r in session.execute(text("SELECT id FROM cases"))}
        removed: list[int] = []
        deferred: list[int] = []
        for case_id in sorted(local - seen):
            (removed if request_removal(session, case_id, "not_visible", now) else deferred).append(case_id)
        set_state(session, FULL_RESYNC, "0")
        set_state(session, RESYNC_SEEN, "[]")
        return removed, deferred

    def _actor(self) -> str:
        if self.client.user is not None:
            return self.client.user.username
        return self.client.username or "sync"


def device_of(store: Store) -> str:
    """This installation's device id (made and saved on first use)."""
    with store.write() as session:
        return device_id(session)
