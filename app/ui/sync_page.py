"""The Sync page: what waits to upload, what head office refused and why, and "Sync now"; who is signed in
to head office (sign in / sign out), and what the retention purge last removed from the laptop (counts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.clock import DEFAULT_ZONE, local
from app.services.workspace import DeadLine, OutboxLine, SyncOverview, sync_overview

from . import labels
from .case_model import CaseRole, SortRole
from .connections import connect_for
from .context import UiContext


def plain_reason(status_code: int, error: str) -> str:
    """Why head office refused a record, in words an agent can act on."""
    translate = QCoreApplication.translate
    base = {
        400: translate("SyncPage", "Head office could not read this record."),
        401: translate("SyncPage", "Head office did not accept your sign-in."),
        403: translate("SyncPage", "You may not change this case any more (it may have been reassigned)."),
        404: translate("SyncPage", "Head office does not know this case."),
        409: translate("SyncPage", "Someone else changed this case at the same time; a supervisor will decide."),
        413: translate("SyncPage", "The record is too large to upload."),
        422: translate("SyncPage", "A field of this record was not valid."),
    }.get(status_code)
    if base is None:
        base = translate("SyncPage", "Head office refused this record (code %1).").replace("%1", str(status_code))
    return f"{base} {error[:300]}".strip()


class _ListModel(QAbstractTableModel):
    """A small read-only table over a list of rows (the sync page's two lists)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self.zone = DEFAULT_ZONE

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def titles(self) -> list[str]:  # each list names its own columns
        return []

    def cell(self, row: Any, col: int) -> tuple[str, Any]:  # each list says what its cells show
        return "", None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.titles())

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        titles = self.titles()
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(titles):
            return titles[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.titles()):
            return None
        row = self._rows[index.row()]
        if role == CaseRole:
            return row
        text, raw = self.cell(row, index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == SortRole:
            return raw
        return None


class OutboxModel(_ListModel):
    def titles(self) -> list[str]:
        return [self.tr("No."), self.tr("Case"), self.tr("What"), self.tr("Recorded"), self.tr("Tries"),
                self.tr("Last problem")]

    def cell(self, row: OutboxLine, col: int) -> tuple[str, Any]:
        when = local(row.occurred_at, self.zone).strftime("%Y-%m-%d %H:%M")
        return [(str(row.device_seq), row.device_seq), (row.case_no or str(row.case_id), row.case_no),
                (labels.event_kind(row.kind), row.kind), (when, row.occurred_at.isoformat()),
                (str(row.attempts), row.attempts), (row.last_error or "", row.last_error or "")][col]


class DeadLetterModel(_ListModel):
    def titles(self) -> list[str]:
        return [self.tr("Case"), self.tr("What"), self.tr("When"), self.tr("Why it failed")]

    def cell(self, row: DeadLine, col: int) -> tuple[str, Any]:
        when = local(row.at, self.zone).strftime("%Y-%m-%d %H:%M")
        return [(row.case_no or str(row.case_id), row.case_no), (labels.event_kind(row.kind), row.kind),
                (when, row.at.isoformat()), (plain_reason(row.status_code, row.error), row.status_code)][col]


class SyncPage(QWidget):
    refreshed = Signal(object)  # SyncOverview

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.result = QLabel(self)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setWordWrap(True)
        self.account = QLabel(self)
        self.account.setTextFormat(Qt.TextFormat.PlainText)
        self.account.setWordWrap(True)
        self.retention = QLabel(self)
        self.retention.setTextFormat(Qt.TextFormat.PlainText)
        self.retention.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("S&ync now"), self)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.sign_in_button = QPushButton(self.tr("Sign &in to head office…"), self)
        self.sign_out_button = QPushButton(self.tr("Sign &out of head office"), self)
        self.outbox_model = OutboxModel(self)
        self.dead_model = DeadLetterModel(self)
        self.outbox_model.zone = self.dead_model.zone = ctx.zone
        self.outbox = self._table(self.outbox_model, self.tr("Waiting to upload"))
        self.dead = self._table(self.dead_model, self.tr("Refused by head office"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.account)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        lay.addWidget(self.retention)
        title1 = QLabel(self.tr("&Waiting to upload (oldest first):"), self)
        title1.setBuddy(self.outbox)
        lay.addWidget(title1)
        lay.addWidget(self.outbox, 2)
        title2 = QLabel(self.tr("&Refused by head office — these need a supervisor or a correction:"), self)
        title2.setBuddy(self.dead)
        lay.addWidget(title2)
        lay.addWidget(self.dead, 1)
        self.sync_button.clicked.connect(self.sync_now)
        self.refresh_button.clicked.connect(self.refresh)
        ctx.sync.started.connect(self._sync_started)
        ctx.sync.finished.connect(self._sync_finished)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button.clicked.connect(self.sign_out)
        signed = getattr(ctx.sync, "signedInChanged", None)
        if signed is not None:
            connect_for(self, signed, lambda _s: self.show_account())
        connect_for(self, ctx.sync.connectivityChanged, lambda _s: self.show_account())
        self.show_account()

    # -- head-office session --------------------------------------------------------------------
    def show_account(self) -> None:
        """Who is signed in to head office (never a token; where the session is kept)."""
        sync = self.ctx.sync
        account = getattr(sync, "account", None)
        signed = getattr(sync, "signed_in", None)
        can_sign_in = hasattr(sync, "request_sign_in")
        self.sign_in_button.setVisible(can_sign_in)
        self.sign_out_button.setVisible(can_sign_in)
        if account is None:
            self.account.setText(self.tr("No head office is configured: set its address in Settings, then sign in."))
            self.sign_out_button.setEnabled(False)
            return
        kind = getattr(getattr(sync, "tokens", None), "kind", "")
        where = {"keyring": self.tr("session kept in the system keyring"),
                 "encrypted-file": self.tr("session kept in this laptop's encrypted secrets file")}.get(kind, "")
        if signed:
            text = self.tr("Signed in to head office %1 as %2").replace("%1", account.server) \
                .replace("%2", account.username)
            if where:
                text += f" · {where}"
        elif signed is None:
            text = self.tr("Head office %1 · user %2").replace("%1", account.server).replace("%2", account.username)
        else:
            text = self.tr("Not signed in to head office %1: sign in to sync (everything recorded stays queued).") \
                .replace("%1", account.server)
        self.account.setText(text)
        self.sign_out_button.setEnabled(signed is not False)

    def sign_in(self) -> None:
        request = getattr(self.ctx.sync, "request_sign_in", None)
        if request is not None:
            request()

    def sign_out(self) -> None:
        request = getattr(self.ctx.sync, "request_sign_out", None)
        if request is not None:
            request()

    def show_purge(self, summary: Any) -> None:
        """What the last retention purge removed: counts only, never a name."""
        if summary is None:
            self.retention.setText(self.tr("Retention: nothing has been removed from this laptop yet."))
            return
        when = local(summary.at, self.ctx.zone).strftime("%Y-%m-%d %H:%M")
        text = self.tr("Retention (%1): %2 closed case(s) older than %3 day(s) left this laptop, with %4 "
                       "acknowledged record(s) and %5 evidence file(s); %6 kept until head office has "
                       "everything recorded on them.")
        for key, value in (("%1", when), ("%2", summary.cases), ("%3", summary.days), ("%4", summary.events),
                           ("%5", summary.evidence_files), ("%6", summary.kept)):
            text = text.replace(key, str(value))
        self.retention.setText(text)

    def _table(self, model: QAbstractTableModel, name: str) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setAccessibleName(name)
        view.verticalHeader().setVisible(False)
        view.setWordWrap(False)
        view.setTabKeyNavigation(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return view

    def refresh(self) -> None:
        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: sync_overview(store))
        task.then(self, succeeded=self._show, failed=lambda exc: self.result.setText(str(exc)[:300]))
        from app.services.retention import last_purge

        purge = self.ctx.runner.submit(lambda: last_purge(store))
        purge.then(self, succeeded=self.show_purge)

    def _show(self, overview: SyncOverview) -> None:
        self.outbox_model.set_rows(list(overview.outbox))
        self.dead_model.set_rows(list(overview.dead_letters))
        last = overview.last_sync or self.tr("never")
        self.summary.setText(self.tr("%1 record(s) waiting to upload · %2 refused · last sync: %3")
                             .replace("%1", str(overview.pending)).replace("%2", str(overview.dead))
                             .replace("%3", last))
        self.refreshed.emit(overview)

    def sync_now(self) -> None:
        self.ctx.sync.sync_now()

    def _sync_started(self) -> None:
        self.sync_button.setEnabled(False)
        self.result.setText(self.tr("Syncing…"))

    def _sync_finished(self, ok: bool, message: str) -> None:
        self.sync_button.setEnabled(True)
        self.result.setText(message if message else (self.tr("Sync finished.") if ok else self.tr("Sync failed.")))
        self.refresh()
