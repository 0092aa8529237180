"""The Assign room's "Not applied" list: assignments head office did not apply (the case changed there
after the supervisor saw it, or head office refused it), each with who holds the case now and at which
version — never overwritten — and *Assign again…* for those still wanted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import assigning


class NotAppliedPanel(QWidget):
    """The problems table and its Assign again button (the room opens the picker)."""

    caseActivated = Signal(int)  # a row double-clicked: show its case in the list

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels([self.tr("Case no."), self.tr("Wanted for"), self.tr("Now with"),
                                              self.tr("Version now"), self.tr("You saw"), self.tr("Why")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName(self.tr("Assignments head office did not apply"))
        self.table.itemDoubleClicked.connect(self._activated)
        note = QLabel(self.tr("These cases changed at head office after you saw them, so your assignment was not "
                              "applied. Check who holds each now; assign again if it is still wanted."), self)
        note.setWordWrap(True)
        self.again_button = QPushButton(self.tr("Assign agai&n…"), self)
        self.again_button.setToolTip(self.tr("The selected cases of this list (all of them if none is selected)"))
        self.again_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.again_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(note)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)

    def _activated(self, item: QTableWidgetItem) -> None:
        self.caseActivated.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_problems(self, problems: Sequence[assigning.Problem], agent_text: Callable[[int | None], str]) -> None:
        """List these problems; `agent_text` names an agent id (None: the unassigned queue)."""
        self.table.setRowCount(0)
        for p in problems:
            row = self.table.rowCount()
            self.table.insertRow(row)
            if p.status == "conflict":
                why = self.tr("Changed at head office since you saw it; not overwritten")
            else:
                why = self.tr("Head office refused it: %1").replace("%1", p.message[:300])
            values = [p.case_no, agent_text(p.wanted_agent), agent_text(p.current_agent),
                      "" if p.current_version is None else str(p.current_version), str(p.seen_version), why]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, p.case_id)
                self.table.setItem(row, col, item)
        self.again_button.setEnabled(bool(problems))

    def chosen_ids(self) -> list[int]:
        """The cases of the selected rows, else of every row."""
        rows = {i.row() for i in self.table.selectionModel().selectedRows()} or set(range(self.table.rowCount()))
        return sorted({int(self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows})
