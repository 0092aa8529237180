"""The supervisor's rooms in the main window: Assign, Team, Approvals and Safety, added to the navigation
when the local `agents` table says the user is a supervisor or admin (read once the list is up, and again
after each sync: a sync may bring the role), each built from its own module the first time it is shown —
except the Safety room (the safety board, app/ui/visit_safety/board_page.py), built at once: it keeps
asking head office for alarms while it is hidden, so a new alarm is noticed from every room.

A part of `MainWindow` (app/ui/main_window.py); its strings are the window's ("MainWindow" context).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStackedWidget, QWidget

from .navigation import PAGE_ROUTE, nav_text
from .placeholder_page import PlaceholderPage

if TYPE_CHECKING:
    from .context import UiContext

# The rooms in navigation order after PAGE_ROUTE: module, class; built on first show.
SUPERVISOR_ROOMS = (("app.ui.assign_page", "AssignPage"), ("app.ui.team_page", "TeamPage"),
                    ("app.ui.approvals_page", "ApprovalsPage"),
                    ("app.ui.visit_safety.board_page", "SafetyBoardPage"))
EAGER_ROOMS = {"SafetyBoardPage"}  # built when the rooms are added, not on first show


class SupervisorRooms:
    """Adds the supervisor's rooms to the window and builds each on first show."""

    ctx: UiContext | None
    supervisor_pages: list[QWidget]
    nav: QListWidget
    stack: QStackedWidget

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
        titles = (QCoreApplication.translate("MainWindow", "&Assign"),
                  QCoreApplication.translate("MainWindow", "T&eam"),
                  QCoreApplication.translate("MainWindow", "Appro&vals"),
                  QCoreApplication.translate("MainWindow", "Safet&y"))
        for offset, title in enumerate(titles):
            plain = nav_text(title)
            page = PlaceholderPage(plain, QCoreApplication.translate("MainWindow", "This room opens here…"), self)
            self.supervisor_pages.append(page)
            QListWidgetItem(plain, self.nav)
            index = self.stack.addWidget(page)
            number = PAGE_ROUTE + 2 + offset  # Ctrl+7 … Ctrl+9, then Ctrl+0
            key = Qt.Key(Qt.Key.Key_0 + number) if number <= 9 else Qt.Key.Key_0
            self._action(self._go_menu, title, lambda _c=False, i=index: self.show_page(i),
                         QKeySequence(Qt.Modifier.CTRL | key))
        for offset, (_name, cls) in enumerate(SUPERVISOR_ROOMS):
            if cls in EAGER_ROOMS:
                self._build_supervisor_room(PAGE_ROUTE + 1 + offset, show=False)
        page = getattr(self, "_wanted_page", None)
        if isinstance(page, int) and PAGE_ROUTE < page < self.nav.count():
            self.show_page(page)

    def _build_supervisor_room(self, index: int, show: bool = True) -> None:
        """The room's own module loads on first show (or at once, `show` False, for an eager room); until its
        work lands the placeholder stays."""
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
        current = self.stack.currentIndex()
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.insertWidget(index, view)
        self.stack.setCurrentIndex(index if show else current)
