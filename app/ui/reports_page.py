"""The Reports page: print today's visit sheet or the selected case's report, and preview the PDF.

Building the PDF (reportlab) and rasterising its pages (QtPdf) both run in the background worker;
the preview shows each page as an image. A visit sheet carries names and addresses in the clear, so
the files never go into the data folder (whose every other byte is encrypted): they go to the folder
set in the settings, else the user's documents folder (`reports_folder`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from .context import UiContext

PREVIEW_DPI = 60.0
MAX_PREVIEW_PAGES = 6


def reports_folder(configured: str, data_dir: Path) -> Path:
    """The folder for the Reports page's PDFs: the configured one, unless it lies in the data folder
    (then, like an empty setting, `<documents>/Doorstep`)."""
    data = data_dir.resolve()
    if configured:
        chosen = Path(configured).expanduser().resolve()
        if chosen != data and data not in chosen.parents:
            return chosen
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return (Path(documents) if documents else Path.home()) / "Doorstep"


def _build_and_render(build: Callable[[Path], Any], out: Path) -> tuple[Path, int, list[QImage]]:
    """Worker side: build the PDF, then rasterise its first pages for the preview."""
    from .pdf_pages import render_pdf_pages

    out.parent.mkdir(parents=True, exist_ok=True)
    built = build(out)
    images = render_pdf_pages(out, dpi=PREVIEW_DPI, first=0, count=MAX_PREVIEW_PAGES)
    return out, int(getattr(built, "pages", len(images))), images


class ReportsPage(QWidget):
    built = Signal(object)  # the PDF's path

    def __init__(self, ctx: UiContext, current_case: Callable[[], int | None], reports_dir: Path,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.current_case = current_case
        self.reports_dir = reports_dir
        self.last: Path | None = None
        self.daily_button = QPushButton(self.tr("Today's &visit sheet"), self)
        self.case_button = QPushButton(self.tr("Report of the selected &case"), self)
        self.open_button = QPushButton(self.tr("&Open the PDF"), self)
        self.open_button.setEnabled(False)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.pages = QWidget(self)
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        scroll.setAccessibleName(self.tr("Preview"))
        buttons = QHBoxLayout()
        for b in (self.daily_button, self.case_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(scroll, 1)
        self.daily_button.clicked.connect(self.daily_sheet)
        self.case_button.clicked.connect(self.case_report)
        self.open_button.clicked.connect(self.open_pdf)

    def _settings(self) -> Any:
        from app.services.reporting import ReportSettings

        lang = "zh" if QLocale().name().startswith("zh") else "en"
        return ReportSettings.default(lang=lang, zone=self.ctx.zone, profile=self.ctx.profile)

    def daily_sheet(self) -> None:
        from app.services.reporting import build_daily_sheet

        store, day, now, agent = self.ctx.store, self.ctx.today(), self.ctx.now(), self.ctx.agent_id
        settings = self._settings()
        out = self.reports_dir / f"visit-sheet-{day.isoformat()}.pdf"
        self._run(lambda path: build_daily_sheet(store, day, path, settings, agent=agent, now=now), out)

    def case_report(self) -> None:
        from app.services.reporting import build_case_report

        case_id = self.current_case()
        if case_id is None:
            self.status.setText(self.tr("Select a case on the Cases page first."))
            return
        store, now = self.ctx.store, self.ctx.now()
        settings = self._settings()
        out = self.reports_dir / f"case-{case_id}.pdf"
        self._run(lambda path: build_case_report(store, case_id, path, settings, now=now), out)

    def _run(self, build: Callable[[Path], Any], out: Path) -> None:
        self.status.setText(self.tr("Making the PDF…"))
        self.daily_button.setEnabled(False)
        self.case_button.setEnabled(False)
        task = self.ctx.runner.submit(lambda: _build_and_render(build, out))
        task.then(self, succeeded=self._show, failed=self._failed)

    def _show(self, result: tuple[Path, int, list[QImage]]) -> None:
        path, pages, images = result
        self.daily_button.setEnabled(True)
        self.case_button.setEnabled(True)
        self.last = path
        self.open_button.setEnabled(True)
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for image in images:
            page = QLabel(self.pages)
            page.setPixmap(QPixmap.fromImage(image))
            page.setStyleSheet("border: 1px solid #999; background: white;")
            self.pages_layout.addWidget(page)
        self.status.setText(self.tr("%1 (%2 page(s)), saved in %3").replace("%1", path.name)
                            .replace("%2", str(pages)).replace("%3", str(path.parent)))
        self.built.emit(path)

    def _failed(self, exc: object) -> None:
        self.daily_button.setEnabled(True)
        self.case_button.setEnabled(True)
        self.status.setText(self.tr("The PDF could not be made: %1").replace("%1", str(exc)[:500]))

    def open_pdf(self) -> None:
        if self.last is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last)))
