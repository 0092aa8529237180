"""Runs the retention purge (app.services.retention) in the background: after each successful sync and
once a day. `purged(PurgeSummary)` arrives on the GUI thread with the counts of what left the laptop.

The retention period comes from a callable (the Settings value, read at each run), so a change in
Settings applies at the next run. While the window is locked (`pause()`) nothing runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.store.engine import Store

from .worker import BackgroundRunner, Task

log = logging.getLogger(__name__)

CHECK_MS = 60 * 60_000  # look every hour whether a day has passed since the last purge


class RetentionScheduler(QObject):
    purged = Signal(object)  # app.services.retention.PurgeSummary
    failed = Signal(str)

    def __init__(self, store: Store, runner: BackgroundRunner, days: Callable[[], int],
                 evidence_folder: Path | None = None, *, sync: QObject | None = None, check_ms: int = CHECK_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.days = days
        self.evidence_folder = evidence_folder
        self.paused = False
        self._task: Task | None = None
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.run_if_due)
        self.timer.start()
        if sync is not None:
            sync.finished.connect(self._after_sync)  # type: ignore[attr-defined]

    def _after_sync(self, ok: bool, _message: str) -> None:
        if ok:
            self.run_now()

    def run_if_due(self) -> None:
        """Purge if a day has passed since the last purge (checked in the background)."""
        if self.paused or self._task is not None:
            return
        from app.services.retention import purge_due, scheduled_purge

        store, days, folder = self.store, self.days(), self.evidence_folder
        self._start(lambda: scheduled_purge(store, days=days, evidence_folder=folder) if purge_due(store) else None)

    def run_now(self) -> None:
        if self.paused:
            return
        if self._task is not None:
            self._again = True  # one more run once this one ends (a sync acknowledged more)
            return
        from app.services.retention import scheduled_purge

        store, days, folder = self.store, self.days(), self.evidence_folder
        self._start(lambda: scheduled_purge(store, days=days, evidence_folder=folder))

    def _start(self, work: Callable[[], object]) -> None:
        task = self.runner.submit(work)
        self._task = task
        task.then(self, succeeded=self._done, failed=self._failed)

    def _done(self, summary: object) -> None:
        self._task = None
        if summary is not None:
            self.purged.emit(summary)
        if self._again:
            self._again = False
            self.run_now()

    def _failed(self, exc: object) -> None:
        self._task = None
        log.warning("the retention purge failed: %s", type(exc).__name__)
        self.failed.emit(str(exc)[:300])

    def pause(self) -> None:
        self.paused = True
        self.timer.stop()

    def resume(self) -> None:
        self.paused = False
        self.timer.start()
