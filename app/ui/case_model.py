"""The case list model: a window over SQL, never all rows in memory as objects.

Filtering and sorting happen in SQL (`app.store.queries.CaseQuery`). A reload asks a worker for
the ordered ids that match (a few bytes each, fine for 100,000) plus the first page of rows, and
swaps them in on the GUI thread. Rows are then read by primary key a page at a time as the view
asks for them and kept in a small LRU cache, so memory stays flat however far one scrolls.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPaintEvent, QPixmap, QPolygon, QStaticText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)
from shiboken6 import isValid

from app.domain.masking import mask_name
from app.store.queries import CaseQuery, CaseRow, first_rows, ordered_case_ids, rows_by_ids

from . import labels
from .worker import BackgroundRunner, Task

if TYPE_CHECKING:  # no SQLAlchemy at import: the launch shows a first page before it has loaded
    from sqlalchemy import Connection

    from app.store.engine import Store

log = logging.getLogger(__name__)

PAGE = 128
MAX_PAGES = 64  # ≈ 8,000 rows cached at most

SortRole = Qt.ItemDataRole.UserRole + 1  # the raw value, as SQL sorts it
CaseRole = Qt.ItemDataRole.UserRole + 2  # the CaseRow itself
CaseIdRole = Qt.ItemDataRole.UserRole + 3

(COL_PRIORITY, COL_CASE_NO, COL_DEBTOR, COL_DISTRICT, COL_DPD, COL_BUCKET, COL_OVERDUE, COL_STAGE, COL_STATUS,
 COL_NEXT, COL_SAFETY) = range(11)
COLUMN_COUNT = 11
SORT_KEYS = {COL_PRIORITY: "priority", COL_CASE_NO: "case_no", COL_DEBTOR: "debtor_name", COL_DISTRICT: "district",
             COL_DPD: "days_past_due", COL_BUCKET: "bucket", COL_OVERDUE: "overdue", COL_STAGE: "stage",
             COL_STATUS: "status", COL_NEXT: "next_action", COL_SAFETY: "safety"}
COLUMN_OF_SORT = {v: k for k, v in SORT_KEYS.items()}

_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN, _FOREGROUND, _ACCESSIBLE = 0, 1, 3, 7, 9, 11
_SORT_ROLE, _CASE_ROLE, _ID_ROLE = int(SortRole), int(CaseRole), int(CaseIdRole)
_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN, _FOREGROUND, _ACCESSIBLE, _SORT_ROLE, _CASE_ROLE,
                    _ID_ROLE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ALIGNMENTS = tuple(_RIGHT if c in (COL_PRIORITY, COL_DPD, COL_OVERDUE) else _LEFT for c in range(COLUMN_COUNT))
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_RED = QBrush(QColor("#c0392b"))
_RIGHT_SIDE = int(Qt.AlignmentFlag.AlignRight)
FITTED_MOST = 8_000  # laid-out cell texts kept (a jump shows ~300 cells; unique ones churn, repeated ones stay)


class _Entry(NamedTuple):
    """One loaded row: the case and its cells already formatted for display."""

    row: CaseRow
    cells: tuple[str, ...]
    promise_late: bool


# (connection, query, natural order wanted) → ordered case ids
IdSource = Callable[["Connection", CaseQuery, bool], list[int]]


# (connection, query, how many) → (total matching, the first rows)
FirstSource = Callable[["Connection", CaseQuery, int], tuple[int, list[CaseRow]]]


def sql_ids(conn: Connection, query: CaseQuery, natural: bool) -> list[int]:
    return ordered_case_ids(conn, query)


def sql_first(conn: Connection, query: CaseQuery, limit: int) -> tuple[int, list[CaseRow]]:
    return first_rows(conn, query, limit)


def format_fen(fen: int, currency: str = "CNY", locale: QLocale | None = None) -> str:
    """¥1,234.56 with the current locale's grouping, from integer fen (no float on the way)."""
    if locale is None:
        locale = QLocale()
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{sign}{symbol}{locale.toString(yuan)}{locale.decimalPoint()}{rest:02d}"


def _store_gone(exc: BaseException) -> bool:
    """Whether a read failed for want of the store (closing, locked, gone: an error of SQLAlchemy's pool or
    of the DB-API driver, sqlite3 or SQLCipher) rather than by a bug, which must surface."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return True
    cipher = sys.modules.get("sqlcipher3.dbapi2")  # loaded if an encrypted store is open
    return cipher is not None and isinstance(exc, cipher.Error)


_ICONS: dict[int, QIcon] = {}
SAFETY_COLOURS = {1: "#d4a017", 2: "#e67e22", 3: "#c0392b"}


def safety_icon(level: int) -> QIcon:
    """A warning triangle coloured by severity (painted, so no image files are needed)."""
    if level not in _ICONS:
        pix = QPixmap(16, 16)
        pix.fill(Qt.GlobalColor.transparent)
        if level > 0:
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setBrush(QColor(SAFETY_COLOURS.get(level, "#c0392b")))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawPolygon(QPolygon([QPoint(0, 15), QPoint(15, 15), QPoint(8, 1)]))
            p.setPen(QColor("white"))
            p.drawLine(8, 6, 8, 11)
            p.drawPoint(8, 13)
            p.end()
        _ICONS[level] = QIcon(pix)
    return _ICONS[level]


class CaseTableModel(QAbstractTableModel):
    firstRowsReady = Signal()  # the first page of a new query is in (the view can paint it)
    reloaded = Signal()  # every id of the new query is in (after a reload or a sort)
    loadFailed = Signal(str)

    def __init__(self, store: Store | None, runner: BackgroundRunner, today: Callable[[], date],
                 source: IdSource = sql_ids, parent: QObject | None = None,
                 first_source: FirstSource | None = None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.today = today
        self.source = source
        self.query = CaseQuery()
        self.natural = False  # True: the source's own order (e.g. today's plan), no SQL sort
        self.first_source = first_source
        self._submit_ids: Callable[[], Task | None] = lambda: None
        # A real zero timer, not a posted call: it fires once the posted paint of the first page is
        # done, so reading every id (which holds the GIL) does not slow that paint down.
        self._rest_timer = QTimer(self)
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(0)
        self._rest_timer.timeout.connect(lambda: self._submit_ids())
        self._ids: list[int | None] = []
        self._known = 0  # leading ids known before all have arrived
        self._placeholder_asked = False  # a view asked for a row whose id had not arrived yet
        self._shown = -1  # the generation whose first page is on screen
        self._complete = -1  # the generation whose ids are all in
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[_Entry | CaseRow | None]] = OrderedDict()
        self._words: dict[str, Any] | None = None
        self._generation = 0
        self._pending: Task | None = None
        self.loaded_once = False

    # -- loading -------------------------------------------------------------------------------
    def set_query(self, query: CaseQuery, natural: bool | None = None) -> Task:
        self.query = query
        if natural is not None:
            self.natural = natural
        return self.reload()

    def reload(self) -> Task:
        """Ask a worker for the rows that now match; swap them in when they arrive.

        With a `first_source` (the SQL list), two queries run side by side: the count and the first
        page (an index walk: milliseconds), which the view shows at once, and every matching id in
        order (needed to scroll anywhere and to find a case), which fills in the rest just after.
        """
        self._generation += 1
        generation = self._generation
        query = replace(self.query, today=self.today())
        store, natural, first_source = self.store, self.natural, self.first_source
        if store is None:
            raise RuntimeError("this list has no store yet")

        submit_ids = self._ids_submitter(generation, query)
        if first_source is not None and not natural:
            def first() -> tuple[int, list[CaseRow]]:
                with store.engine.connect() as conn:
                    return first_source(conn, query, PAGE)

            self._submit_ids = submit_ids
            head = self.runner.submit(first)
            head.then(self, succeeded=lambda result: self._apply_first(generation, result),
                            failed=lambda exc: self._failed(generation, exc))
            self._pending = head
            return head
        task = submit_ids()
        assert task is not None
        return task

    def adopt_first_rows(self, total: int, rows: list[CaseRow]) -> None:
        """Show the first page of this very query read moments ago elsewhere (at launch, by the first page
        before the store opened) instead of reading it again, then read every id as a reload does."""
        if self.store is None or self.first_source is None or self.natural:
            raise RuntimeError("only a SQL-sorted list over an open store adopts a first page")
        self._generation += 1
        generation = self._generation
        self._submit_ids = self._ids_submitter(generation, replace(self.query, today=self.today()))
        self._apply_first(generation, (total, rows))

    def _ids_submitter(self, generation: int, query: CaseQuery) -> Callable[[], Task | None]:
        """What reads every matching id of `query` in a worker and swaps them in (unless superseded)."""
        store, source, natural = self.store, self.source, self.natural
        assert store is not None

        def all_ids() -> list[int | None]:
            with store.engine.connect() as conn:
                return list(source(conn, query, natural))

        def submit_ids() -> Task | None:
            if generation != self._generation:
                return None  # superseded before it started
            task = self.runner.submit(all_ids)
            task.then(self, succeeded=lambda ids: self._apply_ids(generation, ids),
                            failed=lambda exc: self._failed(generation, exc))
            self._pending = task
            return task

        return submit_ids

    def show_first_rows(self, total: int, rows: list[CaseRow]) -> None:
        """Show a first page read elsewhere (at launch, before the store has opened): the rows, and
        placeholders for the rest. Same as the first page of a reload; the list stays as it is until
        the store is there."""
        self._generation += 1
        self._apply_first(self._generation, (total, rows), rest=False)

    def _apply_first(self, generation: int, result: tuple[int, list[CaseRow]], rest: bool = True) -> None:
        if not isValid(self):
            return  # the list was deleted (a page rebuilt) while its rows were being read
        if generation != self._generation or self._complete == generation:
            return  # a newer query was asked for, or all the ids already arrived
        total, rows = result
        self.beginResetModel()
        self._ids = [r.id for r in rows] + [None] * max(0, total - len(rows))
        self._known = len(rows)
        self._placeholder_asked = False
        self._row_of = None
        self._pages.clear()
        self._words = None
        if rows:
            self._pages[0] = list(rows)
        self.endResetModel()
        # Kept here, not in a slot of our own signal: a caller's bare disconnect() must not make
        # every later id arrival reset the view (and repaint it) a second time.
        self._shown = generation
        self.firstRowsReady.emit()
        if total <= len(rows):  # the first page is the whole list
            self._complete = generation
            self.loaded_once = True
            self.reloaded.emit()
        elif rest:  # the rest of the ids once the first rows are painted, so the two do not compete
            self._rest_timer.start()

    def _apply_ids(self, generation: int, ids: list[int | None]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        known = self._known if self._shown == generation else 0
        if known and len(ids) == len(self._ids) and ids[:known] == self._ids[:known]:
            # The first page is already on screen and still right: fill in the rest without a reset.
            self._ids = ids
            self._row_of = None
            # Only rows someone was shown as placeholders need a repaint: a ranged dataChanged
            # repaints the whole viewport, which would delay the next query's rows by a full paint.
            if len(ids) > known and self._placeholder_asked:
                self.dataChanged.emit(self.index(known, 0), self.index(len(ids) - 1, COLUMN_COUNT - 1))
        else:
            self.beginResetModel()
            self._ids = ids
            self._row_of = None
            self._pages.clear()
            self._words = None
            self.endResetModel()
            self._shown = generation
            self.firstRowsReady.emit()
        self._complete = generation
        self.loaded_once = True
        self.reloaded.emit()

    def _failed(self, generation: int, exc: object) -> None:
        if isValid(self) and generation == self._generation:
            self.loadFailed.emit(str(exc))

    def refresh_cases(self, ids: list[int]) -> None:
        """Re-read these cases in place (after an outcome changed them); rows keep their positions."""
        rows = [self.row_of(i) for i in ids]
        for page in {r // PAGE for r in rows if r is not None}:
            self._pages.pop(page, None)
        for r in rows:
            if r is not None:
                self.dataChanged.emit(self.index(r, 0), self.index(r, COLUMN_COUNT - 1))

    def _entry(self, row: CaseRow | None) -> _Entry | None:
        if row is None:
            return None
        return _Entry(row, self._cells(row), row.promise_due is not None and row.promise_due < self.today())

    def _cells(self, row: CaseRow) -> tuple[str, ...]:
        """Every display cell of a row in one pass (the same text `_display` gives, column by column)."""
        words = self._words
        if words is None:  # translated words and the locale, read once per loaded list
            words = self._words = {"locale": QLocale(), "promise": self.tr("Promise due %1")}
        locale: QLocale = words["locale"]
        stage = words.get("stage:" + row.stage)
        if stage is None:
            stage = words["stage:" + row.stage] = labels.stage(row.stage)
        status = words.get("status:" + row.status)
        if status is None:
            status = words["status:" + row.status] = labels.status(row.status)
        if row.promise_due is not None:
            next_text = words["promise"].replace("%1", row.promise_due.isoformat())
        else:
            next_text = row.next_action_on.isoformat() if row.next_action_on else ""
        return (f"{row.priority:.0f}", row.case_no, mask_name(row.debtor_name), row.district,
                locale.toString(row.days_past_due), row.bucket, format_fen(row.overdue_fen, row.currency, locale),
                stage, status, next_text, "")

    def _page(self, page: int) -> list[_Entry | CaseRow | None]:
        """The page's rows; each is formatted (CaseRow → _Entry) only when first shown, see `entry_at`."""
        cached = self._pages.get(page)
        if cached is not None:
            self._pages.move_to_end(page)
            return cached
        ids = self._ids[page * PAGE:(page + 1) * PAGE]
        if None in ids:  # still arriving: nothing to read yet, nothing to cache
            self._placeholder_asked = True
            return [None] * len(ids)
        if self.store is None:  # a first page shown before the store opened: the rest comes with it
            return [None] * len(ids)
        try:
            # a primary-key read of ≤128 rows on the bare DB-API connection: SQLAlchemy's connection and
            # result rows doubled the time of this read, paid on the GUI thread on every scroll jump
            with self.store.read_db() as db:
                found = rows_by_ids(db, ids)
        except Exception as exc:
            if not _store_gone(exc):
                raise
            log.warning("could not read cases for the list: %s", exc)  # the store went away (closing, locked)
            return [None] * len(ids)
        rows: list[_Entry | CaseRow | None] = [found.get(i) for i in ids]
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return rows

    # -- lookups -------------------------------------------------------------------------------
    def case_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self._ids)}
        return self._row_of.get(case_id)

    def entry_at(self, row: int) -> _Entry | None:
        if not 0 <= row < len(self._ids):
            return None
        page = self._page(row // PAGE)
        item = page[row % PAGE]
        if item is None or type(item) is _Entry:
            return item  # type: ignore[return-value]
        entry = self._entry(item)  # type: ignore[arg-type]
        if page is self._pages.get(row // PAGE):
            page[row % PAGE] = entry
        return entry

    def case_row(self, row: int) -> CaseRow | None:
        if not 0 <= row < len(self._ids):
            return None
        item = self._page(row // PAGE)[row % PAGE]
        if item is None or type(item) is not _Entry:
            return item  # type: ignore[return-value]
        return item.row  # type: ignore[union-attr]

    @property
    def ids(self) -> list[int | None]:
        return list(self._ids)

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.column_titles()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Sort by %1").replace("%1", self.column_titles()[section])
        return None

    def column_titles(self) -> list[str]:
        return [self.tr("Priority"), self.tr("Case no."), self.tr("Debtor"), self.tr("District"),
                self.tr("Days past due"), self.tr("Bucket"), self.tr("Overdue"), self.tr("Stage"),
                self.tr("Status"), self.tr("Next action / promise"), self.tr("Safety")]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Hot path: a repaint asks ~7 roles of every visible cell. Roles arrive as ints; answer from
        # the page's pre-formatted cells, never formatting anything here.
        if role not in _ROLES:
            return None
        r = index.row()
        c = index.column()
        if not (0 <= r < len(self._ids) and 0 <= c < COLUMN_COUNT):
            return None
        if role == _ID_ROLE:
            return self._ids[r]
        if self._ids[r] is None:  # the rest of the ids are a moment away
            self._placeholder_asked = True
            return "…" if role == _DISPLAY and c == COL_CASE_NO else None
        entry = self.entry_at(r)
        if entry is None:
            if role == _DISPLAY and c == COL_CASE_NO:
                return self.tr("(no longer on this device)")
            return None
        if role == _DISPLAY:
            return entry.cells[c]
        if role == _ALIGN:
            return _ALIGNMENTS[c]
        if role == _DECORATION:
            return safety_icon(entry.row.safety_level) if c == COL_SAFETY and entry.row.safety_level else None
        if role == _FOREGROUND:
            return _RED if c == COL_NEXT and entry.promise_late else None
        if role == _CASE_ROLE:
            return entry.row
        if role == _SORT_ROLE:
            return self._raw(entry.row, c)
        if role == _TOOLTIP:
            return self._tooltip(entry.row, c)
        if role == _ACCESSIBLE:
            return self._tooltip(entry.row, c) if c == COL_SAFETY else entry.cells[c]
        return None

    @staticmethod
    def _raw(row: CaseRow, col: int) -> Any:
        return {
            COL_PRIORITY: row.priority, COL_CASE_NO: row.case_no, COL_DEBTOR: row.debtor_name,
            COL_DISTRICT: row.district, COL_DPD: row.days_past_due, COL_BUCKET: row.days_past_due,
            COL_OVERDUE: row.overdue_fen, COL_STAGE: row.stage, COL_STATUS: row.status,
            COL_NEXT: (row.promise_due or row.next_action_on).isoformat()
            if (row.promise_due or row.next_action_on) else "",
            COL_SAFETY: row.safety_level,
        }[col]

    def _display(self, row: CaseRow, col: int) -> str:
        if col == COL_PRIORITY:
            return f"{row.priority:.0f}"
        if col == COL_CASE_NO:
            return row.case_no
        if col == COL_DEBTOR:
            return mask_name(row.debtor_name)
        if col == COL_DISTRICT:
            return row.district
        if col == COL_DPD:
            return QLocale().toString(row.days_past_due)
        if col == COL_BUCKET:
            return row.bucket
        if col == COL_OVERDUE:
            return format_fen(row.overdue_fen, row.currency)
        if col == COL_STAGE:
            return labels.stage(row.stage)
        if col == COL_STATUS:
            return labels.status(row.status)
        if col == COL_NEXT:
            if row.promise_due is not None:
                return self.tr("Promise due %1").replace("%1", row.promise_due.isoformat())
            return row.next_action_on.isoformat() if row.next_action_on else ""
        return ""

    def _tooltip(self, row: CaseRow, col: int) -> str | None:
        if col == COL_SAFETY and row.safety_level:
            level = {1: "low", 2: "medium", 3: "high"}.get(row.safety_level, "high")
            return self.tr("Safety note: %1").replace("%1", labels.severity(level))
        if col == COL_NEXT and row.promise_due is not None and row.promise_due < self.today():
            return self.tr("The promised date has passed")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:  # -1: back to the natural order (e.g. the plan's)
            if self.natural:
                return
            self.natural = True
            self.reload()
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.query.sort and descending == self.query.descending and not self.natural:
            return
        self.query = replace(self.query, sort=key, descending=descending)
        self.natural = False
        self.reload()


class CaseRowDelegate(QStyledItemDelegate):
    """Paints a case cell straight from the model's pre-formatted row: one Python call per cell
    instead of the seven role look-ups the default delegate makes, and no per-cell copies of the
    style option's palette or font metrics (scrolling 100,000 rows stays smooth)."""

    def __init__(self, model: CaseTableModel, view: QAbstractItemView):
        super().__init__(view)
        self.model = model
        self.view = view
        self._fitted: dict[tuple[str, int, int], tuple[QStaticText, int]] = {}
        self.selected_row = -1
        self.refresh_style()
        view.selectionModel().currentRowChanged.connect(self._current_changed)
        model.modelReset.connect(lambda: setattr(self, "selected_row", -1))
        # The view paints a row's cells one after another: look the row up once, not once per cell.
        # Any change the model announces drops it.
        self._memo_row = -1
        self._memo_entry: _Entry | None = None
        for signal in (model.modelReset, model.dataChanged, model.layoutChanged, model.rowsInserted,
                       model.rowsRemoved, model.rowsMoved):
            signal.connect(self._forget_row)

    def refresh_style(self) -> None:
        """Colours and metrics, read once (again after a palette or font change)."""
        palette = self.view.palette()
        self._highlight = palette.highlight()
        self._alternate = palette.alternateBase()
        self._text = palette.text().color()
        self._highlighted_text = palette.highlightedText().color()
        self._red = _RED.color()
        self._metrics = self.view.fontMetrics()
        self._line_height = self._metrics.height()
        self._fitted.clear()
        option = QStyleOptionViewItem()
        option.initFrom(self.view)  # the style reads the grid colour from the option's palette
        self._grid = QColor.fromRgba(self.view.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option,
                                                                 self.view) & 0xFFFFFFFF)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.selected_row = current.row() if current.isValid() else -1

    def _forget_row(self, *_args: object) -> None:
        self._memo_row = -1
        self._memo_entry = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
              ) -> None:
        row = index.row()
        if row == self._memo_row:
            entry = self._memo_entry
        else:
            entry = self.model.entry_at(row)
            if entry is not None:
                self._memo_row, self._memo_entry = row, entry
        if entry is None:
            super().paint(painter, option, index)
            return
        rect = option.rect  # type: ignore[attr-defined]
        selected = row == self.selected_row
        if selected:
            painter.fillRect(rect, self._highlight)
        elif row & 1:
            painter.fillRect(rect, self._alternate)
        self._paint_cell(painter, rect, entry, index.column(), selected)

    def _paint_cell(self, painter: QPainter, rect: QRect, entry: _Entry, c: int, selected: bool) -> None:
        """A cell's content (its background is painted already)."""
        if c == COL_SAFETY and entry.row.safety_level:
            icon = safety_icon(entry.row.safety_level)
            icon.paint(painter, rect.adjusted(4, 2, -4, -2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return
        text = entry.cells[c]
        if not text:
            return
        if selected:
            painter.setPen(self._highlighted_text)
        elif c == COL_NEXT and entry.promise_late:
            painter.setPen(self._red)
        else:
            painter.setPen(self._text)
        x, y, width, height = rect.getRect()
        width -= 8  # 4 px padding either side
        align = _ALIGNMENTS[c]
        key = (text, width, align)
        fitted = self._fitted.get(key)
        if fitted is None:
            # Measuring and laying text out is the costly part of a cell: once per text, width and side,
            # kept as a QStaticText (its glyphs laid out) with its offset in the cell. Most columns repeat
            # a few values (district, bucket, stage, status, dates), so most cells draw a laid-out text.
            metrics = self._metrics
            advance = metrics.horizontalAdvance(text)
            shown = text
            if advance > width:
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                advance = metrics.horizontalAdvance(shown)
            static = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)
            fitted = (static, 4 + (width - advance if align & _RIGHT_SIDE else 0))
            if len(self._fitted) > FITTED_MOST:
                self._fitted.clear()
            self._fitted[key] = fitted
        static, dx = fitted
        painter.drawStaticText(x + dx, y + (height - self._line_height) // 2, static)

    def paint_rows(self, painter: QPainter, view: QTableView, area: QRect) -> None:
        """Paint every row of the view that meets `area` (viewport coordinates) in one call: what the
        table view's own paint does, cell by cell through `paint`, minus a Python call, a style option
        and two model indexes per cell. Rows have one fixed height (the list never measures rows)."""
        model = self.model
        count = model.rowCount()
        first = view.rowAt(area.top())
        if count == 0 or first < 0:
            return
        last = view.rowAt(area.bottom())
        last = count - 1 if last < 0 else last
        header = view.horizontalHeader()
        grid = 1 if view.showGrid() else 0
        left, right = area.left(), area.right()
        columns: list[tuple[int, int, int]] = []  # (logical column, x, width) in visual order
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if header.isSectionHidden(logical):
                continue
            x = header.sectionViewportPosition(logical)
            width = header.sectionSize(logical)
            if width > 0 and x + width > left and x <= right:
                columns.append((logical, x, width))
        if not columns:
            return
        height = view.rowHeight(first)
        top = view.rowViewportPosition(first)
        row_left = columns[0][1]
        row_width = columns[-1][1] + columns[-1][2] - row_left
        highlight, alternate = self._highlight, self._alternate
        for row in range(first, last + 1):
            y = top + (row - first) * height
            entry = model.entry_at(row)
            selected = row == self.selected_row
            if selected:
                painter.fillRect(row_left, y, row_width, height - grid, highlight)
            elif row & 1:
                painter.fillRect(row_left, y, row_width, height - grid, alternate)
            if entry is None:  # its id or row is a moment away, or it left the device: the model's words
                self._paint_placeholder(painter, model, row, columns, y, height - grid, selected)
                continue
            for logical, x, width in columns:
                self._paint_cell(painter, QRect(x, y, width - grid, height - grid), entry, logical, selected)
        if grid:
            painter.setPen(self._grid)
            bottom = top + (last - first + 1) * height
            for row in range(first, last + 1):
                y = top + (row - first + 1) * height - 1
                painter.drawLine(row_left, y, row_left + row_width - 1, y)
            for _logical, x, width in columns:
                painter.drawLine(x + width - 1, top, x + width - 1, bottom - 1)

    def _paint_placeholder(self, painter: QPainter, model: CaseTableModel, row: int,
                           columns: list[tuple[int, int, int]], y: int, height: int, selected: bool) -> None:
        painter.setPen(self._highlighted_text if selected else self._text)
        for logical, x, width in columns:
            text = model.data(model.index(row, logical))
            if isinstance(text, str) and text:
                shown = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 8)
                painter.drawText(x + 4, y, width - 8, height, _ALIGNMENTS[logical], shown)


class CaseTableView(QTableView):
    """The case list's table: paints its visible rows through `CaseRowDelegate.paint_rows` in one Python
    call per paint instead of one per cell (a jump to an unseen place repaints ~300 cells)."""

    def __init__(self, model: CaseTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.rows = CaseRowDelegate(model, self)
        self.setItemDelegate(self.rows)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.itemDelegate() is not self.rows:  # someone set another delegate: paint as any table does
            super().paintEvent(event)
            return
        painter = QPainter(self.viewport())
        try:
            self.rows.paint_rows(painter, self, event.rect())
        finally:
            painter.end()
