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

The room's parts: its table (`assign_case_table`), its map (`assign_map`), the "Not applied" list
(`assign_not_applied`), the auto-balance preview (`assign_preview`) and its dialogs
(`assign_dialogs`); what it reads comes from `app.services.assign_room`, what it does from
`app.services.assigning`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import assign_room, assigning
from app.services.assign_room import AGENT_ALL, AGENT_NONE, AGENT_PENDING, BalancePreview, RoomContext

from .assign_case_table import COL_AGENT, AssignCaseModel, MultiSelectRowDelegate
from .assign_dialogs import AgentPickerDialog, BalanceDialog, DistrictDialog
from .assign_map import AssignMapView
from .assign_not_applied import NotAppliedPanel
from .assign_preview import BalancePreviewPanel
from .case_list import CaseListView
from .context import UiContext
from .map_view import tile_source_from_settings

log = logging.getLogger(__name__)

MAP_LIMIT = 20_000  # cases drawn on the assign map at most


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
        self.problems_tab = NotAppliedPanel(self)
        self.problems = self.problems_tab.table
        self.problems_tab.caseActivated.connect(self.list.select_case)
        self.problems_tab.again_button.clicked.connect(self.assign_again)
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
        task = self.ctx.runner.submit(lambda: assign_room.room_context(store))
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
            pending = frozenset(self.model.pending)
            view = self.map
            task = self.ctx.runner.submit(lambda: assign_room.map_cases(store, ids, agents, pending))
            task.then(self, succeeded=lambda r: view.set_cases(r, [a.label for a in agents]))
        return self.map

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
        task = self.ctx.runner.submit(lambda: assign_room.room_context(store))
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
        self.problems_tab.show_problems(problems, self.model.agent_text)
        self.tabs.setTabText(self.tabs.indexOf(self.problems_tab),
                             self.tr("Not applied (%1)").replace("%1", str(len(problems))) if problems
                             else self.tr("Not applied"))

    def assign_again(self) -> AgentPickerDialog | None:
        """The picker for the not-applied cases (selected rows, else all); they go with today's version."""
        ids = self.problems_tab.chosen_ids()
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
            return assign_room.balance_preview(store, case_ids, agent_ids, profile, now, lambda: handle.cancelled)

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
