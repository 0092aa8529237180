"""Render the escalation ladder on the agent's laptop to PNG files: `python tools/ladder_screenshots.py [FOLDER]`.

Offscreen (QWidget.grab), in English and Chinese: the case detail of a case at the visit level (the why-line,
the ladder level, the trail on the timeline: levels, SMS reminders, the lawyer's letter, a hold with hostile
text from head office shown as plain text) and the letter viewer with the letter's pages. The files go to
FOLDER/<language>/…png; without FOLDER, to a new temporary folder (printed). Sample facts only: a fresh empty
store in a temporary folder, filled as a pull fills it; no head office.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.screenshot_kit import LANGUAGES, NOW, Clock  # noqa: E402  (after the path is set)
from tools.screenshot_kit import save as _save  # noqa: E402


def _wait(signal: Any, start: Callable[[], None], timeout_ms: int = 20_000) -> list[Any]:
    """Start something and run the event loop until `signal` fires (background work hands back on it)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    got: list[Any] = []

    def fire(*args: Any) -> None:
        got.append(args)
        loop.quit()

    signal.connect(fire)
    QTimer.singleShot(timeout_ms, loop.quit)
    start()
    loop.exec()
    signal.disconnect(fire)
    if not got:
        raise SystemExit("the background work did not finish in time")
    return list(got[0])


def _detail_shots(folder: Path, ctx: Any, case_id: int) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from app.ui.case_detail import CaseDetailView
    from app.ui.timeline_model import letter_pdf

    view = CaseDetailView(ctx)
    view.resize(1180, 1180)
    view.show()
    _wait(view.loaded, lambda: view.show_case(case_id))
    view.timeline.setMinimumHeight(340)
    view.timeline.horizontalHeader().resizeSection(1, 260)
    m = view.timeline_model
    row = next(r for r in range(m.rowCount()) if letter_pdf(m.item(r)) is not None)
    view.timeline.setCurrentIndex(m.index(row, 0))
    QApplication.processEvents()
    shots = [_save(view, folder / "case-detail-ladder.png")]
    viewer = _wait(view.letters.opened, view.open_letter)[0]
    shots.append(_save(viewer, folder / "letter-viewer.png"))
    viewer.close()
    view.close()
    return shots


def _context(workdir: Path) -> tuple[Any, int, Callable[[], None]]:
    from PySide6.QtCore import QSettings

    from app.contract import v1
    from app.domain.compliance import builtin_profile
    from app.services.evidence import add_evidence
    from app.services.syncing import refresh_cases
    from app.store.migrate import open_store
    from app.sync.apply import apply_page
    from app.ui.context import UiContext
    from app.ui.settings import AppSettings
    from app.ui.sync_controller import NoHeadOffice
    from app.ui.worker import BackgroundRunner
    from tests import ladder_samples

    store = open_store(workdir / "store" / "doorstep.sqlite3")
    pdf = ladder_samples.letter_pdf(pages=2)
    sha = hashlib.sha256(pdf).hexdigest()
    case = ladder_samples.sample_case(1, ladder=ladder_samples.trail(sha, reason=ladder_samples.HOSTILE))
    page = v1.ChangesResponse(changes=[v1.Change(seq=1, kind="case_upsert", case_id=1, case=case)],
                              next_cursor="c1", has_more=False, server_time=NOW)
    with store.write() as session:
        apply_page(session, page, NOW, refresh_cases)
    key = bytearray(os.urandom(32))
    folder = workdir / "attachments"
    add_evidence(store, folder, key, pdf, case_id=1, media_type="application/pdf")  # kept, as after a download
    runner = BackgroundRunner()
    settings = AppSettings(QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat))
    ctx = UiContext(store=store, runner=runner, settings=settings, profile=builtin_profile("CN"), actor="agent01",
                    clock=Clock(NOW), sync=NoHeadOffice(), cache_dir=workdir / "cache", evidence_folder=folder,
                    evidence_key=lambda: key)

    def close() -> None:
        runner.shutdown(10_000)
        store.close()

    return ctx, 1, close


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
        ctx, case_id, close = _context(Path(work))
        try:
            for language in languages:
                translations.apply(language)
                shots += _detail_shots(folder / language, ctx, case_id)
        finally:
            translations.apply("en")
            close()
    return shots


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="doorstep-ladder-"))
    for path in render(folder.resolve()):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
