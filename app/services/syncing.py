"""The sync use case: one round with head office, with the case list columns kept in step.

The sync engine (app.sync) knows the wire and the store; recomputing a case's priority, promise
due date and safety level is a service rule (casefacts), so it is handed to the engine from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import DEFAULT_ZONE, utcnow
from app.store import models as m
from app.store.engine import Store
from app.sync.client import HeadOfficeClient
from app.sync.engine import Progress, Step, SyncEngine, SyncOptions, SyncReport

from .casefacts import refresh_case


def refresh_cases(session: Session, case_ids: Sequence[int], now: datetime, zone: str = DEFAULT_ZONE) -> None:
    """Recompute the list columns of cases a pull just wrote (same rules as a local change)."""
    if not case_ids:
        return
    for case in session.scalars(select(m.Case).where(m.Case.id.in_(list(case_ids)))):
        refresh_case(session, case, now, zone)
    session.flush()


def sync_once(store: Store, client: HeadOfficeClient, *, attachments_dir: Path | None = None,
              options: SyncOptions | None = None, progress: Progress | None = None, step: Step | None = None,
              cancel: threading.Event | None = None,
              clock: Callable[[], datetime] = utcnow) -> SyncReport:
    """Push, upload evidence, pull and apply. Raises app.sync.errors.SyncError subclasses."""
    opts = options or SyncOptions()
    if attachments_dir is not None:
        opts.attachments_dir = attachments_dir
    engine = SyncEngine(store, client, refresh=refresh_cases, options=opts, clock=clock, progress=progress,
                        step=step, cancel=cancel)
    return engine.run()
