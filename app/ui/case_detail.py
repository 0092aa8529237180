"""The case detail panel: safety banner, why this case is at a door, debtor and contacts (masked),
accounts, stage, priority with its reasons, safety notes, and the timeline (head office's escalation
ladder included; a lawyer's letter opens as its PDF). Loads in the background; every user or server
string is escaped before it reaches a rich-text label, and the why-line is a plain-text label.
Nothing of the ladder is editable here.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import local
from app.services import ladder_words
from app.services.workspace import (
    CaseDetail,
    RevealedContacts,
    SafetyLine,
    case_timeline,
    load_case_detail,
    reveal_contacts,
)

from . import labels
from .case_model import format_fen
from .context import UiContext
from .letter_viewer import LetterOpener
from .timeline_model import TimelineModel, letter_pdf

E = html.escape


def _label(parent: QWidget, rich: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


class CaseDetailView(QWidget):
    loaded = Signal(object)  # CaseDetail
    recordOutcomeRequested = Signal(object)  # CaseDetail
    addSafetyNoteRequested = Signal(object)  # CaseDetail
    editSafetyNoteRequested = Signal(object, object)  # CaseDetail, SafetyLine
    expireSafetyNoteRequested = Signal(object, object)  # CaseDetail, SafetyLine
    addToPlanRequested = Signal(object)  # CaseDetail
    startVisitRequested = Signal(object)  # CaseDetail
    loadFailed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CaseDetail | None = None
        self.revealed: RevealedContacts | None = None
        self._want: int | None = None

        self.banner = _label(self)
        self.banner.setObjectName("safetyBanner")
        self.banner.setStyleSheet("#safetyBanner { background: #b71c1c; color: white; padding: 8px; "
                                  "border-radius: 4px; font-weight: bold; }")
        self.banner.setAccessibleName(self.tr("Safety warning"))
        self.banner.hide()
        self.header = _label(self)
        self.why = _label(self, rich=False)  # head office's evidence in the laptop's words: plain text only
        self.why.setObjectName("whyLine")
        self.why.setStyleSheet("#whyLine { border-left: 4px solid #6a1b9a; padding: 4px 8px; "
                               "background: #f3e5f5; color: #311b92; }")
        self.why.setAccessibleName(self.tr("Why this case is at a door"))
        self.why.hide()
        self.placeholder = _label(self, rich=False)
        self.placeholder.setText(self.tr("Select a case in the list to see its details."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.record_button = QPushButton(self.tr("&Record outcome…"), self)
        self.safety_button = QPushButton(self.tr("Add safety &note…"), self)
        self.plan_button = QPushButton(self.tr("Add to today's &plan"), self)
        self.visit_button = QPushButton(self.tr("Start visi&t…"), self)
        self.visit_button.setToolTip(self.tr("At the door: head office times the visit until you check out"))
        self.reveal_button = QPushButton(self.tr("Re&veal contact details"), self)
        self.reveal_button.setToolTip(self.tr("Shows the full name, ID number and phone numbers. "
                                              "Each reveal is recorded in the audit log."))
        actions = QHBoxLayout()
        for b in (self.record_button, self.visit_button, self.safety_button, self.plan_button, self.reveal_button):
            actions.addWidget(b)
        actions.addStretch(1)

        self.debtor = _label(self)
        self.accounts = _label(self)
        self.stage = _label(self)
        self.priority = _label(self)
        self.notes = QListWidget(self)
        self.notes.setAccessibleName(self.tr("Safety notes"))
        self.notes.setMaximumHeight(110)
        self.notes.setWordWrap(True)
        self.edit_note_button = QPushButton(self.tr("&Edit note…"), self)
        self.expire_note_button = QPushButton(self.tr("E&xpire note…"), self)
        self.timeline_model = TimelineModel(self, ctx.zone)
        self.timeline = QTableView(self)
        self.timeline.setModel(self.timeline_model)
        self.timeline.setAccessibleName(self.tr("Timeline"))
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setWordWrap(False)
        self.timeline.setTabKeyNavigation(False)
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.timeline.horizontalHeader().resizeSection(0, 130)
        self.timeline.horizontalHeader().resizeSection(1, 230)
        self.timeline.setMinimumHeight(180)
        self.letter_button = QPushButton(self.tr("Open the &letter (PDF)"), self)
        self.letter_button.setToolTip(self.tr("Shows the lawyer's letter head office made for this case"))
        self.letter_button.setEnabled(False)
        self.letter_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.letter_status = _label(self, rich=False)
        self.letter_status.hide()
        self.letters = LetterOpener(ctx, self)
        letter_row = QHBoxLayout()
        letter_row.addWidget(self.letter_button)
        letter_row.addWidget(self.letter_status, 1)
        letter_row.addStretch(0)

        def box(title: str, *widgets: QWidget, extra: QHBoxLayout | None = None) -> QGroupBox:
            group = QGroupBox(title, self)
            lay = QVBoxLayout(group)
            for w in widgets:
                lay.addWidget(w)
            if extra is not None:
                lay.addLayout(extra)
            return group

        note_buttons = QHBoxLayout()
        note_buttons.addWidget(self.edit_note_button)
        note_buttons.addWidget(self.expire_note_button)
        note_buttons.addStretch(1)
        self.debtor_box = box(self.tr("Debtor and contacts"), self.debtor)
        self.accounts_box = box(self.tr("Accounts"), self.accounts)
        self.stage_box = box(self.tr("Stage and priority"), self.stage, self.priority)
        self.notes_box = box(self.tr("Safety notes"), self.notes, extra=note_buttons)
        self.timeline_box = box(self.tr("Timeline"), self.timeline, extra=letter_row)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.banner)
        body.addWidget(self.header)
        body.addWidget(self.why)
        body.addLayout(actions)
        row = QHBoxLayout()
        row.addWidget(self.debtor_box, 3)
        row.addWidget(self.stage_box, 2)
        body.addLayout(row)
        body.addWidget(self.accounts_box)
        body.addWidget(self.notes_box)
        body.addWidget(self.timeline_box, 1)
        self.body.hide()

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(scroll)
        inner_lay = QVBoxLayout(inner)
        inner_lay.addWidget(self.placeholder)
        inner_lay.addWidget(self.body, 1)
        scroll.setWidget(inner)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)

        self.record_button.clicked.connect(self._request_record)
        self.safety_button.clicked.connect(lambda: self.detail and self.addSafetyNoteRequested.emit(self.detail))
        self.reveal_button.clicked.connect(self.reveal)
        self.plan_button.clicked.connect(lambda: self.detail and self.addToPlanRequested.emit(self.detail))
        self.visit_button.clicked.connect(lambda: self.detail and self.startVisitRequested.emit(self.detail))
        self.edit_note_button.clicked.connect(lambda: self._note_action(self.editSafetyNoteRequested))
        self.expire_note_button.clicked.connect(lambda: self._note_action(self.expireSafetyNoteRequested))
        self.notes.currentRowChanged.connect(lambda _r: self._update_note_buttons())
        self.timeline.selectionModel().currentRowChanged.connect(self._timeline_row_changed)
        self.timeline.doubleClicked.connect(self._timeline_activated)
        self.letter_button.clicked.connect(self.open_letter)
        self.letters.busyChanged.connect(self._letter_busy)
        self.letters.failed.connect(self._letter_failed)
        self._update_note_buttons()

    # -- loading -------------------------------------------------------------------------------
    @property
    def case_id(self) -> int | None:
        return self.detail.id if self.detail else None

    def show_case(self, case_id: int) -> None:
        self._want = case_id
        store, now = self.ctx.store, self.ctx.now()
        task = self.ctx.runner.submit(lambda: (load_case_detail(store, case_id, now), case_timeline(store, case_id)))
        task.then(self, succeeded=lambda result: self._apply(case_id, result),
                        failed=lambda exc: self._failed(case_id, exc))

    def reload(self) -> None:
        if self._want is not None:
            self.show_case(self._want)

    def _failed(self, case_id: int, exc: object) -> None:
        if case_id == self._want:
            self.loadFailed.emit(str(exc))

    def _apply(self, case_id: int, result: tuple[CaseDetail, list[Any]]) -> None:
        if case_id != self._want:
            return  # the user has moved on
        detail, timeline = result
        if self.revealed and self.revealed.case_id != case_id:
            self.revealed = None
        self.detail = detail
        self.placeholder.hide()
        self.body.show()
        self._render()
        self.timeline_model.set_items(timeline)
        self.letter_status.hide()
        self._timeline_row_changed(self.timeline.currentIndex())
        self.loaded.emit(detail)

    # -- rendering -----------------------------------------------------------------------------
    def _words(self) -> dict[str, str]:
        """Labels used inside the rich-text blocks (kept as literal tr() calls for lupdate)."""
        return {
            "Name": self.tr("Name"),
            "Status": self.tr("Status"),
            "DO NOT VISIT": self.tr("DO NOT VISIT"),
            "Emergency contact": self.tr("Emergency contact"),
            "ID number": self.tr("ID number"),
            "Relief proposal": self.tr("Relief proposal"),
            "Two-person visit required": self.tr("Two-person visit required"),
            "Agent": self.tr("Agent"),
            "Visit trigger": self.tr("Visit trigger"),
            "Phone": self.tr("Phone"),
            "Paused because": self.tr("Paused because"),
            "Stage": self.tr("Stage"),
            "Priority": self.tr("Priority"),
            "Promise due": self.tr("Promise due"),
            "Ladder level": self.tr("Ladder level"),
            "refused further contact": self.tr("refused further contact"),
        }

    def _render(self) -> None:
        d = self.detail
        if d is None:
            return
        t = self._words()
        self._render_banner(d)
        why = ladder_words.why_line(d.trigger_why, d.stage, d.trigger, ladder_words.lang_of(QLocale().name()))
        self.why.setText(why or "")
        self.why.setVisible(why is not None)
        self.header.setText(
            f"<span style='font-size:15pt; font-weight:bold'>{E(d.case_no)}</span>&nbsp;&nbsp;"
            f"{E(labels.stage(d.stage))} · {E(labels.status(d.status))} · {E(d.district)} · "
            + E(self.tr("%1 days past due (%2)").replace("%1", str(d.days_past_due)).replace("%2", d.bucket))
            + " · " + E(self.tr("overdue %1").replace("%1", format_fen(d.overdue_fen, d.currency))))
        self._render_debtor(d)
        rows = "".join(
            f"<tr><td>{E(a.loan_no)}</td><td>{E(a.product)}</td><td align='right'>{E(format_fen(a.principal_fen))}</td>"
            f"<td align='right'>{E(format_fen(a.outstanding_fen))}</td>"
            f"<td align='right'>{E(format_fen(a.overdue_fen))}</td><td align='right'>{a.days_past_due}</td>"
            f"<td>{E(a.bucket)}</td><td align='right'>{a.missed_instalments}</td>"
            f"<td>{E(a.last_payment_on.isoformat() if a.last_payment_on else '—')}</td></tr>" for a in d.accounts)
        heads = [self.tr("Loan"), self.tr("Product"), self.tr("Principal"), self.tr("Outstanding"), self.tr("Overdue"),
                 self.tr("DPD"), self.tr("Bucket"), self.tr("Missed"), self.tr("Last payment")]
        self.accounts.setText("<table cellspacing='0' cellpadding='3' width='100%'><tr>"
                              + "".join(f"<th align='left'>{E(h)}</th>" for h in heads) + "</tr>" + rows + "</table>")
        stage_lines = [
            f"<b>{E(t['Stage'])}:</b> {E(labels.stage(d.stage))}",
            f"<b>{E(t['Visit trigger'])}:</b> {E(labels.trigger(d.trigger))}",
            f"<b>{E(t['Status'])}:</b> {E(labels.status(d.status))}",
        ]
        if d.ladder_level:
            stage_lines.append(f"<b>{E(t['Ladder level'])}:</b> {E(ladder_words.plain(d.ladder_level))}")
        if d.paused_reason:
            stage_lines.append(f"<b>{E(t['Paused because'])}:</b> {E(d.paused_reason)}")
        if d.promise_due:
            stage_lines.append(f"<b>{E(t['Promise due'])}:</b> {E(d.promise_due.isoformat())}")
        if d.pending_relief:
            stage_lines.append(f"<b>{E(t['Relief proposal'])}:</b> {E(labels.proposal_status('pending'))}")
        elif d.relief_decision is not None:
            status, by, why = d.relief_decision
            values = {"1": labels.proposal_status(status), "2": by or "—", "3": why}  # one pass: no re-substitution
            decided = re.sub(r"%([123])", lambda m: values[m.group(1)], self.tr("%1 by %2: %3"))
            stage_lines.append(f"<b>{E(t['Relief proposal'])}:</b> {E(decided[:600])}")
        self.stage.setText("<br>".join(stage_lines))
        reasons = "".join(
            f"<tr><td>{E(labels.priority_reason(r.code, r.args, r.text))}</td>"
            f"<td align='right'>{r.points:+.1f}</td></tr>" for r in d.reasons)
        self.priority.setText(f"<b>{E(t['Priority'])}: {d.priority:.0f}</b>"
                              f"<table cellspacing='0' cellpadding='2'>{reasons}</table>")
        self.notes.clear()
        for note in d.safety:
            flags = []
            if note.two_person_required:
                flags.append(self.tr("two-person visit"))
            if note.do_not_visit:
                flags.append(self.tr("DO NOT VISIT"))
            text = (f"[{labels.severity(note.severity)}] {labels.safety_category(note.category)}: {note.text}"
                    + (f" ({', '.join(flags)})" if flags else ""))
            item = QListWidgetItem(text[:500], self.notes)
            item.setData(Qt.ItemDataRole.UserRole, note.uid)
            item.setToolTip(note.text[:2000])
        self.notes_box.setVisible(bool(d.safety))
        if d.safety:
            self.notes.setCurrentRow(0)
        self._update_note_buttons()

    def _render_banner(self, d: CaseDetail) -> None:
        if not d.safety:
            self.banner.hide()
            return
        t = self._words()
        lines = []
        if d.do_not_visit:
            # ⊘ and ⚠ are in the common text fonts (DejaVu, Noto, Microsoft YaHei); the emoji ⛔ and 👥 were
            # boxes on a laptop without an emoji font.
            lines.append(f"<span style='font-size:14pt'>⊘ {E(t['DO NOT VISIT'])}</span>")
        if d.two_person_required:
            lines.append(f"<span style='font-size:13pt'>⚠ {E(t['Two-person visit required'])}</span>")
        for note in d.safety[:3]:
            text = note.text if len(note.text) <= 160 else note.text[:160] + "…"
            lines.append(f"⚠ {E(labels.severity(note.severity))} · {E(labels.safety_category(note.category))}: "
                         f"{E(text)}")
        if len(d.safety) > 3:
            lines.append(E(self.tr("and %1 more safety note(s)").replace("%1", str(len(d.safety) - 3))))
        self.banner.setText("<br>".join(lines))
        self.banner.show()

    def _render_debtor(self, d: CaseDetail) -> None:
        r = self.revealed if self.revealed and self.revealed.case_id == d.id else None
        t = self._words()
        name = r.debtor_name if r else d.debtor_name_masked
        idno = r.id_number if r else d.id_number_masked
        lines = [f"<b>{E(t['Name'])}:</b> {E(name)}", f"<b>{E(t['ID number'])}:</b> {E(idno)}"]
        for p in d.phones:
            number = r.phones.get(p.id, p.masked) if r else p.masked
            lines.append(f"<b>{E(t['Phone'])}:</b> {E(number)} ({E(labels.phone_status(p.status))})")
        for a in d.addresses:
            lines.append(f"<b>{E(labels.address_kind(a.kind))}:</b> {E(a.text)}")
        for c in d.contacts:
            cname, cphone = r.contacts.get(c.id, (c.masked_name, c.masked_phone)) if r else (c.masked_name,
                                                                                               c.masked_phone)
            refused = f" — {E(t['refused further contact'])}" if c.refused_contact else ""
            lines.append(f"<b>{E(t['Emergency contact'])}:</b> {E(cname)} ({E(c.relation)}) {E(cphone)}{refused}")
        lines.append(f"<b>{E(t['Agent'])}:</b> {E(d.agent_name)}")
        self.debtor.setText("<br>".join(lines))
        self.reveal_button.setEnabled(r is None)

    def _update_note_buttons(self) -> None:
        has = self.detail is not None and self.notes.currentRow() >= 0 and bool(self.detail.safety)
        self.edit_note_button.setEnabled(has)
        self.expire_note_button.setEnabled(has)
        self.record_button.setEnabled(self.detail is not None)
        self.safety_button.setEnabled(self.detail is not None)
        self.plan_button.setEnabled(self.detail is not None)
        self.visit_button.setEnabled(self.detail is not None)

    # -- the letter of a timeline row ----------------------------------------------------------
    def _timeline_row_changed(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        row = current.row() if current.isValid() else -1
        self.letter_button.setEnabled(letter_pdf(self.timeline_model.item(row)) is not None
                                      and self.letters.busy is None)

    def _timeline_activated(self, index: QModelIndex) -> None:
        if letter_pdf(self.timeline_model.item(index.row())) is not None:
            self.open_letter(index.row())

    def open_letter(self, row: int | None = None) -> None:
        """Open the letter of the timeline row (the current one by default) as its PDF, in the background."""
        if not isinstance(row, int) or isinstance(row, bool):
            row = self.timeline.currentIndex().row()
        item = self.timeline_model.item(row)
        sha = letter_pdf(item)
        if item is None or sha is None:
            return
        self.letters.open(sha, self.timeline_model.detail(item))

    def _letter_busy(self, busy: bool) -> None:
        if busy:
            self.letter_status.setText(self.tr("Opening the letter…"))
            self.letter_status.show()
        else:
            self.letter_status.hide()
        self._timeline_row_changed(self.timeline.currentIndex())

    def _letter_failed(self, message: str) -> None:
        self.letter_status.setText(message)
        self.letter_status.show()

    # -- actions -------------------------------------------------------------------------------
    def _request_record(self) -> None:
        if self.detail is not None:
            self.recordOutcomeRequested.emit(self.detail)

    def selected_note(self) -> SafetyLine | None:
        if self.detail is None:
            return None
        item = self.notes.currentItem()
        uid = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next((n for n in self.detail.safety if n.uid == uid), None)

    def _note_action(self, signal: Any) -> None:
        note = self.selected_note()
        if note is not None and self.detail is not None:
            signal.emit(self.detail, note)

    def reveal(self) -> None:
        """Show the unmasked contact details; the service writes the audit entry first."""
        if self.detail is None:
            return
        store, case_id, actor, now = self.ctx.store, self.detail.id, self.ctx.actor, self.ctx.now()
        task = self.ctx.runner.submit(lambda: reveal_contacts(store, case_id, actor, now))
        task.then(self, succeeded=self._revealed, failed=lambda exc: self.loadFailed.emit(str(exc)))

    def _revealed(self, revealed: RevealedContacts) -> None:
        self.revealed = revealed
        if self.detail is not None and self.detail.id == revealed.case_id:
            self._render_debtor(self.detail)

    def when(self, value: Any) -> str:
        return local(value, self.ctx.zone).strftime("%Y-%m-%d %H:%M")
