"""The supervisor's Approvals room: hardship relief proposals, compliance overrides and flagged or
conflicting events, each approved or rejected with a reason.

The list comes from head office (`GET /api/v1/approvals`, through `sync.call`); the last one fetched
is kept for offline use (app/services/approvals.py says why head office, not the local store, is
authoritative). A decision is a `decision` event queued in this laptop's outbox and delivered by
the ordinary sync; until head office acknowledges it the item says "waiting to upload". Every
text from head office or the user is shown as plain text.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.domain.clock import local
from app.maps.escape import clip
from app.services.approvals import (
    REASON_MAX,
    AlreadyDecided,
    ApprovalList,
    ApprovalRow,
    DecisionInvalid,
    LocalDecision,
    aware,
    cached_approvals,
    clean_reason,
    fetch_approvals,
    local_decisions,
    merge,
    queue_decision,
    save_approvals,
)

from . import labels
from .case_model import CaseRole, SortRole, format_fen
from .context import UiContext
from .evidence_viewer import EvidenceOpenButton
from .selection import select_only_row
from .team_page import STALE_AFTER_S, ago_text, problem_text

COL_WHEN, COL_KIND, COL_CASE, COL_AGENT, COL_SUMMARY, COL_STATE = range(6)
DETAIL_TEXT_MAX = 2_000


def subject_label(subject: str) -> str:
    translate = QCoreApplication.translate
    return {"relief": translate("ApprovalsPage", "Hardship relief"),
            "override": translate("ApprovalsPage", "Compliance override"),
            "flagged_event": translate("ApprovalsPage", "Flagged record")}.get(subject, subject)


def state_label(state: str) -> str:
    translate = QCoreApplication.translate
    return {"pending": translate("ApprovalsPage", "Waiting for a decision"),
            "approved": translate("ApprovalsPage", "Approved"),
            "rejected": translate("ApprovalsPage", "Rejected"),
            "queued": translate("ApprovalsPage", "Decided here, waiting to upload"),
            "delivered": translate("ApprovalsPage", "Decided here, delivered"),
            "flagged": translate("ApprovalsPage", "Decided here, flagged by head office"),
            "refused": translate("ApprovalsPage", "Head office refused the decision")}.get(state, state)


def detail_label(key: str) -> str:
    """A readable name for a key of head office's `details` (unknown keys are shown as they are)."""
    translate = QCoreApplication.translate
    known = {"rules": translate("ApprovalsPage", "Rules"), "overridden": translate("ApprovalsPage", "Rules overridden"),
             "override_reason": translate("ApprovalsPage", "Override reason"),
             "override_by": translate("ApprovalsPage", "Overridden by"),
             "flag_reason": translate("ApprovalsPage", "Why head office flagged it"),
             "notes": translate("ApprovalsPage", "Notes"), "code": translate("ApprovalsPage", "Outcome"),
             "outcome": translate("ApprovalsPage", "Outcome"), "channel": translate("ApprovalsPage", "Channel"),
             "occurred_at": translate("ApprovalsPage", "When it happened"),
             "kind": translate("ApprovalsPage", "Record"),
             "detail": translate("ApprovalsPage", "Relief details"),
             "reason": translate("ApprovalsPage", "Hardship reason"),
             "recording_sha256": translate("ApprovalsPage", "Visit recording (fingerprint)")}
    if key in known:
        return known[key]
    named = labels.field_label(key)
    return named if named != key else key.replace("_", " ")


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return QCoreApplication.translate("ApprovalsPage", "yes") if value else \
            QCoreApplication.translate("ApprovalsPage", "no")
    if key.endswith("_fen") and isinstance(value, int):
        return format_fen(value)
    if key in ("hardship_reason", "reason"):
        return labels.hardship_reason(str(value))
    if key == "relief_kind":
        return labels.relief_kind(str(value))
    if key == "kind":
        return labels.event_kind(str(value))
    if key in ("code", "outcome"):
        return labels.outcome(str(value))
    if key == "channel":
        return labels.channel(str(value))
    if key in ("rules", "overridden") and isinstance(value, list):
        return ", ".join(labels.rule(str(v)) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def summary_text(item: Any) -> str:
    """One line on what is asked, in the user's language where the details say it; else head office's."""
    d = item.details
    parts: list[str] = []
    if item.subject == "relief" and d.get("relief_kind"):
        parts = [labels.relief_kind(str(d["relief_kind"])), labels.hardship_reason(str(d.get("reason") or
                                                                                      d.get("hardship_reason") or "")),
                 str(d.get("detail") or d.get("relief_detail") or "")]
    elif item.subject == "override" and d.get("overridden"):
        rules = d["overridden"] if isinstance(d["overridden"], list) else [d["overridden"]]
        parts = [", ".join(labels.rule(str(r)) for r in rules), str(d.get("override_reason") or "")]
    elif item.subject == "flagged_event" and d.get("flag_reason"):
        what = labels.outcome(str(d["code"])) if d.get("code") else labels.event_kind(str(d.get("kind") or ""))
        parts = [what, str(d["flag_reason"])]
    text = " · ".join(p for p in parts if p)
    return (text or item.summary).replace("\n", " ")


def detail_lines(row: ApprovalRow, zone: str) -> list[tuple[str, str]]:
    """(label, text) pairs describing the item: what is asked and its particulars. Plain text."""
    translate = QCoreApplication.translate
    item = row.item
    lines = [(translate("ApprovalsPage", "What is asked"), subject_label(item.subject)),
             (translate("ApprovalsPage", "Case"), item.case_no or f"#{item.case_id}"),
             (translate("ApprovalsPage", "Agent"), item.agent_username or "—"),
             (translate("ApprovalsPage", "Recorded"), local(aware(item.created_at), zone).strftime("%Y-%m-%d %H:%M")),
             (translate("ApprovalsPage", "Summary"), summary_text(item))]
    for key, value in item.details.items():
        if value is None or value == "" or value == []:
            continue
        lines.append((detail_label(key), _value_text(key, value)))
    lines.append((translate("ApprovalsPage", "Status"), state_label(row.state)))
    if item.decided_by:
        lines.append((translate("ApprovalsPage", "Decided by"), item.decided_by))
    if item.decision_reason:
        lines.append((translate("ApprovalsPage", "Reason given"), item.decision_reason))
    if row.local is not None:
        verdict = translate("ApprovalsPage", "approve") if row.local.approved else translate("ApprovalsPage", "reject")
        lines.append((translate("ApprovalsPage", "Your decision"), f"{verdict}: {row.local.reason}"))
        if row.local.flag_reason:
            lines.append((translate("ApprovalsPage", "Head office says"), row.local.flag_reason))
    return [(clip(k, 100), clip(v, DETAIL_TEXT_MAX)) for k, v in lines]


class ApprovalsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, zone: str = "Asia/Shanghai"):
        super().__init__(parent)
        self.zone = zone
        self._rows: list[ApprovalRow] = []

    def set_rows(self, rows: list[ApprovalRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> ApprovalRow | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def find(self, key: tuple[str, str]) -> int:
        for i, r in enumerate(self._rows):
            if r.key == key:
                return i
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 6:
            return [self.tr("When"), self.tr("What"), self.tr("Case"), self.tr("Agent"), self.tr("Summary"),
                    self.tr("Status")][section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < 6:
            return None
        r = self._rows[index.row()]
        item, col = r.item, index.column()
        if role == CaseRole:
            return r
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = [local(aware(item.created_at), self.zone).strftime("%m-%d %H:%M"), subject_label(item.subject),
                    item.case_no or f"#{item.case_id}", item.agent_username or "—",
                    summary_text(item), state_label(r.state)][col]
            return clip(text, 200 if role == Qt.ItemDataRole.DisplayRole else DETAIL_TEXT_MAX)
        if role == SortRole:
            return [aware(item.created_at).isoformat(), item.subject, item.case_no, item.agent_username or "",
                    item.summary, r.state][col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE:
            colour = {"pending": "#b26a00", "queued": "#1565c0", "refused": "#c0392b", "rejected": "#c0392b",
                      "flagged": "#c0392b", "approved": "#2e7d32", "delivered": "#2e7d32"}.get(r.state)
            return QBrush(QColor(colour)) if colour else None
        return None


class ApprovalsPage(QWidget):
    """The Approvals room. `sync` is the window's HeadOfficeSync (anything with `call(fn, on_done, on_failed)`)."""

    listShown = Signal(bool)  # True when the list just came from head office, False when it is the saved one
    fetchFailed = Signal(str)
    decisionQueued = Signal(object)  # LocalDecision
    decisionRefused = Signal(str)
    caseActivated = Signal(int)  # Enter or double-click on an item: its case

    def __init__(self, ctx: UiContext, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.listing: ApprovalList | None = None
        self.local: dict[tuple[str, str], LocalDecision] = {}
        self.live = False
        self._generation = 0
        self._fetched_once = False

        self.status_filter = QComboBox(self)
        for value, text in (("pending", self.tr("Waiting for a decision")), ("decided", self.tr("Decided")),
                            ("all", self.tr("All"))):
            self.status_filter.addItem(text, value)
        self.status_filter.setAccessibleName(self.tr("Show"))
        show_label = QLabel(self.tr("S&how:"), self)
        show_label.setBuddy(self.status_filter)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.model = ApprovalsModel(self, ctx.zone)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Items to decide"))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((COL_WHEN, 95), (COL_KIND, 130), (COL_CASE, 100), (COL_AGENT, 80), (COL_STATE, 230)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(COL_SUMMARY, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)

        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        scroll.setAccessibleName(self.tr("Details"))
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(self.tr("Why you approve or reject (required; the agent sees it)"))
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(90)
        reason_label = QLabel(self.tr("&Reason:"), self)
        reason_label.setBuddy(self.reason)
        self.counter = QLabel(self)
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b;")
        self.approve_button = QPushButton(self.tr("&Approve"), self)
        self.reject_button = QPushButton(self.tr("Re&ject"), self)
        self.open_recording = EvidenceOpenButton(ctx, sync, self)
        self.open_recording.failed.connect(self.error.setText)

        top = QHBoxLayout()
        top.addWidget(show_label)
        top.addWidget(self.status_filter)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        side = QWidget(self)
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.addWidget(scroll, 1)
        side_lay.addWidget(reason_label)
        side_lay.addWidget(self.reason)
        row = QHBoxLayout()
        row.addWidget(self.counter)
        row.addStretch(1)
        row.addWidget(self.open_recording)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        side_lay.addLayout(row)
        side_lay.addWidget(self.error)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([820, 480])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.reason.textChanged.connect(self._reason_changed)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        ctx.sync.finished.connect(self._sync_finished)  # a bound slot: disconnected when this page goes
        self.table.activated.connect(self._activated)
        self._reason_changed()
        self._show_selected()
        self.status.setText(self.tr("Loading…"))

    # --- the list ------------------------------------------------------------------------------

    def status_value(self) -> str:
        return str(self.status_filter.currentData())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fetched = self.listing.fetched_at if self.listing is not None and self.live else None
        if not self._fetched_once or fetched is None or (self.ctx.now() - fetched).total_seconds() > STALE_AFTER_S:
            self._fetched_once = True
            self.refresh()

    def refresh(self) -> None:
        """The saved list and this laptop's decisions at once, then head office's list in the background."""
        self._generation += 1
        generation, status, store = self._generation, self.status_value(), self.ctx.store
        if self.listing is not None and self.listing.status != status:
            self.live = False  # another list was asked for: its saved copy may show while head office answers
        task = self.ctx.runner.submit(lambda: (cached_approvals(store, status), local_decisions(store)))
        task.then(self, succeeded=lambda result: self._show_saved(generation, result))
        self.refresh_button.setEnabled(False)
        call = getattr(self.sync, "call", None)
        if call is None:
            self._failed(generation, RuntimeError(self.tr("No head office is configured.")))
            return
        now = self.ctx.now

        def fetch(client: Any) -> tuple[ApprovalList, dict[tuple[str, str], LocalDecision]]:
            listing = fetch_approvals(client, status, now)
            save_approvals(store, listing)
            return listing, local_decisions(store)

        page = self

        def done(result: Any) -> None:
            if isValid(page):
                self._fetched(generation, result)

        def failed(exc: Exception) -> None:
            if isValid(page):
                self._failed(generation, exc)

        call(fetch, done, failed)

    def _show_saved(self, generation: int, result: Any) -> None:
        if generation != self._generation or self.live:
            return
        listing, local_ = result
        self.local = local_
        if listing is not None:
            self._show(listing, live=False)
            self.status.setText(self.tr("Saved list, fetched %1; asking head office…").replace(
                "%1", ago_text(listing.fetched_at, self.ctx.now())))
        else:
            self.status.setText(self.tr("Asking head office…"))

    def _fetched(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        self.refresh_button.setEnabled(True)
        listing, self.local = result
        self._show(listing, live=True)
        text = self.tr("%n item(s) from head office", "", len(listing.items))
        if listing.truncated:
            text += " " + self.tr("(the first %1 of %2)").replace("%1", str(len(listing.items))).replace(
                "%2", str(listing.total))
        self.status.setText(text + " · " + self.tr("fetched at %1.").replace(
            "%1", local(listing.fetched_at, self.ctx.zone).strftime("%H:%M")))

    def _failed(self, generation: int, exc: object) -> None:
        if generation != self._generation:
            return
        self.refresh_button.setEnabled(True)
        problem = problem_text(exc)
        status, store = self.status_value(), self.ctx.store

        def said(result: Any) -> None:
            if generation != self._generation:
                return
            listing, self.local = result
            if listing is None:
                self._show(None, live=False)
                text = self.tr("Not updated: %1. No saved list yet; decisions made here still queue and "
                               "upload with the next sync.")
            else:
                self._show(listing, live=False)
                text = self.tr("Not updated: %1. Showing the list fetched %2; decisions made here queue "
                               "and upload with the next sync.").replace(
                    "%2", ago_text(listing.fetched_at, self.ctx.now()))
            self.status.setText(text.replace("%1", problem))
            self.fetchFailed.emit(problem)

        task = self.ctx.runner.submit(lambda: (cached_approvals(store, status), local_decisions(store)))
        task.then(self, succeeded=said)

    def _show(self, listing: ApprovalList | None, live: bool) -> None:
        keep = self.selected_key()
        self.listing, self.live = listing, live
        self.model.set_rows(merge(listing.items if listing else (), self.local))
        self.table.resizeRowsToContents()
        self.select(keep)
        self._show_selected()
        self.listShown.emit(live)

    def _sync_finished(self, _ok: bool, _message: str) -> None:
        self._after_sync()

    def _activated(self, index: QModelIndex) -> None:
        r = self.model.row(index.row())
        if r is not None:
            self.caseActivated.emit(r.item.case_id)

    def _after_sync(self) -> None:
        """A sync may have delivered decisions (or head office may have decided others): look again."""
        if self.isVisible():
            self.refresh()
        else:
            store = self.ctx.store
            task = self.ctx.runner.submit(lambda: local_decisions(store))
            task.then(self, succeeded=self._update_local)

    def _update_local(self, local_: dict[tuple[str, str], LocalDecision]) -> None:
        self.local = local_
        keep = self.selected_key()
        self.model.set_rows(merge(self.listing.items if self.listing else (), self.local))
        self.select(keep)
        self._show_selected()

    # --- selection and details -------------------------------------------------------------------

    def selected_row(self) -> ApprovalRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def selected_key(self) -> tuple[str, str] | None:
        r = self.selected_row()
        return r.key if r else None

    def select(self, key: tuple[str, str] | None) -> bool:
        i = self.model.find(key) if key else -1
        if i < 0:
            if self.model.rowCount() and key is None:
                i = 0
            else:
                return False
        select_only_row(self.table, i)
        return True

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self.error.setText("")
        self._show_selected()

    def _show_selected(self) -> None:
        r = self.selected_row()
        if r is None:
            self.details.setText(self.tr("Nothing selected."))
        else:
            self.details.setText("\n".join(f"{k}: {v}" for k, v in detail_lines(r, self.ctx.zone)))
        self.open_recording.set_sha256(r.item.details.get("recording_sha256") if r is not None else None)
        self._update_buttons()

    def _reason_changed(self) -> None:
        n = len(self.reason.toPlainText().strip())
        self.counter.setText(self.tr("%1 / %2 characters").replace("%1", str(n)).replace("%2", str(REASON_MAX)))
        self.counter.setStyleSheet("color:#c0392b;" if n > REASON_MAX else "")
        if self.error.text() and n:
            self.error.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        r = self.selected_row()
        ok = r is not None and r.decidable
        self.approve_button.setEnabled(ok)
        self.reject_button.setEnabled(ok)
        self.reason.setEnabled(ok)

    # --- deciding --------------------------------------------------------------------------------

    def decide(self, approved: bool) -> None:
        r = self.selected_row()
        if r is None or not r.decidable:
            return
        try:
            reason = clean_reason(self.reason.toPlainText())
        except DecisionInvalid as exc:
            self.error.setText(self.tr("Give a reason: the agent sees it with the decision.")
                               if exc.code == "reason_required" else
                               self.tr("The reason is too long: at most %1 characters.").replace(
                                   "%1", str(REASON_MAX)))
            self.reason.setFocus()
            return
        item, store, actor, now = r.item, self.ctx.store, self.ctx.actor, self.ctx.now()
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        task = self.ctx.runner.submit(lambda: queue_decision(
            store, subject=item.subject, subject_id=item.subject_id, case_id=item.case_id, approved=approved,
            reason=reason, actor=actor, now=now))
        task.then(self, succeeded=self._queued, failed=self._queue_failed)

    def _queued(self, decision: LocalDecision) -> None:
        self.local = {**self.local, (decision.subject, decision.subject_id): decision}
        keep = (decision.subject, decision.subject_id)
        self.model.set_rows(merge(self.listing.items if self.listing else (), self.local))
        self.select(keep)
        self.reason.clear()
        self.error.setText("")
        self._show_selected()
        self.status.setText(self.tr("Decision saved on this laptop; it goes to head office with the next sync."))
        self.decisionQueued.emit(decision)
        if self.ctx.sync.connectivity() == "online":
            self.ctx.sync.sync_now()

    def _queue_failed(self, exc: object) -> None:
        if isinstance(exc, AlreadyDecided):
            message = self.tr("You already decided this item.")
        elif isinstance(exc, DecisionInvalid):
            message = self.tr("The decision could not be saved: %1").replace("%1", str(exc)[:300])
        else:
            message = self.tr("The decision could not be saved: %1").replace("%1", f"{type(exc).__name__}: "
                                                                                   f"{str(exc)[:300]}")
        self.error.setText(message)
        self._update_buttons()
        self.decisionRefused.emit(message)
