"""Render the window's safety parts to PNG files: `python tools/safety_screenshots.py [FOLDER]`.

Offscreen (QWidget.grab), in English and Chinese: the visit banner with its countdown (normal, amber
overdue, red when head office does not know, with the phone numbers to call), the SOS confirmation
(asking, then queued offline) and the supervisor's board with amber and red rows. The files go to
FOLDER/<language>/…png; without FOLDER, to a new temporary folder (printed). Sample facts only: a fresh
empty store in a temporary folder, no head office.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.screenshot_kit import LANGUAGES, NOW, Clock  # noqa: E402  (after the path is set)
from tools.screenshot_kit import save as _save  # noqa: E402


def _banner_shots(folder: Path) -> list[Path]:
    from app.ui.visit_safety.banner import VisitBanner
    from tests.ui import safety_samples

    clock = Clock(NOW)
    shots = []
    banner = VisitBanner(clock)
    banner.resize(1280, banner.sizeHint().height())
    banner.set_visit(safety_samples.visit(NOW, 45))
    clock.at = NOW + timedelta(minutes=12, seconds=30)
    banner.tick()
    banner.resize(1280, banner.sizeHint().height())
    shots.append(_save(banner, folder / "banner-normal.png"))
    clock.at = NOW + timedelta(minutes=53, seconds=7)
    for _ in range(15):  # past the reminder's flashing: the plain amber strip
        banner.tick()
    shots.append(_save(banner, folder / "banner-overdue.png"))
    clock.at = NOW + timedelta(minutes=20)
    banner.tick()
    banner.set_delivery(False, _tr("VisitSafety", "Head office cannot be reached: try again when the laptop "
                                                  "is online."), safety_samples.contacts())
    banner.resize(1280, banner.sizeHint().height())
    shots.append(_save(banner, folder / "banner-offline.png"))
    banner.close()
    return shots


def _sos_shots(folder: Path) -> list[Path]:
    from app.ui.visit_safety.sos_dialog import SosDialog
    from tests.ui import safety_samples

    dialog = SosDialog()
    dialog.tick()  # one second gone: 4 s left
    shots = [_save(dialog, folder / "sos-confirm.png")]
    dialog.send()
    dialog.show_queued(safety_samples.contacts())
    dialog.adjustSize()
    shots.append(_save(dialog, folder / "sos-queued.png"))
    dialog.timer.stop()
    dialog.done(0)
    return shots


def _board_shot(folder: Path, ctx: Any) -> Path:
    from PySide6.QtWidgets import QApplication

    from app.ui.visit_safety.board_page import SafetyBoardPage
    from tests.ui import safety_samples

    page = SafetyBoardPage(ctx, ctx.sync)
    page.timer.stop()
    page.resize(1400, 640)
    page.show()
    QApplication.processEvents()  # its first poll (no head office here) before the sample board
    page.show_board(safety_samples.board(NOW), started=None)
    page.alarms_table.selectRow(0)
    path = _save(page, folder / "board.png")
    page.close()
    return path


def _tr(context: str, text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(context, text)


def _context(workdir: Path) -> tuple[Any, Callable[[], None]]:
    from PySide6.QtCore import QSettings

    from app.domain.compliance import builtin_profile
    from app.store.migrate import open_store
    from app.ui.context import UiContext
    from app.ui.settings import AppSettings
    from app.ui.sync_controller import NoHeadOffice
    from app.ui.worker import BackgroundRunner

    store = open_store(workdir / "store" / "doorstep.sqlite3")
    runner = BackgroundRunner()
    settings = AppSettings(QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat))
    ctx = UiContext(store=store, runner=runner, settings=settings, profile=builtin_profile("CN"), actor="super01",
                    clock=Clock(NOW), sync=NoHeadOffice(), cache_dir=workdir / "cache")

    def close() -> None:
        runner.shutdown(10_000)
        store.close()

    return ctx, close


def render(folder: Path, languages: Sequence[str] = LANGUAGES) -> list[Path]:
    """Every screenshot, in each language, under folder/<language>/."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.i18n import Translations, prefer_cjk_font

    app = QApplication.instance() or QApplication([])
    prefer_cjk_font(app)  # type: ignore[arg-type]
    translations = Translations(app)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="doorstep-shots-") as work:
        ctx, close = _context(Path(work))
        try:
            for language in languages:
                translations.apply(language)
                out = folder / language
                shots += _banner_shots(out)
                shots += _sos_shots(out)
                shots.append(_board_shot(out, ctx))
        finally:
            translations.apply("en")
            close()
    return shots


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="doorstep-safety-"))
    for path in render(folder.resolve()):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
