"""The case list model: a window over SQL, never all rows in memory as objects.

Filtering and sorting happen in SQL (`app.store.queries.CaseQuery`). A reload asks a worker for
the ordered ids that match (a few bytes each, fine for 100,000) plus the first page of rows, and
swaps them in on the GUI thread. Rows are then read by primary key a page at a time as the view
asks for them and kept in a small LRU cache, so memory stays flat however far one scrolls.

The columns and the look of a row are in `case_cells`, the table that paints them in `case_table_view`,
what the list reads in `app.services.case_list`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from shiboken6 import isValid

from app.domain.masking import mask_name
from app.services.case_list import (
    FirstSource,
    IdSource,
    count_and_first_page,
    ids_in_list_order,
    read_first_page,
    read_ids,
    read_rows,
    store_unavailable,
)
from app.store.queries import CaseQuery, CaseRow

from . import labels
from .case_cells import (
    ALIGNMENTS,
    COL_BUCKET,
    COL_CASE_NO,
    COL_DEBTOR,
    COL_DISTRICT,
    COL_DPD,
    COL_NEXT,
    COL_OVERDUE,
    COL_PRIORITY,
    COL_SAFETY,
    COL_STAGE,
    COL_STATUS,
    COLUMN_COUNT,
    COLUMN_OF_SORT,
    LATE_RED,
    SAFETY_COLOURS,
    SORT_KEYS,
    CaseIdRole,
    CaseRole,
    FormattedRow,
    FormattedRowsModel,
    SortRole,
    format_fen,
    safety_icon,
)
from .case_table_view import CaseRowDelegate, CaseTableView
from .worker import BackgroundRunner, Task

if TYPE_CHECKING:
    from app.store.engine import Store

__all__ = [
    "COLUMN_COUNT", "COLUMN_OF_SORT", "COL_BUCKET", "COL_CASE_NO", "COL_DEBTOR", "COL_DISTRICT", "COL_DPD",
    "COL_NEXT", "COL_OVERDUE", "COL_PRIORITY", "COL_SAFETY", "COL_STAGE", "COL_STATUS", "MAX_PAGES", "PAGE",
    "SAFETY_COLOURS", "SORT_KEYS", "CaseIdRole", "CaseRole", "CaseRowDelegate", "CaseTableModel", "CaseTableView",
    "FirstSource", "IdSource", "SortRole", "format_fen", "safety_icon", "sql_first", "sql_ids",
]

log = logging.getLogger(__name__)

PAGE = 128
MAX_PAGES = 64  # ≈ 8,000 rows cached at most

_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN, _FOREGROUND, _ACCESSIBLE = 0, 1, 3, 7, 9, 11
_SORT_ROLE, _CASE_ROLE, _ID_ROLE = int(SortRole), int(CaseRole), int(CaseIdRole)
_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN, _FOREGROUND, _ACCESSIBLE, _SORT_ROLE, _CASE_ROLE,
                    _ID_ROLE})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

# The SQL list's sources, by the names the window, the tests and the benchmarks know them by.
sql_ids: IdSource = ids_in_list_order
sql_first: FirstSource = count_and_first_page


class CaseTableModel(FormattedRowsModel):
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
        self._pages: OrderedDict[int, list[FormattedRow | CaseRow | None]] = OrderedDict()
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
                return read_first_page(store, query, PAGE, first_source)

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
            return read_ids(store, query, natural, source)

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

    def _entry(self, row: CaseRow | None) -> FormattedRow | None:
        if row is None:
            return None
        return FormattedRow(row, self._cells(row), row.promise_due is not None and row.promise_due < self.today())

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

    def _page(self, page: int) -> list[FormattedRow | CaseRow | None]:
        """The page's rows; each is formatted (CaseRow → FormattedRow) only when first shown, see `entry_at`."""
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
            found = read_rows(self.store, ids)  # on the bare DB-API connection, see there
        except Exception as exc:
            if not store_unavailable(exc):
                raise
            log.warning("could not read cases for the list: %s", exc)  # the store went away (closing, locked)
            return [None] * len(ids)
        rows: list[FormattedRow | CaseRow | None] = [found.get(i) for i in ids]
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

    def entry_at(self, row: int) -> FormattedRow | None:
        if not 0 <= row < len(self._ids):
            return None
        page = self._page(row // PAGE)
        item = page[row % PAGE]
        if item is None or type(item) is FormattedRow:
            return item  # type: ignore[return-value]
        entry = self._entry(item)  # type: ignore[arg-type]
        if page is self._pages.get(row // PAGE):
            page[row % PAGE] = entry
        return entry

    def case_row(self, row: int) -> CaseRow | None:
        if not 0 <= row < len(self._ids):
            return None
        item = self._page(row // PAGE)[row % PAGE]
        if item is None or type(item) is not FormattedRow:
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
            return ALIGNMENTS[c]
        if role == _DECORATION:
            return safety_icon(entry.row.safety_level) if c == COL_SAFETY and entry.row.safety_level else None
        if role == _FOREGROUND:
            return LATE_RED if c == COL_NEXT and entry.promise_late else None
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
