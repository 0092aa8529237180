"""The case list's table: its rows painted straight from the model's formatted rows, all visible rows
in one Python call per paint (`CaseTableView`, `CaseRowDelegate`)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QStaticText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from .case_cells import (
    ALIGNMENTS,
    COL_NEXT,
    COL_SAFETY,
    LATE_RED,
    FormattedRow,
    FormattedRowsModel,
    safety_icon,
)

_RIGHT_SIDE = int(Qt.AlignmentFlag.AlignRight)
FITTED_MOST = 8_000  # laid-out cell texts kept (a jump shows ~300 cells; unique ones churn, repeated ones stay)


class CaseRowDelegate(QStyledItemDelegate):
    """Paints a case cell straight from the model's pre-formatted row: one Python call per cell
    instead of the seven role look-ups the default delegate makes, and no per-cell copies of the
    style option's palette or font metrics (scrolling 100,000 rows stays smooth)."""

    def __init__(self, model: FormattedRowsModel, view: QAbstractItemView):
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
        self._memo_entry: FormattedRow | None = None
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
        self._red = LATE_RED.color()
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

    def _paint_cell(self, painter: QPainter, rect: QRect, entry: FormattedRow, c: int, selected: bool) -> None:
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
        align = ALIGNMENTS[c]
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

    def _paint_placeholder(self, painter: QPainter, model: FormattedRowsModel, row: int,
                           columns: list[tuple[int, int, int]], y: int, height: int, selected: bool) -> None:
        painter.setPen(self._highlighted_text if selected else self._text)
        for logical, x, width in columns:
            text = model.data(model.index(row, logical))
            if isinstance(text, str) and text:
                shown = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 8)
                painter.drawText(x + 4, y, width - 8, height, ALIGNMENTS[logical], shown)


class CaseTableView(QTableView):
    """The case list's table: paints its visible rows through `CaseRowDelegate.paint_rows` in one Python
    call per paint instead of one per cell (a jump to an unseen place repaints ~300 cells)."""

    def __init__(self, model: FormattedRowsModel, parent: QWidget | None = None):
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
