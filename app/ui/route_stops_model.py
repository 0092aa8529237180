"""The route's stops table: the planned stops in visiting order as a Qt model, rows draggable, the lock
column checkable. It re-plans nothing itself: it reports what the user asked and the route view turns
that into a planner request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QWidget

from app.routing.model import clock_text

ModelIndex = QModelIndex | QPersistentModelIndex
MIME_ROW = "application/x-doorstep-route-row"
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class RouteRow:
    """One planned stop as the table shows it."""

    case_id: int
    label: str
    lat: float
    lon: float
    arrival_s: int
    start_s: int
    departure_s: int
    leg_m: int
    must_visit: bool
    locked: bool
    warning: str


class RouteStopsModel(QAbstractTableModel):
    """The planned stops in visiting order. Rows can be dragged; the lock column is checkable.

    The model does not re-plan: it reports what the user asked (`moveRequested`,
    `lockRequested`) and the view turns that into a planner request.
    """

    SEQ, LOCK, CASE, ETA, DEPART, LEG, NOTE = range(7)
    moveRequested = Signal(int, int)  # from row, to row (the row index it should end up at)
    lockRequested = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RouteRow] = []
        self._headers = ["#", self.tr("Lock"), self.tr("Case"), self.tr("Arrive"), self.tr("Leave"),
                         self.tr("Leg"), self.tr("Note")]

    def set_rows(self, rows: Sequence[RouteRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._headers):
                return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == OBJECT_ROLE:
            return r
        if role == Qt.ItemDataRole.CheckStateRole and col == self.LOCK:
            return Qt.CheckState.Checked if r.locked else Qt.CheckState.Unchecked
        if role == SORT_ROLE:
            return (index.row() + 1, r.locked, r.label, r.arrival_s, r.departure_s, r.leg_m, r.warning)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.SEQ:
                return str(index.row() + 1)
            if col == self.CASE:
                return r.label + ("  ★" if r.must_visit else "")
            if col == self.ETA:
                return clock_text(r.arrival_s) + (f" ({clock_text(r.start_s)})" if r.start_s > r.arrival_s else "")
            if col == self.DEPART:
                return clock_text(r.departure_s)
            if col == self.LEG:
                return f"{r.leg_m / 1000:.1f} km"
            if col == self.NOTE:
                return r.warning
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.LOCK:
                return self.tr("Locked stops stay first, in this order")
            if col == self.ETA and r.start_s > r.arrival_s:
                return self.tr("Arrive, then wait until the visit can start")
            if col == self.CASE and r.must_visit:
                return self.tr("Must visit today (a promise falls due)")
            if col == self.NOTE and r.warning:
                return r.warning
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.SEQ, self.ETA, self.DEPART, self.LEG):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == self.LOCK:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.isValid() and index.column() == self.LOCK and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            self.lockRequested.emit(index.row(), bool(checked))
            return True
        return False

    # --- drag and drop: the model only reports the move; the plan that follows replaces the rows ---

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_ROW]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(MIME_ROW, QByteArray(str(rows[0]).encode()))
        return data

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: ModelIndex) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_ROW):
            return False
        try:
            source = int(bytes(data.data(MIME_ROW).data()).decode())
        except ValueError:
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self.rows))
        # Dropping "before row `target`": after the source leaves, that is one place earlier if below it.
        final = target - 1 if target > source else target
        final = max(0, min(final, len(self.rows) - 1))
        if 0 <= source < len(self.rows) and final != source:
            self.moveRequested.emit(source, final)
        return False  # nothing for the view to remove: the re-plan replaces the rows
