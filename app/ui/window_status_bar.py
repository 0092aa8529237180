"""The main window's status bar: connectivity, the last sync and how many records wait to upload,
refreshed after each sync, each saved change and every half minute.

A part of `MainWindow` (app/ui/main_window.py); its strings are the window's ("MainWindow" context).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from .context import UiContext

STATUS_REFRESH_MS = 30_000


class WindowStatusBar:
    """The three readings on the right of the status bar and the timer that refreshes them. The pending
    count's words are `MainWindow.pending_text` (a plural, which the translation tools read only from the
    window's own class)."""

    ctx: UiContext | None
    connectivity_label: QLabel
    last_sync_label: QLabel
    pending_label: QLabel

    def _build_status_bar(self) -> None:
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        bar = self.statusBar()
        self.connectivity_label = QLabel(self)
        self.last_sync_label = QLabel(self)
        self.pending_label = QLabel(self)
        for label in (self.connectivity_label, self.last_sync_label, self.pending_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setContentsMargins(10, 0, 10, 0)
            bar.addPermanentWidget(label)

    def _show_connectivity(self) -> None:
        if self.ctx is None:
            return
        state = self.ctx.sync.connectivity()
        text = {"online": QCoreApplication.translate("MainWindow", "● Online"),
                "offline": QCoreApplication.translate("MainWindow", "○ Offline"),
                "unconfigured": QCoreApplication.translate("MainWindow", "○ No head office configured")}
        self.connectivity_label.setText(text.get(state, state))

    def refresh_status(self) -> None:
        if self.ctx is None:
            return
        self._show_connectivity()
        from app.services.workspace import last_sync, pending_count

        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: (pending_count(store), last_sync(store)))
        task.then(self, succeeded=self._show_status)

    def _show_status(self, result: tuple[int, str | None]) -> None:
        pending, last = result
        self.pending_label.setText(self.pending_text(pending))
        when = last[:16].replace("T", " ") if last else QCoreApplication.translate("MainWindow", "never")
        self.last_sync_label.setText(QCoreApplication.translate("MainWindow", "Last sync: %1").replace("%1", when))
        self.statusRefreshed.emit()
