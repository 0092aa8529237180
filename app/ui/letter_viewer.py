"""A lawyer's letter from the case timeline, shown as its PDF's pages (read-only).

`LetterOpener.open(sha256, title)` does everything off the GUI thread: it looks for the letter kept on this
laptop (sealed like evidence) and renders its pages from memory; when it is not here it asks head office
through the sync controller's `call` (the sync client's attachment download, which keeps it sealed for next
time) and renders what came. `opened` then gives a `LetterViewer` (pages as images; nothing in it changes the
ladder), `failed` a message in the user's words: offline without a kept copy, no head office, not a PDF.

"Open in the system's viewer" writes a private copy to `<cache>/viewing` (0700/0600, wiped by the next
opening and when the app quits, as recordings are) and hands it to the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget
from shiboken6 import isValid

from .context import UiContext

PAGE_DPI = 90.0
MAX_PAGES = 12


@dataclass(frozen=True)
class LetterPages:
    sha256: str
    data: bytes
    images: list[QImage]
    pages: int
    kept: bool  # sealed on this laptop (opens offline)


def _render(sha256: str, data: bytes, kept: bool) -> LetterPages:
    from .pdf_pages import render_pdf_data

    images = render_pdf_data(data, dpi=PAGE_DPI, first=0, count=MAX_PAGES)
    return LetterPages(sha256, data, images, len(images), kept)


def _from_laptop(store: Any, folder: Path | None, key: Any, sha256: str) -> LetterPages | None:
    from app.services.ladder_letters import cached_letter

    data = cached_letter(store, folder, key, sha256)
    return None if data is None else _render(sha256, data, True)


def _from_head_office(client: Any, store: Any, folder: Path | None, key: Any, sha256: str) -> LetterPages:
    from app.services.ladder_letters import fetch_letter

    data = fetch_letter(client, store, sha256, folder, key)
    return _render(sha256, data, folder is not None and key is not None)


class LetterViewer(QDialog):
    """The letter's pages, its timeline line as the title, and a way to the system's viewer."""

    handedOver = Signal(object)  # the Path given to the system's viewer
    failed = Signal(str)

    def __init__(self, ctx: UiContext, title: str, letter: LetterPages, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.letter = letter
        self.folder = ctx.cache_dir / "viewing"
        self.setWindowTitle(self.tr("Lawyer's letter"))
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # head office's words: never markup
        self.title.setWordWrap(True)
        self.title.setText(title)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setText(self.tr("Kept on this laptop, encrypted: it opens offline too.") if letter.kept
                          else self.tr("Shown from head office; not kept on this laptop."))
        self.pages = QWidget(self)
        pages = QVBoxLayout(self.pages)
        pages.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        for image in letter.images:
            page = QLabel(self.pages)
            page.setPixmap(QPixmap.fromImage(image))
            page.setStyleSheet("border: 1px solid #999; background: white;")
            pages.addWidget(page)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        scroll.setAccessibleName(self.tr("The letter's pages"))
        self.system_button = QPushButton(self.tr("Open in the &system's PDF viewer"), self)
        self.close_button = QPushButton(self.tr("&Close"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.system_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.note)
        lay.addWidget(scroll, 1)
        lay.addLayout(buttons)
        self.system_button.clicked.connect(self.open_in_system_viewer)
        self.close_button.clicked.connect(self.accept)
        width = max((i.width() for i in letter.images), default=600)
        self.resize(min(width + 90, 1100), 900)

    def open_in_system_viewer(self) -> None:
        from app.services.evidence_view import write_for_viewing

        data, folder, stem = self.letter.data, self.folder, f"letter-{self.letter.sha256[:12]}"
        self.system_button.setEnabled(False)
        task = self.ctx.runner.submit(lambda: write_for_viewing(data, folder, stem))
        task.then(self, succeeded=self._hand_over, failed=self._not_written)

    def _hand_over(self, path: Path) -> None:
        self.system_button.setEnabled(True)
        self.handedOver.emit(path)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.failed.emit(self.tr("No program on this computer opens %1.").replace("%1", path.name))

    def _not_written(self, exc: BaseException) -> None:
        self.system_button.setEnabled(True)
        self.failed.emit(self.tr("The letter could not be handed to the system's viewer: %1")
                         .replace("%1", str(exc)[:300]))


class LetterOpener(QObject):
    """Finds a letter's PDF (here, else at head office) in the background and opens a `LetterViewer`."""

    opened = Signal(object)  # LetterViewer
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, ctx: UiContext, parent: QWidget):
        super().__init__(parent)
        self.ctx = ctx
        self.owner = parent
        self.busy: str | None = None  # the sha256 being opened
        self.title = ""
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.wipe)

    def open(self, sha256: str, title: str) -> None:
        if self.busy is not None:
            return
        self.busy, self.title = sha256, title
        self.busyChanged.emit(True)
        store, folder, key = self.ctx.store, self.ctx.evidence_folder, self.ctx.current_evidence_key()
        task = self.ctx.runner.submit(lambda: _from_laptop(store, folder, key, sha256))
        task.then(self, succeeded=self._looked_here, failed=self._failed)

    def _looked_here(self, letter: LetterPages | None) -> None:
        if letter is not None:
            self._show(letter)
            return
        sha = self.busy
        call = getattr(self.ctx.sync, "call", None)
        if sha is None:
            return
        if call is None:
            self._end(self.tr("The letter's PDF is not on this laptop, and no head office is set up to fetch "
                              "it from."))
            return
        store, folder, key = self.ctx.store, self.ctx.evidence_folder, self.ctx.current_evidence_key()
        opener = self

        def done(letter: LetterPages) -> None:
            if isValid(opener):
                self._show(letter)

        def failed(exc: Exception) -> None:
            if isValid(opener):
                self._failed(exc)

        call(lambda client: _from_head_office(client, store, folder, key, sha), done, failed)

    def _show(self, letter: LetterPages) -> None:
        self.busy = None
        self.busyChanged.emit(False)
        viewer = LetterViewer(self.ctx, self.title, letter, self.owner)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.opened.emit(viewer)
        viewer.open()

    def _failed(self, exc: BaseException) -> None:
        self._end(self.explain(exc))

    def _end(self, message: str) -> None:
        self.busy = None
        self.busyChanged.emit(False)
        self.failed.emit(message)

    def explain(self, exc: BaseException) -> str:
        """Why the letter cannot be shown, in the user's words."""
        from app.services.ladder_letters import LetterError
        from app.sync.errors import AuthError, ProtocolError, ServerUnavailable

        if isinstance(exc, ServerUnavailable):
            return self.tr("The letter's PDF is not on this laptop yet, and head office cannot be reached. "
                           "It opens once the laptop is online.")
        if isinstance(exc, AuthError):
            return self.tr("Sign in to head office to fetch the letter's PDF.")
        if isinstance(exc, ProtocolError) and exc.status_code == 404:
            return self.tr("Head office has no PDF for this letter that you may read.")
        if isinstance(exc, LetterError) and exc.reason == "not_pdf":
            return self.tr("The file head office keeps for this letter is not a PDF; it was not opened.")
        return self.tr("The letter's PDF could not be opened: %1").replace("%1", str(exc)[:300])

    def wipe(self) -> None:
        from app.services.evidence_view import wipe_viewing

        folder = self.ctx.cache_dir / "viewing"
        self.ctx.runner.submit(lambda: wipe_viewing(folder))
