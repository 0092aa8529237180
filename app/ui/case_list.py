"""The case list: filter bar, debounced full-text search and the table over `CaseTableModel`.

The filters, the sort and the column widths persist under a settings key of their own, so the
Cases and Today pages each remember theirs. The selected case (by id) survives every reload.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import Bucket, CaseStatus, Stage
from app.store.queries import CaseQuery

from . import labels
from .case_model import (
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
    COLUMN_OF_SORT,
    CaseTableModel,
    CaseTableView,
)
from .settings import AppSettings

SEARCH_DEBOUNCE_MS = 150
DEFAULT_WIDTHS = {COL_PRIORITY: 64, COL_CASE_NO: 116, COL_DEBTOR: 64, COL_DISTRICT: 76, COL_DPD: 100, COL_BUCKET: 52,
                  COL_OVERDUE: 104, COL_STAGE: 96, COL_STATUS: 72, COL_NEXT: 150, COL_SAFETY: 48}


class FilterBar(QWidget):
    """Stage, bucket, status, district, safety flag, promise due, and the search box."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search: name, phone digits, case no., address, ID tail  (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search cases"))
        self.stage = self._combo(self.tr("All stages"), [(s.value, labels.stage(s.value)) for s in Stage])
        self.bucket = self._combo(self.tr("All buckets"), [(b.value, b.value) for b in Bucket])
        self.status = self._combo(self.tr("All statuses"), [(s.value, labels.status(s.value)) for s in CaseStatus])
        self.district = self._combo(self.tr("All districts"), [])
        self.promise = self._combo(self.tr("Any promise"), [("today", self.tr("Promise due today")),
                                                             ("overdue", self.tr("Promise overdue")),
                                                             ("due", self.tr("Promise due or overdue"))])
        self.safety = QCheckBox(self.tr("&Safety notes only"), self)
        self.search_label = QLabel(self.tr("&Find:"), self)
        self.search_label.setBuddy(self.search)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_label)
        top.addWidget(self.search, 1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.stage, self.bucket, self.status, self.district, self.promise):
            row.addWidget(w)
        row.addWidget(self.safety)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addLayout(row)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.flush)
        for combo in (self.stage, self.bucket, self.status, self.district, self.promise):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.safety.toggled.connect(lambda _b: self.changed.emit())
        self.setTabOrder(self.search, self.stage)
        self.setTabOrder(self.stage, self.bucket)
        self.setTabOrder(self.bucket, self.status)
        self.setTabOrder(self.status, self.district)
        self.setTabOrder(self.district, self.promise)
        self.setTabOrder(self.promise, self.safety)

    def _combo(self, everything: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(everything, None)
        for value, text in items:
            combo.addItem(text, value)
        combo.setAccessibleName(everything)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def flush(self) -> None:
        """Apply a pending search at once (Enter)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def set_districts(self, districts: list[str]) -> None:
        current = self.district.currentData()
        self.district.blockSignals(True)
        while self.district.count() > 1:
            self.district.removeItem(1)
        for d in districts:
            self.district.addItem(d, d)
        i = self.district.findData(current)
        self.district.setCurrentIndex(max(0, i))
        self.district.blockSignals(False)
        if current is not None and i < 0:
            self.changed.emit()

    def apply_to(self, query: CaseQuery) -> CaseQuery:
        def one(combo: QComboBox) -> tuple[str, ...]:
            value = combo.currentData()
            return (value,) if value else ()

        return replace(query, search=self.search.text(), stages=one(self.stage), buckets=one(self.bucket),
                       statuses=one(self.status), districts=one(self.district), safety_only=self.safety.isChecked(),
                       promise=self.promise.currentData() or None)

    def state(self) -> dict[str, Any]:
        return {"search": self.search.text(), "stage": self.stage.currentData(), "bucket": self.bucket.currentData(),
                "status": self.status.currentData(), "district": self.district.currentData(),
                "promise": self.promise.currentData(), "safety": self.safety.isChecked()}

    def restore(self, state: Any, districts_pending: bool = True) -> None:
        if not isinstance(state, dict):
            return
        widgets = [self.stage, self.bucket, self.status, self.promise, self.safety, self.search]
        for w in widgets:
            w.blockSignals(True)
        try:
            for key, combo in (("stage", self.stage), ("bucket", self.bucket), ("status", self.status),
                               ("promise", self.promise)):
                i = combo.findData(state.get(key))
                combo.setCurrentIndex(max(0, i))
            self.safety.setChecked(bool(state.get("safety")))
            search = state.get("search")
            self.search.setText(search[:200] if isinstance(search, str) else "")
            district = state.get("district")
            if isinstance(district, str) and district:
                if self.district.findData(district) < 0:
                    self.district.addItem(district, district)
                self.district.blockSignals(True)
                self.district.setCurrentIndex(self.district.findData(district))
                self.district.blockSignals(False)
        finally:
            for w in widgets:
                w.blockSignals(False)


class CaseListView(QWidget):
    """Filter bar + table. Emits `caseSelected(id)` for the current case (-1 for none)."""

    caseSelected = Signal(int)
    listReady = Signal()  # the model's rows arrived (first load, filter, sort or refresh)

    def __init__(self, model: CaseTableModel, settings: AppSettings, key: str, base_query: CaseQuery | None = None,
                 natural_order: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.settings = settings
        self.key = key
        self.base_query = base_query or CaseQuery()
        self._selected: int | None = None
        self._announce_next = False
        self.filters = FilterBar(self)
        self.table = CaseTableView(model, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures 100,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for col, width in DEFAULT_WIDTHS.items():
            header.resizeSection(col, width)
        self.table.setSortingEnabled(False)
        self.table.setAccessibleName(self.tr("Cases"))
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(self.tr("Number of cases shown"))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filters)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count_label)
        self.setTabOrder(self.filters.safety, self.table)

        # Restore what the user had last time, then start loading.
        saved = settings.json_value(f"{key}/filters")
        self.filters.restore(saved)
        header_state = settings.geometry(f"{key}/header")
        if header_state is not None:
            header.restoreState(header_state)
        sort = settings.json_value(f"{key}/sort")
        query = self.base_query
        if isinstance(sort, dict) and sort.get("key") in COLUMN_OF_SORT:
            query = replace(query, sort=sort["key"], descending=bool(sort.get("descending", True)))
            natural_order = bool(sort.get("natural", natural_order))
        model.query = self.filters.apply_to(query)
        model.natural = natural_order
        self._show_sort_indicator()
        self.table.setSortingEnabled(True)  # sorts by the indicator: the model sees its own sort, does nothing

        self.filters.changed.connect(self.apply_filters)
        model.modelAboutToBeReset.connect(self._remember_selection)
        # Lay the rows out now rather than on the view's delayed-layout timer: that timer fires just
        # after the new rows are painted and repaints the whole viewport a second time.
        model.modelReset.connect(self.table.doItemsLayout)
        model.reloaded.connect(self._after_reload)
        model.firstRowsReady.connect(self._show_count)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filters.search, self.filters.search.clear,
                  context=Qt.ShortcutContext.WidgetShortcut)

    # -- behaviour -----------------------------------------------------------------------------
    def start(self) -> None:
        """First load (the owner calls this once the window is up)."""
        self.model.reload()

    def focus_search(self) -> None:
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def apply_filters(self) -> None:
        # Saved with the layout (window close, language switch), not on every keystroke: QSettings
        # writes its file from the GUI thread.
        self.model.set_query(self.filters.apply_to(self.model.query))

    def _show_sort_indicator(self) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        if self.model.natural:
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        else:
            order = Qt.SortOrder.DescendingOrder if self.model.query.descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(COLUMN_OF_SORT.get(self.model.query.sort, 0), order)
        header.blockSignals(False)

    def _save_sort(self) -> None:
        self.settings.set_json_value(f"{self.key}/sort", {"key": self.model.query.sort,
                                                          "descending": self.model.query.descending,
                                                          "natural": self.model.natural})

    def save_layout(self) -> None:
        self.settings.set_geometry(f"{self.key}/header", self.table.horizontalHeader().saveState())
        self.settings.set_json_value(f"{self.key}/filters", self.filters.state())
        self._save_sort()

    def _remember_selection(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            cid = self.model.case_id_at(current.row())
            if cid is not None:
                self._selected = cid

    def _show_count(self) -> None:
        self.count_label.setText(self.tr("%n case(s)", "", self.model.rowCount()))

    def _after_reload(self) -> None:
        self._show_count()
        if self._selected is not None:
            self.select_case(self._selected, emit=self._announce_next)
        self._announce_next = False
        self.listReady.emit()

    def restore_selection(self, case_id: int | None) -> None:
        """Select this case (and announce it, so its detail opens) when the rows arrive."""
        self._selected = case_id
        self._announce_next = case_id is not None

    def select_case(self, case_id: int, emit: bool = True) -> bool:
        """Make `case_id` the current row if it is in the list. Returns whether it is."""
        row = self.model.row_of(case_id)
        self._selected = case_id
        if row is None:
            return False
        index = self.model.index(row, 0)
        sm = self.table.selectionModel()
        if not emit:
            sm.blockSignals(True)
        sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                           | QItemSelectionModel.SelectionFlag.Rows)
        if not emit:
            sm.blockSignals(False)
            self.table.viewport().update()
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def _current_changed(self, current: Any, _previous: Any) -> None:
        cid = self.model.case_id_at(current.row()) if current.isValid() else None
        if cid is not None:
            self._selected = cid
            self.caseSelected.emit(cid)

    @property
    def selected_case(self) -> int | None:
        return self._selected
