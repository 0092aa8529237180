"""Doorstep desktop: `python main.py [--data-dir DIR] [--lang zh_CN|en] [--head-office URL]`.

The launch: read the arguments, create the application, show the window, and hand it to the desk
(`app/ui/desk/`), which opens the store in a worker (it may need a schema upgrade, or a login first),
signs in, locks, and wires the sync to the window. While the store opens, the Cases list's first page
is read with bare sqlite3 and shown (`app/ui/first_page.py`). Nothing here is global.

`--head-office URL` uses that head office for one run (default: the one in Settings); `--secret-stdin`
reads the secret from standard input instead of a dialog (scripted starts: the demo).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

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
    parser.add_argument("--secret-stdin", action="store_true",
                        help="read the secret (head-office password) from standard input instead of asking")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser.parse_args(argv)


def _webengine_flags() -> None:
    # Chromium refuses to start as root without --no-sandbox; only then, and say so.
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get(
            "QTWEBENGINE_CHROMIUM_FLAGS", ""):
        log.warning("running as root: the map's browser engine runs without its sandbox")
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
                                                    + " --no-sandbox").strip()


def build(argv: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    """Create the application, show the window and start opening the store. Returns (app, window, task)."""
    args = parse_args(argv)
    from app.ui.desk.controller import Desk  # no Qt, no store stack: loaded before either
    from app.ui.desk.warmup import pause_gc, warm_store_imports

    pause_gc()
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
    from app.ui import gui_gc

    gui_gc.start(app)  # Python's garbage collection on this thread only (app/ui/gui_gc.py)
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
        warm_store_imports()
    return app, window, desk.start()


def read_secret_stdin() -> str | None:
    """One line of standard input: the secret for a scripted start (`--secret-stdin`)."""
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


def main(argv: Sequence[str] | None = None) -> int:
    app, _window, _task = build(sys.argv[1:] if argv is None else argv)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
