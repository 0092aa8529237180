"""The SOS confirmation: a big red "Send SOS now" (the default button: Enter sends) and a 5-second
countdown after which it sends by itself unless Cancel is pressed. Then it says what happened: sent to
head office, or queued because head office cannot be reached, with the phone numbers to call.

`tick()` is what its 1-second timer calls (tests call it themselves); `sendRequested` asks the window
to queue the SOS and deliver it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .banner import contacts_text

AUTO_SEND_SECONDS = 5


class SosDialog(QDialog):
    sendRequested = Signal()
    statusShown = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sosDialog")
        self.setWindowTitle(self.tr("SOS"))
        self.setMinimumWidth(520)
        self.left = AUTO_SEND_SECONDS
        self.sent = False
        self.question = QLabel(self.tr("Send an SOS to head office? Your supervisor and your safety contacts are "
                                       "alerted at once, with your position."), self)
        self.question.setWordWrap(True)
        self.countdown = QLabel(self)
        self.countdown.setObjectName("sosCountdown")
        self.countdown.setTextFormat(Qt.TextFormat.PlainText)
        self.send_button = QPushButton(self.tr("Send SOS now"), self)
        self.send_button.setObjectName("sosSend")
        big = QFont(self.send_button.font())
        big.setPointSize(max(16, int(big.pointSize() * 1.6)))
        big.setBold(True)
        self.send_button.setFont(big)
        self.send_button.setMinimumHeight(64)
        self.send_button.setDefault(True)
        self.send_button.setAutoDefault(True)
        self.send_button.setStyleSheet("#sosSend { background: #c62828; color: #ffffff; border: 2px solid #7f0000; "
                                       "border-radius: 6px; padding: 8px 24px; }"
                                       "#sosSend:focus { border: 3px solid #000000; }")
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAutoDefault(False)
        self.answer = QLabel(self)
        self.answer.setObjectName("sosResult")
        self.answer.setTextFormat(Qt.TextFormat.PlainText)
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer.hide()
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button, 1)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.question)
        lay.addWidget(self.countdown)
        lay.addLayout(buttons)
        lay.addWidget(self.answer)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self._show_left()

    def start(self) -> None:
        self.timer.start()
        self.send_button.setFocus()

    def _show_left(self) -> None:
        self.countdown.setText(self.tr("Sending by itself in %1 s unless you press Cancel.").replace(
            "%1", str(self.left)))

    def tick(self) -> None:
        if self.sent:
            return
        self.left -= 1
        if self.left <= 0:
            self.send()
        else:
            self._show_left()

    def send(self) -> None:
        if self.sent:
            return
        self.sent = True
        self.timer.stop()
        self.send_button.setEnabled(False)
        self.cancel_button.hide()
        self.countdown.hide()
        self._say(self.tr("Sending the SOS…"))
        self.sendRequested.emit()

    def reject(self) -> None:
        if self.sent and not self.close_button.isVisible():
            return  # the SOS is on its way: wait for its answer
        self.timer.stop()
        super().reject()

    def show_sent(self) -> None:
        self._say(self.tr("SOS sent to head office"), "#1b5e20")
        self._finished()

    def show_queued(self, contacts: Sequence[Any], reason: str | None = None) -> None:
        text = self.tr("SOS queued: head office cannot be reached — call:")
        calls = contacts_text(contacts)
        text += "\n" + (calls.replace("; ", "\n") if calls else self.tr("your supervisor (no number on this laptop)"))
        if reason:
            text += "\n" + reason[:300]
        self._say(text, "#b71c1c")
        self._finished()

    def show_failed(self, reason: str) -> None:
        self._say(self.tr("The SOS could not be recorded: %1").replace("%1", reason[:300]), "#b71c1c")
        self.sent = False
        self.send_button.setEnabled(True)
        self.cancel_button.show()

    def _finished(self) -> None:
        self.close_button.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _say(self, text: str, colour: str = "") -> None:
        self.answer.setStyleSheet(f"color: {colour}; font-weight: bold; font-size: 13pt;" if colour
                                  else "font-size: 12pt;")
        self.answer.setText(text)
        self.answer.show()
        self.statusShown.emit(text)
