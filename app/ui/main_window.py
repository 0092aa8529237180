"""The main window: the shell shown before the store opens, menus with shortcuts, and the actions
behind them. Its parts have modules of their own: building the pages (`window_pages`), the supervisor's
rooms (`supervisor_rooms`) and the status bar (`window_status_bar`).

The window shows itself before the store is open (a short "opening" page); `attach(ctx)` builds
the pages once the composition root hands it the services. Heavy parts (the map) are created the
first time their page is shown, after the case list has painted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from .connections import connect_for
from .i18n import Translations, resolve_language
from .navigation import PAGE_CASES, PAGE_MAP, PAGE_REPORTS, PAGE_ROUTE, PAGE_SYNC, PAGE_TODAY
from .settings import AppSettings
from .supervisor_rooms import SupervisorRooms
from .window_pages import WindowPages
from .window_status_bar import WindowStatusBar

if TYPE_CHECKING:  # the pages (and SQLAlchemy under them) load once the store is open, not before the window shows
    from .case_workspace import CaseWorkspace
    from .context import UiContext
    from .first_rows import FirstRows
    from .reports_page import ReportsPage
    from .settings_dialog import SettingsDialog
    from .sync_page import SyncPage

# What the Cases page needs before its first rows (loaded beside the store, off the GUI thread), and
# what the other pages and dialogs need (loaded once those rows are painted).
PAGE_MODULES = ("app.ui.case_workspace", "app.services.workspace")
LATER_MODULES = ("app.ui.sync_page", "app.ui.reports_page", "app.ui.settings_dialog")

# The pages' indices are the window's too (tests and callers name them from here).
__all__ = ["LATER_MODULES", "PAGE_CASES", "PAGE_MAP", "PAGE_MODULES", "PAGE_REPORTS", "PAGE_ROUTE", "PAGE_SYNC",
           "PAGE_TODAY", "MainWindow"]

log = logging.getLogger(__name__)


class MainWindow(WindowPages, SupervisorRooms, WindowStatusBar, QMainWindow):
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
        self.visits: Any = None  # app.ui.visit_safety.control.VisitControl once the store is open
        self.setObjectName("MainWindow")
        self.setMinimumSize(900, 600)
        geometry = settings.geometry("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1440, 900)
        self.loading = QLabel(self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.loading)
        self._build_status_bar()
        self.retranslate_shell()

    # -- shell (before and after the store opens) ------------------------------------------------
    def retranslate_shell(self) -> None:
        self.setWindowTitle(self.tr("Doorstep — field visits"))
        self.loading.setText(self.tr("Opening the case store…"))

    def show_error(self, message: str) -> None:
        self.loading.setText(self.tr("The case store could not be opened:") + "\n" + message[:1000])
        self.loading.setTextFormat(Qt.TextFormat.PlainText)

    # -- pages (built in window_pages) ---------------------------------------------------------
    def attach(self, ctx: UiContext, first_rows: FirstRows | None = None, selected: int | None = None) -> None:
        """Build the pages over an open store. `first_rows`: the Cases list's first page as read at launch
        (app.ui.first_page), shown at once if it answers the list's query; `selected`: the case to select."""
        self.ctx = ctx
        connect_for(self, ctx.sync.connectivityChanged, lambda _s: self._show_connectivity())
        connect_for(self, ctx.sync.finished, lambda _ok, _m: self.refresh_status())
        # a sync may bring (or change) the role
        connect_for(self, ctx.sync.finished, lambda _ok, _m: self._check_role())
        self._attach_visits(ctx)
        self.build_pages(first_rows, selected)
        self._status_timer.start()

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
        if self.visits is not None:
            self.visits.build_menu(bar)

    def _attach_visits(self, ctx: UiContext) -> None:
        """The visit banner, the Safety menu and the SOS shortcut (app/ui/visit_safety)."""
        from .visit_safety.control import VisitControl

        if self.visits is not None:
            self.visits.shutdown()
            self.visits.deleteLater()
        self.visits = VisitControl(self, ctx)
        self.visits.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def start_visit(self, case_id: int) -> None:
        if self.visits is not None:
            self.visits.start_visit(case_id)

    def _outcome_saved(self, case_id: int) -> None:
        if self.visits is not None:
            self.visits.after_outcome(case_id)

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
        """The sync controller asks the desk for the sign-in dialog (app/ui/desk/signing_in.py)."""
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
        if self.visits is not None:
            self.visits.shutdown()
            self.visits.deleteLater()
            self.visits = None
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

    def pending_text(self, pending: int) -> str:
        """The status bar's "N record(s) waiting to upload". Here, not in window_status_bar: the translation
        tools read a plural only from a tr() in the class itself."""
        return self.tr("%n record(s) waiting to upload", "", pending)

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
