"""The supervisor's Team room: each agent's day (planned and done visits, last sync, outcomes,
promises due, amount collected, safety events, flagged items) and a map of the day's visits.

Figures come from head office (`GET /api/v1/team/today`) through `sync.call` (a background call,
signed in like a sync round). The last reply per day is kept in the local store, so the room opens
at once with the figures it last had and, when head office cannot be reached, says how old they
are. Nothing here waits on the network or the disk on the GUI thread.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.contract import v1
from app.domain.clock import local, local_day
from app.maps.assets import WebAssets
from app.maps.page import PageTiles
from app.maps.teammap import TeamMapLabels, TeamVisit, agent_colour, build_team_map
from app.services.team import (
    TeamDay,
    age,
    cached_team_day,
    case_numbers,
    fetch_team_day,
    save_team_day,
    totals,
)

from . import labels
from .case_model import SortRole, format_fen
from .context import UiContext
from .map_view import MapPage, tile_source_from_settings
from .selection import select_only_row

log = logging.getLogger(__name__)

AUTO_REFRESH_MS = 5 * 60_000  # while the room is on screen
STALE_AFTER_S = 60  # showing the room again refetches figures older than this

COL_AGENT, COL_SYNC, COL_PLANNED, COL_DONE, COL_OUTCOMES, COL_PROMISES, COL_COLLECTED, COL_SAFETY, COL_FLAGGED = \
    range(9)
AgentRole = Qt.ItemDataRole.UserRole + 2


def ago_text(then: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 d ago' in the user's language."""
    unit, n = age(then, now)
    translate = QCoreApplication.translate
    if unit == "now":
        return translate("TeamPage", "just now")
    text = {"min": translate("TeamPage", "%1 min ago"), "h": translate("TeamPage", "%1 h ago"),
            "d": translate("TeamPage", "%1 d ago")}[unit]
    return text.replace("%1", str(n))


def problem_text(exc: object) -> str:
    """Why head office could not be asked, in the user's language where the reason is a known one."""
    from app.sync.errors import AuthError, ServerUnavailable, UntrustedServer

    translate = QCoreApplication.translate
    if isinstance(exc, ServerUnavailable):
        return translate("TeamPage", "head office cannot be reached")
    if isinstance(exc, AuthError):
        return translate("TeamPage", "sign in to head office first")
    if isinstance(exc, UntrustedServer):
        return translate("TeamPage", "head office's certificate did not check out")
    return (str(exc)[:300] or type(exc).__name__).rstrip(" .。")


def outcome_summary(outcomes: dict[str, int]) -> str:
    parts = sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{labels.outcome(code)} {n}" for code, n in parts if n)


class TeamModel(QAbstractTableModel):
    """One row per agent of the team for the chosen day."""

    def __init__(self, parent: QObject | None = None, zone: str = "Asia/Shanghai"):
        super().__init__(parent)
        self.zone = zone
        self.now = datetime.now().astimezone()
        self._agents: list[v1.AgentDay] = []

    def set_agents(self, agents: list[v1.AgentDay], now: datetime) -> None:
        self.beginResetModel()
        self._agents = list(agents)
        self.now = now
        self.endResetModel()

    def agent(self, row: int) -> v1.AgentDay | None:
        return self._agents[row] if 0 <= row < len(self._agents) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._agents)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 9

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 9:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [self.tr("Agent"), self.tr("Last sync"), self.tr("Planned"), self.tr("Done"), self.tr("Outcomes"),
                    self.tr("Promises due"), self.tr("Collected"), self.tr("Safety events"),
                    self.tr("Flagged")][section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section not in (COL_AGENT, COL_SYNC, COL_OUTCOMES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def last_sync_text(self, a: v1.AgentDay) -> str:
        if a.last_sync_at is None:
            return self.tr("never")
        at = local(a.last_sync_at if a.last_sync_at.tzinfo else a.last_sync_at.replace(tzinfo=self.now.tzinfo),
                   self.zone)
        stamp = at.strftime("%H:%M") if at.date() == local_day(self.now, self.zone) else at.strftime("%m-%d %H:%M")
        return f"{stamp} ({ago_text(at, self.now)})"

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._agents) or not 0 <= index.column() < 9:
            return None
        a = self._agents[index.row()]
        col = index.column()
        if role == AgentRole:
            return a
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == COL_AGENT:
                name = a.display_name or a.username
                return name if a.username in ("", name) else f"{name} ({a.username})"
            if col == COL_SYNC:
                return self.last_sync_text(a)
            if col == COL_OUTCOMES:
                return outcome_summary(a.outcomes)
            if col == COL_COLLECTED:
                return format_fen(a.collected_fen)
            return str([0, 0, a.planned_visits, a.done_visits, 0, a.promises_due, 0, a.safety_events,
                        a.flagged][col])
        if role == SortRole:
            return [a.display_name, a.last_sync_at.isoformat() if a.last_sync_at else "", a.planned_visits,
                    a.done_visits, sum(a.outcomes.values()), a.promises_due, a.collected_fen, a.safety_events,
                    a.flagged][col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (COL_AGENT, COL_SYNC, COL_OUTCOMES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_AGENT:
            return QColor(agent_colour(index.row()))
        if role == Qt.ItemDataRole.ForegroundRole:
            if (col == COL_SAFETY and a.safety_events) or (col == COL_FLAGGED and a.flagged):
                return QBrush(QColor("#c0392b"))
            if col == COL_SYNC and a.last_sync_at is not None and age(a.last_sync_at, self.now)[0] == "d":
                return QBrush(QColor("#c0392b"))
        if role == Qt.ItemDataRole.FontRole and col == COL_FLAGGED and a.flagged:
            font = QFont()
            font.setBold(True)
            return font
        return None


class TeamPage(QWidget):
    """The Team room. `sync` is the window's HeadOfficeSync (anything with `call(fn, on_done, on_failed)`)."""

    figuresShown = Signal(object, bool)  # TeamDay or None, True when just fetched from head office
    fetchFailed = Signal(str)
    caseActivated = Signal(int)  # a visit on the map was clicked

    def __init__(self, ctx: UiContext, sync: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.shown: TeamDay | None = None
        self.live = False
        self._numbers: dict[int, str] = {}
        self._shown_once = False
        self._visits: tuple[list[TeamVisit], list[str]] = ([], [])
        self._generation = 0
        self._fetching = False
        self._fetched_at: dict[date, datetime] = {}
        self.map_view: TeamMapView | None = None

        self.day_edit = QDateEdit(self)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.day_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.day_edit.setDate(QDate(today.year, today.month, today.day))
        self.day_edit.setAccessibleName(self.tr("Day"))
        day_label = QLabel(self.tr("&Day:"), self)
        day_label.setBuddy(self.day_edit)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.totals_label = QLabel(self)
        self.totals_label.setTextFormat(Qt.TextFormat.PlainText)
        self.totals_label.setWordWrap(True)

        self.model = TeamModel(self, ctx.zone)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Team"))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in ((COL_AGENT, 170), (COL_SYNC, 150), (COL_OUTCOMES, 300), (COL_COLLECTED, 120)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(COL_OUTCOMES, QHeaderView.ResizeMode.Stretch)

        self.map_box = QWidget(self)
        self.map_layout = QVBoxLayout(self.map_box)
        self.map_layout.setContentsMargins(0, 0, 0, 0)
        self.map_note = QLabel(self)
        self.map_note.setTextFormat(Qt.TextFormat.PlainText)
        self.map_layout.addWidget(self.map_note)

        top = QHBoxLayout()
        top.addWidget(day_label)
        top.addWidget(self.day_edit)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        upper = QWidget(self)
        upper_lay = QVBoxLayout(upper)
        upper_lay.setContentsMargins(0, 0, 0, 0)
        upper_lay.addWidget(self.table, 1)
        upper_lay.addWidget(self.totals_label)
        split.addWidget(upper)
        split.addWidget(self.map_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.map_box.setMinimumHeight(320)
        split.setSizes([280, 520])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.day_edit.dateChanged.connect(lambda _d: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda _n, _o: self._focus_selected_agent())
        self.status.setText(self.tr("Loading the team's figures…"))

    # --- showing -----------------------------------------------------------------------------

    def day(self) -> date:
        d = self.day_edit.date()
        return date(d.year(), d.month(), d.day())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()
        self._ensure_map()
        fetched = self._fetched_at.get(self.day())
        if not self._fetching and (fetched is None or (self.ctx.now() - fetched).total_seconds() > STALE_AFTER_S):
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self) -> None:
        """The saved figures for the day at once (if any), then head office's in the background."""
        self._generation += 1
        generation, day = self._generation, self.day()
        store = self.ctx.store
        if self.shown is None or self.shown.day != day:
            task = self.ctx.runner.submit(lambda: _with_numbers(store, cached_team_day(store, day)))
            task.then(self, lambda result: self._show_saved(generation, result))
        self._fetching = True
        self.refresh_button.setEnabled(False)
        self.status.setText(self.tr("Asking head office for the team's figures…"))
        call = getattr(self.sync, "call", None)
        if call is None:
            self._failed(generation, RuntimeError(self.tr("No head office is configured.")))
            return
        now = self.ctx.now

        def fetch(client: Any) -> tuple[TeamDay, dict[int, str]]:
            snapshot = fetch_team_day(client, day, now)
            save_team_day(store, snapshot)
            return _with_numbers(store, snapshot)  # type: ignore[return-value]

        guard = _Guard(self)
        call(fetch, guard.wrap(lambda result: self._fetched(generation, result)),
             guard.wrap(lambda exc: self._failed(generation, exc)))

    def _show_saved(self, generation: int, result: tuple[TeamDay | None, dict[int, str]]) -> None:
        if generation != self._generation or not self._fetching:
            return  # head office answered first, or the day changed
        snapshot, numbers = result
        self._show(snapshot, numbers, live=False)

    def _fetched(self, generation: int, result: tuple[TeamDay, dict[int, str]]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.refresh_button.setEnabled(True)
        snapshot, numbers = result
        self._fetched_at[snapshot.day] = self.ctx.now()
        self._show(snapshot, numbers, live=True)
        self.status.setText(self.tr("Figures from head office, fetched at %1.").replace(
            "%1", local(snapshot.fetched_at, self.ctx.zone).strftime("%H:%M")))

    def _failed(self, generation: int, exc: object) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.refresh_button.setEnabled(True)
        problem = problem_text(exc)
        store, day = self.ctx.store, self.day()

        def said(result: tuple[TeamDay | None, dict[int, str]]) -> None:
            if generation != self._generation:
                return
            snapshot, numbers = result
            if snapshot is not None and snapshot is not self.shown:
                self._show(snapshot, numbers, live=False)
            if snapshot is None:
                self._show(None, {}, live=False)
                text = self.tr("Not updated: %1. No figures saved for this day yet.")
            else:
                text = self.tr("Not updated: %1. Showing the figures fetched %2.").replace(
                    "%2", ago_text(snapshot.fetched_at, self.ctx.now()))
            self.status.setText(text.replace("%1", problem))
            self.fetchFailed.emit(problem)

        if self.shown is not None and self.shown.day == day:
            said((self.shown, self._numbers))
            return
        task = self.ctx.runner.submit(lambda: _with_numbers(store, cached_team_day(store, day)))
        task.then(self, succeeded=said)

    def _show(self, snapshot: TeamDay | None, numbers: dict[int, str], live: bool) -> None:
        self.shown, self.live, self._numbers = snapshot, live, numbers
        self._shown_once = True
        agents = list(snapshot.reply.agents) if snapshot else []
        now = self.ctx.now()
        selected = self._selected_agent_id()
        self.model.set_agents(agents, now)  # a reset: the selection goes, so the same agent is selected again
        for row, a in enumerate(agents):
            if a.agent_id == selected:
                self.select_row(row)
                break
        t = totals(agents)
        if snapshot is None:
            self.totals_label.setText("")
        else:
            self.totals_label.setText(self.tr(
                "Team: %1 visit(s) done, %2 planned · %3 collected · %4 promise(s) due · %5 safety event(s) · "
                "%6 flagged").replace("%1", str(t.done)).replace("%2", str(t.planned))
                .replace("%3", format_fen(t.collected_fen)).replace("%4", str(t.promises_due))
                .replace("%5", str(t.safety_events)).replace("%6", str(t.flagged)))
            if not live:
                self.status.setText(self.tr("Saved figures, fetched %1; asking head office…").replace(
                    "%1", ago_text(snapshot.fetched_at, now)))
        self._visits = self._map_rows(agents, numbers)
        self._update_map()
        self.figuresShown.emit(snapshot, live)

    # --- the map -------------------------------------------------------------------------------

    def _map_rows(self, agents: list[v1.AgentDay], numbers: dict[int, str]) -> tuple[list[TeamVisit], list[str]]:
        visits: list[TeamVisit] = []
        names: list[str] = []
        for i, a in enumerate(agents):
            name = a.display_name or a.username
            names.append(name)
            for v in a.visits:
                at = v.at if v.at.tzinfo else v.at.replace(tzinfo=self.ctx.now().tzinfo)
                visits.append(TeamVisit(v.case_id, v.lat, v.lon, i, numbers.get(v.case_id, f"#{v.case_id}"), name,
                                        local(at, self.ctx.zone).strftime("%H:%M"), labels.outcome(v.outcome)))
        return visits, names

    def _ensure_map(self) -> None:
        if self.map_view is not None:
            return
        self.map_view = TeamMapView(self, cache_dir=self.ctx.cache_dir, runner=self.ctx.runner,
                                    tile_source=tile_source_from_settings(self.ctx.settings))
        self.map_layout.addWidget(self.map_view, 1)
        self.map_view.caseClicked.connect(self.caseActivated)
        if self._shown_once:  # else the first figures (saved, fetched or none) build the page: once, not twice
            self._update_map()

    def select_row(self, row: int) -> None:
        """Select one agent's row. Not `QTableView.selectRow`: that follows the keyboard modifiers held at
        the moment (Ctrl toggles), so it could deselect instead."""
        select_only_row(self.table, row)

    def _selected_agent_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        agent = self.model.agent(rows[0].row()) if rows else None
        return agent.agent_id if agent is not None else None

    def _focus_selected_agent(self) -> None:
        """The selected agent's visits stand out on the map (everyone's when nothing is selected)."""
        rows = self.table.selectionModel().selectedRows()
        if self.map_view is not None:
            self.map_view.run_js(f"doorstep.focusAgent({int(rows[0].row()) if rows else -1});")

    def _update_map(self) -> None:
        visits, names = self._visits
        shown = sum(1 for v in visits if v.lat is not None and v.lon is not None)
        self.map_note.setText(self.tr("%1 visit(s) on the map; %2 without a position.")
                              .replace("%1", str(shown)).replace("%2", str(len(visits) - shown)))
        if self.map_view is not None:
            self.map_view.set_visits(visits, names)
            self._focus_selected_agent()  # a new page: queued until it is ready, so the focus survives a refresh


class _Guard:
    """Callbacks that do nothing once the page is gone (a reply may arrive after the window closed)."""

    def __init__(self, page: QWidget):
        self.page = page

    def wrap(self, fn: Any) -> Any:
        page = self.page

        def run(value: Any) -> None:
            if isValid(page):
                fn(value)

        return run


def _with_numbers(store: Any, snapshot: TeamDay | None) -> tuple[TeamDay | None, dict[int, str]]:
    """Worker side: the snapshot with the case numbers of its visits (from the local store)."""
    if snapshot is None:
        return None, {}
    return snapshot, case_numbers(store, [v.case_id for a in snapshot.reply.agents for v in a.visits])


class TeamMapView(MapPage):
    """The day's visits, a colour per agent (legend beside), popups with case, agent, time and outcome."""

    def __init__(self, parent: QWidget | None = None, **kw: Any) -> None:
        super().__init__(parent, page_stem="team", **kw)
        self._visits: tuple[TeamVisit, ...] = ()
        self._names: tuple[str, ...] = ()

    def set_visits(self, visits: list[TeamVisit], names: list[str]) -> None:
        self._visits, self._names = tuple(visits), tuple(names)
        self.rebuild()

    def rebuild(self) -> None:
        visits, names = self._visits, self._names
        words = TeamMapLabels(empty=self.tr("No visits with a map position"))

        def build(assets: WebAssets, tiles: PageTiles | None, generation: int) -> str:
            return build_team_map(visits, names, assets=assets, tiles=tiles, labels=words,
                                  generation=generation).html

        self._submit(build)
