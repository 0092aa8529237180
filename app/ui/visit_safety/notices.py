"""Colleagues nearby: while the user is signed in to head office (agents and supervisors alike) the window
asks for new window notices every `POLL_MS` (in the background, through `HeadOfficeSync.call`). A red
alarm of a colleague nearby (`nearby_alarm`) is shown at once in a red message box that does not block
the window, with a tray message and a sound. The first poll, and then every few minutes, also refreshes
what head office says about the user's safety (policy, contacts, PIN state, an open session).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from .control import VisitControl

log = logging.getLogger(__name__)

POLL_MS = 10_000
REFRESH_EVERY = 30  # polls: the safety facts are refreshed on the first poll and every 5 minutes


def fetch(desk: Any, client: Any, refresh: bool) -> tuple[bool, list[Any]]:
    from app.sync.safety_client import SafetyApi

    api = SafetyApi(client)
    if refresh:
        desk.refresh(api)
    return refresh, desk.fetch_notices(api)


class NoticeWatcher(QObject):
    noticeShown = Signal(object)  # NoticeView shown to the user

    def __init__(self, control: VisitControl, window: QWidget):
        super().__init__(control)
        self.control = control
        self.window = window
        self.boxes: list[QMessageBox] = []
        self._polls = 0
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        QTimer.singleShot(0, self, self.poll)

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        sync = self.control.ctx.sync
        call = getattr(sync, "call", None)
        if call is None or self._busy or getattr(sync, "paused", False) or getattr(sync, "signed_in", None) is False \
                or getattr(sync, "account", None) is None:
            return
        refresh = self._polls % REFRESH_EVERY == 0
        self._polls += 1
        self._busy = True
        desk = self.control.desk
        call(lambda client: fetch(desk, client, refresh), self._fetched, self._failed)

    def _fetched(self, result: tuple[bool, list[Any]]) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        refreshed, notices = result
        for notice in notices:
            if notice.kind == "nearby_alarm":
                self.show_nearby(notice)
            elif notice.kind == "info":
                self.control.message.emit(f"{notice.title[:100]}: {notice.text[:300]}")
        if refreshed:
            self.control.refresh()

    def _failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        log.debug("notices not fetched: %s", type(exc).__name__)

    def show_nearby(self, notice: Any) -> QMessageBox:
        title = self.tr("A colleague nearby raised an alarm")
        text = notice.title[:200] + ("\n" + notice.text[:600] if notice.text else "")
        box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("nearbyAlarm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setStyleSheet("#nearbyAlarm { background: #b71c1c; } #nearbyAlarm QLabel { color: #ffffff; "
                          "font-weight: bold; font-size: 12pt; }")
        box.button(QMessageBox.StandardButton.Ok).setText(self.tr("Seen"))
        box.show()
        self.boxes = [b for b in self.boxes if shiboken6.isValid(b)] + [box]
        self.control.alerter.alert(title, text, critical=True)
        self.noticeShown.emit(notice)
        return box
