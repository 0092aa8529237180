"""The case list's columns and how a case row looks in them: the column and role numbers, the money
format, the safety icon, and a row with its cells formatted once for display (`FormattedRow`), which
the model hands out and the row painter draws."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QAbstractTableModel, QLocale, QPoint, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap, QPolygon

from app.store.queries import CaseRow

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

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
ALIGNMENTS = tuple(_RIGHT if c in (COL_PRIORITY, COL_DPD, COL_OVERDUE) else _LEFT for c in range(COLUMN_COUNT))
LATE_RED = QBrush(QColor("#c0392b"))  # a promise whose date has passed


class FormattedRow(NamedTuple):
    """One loaded row: the case and its cells already formatted for display."""

    row: CaseRow
    cells: tuple[str, ...]
    promise_late: bool


def format_fen(fen: int, currency: str = "CNY", locale: QLocale | None = None) -> str:
    """¥1,234.56 with the current locale's grouping, from integer fen (no float on the way)."""
    if locale is None:
        locale = QLocale()
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{sign}{symbol}{locale.toString(yuan)}{locale.decimalPoint()}{rest:02d}"


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


class FormattedRowsModel(QAbstractTableModel):
    """What the case table paints from (`case_table_view`): a table model whose `entry_at(row)` hands out
    each loaded row already formatted (a `FormattedRow`, or None while the row is not loaded). The case
    list's model (`case_model.CaseTableModel`) is the one there is; the painter knows only this name,
    so the two modules do not import each other."""
