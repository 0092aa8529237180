"""The supervisor's Assign room: the team's cases (and the unassigned queue) with the agents' list,
filters and search, an Agent column, and the ways to hand cases out.

- **Assign to…** (Ctrl+Shift+A): the selected rows to an agent, or back to the unassigned queue.
- **Assign district…**: every open case of the chosen districts (optionally only the unassigned).
- **Assign area on the map…**: draw a rectangle or a lasso on the map; the listed cases inside are
  selected and the agent picker opens. The corners come over the page's bridge and are validated here.
- **Auto-balance…**: choose agents; a background task proposes an even, compact split
  (`app.services.balancing`); the preview (table and map coloured by agent) commits nothing until
  the supervisor confirms.

Every assignment is queued on this device first (`app.services.assigning`) and shows as pending
(a clock in the Agent column, the status bar's waiting number). Online, it goes to head office at
once (progress, cancel); offline, at the next sync. What head office did not apply (the case changed
meanwhile) is listed under "Not applied" with the case's current owner and version — never overwritten.
Disk and network work all run on the BackgroundRunner.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Connection, text

from app.maps.assets import WebAssets
from app.maps.assignmap import AssignMapCase, AssignMapLabels, build_assign_map, colour
from app.maps.page import PageTiles
from app.maps.tilesource import TileSource
from app.services import assigning
from app.store.queries import CaseQuery

from .case_list import CaseListView
from .case_model import COLUMN_COUNT, CaseRowDelegate, CaseTableModel
from .context import UiContext
from .map_view import MapBridge, MapPage, tile_source_from_settings

log = logging.getLogger(__name__)

COL_AGENT = COLUMN_COUNT  # the Assign room's extra column, after the agents' eleven
AGENT_ALL, AGENT_NONE, AGENT_PENDING = "all", "none", "pending"
MAP_LIMIT = 20_000  # cases drawn on the assign map at most
_AMBER = QBrush(QColor("#b26a00"))
_PENDING_SQL = ("cases.id IN (SELECT e.case_id FROM events e JOIN outbox o ON o.event_id = e.id "
                "WHERE e.kind = 'assign')")


def assign_ids(conn: Connection, query: CaseQuery, natural: bool) -> list[int]:
    """The list's ids: the agents' query plus the Assign room's agent filter (`query.extra['agent']`)."""
    where, params = query.where()
    which = query.extra.get("agent", AGENT_ALL)
    extra = {AGENT_NONE: "cases.agent_id IS NULL", AGENT_PENDING: _PENDING_SQL}.get(which)
    if extra:
        where = (where + " AND " if where else " WHERE ") + extra
    return [int(r[0]) for r in conn.execute(text("SELECT cases.id FROM cases" + where + query.order_by()), params)]


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
        super().__init__(ctx.store, ctx.runner, ctx.today, source=assign_ids, parent=parent)
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


# --- dialogs --------------------------------------------------------------------------------------

class AgentPickerDialog(QDialog):
    """Choose the agent (or the unassigned queue) for `count` cases, with an optional reason.
    Keyboard: type to jump in the list, Enter to assign, Esc to cancel."""

    chosen = Signal(object, str)  # agent id or None, reason

    def __init__(self, agents: Sequence[assigning.TeamAgent], count: int, parent: QWidget | None = None,
                 title: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Assign %n case(s)", "", count))
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Agents"))
        for agent in agents:
            item = QListWidgetItem(agent.label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, agent.id)
        queue = QListWidgetItem(self.tr("Unassigned queue (no agent)"), self.list)
        queue.setData(Qt.ItemDataRole.UserRole, None)
        self.list.setCurrentRow(0)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(assigning.MAX_REASON)
        self.reason.setPlaceholderText(self.tr("Optional: why (kept with the assignment)"))
        heading = QLabel(self.tr("Give %n case(s) to:", "", count), self)
        heading.setBuddy(self.list)
        reason_label = QLabel(self.tr("&Reason:"), self)
        reason_label.setBuddy(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Assign"))
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.accept())
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.list, 1)
        lay.addWidget(reason_label)
        lay.addWidget(self.reason)
        lay.addWidget(buttons)
        self.resize(380, 420)
        self.list.setFocus()

    def select_agent(self, agent_id: int | None) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == agent_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole), self.reason.text())
        super().accept()


class DistrictDialog(QDialog):
    """Choose districts and an agent: every open case of those districts goes to the agent."""

    chosen = Signal(list, object, bool, str)  # districts, agent id or None, unassigned only, reason

    def __init__(self, districts: Sequence[str], agents: Sequence[assigning.TeamAgent],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Assign district"))
        self.districts = QListWidget(self)
        self.districts.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.districts.setAccessibleName(self.tr("Districts"))
        for name in districts:
            QListWidgetItem(name, self.districts)
        if districts:
            self.districts.setCurrentRow(0)
        self.agent = QComboBox(self)
        self.agent.setAccessibleName(self.tr("Agent"))
        for a in agents:
            self.agent.addItem(a.label, a.id)
        self.agent.addItem(self.tr("Unassigned queue (no agent)"), None)
        self.only_unassigned = QCheckBox(self.tr("Only cases &nobody holds yet"), self)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(assigning.MAX_REASON)
        form = QFormLayout()
        district_label = QLabel(self.tr("&Districts:"), self)
        district_label.setBuddy(self.districts)
        form.addRow(district_label, self.districts)
        agent_label = QLabel(self.tr("&To:"), self)
        agent_label.setBuddy(self.agent)
        form.addRow(agent_label, self.agent)
        form.addRow("", self.only_unassigned)
        reason_label = QLabel(self.tr("&Reason:"), self)
        reason_label.setBuddy(self.reason)
        form.addRow(reason_label, self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Assign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(420, 460)

    def accept(self) -> None:
        names = [i.text() for i in self.districts.selectedItems()]
        if not names:
            return
        self.chosen.emit(names, self.agent.currentData(), self.only_unassigned.isChecked(), self.reason.text())
        super().accept()


class BalanceDialog(QDialog):
    """Choose the agents to balance over and which cases (the selected ones, or every listed one)."""

    chosen = Signal(list, bool)  # agent ids, selected cases only

    def __init__(self, agents: Sequence[assigning.TeamAgent], selected: int, listed: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Auto-balance"))
        self.agents = QListWidget(self)
        self.agents.setAccessibleName(self.tr("Agents to balance over"))
        for a in agents:
            item = QListWidgetItem(a.label, self.agents)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.agents.setCurrentRow(0)
        self.scope = QComboBox(self)
        self.scope.setAccessibleName(self.tr("Cases to balance"))
        self.scope.addItem(self.tr("All %n listed case(s)", "", listed), False)
        if selected:
            self.scope.addItem(self.tr("The %n selected case(s)", "", selected), True)
            self.scope.setCurrentIndex(1)
        form = QFormLayout()
        agents_label = QLabel(self.tr("&Agents (Space ticks):"), self)
        agents_label.setBuddy(self.agents)
        form.addRow(agents_label, self.agents)
        scope_label = QLabel(self.tr("&Cases:"), self)
        scope_label.setBuddy(self.scope)
        form.addRow(scope_label, self.scope)
        note = QLabel(self.tr("Nothing is assigned until you confirm the preview."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Propose"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)
        self.resize(420, 440)

    def checked(self) -> list[int]:
        return [int(self.agents.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.agents.count())
                if self.agents.item(i).checkState() == Qt.CheckState.Checked]

    def accept(self) -> None:
        ids = self.checked()
        if not ids:
            return
        self.chosen.emit(ids, bool(self.scope.currentData()))
        super().accept()


# --- the map ---------------------------------------------------------------------------------------

class AssignBridge(MapBridge):
    """The page's bridge, with the area tool's corners (JSON text, validated by the window)."""

    area = Signal(str)

    @Slot(str)
    def areaDrawn(self, corners: str) -> None:
        self.area.emit(str(corners)[:200_000])


class AssignMapView(MapPage):
    """Cases coloured by agent; with `draw`, a rectangle/lasso tool whose area arrives as `areaDrawn`."""

    areaDrawn = Signal(list)  # [(lat, lon), …] validated, in WGS-84 positions' datum of the page
    areaRefused = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, cache_dir: Any, tile_source: TileSource | None = None,
                 runner: Any = None, draw: bool = True) -> None:
        super().__init__(parent, cache_dir=cache_dir, tile_source=tile_source, runner=runner, page_stem="assign")
        self.draw = draw
        self.tile_source = tile_source
        # The page sees one object called "bridge": ours, with the area slot besides the usual ones.
        self.channel.deregisterObject(self.bridge)
        self.bridge.deleteLater()
        self.bridge = AssignBridge(self)
        self.channel.registerObject("bridge", self.bridge)
        self.bridge.clicked.connect(self.caseClicked)
        self.bridge.ready.connect(self._on_page_ready)
        self.bridge.area.connect(self._area)
        self._rows: tuple[AssignMapCase, ...] = ()
        self._agents: tuple[str, ...] = ()
        self.shown = 0
        self.ring_label = self.tr("Assignment pending")  # what a ringed dot means on this map
        self.armed: str | None = None  # the area tool stays armed across rebuilds until an area is drawn
        self._in_flight = False  # a page build or load is under way
        self._dirty = False  # new rows arrived meanwhile
        self.loaded.connect(self._rearm)
        self.loaded.connect(self._settled)
        self.failed.connect(self._settled)

    def labels(self) -> AssignMapLabels:
        return AssignMapLabels(empty=self.tr("No cases with a map position"), unassigned=self.tr("Unassigned"),
                               rectangle=self.tr("Rectangle"), lasso=self.tr("Lasso"), clear=self.tr("Clear"),
                               hint=self.tr("Drag on the map to draw the area"), pending=self.ring_label)

    def set_cases(self, rows: Sequence[AssignMapCase], agents: Sequence[str]) -> None:
        self._rows, self._agents = tuple(rows), tuple(agents)
        if self._in_flight:
            self._dirty = True  # built once the page in flight has loaded: two builds at once could
            return              # finish out of order and one delete the other's page file
        self.rebuild()

    def _settled(self, *_args: object) -> None:
        self._in_flight = False
        if self._dirty:
            self.rebuild()

    def rebuild(self) -> None:
        self._in_flight, self._dirty = True, False
        rows, agents, labels, draw = self._rows, self._agents, self.labels(), self.draw

        def build(assets: WebAssets, tiles: PageTiles | None, generation: int) -> str:
            page = build_assign_map(rows, agents, assets=assets, tiles=tiles, labels=labels, draw=draw,
                                    generation=generation)
            return page.html

        self.shown = sum(1 for r in rows if r.lat is not None and r.lon is not None)
        self._submit(build)

    def start_draw(self, mode: str = "rect") -> None:
        self.armed = mode if mode in ("rect", "lasso") else "rect"
        self.run_js(f"doorstepAssign.startDraw({json.dumps(self.armed)});")

    def _rearm(self) -> None:
        if self.armed is not None:
            self.run_js(f"doorstepAssign.startDraw({json.dumps(self.armed)});")

    def gcj(self) -> bool:
        return self.tile_source is not None and self.tile_source.crs == "GCJ02"

    def _area(self, corners: str) -> None:
        self.armed = None
        try:
            points = assigning.validate_area(json.loads(corners))
        except (ValueError, assigning.AssignError) as exc:
            self.areaRefused.emit(str(exc))
            return
        self.areaDrawn.emit(points)


# --- the auto-balance preview --------------------------------------------------------------------

@dataclass(frozen=True)
class BalancePreview:
    """A proposal and what the table shows; nothing of it is written until confirmed."""

    proposal: Any  # app.routing.balance.BalanceProposal
    agents: tuple[assigning.TeamAgent, ...]
    before: dict[int, int]  # agent id → chosen cases held before
    changes: dict[int, int]  # case id → agent id, only the cases that change hands
    places: tuple[assigning.CasePlace, ...]


def _preview(store: Any, case_ids: list[int], agent_ids: list[int], profile: Any, now: Any,
             cancelled: Callable[[], bool]) -> BalancePreview:
    from app.services.balancing import propose_from_store

    proposal = propose_from_store(store, case_ids, agent_ids, profile=profile, cancel=cancelled, now=now)
    places = assigning.case_places(store, case_ids)
    holders = {}
    with store.engine.connect() as conn:
        for cid, agent in conn.execute(text("SELECT id, agent_id FROM cases WHERE id IN "
                                            "(SELECT value FROM json_each(:ids))"), {"ids": json.dumps(case_ids)}):
            holders[int(cid)] = agent
    # as the balancer does: an assignment queued and not yet delivered counts as the current one
    queued = assigning.pending_assignments(store)
    holders.update({cid: agent for cid, agent in queued.items() if cid in holders})
    before = {a: 0 for a in agent_ids}
    for agent in holders.values():
        if agent in before:
            before[agent] += 1
    changes = {cid: agent for cid, agent in proposal.assignments.items() if holders.get(cid) != agent}
    team = {t.id: t for t in assigning.team_agents(store)}
    agents = tuple(team[a] for a in agent_ids if a in team)
    return BalancePreview(proposal, agents, before, changes, tuple(places))


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


# --- the room --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoomContext:
    agents: tuple[assigning.TeamAgent, ...]
    names: dict[int, str]
    pending: dict[int, int | None]
    districts: tuple[str, ...]
    problems: tuple[assigning.Problem, ...]


def _room_context(store: Any) -> RoomContext:
    return RoomContext(tuple(assigning.team_agents(store)), assigning.agent_labels(store),
                       assigning.pending_assignments(store), tuple(assigning.districts(store)),
                       tuple(assigning.assignment_problems(store)))


class AssignPage(QWidget):
    dataChanged = Signal()  # something was queued or applied (the window refreshes its waiting number)
    contextLoaded = Signal()
    queued = Signal(object)  # assigning.Queued
    delivered = Signal(object)  # assigning.Delivery
    deliveryFailed = Signal(str)
    previewReady = Signal(object)  # BalancePreview
    dialogOpened = Signal(object)
    message = Signal(str)  # what the status line says

    def __init__(self, ctx: UiContext, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.context: RoomContext | None = None
        self._delivery: Any = None
        self._balance: Any = None
        self._map_ids: tuple[int, ...] = ()
        self.model = AssignCaseModel(ctx, self)
        self.list = CaseListView(self.model, ctx.settings, "assign", parent=self)
        table = self.list.table
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setItemDelegate(MultiSelectRowDelegate(self.model, table))
        table.setItemDelegateForColumn(COL_AGENT, QStyledItemDelegate(table))
        if ctx.settings.geometry("assign/header") is None:  # first time: the Agent column beside the case number
            header = table.horizontalHeader()
            header.resizeSection(COL_AGENT, 170)
            header.moveSection(header.visualIndex(COL_AGENT), 2)
        table.setAccessibleName(self.tr("Team cases"))

        self.agent_filter = QComboBox(self)
        self.agent_filter.setAccessibleName(self.tr("Agent filter"))
        self.agent_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_agent_filter(())
        agent_label = QLabel(self.tr("Ag&ent:"), self)
        agent_label.setBuddy(self.agent_filter)
        self.agent_filter.currentIndexChanged.connect(lambda _i: self.apply_agent_filter())

        self.assign_button = QPushButton(self.tr("Assign &to…"), self)
        self.assign_button.setToolTip(self.tr("Give the selected cases to an agent (Ctrl+Shift+A)"))
        self.district_button = QPushButton(self.tr("Assign &district…"), self)
        self.area_button = QPushButton(self.tr("Assign a&rea on the map…"), self)
        self.balance_button = QPushButton(self.tr("Auto-&balance…"), self)
        self.assign_button.clicked.connect(self.assign_selected)
        self.district_button.clicked.connect(self.assign_district)
        self.area_button.clicked.connect(self.assign_area)
        self.balance_button.clicked.connect(self.auto_balance)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self.assign_selected,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Stop"), self)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Assignment status"))
        self.message.connect(self.status.setText)

        top = QHBoxLayout()
        top.addWidget(agent_label)
        top.addWidget(self.agent_filter)
        top.addSpacing(12)
        for b in (self.assign_button, self.district_button, self.area_button, self.balance_button):
            top.addWidget(b)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)

        left = QWidget(self)
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addLayout(top)
        left_lay.addWidget(self.list, 1)
        left_lay.addLayout(bottom)

        self.tabs = QTabWidget(self)
        self.map_tab = QWidget(self)
        self.map_lay = QVBoxLayout(self.map_tab)
        self.map_lay.setContentsMargins(0, 0, 0, 0)
        self.map_note = QLabel(self.tr("The map of the listed cases opens here."), self.map_tab)
        self.map_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.map_lay.addWidget(self.map_note)
        self.map: AssignMapView | None = None
        self.problems = QTableWidget(0, 6, self)
        self.problems.setHorizontalHeaderLabels([self.tr("Case no."), self.tr("Wanted for"), self.tr("Now with"),
                                                 self.tr("Version now"), self.tr("You saw"), self.tr("Why")])
        self.problems.verticalHeader().setVisible(False)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setAccessibleName(self.tr("Assignments head office did not apply"))
        self.problems.itemDoubleClicked.connect(
            lambda item: self.list.select_case(int(item.data(Qt.ItemDataRole.UserRole))))
        self.problems_tab = QWidget(self)
        problems_lay = QVBoxLayout(self.problems_tab)
        problems_lay.setContentsMargins(4, 4, 4, 4)
        note = QLabel(self.tr("These cases changed at head office after you saw them, so your assignment was not "
                              "applied. Check who holds each now; assign again if it is still wanted."),
                      self.problems_tab)
        note.setWordWrap(True)
        self.again_button = QPushButton(self.tr("Assign agai&n…"), self.problems_tab)
        self.again_button.setToolTip(self.tr("The selected cases of this list (all of them if none is selected)"))
        self.again_button.clicked.connect(self.assign_again)
        self.again_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.again_button)
        problems_lay.addWidget(note)
        problems_lay.addWidget(self.problems, 1)
        problems_lay.addLayout(row)
        self.preview = BalancePreviewPanel(ctx, self)
        self.preview.confirmed.connect(self.confirm_preview)
        self.preview.discarded.connect(lambda: self.message.emit(self.tr("Proposal discarded; nothing was assigned.")))
        self.tabs.addTab(self.map_tab, self.tr("Map"))
        self.tabs.addTab(self.problems_tab, self.tr("Not applied"))
        self.tabs.addTab(self.preview, self.tr("Auto-balance preview"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setChildrenCollapsible(False)
        state = ctx.settings.geometry("assign/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([820, 560])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

        self._keep: list[int] = []
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "_keep", self.selected_ids() or self._keep))
        self.model.reloaded.connect(self._list_reloaded)
        if hasattr(sync, "finished"):  # a bound slot: disconnected when this page goes (a language switch)
            sync.finished.connect(self._sync_finished)
        self.list.start()
        self.load_context()

    # -- loading -----------------------------------------------------------------------------------
    def load_context(self) -> None:
        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: _room_context(store))
        task.then(self, succeeded=self._context_loaded)
        task.then(self, failed=lambda exc: self.message.emit(self.tr("Could not read the team: %1")
                                                             .replace("%1", str(exc)[:300])))

    def _context_loaded(self, context: RoomContext) -> None:
        self.context = context
        self.model.set_context(context.names, context.pending)
        self._fill_agent_filter(context.agents)
        self.list.filters.set_districts(list(context.districts))
        self._show_problems(context.problems)
        if self.map is not None:  # colours and pending marks follow the team and the queue
            self._map_ids = ()
            self._show_map()
        self.contextLoaded.emit()

    @Slot(bool, str)
    def _sync_finished(self, _ok: bool, _message: str) -> None:
        self.reload()

    def reload(self) -> None:
        """After a sync or a delivery: the list, the pending marks, the problems."""
        self.model.reload()
        self.load_context()
        self.dataChanged.emit()

    def _fill_agent_filter(self, agents: Sequence[assigning.TeamAgent]) -> None:
        current = self.agent_filter.currentData()
        self.agent_filter.blockSignals(True)
        self.agent_filter.clear()
        self.agent_filter.addItem(self.tr("All agents"), AGENT_ALL)
        self.agent_filter.addItem(self.tr("Unassigned queue"), AGENT_NONE)
        self.agent_filter.addItem(self.tr("Assignment pending"), AGENT_PENDING)
        for a in agents:
            self.agent_filter.addItem(a.label, a.id)
        i = self.agent_filter.findData(current)
        self.agent_filter.setCurrentIndex(max(0, i))
        self.agent_filter.blockSignals(False)

    def apply_agent_filter(self) -> None:
        value = self.agent_filter.currentData()
        query = self.model.query
        if isinstance(value, int):
            query = replace(query, agent_id=value, extra={})
        else:
            query = replace(query, agent_id=None, extra={"agent": str(value or AGENT_ALL)})
        self.model.set_query(query)

    def _list_reloaded(self) -> None:
        if self._keep:
            self.select_ids(self._keep)
            self._keep = []
        if self.map is not None and self.tabs.currentWidget() is self.map_tab:
            self._show_map()

    # -- selection ---------------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = self.list.table.selectionModel().selectedRows()
        out = [self.model.case_id_at(r.row()) for r in rows]
        return [i for i in out if i is not None]

    def listed_ids(self) -> list[int]:
        return [i for i in self.model.ids if i is not None]

    def select_ids(self, ids: Sequence[int]) -> int:
        """Select these cases in the list (those that are listed); returns how many."""
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        count = 0
        for cid in ids:
            row = self.model.row_of(cid)
            if row is None:
                continue
            selection.select(self.model.index(row, 0), self.model.index(row, last))
            count += 1
        sm = self.list.table.selectionModel()
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return count

    # -- commands ----------------------------------------------------------------------------------
    def _agents(self) -> tuple[assigning.TeamAgent, ...]:
        return self.context.agents if self.context is not None else ()

    def assign_selected(self) -> AgentPickerDialog | None:
        ids = self.selected_ids()
        if not ids:
            self.message.emit(self.tr("Select cases in the list first (Ctrl+A selects every listed case)."))
            return None
        return self.pick_agent_for(ids)

    def pick_agent_for(self, ids: list[int], reason: str = "") -> AgentPickerDialog:
        dialog = AgentPickerDialog(self._agents(), len(ids), self)
        dialog.reason.setText(reason)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda agent, why: self.queue(ids, agent, why))
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def assign_district(self) -> DistrictDialog:
        districts = self.context.districts if self.context is not None else ()
        dialog = DistrictDialog(districts, self._agents(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self._district_chosen)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _district_chosen(self, names: list[str], agent: int | None, unassigned_only: bool, reason: str) -> None:
        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: assigning.district_case_ids(store, names,
                                                                          unassigned_only=unassigned_only))

        def found(ids: list[int]) -> None:
            if not ids:
                self.message.emit(self.tr("No open case in %1.").replace("%1", ", ".join(names)[:300]))
                return
            self.queue(ids, agent, reason)

        task.then(self, succeeded=found, failed=self._failed)

    def assign_area(self) -> None:
        """Show the map of the listed cases with the area tool armed."""
        self.tabs.setCurrentWidget(self.map_tab)
        view = self._show_map()
        view.start_draw("rect")
        self.message.emit(self.tr("Drag a rectangle on the map (or choose Lasso there) around the cases to assign."))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.map is None and self.tabs.currentWidget() is self.map_tab:
            QTimer.singleShot(0, self._show_map)  # after the list has painted

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.map_tab:
            self._show_map()

    def _show_map(self) -> AssignMapView:
        if self.map is None:
            self.map = AssignMapView(self.map_tab, cache_dir=self.ctx.cache_dir,
                                     tile_source=tile_source_from_settings(self.ctx.settings), runner=self.ctx.runner)
            self.map_note.hide()
            self.map_lay.addWidget(self.map, 1)
            self.map.areaDrawn.connect(self._area_drawn)
            self.map.areaRefused.connect(lambda why: self.message.emit(
                self.tr("The drawn area was not usable: %1").replace("%1", why[:200])))
            self.map.caseClicked.connect(lambda cid: self.list.select_case(cid))
        ids = tuple(self.listed_ids()[:MAP_LIMIT])
        if ids != self._map_ids or not self._map_ids:
            self._map_ids = ids
            store = self.ctx.store
            agents = self._agents()
            names = {a.id: a.label for a in agents}
            index = {a.id: i for i, a in enumerate(agents)}
            pending = dict(self.model.pending)
            numbers = self._case_numbers

            def rows() -> list[AssignMapCase]:
                places = assigning.case_places(store, list(ids))
                nos = numbers(store, [p.id for p in places])
                return [AssignMapCase(p.id, p.lat, p.lon, index.get(p.agent_id, -1) if p.agent_id is not None else -1,
                                      nos.get(p.id, ""), names.get(p.agent_id, "") if p.agent_id is not None else "",
                                      p.id in pending) for p in places]

            view = self.map
            task = self.ctx.runner.submit(rows)
            task.then(self, succeeded=lambda r: view.set_cases(r, [a.label for a in agents]))
        return self.map

    @staticmethod
    def _case_numbers(store: Any, ids: list[int]) -> dict[int, str]:
        with store.engine.connect() as conn:
            return {int(r[0]): str(r[1]) for r in conn.execute(text(
                "SELECT id, case_no FROM cases WHERE id IN (SELECT value FROM json_each(:ids))"),
                {"ids": json.dumps(ids)})}

    def _area_drawn(self, points: list[tuple[float, float]]) -> None:
        store = self.ctx.store
        among = list(self._map_ids)
        project = None
        if self.map is not None and self.map.gcj():
            from app.maps.geo import wgs84_to_gcj02

            project = wgs84_to_gcj02
        task = self.ctx.runner.submit(lambda: assigning.cases_in_area(store, points, among, project))

        def found(ids: list[int]) -> None:
            if not ids:
                self.message.emit(self.tr("No listed case lies inside the drawn area."))
                return
            self.select_ids(ids)
            self.message.emit(self.tr("%n case(s) inside the area.", "", len(ids)))
            self.pick_agent_for(ids)

        task.then(self, succeeded=found, failed=self._failed)

    def queue(self, ids: list[int], agent: int | None, reason: str = "") -> None:
        store, actor, now = self.ctx.store, self.ctx.actor, self.ctx.now()
        task = self.ctx.runner.submit(lambda: assigning.queue_assignments(store, ids, agent, actor=actor, now=now,
                                                                          reason=reason))
        task.then(self, succeeded=self._queued, failed=self._failed)

    def queue_plan(self, plan: dict[int, int | None], reason: str = "") -> None:
        store, actor, now = self.ctx.store, self.ctx.actor, self.ctx.now()
        task = self.ctx.runner.submit(lambda: assigning.queue_plan(store, plan, actor=actor, now=now, reason=reason))
        task.then(self, succeeded=self._queued, failed=self._failed)

    def _queued(self, result: assigning.Queued) -> None:
        text_ = self.tr("%n assignment(s) recorded.", "", result.queued)
        if result.missing:
            text_ += " " + self.tr("%n case(s) are not on this device and were skipped.", "", len(result.missing))
        self.message.emit(text_)
        self.queued.emit(result)
        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: _room_context(store))
        task.then(self, succeeded=self._after_queue)

    def _after_queue(self, context: RoomContext) -> None:
        """The pending marks and the list first, then (online) the delivery."""
        self._context_loaded(context)
        self.model.reload()
        self.dataChanged.emit()
        self.send_now()

    def _failed(self, exc: object) -> None:
        self.message.emit(self.tr("Could not assign: %1").replace("%1", str(exc)[:300]))

    # -- delivery ----------------------------------------------------------------------------------
    def can_send(self) -> bool:
        return hasattr(self.sync, "call") and getattr(self.sync, "connectivity", lambda: "")() == "online"

    def send_now(self) -> None:
        """Online: send what is pending now (chunks of 1,000, progress, Stop). Offline: the next sync does."""
        if self._delivery is not None:
            return  # the running delivery reads the queue until it is empty
        if not self.can_send():
            self.message.emit(self.tr("%n assignment(s) pending: head office is not reachable now, so they go at "
                                      "the next sync.", "", len(self.model.pending)))
            return
        store, clock = self.ctx.store, self.ctx.now

        def work(client: Any, handle: Any) -> assigning.Delivery:
            return assigning.deliver_pending(store, client, now=clock, progress=handle.progress,
                                             cancelled=lambda: handle.cancelled)

        task = self.sync.call(work, self._delivered, self._delivery_failed, with_handle=True)
        if task is None:
            return
        self._delivery = task
        task.then(self, progressed=self._progress)
        self._busy(True)
        self.message.emit(self.tr("Sending the assignments to head office…"))

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _busy(self, busy: bool, indeterminate: bool = False) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0 if indeterminate else 1)
            self.progress.setValue(0)

    def cancel(self) -> None:
        for task in (self._delivery, self._balance):
            if task is not None:
                task.cancel()

    def _delivered(self, report: assigning.Delivery) -> None:
        self._delivery = None
        self._busy(False)
        parts = [self.tr("Head office applied %n assignment(s).", "", report.applied)]
        if report.problems:
            parts.append(self.tr("%n were not applied: the cases changed meanwhile (see Not applied).", "",
                                 len(report.problems)))
            self.tabs.setCurrentWidget(self.problems_tab)
        self.message.emit(" ".join(parts))
        self.delivered.emit(report)
        self.reload()

    def _delivery_failed(self, exc: Exception) -> None:
        from app.sync.errors import Cancelled

        self._delivery = None
        self._busy(False)
        if isinstance(exc, Cancelled):
            why = self.tr("Stopped; what was not sent waits for the next sync.")
        else:
            why = self.tr("Head office could not be reached (%1); the assignments wait for the next sync.") \
                .replace("%1", str(exc)[:200])
        self.message.emit(why)
        self.deliveryFailed.emit(why)
        self.reload()

    # -- problems ----------------------------------------------------------------------------------
    def _show_problems(self, problems: Sequence[assigning.Problem]) -> None:
        names = self.model.agent_text
        self.problems.setRowCount(0)
        for p in problems:
            row = self.problems.rowCount()
            self.problems.insertRow(row)
            if p.status == "conflict":
                why = self.tr("Changed at head office since you saw it; not overwritten")
            else:
                why = self.tr("Head office refused it: %1").replace("%1", p.message[:300])
            values = [p.case_no, names(p.wanted_agent), names(p.current_agent),
                      "" if p.current_version is None else str(p.current_version), str(p.seen_version), why]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, p.case_id)
                self.problems.setItem(row, col, item)
        self.again_button.setEnabled(bool(problems))
        self.tabs.setTabText(self.tabs.indexOf(self.problems_tab),
                             self.tr("Not applied (%1)").replace("%1", str(len(problems))) if problems
                             else self.tr("Not applied"))

    def assign_again(self) -> AgentPickerDialog | None:
        """The picker for the not-applied cases (selected rows, else all); they go with today's version."""
        rows = {i.row() for i in self.problems.selectionModel().selectedRows()} or set(range(self.problems.rowCount()))
        ids = sorted({int(self.problems.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows})
        if not ids:
            return None
        self.select_ids(ids)
        return self.pick_agent_for(ids)

    # -- auto-balance ------------------------------------------------------------------------------
    def auto_balance(self) -> BalanceDialog | None:
        agents = self._agents()
        if not agents:
            self.message.emit(self.tr("No agents on this device yet: sync first."))
            return None
        dialog = BalanceDialog(agents, len(self.selected_ids()), len(self.listed_ids()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self._balance_chosen)
        self.dialogOpened.emit(dialog)
        dialog.open()
        return dialog

    def _balance_chosen(self, agent_ids: list[int], selected_only: bool) -> None:
        ids = self.selected_ids() if selected_only else self.listed_ids()
        if not ids:
            self.message.emit(self.tr("There are no cases to balance."))
            return
        self.propose(ids, agent_ids)

    def propose(self, case_ids: list[int], agent_ids: list[int]) -> None:
        if self._balance is not None:
            return
        store, profile, now = self.ctx.store, self.ctx.profile, self.ctx.now()

        def work(handle: Any) -> BalancePreview:
            return _preview(store, case_ids, agent_ids, profile, now, lambda: handle.cancelled)

        task = self.ctx.runner.submit(work, with_handle=True)
        self._balance = task
        self._busy(True, indeterminate=True)
        self.balance_button.setEnabled(False)
        self.message.emit(self.tr("Working out a balanced proposal for %n case(s)…", "", len(case_ids)))
        task.then(self, succeeded=self._proposed,
                        failed=self._balance_failed,
                        cancelled=lambda: self._balance_failed(None))

    def _proposed(self, preview: BalancePreview) -> None:
        self._balance = None
        self._busy(False)
        self.balance_button.setEnabled(True)
        self.tabs.setCurrentWidget(self.preview)  # first: the map is made in a visible tab
        self.preview.show_preview(preview)
        self.message.emit(self.tr("Proposal ready: check it, then confirm or discard."))
        self.previewReady.emit(preview)

    def _balance_failed(self, exc: object) -> None:
        from app.routing.balance import BalanceCancelled

        self._balance = None
        self._busy(False)
        self.balance_button.setEnabled(True)
        if exc is None or isinstance(exc, BalanceCancelled):
            self.message.emit(self.tr("Auto-balance stopped; nothing was assigned."))
        else:
            self.message.emit(self.tr("Auto-balance failed: %1").replace("%1", str(exc)[:300]))

    def confirm_preview(self, preview: BalancePreview) -> None:
        plan: dict[int, int | None] = dict(preview.changes)
        self.queue_plan(plan, "auto-balance")

    # -- layout ------------------------------------------------------------------------------------
    def save_layout(self) -> None:
        self.list.save_layout()
        self.ctx.settings.set_geometry("assign/splitter", self.splitter.saveState())
