"""The main window: navigation, pages, menus with shortcuts, and the status bar.

The window shows itself before the store is open (a short "opening" page); `attach(ctx)` builds
the pages once the composition root hands it the services. Heavy parts (the map) are created the
first time their page is shown, after the case list has painted.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .connections import connect_for
from .i18n import Translations, resolve_language
from .placeholder_page import PlaceholderPage
from .settings import AppSettings

if TYPE_CHECKING:  # the pages (and SQLAlchemy under them) load once the store is open, not before the window shows
    from .case_workspace import CaseWorkspace
    from .context import UiContext
    from .first_page import FirstRows
    from .reports_page import ReportsPage
    from .settings_dialog import SettingsDialog
    from .sync_page import SyncPage

# What the Cases page needs before its first rows (loaded beside the store, off the GUI thread), and
# what the other pages and dialogs need (loaded once those rows are painted).
PAGE_MODULES = ("app.ui.case_workspace", "app.services.workspace")
LATER_MODULES = ("app.ui.sync_page", "app.ui.reports_page", "app.ui.settings_dialog")

log = logging.getLogger(__name__)

PAGE_TODAY, PAGE_CASES, PAGE_MAP, PAGE_SYNC, PAGE_REPORTS, PAGE_ROUTE = range(6)
# The supervisor's rooms (shown only to a supervisor or admin): module, class; built on first show.
SUPERVISOR_ROOMS = (("app.ui.assign_page", "AssignPage"), ("app.ui.team_page", "TeamPage"),
                    ("app.ui.approvals_page", "ApprovalsPage"))
STATUS_REFRESH_MS = 30_000
MAP_CASE_LIMIT = 5_000


class MainWindow(QMainWindow):
    caseListShown = Signal()  # the Cases list painted its first rows (once per build of the pages)
    caseListReady = Signal()  # the Cases list has all its rows (once per build of the pages)
    pagesBuilt = Signal()
    pageSettled = Signal()  # the page in view painted its first rows (or failed to): background chores may start
    statusRefreshed = Signal()
    settingsSaved = Signal()  # the Settings dialog saved (head office, TLS or retention may have changed)

    def __init__(self, settings: AppSettings, translations: Translations | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.translations = translations
        self.ctx: UiContext | None = None
        self.cases: CaseWorkspace | None = None
        self.today: CaseWorkspace | None = None
        self.sync_page: SyncPage | None = None
        self.reports_page: ReportsPage | None = None
        self.map_page: QWidget | None = None
        self._map_built = False
        self.supervisor_pages: list[QWidget] = []
        self.setObjectName("MainWindow")
        self.setMinimumSize(900, 600)
        geometry = settings.geometry("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1440, 900)
        self.loading = QLabel(self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.loading)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._build_status_bar()
        self.retranslate_shell()

    # -- shell (before and after the store opens) ------------------------------------------------
    def retranslate_shell(self) -> None:
        self.setWindowTitle(self.tr("Doorstep — field visits"))
        self.loading.setText(self.tr("Opening the case store…"))

    def show_error(self, message: str) -> None:
        self.loading.setText(self.tr("The case store could not be opened:") + "\n" + message[:1000])
        self.loading.setTextFormat(Qt.TextFormat.PlainText)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.connectivity_label = QLabel(self)
        self.last_sync_label = QLabel(self)
        self.pending_label = QLabel(self)
        for label in (self.connectivity_label, self.last_sync_label, self.pending_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setContentsMargins(10, 0, 10, 0)
            bar.addPermanentWidget(label)

    # -- pages -------------------------------------------------------------------------------
    def attach(self, ctx: UiContext, first_rows: FirstRows | None = None, selected: int | None = None) -> None:
        """Build the pages over an open store. `first_rows`: the Cases list's first page as read at launch
        (app.ui.first_page), shown at once if it answers the list's query; `selected`: the case to select."""
        self.ctx = ctx
        connect_for(self, ctx.sync.connectivityChanged, lambda _s: self._show_connectivity())
        connect_for(self, ctx.sync.finished, lambda _ok, _m: self.refresh_status())
        # a sync may bring (or change) the role
        connect_for(self, ctx.sync.finished, lambda _ok, _m: self._check_role())
        self.build_pages(first_rows, selected)
        self._status_timer.start()

    def build_pages(self, first_rows: FirstRows | None = None, selected: int | None = None) -> None:
        from .case_model import CaseTableModel, sql_first
        from .case_workspace import CaseWorkspace

        ctx = self.ctx
        assert ctx is not None
        self.menuBar().clear()
        self._map_built = False
        keep = {key: ws.list.selected_case for key, ws in (("cases", self.cases), ("today", self.today))
                if ws is not None}
        self.nav = QListWidget(self)
        self.nav.setAccessibleName(self.tr("Navigation"))
        self.nav.setFixedWidth(max(110, self.nav.fontMetrics().horizontalAdvance("Reports" * 2)))
        self.stack = QStackedWidget(self)

        page = self.settings.json_value("main/page")
        self._wanted_page = page  # a supervisor room is added later (once the role is read): it may be this one
        opening = page if isinstance(page, int) and 0 <= page <= PAGE_ROUTE else PAGE_CASES
        cases_model = CaseTableModel(ctx.store, ctx.runner, ctx.today, parent=self, first_source=sql_first)
        self.cases = CaseWorkspace(ctx, cases_model, "cases", parent=self)
        self.today = self.sync_page = self.reports_page = None  # the old ones go with the old pages
        self.map_page = PlaceholderPage(self.tr("Map"), self.tr("The map opens here…"), self)
        self.route_page: QWidget = PlaceholderPage(self.tr("Day route"), self.tr("The day's route opens here…"), self)
        self._route_built = False
        # Opening on Cases, the Today, Sync and Reports pages are built once its first rows are painted
        # (`_later_pages`, `_place_later_pages`); until then each is a placeholder in its place.
        later = opening == PAGE_CASES
        placeholders = {i: PlaceholderPage("", "", self) for i in (PAGE_TODAY, PAGE_SYNC, PAGE_REPORTS)} if later \
            else self._later_pages()
        pages = [(self.tr("&Today"), placeholders[PAGE_TODAY]), (self.tr("&Cases"), self.cases),
                 (self.tr("&Map"), self.map_page), (self.tr("&Sync"), placeholders[PAGE_SYNC]),
                 (self.tr("&Reports"), placeholders[PAGE_REPORTS]), (self.tr("Day r&oute"), self.route_page)]
        for title, page in pages:
            QListWidgetItem(re.sub(r"\(&\w\)|&", "", title), self.nav)
            self.stack.addWidget(page)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        old = self.centralWidget()
        self.setCentralWidget(central)
        if old is not None and old is not self.loading:
            old.deleteLater()
        self.nav.currentRowChanged.connect(self._page_changed)
        self.cases.dataChanged.connect(self.refresh_status)
        self.cases.planChanged.connect(self._plan_changed)
        self.cases.list.listReady.connect(self._first_list_ready)
        self.cases.model.firstRowsReady.connect(self._first_rows_shown)
        self._build_menus(pages)
        self.setWindowTitle(self.tr("Doorstep — field visits"))
        if not later:
            self._place_later_pages(placeholders, keep.get("today"))
        self.nav.setCurrentRow(opening)
        self.supervisor_pages: list[QWidget] = []
        self.cases.list.restore_selection(selected if selected is not None else keep.get("cases"))
        # The page in view loads first; the other list and the status bar wait for its first rows.
        first = self.today if opening == PAGE_TODAY and self.today is not None else self.cases
        started: list[bool] = []

        def then() -> None:
            if not started:
                started.append(True)
                if later:
                    self._place_later_pages(placeholders, keep.get("today"), self._later_pages())
                second = self.cases if first is self.today else self.today
                if second is not None:
                    second.start()
                self.refresh_status()
                self._check_role()  # the supervisor's rooms, if this user has them
                self.pageSettled.emit()

        first.model.firstRowsReady.connect(then)
        connect_for(self, first.model.loadFailed, lambda _m: then())
        if first is self.cases and first_rows is not None and not self.cases.model.natural \
                and replace(self.cases.model.query, today=ctx.today()) == first_rows.query:
            central.show()  # now, not on the layout's queued show: the rows are painted in the next lines
            self.cases.model.adopt_first_rows(first_rows.total, first_rows.rows)
        else:
            first.start()
        self.pagesBuilt.emit()

    def _later_pages(self) -> dict[int, QWidget]:
        """The Today, Sync and Reports pages (by index)."""
        from app.services.workspace import today_case_ids
        from app.store.queries import case_ids

        from .case_model import CaseTableModel
        from .case_workspace import CaseWorkspace
        from .reports_page import ReportsPage, reports_folder
        from .sync_page import SyncPage

        ctx = self.ctx
        assert ctx is not None
        store, zone, agent = ctx.store, ctx.zone, ctx.agent_id

        def today_ids(conn: Any, query: Any, natural: bool) -> list[int]:
            ids = today_case_ids(store, ctx.now(), zone, agent)
            if natural:
                return ids
            return case_ids(conn, replace(query, case_ids=tuple(ids)))

        today_model = CaseTableModel(ctx.store, ctx.runner, ctx.today, source=today_ids, parent=self)
        today = CaseWorkspace(ctx, today_model, "today", natural_order=True, parent=self)
        sync = SyncPage(ctx, self)
        reports = ReportsPage(ctx, lambda: self.cases.list.selected_case if self.cases else None,
                              reports_folder(self.settings.reports_folder, ctx.cache_dir.parent), self)
        return {PAGE_TODAY: today, PAGE_SYNC: sync, PAGE_REPORTS: reports}

    def _place_later_pages(self, placeholders: dict[int, QWidget], today_selected: int | None,
                           pages: dict[int, QWidget] | None = None) -> None:
        """Put the Today, Sync and Reports pages in their places (`pages`: built now, in place of the
        placeholders; None: they are `placeholders` themselves, built with the rest)."""
        if pages is not None:
            current = self.stack.currentIndex()
            for index, page in pages.items():
                old = placeholders[index]
                self.stack.insertWidget(index, page)
                self.stack.removeWidget(old)
                old.deleteLater()
            self.stack.setCurrentIndex(current)
        else:
            pages = placeholders
        self.today = pages[PAGE_TODAY]  # type: ignore[assignment]
        self.sync_page = pages[PAGE_SYNC]  # type: ignore[assignment]
        self.reports_page = pages[PAGE_REPORTS]  # type: ignore[assignment]
        assert self.today is not None
        self.today.dataChanged.connect(self.refresh_status)
        self.today.planChanged.connect(self._plan_changed)
        self.today.list.restore_selection(today_selected)
        if self.stack.currentIndex() == PAGE_SYNC and self.sync_page is not None:
            self.sync_page.refresh()

    def _build_menus(self, pages: list[tuple[str, QWidget]]) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = self._action(file_menu, self.tr("&Settings…"), self.open_settings,
                                            QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Comma))
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        go = bar.addMenu(self.tr("&Go"))
        for i, (title, _page) in enumerate(pages):
            self._action(go, title, lambda _c=False, i=i: self.show_page(i),
                         QKeySequence(Qt.Modifier.CTRL | Qt.Key(Qt.Key.Key_1 + i)))
        self._go_menu = go
        go.addSeparator()
        self._action(go, self.tr("&Find a case"), self.find_case, QKeySequence(QKeySequence.StandardKey.Find))
        case = bar.addMenu(self.tr("C&ase"))
        self.record_action = self._action(case, self.tr("&Record outcome…"), self.record_outcome,
                                          QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R))
        self._action(case, self.tr("Add &safety note…"), self.add_safety_note,
                     QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_N))
        self._action(case, self.tr("Add to today's &plan"), self.add_to_plan,
                     QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_P))
        self._action(case, self.tr("Re&veal contact details"), self.reveal_contacts,
                     QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_V))
        self._action(case, self.tr("Go to the &list"), self.focus_list, QKeySequence(Qt.Key.Key_F6))
        self._action(case, self.tr("Re&fresh"), self.refresh_lists, QKeySequence(QKeySequence.StandardKey.Refresh))
        sync = bar.addMenu(self.tr("S&ync"))
        self._action(sync, self.tr("Sync &now"), self.sync_now, QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Y))
        sync.addSeparator()
        self._action(sync, self.tr("Sign &in to head office…"), self.sign_in,
                     QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_I))
        self._action(sync, self.tr("Sign &out of head office"), self.sign_out)

    def _action(self, menu: Any, title: str, slot: Any, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(title, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    # -- navigation and actions ------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def current_workspace(self) -> CaseWorkspace | None:
        page = self.stack.currentWidget() if hasattr(self, "stack") else None
        return page if page is not None and page in (self.cases, self.today) else None  # type: ignore[return-value]

    def _page_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.settings.set_json_value("main/page", index)
        if index == PAGE_MAP:
            QTimer.singleShot(0, self._build_map)
        elif index == PAGE_ROUTE:
            QTimer.singleShot(0, self._build_route)
        elif index == PAGE_SYNC and self.sync_page is not None:
            self.sync_page.refresh()
        elif index > PAGE_ROUTE:
            QTimer.singleShot(0, lambda: self._build_supervisor_room(index))

    def _workspace_for_action(self) -> CaseWorkspace | None:
        ws = self.current_workspace()
        if ws is None:
            self.show_page(PAGE_CASES)
            ws = self.cases
        return ws

    def find_case(self) -> None:
        ws = self._workspace_for_action()
        if ws is not None:
            ws.list.focus_search()

    def focus_list(self) -> None:
        ws = self._workspace_for_action()
        if ws is not None:
            ws.list.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def record_outcome(self) -> None:
        ws = self.current_workspace()
        if ws is not None and ws.current_detail() is not None:
            ws.record_outcome()
        else:
            self.statusBar().showMessage(self.tr("Select a case first."), 4000)

    def add_safety_note(self) -> None:
        ws = self.current_workspace()
        if ws is not None and ws.current_detail() is not None:
            ws.add_safety_note()
        else:
            self.statusBar().showMessage(self.tr("Select a case first."), 4000)

    def add_to_plan(self) -> None:
        ws = self.current_workspace()
        if ws is not None and ws.current_detail() is not None:
            ws.add_to_plan()
        else:
            self.statusBar().showMessage(self.tr("Select a case first."), 4000)

    def reveal_contacts(self) -> None:
        ws = self.current_workspace()
        if ws is not None and ws.current_detail() is not None:
            ws.detail.reveal()

    def refresh_lists(self) -> None:
        for ws in (self.cases, self.today):
            if ws is not None:
                ws.model.reload()
        self.refresh_status()

    def sync_now(self) -> None:
        if self.ctx is not None:
            self.ctx.sync.sync_now()
            self.show_page(PAGE_SYNC)

    def sign_in(self) -> None:
        """The sync controller asks the composition root for the sign-in dialog (main.py)."""
        request = getattr(self.ctx.sync, "request_sign_in", None) if self.ctx is not None else None
        if request is not None:
            request()

    def sign_out(self) -> None:
        request = getattr(self.ctx.sync, "request_sign_out", None) if self.ctx is not None else None
        if request is not None:
            request()

    def detach(self, message: str) -> None:
        """Let go of the store: the pages are deleted and `message` shows until `attach` builds them again
        (a plain store being encrypted at the first sign-in)."""
        self._status_timer.stop()
        self.save_layout()
        self.ctx = None
        self.cases = self.today = None
        self.sync_page = None
        self.supervisor_pages = []
        self.menuBar().clear()
        self.loading = QLabel(message, self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setWordWrap(True)
        self.setCentralWidget(self.loading)  # the old central widget (the pages) is deleted by Qt

    def open_settings(self) -> SettingsDialog:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._settings_saved(dialog.language_changed))
        dialog.open()
        return dialog

    def _settings_saved(self, language_changed: bool) -> None:
        if language_changed:
            self.switch_language(resolve_language(self.settings.language))
        self.settingsSaved.emit()

    def switch_language(self, language: str) -> None:
        """Swap translators and rebuild the pages: the switch shows at once, no restart needed."""
        if self.translations is not None:
            self.translations.apply(language)
        if self.ctx is not None:
            self.save_layout()
            self.build_pages()
        else:
            self.retranslate_shell()

    # -- map (lazy) -------------------------------------------------------------------------------
    def _build_map(self) -> None:
        if self._map_built or self.ctx is None or self.cases is None:
            return
        self._map_built = True
        try:
            module = importlib.import_module("app.ui.map_view")
        except ModuleNotFoundError as exc:
            if exc.name != "app.ui.map_view":
                raise
            return  # the map's work has not landed: the plain page stays
        from app.services.workspace import map_points

        ctx = self.ctx
        from_settings = getattr(module, "tile_source_from_settings", None)
        tiles = from_settings(ctx.settings) if from_settings else None
        view = module.CaseMapView(cache_dir=ctx.cache_dir, tile_source=tiles)
        index = self.stack.indexOf(self.map_page)
        self.stack.removeWidget(self.map_page)
        self.map_page.deleteLater()
        self.map_page = view
        self.stack.insertWidget(index, view)
        self.stack.setCurrentIndex(index)
        view.caseClicked.connect(self._map_case_clicked)
        ids = self.cases.model.ids[:MAP_CASE_LIMIT]
        store = ctx.store
        make = getattr(module, "MapCase", None)
        task = ctx.runner.submit(lambda: map_points(store, ids))

        def show(points: list[Any]) -> None:
            rows = [make(p.id, p.case_no, p.label, p.lat, p.lon, p.priority, p.safety_level, p.status)
                    for p in points] if make else points
            view.set_cases(rows)

        task.then(self, succeeded=show)

    def _build_route(self) -> None:
        """The route planner (its own module, with the solver and the map) loads on first use."""
        if self._route_built or self.ctx is None:
            return
        self._route_built = True
        try:
            module = importlib.import_module("app.ui.route_view")
        except ModuleNotFoundError as exc:
            if exc.name != "app.ui.route_view":
                raise
            return
        view = module.RouteView(ctx=self.ctx)
        index = self.stack.indexOf(self.route_page)
        self.stack.removeWidget(self.route_page)
        self.route_page.deleteLater()
        self.route_page = view
        self.stack.insertWidget(index, view)
        self.stack.setCurrentIndex(index)
        view.caseActivated.connect(self._map_case_clicked)
        if self.today is not None:
            connect_for(self, view.planChanged,
                        lambda _plan: self.today.model.reload() if self.today else None)

    # -- supervisor rooms (role from head office, via the local agents table) --------------------
    def _check_role(self) -> None:
        if self.ctx is None or self.supervisor_pages:
            return
        store, actor = self.ctx.store, self.ctx.actor

        def supervisor() -> bool:
            # imported here, in the worker: the assigning service loads the wire schema (pydantic), a fifth
            # of a second the case list's first rows do not wait for
            from app.services.assigning import is_supervisor

            return is_supervisor(store, actor)

        task = self.ctx.runner.submit(supervisor)
        task.then(self, succeeded=lambda yes: self._add_supervisor_rooms() if yes else None)

    def _add_supervisor_rooms(self) -> None:
        if self.supervisor_pages or not hasattr(self, "nav"):
            return
        titles = (self.tr("&Assign"), self.tr("T&eam"), self.tr("Appro&vals"))
        for offset, title in enumerate(titles):
            plain = re.sub(r"\(&\w\)|&", "", title)
            page = PlaceholderPage(plain, self.tr("This room opens here…"), self)
            self.supervisor_pages.append(page)
            QListWidgetItem(plain, self.nav)
            index = self.stack.addWidget(page)
            self._action(self._go_menu, title, lambda _c=False, i=index: self.show_page(i),
                         QKeySequence(Qt.Modifier.CTRL | Qt.Key(Qt.Key.Key_1 + PAGE_ROUTE + 1 + offset)))
        page = getattr(self, "_wanted_page", None)
        if isinstance(page, int) and PAGE_ROUTE < page < self.nav.count():
            self.show_page(page)

    def _build_supervisor_room(self, index: int) -> None:
        """The room's own module loads on first show; until its work lands the placeholder stays."""
        offset = index - PAGE_ROUTE - 1
        if self.ctx is None or not 0 <= offset < len(self.supervisor_pages):
            return
        old = self.supervisor_pages[offset]
        if not isinstance(old, PlaceholderPage):
            return
        name, cls = SUPERVISOR_ROOMS[offset]
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            return
        view = getattr(module, cls)(self.ctx, self.ctx.sync, self)
        if hasattr(view, "dataChanged"):  # e.g. assignments queued: the waiting number changes
            view.dataChanged.connect(self.refresh_status)
        if hasattr(view, "caseActivated"):  # a visit on the team map, an approval item: open its case
            view.caseActivated.connect(self._map_case_clicked)
        self.supervisor_pages[offset] = view
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.insertWidget(index, view)
        self.stack.setCurrentIndex(index)

    def _plan_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        if self.today is not None:
            self.today.model.reload()
        if self._route_built and hasattr(self.route_page, "reload"):
            self.route_page.reload()

    def _map_case_clicked(self, case_id: int) -> None:
        if self.cases is None:
            return
        self.show_page(PAGE_CASES)
        if not self.cases.list.select_case(case_id):
            self.cases.detail.show_case(case_id)

    # -- status bar -------------------------------------------------------------------------------
    def _first_rows_shown(self) -> None:
        if self.cases is not None:
            self.cases.model.firstRowsReady.disconnect(self._first_rows_shown)
            self.cases.list.table.viewport().repaint()
        self.caseListShown.emit()

    def _first_list_ready(self) -> None:
        if self.cases is not None:
            self.cases.list.listReady.disconnect(self._first_list_ready)
        self.caseListReady.emit()

    def _show_connectivity(self) -> None:
        if self.ctx is None:
            return
        state = self.ctx.sync.connectivity()
        text = {"online": self.tr("● Online"), "offline": self.tr("○ Offline"),
                "unconfigured": self.tr("○ No head office configured")}.get(state, state)
        self.connectivity_label.setText(text)

    def refresh_status(self) -> None:
        if self.ctx is None:
            return
        self._show_connectivity()
        from app.services.workspace import last_sync, pending_count

        store = self.ctx.store
        task = self.ctx.runner.submit(lambda: (pending_count(store), last_sync(store)))
        task.then(self, succeeded=self._show_status)

    def _show_status(self, result: tuple[int, str | None]) -> None:
        pending, last = result
        self.pending_label.setText(self.tr("%n record(s) waiting to upload", "", pending))
        self.last_sync_label.setText(self.tr("Last sync: %1").replace("%1", last[:16].replace("T", " ") if last
                                                                         else self.tr("never")))
        self.statusRefreshed.emit()

    # -- closing ---------------------------------------------------------------------------------
    def save_layout(self) -> None:
        self.settings.set_geometry("main/geometry", self.saveGeometry())
        for ws in (self.cases, self.today):
            if ws is not None:
                ws.save_layout()
        for page in self.supervisor_pages:
            if hasattr(page, "save_layout"):
                page.save_layout()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self._status_timer.stop()
        if self.ctx is not None and not self.ctx.runner.shutdown(15_000):
            QMessageBox.warning(self, self.tr("Doorstep"), self.tr("Background work is still running."))
        super().closeEvent(event)
