"""Resolving a safety alarm on the supervisor's board: what happened (agent safe, partner reached, police
called, false alarm) and a note. `resolveRequested(outcome, note)` asks the board to send it (in the
background); a refusal is shown in the dialog, which stays open."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .board_model import kind_text, outcome_text
from .pin_dialogs import error_label

OUTCOMES = ("agent_safe", "partner_reached", "police_called", "false_alarm")
NOTE_MAX = 2000  # as the contract's ResolveNote


class ResolveDialog(QDialog):
    resolveRequested = Signal(str, str)  # outcome, note

    def __init__(self, alarm: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.alarm = alarm
        self.setWindowTitle(self.tr("Resolve the alarm"))
        self.setMinimumWidth(480)
        about = QLabel(f"{kind_text(alarm.kind)} · {alarm.agent_name[:60]} · {(alarm.case_number or '—')[:40]} · "
                       f"{(alarm.address or '')[:160]}", self)
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setWordWrap(True)
        about.setStyleSheet("font-weight: bold;")
        question = QLabel(self.tr("What happened?"), self)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addWidget(question)
        for outcome in OUTCOMES:
            button = QRadioButton(outcome_text(outcome).capitalize(), self)
            self.group.addButton(button)
            self.choices[outcome] = button
            lay.addWidget(button)
        self.choices["agent_safe"].setChecked(True)
        note_label = QLabel(self.tr("&Note (what was done, who was reached):"), self)
        self.note = QPlainTextEdit(self)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(110)
        note_label.setBuddy(self.note)
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Resolve"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(note_label)
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def outcome(self) -> str:
        for outcome, button in self.choices.items():
            if button.isChecked():
                return outcome
        return "agent_safe"

    def submit(self) -> None:
        note = self.note.toPlainText().strip()
        if len(note) > NOTE_MAX:
            self.show_problem(self.tr("The note is too long: %1 characters at most.").replace("%1", str(NOTE_MAX)))
            return
        self.error.hide()
        self.buttons.setEnabled(False)
        self.resolveRequested.emit(self.outcome(), note)

    def show_problem(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(text[:500])
        self.error.show()
