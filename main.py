"""Doorstep desktop: `python main.py [--data-dir DIR] [--lang zh_CN|en]`.

The composition root. The window shows first; the store opens in a worker (it may need a schema
upgrade); then the services are built and handed to the window. Nothing here is global.
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


def open_services(data_dir_arg: str | None, user: str | None = None, store: object | None = None) -> Opened:
    """Runs in a worker: find the data folder, open (maybe upgrade) the store, read the profile and who
    is working. SQLAlchemy and the pages' code are imported here too, off the GUI thread. An encrypted
    store raises SecretRequired; after the login dialog it comes back opened, as `store`."""
    from app.domain.compliance import builtin_profile, load_profile_json
    from app.services.datadir import open_data_dir, resolve_data_dir
    from app.services.workspace import actor_name, agent_id_for
    from app.store.syncstate import PROFILE, device_id, get_state

    data_dir = resolve_data_dir(data_dir_arg)
    if store is None:
        store = open_data_dir(data_dir)
    # Load the pages' code here, beside the store, while the GUI thread is busy showing the window.
    import importlib

    from app.ui.main_window import PAGE_MODULES

    for name in PAGE_MODULES:
        importlib.import_module(name)
    with store.read() as session:
        raw = get_state(session, PROFILE)
    profile = builtin_profile("CN")
    if raw:
        try:
            profile = load_profile_json(raw)
        except ValueError:
            log.warning("the stored compliance profile is unreadable; using the built-in CN profile")
    with store.write() as session:
        device = device_id(session)
    actor = user or actor_name(store)
    return Opened(data_dir, store, profile, actor, agent_id_for(store, actor), device)


def _webengine_flags() -> None:
    # Chromium refuses to start as root without --no-sandbox; only then, and say so.
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get(
            "QTWEBENGINE_CHROMIUM_FLAGS", ""):
        log.warning("running as root: the map's browser engine runs without its sandbox")
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
                                                    + " --no-sandbox").strip()


def _warm_store_imports() -> None:
    """Import the store stack (SQLAlchemy, the ORM models and their mapper set-up, the store vault: about
    half a second) on a thread of its own while the GUI thread creates the application and shows the
    window; `open_services` then finds it ready instead of starting on it only once the window is up.
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


def build(argv: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    """Create the application, show the window and start opening the store. Returns (app, window, task)."""
    args = parse_args(argv)
    _warm_store_imports()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    _webengine_flags()
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
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
    task = runner.submit(lambda: open_services(args.data_dir, args.user))

    def opened(result: Opened) -> None:
        from app.domain.clock import utcnow
        from app.ui.context import UiContext

        ctx = UiContext(store=result.store, runner=runner, settings=settings, profile=result.profile,  # type: ignore[arg-type]
                        actor=result.actor, clock=utcnow, sync=sync_controller(result), cache_dir=result.data_dir / "cache",
                        agent_id=result.agent_id)
        window.attach(ctx)
        app.aboutToQuit.connect(result.store.close)  # type: ignore[attr-defined]

    def sync_controller(result: Opened) -> object:
        """Head-office sync when an address is configured, else a controller that says none is."""
        from app.ui.sync_controller import NoHeadOffice

        server = args.head_office or settings.head_office_url
        if not server:
            return NoHeadOffice(window)
        from app.ui.head_office_sync import HeadOfficeAccount, HeadOfficeSync

        account = HeadOfficeAccount(server=server, username=result.actor,
                                    device_id=result.device_id, attachments_dir=result.data_dir / "attachments")
        # No sign-in dialog yet: a sync without a saved session stops and says "sign in first".
        return HeadOfficeSync(result.store, runner, account, password=lambda: None, parent=window)  # type: ignore[arg-type]

    def failed(exc: BaseException) -> None:
        from app.services.datadir import SecretRequired

        if isinstance(exc, SecretRequired):
            log_in()
        else:
            window.show_error(str(exc))

    def log_in() -> None:
        """An encrypted store: ask for the secret (checked in the background), then open the services."""
        from app.services.datadir import resolve_data_dir, store_path
        from app.services.session import SessionManager
        from app.ui.login_dialog import LoginDialog

        manager = SessionManager(store_path(resolve_data_dir(args.data_dir)))
        dialog = LoginDialog(manager, runner, parent=window)

        def logged_in(session: Any) -> None:
            opening = runner.submit(lambda: open_services(args.data_dir, args.user, store=session.require_store()))
            opening.succeeded.connect(lambda result: (opened(result), arm_lock(manager, session)))
            opening.failed.connect(lambda exc: window.show_error(str(exc)))

        dialog.loggedIn.connect(logged_in)
        dialog.rejected.connect(lambda: window.show_error(window.tr("Doorstep is locked: restart it to log in.")))
        dialog.open()

    def arm_lock(manager: Any, session: Any) -> None:
        """Lock after the idle minutes (setting; 0 = never) and on Ctrl+L: keys wiped, window hidden."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from app.ui.idle_lock import IdleWatcher
        from app.ui.login_dialog import LoginDialog

        watcher = IdleWatcher(settings.idle_lock_minutes, parent=window)

        def lock() -> None:
            if session.locked:
                return
            session.lock()
            window.hide()
            dialog = LoginDialog(manager, runner, session=session, parent=window)
            dialog.loggedIn.connect(lambda _s: (window.show(), watcher.lock.touch() if watcher.lock else None))
            dialog.rejected.connect(app.quit)  # closing the unlock dialog quits; the data stays locked
            dialog.open()

        watcher.idle.connect(lock)
        QShortcut(QKeySequence("Ctrl+L"), window, activated=lock)
        app.aboutToQuit.connect(session.close)

    task.succeeded.connect(opened)
    task.failed.connect(failed)
    return app, window, task


def main(argv: Sequence[str] | None = None) -> int:
    app, _window, _task = build(sys.argv[1:] if argv is None else argv)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
