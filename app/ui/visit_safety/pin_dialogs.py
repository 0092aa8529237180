"""The PIN dialogs of a visit: setting the safety and duress PINs the first time, and checking out.

Check-out: the typed PIN is checked in the background (argon2 against both of the laptop's verifiers,
slow on purpose); the dialog says "Checking…" and then "Checked out — safe" and closes, whichever of
the two PINs was typed — the laptop cannot tell them apart and shows nothing different. A PIN that
matches neither: "Wrong PIN", and the dialog stays. `statusShown(text)` carries every message the
dialog shows, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.safety import pins_problem

CLOSE_AFTER_MS = 1500  # "Checked out — safe" stays this long before the dialog closes by itself


def pin_edit(parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(6)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,6}"), edit))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
                             | Qt.InputMethodHint.ImhNoPredictiveText)
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # no copy of a PIN
    return edit


def error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #c0392b;")
    label.setWordWrap(True)
    label.hide()
    return label


def pin_problem_text(problem: str) -> str:
    """The domain's PIN rule (app.domain.safety.pin_problem) in the window's language."""
    known = {
        "a PIN is 4 to 6 digits": QCoreApplication.translate("VisitSafety", "A PIN is 4 to 6 digits."),
        "a PIN of one repeated digit is too easy to guess":
            QCoreApplication.translate("VisitSafety", "A PIN of one repeated digit is too easy to guess."),
        "a PIN of consecutive digits is too easy to guess":
            QCoreApplication.translate("VisitSafety", "A PIN of consecutive digits is too easy to guess."),
        "the duress PIN must differ from the safety PIN":
            QCoreApplication.translate("VisitSafety", "The duress PIN must differ from the safety PIN."),
    }
    return known.get(problem, problem[:300])


class PinSetupDialog(QDialog):
    """The first visit: the agent sets a safety PIN and a duress PIN, each typed twice. `save` hands the
    pair to `submit(safety, duress, done, failed)` (the window runs it in the background, through head
    office); field problems show next to their field."""

    pinsSet = Signal()

    def __init__(self, submit: Callable[[str, str, Callable[[object], None], Callable[[Exception], None]], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.submit = submit
        self.setWindowTitle(self.tr("Set your safety PINs"))
        self.setMinimumWidth(520)
        intro = QLabel(self.tr("You check out of every visit with a PIN. Choose two PINs of 4 to 6 digits."), self)
        intro.setWordWrap(True)
        duress = QLabel(self.tr("The duress PIN checks you out like the safety PIN, but silently tells head office "
                                "that you are in danger: type it if someone forces you to check out."), self)
        duress.setWordWrap(True)
        duress.setStyleSheet("font-weight: bold;")
        self.safety = pin_edit(self)
        self.safety_again = pin_edit(self)
        self.duress = pin_edit(self)
        self.duress_again = pin_edit(self)
        self.safety_error = error_label(self)
        self.duress_error = error_label(self)
        self.status = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("&Safety PIN:"), self.safety)
        form.addRow(self.tr("Safety PIN &again:"), self.safety_again)
        form.addRow("", self.safety_error)
        form.addRow(self.tr("&Duress PIN:"), self.duress)
        form.addRow(self.tr("Duress PIN a&gain:"), self.duress_again)
        form.addRow("", self.duress_error)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            buddy = label.widget() if label is not None else None
            target = field.widget() if field is not None else None
            if isinstance(buddy, QLabel) and target is not None:
                buddy.setBuddy(target)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("&Set PINs"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(duress)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

    def save(self) -> None:
        for label in (self.safety_error, self.duress_error, self.status):
            label.hide()
        safety, duress = self.safety.text(), self.duress.text()
        errors = {k: pin_problem_text(v) for k, v in pins_problem(safety, duress).items()}
        if "safety_pin" not in errors and self.safety_again.text() != safety:
            errors["safety_pin"] = self.tr("The two safety PINs you typed differ.")
        if "duress_pin" not in errors and self.duress_again.text() != duress:
            errors["duress_pin"] = self.tr("The two duress PINs you typed differ.")
        if errors:
            self._show_errors(errors)
            return
        self.buttons.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Setting the PINs with head office…"))
        self.status.show()
        self.submit(safety, duress, self._done, self._failed)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, text in errors.items():
            label = self.safety_error if key == "safety_pin" else self.duress_error if key == "duress_pin" \
                else self.status
            label.setText(text)
            label.show()
        (self.safety if "safety_pin" in errors else self.duress).setFocus()

    def _done(self, _result: object) -> None:
        if not shiboken6.isValid(self):
            return
        for edit in (self.safety, self.safety_again, self.duress, self.duress_again):
            edit.clear()
        self.pinsSet.emit()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.buttons.setEnabled(True)
        self.status.setStyleSheet("color: #c0392b;")
        fields = field_errors(exc)
        if fields:
            self.status.hide()
            self._show_errors(fields)
            return
        self.status.setText(refusal_text(exc))
        self.status.show()


def field_errors(exc: Exception) -> dict[str, str]:
    """Field -> problem from a refusal that names its fields (VisitProblem or head office's 422)."""
    found: dict[str, str] = {}
    for source in (getattr(exc, "fields", None), getattr(exc, "errors", None), getattr(exc, "extra", None)):
        if isinstance(source, dict):
            for key in ("safety_pin", "duress_pin"):
                if isinstance(source.get(key), str):
                    found[key] = pin_problem_text(source[key])
    field = getattr(exc, "field", None)
    if field in ("safety_pin", "duress_pin") and not found:
        found[field] = pin_problem_text(str(getattr(exc, "detail", None) or exc))
    return found


def refusal_text(exc: BaseException) -> str:
    """What the agent reads when head office (or the way to it) said no."""
    from app.sync.errors import AuthError, ServerUnavailable, SyncError

    if isinstance(exc, ServerUnavailable):
        return QCoreApplication.translate("VisitSafety", "Head office cannot be reached: try again when the laptop "
                                                         "is online.")
    if isinstance(exc, AuthError):
        return QCoreApplication.translate("VisitSafety", "Sign in to head office first.")
    detail = getattr(exc, "detail", None)
    if isinstance(exc, SyncError) or detail:
        return str(detail or exc)[:400]
    return str(exc)[:400] or type(exc).__name__


class CheckOutDialog(QDialog):
    """Check out of the open visit with a PIN. `check(pin)` is run in the background by `run_check`
    (the window passes its runner's submit); `checkedOut` follows an accepted PIN."""

    checkedOut = Signal()
    statusShown = Signal(str)

    def __init__(self, run_check: Callable[[str], Any], case_number: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_check = run_check
        self.setWindowTitle(self.tr("Check out: safe"))
        self.setMinimumWidth(420)
        intro = QLabel(self.tr("Type your PIN to tell head office you have left %1 safely.").replace(
            "%1", case_number[:40]), self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.pin = pin_edit(self)
        self.pin.setAccessibleName(self.tr("PIN"))
        self.status = QLabel(self)
        self.status.setObjectName("checkOutStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(self.status.fontMetrics().height() * 2)
        form = QFormLayout()
        pin_label = QLabel(self.tr("&PIN:"), self)
        pin_label.setBuddy(self.pin)
        form.addRow(pin_label, self.pin)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Check out"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.closed_ok = False

    def _say(self, text: str, colour: str = "") -> None:
        self.status.setStyleSheet(f"color: {colour};" if colour else "")
        self.status.setText(text)
        self.statusShown.emit(text)

    def submit(self) -> None:
        if self.closed_ok or not self.buttons.isEnabled():
            return
        pin = self.pin.text()
        if not 4 <= len(pin) <= 6:
            self._say(self.tr("A PIN is 4 to 6 digits."), "#c0392b")
            return
        self.pin.clear()
        self.buttons.setEnabled(False)
        self.pin.setEnabled(False)
        self._say(self.tr("Checking…"))
        task = self.run_check(pin)
        task.then(self, succeeded=self._checked, failed=self._failed)

    def _checked(self, accepted: object) -> None:
        if accepted is True:
            self.closed_ok = True
            self._say(self.tr("Checked out — safe"), "#1b5e20")
            self.checkedOut.emit()
            QTimer.singleShot(CLOSE_AFTER_MS, self, self.accept)
            return
        self._say(self.tr("Wrong PIN"), "#c0392b")
        self._again()

    def _failed(self, exc: BaseException) -> None:
        self._say(str(exc)[:400] or self.tr("The check-out could not be made."), "#c0392b")
        self._again()

    def _again(self) -> None:
        self.buttons.setEnabled(True)
        self.pin.setEnabled(True)
        self.pin.setFocus()

    def reject(self) -> None:
        if not self.buttons.isEnabled() and not self.closed_ok:
            return  # a check is running: its answer must be heard
        super().reject()
