"""Record what happened: one dialog for every outcome code, asking exactly that code's fields.

The fields shown come from `app.domain.outcomes.OUTCOMES`. Saving runs the whole use case
(`app.services.outcomes.record_outcome`: validation, then the compliance engine, then one
transaction) in the background. Invalid fields get a message under the field; a compliance block
lists each rule and why, and nothing is saved; success closes the dialog and emits `saved`. A visit's
recording is a file chosen in the `EvidencePicker`; saving seals it first (with progress, in the
background) and says afterwards that the original was left where it was.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.compliance import Decision
from app.domain.enums import Channel, HardshipReason, PaymentMethod, ReliefKind, SafetyCategory, Severity
from app.domain.outcomes import OUTCOMES, Field, OutcomeCode
from app.domain.validation import OutcomeInvalid
from app.services.evidence import EvidenceError
from app.services.outcomes import (
    ComplianceBlocked,
    OutcomeInput,
    RecordedOutcome,
    StaleCase,
    prepare_outcome,
    record_outcome,
    record_outcome_with_evidence,
)
from app.services.workspace import CaseDetail, contact_number

from . import labels
from .context import UiContext
from .evidence_picker import EvidencePicker, evidence_problem

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c0392b;"


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class SafetyNoteFields(QWidget):
    """The safety note an aborted visit must carry."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.category = QComboBox(self)
        for c in SafetyCategory:
            self.category.addItem(labels.safety_category(c.value), c.value)
        self.severity = QComboBox(self)
        for s in Severity:
            self.severity.addItem(labels.severity(s.value), s.value)
        self.severity.setCurrentIndex(self.severity.findData(Severity.HIGH.value))
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(self.tr("What happened at the door"))
        self.two_person = QCheckBox(self.tr("Two-person visit required"), self)
        self.do_not_visit = QCheckBox(self.tr("Do not visit"), self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.category)
        row.addWidget(self.severity)
        row.addWidget(self.two_person)
        row.addWidget(self.do_not_visit)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.text)

    def value(self) -> dict[str, Any]:
        return {"category": self.category.currentData(), "severity": self.severity.currentData(),
                "text": self.text.text(), "two_person_required": self.two_person.isChecked(),
                "do_not_visit": self.do_not_visit.isChecked()}


class OutcomeDialog(QDialog):
    saved = Signal(object)  # RecordedOutcome

    def __init__(self, ctx: UiContext, detail: CaseDetail, parent: QWidget | None = None,
                 code: OutcomeCode | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.result_: RecordedOutcome | None = None
        self._saving = False
        self.decision: Decision | None = None
        self.setWindowTitle(self.tr("Record outcome — %1").replace("%1", detail.case_no))
        self.setMinimumWidth(640)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form = form
        self.errors: dict[str, QLabel] = {}

        self.code = QComboBox(self)
        for c in OutcomeCode:
            self.code.addItem(labels.outcome(c.value), c.value)
        self.channel = QComboBox(self)
        for ch in Channel:
            self.channel.addItem(labels.channel(ch.value), ch.value)
        self.when = QDateTimeEdit(self)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setCalendarPopup(True)
        now_local = ctx.now().astimezone(ZoneInfo(ctx.zone))
        self.when.setDateTime(QDateTime(QDate(now_local.year, now_local.month, now_local.day),
                                        QTime(now_local.hour, now_local.minute)))
        self.third_party = QCheckBox(self.tr("Contact with a &third party (emergency contact)"), self)
        self.number = QComboBox(self)
        self.collectors = QSpinBox(self)
        self.collectors.setRange(1, 6)
        self.collectors.setValue(max(1, ctx.profile.home_visit_min_collectors))
        self.recording = EvidencePicker(ctx, self)
        self.notice: QMessageBox | None = None  # after a save with a recording: the original stays put
        self.no_recording = QLineEdit(self)
        self.no_recording.setPlaceholderText(self.tr("Why there is no recording"))
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(self.tr("What was said and seen (optional)"))
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)

        self.promise_amount = QLineEdit(self)
        self.promise_amount.setPlaceholderText("0.00")
        self.promise_date = QDateEdit(self)
        self.promise_date.setCalendarPopup(True)
        self.promise_date.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.promise_date.setDate(QDate(today.year, today.month, today.day).addDays(7))
        self.payment_amount = QLineEdit(self)
        self.payment_amount.setPlaceholderText("0.00")
        self.payment_method = self._choice([(m.value, labels.payment_method(m.value)) for m in PaymentMethod])
        self.receipt_no = QLineEdit(self)
        self.new_address = QLineEdit(self)
        self.hardship_reason = self._choice([(r.value, labels.hardship_reason(r.value)) for r in HardshipReason])
        self.relief_kind = self._choice([(k.value, labels.relief_kind(k.value)) for k in ReliefKind])
        self.relief_detail = QLineEdit(self)
        self.relief_detail.setPlaceholderText(self.tr("e.g. defer 3 months, or 12 monthly instalments"))
        self.safety_note = SafetyNoteFields(self)
        self.dispute_reason = QLineEdit(self)
        self.third_party_relation = QLineEdit(self)
        self.third_party_relation.setPlaceholderText(self.tr("e.g. spouse, parent, neighbour"))
        self.field_widgets: dict[Field, QWidget] = {
            Field.PROMISE_AMOUNT: self.promise_amount, Field.PROMISE_DATE: self.promise_date,
            Field.PAYMENT_AMOUNT: self.payment_amount, Field.PAYMENT_METHOD: self.payment_method,
            Field.RECEIPT_NO: self.receipt_no, Field.NEW_ADDRESS: self.new_address,
            Field.HARDSHIP_REASON: self.hardship_reason, Field.RELIEF_KIND: self.relief_kind,
            Field.RELIEF_DETAIL: self.relief_detail, Field.SAFETY_NOTE: self.safety_note,
            Field.DISPUTE_REASON: self.dispute_reason, Field.THIRD_PARTY_RELATION: self.third_party_relation,
        }

        self.ack = QCheckBox(self.tr("I have read the &severe safety note and will take the precautions it asks for"),
                             self)
        self.ack.setStyleSheet("font-weight: bold; color: #b71c1c;")

        self._row("code", self.tr("&Outcome:"), self.code)
        self._row("channel", self.tr("Cha&nnel:"), self.channel)
        self._row("at", self.tr("&When:"), self.when)
        self._row("third_party", "", self.third_party)
        self._row("phone", self.tr("N&umber:"), self.number)
        self._row("collectors", self.tr("Co&llectors present:"), self.collectors)
        self._row("recording", self.tr("Recordin&g:"), self.recording)
        self._row("no_recording", self.tr("No recording &because:"), self.no_recording)
        for f, w in self.field_widgets.items():
            self._row(f.value, self.tr("%1:").replace("%1", labels.field_label(f.value)), w)
        self._row("notes", self.tr("No&tes:"), self.notes)
        self._row("ack", "", self.ack)

        self.blocked = QLabel(self)
        self.blocked.setTextFormat(Qt.TextFormat.PlainText)
        self.blocked.setWordWrap(True)
        self.blocked.setObjectName("blockedPanel")
        self.blocked.setStyleSheet("#blockedPanel { background: #fdecea; color: #8e1b10; border: 1px solid #c0392b; "
                                   "padding: 6px; }")
        self.blocked.hide()
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.blocked)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.code.currentIndexChanged.connect(lambda _i: self._update_fields())
        self.channel.currentIndexChanged.connect(lambda _i: self._update_fields())
        self.third_party.toggled.connect(lambda _b: self._fill_numbers())
        self.recording.problem.connect(self._recording_problem)
        if code is not None:
            self.code.setCurrentIndex(self.code.findData(code.value))
        self._fill_numbers()
        self._update_fields()
        self._read_ahead()

    def _read_ahead(self) -> None:
        """While the agent fills the dialog in, the saving connection reads what the save will read and
        rewrite, so Save finds those pages in its cache (decrypted, on an encrypted store). It changes
        nothing, and a failure here only means the save reads them itself."""
        store, case_id = self.ctx.store, self.detail.id

        def work() -> None:
            prepare_outcome(store, case_id)

        task = self.ctx.runner.submit(work)
        task.then(self, failed=lambda exc: log.debug("outcome read-ahead skipped: %s", type(exc).__name__))

    # -- building ------------------------------------------------------------------------------
    def _choice(self, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(self.tr("Choose…"), None)
        for value, text in items:
            combo.addItem(text, value)
        return combo

    def _row(self, key: str, title: str, widget: QWidget) -> None:
        holder = QWidget(self)
        v = QVBoxLayout(holder)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        error = _error_label(holder)
        v.addWidget(error)
        self.errors[key] = error
        if title:
            label = QLabel(title, self)
            label.setBuddy(widget.text if isinstance(widget, SafetyNoteFields)
                           else widget.choose_button if isinstance(widget, EvidencePicker) else widget)
            self.form.addRow(label, holder)
        else:
            self.form.addRow(holder)

    def _fill_numbers(self) -> None:
        self.number.clear()
        self.number.addItem(self.tr("(none)"), None)
        if self.third_party.isChecked():
            for c in self.detail.contacts:
                self.number.addItem(f"{c.masked_name} ({c.relation}) {c.masked_phone}", ("contact", c.id))
        else:
            for p in self.detail.phones:
                self.number.addItem(f"{p.masked} ({labels.phone_status(p.status)})", ("phone", p.id))
        if self.number.count() > 1:
            self.number.setCurrentIndex(1)

    def _set_row_visible(self, key: str, visible: bool) -> None:
        holder = self.errors[key].parentWidget()
        self.form.setRowVisible(holder, visible)

    def _update_fields(self) -> None:
        code = self.current_code()
        required = OUTCOMES[code].required
        for f in Field:
            self._set_row_visible(f.value, f in required)
        visit = self.current_channel() == Channel.VISIT
        self._set_row_visible("phone", self.current_channel() in (Channel.PHONE, Channel.SMS))
        self._set_row_visible("collectors", visit)
        self._set_row_visible("recording", visit)
        self._set_row_visible("no_recording", visit)
        self._set_row_visible("ack", visit and self.detail.safety_level >= 3)
        self.clear_messages()

    # -- reading -------------------------------------------------------------------------------
    def current_code(self) -> OutcomeCode:
        return OutcomeCode(self.code.currentData())

    def current_channel(self) -> Channel:
        return Channel(self.channel.currentData())

    def occurred_at(self) -> datetime:
        value = self.when.dateTime()
        d, t = value.date(), value.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(),
                        tzinfo=ZoneInfo(self.ctx.zone)).astimezone(UTC)

    def raw_fields(self) -> dict[str, Any]:
        qd = self.promise_date.date()
        return {
            Field.PROMISE_AMOUNT.value: self.promise_amount.text(),
            Field.PROMISE_DATE.value: date(qd.year(), qd.month(), qd.day()).isoformat(),
            Field.PAYMENT_AMOUNT.value: self.payment_amount.text(),
            Field.PAYMENT_METHOD.value: self.payment_method.currentData(),
            Field.RECEIPT_NO.value: self.receipt_no.text(),
            Field.NEW_ADDRESS.value: self.new_address.text(),
            Field.HARDSHIP_REASON.value: self.hardship_reason.currentData(),
            Field.RELIEF_KIND.value: self.relief_kind.currentData(),
            Field.RELIEF_DETAIL.value: self.relief_detail.text(),
            Field.SAFETY_NOTE.value: self.safety_note.value(),
            Field.DISPUTE_REASON.value: self.dispute_reason.text(),
            Field.THIRD_PARTY_RELATION.value: self.third_party_relation.text(),
        }

    def build_input(self) -> OutcomeInput:
        code = self.current_code()
        required = {f.value for f in OUTCOMES[code].required}
        fields = {k: v for k, v in self.raw_fields().items() if k in required}
        visit = self.current_channel() == Channel.VISIT
        return OutcomeInput(
            case_id=self.detail.id, code=code, channel=self.current_channel(), at=self.occurred_at(),
            fields=fields, notes=self.notes.toPlainText(),
            to_third_party=self.third_party.isChecked(),
            collectors=self.collectors.value() if visit else 1,
            recording_sha256=self.recording.sha256 if visit else None,
            no_recording_reason=(self.no_recording.text().strip() or None) if visit else None,
            safety_acknowledged=visit and self.ack.isChecked(),
            expected_version=self.detail.version,
        )

    # -- saving --------------------------------------------------------------------------------
    def clear_messages(self) -> None:
        for label in self.errors.values():
            label.hide()
            label.clear()
        self.blocked.hide()
        self.status.clear()

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            label = self.errors.get(key) or self.errors["notes"]
            label.setText(labels.validation_error(message))
            label.show()
        first = next((k for k in self.errors if k in errors), None)
        if first:
            holder = self.errors[first].parentWidget()
            widget = holder.layout().itemAt(0).widget()
            widget.setFocus()

    def show_blocked(self, decision: Decision) -> None:
        self.decision = decision
        lang = "zh" if self.ctx_language().startswith("zh") else "en"
        lines = [self.tr("Not allowed — nothing was saved:")]
        for v in decision.violations:
            lines.append(f"• {labels.rule(v.rule)}: {v.message_zh if lang == 'zh' else v.message}")
        self.blocked.setText("\n".join(lines))
        self.blocked.show()
        if any(v.rule == "severe_safety_ack" for v in decision.violations):
            self.errors["ack"].setText(self.tr("Tick this to confirm you have read the severe safety note."))
            self.errors["ack"].show()

    def ctx_language(self) -> str:
        return QLocale().name()

    def save(self) -> None:
        self.clear_messages()
        if self.current_channel() == Channel.VISIT and self.detail.safety_level >= 3 and not self.ack.isChecked():
            self.errors["ack"].setText(self.tr("Tick this to confirm you have read the severe safety note."))
            self.errors["ack"].show()
            self.ack.setFocus()
            return
        if self.current_channel() == Channel.VISIT and self.recording.busy:
            self.status.setText(self.tr("Wait until the recording has been read, or stop reading it."))
            return
        data = self.build_input()
        pick = self.number.currentData() if self.current_channel() in (Channel.PHONE, Channel.SMS) else None
        store, profile, actor, now, zone = (self.ctx.store, self.ctx.profile, self.ctx.actor, self.ctx.now(),
                                            self.ctx.zone)
        chosen = self.recording.chosen if self.current_channel() == Channel.VISIT else None
        key, folder = self.ctx.current_evidence_key(), self.ctx.evidence_folder
        if chosen is not None and (key is None or folder is None):
            self.status.setText(self.tr("Recordings can be kept only in an encrypted store that is unlocked: "
                                        "sign in to head office first. Nothing was saved."))
            return
        stop = self.recording.sealing_check() if chosen is not None else None

        def work(handle: Any) -> RecordedOutcome:
            final = data
            if pick is not None:
                final = replace(data, phone=contact_number(store, data.case_id, pick[0], pick[1]))
            if chosen is not None and key is not None and folder is not None:
                return record_outcome_with_evidence(store, final, profile, actor, folder=folder, key=key,
                                                    chosen=chosen, now=now, zone=zone, progress=handle.progress,
                                                    check=stop)
            return record_outcome(store, final, profile, actor, now=now, zone=zone)

        self._saving = True
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Checking, sealing the recording and saving…") if chosen is not None
                            else self.tr("Checking and saving…"))
        task = self.ctx.runner.submit(work, with_handle=True)
        if chosen is not None:
            self.recording.track_sealing(task)
        task.then(self, succeeded=self._saved, failed=self._save_failed, cancelled=self._save_stopped)

    def reject(self) -> None:
        """Closing while a save runs would drop its answer: stop the sealing first (or wait)."""
        if self._saving or self.recording.busy:
            self.recording.stop()
            self.status.setText(self.tr("Stopping… the dialog can be closed once nothing is being saved."))
            return
        super().reject()

    def _saved(self, result: RecordedOutcome) -> None:
        self._saving = False
        self.result_ = result
        self.status.setText(self.tr("Saved."))
        chosen = self.recording.chosen if self.current_channel() == Channel.VISIT else None
        if chosen is not None:
            self.notice = QMessageBox(QMessageBox.Icon.Information, self.tr("Recording kept"),
                                      self.tr("The recording is kept, encrypted, with this outcome and goes to head "
                                              "office with the next sync.\n\nThe original file was left where it "
                                              "was:\n%1\nDelete it there once your procedures allow.")
                                      .replace("%1", str(chosen.path)),
                                      QMessageBox.StandardButton.Ok, self.parentWidget())
            self.notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.notice.open()
        self.saved.emit(result)
        self.accept()

    def _save_stopped(self) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.status.setText(self.tr("Stopped: the recording was not sealed and nothing was saved."))

    def _recording_problem(self, message: str) -> None:
        self.errors["recording"].setText(message)
        self.errors["recording"].show()

    def _save_failed(self, exc: object) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.status.clear()
        if isinstance(exc, OutcomeInvalid):
            self.show_errors(exc.errors)
        elif isinstance(exc, ComplianceBlocked):
            self.show_blocked(exc.decision)
        elif isinstance(exc, EvidenceError):
            self._recording_problem(evidence_problem(exc))
            self.status.setText(self.tr("Nothing was saved: the recording could not be kept (see above)."))
        elif isinstance(exc, StaleCase):
            self.status.setText(self.tr("This case changed since it was opened (for example by a sync). "
                                        "Close this dialog and open the case again; nothing was saved."))
        else:
            self.status.setText(self.tr("Nothing was saved: %1").replace("%1", str(exc)[:500]))
