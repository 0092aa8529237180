"""The day's route: the planned stops on the map and in an ETA table, reordered, locked, re-planned.

What the agent does and what it means for the planner (`app.services.dayplan`):

- **Lock** a stop: it and every stop above it stay first, in this order (the planner's fixed
  prefix); unlocking a stop unlocks those below it too.
- **Drag** a stop (or Up/Down) to a new place: the stops down to where it landed are locked in the
  new order and the rest is planned again after them, so the ETAs are always the planner's.
- **Re-optimise the rest**: plan everything after the locked stops again.
- **Add / remove** a case: planned again with it / without it.

Every plan is saved through the day-plan service at once (it survives restarts) and loaded again
when the view opens. All planning and loading runs on the app's BackgroundRunner; the GUI thread
never waits for the solver or the database. The stops table's model is `route_stops_model`; what the
view reads besides the plan (the skipped cases' numbers, a case by its number) comes from the services.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.maps.routemap import RoutePoint, RouteStop
from app.maps.tilesource import TileSource
from app.routing.model import clock_text
from app.ui import labels
from app.ui.map_view import RouteMapView, tile_source_from_settings
from app.ui.route_skips import RouteSkips
from app.ui.route_stops_model import RouteRow, RouteStopsModel
from app.ui.selection import select_only_row

log = logging.getLogger(__name__)


def _with_case_numbers(store: Any, day_plan: Any) -> tuple[Any, dict[int, str]]:
    """The plan and the case numbers of its skipped cases (the list names cases, not row ids)."""
    from app.services.dayplan import skipped_case_numbers

    if day_plan is None:
        return None, {}
    return day_plan, skipped_case_numbers(store, day_plan)


class _CancelFlag:
    """`run_prefetch` asks `is_set()`; the runner's task handle knows whether the user cancelled."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def is_set(self) -> bool:
        return bool(self._handle.cancelled)


class RouteView(QWidget):
    """The agent's day: map + ETA table + actions. `ctx` is the app's UiContext; the tile source
    defaults to the one configured in its settings."""

    planChanged = Signal(object)  # the DayPlan now shown (or None)
    busyChanged = Signal(bool)
    caseActivated = Signal(int)  # a stop was double-clicked or clicked on the map
    problem = Signal(str)
    startVisitRequested = Signal(int)  # the selected stop's case: "arrived, start the visit"

    def __init__(self, parent: QWidget | None = None, *, ctx: Any, agent_id: int | None = None,
                 day: date | None = None, tile_source: TileSource | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.agent_id = agent_id if agent_id is not None else ctx.agent_id
        self.day = day or ctx.today()
        self.tile_source = tile_source if tile_source is not None else tile_source_from_settings(ctx.settings)
        self.day_plan: Any = None
        self._case_nos: dict[int, str] = {}
        self._busy = False
        self._op = 0
        self._closing = threading.Event()
        self.confirm: Callable[[str], bool] = self._ask

        self.title = QLabel(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.partner_edit = QLineEdit(self)
        self.partner_edit.setPlaceholderText(self.tr("Partner (second collector)"))
        self.partner_edit.setMaxLength(64)
        self.partner_edit.setToolTip(self.tr("Visits that need two collectors are planned only with a partner"))
        self.plan_button = QPushButton(self.tr("Plan the day"), self)
        self.reopt_button = QPushButton(self.tr("Re-optimise the rest"), self)
        self.download_button = QPushButton(self.tr("Download the map for today's area"), self)
        if self.tile_source is None:
            self.download_button.setToolTip(self.tr("Set a tile source in the settings first"))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.partner_edit)
        top.addWidget(self.plan_button)
        top.addWidget(self.reopt_button)
        top.addWidget(self.download_button)

        self.model = RouteStopsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RouteStopsModel.CASE, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)

        self.up_button = QPushButton(self.tr("Up"), self)
        self.down_button = QPushButton(self.tr("Down"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.add_edit = QLineEdit(self)
        self.add_edit.setPlaceholderText(self.tr("Case number to add"))
        self.add_button = QPushButton(self.tr("Add"), self)
        self.arrive_button = QPushButton(self.tr("Arrived / start visit"), self)
        self.arrive_button.setToolTip(self.tr("At the selected stop's door: head office times the visit"))
        edit_row = QHBoxLayout()
        for w in (self.up_button, self.down_button, self.remove_button, self.arrive_button):
            edit_row.addWidget(w)
        edit_row.addStretch(1)
        edit_row.addWidget(self.add_edit)
        edit_row.addWidget(self.add_button)

        self.skipped_title = QLabel(self.tr("Not planned"), self)
        self.skipped = QListWidget(self)
        self.skipped.setMaximumHeight(140)
        self.skips = RouteSkips(self, ctx=ctx, agent_id=self.agent_id, partner_edit=self.partner_edit)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table, 1)
        lv.addLayout(edit_row)
        lv.addWidget(self.skipped_title)
        lv.addWidget(self.skips)
        lv.addWidget(self.skipped)

        self.map = RouteMapView(self, cache_dir=ctx.cache_dir, tile_source=self.tile_source, runner=ctx.runner)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self.map)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.map.setMinimumWidth(320)
        left.setMinimumWidth(360)
        split.setSizes([560, 840])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.plan_button.clicked.connect(self.plan_day)
        self.reopt_button.clicked.connect(self.reoptimise)
        self.download_button.clicked.connect(self.download_area)
        self.up_button.clicked.connect(lambda: self._move_selected(-1))
        self.down_button.clicked.connect(lambda: self._move_selected(+1))
        self.remove_button.clicked.connect(self._remove_selected)
        self.add_button.clicked.connect(self._add_from_edit)
        self.arrive_button.clicked.connect(self._arrived)
        self.add_edit.returnPressed.connect(self._add_from_edit)
        self.model.moveRequested.connect(self.move_stop)
        self.model.lockRequested.connect(self.set_lock)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda idx: self.caseActivated.emit(self.model.rows[idx.row()].case_id))
        self.map.caseClicked.connect(self.select_case)
        self.map.caseClicked.connect(self.caseActivated)
        self.skips.replanRequested.connect(lambda end: self._replan(fixed_prefix=self._locked_ids(), day_end_s=end))
        closing = self._closing  # the clean-up must not reference self: it runs while self is destroyed
        self.destroyed.connect(lambda *_: closing.set())
        self._update_title()
        self._set_busy(False)
        self.reload()

    # --- public actions ------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the saved plan of the day (if any)."""
        from app.services.dayplan import load_day_plan

        if self.agent_id is None:
            self._show_status(self.tr("No agent is signed in on this device: there is no route to plan."))
            self._show(None)
            return
        store, agent, day = self.ctx.store, self.agent_id, self.day
        self._run(lambda: _with_case_numbers(store, load_day_plan(store, agent, day)), self._loaded)

    def plan_day(self) -> None:
        """Plan the day from scratch (keeping hand-added and removed cases), and save it."""
        from app.services.dayplan import DayOptions, plan_agent_day, save_day_plan

        if self.agent_id is None:
            return
        store, agent, day, profile, actor, now = (self.ctx.store, self.agent_id, self.day, self.ctx.profile,
                                                  self.ctx.actor, self.ctx.now())
        previous = self.day_plan.options if self.day_plan is not None else DayOptions()
        options = replace(previous, fixed_prefix=(), partner=self._partner())

        def work() -> Any:
            plan = plan_agent_day(store, agent, day, profile, options, now)
            save_day_plan(store, plan, actor, now)
            return _with_case_numbers(store, plan)

        self._run(work, self._planned, self.tr("Planning the day…"))

    def reoptimise(self) -> None:
        """Plan again after the locked stops."""
        self._replan(fixed_prefix=self._locked_ids())

    @Slot(int, int)
    def move_stop(self, source: int, target: int) -> None:
        """Put stop `source` at position `target`; the stops down to it are locked in that order."""
        rows = self.model.rows
        if not (0 <= source < len(rows) and 0 <= target < len(rows)) or source == target:
            return
        order = [r.case_id for r in rows]
        moved = order.pop(source)
        order.insert(target, moved)
        # Locked now: the moved stop, every stop that was locked, and everything above any of them.
        pinned = {*self._locked_ids(), moved}
        keep = max(i for i, case_id in enumerate(order) if case_id in pinned) + 1
        self._replan(fixed_prefix=order[:keep], select=moved)

    @Slot(int, bool)
    def set_lock(self, row: int, locked: bool) -> None:
        order = [r.case_id for r in self.model.rows]
        if not (0 <= row < len(order)):
            return
        prefix = order[: row + 1] if locked else order[:row]
        if prefix == self._locked_ids():
            return
        self._replan(fixed_prefix=prefix, select=order[row])

    def add_case(self, case_id: int) -> None:
        self._replan(fixed_prefix=self._locked_ids(), add=[int(case_id)], select=int(case_id))

    def remove_case(self, case_id: int) -> None:
        self._replan(fixed_prefix=[c for c in self._locked_ids() if c != case_id], remove=[int(case_id)])

    @Slot(int)
    def select_case(self, case_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.case_id == case_id:
                select_only_row(self.table, i)
                return

    def download_area(self) -> None:
        """Estimate the tiles around today's stops, ask, then download them with progress and cancel."""
        source = self.tile_source
        if source is None or not self.model.rows:
            self._show_status(self.tr("Plan the day first; the map is downloaded around its stops."))
            return
        from app.maps.prefetch import plan_prefetch
        from app.maps.tilecache import TileCache, tile_cache_path

        points = [(r.lat, r.lon) for r in self.model.rows]
        if self.day_plan is not None and self.day_plan.plan.start is not None:
            points.append((self.day_plan.plan.start.lat, self.day_plan.plan.start.lon))
        path = tile_cache_path(self.ctx.cache_dir, source)

        def estimate() -> Any:
            with TileCache(path, source) as cache:
                return plan_prefetch(points, source, cache)

        self._run(estimate, self._confirm_download, self.tr("Estimating the download…"))

    # --- internals -----------------------------------------------------------------------------

    def _replan(self, *, fixed_prefix: Sequence[int], add: Sequence[int] = (), remove: Sequence[int] = (),
                select: int | None = None, day_end_s: int | None = None) -> None:
        from app.services.dayplan import replan, save_day_plan

        if self.agent_id is None:
            return
        store, agent, day, profile, actor, now = (self.ctx.store, self.agent_id, self.day, self.ctx.profile,
                                                  self.ctx.actor, self.ctx.now())
        prefix, added, removed, partner = list(fixed_prefix), list(add), list(remove), self._partner()

        def work() -> Any:
            plan = replan(store, agent, day, profile, fixed_prefix=prefix, add=added, remove=removed,
                          partner=partner, day_end_s=day_end_s, now=now)
            save_day_plan(store, plan, actor, now)
            return _with_case_numbers(store, plan)

        self._run(work, lambda plan: self._planned(plan, select), self.tr("Planning…"))

    def _run(self, fn: Callable[[], Any], done: Callable[[Any], None], busy_text: str = "") -> None:
        if self._busy:
            self._show_status(self.tr("Still working on the previous request…"))
            return
        self._op += 1
        op = self._op
        self._set_busy(True)
        if busy_text:
            self._show_status(busy_text)
        task = self.ctx.runner.submit(fn)
        task.then(self, succeeded=lambda value: self._finish(op, done, value),
                        failed=lambda exc: self._fail(op, exc))

    def _finish(self, op: int, done: Callable[[Any], None], value: Any) -> None:
        if op != self._op or self._closing.is_set():
            return
        self._set_busy(False)
        done(value)

    def _fail(self, op: int, exc: object) -> None:
        if op != self._op or self._closing.is_set():
            return
        self._set_busy(False)
        message = str(exc) or type(exc).__name__
        log.warning("route view: %s", message)
        self._show_status(self.tr("Could not do that: %1").replace("%1", message))
        self.problem.emit(message)

    def _loaded(self, result: tuple[Any, dict[int, str]]) -> None:
        day_plan, self._case_nos = result
        if day_plan is not None and day_plan.options.partner:
            self.partner_edit.setText(day_plan.options.partner)
        self.skips.plan_loaded(day_plan)
        self._show(day_plan)
        if day_plan is None:
            self._show_status(self.tr("No plan for this day yet."))
        else:
            self._show_status(self._summary(day_plan))

    def _planned(self, result: tuple[Any, dict[int, str]], select: int | None = None) -> None:
        day_plan, self._case_nos = result
        self._show(day_plan)
        self._show_status(self._summary(day_plan))
        if select is not None:
            self.select_case(select)

    def _show(self, day_plan: Any) -> None:
        self.day_plan = day_plan
        if day_plan is None:
            self.model.set_rows([])
            self.skipped.clear()
            self.skips.show_plan(None)
            self.map.set_route([], None)
            self.planChanged.emit(None)
            self._set_busy(self._busy)
            return
        plan = day_plan.plan
        rows = [RouteRow(int(s.id), s.label, s.lat, s.lon, s.arrival_s, s.start_s, s.departure_s, s.leg_m,
                         s.must_visit, s.locked, s.warning) for s in plan.stops]
        self.model.set_rows(rows)
        self.skipped.clear()
        self.skips.show_plan(day_plan)
        for k in plan.skipped:
            name = self._case_nos.get(int(k.id), k.id) if k.id.isdigit() else k.id
            self.skipped.addItem(f"{name}: {labels.skip_reason(k.reason.value, k.detail, k.text)}")
        start = RoutePoint(plan.start.lat, plan.start.lon, self.tr("Start")) if plan.start else None
        end = RoutePoint(plan.end.lat, plan.end.lon, self.tr("End")) if plan.end else None
        stops = [RouteStop(r.case_id, r.lat, r.lon, r.label, clock_text(r.arrival_s), r.locked) for r in rows]
        self.map.set_route(stops, start, end)
        self.planChanged.emit(day_plan)
        self._set_busy(self._busy)

    def _summary(self, day_plan: Any) -> str:
        plan = day_plan.plan
        return (self.tr("%1 stops, %2 km, back at %3; %4 not planned")
                .replace("%1", str(len(plan.stops))).replace("%2", f"{plan.total_distance_m / 1000:.1f}")
                .replace("%3", clock_text(plan.return_s)).replace("%4", str(len(plan.skipped))))

    def _partner(self) -> str | None:
        return self.partner_edit.text().strip() or None

    def _locked_ids(self) -> list[int]:
        out = []
        for r in self.model.rows:
            if not r.locked:
                break
            out.append(r.case_id)
        return out

    def _move_selected(self, step: int) -> None:
        row = self.table.currentIndex().row()
        if row >= 0:
            self.move_stop(row, max(0, min(row + step, len(self.model.rows) - 1)))

    def _remove_selected(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.rows):
            self.remove_case(self.model.rows[row].case_id)

    def _add_from_edit(self) -> None:
        text = self.add_edit.text().strip()
        if not text:
            return
        store = self.ctx.store

        def find() -> int | None:
            from app.services.workspace import case_id_by_number

            return case_id_by_number(store, text[:64])

        def found(case_id: int | None) -> None:
            if case_id is None:
                self._show_status(self.tr("No case %1 on this device.").replace("%1", text[:64]))
                return
            self.add_edit.clear()
            self.add_case(case_id)

        self._run(find, found)

    def _arrived(self) -> None:
        row = self.table.selectionModel().currentIndex().row() if self.table.selectionModel() else -1
        if 0 <= row < len(self.model.rows):
            self.startVisitRequested.emit(self.model.rows[row].case_id)
        else:
            self._show_status(self.tr("Select the stop you have arrived at."))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and 0 <= current.row() < len(self.model.rows):
            self.map.highlight_case(self.model.rows[current.row()].case_id)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        has_agent = self.agent_id is not None
        has_plan = bool(self.model.rows)
        self.plan_button.setEnabled(not busy and has_agent)
        self.reopt_button.setEnabled(not busy and has_plan)
        for w in (self.up_button, self.down_button, self.remove_button, self.arrive_button):
            w.setEnabled(not busy and has_plan)
        self.add_button.setEnabled(not busy and has_agent)
        self.download_button.setEnabled(not busy and has_plan and self.tile_source is not None)
        self.table.setEnabled(not busy)
        self.busyChanged.emit(busy)

    def _update_title(self) -> None:
        self.title.setText(self.tr("Route for %1").replace("%1", self.day.isoformat()))

    def _show_status(self, text: str) -> None:
        self.status.setText(text)

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Download the map"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _confirm_download(self, plan: Any) -> None:
        if plan.count == 0:
            self._show_status(self.tr("The map of today's area is already on this device."))
            return
        size_mb = plan.estimated_bytes / 1_000_000
        question = (self.tr("Download %1 map tiles (about %2 MB) for zoom levels %3? %4 are already here.")
                    .replace("%1", f"{plan.count:,}").replace("%2", f"{size_mb:.1f}")
                    .replace("%3", ", ".join(str(z) for z in plan.zooms)).replace("%4", f"{plan.already_cached:,}"))
        if not self.confirm(question):
            self._show_status(self.tr("Download cancelled."))
            return
        self._start_download(plan)

    def _start_download(self, plan: Any) -> None:
        from app.maps.prefetch import run_prefetch
        from app.maps.tilecache import TileCache, tile_cache_path
        from app.maps.tilefetch import TileFetcher

        source = self.tile_source
        assert source is not None
        path = tile_cache_path(self.ctx.cache_dir, source)

        def work(handle: Any) -> Any:
            fetcher = TileFetcher(source)
            try:
                with TileCache(path, source) as cache:
                    return run_prefetch(plan, fetcher, cache, cancel=_CancelFlag(handle),
                                        progress=lambda p: handle.progress(p.done, p.total))
            finally:
                fetcher.close()

        self._op += 1
        op = self._op
        self._set_busy(True)
        dialog = QProgressDialog(self.tr("Downloading the map…"), self.tr("Cancel"), 0, plan.count, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        self.progress_dialog = dialog
        task = self.ctx.runner.submit(work, with_handle=True)
        self.download_task = task
        task.then(self, progressed=lambda done, _total: dialog.setValue(done))
        dialog.canceled.connect(task.cancel)
        task.then(self, succeeded=lambda result: self._downloaded(op, result),
                        cancelled=lambda: self._downloaded(op, None),
                        failed=lambda exc: self._fail(op, exc),
                        finished=dialog.reset)

    def _downloaded(self, op: int, result: Any) -> None:
        if op != self._op or self._closing.is_set():
            return
        self._set_busy(False)
        if result is None or result.cancelled:
            self._show_status(self.tr("Download stopped; the tiles fetched so far are kept."))
        elif result.stopped_reason:
            self._show_status(self.tr("Download stopped after %1 tiles: %2")
                              .replace("%1", str(result.fetched)).replace("%2", result.stopped_reason))
        else:
            self._show_status(self.tr("Downloaded %1 tiles (%2 MB); %3 failed.")
                              .replace("%1", str(result.fetched)).replace("%2", f"{result.bytes / 1e6:.1f}")
                              .replace("%3", str(result.failed)))
        self.map.rebuild()

    def closeEvent(self, event: Any) -> None:
        self._closing.set()
        self.map.shutdown()
        super().closeEvent(event)
