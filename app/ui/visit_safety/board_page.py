"""The supervisor's Safety room: the team's open visit sessions and alarms as head office has them now.

The board is asked for every `VISIBLE_MS` while the room is in view and every `HIDDEN_MS` while it is
not (so a new alarm is still noticed: a sound and a tray message when the window is not the active one),
always in the background through `HeadOfficeSync.call`. The status line says when the board was last
updated and how long the refresh took, from the poll's start to the tables updated. Acknowledge takes
the selected alarm on (someone else's acknowledgement: "Acknowledged by NAME"); Resolve closes it with
what happened and a note, then offers a safety note on the case (the case detail's own dialog) when
the case is on this laptop.
"""

from __future__ import annotations

import time
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPen, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import local

from ..context import UiContext
from .alerts import Alerter
from .board_model import AlarmsModel, SessionsModel, kind_text
from .pin_dialogs import refusal_text
from .resolve_dialog import ResolveDialog

# Head office sweeps every second; a poll every 3 s with the room out of view keeps "due → sound and tray
# message" within the 5 s the board must meet (sweep ≤ 1 s + poll ≤ 3 s + the request), in view within 3 s.
VISIBLE_MS = 2_000
HIDDEN_MS = 3_000


def fetch_board(client: Any) -> Any:
    from app.services.safety_board import board
    from app.sync.safety_client import SafetyApi

    return board(SafetyApi(client))


class FramedSelection(QStyledItemDelegate):
    """A selected row keeps its red or amber (an alarm's level must stay readable): a black frame above and
    below marks the selection instead of the highlight colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        plain = QStyleOptionViewItem(option)
        if selected:
            plain.state = plain.state & ~QStyle.StateFlag.State_Selected
        super().paint(painter, plain, index)
        if selected:
            painter.save()
            painter.setPen(QPen(QColor("#000000"), 3))
            rect = option.rect
            painter.drawLine(rect.left(), rect.top() + 1, rect.right(), rect.top() + 1)
            painter.drawLine(rect.left(), rect.bottom() - 1, rect.right(), rect.bottom() - 1)
            painter.restore()


def _table(parent: QWidget, model: Any, name: str) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.setItemDelegate(FramedSelection(table))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class SafetyBoardPage(QWidget):
    boardShown = Signal(object)  # BoardResponse, once the tables show it
    newAlarms = Signal(list)  # AlarmOut not seen before (raised)
    actionDone = Signal(str)  # what the last acknowledge / resolve said
    dialogOpened = Signal(object)

    def __init__(self, ctx: UiContext, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.board: Any = None
        self.seen: set[int] = set()
        self.last_refresh_ms: float | None = None
        self._polling = False
        self.alerter = Alerter(self.window() if parent is not None else self, self)
        self.title = QLabel(self.tr("Safety board"), self)
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.status = QLabel(self)
        self.status.setObjectName("boardStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.sessions = SessionsModel(ctx.zone, self)
        self.alarms = AlarmsModel(ctx.zone, self)
        self.sessions_table = _table(self, self.sessions, self.tr("Open visits"))
        self.alarms_table = _table(self, self.alarms, self.tr("Alarms"))
        self.sessions_title = QLabel(self)
        self.alarms_title = QLabel(self)
        self.ack_button = QPushButton(self.tr("&Acknowledge"), self)
        self.ack_button.setToolTip(self.tr("Take this alarm on: the ladder stops calling the next contact"))
        self.resolve_button = QPushButton(self.tr("Re&solve…"), self)
        self.action_status = QLabel(self)
        self.action_status.setObjectName("boardAction")
        self.action_status.setTextFormat(Qt.TextFormat.PlainText)
        self.action_status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.ack_button)
        top.addWidget(self.resolve_button)
        upper = QWidget(self)
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addWidget(self.alarms_title)
        ul.addWidget(self.alarms_table, 1)
        lower = QWidget(self)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.sessions_title)
        ll.addWidget(self.sessions_table, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.action_status)
        lay.addWidget(split, 1)
        self.ack_button.clicked.connect(self.acknowledge)
        self.resolve_button.clicked.connect(self.resolve)
        self.alarms_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.timer = QTimer(self)
        self.timer.setInterval(HIDDEN_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self._titles()
        self._update_buttons()
        QTimer.singleShot(0, self, self.poll)

    # -- polling ---------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.setInterval(VISIBLE_MS)
        self.poll()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.setInterval(HIDDEN_MS)

    def poll(self) -> None:
        call = getattr(self.sync, "call", None)
        if call is None:
            self._say_status(self.tr("No head office is configured: the board needs head office."), error=True)
            return
        if self._polling or getattr(self.sync, "paused", False) or getattr(self.sync, "signed_in", None) is False:
            return  # not signed in: the board waits for the sign-in (no prompt from a poll)
        self._polling = True
        self._started = time.perf_counter()
        call(fetch_board, self._polled, self._poll_failed)

    def _polled(self, response: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self._polling = False
        self.show_board(response, self._started)

    def show_board(self, response: Any, started: float | None = None) -> None:
        """Put a BoardResponse in the tables; `started` (perf_counter at the poll's start) times the refresh."""
        selected = self._selected_alarm()
        self.board = response
        self.sessions.set_rows(response.sessions)
        self.alarms.set_rows(response.alarms)
        self._titles()
        if selected is not None:
            self._select_alarm(selected.id)
        self._update_buttons()
        fresh = [a for a in response.alarms if a.state == "raised" and a.id not in self.seen]
        self.seen.update(a.id for a in response.alarms)
        if fresh:
            self._new_alarms(fresh)
        at = local(response.server_time, self.ctx.zone).strftime("%H:%M:%S")
        if started is not None:
            self.last_refresh_ms = (time.perf_counter() - started) * 1000
            self._say_status(self.tr("Updated %1 · refresh took %2 ms").replace("%1", at).replace(
                "%2", f"{self.last_refresh_ms:.0f}"))
        else:
            self._say_status(self.tr("Updated %1").replace("%1", at))
        self.boardShown.emit(response)

    def _poll_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._polling = False
        had = ""
        if self.board is not None:
            had = " " + self.tr("The board shows what head office said at %1.").replace(
                "%1", local(self.board.server_time, self.ctx.zone).strftime("%H:%M:%S"))
        self._say_status(self.tr("Head office cannot be asked now: %1").replace("%1", refusal_text(exc)) + had,
                         error=True)

    def _say_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b71c1c; font-weight: bold;" if error else "color: #37474f;")
        self.status.setText(text)

    def _titles(self) -> None:
        self.sessions_title.setText(self.tr("Open visits: %1").replace("%1", str(self.sessions.rowCount())))
        open_alarms = sum(1 for a in self.alarms.rows if a.state != "resolved")
        self.alarms_title.setText(self.tr("Alarms: %1 open").replace("%1", str(open_alarms)))
        self.alarms_title.setStyleSheet("color: #b71c1c; font-weight: bold;" if open_alarms else "")

    def _new_alarms(self, fresh: list[Any]) -> None:
        window = self.window()
        if not window.isActiveWindow():
            first = fresh[0]
            title = self.tr("Safety alarm: %1").replace("%1", kind_text(first.kind))
            text = f"{first.agent_name[:60]} · {(first.case_number or '')[:40]} · {(first.address or '')[:120]}"
            self.alerter.alert(title, text, critical=first.level == "red")
        self.newAlarms.emit(fresh)

    # -- acting on an alarm ----------------------------------------------------------------------------
    def _selected_alarm(self) -> Any:
        index = self.alarms_table.selectionModel().currentIndex()
        return self.alarms.alarm_at(index.row()) if index.isValid() else None

    def _select_alarm(self, alarm_id: int) -> None:
        for row, a in enumerate(self.alarms.rows):
            if a.id == alarm_id:
                self.alarms_table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        a = self._selected_alarm()
        self.ack_button.setEnabled(a is not None and a.state == "raised")
        self.resolve_button.setEnabled(a is not None and a.state != "resolved")

    def _act(self, text: str, error: bool = False) -> None:
        self.action_status.setStyleSheet("color: #b71c1c; font-weight: bold;" if error else "color: #1b5e20;")
        self.action_status.setText(text)
        self.actionDone.emit(text)

    def acknowledge(self) -> None:
        alarm = self._selected_alarm()
        call = getattr(self.sync, "call", None)
        if alarm is None or call is None:
            return
        self.ack_button.setEnabled(False)
        alarm_id = alarm.id

        def work(client: Any) -> Any:
            from app.services.safety_board import acknowledge
            from app.sync.safety_client import SafetyApi

            return acknowledge(SafetyApi(client), alarm_id)

        call(work, self._acknowledged, self._ack_failed)

    def _acknowledged(self, alarm: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self._act(self.tr("You acknowledged the alarm of %1.").replace("%1", alarm.agent_name[:60]))
        self.poll()

    def _ack_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        from app.services.safety_board import AlreadyAcknowledged

        if isinstance(exc, AlreadyAcknowledged):
            self._act(self.tr("Acknowledged by %1").replace("%1", (exc.by_name or self.tr("another supervisor"))[:60]),
                      error=True)
        else:
            self._act(self.tr("Not acknowledged: %1").replace("%1", refusal_text(exc)), error=True)
        self._update_buttons()
        self.poll()

    def resolve(self) -> ResolveDialog | None:
        alarm = self._selected_alarm()
        if alarm is None:
            return None
        dialog = ResolveDialog(alarm, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolveRequested.connect(lambda outcome, note: self._resolve(dialog, alarm, outcome, note))
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _resolve(self, dialog: ResolveDialog, alarm: Any, outcome: str, note: str) -> None:
        call = getattr(self.sync, "call", None)
        if call is None:
            dialog.show_problem(self.tr("No head office is configured."))
            return
        alarm_id = alarm.id

        def work(client: Any) -> Any:
            from app.services.safety_board import resolve
            from app.sync.safety_client import SafetyApi

            return resolve(SafetyApi(client), alarm_id, outcome, note)

        call(work, lambda done: self._resolved(dialog, done),
             lambda exc: dialog.show_problem(refusal_text(exc)) if shiboken6.isValid(dialog) else None)

    def _resolved(self, dialog: ResolveDialog, alarm: Any) -> None:
        if shiboken6.isValid(dialog):
            dialog.accept()
        if not shiboken6.isValid(self):
            return
        self._act(self.tr("The alarm of %1 is resolved.").replace("%1", alarm.agent_name[:60]))
        self.poll()
        if alarm.case_id is not None:
            self.offer_safety_note(alarm)

    def offer_safety_note(self, alarm: Any) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Add a safety note?"),
                          self.tr("Add a safety note to this case? (e.g. threatened, a dog, locked in)"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Add a safety note…"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Not now"))
        case_id = int(alarm.case_id)
        box.accepted.connect(lambda: self.open_safety_note(case_id))
        self.dialogOpened.emit(box)
        box.open()
        return box

    def open_safety_note(self, case_id: int) -> None:
        """The case detail's safety-note dialog for the case, when the case is on this laptop."""
        from app.services.workspace import load_case_detail

        store, now = self.ctx.store, self.ctx.now()
        task = self.ctx.runner.submit(lambda: load_case_detail(store, case_id, now))
        task.then(self, succeeded=self._note_for, failed=lambda _exc: self._act(
            self.tr("The case is not on this laptop: add the note on the agent's laptop."), error=True))

    def _note_for(self, detail: Any) -> None:
        from ..safety_dialog import SafetyNoteDialog

        dialog = SafetyNoteDialog(self.ctx, detail, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogOpened.emit(dialog)
        dialog.open()
