"""The case list's first page at launch, before the store has opened.

Opening the store needs SQLAlchemy and the ORM (about half a second of imports) and the workspace
needs its pages' code; the first rows need neither. So while those load, a worker reads the Cases
list's first page with the bare sqlite3 module — read-only, the same SQL the list runs, under the
filters and sort the user left — and the window shows it in a list laid out like the Cases page.
When the workspace is built it replaces this page with the same rows, and the case selected here is
selected there (its detail opens).

No first page is read when it could show something the normal path would not: an encrypted store (the
key comes from the login), one being encrypted, one whose schema needs an upgrade, or no store at all.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QSplitter, QWidget
from shiboken6 import isValid

from app.store.queries import CaseQuery, CaseRow, first_rows
from app.store.revision import HEAD_REVISION

from .case_list import CaseListView
from .case_model import PAGE, CaseTableModel
from .first_rows import FirstRows
from .navigation import PAGE_CASES, PAGE_ROUTE, nav_text
from .settings import AppSettings
from .worker import BackgroundRunner

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
CASES_KEY = "cases"  # the Cases page's settings key (its filters, sort, columns, splitter)
# The window's pages, for the navigation column drawn beside the list (same words, same context).
_NAV = ("&Today", "&Cases", "&Map", "&Sync", "&Reports", "Day r&oute")


def read_first_page(store_file: Path, query: CaseQuery, limit: int = PAGE) -> tuple[int, list[CaseRow]] | None:
    """(matching cases, the first `limit` of them) read with sqlite3 alone, or None when this store must
    go the normal way (see the module's note). Runs in a worker."""
    from app.store.keyfile import keyinfo_path, pending_path

    try:
        if keyinfo_path(store_file).exists() or pending_path(store_file).exists():
            return None
        with store_file.open("rb") as fh:
            if fh.read(16) != SQLITE_MAGIC:
                return None
        db = sqlite3.connect(f"{store_file.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error):
        return None
    try:
        found = db.execute("SELECT version_num FROM alembic_version").fetchone()
        if found is None or found[0] != HEAD_REVISION:
            return None
        return first_rows(db, query, limit)
    except sqlite3.Error as exc:  # busy, damaged, locked: the normal path will say what is wrong
        log.debug("no first page before the store opened: %s", exc)
        return None
    finally:
        db.close()


class FirstPage(QWidget):
    """The Cases page's list with its first rows, shown until the workspace replaces it."""

    shown = Signal()  # the first rows are painted

    def __init__(self, settings: AppSettings, runner: BackgroundRunner, today: Callable[[], date],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.nav = QListWidget(self)
        for title in _NAV:
            QListWidgetItem(nav_text(QCoreApplication.translate("MainWindow", title)), self.nav)
        self.nav.setCurrentRow(PAGE_CASES)
        self.nav.setEnabled(False)  # the pages come with the store
        self.nav.setFixedWidth(max(110, self.nav.fontMetrics().horizontalAdvance("Reports" * 2)))
        self.model = CaseTableModel(None, runner, today, parent=self)
        self.list = CaseListView(self.model, settings, CASES_KEY, parent=self)
        self.list.filters.setEnabled(False)  # a new filter needs the store: it is a moment away
        self.list.table.horizontalHeader().setSectionsClickable(False)  # so does a new sort
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(QWidget(self))  # where the case detail will be
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        state = settings.geometry(f"{CASES_KEY}/splitter")
        if state is None or not self.splitter.restoreState(state):
            self.splitter.setSizes([700, 640])
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.splitter, 1)

    def query(self, today: date) -> CaseQuery:
        """The query the Cases list will run: its saved filters and sort, as the list restored them."""
        return replace(self.model.query, today=today)

    def show_rows(self, total: int, rows: list[CaseRow]) -> None:
        self.model.show_first_rows(total, rows)
        self.list.table.viewport().repaint()
        self.shown.emit()

    @property
    def selected_case(self) -> int | None:
        return self.list.selected_case


def saved_query(settings: AppSettings) -> CaseQuery:
    """The Cases list's query as its settings describe it (the same as `CaseListView` restores), without
    building any widget: the worker can start reading before the GUI thread builds the page."""
    from .case_model import COLUMN_OF_SORT

    query = CaseQuery()
    sort = settings.json_value(f"{CASES_KEY}/sort")
    if isinstance(sort, dict) and sort.get("key") in COLUMN_OF_SORT:
        if sort.get("natural"):
            return query  # not the SQL order: no first page to show
        query = replace(query, sort=sort["key"], descending=bool(sort.get("descending", True)))
    state = settings.json_value(f"{CASES_KEY}/filters")
    if not isinstance(state, dict):
        return query

    def one(key: str) -> tuple[str, ...]:
        value = state.get(key)
        return (value,) if isinstance(value, str) and value else ()

    search = state.get("search")
    promise = state.get("promise")
    return replace(query, search=search[:200] if isinstance(search, str) else "", stages=one("stage"),
                   buckets=one("bucket"), statuses=one("status"), districts=one("district"),
                   safety_only=bool(state.get("safety")),
                   promise=promise if promise in ("today", "overdue", "due") else None)


class FirstPageAtLaunch:
    """Wires a first page into the window at launch (see the module's note). Created by `main.py` right
    after the window is shown; `selected_case` is read just before the workspace is attached."""

    def __init__(self, window: MainWindow, settings: AppSettings, runner: BackgroundRunner,
                 store_file: Callable[[], Path], today: Callable[[], date]):
        self.window = window
        self.settings = settings
        self.runner = runner
        self.today = today
        self.page: FirstPage | None = None
        self.rows: tuple[int, list[CaseRow]] | None = None  # what the page shows: (matching cases, first rows)
        self._loading: QWidget | None = None
        # Set once the first page is painted or known not to come. Opening the store waits for it (see
        # `wait`): both are Python work under one interpreter lock, so sharing it would delay the page.
        self.settled = threading.Event()
        self.query = replace(saved_query(settings), today=today())
        query = self.query
        self.task = runner.submit(lambda: read_first_page(store_file(), query))
        self.task.then(window, succeeded=self._arrived, failed=lambda _exc: self.settled.set())

    def wait(self, timeout: float = 3.0) -> None:
        """In a worker: wait (at most `timeout` seconds) until the first page is up or not coming."""
        self.settled.wait(timeout)

    def _arrived(self, result: tuple[int, list[CaseRow]] | None) -> None:
        try:
            self._show(result)
        finally:
            self.settled.set()

    def _show(self, result: tuple[int, list[CaseRow]] | None) -> None:
        window = self.window
        if result is None or not isValid(window) or getattr(window, "cases", None) is not None:
            return  # nothing to show, or the workspace is already there
        page = FirstPage(self.settings, self.runner, self.today, parent=window)
        if page.query(self.query.today or self.today()) != self.query:
            log.debug("the saved filters read differently in the list: no first page")
            page.deleteLater()
            return
        self._loading = window.takeCentralWidget()  # kept (hidden) for a message if the opening fails
        if self._loading is not None:
            self._loading.hide()
        window.setCentralWidget(page)
        page.show()  # now, not on the layout's queued show: the rows are painted in the next lines
        self.page = page
        # The window's own signal: the Cases list painted its first rows (again when the workspace has).
        page.shown.connect(window.caseListShown)
        total, rows = result
        self.rows = (total, rows)
        page.show_rows(total, rows)

    def selected_case(self) -> int | None:
        """The case selected in the first page, to select again in the workspace's list."""
        if self.page is None or not isValid(self.page):
            return None
        return self.page.selected_case

    def first_rows(self) -> FirstRows | None:
        """The query, count and rows the page shows, for the workspace's list to show in its turn without
        reading them again (it reads every id next, as after any reload)."""
        if self.page is None or self.rows is None:
            return None
        return FirstRows(self.query, *self.rows)

    def opening_failed(self) -> None:
        """The store did not open: give the window back its message area in place of the first page."""
        if self.page is not None and isValid(self.page) and self._loading is not None and isValid(self._loading):
            self.window.setCentralWidget(self._loading)  # deletes the first page
            self._loading.show()
        self.page = None


def launch_first_page(window: MainWindow, settings: AppSettings, runner: BackgroundRunner,
                      data_dir_arg: str | None) -> FirstPageAtLaunch | None:
    """Start reading the first page if the window will open on the Cases page (see the module's note)."""
    from app.domain.clock import DEFAULT_ZONE, local_day, utcnow

    page = settings.json_value("main/page")
    if isinstance(page, int) and 0 <= page <= PAGE_ROUTE and page != PAGE_CASES:
        return None  # the window opens on another page (see MainWindow.build_pages)

    def store_file() -> Path:
        from app.services.datadir import resolve_data_dir, store_path

        return store_path(resolve_data_dir(data_dir_arg))

    return FirstPageAtLaunch(window, settings, runner, store_file, lambda: local_day(utcnow(), DEFAULT_ZONE))
