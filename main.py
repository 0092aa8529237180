"""Doorstep desktop: `python main.py [--data-dir DIR] [--lang zh_CN|en] [--head-office URL]`.

The composition root. The window shows first; the store opens in a worker (it may need a schema
upgrade); then the services are built and handed to the window. Nothing here is global.

Signing in (docs/security.md):
* an encrypted data folder opens through the login dialog (offline: the secret unlocks the store);
* a laptop with no store yet and a head office configured starts with the first, online login: head
  office checks the user name and password, then the encrypted store is created with a key from it;
* a plain store from an earlier version opens as before; "Sign in to head office…" (Sync menu, Sync
  page, or a sync that needs it) runs the online login and encrypts it in place, every row kept;
* head-office tokens live in the OS keyring, or in the encrypted secrets file without one; when the
  refresh token is gone or no longer accepted, the password is asked for in a dialog and the sync runs
  again. The head-office address, CA bundle and pins come from Settings (`--head-office` for one run);
* `--secret-stdin` reads the secret from standard input instead of a dialog (scripted starts: the demo).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("doorstep")
LAUNCH_GC_PAUSE_S = 10.0  # the longest the launch goes without cyclic garbage collection


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python main.py", description="Doorstep: field visits case desk.")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data folder (default: $DOORSTEP_DATA_DIR, else the per-user data folder)")
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None,
                        help="language for this run (default: the setting, else the system's)")
    parser.add_argument("--user", metavar="USERNAME", default=None,
                        help="work as this agent (default: the user signed in on this device)")
    parser.add_argument("--head-office", metavar="URL", default=None,
                        help="head-office address for this run (default: the one in Settings)")
    parser.add_argument("--secret-stdin", action="store_true",
                        help="read the secret (head-office password) from standard input instead of asking")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser.parse_args(argv)


@dataclass
class Opened:
    data_dir: Path
    store: object
    profile: object
    actor: str
    agent_id: int | None
    device_id: str
    session: object | None = None  # app.services.session.Session of an encrypted store
    tokens: object | None = None  # its head-office token vault (keyring or encrypted file)


class FirstLoginRequired(Exception):
    """No store on this laptop yet and a head office to ask: the first login is online."""


def open_services(data_dir_arg: str | None, user: str | None = None, store: object | None = None,
                  session: object | None = None, first_login_server: str | None = None) -> Opened:
    """Runs in a worker: find the data folder, open (maybe upgrade) the store, read the profile and who
    is working. SQLAlchemy and the pages' code are imported here too, off the GUI thread. An encrypted
    store raises SecretRequired; with no store yet and `first_login_server` set, FirstLoginRequired; after
    the login dialog it comes back opened, as `store` with its `session` (whose token vault is opened
    here, and given the tokens of a first login)."""
    from app.domain.compliance import builtin_profile, load_profile_json
    from app.services.datadir import open_data_dir, resolve_data_dir, store_path
    from app.services.workspace import actor_name, agent_id_for
    from app.store.syncstate import DEVICE_ID, PROFILE, USER, device_id

    data_dir = resolve_data_dir(data_dir_arg)
    if store is None:
        if first_login_server and not store_path(data_dir).exists():
            raise FirstLoginRequired(first_login_server)
        store = open_data_dir(data_dir)
    # Load the pages' code here, beside the store, while the GUI thread is busy showing the window.
    import importlib

    from app.ui.main_window import PAGE_MODULES

    # and what attaching them imports (the sync controller, the purge schedule, the role check), which
    # would otherwise load on the GUI thread between the store opening and the list's first rows
    # (the supervisor's role check, which loads the wire schema and pydantic, waits until the list is up)
    for name in (*PAGE_MODULES, "app.ui.head_office_sync", "app.ui.retention_schedule"):
        importlib.import_module(name)
    # the launch's few reads on the bare connection: the ORM's first query (mapper set-up, statement
    # compiling) then happens when a case detail is first read, after the list is up
    with store.read_db() as db:  # type: ignore[attr-defined]
        state = dict(db.execute("SELECT key, value FROM sync_state WHERE key IN (?, ?, ?)",
                                (PROFILE, DEVICE_ID, USER)).fetchall())
    raw = state.get(PROFILE)
    profile = builtin_profile("CN")
    if raw:
        try:
            profile = load_profile_json(raw)
        except ValueError:
            log.warning("the stored compliance profile is unreadable; using the built-in CN profile")
    answer = getattr(session, "head_office", None)
    if answer is not None:
        from app.services.signin import adopt_device_id

        adopt_device_id(store, answer.device_id)  # a store made at this login: the id its tokens are bound to
    device = state.get(DEVICE_ID) if answer is None else None
    if device is None:  # made once, on first use (or adopted just above)
        with store.write() as tx:  # type: ignore[attr-defined]
            device = device_id(tx)
    tokens = None
    if session is not None:
        from app.services.signin import token_store_for

        tokens = token_store_for(data_dir, session.keys, device)  # type: ignore[attr-defined]
        if answer is not None:
            tokens.save(answer.server, answer.username, answer.tokens)
            session.head_office = None  # type: ignore[attr-defined]  # the vault has them now
        actor = str(session.username)  # type: ignore[attr-defined]
    else:
        actor = user or state.get(USER) or actor_name(store)
    return Opened(data_dir, store, profile, actor, agent_id_for(store, actor), device, session, tokens)


def headless_login(data_dir_arg: str | None, username: str, secret: str, server: str | None,
                   tls: object | None) -> object:
    """Runs in a worker (`--secret-stdin`): log in without a dialog — offline on an encrypted store, else
    the first, online login (a plain store is encrypted in place). Returns the Session."""
    import uuid

    from app.services.datadir import resolve_data_dir, store_path
    from app.services.session import NeedsOnlineLogin, SessionManager
    from app.store.crypto import is_plain_sqlite

    data_dir = resolve_data_dir(data_dir_arg)
    path = store_path(data_dir)
    manager = SessionManager(path, evidence_folder=data_dir / "attachments")
    if not manager.first_login_needed():
        session = manager.login(username, secret)
        if server:  # a scripted start has the password at hand: renew the head-office session with it too
            from app.services.signin import HeadOfficeLogin
            from app.sync.engine import device_of
            from app.sync.errors import SyncError

            try:
                session.head_office = HeadOfficeLogin(server, device_of(session.require_store()),
                                                      tls)(username, secret)  # type: ignore[arg-type]
            except SyncError as exc:
                log.warning("head office did not renew the session (%s); a sync will ask", type(exc).__name__)
        return session
    if not server:
        raise NeedsOnlineLogin("the first login on this laptop needs a head-office address")
    from app.services.signin import HeadOfficeLogin

    device = str(uuid.uuid4())
    if is_plain_sqlite(path):
        from app.store.migrate import open_store
        from app.sync.engine import device_of

        plain = open_store(path)
        try:
            device = device_of(plain)
        finally:
            plain.close()
    return manager.login(username, secret, HeadOfficeLogin(server, device, tls))  # type: ignore[arg-type]


def _webengine_flags() -> None:
    # Chromium refuses to start as root without --no-sandbox; only then, and say so.
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get(
            "QTWEBENGINE_CHROMIUM_FLAGS", ""):
        log.warning("running as root: the map's browser engine runs without its sandbox")
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
                                                    + " --no-sandbox").strip()


def _warm_store_imports() -> None:
    """Import the store stack (SQLAlchemy, the ORM models and their mapper set-up, the store vault: about
    half a second) on a thread of its own while the GUI thread is busy with the window (when no first page
    is read before the store opens, see `build`); `open_services` then finds it ready.
    None of these modules import Qt.
    Same order as in `open_services`. A failure here is left for `open_services` to meet and report."""
    def warm() -> None:
        import importlib

        try:
            for name in ("app.domain.compliance", "app.services.datadir", "app.services.workspace",
                         "app.store.syncstate", "app.store.vault"):
                importlib.import_module(name)
            from sqlalchemy.orm import configure_mappers

            configure_mappers()  # else the first ORM query of open_services pays for it (thread-safe)
        except Exception:  # reported by open_services, which imports them again
            log.debug("warming the store imports failed", exc_info=True)

    threading.Thread(target=warm, name="doorstep-warm-imports", daemon=True).start()


def _warm_later_imports() -> None:
    """In a worker, once the list is up: what the purge check and the supervisor's role check import (the
    sync's pull code, the wire schema and pydantic), so the GUI thread finds them loaded."""
    import importlib

    from app.ui.case_workspace import DIALOG_MODULES
    from app.ui.main_window import LATER_MODULES

    for name in (*LATER_MODULES, *DIALOG_MODULES, "app.services.retention", "app.services.assigning"):
        try:
            importlib.import_module(name)
        except Exception:  # met again, and reported, where it is used
            log.debug("loading %s ahead failed", name, exc_info=True)


def _pause_gc() -> None:
    """No cyclic garbage collection while the launch loads its modules: imports make ~100,000 objects that
    all stay, so each collection would walk them for nothing. `_resume_gc` turns it back on once the
    list is up (or the opening failed, or after a few seconds whatever happened)."""
    import gc

    gc.disable()
    fallback = threading.Timer(LAUNCH_GC_PAUSE_S, _resume_gc)
    fallback.daemon = True  # never holds the process open
    fallback.start()


def _resume_gc() -> None:
    import gc

    if not gc.isenabled():
        gc.freeze()  # what the launch made stays for good: later collections need not walk it
        gc.enable()


def build(argv: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    """Create the application, show the window and start opening the store. Returns (app, window, task)."""
    args = parse_args(argv)
    _pause_gc()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    _webengine_flags()
    from PySide6.QtCore import QCoreApplication, QSettings, Qt

    from app.ui import import_hook

    import_hook.install()  # before anything else loads: every later import pays PySide's check
    from PySide6.QtWidgets import QApplication

    from app.ui.i18n import Translations, prefer_cjk_font, resolve_language
    from app.ui.main_window import MainWindow
    from app.ui.settings import AppSettings
    from app.ui.worker import BackgroundRunner

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)  # the map's web engine needs it
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName("Doorstep")
    app.setApplicationName("Doorstep")
    prefer_cjk_font(app)
    settings = AppSettings(QSettings())
    translations = Translations(app)
    translations.apply(args.lang or resolve_language(settings.language))
    window = MainWindow(settings, translations)
    window.show()

    runner = BackgroundRunner(app)
    secret = read_secret_stdin() if args.secret_stdin else None
    desk = Desk(args, app, window, runner, settings, secret)
    window.desk = desk  # type: ignore[attr-defined]  # kept alive with the window (tests reach it here)
    if not args.secret_stdin:  # the list's first page, read with bare sqlite3 before the store stack loads
        from app.ui.first_page import launch_first_page

        desk.first_page = launch_first_page(window, settings, runner, args.data_dir)
    if desk.first_page is None:
        # No first page to show first: load the store stack beside the GUI thread at once. (With one, the
        # store stack waits for it: both are Python work under one interpreter lock, and sharing it
        # delayed the page by about a quarter while the workspace came no sooner.)
        _warm_store_imports()
    return app, window, desk.start()


def read_secret_stdin() -> str | None:
    """One line of standard input: the secret for a scripted start (`--secret-stdin`)."""
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


class Desk:
    """What the composition root keeps between the login, the store and the window: the open store and
    its session, the sync controller, the retention schedule; and the sign-in flows that swap them."""

    def __init__(self, args: argparse.Namespace, app: Any, window: Any, runner: Any, settings: Any,
                 secret: str | None) -> None:
        self.args = args
        self.app = app
        self.window = window
        self.runner = runner
        self.settings = settings
        self.secret = secret  # only with --secret-stdin; dropped after its first use
        self.opened: Opened | None = None
        self.sync: Any = None
        self.retention: Any = None
        self.manager: Any = None
        self.lock_armed = False
        self.asking = False  # a sign-in dialog is open
        self.declined = False  # the user cancelled the password dialog: automatic rounds do not ask again
        self.first_page: Any = None  # app.ui.first_page.FirstPageAtLaunch until the workspace is attached
        self._chores_due = False  # attached, the list not up yet: the purge and session checks wait for it
        window.settingsSaved.connect(self.settings_changed)

    # -- where things are ------------------------------------------------------------------------
    def server(self) -> str:
        return (self.args.head_office or self.settings.head_office_url or "").strip()

    def tls(self) -> Any:
        from app.ui.head_office_sync import transport_settings

        return transport_settings(self.settings)

    def session_manager(self) -> Any:
        from app.services.datadir import resolve_data_dir, store_path
        from app.services.session import SessionManager

        if self.manager is None:
            data_dir = resolve_data_dir(self.args.data_dir)
            self.manager = SessionManager(store_path(data_dir), evidence_folder=data_dir / "attachments")
        return self.manager

    # -- opening ---------------------------------------------------------------------------------
    def start(self) -> Any:
        args, server = self.args, self.server()
        secret, self.secret = self.secret, None
        if secret and args.user:
            tls = self.tls()
            task = self.runner.submit(lambda: headless_login(args.data_dir, args.user, secret, server or None, tls))
            task.succeeded.connect(self.logged_in)
            task.failed.connect(lambda exc: self.failed(exc, after_headless=True))
            return task
        first_page = self.first_page

        def opening() -> Opened:
            if first_page is not None:
                first_page.wait()  # the list's first page goes first (app.ui.first_page)
            return open_services(args.data_dir, args.user, first_login_server=server or None)

        task = self.runner.submit(opening)
        task.succeeded.connect(self.attach)
        task.failed.connect(self.failed)
        return task

    def failed(self, exc: BaseException, after_headless: bool = False) -> None:
        from app.services.datadir import SecretRequired
        from app.services.session import LoginError

        _resume_gc()
        if self.first_page is not None:
            self.first_page.opening_failed()
        if isinstance(exc, SecretRequired):
            self.log_in()
        elif isinstance(exc, FirstLoginRequired):
            self.first_login(plain_store=False)
        elif after_headless and isinstance(exc, LoginError):
            log.warning("the login from standard input was refused (%s); asking instead", type(exc).__name__)
            self.start()  # open as without the flag: the dialog asks
        else:
            self.window.show_error(str(exc))

    def log_in(self) -> None:
        """An encrypted store: ask for the secret (checked in the background), then open the services."""
        from PySide6.QtCore import QCoreApplication

        from app.ui.login_dialog import LoginDialog

        dialog = LoginDialog(self.session_manager(), self.runner, parent=self.window)
        dialog.loggedIn.connect(self.logged_in)
        dialog.rejected.connect(lambda: self.window.show_error(
            QCoreApplication.translate("MainWindow", "Doorstep is locked: restart it to log in.")))
        dialog.open()

    def first_login(self, *, plain_store: bool, prepare: Any = None, device: str | None = None,
                    on_cancel: Any = None) -> Any:
        """The first, online login: head office checks the user name and password, then the store is
        created — or the plain one encrypted in place — with a key from that password."""
        import uuid

        from PySide6.QtCore import QCoreApplication

        from app.services.signin import HeadOfficeLogin
        from app.ui.login_dialog import LoginDialog

        server = self.server()
        authenticate = HeadOfficeLogin(server, device or str(uuid.uuid4()), self.tls())
        dialog = LoginDialog(self.session_manager(), self.runner, authenticate=authenticate, server=server,
                             prepare=prepare, plain_store=plain_store, parent=self.window)
        if self.args.user:
            dialog.user.setText(self.args.user)
            dialog.secret.setFocus()
        dialog.loggedIn.connect(self.logged_in)
        dialog.rejected.connect(on_cancel or (lambda: self.window.show_error(QCoreApplication.translate(
            "MainWindow", "Doorstep needs a first login with head office: restart it to log in."))))
        dialog.open()
        return dialog

    def logged_in(self, session: Any) -> None:
        args = self.args
        opening = self.runner.submit(lambda: open_services(args.data_dir, args.user, store=session.require_store(),
                                                           session=session))
        opening.succeeded.connect(self.attach)
        opening.failed.connect(lambda exc: self.window.show_error(str(exc)))

    def attach(self, result: Opened) -> None:
        from PySide6.QtCore import Qt

        from app.domain.clock import utcnow
        from app.ui.context import UiContext
        from app.ui.retention_schedule import RetentionScheduler

        old_sync, old_retention = self.sync, self.retention
        self.opened = result
        self.sync = self.make_sync(result)
        self.retention = RetentionScheduler(result.store, self.runner, lambda: self.settings.retention_days,  # type: ignore[arg-type]
                                            result.data_dir / "attachments", sync=self.sync, parent=self.window)
        self.retention.purged.connect(self.purged)
        session = result.session
        ctx = UiContext(store=result.store, runner=self.runner, settings=self.settings, profile=result.profile,  # type: ignore[arg-type]
                        actor=result.actor, clock=utcnow, sync=self.sync, cache_dir=result.data_dir / "cache",
                        agent_id=result.agent_id, evidence_folder=result.data_dir / "attachments",
                        evidence_key=(lambda: None if session.locked else session.keys.evidence_key)  # type: ignore[attr-defined]
                        if session is not None else None)
        first_page, self.first_page = self.first_page, None
        # The rest waits until the list has painted its first rows: the purge check loads the sync's pull
        # code and the wire schema (pydantic), a fifth of a second the GUI thread would spend before them.
        self._chores_due = True
        self.window.pageSettled.connect(self.after_list, Qt.ConnectionType.SingleShotConnection)
        # its pages replace the first page, if one was shown, with the same rows and the case selected there
        self.window.attach(ctx, first_rows=first_page.first_rows() if first_page is not None else None,
                           selected=first_page.selected_case() if first_page is not None else None)
        for old in (old_sync, old_retention):
            if old is not None:
                old.deleteLater()
        self.app.aboutToQuit.connect(result.store.close)  # type: ignore[attr-defined]
        if result.session is not None and not self.lock_armed:
            self.arm_lock(result.session)

    def after_list(self) -> None:
        """Once per opening, after the list is up: load the rest in a worker, then start the purge check and
        the head-office session check, whose imports then cost the GUI thread nothing."""
        if not self._chores_due or self.opened is None:
            return
        self._chores_due = False
        _resume_gc()
        task = self.runner.submit(_warm_later_imports)
        task.finished.connect(self.start_chores)

    def start_chores(self) -> None:
        if self.retention is None or self.sync is None:
            return
        self.retention.run_if_due()
        if self.sync.account is not None:
            self.sync.check_session()
            self.sync.probe()  # a reachable head office syncs now, not at the first timer tick

    def make_sync(self, result: Opened) -> Any:
        """Head-office sync (tokens in the session's vault; a plain store keeps them in memory only)."""
        from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync

        server = self.server()
        account = HeadOfficeAccount(server=server, username=result.actor, device_id=result.device_id,
                                    attachments_dir=result.data_dir / "attachments") if server else None
        sync = HeadOfficeSync(result.store, self.runner, account, tokens=result.tokens, tls=self.tls(),  # type: ignore[arg-type]
                              parent=self.window)
        session = result.session
        if session is not None:  # sealed evidence files are read with the key while the store is unlocked
            sync.evidence_key = lambda: None if session.locked else session.keys.evidence_key  # type: ignore[attr-defined]
        sync.reportReady.connect(self.synced)
        sync.signInRequired.connect(self.sign_in_needed)
        sync.signInRequested.connect(self.sign_in_requested)
        sync.signOutRequested.connect(self.sign_out)
        return sync

    def synced(self, report: Any) -> None:
        """A round brought or removed cases (the first sync of a new laptop: all of them): show them."""
        if getattr(report, "cases_updated", 0) or getattr(report, "cases_removed", None):
            self.window.refresh_lists()

    def purged(self, summary: Any) -> None:
        page = self.window.sync_page
        if page is not None:
            page.show_purge(summary)
        if summary.cases:
            self.window.refresh_lists()

    # -- signing in to head office from the open window ----------------------------------------------
    def settings_changed(self) -> None:
        """Settings saved: the sync takes the new head-office address (a new server needs its own sign-in)
        and the new CA bundle and pins from its next round."""
        if self.sync is None or self.opened is None:
            return
        from app.ui.head_office_sync import HeadOfficeAccount

        server, account = self.server(), self.sync.account
        if not server:
            if account is not None:
                self.sync.configure(None, tls=self.tls())
        elif account is None or account.server.rstrip("/") != server.rstrip("/"):
            self.sync.configure(HeadOfficeAccount(server=server, username=self.opened.actor,
                                                  device_id=self.opened.device_id,
                                                  attachments_dir=self.opened.data_dir / "attachments"),
                                tokens=self.opened.tokens, tls=self.tls())  # type: ignore[arg-type]
            self.sync.check_session()
        else:
            self.sync.tls = self.tls()

    def sign_in_requested(self) -> None:
        self.declined = False
        self.ask_sign_in("")

    def sign_in_needed(self, reason: str) -> None:
        if not self.declined:
            self.ask_sign_in(reason)

    def ask_sign_in(self, reason: str) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QMessageBox

        if self.asking or self.opened is None or self.sync is None:
            return
        server = self.server()
        if not server:
            QMessageBox.information(self.window, QCoreApplication.translate("MainWindow", "Sign in to head office"),
                                    QCoreApplication.translate("MainWindow",
                                                               "Set the head office address in Settings first."))
            return
        from app.ui.head_office_sync import HeadOfficeAccount

        account = self.sync.account
        if account is None or account.server != server:
            self.sync.configure(HeadOfficeAccount(server=server, username=self.opened.actor,
                                                  device_id=self.opened.device_id,
                                                  attachments_dir=self.opened.data_dir / "attachments"),
                                tokens=self.opened.tokens, tls=self.tls())  # type: ignore[arg-type]
        else:
            self.sync.tls = self.tls()
        if self.opened.session is None:
            self.encrypt_at_sign_in()
        else:
            self.ask_password(reason)

    def ask_password(self, reason: str) -> None:
        from PySide6.QtCore import QCoreApplication

        from app.ui.login_dialog import HeadOfficePasswordDialog

        self.asking = True
        dialog = HeadOfficePasswordDialog(self.sync, reason, parent=self.window)
        dialog.setObjectName("headOfficePassword")

        def closed(code: int) -> None:
            self.asking = False
            if not code:
                self.declined = True

        dialog.finished.connect(closed)
        dialog.signedIn.connect(lambda: self.window.statusBar().showMessage(
            QCoreApplication.translate("MainWindow", "Signed in to head office."), 6000))
        dialog.open()

    def encrypt_at_sign_in(self) -> None:
        """A plain store and a first sign-in: head office checks the password, then the window lets go of the
        store, it is encrypted in place (every row kept), and the window opens it again, signed in."""
        from PySide6.QtCore import QCoreApplication

        opened = self.opened
        assert opened is not None
        released: list[bool] = []

        def release() -> None:
            from app.services.signin import retire_store

            released.append(True)
            self.sync.pause()
            self.retention.pause()
            self.window.detach(QCoreApplication.translate("MainWindow", "Encrypting the cases on this laptop…"))
            retire_store(opened.store)  # type: ignore[arg-type]

        def cancelled() -> None:
            self.asking = False
            self.declined = True
            if released:  # the store was let go but not encrypted (the dialog said why): open it again
                self.opened = None
                self.start()

        self.asking = True
        dialog = self.first_login(plain_store=True, prepare=release, device=opened.device_id, on_cancel=cancelled)
        dialog.loggedIn.connect(lambda _s: setattr(self, "asking", False))

    def sign_out(self) -> None:
        """Remove the head-office session from this laptop (keyring or encrypted file)."""
        from PySide6.QtCore import QCoreApplication

        if self.sync is None:
            return
        task = self.sync.sign_out()
        if task is not None:
            task.succeeded.connect(lambda _r: self.window.statusBar().showMessage(QCoreApplication.translate(
                "MainWindow", "Signed out of head office: the session was removed from this laptop."), 8000))

    # -- lock ------------------------------------------------------------------------------------
    def arm_lock(self, session: Any) -> None:
        """Lock after the idle minutes (setting; 0 = never) and on Ctrl+L: keys wiped, window hidden."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from app.ui.idle_lock import IdleWatcher
        from app.ui.login_dialog import LoginDialog

        self.lock_armed = True
        manager, window, runner = self.session_manager(), self.window, self.runner
        watcher = IdleWatcher(self.settings.idle_lock_minutes, parent=window)

        def lock() -> None:
            if session.locked:
                return
            if self.sync is not None:
                self.sync.pause()
            if self.retention is not None:
                self.retention.pause()
            tokens = self.opened.tokens if self.opened is not None else None
            if tokens is not None:
                tokens.forget()  # type: ignore[attr-defined]  # the cached tokens and the file key
            session.lock()
            window.hide()
            dialog = LoginDialog(manager, runner, session=session, parent=window)
            dialog.loggedIn.connect(lambda _s: (window.show(), watcher.lock.touch() if watcher.lock else None,
                                                self.unlocked(session)))
            dialog.rejected.connect(self.app.quit)  # closing the unlock dialog quits; the data stays locked
            dialog.open()

        watcher.idle.connect(lock)
        QShortcut(QKeySequence("Ctrl+L"), window, activated=lock)
        self.app.aboutToQuit.connect(session.close)

    def unlocked(self, session: Any) -> None:
        """Open the token vault again with the new keys (background: the keyring may be slow), resume."""
        opened = self.opened
        if opened is None:
            return
        from app.services.signin import token_store_for

        task = self.runner.submit(lambda: token_store_for(opened.data_dir, session.keys, opened.device_id))

        def resume(tokens: Any) -> None:
            opened.tokens = tokens
            if self.sync is not None:
                self.sync.configure(self.sync.account, tokens=tokens, tls=self.tls())
                self.sync.resume()
                self.sync.check_session()
            if self.retention is not None:
                self.retention.resume()

        task.succeeded.connect(resume)


def main(argv: Sequence[str] | None = None) -> int:
    app, _window, _task = build(sys.argv[1:] if argv is None else argv)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
