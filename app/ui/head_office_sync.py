"""The Qt glue of sync: runs the sync engine off the GUI thread and reports back with signals.

`HeadOfficeSync` implements the window's `SyncController` protocol (sync_controller.py): `sync_now()`
returns at once; `started`, `progressed(phase, done, total)`, `finished(ok, message)` and
`reportReady(report)` arrive on the GUI thread. A timer syncs every `interval_ms`, and a cheap
health probe (also in the background) starts a sync as soon as head office becomes reachable again.
Nothing here touches the network or the disk on the GUI thread.

`password()` is called from the background thread when there is no session to renew: it must not
touch widgets (hand it a value the window collected, or a keyring lookup).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.store.engine import Store
from app.sync.tokens import MemoryTokenStore, TokenStore

from .worker import BackgroundRunner, Task

log = logging.getLogger(__name__)

T = TypeVar("T")

ONLINE, OFFLINE, UNCONFIGURED = "online", "offline", "unconfigured"


@dataclass(frozen=True)
class HeadOfficeAccount:
    server: str
    username: str
    device_id: str
    attachments_dir: Path | None = None


class HeadOfficeSync(QObject):
    started = Signal()
    finished = Signal(bool, str)
    connectivityChanged = Signal(str)
    progressed = Signal(str, int, int)
    reportReady = Signal(object)  # app.sync.engine.SyncReport after a successful round

    _progress_from_worker = Signal(str, int, int)

    def __init__(self, store: Store, runner: BackgroundRunner, account: HeadOfficeAccount | None,
                 password: Callable[[], str | None], *, tokens: TokenStore | None = None,
                 interval_ms: int = 15 * 60_000, probe_ms: int = 60_000, retry_budget: float = 60.0,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.account = account
        self._password = password
        self.tokens = tokens or MemoryTokenStore()
        self.retry_budget = retry_budget
        self._state = UNCONFIGURED if account is None else OFFLINE
        self._task: Task | None = None
        self._probe: Task | None = None
        self._cancel = threading.Event()
        self._auth_lock = threading.Lock()
        self._progress_from_worker.connect(self.progressed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(probe_ms)
        self.probe_timer.timeout.connect(self.probe)
        if account is not None:
            self.timer.start()
            self.probe_timer.start()

    # --- SyncController ----------------------------------------------------------------------

    def connectivity(self) -> str:
        return self._state

    @property
    def running(self) -> bool:
        return self._task is not None

    def sync_now(self) -> None:
        if self.account is None:
            self.started.emit()
            self.finished.emit(False, self.tr("No head office is configured: set its address in Settings."))
            return
        if self._task is not None:
            return  # one round at a time; the running one will pick up new records next time
        self._cancel = threading.Event()
        account, cancel = self.account, self._cancel
        task = self.runner.submit(lambda: self._run(account, cancel))
        self._task = task
        task.succeeded.connect(self._on_done)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(lambda: self._finish(False, self.tr("Sync stopped.")))
        self.started.emit()

    def cancel(self) -> None:
        self._cancel.set()
        if self._task is not None:
            self._task.cancel()

    def probe(self) -> None:
        """Check (in the background) whether head office answers; sync when it comes back."""
        if self.account is None or self._probe is not None or self._task is not None:
            return
        account = self.account
        task = self.runner.submit(lambda: self._health(account))
        self._probe = task
        task.succeeded.connect(self._on_probe)
        task.failed.connect(lambda _exc: self._on_probe(False))

    def call(self, fn: Callable[[Any], T], on_done: Callable[[T], None], on_failed: Callable[[Exception], None],
             *, with_handle: bool = False) -> Task | None:
        """Run `fn(client)` in the background with a head-office client signed in as a sync round signs
        in (same saved tokens, refresh or password); `on_done(result)` or `on_failed(exc)` follow on the
        GUI thread. With `with_handle=True` the call is `fn(client, handle)` (progress and cancel: see
        worker.TaskHandle). No head office configured: `on_failed` gets a SyncError at once (no task)."""
        from app.sync.errors import SyncError

        if self.account is None:
            on_failed(SyncError(self.tr("No head office is configured: set its address in Settings.")))
            return None
        account = self.account

        def work(handle: Any = None) -> T:
            # a cancelled call (task.cancel()) also stops the client at its next request or retry wait
            cancel = handle._cancel if handle is not None else threading.Event()
            client = self._client(account, cancel, self.retry_budget)
            try:
                self._sign_in(client, account)
                return fn(client, handle) if with_handle else fn(client)  # type: ignore[call-arg]
            finally:
                client.close()

        task = self.runner.submit(work, with_handle=with_handle)
        task.succeeded.connect(lambda result: self._call_done(result, on_done))
        task.failed.connect(lambda exc: self._call_failed(exc, on_failed))
        task.cancelled.connect(lambda: on_failed(_cancelled()))
        return task

    def _call_done(self, result: Any, on_done: Callable[[Any], None]) -> None:
        self._set_state(ONLINE)
        on_done(result)

    def _call_failed(self, exc: object, on_failed: Callable[[Exception], None]) -> None:
        from app.sync.errors import ServerUnavailable

        if isinstance(exc, ServerUnavailable):
            self._set_state(OFFLINE)
        on_failed(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))

    # --- worker side (no Qt objects touched but the queued signal) ------------------------------

    def _client(self, account: HeadOfficeAccount, cancel: threading.Event | None, budget: float) -> Any:
        from app.sync.client import HeadOfficeClient
        from app.sync.retry import RetryPolicy

        return HeadOfficeClient(account.server, account.device_id, tokens=self.tokens,
                                retry=RetryPolicy(budget=budget), cancel=cancel)

    def _health(self, account: HeadOfficeAccount) -> bool:
        from app.sync.errors import SyncError

        client = self._client(account, None, 0.0)
        try:
            client.health()
            return True
        except SyncError:
            return False
        finally:
            client.close()

    def _sign_in(self, client: Any, account: HeadOfficeAccount) -> None:
        """Resume the saved session (refreshing it) or log in with the password; raises AuthError."""
        from app.sync.errors import AuthError

        with self._auth_lock:  # the sync round and a window call may sign in at once; one refresh at a time
            if not client.use_session(account.username):
                password = self._password()
                if not password:
                    raise AuthError("sign in to head office first")
                client.login(account.username, password)
            else:
                try:
                    client.refresh()  # also tells us who we are
                except AuthError:
                    password = self._password()
                    if not password:
                        raise
                    client.login(account.username, password)

    def _run(self, account: HeadOfficeAccount, cancel: threading.Event) -> object:
        from app.services.syncing import sync_once
        from app.sync.engine import SyncOptions

        client = self._client(account, cancel, self.retry_budget)
        try:
            self._sign_in(client, account)
            return sync_once(self.store, client, options=SyncOptions(attachments_dir=account.attachments_dir),
                             progress=self._progress_from_worker.emit, cancel=cancel)
        finally:
            client.close()

    # --- back on the GUI thread -----------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.connectivityChanged.emit(state)

    def _on_probe(self, ok: object) -> None:
        self._probe = None
        was = self._state
        self._set_state(ONLINE if ok else OFFLINE)
        if ok and was == OFFLINE:
            self.sync_now()

    def _on_done(self, report: object) -> None:
        self._set_state(ONLINE)
        lines: list[str] = getattr(report, "lines", lambda: [])()
        self.reportReady.emit(report)
        self._finish(True, "; ".join(lines))

    def _on_failed(self, exc: object) -> None:
        from app.sync.errors import AuthError, Cancelled, ServerUnavailable, SyncError

        if isinstance(exc, Cancelled):
            self._finish(False, self.tr("Sync stopped."))
            return
        if isinstance(exc, ServerUnavailable):
            self._set_state(OFFLINE)
        elif isinstance(exc, AuthError):
            self._set_state(ONLINE)
        if isinstance(exc, SyncError):
            message = str(exc)
        else:
            log.error("sync failed", exc_info=exc if isinstance(exc, BaseException) else None)
            message = self.tr("Sync failed unexpectedly; everything recorded stays queued. ({0})").format(
                type(exc).__name__)
        self._finish(False, message)

    def _finish(self, ok: bool, message: str) -> None:
        self._task = None
        self.finished.emit(ok, message)


def _cancelled() -> Exception:
    from app.sync.errors import Cancelled

    return Cancelled("stopped")
