"""Building the main window's pages over an open store (`build_pages`, again after a language switch),
and the pages built later: Today, Sync and Reports once the Cases list has painted its first rows, the
map and the day route the first time they are shown.

A part of `MainWindow` (app/ui/main_window.py); its strings are the window's ("MainWindow" context).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from .connections import connect_for
from .navigation import PAGE_CASES, PAGE_REPORTS, PAGE_ROUTE, PAGE_SYNC, PAGE_TODAY, nav_text
from .placeholder_page import PlaceholderPage

if TYPE_CHECKING:  # the pages (and SQLAlchemy under them) load once the store is open, not before the window shows
    from .case_workspace import CaseWorkspace
    from .context import UiContext
    from .first_rows import FirstRows
    from .reports_page import ReportsPage
    from .settings import AppSettings
    from .sync_page import SyncPage

MAP_CASE_LIMIT = 5_000


class WindowPages:
    """The window's pages: the navigation column, the stack beside it, and each page in its place."""

    settings: AppSettings
    ctx: UiContext | None
    cases: CaseWorkspace | None
    today: CaseWorkspace | None
    sync_page: SyncPage | None
    reports_page: ReportsPage | None
    map_page: QWidget | None
    route_page: QWidget
    supervisor_pages: list[QWidget]
    nav: QListWidget
    stack: QStackedWidget

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
        self.nav.setAccessibleName(QCoreApplication.translate("MainWindow", "Navigation"))
        self.nav.setFixedWidth(max(110, self.nav.fontMetrics().horizontalAdvance("Reports" * 2)))
        self.stack = QStackedWidget(self)

        page = self.settings.json_value("main/page")
        self._wanted_page = page  # a supervisor room is added later (once the role is read): it may be this one
        opening = page if isinstance(page, int) and 0 <= page <= PAGE_ROUTE else PAGE_CASES
        cases_model = CaseTableModel(ctx.store, ctx.runner, ctx.today, parent=self, first_source=sql_first)
        self.cases = CaseWorkspace(ctx, cases_model, "cases", parent=self)
        self.today = self.sync_page = self.reports_page = None  # the old ones go with the old pages
        self.map_page = PlaceholderPage(QCoreApplication.translate("MainWindow", "Map"),
                                        QCoreApplication.translate("MainWindow", "The map opens here…"), self)
        self.route_page = PlaceholderPage(
            QCoreApplication.translate("MainWindow", "Day route"),
            QCoreApplication.translate("MainWindow", "The day's route opens here…"), self)
        self._route_built = False
        # Opening on Cases, the Today, Sync and Reports pages are built once its first rows are painted
        # (`_later_pages`, `_place_later_pages`); until then each is a placeholder in its place.
        later = opening == PAGE_CASES
        placeholders = {i: PlaceholderPage("", "", self) for i in (PAGE_TODAY, PAGE_SYNC, PAGE_REPORTS)} if later \
            else self._later_pages()
        pages = [(QCoreApplication.translate("MainWindow", "&Today"), placeholders[PAGE_TODAY]),
                 (QCoreApplication.translate("MainWindow", "&Cases"), self.cases),
                 (QCoreApplication.translate("MainWindow", "&Map"), self.map_page),
                 (QCoreApplication.translate("MainWindow", "&Sync"), placeholders[PAGE_SYNC]),
                 (QCoreApplication.translate("MainWindow", "&Reports"), placeholders[PAGE_REPORTS]),
                 (QCoreApplication.translate("MainWindow", "Day r&oute"), self.route_page)]
        for title, page in pages:
            QListWidgetItem(nav_text(title), self.nav)
            self.stack.addWidget(page)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        visits = getattr(self, "visits", None)
        if visits is not None:  # the visit banner, above every room (moved here from the old pages)
            outer.addWidget(visits.banner)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        outer.addLayout(row, 1)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        old = self.centralWidget()
        self.setCentralWidget(central)
        if old is not None and old is not self.loading:
            old.deleteLater()
        self.nav.currentRowChanged.connect(self._page_changed)
        self.cases.dataChanged.connect(self.refresh_status)
        self.cases.planChanged.connect(self._plan_changed)
        self.cases.startVisitRequested.connect(self.start_visit)
        self.cases.outcomeSaved.connect(self._outcome_saved)
        self.cases.list.listReady.connect(self._first_list_ready)
        self.cases.model.firstRowsReady.connect(self._first_rows_shown)
        self._build_menus(pages)
        self.setWindowTitle(QCoreApplication.translate("MainWindow", "Doorstep — field visits"))
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
        self.today.startVisitRequested.connect(self.start_visit)
        self.today.outcomeSaved.connect(self._outcome_saved)
        self.today.list.restore_selection(today_selected)
        if self.stack.currentIndex() == PAGE_SYNC and self.sync_page is not None:
            self.sync_page.refresh()

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
        if hasattr(view, "startVisitRequested"):
            view.startVisitRequested.connect(self.start_visit)
        if self.today is not None:
            connect_for(self, view.planChanged,
                        lambda _plan: self.today.model.reload() if self.today else None)

    def _first_rows_shown(self) -> None:
        if self.cases is not None:
            self.cases.model.firstRowsReady.disconnect(self._first_rows_shown)
            self.cases.list.table.viewport().repaint()
        self.caseListShown.emit()

    def _first_list_ready(self) -> None:
        if self.cases is not None:
            self.cases.list.listReady.disconnect(self._first_list_ready)
        self.caseListReady.emit()
