"""Safety notes (安全提示): add one, edit one (saved as a new version), or expire one with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import SafetyCategory, Severity
from app.domain.validation import OutcomeInvalid
from app.services.safety import SafetyNoteInput, add_safety_note, expire_safety_note
from app.services.workspace import CaseDetail, SafetyLine

from . import labels
from .context import UiContext


def _error(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #c0392b;")
    label.setWordWrap(True)
    label.hide()
    return label


class SafetyNoteDialog(QDialog):
    """Add a note to a case, or (with `note`) save an edited version that replaces it."""

    saved = Signal(str)  # the new note's uid

    def __init__(self, ctx: UiContext, detail: CaseDetail, note: SafetyLine | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.note = note
        self.setWindowTitle((self.tr("Edit safety note — %1") if note else self.tr("Add safety note — %1"))
                            .replace("%1", detail.case_no))
        self.setMinimumWidth(520)
        self.category = QComboBox(self)
        for c in SafetyCategory:
            self.category.addItem(labels.safety_category(c.value), c.value)
        self.severity = QComboBox(self)
        for s in Severity:
            self.severity.addItem(labels.severity(s.value), s.value)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        self.two_person = QCheckBox(self.tr("&Two-person visit required"), self)
        self.do_not_visit = QCheckBox(self.tr("&Do not visit"), self)
        self.on_debtor = QCheckBox(self.tr("Applies to every case of this debtor"), self)
        self.on_debtor.setChecked(True)
        self.has_expiry = QCheckBox(self.tr("E&xpires on:"), self)
        self.expiry = QDateEdit(self)
        self.expiry.setCalendarPopup(True)
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.expiry.setDate(QDate(today.year, today.month, today.day).addDays(90))
        self.expiry.setEnabled(False)
        self.has_expiry.toggled.connect(self.expiry.setEnabled)
        if note is not None:
            self.category.setCurrentIndex(max(0, self.category.findData(note.category)))
            self.severity.setCurrentIndex(max(0, self.severity.findData(note.severity)))
            self.text.setPlainText(note.text)
            self.two_person.setChecked(note.two_person_required)
            self.do_not_visit.setChecked(note.do_not_visit)
        else:
            self.severity.setCurrentIndex(self.severity.findData(Severity.MEDIUM.value))

        self.text_error = _error(self)
        self.expiry_error = _error(self)
        self.status = _error(self)
        form = QFormLayout()
        form.addRow(self.tr("&Category:"), self.category)
        form.addRow(self.tr("Se&verity:"), self.severity)
        text_label = QLabel(self.tr("&What to watch out for:"), self)
        text_label.setBuddy(self.text)
        form.addRow(text_label, self.text)
        form.addRow("", self.text_error)
        form.addRow("", self.two_person)
        form.addRow("", self.do_not_visit)
        form.addRow("", self.on_debtor)
        form.addRow(self.has_expiry, self.expiry)
        form.addRow("", self.expiry_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("&Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

    def build_input(self) -> SafetyNoteInput:
        expires = None
        if self.has_expiry.isChecked():
            d = self.expiry.date()
            expires = datetime(d.year(), d.month(), d.day(), tzinfo=ZoneInfo(self.ctx.zone)).astimezone(UTC)
        return SafetyNoteInput(
            case_id=self.detail.id, category=SafetyCategory(self.category.currentData()),
            severity=Severity(self.severity.currentData()), text=self.text.toPlainText(),
            two_person_required=self.two_person.isChecked(), do_not_visit=self.do_not_visit.isChecked(),
            expires_at=expires, on_debtor=self.on_debtor.isChecked())

    def save(self) -> None:
        for label in (self.text_error, self.expiry_error, self.status):
            label.hide()
        data = self.build_input()
        store, actor, now = self.ctx.store, self.ctx.actor, self.ctx.now()
        supersedes = self.note.uid if self.note else None
        self.buttons.setEnabled(False)
        task = self.ctx.runner.submit(lambda: add_safety_note(store, data, actor, now=now, supersedes=supersedes))
        task.then(self, succeeded=self._saved, failed=self._failed)

    def _saved(self, uid: str) -> None:
        self.saved.emit(uid)
        self.accept()

    def _failed(self, exc: object) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, OutcomeInvalid):
            for key, message in exc.errors.items():
                label = self.text_error if key == "text" else self.expiry_error if key == "expires_at" else self.status
                label.setText(labels.validation_error(message))
                label.show()
            self.text.setFocus()
        else:
            self.status.setText(self.tr("Nothing was saved: %1").replace("%1", str(exc)[:500]))
            self.status.show()


class ExpireNoteDialog(QDialog):
    """Expire a note now; the reason is stored with the event."""

    expired = Signal(str)

    def __init__(self, ctx: UiContext, note: SafetyLine, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.note = note
        self.setWindowTitle(self.tr("Expire safety note"))
        self.setMinimumWidth(460)
        shown = QLabel(f"{labels.severity(note.severity)} · {labels.safety_category(note.category)}: {note.text[:300]}",
                       self)
        shown.setTextFormat(Qt.TextFormat.PlainText)
        shown.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("e.g. the dog has gone; debtor moved"))
        self.error = _error(self)
        form = QFormLayout()
        form.addRow(shown)
        form.addRow(self.tr("&Reason:"), self.reason)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("E&xpire now"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)

    def save(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.error.setText(self.tr("Say why the note no longer applies."))
            self.error.show()
            self.reason.setFocus()
            return
        store, actor, now, uid = self.ctx.store, self.ctx.actor, self.ctx.now(), self.note.uid
        self.buttons.setEnabled(False)
        task = self.ctx.runner.submit(lambda: expire_safety_note(store, uid, actor, reason[:2000], now=now))
        task.then(self, succeeded=lambda _r: (self.expired.emit(uid), self.accept()), failed=self._failed)

    def _failed(self, exc: object) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(self.tr("Nothing was changed: %1").replace("%1", str(exc)[:500]))
        self.error.show()
