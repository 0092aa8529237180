"""Open a visit's recording from head office (Approvals room): fetched and checked in the background, then
handed to the system's player with `QDesktopServices.openUrl`.

The copy lives in `<cache>/viewing` (private) only while it is viewed: the next opening wipes it, and
so does quitting the app (in the background, like every disk write here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton, QWidget
from shiboken6 import isValid

from .context import UiContext


class EvidenceOpenButton(QPushButton):
    """'Open recording' for the selected item; hidden when the item names no recording."""

    handedOver = Signal(object)  # the Path given to the system's player
    failed = Signal(str)

    def __init__(self, ctx: UiContext, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setText(self.tr("Open &recording"))
        self.setToolTip(self.tr("Fetch the visit's recording from head office, check it and play it"))
        self.ctx = ctx
        self.sync = sync
        self.sha256: str | None = None
        self.folder = ctx.cache_dir / "viewing"
        self.hide()
        self.clicked.connect(self.open_recording)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.wipe)

    def set_sha256(self, sha256: object) -> None:
        self.sha256 = sha256 if isinstance(sha256, str) and len(sha256) == 64 else None
        self.setVisible(self.sha256 is not None)
        self.setEnabled(self.sha256 is not None)

    def open_recording(self) -> None:
        sha, folder = self.sha256, self.folder
        call = getattr(self.sync, "call", None)
        if sha is None:
            return
        if call is None:
            self.failed.emit(self.tr("No head office is configured."))
            return
        from app.services.evidence_view import fetch_for_viewing

        self.setEnabled(False)
        self.setText(self.tr("Fetching the recording…"))
        button = self

        def done(path: Path) -> None:
            if isValid(button):
                self._done()
                self.hand_over(path)

        def failed(exc: Exception) -> None:
            if isValid(button):
                self._done()
                self.failed.emit(self.tr("The recording could not be opened: %1").replace("%1", str(exc)[:300]))

        call(lambda client: fetch_for_viewing(client, sha, folder), done, failed)

    def _done(self) -> None:
        self.setText(self.tr("Open &recording"))
        self.setEnabled(self.sha256 is not None)

    def hand_over(self, path: Path) -> None:
        """Give the checked copy to the system's player (outside Doorstep from here on)."""
        self.handedOver.emit(path)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.failed.emit(self.tr("No program on this computer opens %1.").replace("%1", path.name))

    def wipe(self) -> None:
        from app.services.evidence_view import wipe_viewing

        folder = self.folder
        self.ctx.runner.submit(lambda: wipe_viewing(folder))
