"""Run work off the GUI thread and hand the result back on it (one helper, used everywhere).

    task = runner.submit(lambda: load_case_detail(store, case_id))
    task.then(self, succeeded=show,    # called on the GUI thread with the return value,
              failed=show_error)       # or with the exception, while `self` (the asking widget) lives

The task belongs to the runner and outlives the widget that asked for it: a widget never connects a
lambda or closure to a task's signals (see `Task.then`, and tests/ui/test_connections.py).

Long work takes a `TaskHandle` (pass `with_handle=True`): it reports progress
(`handle.progress(done, total)` → `task.progressed`) and checks `handle.cancelled`, which
`task.cancel()` sets. A cancelled task that stops early emits `cancelled` instead of `succeeded`.
SQLite writes need nothing special here: the Store's single-writer lock orders them.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import shiboken6
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
        self._callbacks: list[tuple[QObject, _Callbacks]] = []
        self._forget: Callable[[Task], None] | None = None  # the runner's, called once delivered
        self._done_from_worker.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress_from_worker.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.handle._cancel.set()

    def then(self, receiver: QObject, succeeded: Callable[[Any], object] | None = None,
             failed: Callable[[BaseException], object] | None = None,
             cancelled: Callable[[], object] | None = None,
             progressed: Callable[[int, int], object] | None = None,
             finished: Callable[[], object] | None = None) -> Task:
        """Call back on the GUI thread when the work ends, but only while `receiver` still exists.

        This is how a page hears of its work. A task belongs to the runner and outlives the page
        that asked for it; a lambda connected to the task's signals would outlive the page too, and
        PySide's stand-in receiver for that lambda could be freed with the page while the task still
        points at it (the task's deletion then crashed the process). Here no Qt connection is made:
        the task keeps the callbacks in Python, asks Qt whether `receiver` is alive, and forgets them
        once it has delivered.
        """
        if not isinstance(receiver, QObject):
            raise TypeError(f"a task calls back only while a QObject lives, not a {type(receiver).__name__}")
        self._callbacks.append((receiver, _Callbacks(succeeded, failed, cancelled, progressed, finished)))
        return self

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        for receiver, c in list(self._callbacks):
            if c.progressed is not None and shiboken6.isValid(receiver):
                c.progressed(done, total)
        self.progressed.emit(done, total)

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
        # The work's closure (a page, the store, the context it captured) is let go here, on the GUI
        # thread. Left to the Task's wrapper, its last reference could drop in a worker thread and
        # take Qt objects down there, while the GUI thread is deleting them too.
        self.fn = _spent
        callbacks, self._callbacks = self._callbacks, []
        live = [c for receiver, c in callbacks if shiboken6.isValid(receiver)]
        try:
            if outcome == "succeeded":
                for c in live:
                    if c.succeeded is not None:
                        c.succeeded(value)
                self.succeeded.emit(value)
            elif outcome == "failed":
                handled = any(c.failed is not None for _r, c in callbacks)
                if not handled and not self.isSignalConnected(QMetaMethod.fromSignal(self.failed)):
                    log.error("background work failed",
                              exc_info=value if isinstance(value, BaseException) else None)
                for c in live:
                    if c.failed is not None:
                        c.failed(value)  # type: ignore[arg-type]
                self.failed.emit(value)
            else:
                for c in live:
                    if c.cancelled is not None:
                        c.cancelled()
                self.cancelled.emit()
        finally:  # a callback that raises still lets the runner forget this task
            try:
                for c in live:
                    if c.finished is not None:
                        c.finished()
            finally:
                self.finished.emit()
                forget, self._forget = self._forget, None
                if forget is not None:
                    forget(self)


@dataclass(frozen=True, slots=True)
class _Callbacks:
    succeeded: Callable[[Any], object] | None
    failed: Callable[[BaseException], object] | None
    cancelled: Callable[[], object] | None
    progressed: Callable[[int, int], object] | None
    finished: Callable[[], object] | None


def _spent(*_args: Any) -> Any:
    raise RuntimeError("this task has already run")


def _run(ref: weakref.ReferenceType[Task]) -> None:
    task = ref()
    if task is None or not shiboken6.isValid(task):
        return  # its runner is gone: nobody is waiting for the result
    try:
        task.run_in_worker()
    finally:
        del task


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
        task._forget = self._forget  # a plain call, not a connection: no lambda receiver to outlive anyone
        # The worker holds the task only weakly, and only while it runs: whatever it drops, it drops
        # before the future completes, never later behind the GUI thread's back.
        future = self.pool.submit(_run, weakref.ref(task))
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
