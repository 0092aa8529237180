"""The ladder report as a workbook: the levels table (numbers as numbers, yuan with two decimals,
ratios with four), a bar chart of entered / cured / rolled per level, and an "About" sheet with the
period, the policy and how the figures are counted.

Amounts are written as exact decimals made from fen (never through float). Every text cell is
stored as text, and text that a spreadsheet would run as a formula (= + - @, tab, CR, LF first) gets
a leading apostrophe (`app.reports.text.neutralise_cell`): level codes and names come from a policy
someone typed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.reports.text import neutralise_cell

from .report_data import LadderReport
from .report_figures import LevelFigures
from .report_labels import Labels, level_title, policy_text, prices_text, uses_text

YUAN_FORMAT = "#,##0.00"
RATIO_FORMAT = "0.0000"
PERCENT_FORMAT = "0.0%"
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
_ILLEGAL = {c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF)}

# (label key, kind, width); kinds: text | int | yuan | ratio | percent
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("level", "text", 18), ("stage", "text", 12), ("action", "text", 12), ("entered", "int", 9),
    ("cured", "int", 9), ("cured_paid", "int", 12), ("cured_promise", "int", 12), ("cure_rate", "percent", 9),
    ("rolled", "int", 9), ("moved_down", "int", 10), ("still_there", "int", 10), ("window_open", "int", 12),
    ("recovered", "yuan", 14), ("sms", "int", 8), ("letters", "int", 8), ("visits", "int", 8),
    ("cost", "yuan", 12), ("cost_per_yuan", "ratio", 14),
)


def safe_text(value: str) -> str:
    """Text as a cell may hold it: XML-legal, within Excel's length, never a formula."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").translate(_ILLEGAL)
    if len(text) > MAX_CELL_TEXT - 1:
        text = text[: MAX_CELL_TEXT - 2] + "…"
    return neutralise_cell(text)


def _fen(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / 100


def _values(lv: LevelFigures, name: str, lab: Labels) -> list[object]:
    return [name, lab.term(lv.level.stage) if lv.level.stage else "", lab.term(lv.level.action) if lv.level.action
            else "", lv.entered, lv.cured, lv.cured_paid, lv.cured_promise, lv.cure_rate, lv.rolled, lv.moved_down,
            lv.still_there, lv.window_open, _fen(lv.recovered_fen), lv.sms, lv.letters, lv.visits, _fen(lv.cost_fen),
            lv.cost_per_yuan]


def _put(ws: Any, row: int, col: int, value: object, kind: str) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return  # an empty cell: no cost, or no recovery to divide by
    if kind == "text" or isinstance(value, str):
        cell.value = safe_text(str(value))
        cell.data_type = "s"
        return
    cell.value = value
    cell.number_format = {"yuan": YUAN_FORMAT, "ratio": RATIO_FORMAT, "percent": PERCENT_FORMAT}.get(kind, "0")


def _levels_sheet(wb: Any, report: LadderReport, lab: Labels) -> Any:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.active
    ws.title = lab.t("sheet_levels")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF1F4")
    for col, (key, _kind, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=safe_text(lab.t(key)))
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"
    rows: Sequence[tuple[LevelFigures, str]] = [(lv, level_title(lv)) for lv in report.levels]
    for r, (lv, name) in enumerate(rows, start=2):
        for col, ((_key, kind, _w), value) in enumerate(zip(COLUMNS, _values(lv, name, lab), strict=True), start=1):
            _put(ws, r, col, value, kind)
    total_row = len(rows) + 2
    for col, ((_key, kind, _w), value) in enumerate(
            zip(COLUMNS, _values(report.total, lab.t("total"), lab), strict=True), start=1):
        _put(ws, total_row, col, value, kind)
        ws.cell(row=total_row, column=col).font = bold
    if rows:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = lab.t("chart_funnel")
        chart.y_axis.title = lab.t("entered")
        entered = COLUMNS.index(("entered", "int", 9)) + 1
        cured = COLUMNS.index(("cured", "int", 9)) + 1
        rolled = COLUMNS.index(("rolled", "int", 9)) + 1
        last = len(rows) + 1
        for col in (entered, cured, rolled):
            chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
        chart.height, chart.width = 9, 22
        ws.add_chart(chart, f"B{total_row + 3}")
    return ws


def _about_sheet(wb: Any, report: LadderReport, lab: Labels) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(lab.t("sheet_about"))
    facts = [
        (lab.t("title"), lab.t("subtitle")),
        (lab.t("period"), f"{report.start.isoformat()} – {report.end.isoformat()}"),
        (lab.t("as_of"), report.as_of.isoformat()),
        (lab.t("team"), report.team or lab.t("all_teams")),
        (lab.t("policy"), policy_text(report, lab)),
        (lab.t("cure_window"), f"{lab.t('days', n=report.policy.cure_days)} · {lab.t('grace', n=report.grace_days)}"),
        (lab.t("prices"), prices_text(report, lab)),
        (lab.t("moved_by"), uses_text(report, lab)),
        (lab.t("cases"), report.cases),
    ]
    facts += [(lab.t("notes") if i == 0 else "", lab.t(key, days=report.policy.cure_days))
              for i, key in enumerate(("note_entries", "note_moves", "note_recovered", "note_cost", "note_open"))]
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    for r, (k, v) in enumerate(facts, start=1):
        _put(ws, r, 1, k, "text")
        ws.cell(row=r, column=1).font = Font(bold=True)
        _put(ws, r, 2, v, "int" if isinstance(v, int) else "text")
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")


def build_ladder_xlsx(report: LadderReport, out: Path | str, lab: Labels) -> None:
    """Write the workbook atomically (a failure never leaves half a file)."""
    from openpyxl import Workbook

    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    _levels_sheet(wb, report, lab)
    _about_sheet(wb, report, lab)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
