"""Opening the store at launch and after a login, and attaching it to the window.

`open_services` runs in a worker: it finds the data folder, opens (maybe upgrades) the store, reads the
compliance profile and who is working. `Opening` is the desk's part that starts it, meets what it
raises (the secret is needed: the login dialog; no store yet and a head office: the first, online
login), and hands the open store to the window — then, once the Cases list is up, starts the chores
(the purge check, the head-office session check).
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .signing_in import headless_login
from .warmup import resume_gc, warm_later_imports

log = logging.getLogger("doorstep")


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


class Opening:
    """The desk's opening: start, failure, the offline login of an encrypted store, attaching."""

    args: argparse.Namespace
    app: Any
    window: Any
    runner: Any
    settings: Any
    secret: str | None
    opened: Opened | None
    sync: Any
    retention: Any
    lock_armed: bool
    first_page: Any
    _chores_due: bool

    # -- opening ---------------------------------------------------------------------------------
    def start(self) -> Any:
        args, server = self.args, self.server()
        secret, self.secret = self.secret, None
        if secret and args.user:
            tls = self.tls()
            task = self.runner.submit(lambda: headless_login(args.data_dir, args.user, secret, server or None, tls))
            task.then(self.window, succeeded=self.logged_in,
                                   failed=lambda exc: self.failed(exc, after_headless=True))
            return task
        first_page = self.first_page

        def opening() -> Opened:
            if first_page is not None:
                first_page.wait()  # the list's first page goes first (app.ui.first_page)
            return open_services(args.data_dir, args.user, first_login_server=server or None)

        task = self.runner.submit(opening)
        task.then(self.window, succeeded=self.attach,
                               failed=self.failed)
        return task

    def failed(self, exc: BaseException, after_headless: bool = False) -> None:
        from app.services.datadir import SecretRequired
        from app.services.session import LoginError

        resume_gc()
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

    def logged_in(self, session: Any) -> None:
        args = self.args
        opening = self.runner.submit(lambda: open_services(args.data_dir, args.user, store=session.require_store(),
                                                           session=session))
        opening.then(self.window, succeeded=self.attach,
                                  failed=lambda exc: self.window.show_error(str(exc)))

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
        resume_gc()
        task = self.runner.submit(warm_later_imports)
        task.then(self.window, finished=self.start_chores)

    def start_chores(self) -> None:
        if self.retention is None or self.sync is None:
            return
        self.retention.run_if_due()
        if self.sync.account is not None:
            self.sync.check_session()
            self.sync.probe()  # a reachable head office syncs now, not at the first timer tick
