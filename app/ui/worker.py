"""Run work off the GUI thread and hand the result back on it (one helper, used everywhere).

    task = runner.submit(lambda: load_case_detail(store, case_id))
    task.succeeded.connect(show)      # called on the GUI thread with the return value
    task.failed.connect(show_error)   # called on the GUI thread with the exception

Long work takes a `TaskHandle` (pass `with_handle=True`): it reports progress
(`handle.progress(done, total)` → `task.progressed`) and checks `handle.cancelled`, which
`task.cancel()` sets. A cancelled task that stops early emits `cancelled` instead of `succeeded`.
SQLite writes need nothing special here: the Store's single-writer lock orders them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QMetaMethod, QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside work that noticed it was cancelled."""


class TaskHandle:
    """What running work sees: progress reporting and the cancel flag."""

    def __init__(self, task: Task):
        self._task = task
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int) -> None:
        self._task._progress_from_worker.emit(done, total)


class Task(QObject):
    """One piece of background work. Its public signals are always emitted on the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progressed = Signal(int, int)
    finished = Signal()  # after any of succeeded / failed / cancelled

    # Emitted from the worker thread; queued into this object's (the GUI) thread.
    _done_from_worker = Signal(str, object)
    _progress_from_worker = Signal(int, int)

    def __init__(self, fn: Callable[..., Any], with_handle: bool, parent: QObject | None = None):
        super().__init__(parent)
        self.fn = fn
        self.with_handle = with_handle
        self.handle = TaskHandle(self)
        self.done = False
        self._done_from_worker.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress_from_worker.connect(self.progressed, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.handle._cancel.set()

    def run_in_worker(self) -> None:
        try:
            result = self.fn(self.handle) if self.with_handle else self.fn()
        except Cancelled:
            self._done_from_worker.emit("cancelled", None)
        except BaseException as exc:  # every failure must reach the GUI, never vanish
            self._done_from_worker.emit("failed", exc)
        else:
            if self.handle.cancelled:
                self._done_from_worker.emit("cancelled", None)
            else:
                self._done_from_worker.emit("succeeded", result)

    @Slot(str, object)
    def _deliver(self, outcome: str, value: object) -> None:
        self.done = True
        if outcome == "succeeded":
            self.succeeded.emit(value)
        elif outcome == "failed":
            if not self.isSignalConnected(QMetaMethod.fromSignal(self.failed)):
                log.error("background work failed", exc_info=value if isinstance(value, BaseException) else None)
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()


class BackgroundRunner(QObject):
    """Owns the worker threads; keeps each task alive until its result has been delivered.

    The threads are Python threads (a ThreadPoolExecutor), not QThreadPool's: a QThreadPool thread
    gets a fresh Python thread state for every task, so `threading.local` data — the store's
    per-thread SQLite connection among it — would not survive from one task to the next, and the
    connection pool would open (and close) connections under running work.
    """

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="doorstep-worker")
        self._live: set[Task] = set()
        self._futures: set[Future[None]] = set()

    def submit(self, fn: Callable[..., Any], *, with_handle: bool = False) -> Task:
        task = Task(fn, with_handle, self)
        self._live.add(task)
        if len(self._live) == 1:
            self.busyChanged.emit(True)
        task.finished.connect(lambda t=task: self._forget(t))
        future = self.pool.submit(task.run_in_worker)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return task

    def _forget(self, task: Task) -> None:
        self._live.discard(task)
        task.deleteLater()
        if not self._live:
            self.busyChanged.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel what can be cancelled and wait for running work (at exit). True if all stopped."""
        for task in list(self._live):
            task.cancel()
        _done, running = wait(list(self._futures), timeout=timeout_ms / 1000)
        return not running
