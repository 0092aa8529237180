"""The Qt glue of sync: runs the sync engine off the GUI thread and reports back with signals.

`HeadOfficeSync` implements the window's `SyncController` protocol (sync_controller.py): `sync_now()`
returns at once; `started`, `progressed(phase, done, total)`, `finished(ok, message)` and
`reportReady(report)` arrive on the GUI thread. A timer syncs every `interval_ms`, and a cheap
health probe (also in the background) starts a sync as soon as head office becomes reachable again.
Nothing here touches the network or the disk on the GUI thread.

Signing in: the tokens live in `tokens` (the window hands in a VaultTokenStore: keyring or encrypted
file). When a round finds no session, or head office no longer renews it, it stops with SignInRequired
and `signInRequired(message)` asks the window — on the GUI thread — for the password; the window calls
`sign_in(password)` (a background login) and the round runs again. Nothing queued is lost meanwhile.
`request_sign_in()` / `request_sign_out()` are what the menu and the Sync page call; `sign_out()`
removes the tokens from the keyring or file. `pause()` (the window is locked) stops the timers.

`password()` is an older hook, called from the background thread when there is no session to renew
(tests and scripts hand in a fixed value): it must not touch widgets.
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
from app.sync.errors import AuthError
from app.sync.tokens import MemoryTokenStore, TokenStore
from app.sync.transport import TransportSettings

from .worker import BackgroundRunner, Task

log = logging.getLogger(__name__)

T = TypeVar("T")

ONLINE, OFFLINE, UNCONFIGURED = "online", "offline", "unconfigured"


class SignInRequired(AuthError):
    """No head-office session to resume (never signed in, signed out, or the refresh token is no longer
    accepted): the window must ask for the password. Everything recorded stays queued."""


def transport_settings(settings: Any) -> TransportSettings:
    """The TLS settings of the window (AppSettings: CA bundle, pins) for the head-office client."""
    ca = str(getattr(settings, "ca_bundle", "") or "").strip()
    return TransportSettings(ca_bundle=Path(ca).expanduser() if ca else None,
                             pins=tuple(getattr(settings, "tls_pins", []) or ()))


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
    signInRequired = Signal(str)  # a round or call found no session: ask for the password (GUI thread)
    signInRequested = Signal()  # the user asked to sign in (menu, Sync page)
    signOutRequested = Signal()  # the user asked to sign out of head office
    signedInChanged = Signal(bool)  # whether a head-office session is kept (known after a check)

    _progress_from_worker = Signal(str, int, int)

    def __init__(self, store: Store, runner: BackgroundRunner, account: HeadOfficeAccount | None,
                 password: Callable[[], str | None] = lambda: None, *, tokens: TokenStore | None = None,
                 tls: TransportSettings | None = None,
                 interval_ms: int = 15 * 60_000, probe_ms: int = 60_000, retry_budget: float = 60.0,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.account = account
        self._password = password
        self.tokens: TokenStore = tokens or MemoryTokenStore()
        self.tls = tls
        self.retry_budget = retry_budget
        self.signed_in: bool | None = None  # None until known (check_session, a round, sign_in/out)
        # The evidence key while the store is unlocked (None when locked or plain): sealed evidence files are
        # decrypted in memory for the upload (app.services.evidence.EvidenceReader).
        self.evidence_key: Callable[[], bytes | bytearray | None] | None = None
        self.paused = False
        self._resync_after_sign_in = False
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
        if self.paused:
            self.started.emit()
            self.finished.emit(False, self.tr("Doorstep is locked: unlock it to sync."))
            return
        if self._task is not None:
            return  # one round at a time; the running one will pick up new records next time
        self._cancel = threading.Event()
        account, cancel = self.account, self._cancel
        task = self.runner.submit(lambda: self._run(account, cancel))
        self._task = task
        task.then(self, succeeded=self._on_done,
                        failed=self._on_failed,
                        cancelled=lambda: self._finish(False, self.tr("Sync stopped.")))
        self.started.emit()

    def cancel(self) -> None:
        self._cancel.set()
        if self._task is not None:
            self._task.cancel()

    def probe(self) -> None:
        """Check (in the background) whether head office answers; sync when it comes back."""
        if self.account is None or self.paused or self._probe is not None or self._task is not None:
            return
        account = self.account
        task = self.runner.submit(lambda: self._health(account))
        self._probe = task
        task.then(self, succeeded=self._on_probe, failed=lambda _exc: self._on_probe(False))

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
        task.then(self, succeeded=lambda result: self._call_done(result, on_done),
                        failed=lambda exc: self._call_failed(exc, on_failed),
                        cancelled=lambda: on_failed(_cancelled()))
        return task

    def _call_done(self, result: Any, on_done: Callable[[Any], None]) -> None:
        self._set_state(ONLINE)
        on_done(result)

    def _call_failed(self, exc: object, on_failed: Callable[[Exception], None]) -> None:
        from app.sync.errors import ServerUnavailable

        if isinstance(exc, ServerUnavailable):
            self._set_state(OFFLINE)
        elif isinstance(exc, SignInRequired):
            self._needs_sign_in(exc)
        on_failed(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))

    # --- signing in (GUI side; the work runs in the background) ---------------------------------

    def configure(self, account: HeadOfficeAccount | None, *, tokens: TokenStore | None = None,
                  tls: TransportSettings | None = None) -> None:
        """Point at another head office / user / token vault (after a sign-in or a settings change)."""
        self.account = account
        if tokens is not None:
            self.tokens = tokens
        self.tls = tls
        self.signed_in = None
        if account is None:
            self.timer.stop()
            self.probe_timer.stop()
            self._set_state(UNCONFIGURED)
        else:
            if self._state == UNCONFIGURED:
                self._set_state(OFFLINE)
            if not self.paused:
                self.timer.start()
                self.probe_timer.start()

    def request_sign_in(self) -> None:
        self.signInRequested.emit()

    def request_sign_out(self) -> None:
        self.signOutRequested.emit()

    def check_session(self) -> Task | None:
        """Find out (in the background: the keyring or file is read) whether a session is kept."""
        if self.account is None:
            return None
        account, tokens = self.account, self.tokens
        task = self.runner.submit(lambda: tokens.load(_server(account), account.username) is not None)
        task.then(self, succeeded=self._set_signed_in, failed=lambda _exc: self._set_signed_in(False))
        return task

    def sign_in(self, password: str) -> Task:
        """Log in to head office with the password (background); the tokens go to `tokens`. A round that
        stopped for want of a session runs again after a success."""
        from app.sync.errors import SyncError

        account = self.account
        if account is None:
            raise SyncError(self.tr("No head office is configured: set its address in Settings."))

        def work() -> object:
            client = self._client(account, None, min(self.retry_budget, 15.0))
            try:
                with self._auth_lock:
                    return client.login(account.username, password)
            finally:
                client.close()

        task = self.runner.submit(work)
        task.then(self, succeeded=self._signed_in_now)
        return task

    def sign_out(self) -> Task | None:
        """Forget the head-office session on this laptop: the tokens leave the keyring or file (background)."""
        if self.account is None:
            return None
        account, tokens = self.account, self.tokens
        self.cancel()
        task = self.runner.submit(lambda: tokens.clear(_server(account), account.username))
        task.then(self, succeeded=lambda _r: self._set_signed_in(False))
        return task

    def pause(self) -> None:
        """The window is locked: no timer-driven sync or probe until `resume()`; a running round is stopped."""
        self.paused = True
        self.timer.stop()
        self.probe_timer.stop()
        self.cancel()

    def resume(self) -> None:
        self.paused = False
        if self.account is not None:
            self.timer.start()
            self.probe_timer.start()

    def _set_signed_in(self, value: object) -> None:
        signed = bool(value)
        if signed != self.signed_in:
            self.signed_in = signed
            self.signedInChanged.emit(signed)

    def _signed_in_now(self, _user: object) -> None:
        self._set_state(ONLINE)
        self._set_signed_in(True)
        if self._resync_after_sign_in:
            self._resync_after_sign_in = False
            self.sync_now()

    def _needs_sign_in(self, exc: SignInRequired) -> None:
        self._set_signed_in(False)
        self.signInRequired.emit(str(exc))

    # --- worker side (no Qt objects touched but the queued signal) ------------------------------

    def _client(self, account: HeadOfficeAccount, cancel: threading.Event | None, budget: float) -> Any:
        from app.sync.client import HeadOfficeClient
        from app.sync.retry import RetryPolicy

        return HeadOfficeClient(account.server, account.device_id, tokens=self.tokens, tls=self.tls,
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
        with self._auth_lock:  # the sync round and a window call may sign in at once; one refresh at a time
            if not client.use_session(account.username):
                password = self._password()
                if not password:
                    raise SignInRequired(self.tr("Sign in to head office to sync; everything recorded stays "
                                                 "queued on this laptop."))
                client.login(account.username, password)
            else:
                try:
                    client.refresh()  # also tells us who we are
                except AuthError as exc:
                    password = self._password()
                    if not password:
                        raise SignInRequired(self.tr(
                            "Head office ended the session (it expired or was revoked): sign in again to sync; "
                            "everything recorded stays queued on this laptop.")) from exc
                    client.login(account.username, password)

    def _run(self, account: HeadOfficeAccount, cancel: threading.Event) -> object:
        from app.services.syncing import sync_once
        from app.sync.engine import SyncOptions

        client = self._client(account, cancel, self.retry_budget)
        try:
            self._sign_in(client, account)
            return sync_once(self.store, client, options=SyncOptions(attachments_dir=account.attachments_dir),
                             progress=self._progress_from_worker.emit, cancel=cancel, evidence_key=self.evidence_key)
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
        self._set_signed_in(True)
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
        if isinstance(exc, SignInRequired):
            self._resync_after_sign_in = True
            self._finish(False, str(exc))
            self._needs_sign_in(exc)
            return
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


def _server(account: HeadOfficeAccount) -> str:
    return account.server.strip().rstrip("/")  # as the client keys its tokens


def _cancelled() -> Exception:
    from app.sync.errors import Cancelled

    return Cancelled("stopped")
