"""The Assign room's auto-balance preview: the proposal (`app.services.assign_room.BalancePreview`) as a
table per agent and a map coloured by the proposed agent; nothing is assigned until Confirm.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.maps.assignmap import AssignMapCase, colour
from app.services.assign_room import BalancePreview

from .assign_map import AssignMapView
from .context import UiContext
from .map_view import tile_source_from_settings


class BalancePreviewPanel(QWidget):
    """The proposal: a table per agent and a map coloured by the proposed agent; Confirm or Discard."""

    confirmed = Signal(object)  # BalancePreview
    discarded = Signal()

    COLUMNS = 5

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview: BalancePreview | None = None
        self.summary = QLabel(self.tr("Choose Auto-balance… to see a proposal here."), self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setHorizontalHeaderLabels([self.tr("Agent"), self.tr("Cases before"), self.tr("Cases after"),
                                              self.tr("Visit minutes"), self.tr("Mean km to base")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName(self.tr("Proposed workload per agent"))
        self.map: AssignMapView | None = None
        self.map_holder = QVBoxLayout()
        self.map_holder.setContentsMargins(0, 0, 0, 0)
        self.confirm = QPushButton(self.tr("&Confirm and assign"), self)
        self.discard = QPushButton(self.tr("&Discard"), self)
        self.confirm.setEnabled(False)
        self.discard.setEnabled(False)
        self.confirm.clicked.connect(self._confirm)
        self.discard.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard)
        buttons.addWidget(self.confirm)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        holder = QWidget(self)
        holder.setLayout(self.map_holder)
        split.addWidget(holder)
        split.setSizes([220, 420])
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)

    def show_preview(self, preview: BalancePreview) -> None:
        self.preview = preview
        p = preview.proposal
        names = {a.id: a.label for a in preview.agents}
        self.table.setRowCount(0)
        for agent in preview.agents:
            load = p.loads.get(agent.id)
            row = self.table.rowCount()
            self.table.insertRow(row)
            values = [names[agent.id], str(preview.before.get(agent.id, 0)), str(load.cases if load else 0),
                      f"{load.visit_minutes:,.0f}" if load else "0",
                      f"{load.mean_distance_km:,.1f}" if load else "—"]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:
                    dot = QPixmap(12, 12)
                    dot.fill(QColor(colour(preview.agents.index(agent))))
                    item.setIcon(QIcon(dot))
                self.table.setItem(row, col, item)
        band = self.tr("every agent within ±10% of the mean workload") if p.within_tolerance else \
            self.tr("not every agent could be brought within ±10%")
        self.summary.setText(
            self.tr("%1 case(s) over %2 agent(s): %3 change hands; %4. Mean distance to base %5 km "
                    "(a round-robin split: %6 km). Nothing is assigned until you confirm.")
            .replace("%1", str(len(p.assignments))).replace("%2", str(len(preview.agents)))
            .replace("%3", str(len(preview.changes))).replace("%4", band)
            .replace("%5", f"{p.mean_distance_km:,.1f}").replace("%6", f"{p.round_robin_mean_distance_km:,.1f}"))
        self.confirm.setEnabled(bool(preview.changes))
        self.discard.setEnabled(True)
        index = {a.id: i for i, a in enumerate(preview.agents)}
        rows = [AssignMapCase(pl.id, pl.lat, pl.lon, index.get(p.assignments.get(pl.id, -1), -1), "",
                              names.get(p.assignments.get(pl.id, -1), ""), pl.id in preview.changes)
                for pl in preview.places]
        self._map().set_cases(rows, [a.label for a in preview.agents])

    def _map(self) -> AssignMapView:
        if self.map is None:
            self.map = AssignMapView(self, cache_dir=self.ctx.cache_dir,
                                     tile_source=tile_source_from_settings(self.ctx.settings),
                                     runner=self.ctx.runner, draw=False)
            self.map.ring_label = self.tr("Changes hands")
            self.map.setMinimumHeight(240)
            self.map_holder.addWidget(self.map)
        return self.map

    def _confirm(self) -> None:
        if self.preview is not None and self.preview.changes:
            preview = self.preview
            self.clear()
            self.confirmed.emit(preview)

    def clear(self) -> None:
        had = self.preview is not None
        self.preview = None
        self.table.setRowCount(0)
        self.confirm.setEnabled(False)
        self.discard.setEnabled(False)
        self.summary.setText(self.tr("Choose Auto-balance… to see a proposal here."))
        if self.map is not None:
            self.map.set_cases([], [])
        if had:
            self.discarded.emit()
