"""The visit banner: a strip across the top of the window while a visit session is open, in every room.

It shows the case number and address, a large countdown (mm:ss, from the session's `due_at` and the
injected clock: nothing is read from disk), +15 / +30, "Check out: safe" and a red SOS. Overdue, the
strip turns amber and counts up. Five minutes before the end it reminds the agent once (`reminded`;
the window adds the tray message and the sound) and flashes; an extension moves the end, so the next
end is reminded again. When head office does not know about the visit, a red line says so with the
reason and the names and phone numbers to call. At the day's end it asks for "Back safe for today".

`tick()` is what the 1-second timer calls; tests call it themselves with a clock they move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.domain.safety import EXTEND_CHOICES, REMIND_BEFORE

NORMAL = "#1f3a4d"
AMBER = "#ffb300"
FLASH = "#fff176"
RED = "#b71c1c"
FLASH_TICKS = 12  # the reminder flashes the strip for this many seconds


def countdown_text(seconds: int) -> str:
    """mm:ss left, or +mm:ss past the end (minutes may pass 99)."""
    sign = "+" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"


class VisitBanner(QFrame):
    extendRequested = Signal(int)
    checkOutRequested = Signal()
    sosRequested = Signal()
    backSafeRequested = Signal()
    reminded = Signal(str, int)  # the session's local id, the seconds left when reminded

    def __init__(self, clock: Callable[[], datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("visitBanner")
        self.clock = clock
        self.view: Any = None  # app.services.visits.VisitView
        self.knows = True
        self.problem: str | None = None
        self.contacts: Sequence[Any] = ()
        self.day_end_due = False
        self.overdue = False
        self._reminded_for: set[tuple[str, datetime]] = set()
        self._flash = 0
        self._flashing = False
        self.setAccessibleName(self.tr("Visit in progress"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.title = QLabel(self)
        self.title.setObjectName("visitTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.countdown = QLabel(self)
        self.countdown.setObjectName("visitCountdown")
        self.countdown.setTextFormat(Qt.TextFormat.PlainText)
        big = QFont(self.font())
        big.setPointSize(max(20, big.pointSize() * 2))
        big.setBold(True)
        big.setStyleHint(QFont.StyleHint.Monospace)
        self.countdown.setFont(big)
        self.countdown.setMinimumWidth(self.countdown.fontMetrics().horizontalAdvance("+000:00") + 12)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.countdown.setAccessibleName(self.tr("Time left"))
        self.state = QLabel(self)
        self.state.setObjectName("visitState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.extend_buttons = [QPushButton(f"+{m}", self) for m in EXTEND_CHOICES]
        for minutes, button in zip(EXTEND_CHOICES, self.extend_buttons, strict=True):
            button.clicked.connect(lambda _c=False, m=minutes: self.extendRequested.emit(m))
        self.check_out_button = QPushButton(self)
        self.check_out_button.setObjectName("checkOutButton")
        self.check_out_button.clicked.connect(self.checkOutRequested)
        self.sos_button = QPushButton(self)
        self.sos_button.setObjectName("sosButton")
        self.sos_button.clicked.connect(self.sosRequested)
        self.offline = QLabel(self)
        self.offline.setObjectName("visitOffline")
        self.offline.setTextFormat(Qt.TextFormat.PlainText)
        self.offline.setWordWrap(True)
        self.offline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offline.hide()
        self.day_end = QLabel(self)
        self.day_end.setObjectName("visitDayEnd")
        self.day_end.setTextFormat(Qt.TextFormat.PlainText)
        self.day_end.setWordWrap(True)
        self.back_safe_button = QPushButton(self)
        self.back_safe_button.clicked.connect(self.backSafeRequested)

        self.visit_row = QWidget(self)
        row = QHBoxLayout(self.visit_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title, 1)
        row.addWidget(self.state)
        row.addWidget(self.countdown)
        for button in (*self.extend_buttons, self.check_out_button, self.sos_button):
            row.addWidget(button)
        self.day_row = QWidget(self)
        day = QHBoxLayout(self.day_row)
        day.setContentsMargins(0, 0, 0, 0)
        day.addWidget(self.day_end, 1)
        day.addWidget(self.back_safe_button)
        self.day_row.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(4)
        lay.addWidget(self.visit_row)
        lay.addWidget(self.offline)
        lay.addWidget(self.day_row)

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.retranslate()
        self._restyle()
        self.hide()

    # -- what it shows ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.check_out_button.setText(self.tr("Check out: safe"))
        self.sos_button.setText(self.tr("SOS"))
        self.sos_button.setToolTip(self.tr("Send an SOS to head office (Ctrl+Alt+S, from every room)"))
        for minutes, button in zip(EXTEND_CHOICES, self.extend_buttons, strict=True):
            button.setToolTip(self.tr("Add %1 minutes to the visit").replace("%1", str(minutes)))
        self.day_end.setText(self.tr("Your day's visits are over: tell head office you are back safe."))
        self.back_safe_button.setText(self.tr("Back safe for today"))
        self._show_visit()

    def set_visit(self, view: Any) -> None:
        """The open session (app.services.visits.VisitView), or None when there is none."""
        self.view = view
        if view is not None:
            self.knows = bool(view.head_office_knows)
            self.problem = view.problem
            self.contacts = tuple(view.contacts)
        self._show_visit()
        self._update_visibility()
        self.tick()

    def set_delivery(self, knows: bool, problem: str | None, contacts: Sequence[Any] | None = None) -> None:
        """What the last delivery attempt learnt: whether head office knows about the visit, and why not."""
        self.knows = knows
        self.problem = problem
        if contacts is not None:
            self.contacts = tuple(contacts)
        self._show_offline()
        self._restyle()

    def set_day_end_due(self, due: bool) -> None:
        self.day_end_due = due
        self.day_row.setVisible(due)
        self._update_visibility()

    def _update_visibility(self) -> None:
        active = self.view is not None or self.day_end_due
        self.visit_row.setVisible(self.view is not None)
        self.setVisible(active)
        if self.view is not None and not self.timer.isActive():
            self.timer.start()
        elif self.view is None:
            self.timer.stop()

    def _show_visit(self) -> None:
        v = self.view
        if v is None:
            self.title.clear()
            self.offline.hide()
            return
        partner = (" · " + self.tr("with %1").replace("%1", v.partner_name)) if v.partner_name else ""
        self.title.setText(self.tr("At the door: %1 · %2").replace("%1", v.case_number[:40]).replace(
            "%2", v.address[:160]) + partner[:80])
        self._show_offline()

    def _show_offline(self) -> None:
        if self.view is None or self.knows:
            self.offline.hide()
            return
        text = self.tr("Head office does not know you are at this door")
        if self.problem:
            text += ": " + self.problem[:300]
        calls = contacts_text(self.contacts)
        if calls:
            text += "\n" + self.tr("Call if you need help: %1").replace("%1", calls)
        self.offline.setText(text)
        self.offline.show()

    # -- the clock ---------------------------------------------------------------------------------
    def seconds_left(self) -> int | None:
        return None if self.view is None else int(self.view.seconds_left(self.clock()))

    def tick(self) -> None:
        left = self.seconds_left()
        if left is None:
            return
        self.countdown.setText(countdown_text(left))
        overdue = left < 0
        self.state.setText(self.tr("overdue") if overdue else self.tr("left"))
        key = (self.view.local_id, self.view.due_at)
        if left <= REMIND_BEFORE.total_seconds() and key not in self._reminded_for:
            self._reminded_for.add(key)
            self._flash = FLASH_TICKS
            self.reminded.emit(self.view.local_id, left)
        elif self._flash > 0:
            self._flash -= 1
        flashing = self._flash > 0 and self._flash % 2 == 1
        if overdue != self.overdue or flashing != self._flashing:
            self.overdue, self._flashing = overdue, flashing
            self._restyle()

    def _restyle(self) -> None:
        flashing = self._flashing
        background = FLASH if flashing else AMBER if self.overdue else NORMAL
        text = "#000000" if flashing or self.overdue else "#ffffff"
        self.setStyleSheet(
            f"#visitBanner {{ background: {background}; border-bottom: 2px solid #000000; }}"
            f"#visitTitle, #visitState, #visitCountdown, #visitDayEnd {{ color: {text}; }}"
            f"#visitOffline {{ background: {RED}; color: #ffffff; font-weight: bold; padding: 4px 6px; }}"
            "#sosButton { background: #c62828; color: #ffffff; font-weight: bold; padding: 4px 14px; "
            "border: 1px solid #7f0000; border-radius: 3px; }"
            "#checkOutButton { font-weight: bold; }")


def contacts_text(contacts: Sequence[Any]) -> str:
    """"Partner 李四 138…; Supervisor 王芳 139…": the people to call (app.services.visits.ContactView)."""
    roles = {"partner": QCoreApplication.translate("VisitSafety", "Partner"),
             "supervisor": QCoreApplication.translate("VisitSafety", "Supervisor"),
             "contact": QCoreApplication.translate("VisitSafety", "Contact")}
    parts = []
    for c in contacts[:6]:
        phone = c.phone or QCoreApplication.translate("VisitSafety", "no phone number")
        parts.append(f"{roles.get(c.role, roles['contact'])} {c.name[:40]} {phone[:32]}")
    return "; ".join(parts)
