"""The Assign room's case table: the agents' case model with an Agent column (who holds each case,
or who it is going to while an assignment waits for head office), and a row painter that shows
every selected row (the room selects many).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle

from app.services.assign_room import listed_case_ids

from .case_model import COLUMN_COUNT, CaseRowDelegate, CaseTableModel
from .context import UiContext

COL_AGENT = COLUMN_COUNT  # the Assign room's extra column, after the agents' eleven
_AMBER = QBrush(QColor("#b26a00"))

_PENDING_ICON: list[QIcon] = []


def pending_icon() -> QIcon:
    """A small clock: waiting for head office (painted, so no image files are needed)."""
    if not _PENDING_ICON:
        pix = QPixmap(16, 16)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#b26a00"), 1.6))
        p.setBrush(QColor("#fff3e0"))
        p.drawEllipse(1, 1, 14, 14)
        p.drawLine(QPoint(8, 8), QPoint(8, 4))
        p.drawLine(QPoint(8, 8), QPoint(11, 9))
        p.end()
        _PENDING_ICON.append(QIcon(pix))
    return _PENDING_ICON[0]


class AssignCaseModel(CaseTableModel):
    """The agents' case model with one more column: who holds the case (or who it is going to)."""

    def __init__(self, ctx: UiContext, parent: QObject | None = None):
        super().__init__(ctx.store, ctx.runner, ctx.today, source=listed_case_ids, parent=parent)
        self.names: dict[int, str] = {}
        self.pending: dict[int, int | None] = {}

    def set_context(self, names: dict[int, str], pending: dict[int, int | None]) -> None:
        self.names = names
        self.pending = pending
        if self.rowCount():
            self.dataChanged.emit(self.index(0, COL_AGENT), self.index(self.rowCount() - 1, COL_AGENT))

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and section == COL_AGENT:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr("Agent")
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Who holds the case; a clock: an assignment waiting for head office")
            return None
        return super().headerData(section, orientation, role)

    def agent_text(self, agent_id: int | None) -> str:
        if agent_id is None:
            return self.tr("Unassigned")
        return self.names.get(agent_id) or self.tr("Agent #%1").replace("%1", str(agent_id))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.column() != COL_AGENT:
            return super().data(index, role)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        row = self.case_row(index.row())
        if row is None:
            return None
        pending = row.id in self.pending
        holder = self.agent_text(row.agent_id)
        if not pending:
            return holder if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) else None
        target = self.agent_text(self.pending[row.id])
        shown = self.tr("%1 → %2 (pending)").replace("%1", holder).replace("%2", target)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return shown
        if role == Qt.ItemDataRole.DecorationRole:
            return pending_icon()
        if role == Qt.ItemDataRole.ForegroundRole:
            return _AMBER
        return self.tr("Going to %1 once head office confirms").replace("%1", target)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column == COL_AGENT:
            return  # filter by agent instead (the Agent box above the list)
        super().sort(column, order)


class MultiSelectRowDelegate(CaseRowDelegate):
    """The agents' fast row painter, highlighting every selected row (the Assign room selects many)."""

    def paint(self, painter: QPainter, option: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        self.selected_row = index.row() if option.state & QStyle.StateFlag.State_Selected else -1
        super().paint(painter, option, index)
