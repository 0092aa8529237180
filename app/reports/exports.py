"""Exports of the case list: CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX.

Personal data is masked as on screen by the caller (ExportRow holds what is printed). Every text
cell that a spreadsheet would take for a formula is neutralised: in CSV with a leading apostrophe
(text.neutralise_cell), in XLSX by storing it as a string with Excel's quote-prefix mark.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from .locale import ReportLocale
from .text import FORMULA_START, neutralise_cell

Cell = str | int | float | Decimal | date | None

TEXT, INT, FLOAT, MONEY, DATE = "text", "int", "float", "money", "date"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    en: str
    width: int = 12  # XLSX column width (characters)
    kind: str = TEXT  # text | int | float | money (integer fen, shown as yuan) | date (ISO text or date)


# The case list's columns, in order.
CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_no", "案件编号", "Case no.", 15),
    Column("debtor", "债务人", "Debtor", 10),
    Column("id_number", "证件号", "ID number", 21),
    Column("phone", "电话", "Phone", 14),
    Column("district", "区县", "District", 10),
    Column("days_past_due", "逾期天数", "Days past due", 9, INT),
    Column("bucket", "账龄", "Bucket", 6),
    Column("overdue_yuan", "逾期金额(元)", "Overdue (yuan)", 14, MONEY),
    Column("currency", "币种", "Currency", 6),
    Column("stage", "阶段", "Stage", 10),
    Column("status", "状态", "Status", 9),
    Column("priority", "优先级", "Priority", 8, FLOAT),
    Column("promise_due", "承诺还款日", "Promise due", 12, DATE),
    Column("next_action", "下次行动", "Next action", 12, DATE),
    Column("safety", "安全提示", "Safety", 8),
    Column("agent", "外访员", "Agent", 10),
)

_FORMULA_FIRST = frozenset(FORMULA_START)


def _csv_text(v: Cell) -> object:
    if v is None:
        return ""
    if type(v) is str:
        return "'" + v if v[:1] in _FORMULA_FIRST else v
    return _csv_text(str(v))


def _csv_money(v: Cell) -> object:
    if v is None:
        return ""
    fen = int(v)  # type: ignore[arg-type]
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{rest:02d}"


def _csv_date(v: Cell) -> object:
    return "" if v is None else v.isoformat() if isinstance(v, date) else v


def _csv_number(v: Cell) -> object:
    return "" if v is None else v


_CSV = {TEXT: _csv_text, MONEY: _csv_money, DATE: _csv_date, INT: _csv_number, FLOAT: _csv_number}


def _atomic(out: Path | str, write: Callable[[Path], None]) -> None:
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def headers(columns: Sequence[Column], loc: ReportLocale) -> list[str]:
    return [c.zh if loc.lang == "zh" else c.en for c in columns]


def write_csv(out: Path | str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], loc: ReportLocale) -> int:
    """Write rows (one value per column) as CSV; returns the number of data rows."""
    count = 0

    def write(path: Path) -> None:
        nonlocal count
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
            w.writerow(headers(columns, loc))
            # Text and numbers in one pass; money and date columns fixed up after (fewer calls per cell).
            first = _FORMULA_FIRST
            special = [(i, _CSV[c.kind]) for i, c in enumerate(columns) if c.kind in (MONEY, DATE)]
            n = len(columns)
            for row in rows:
                if len(row) != n:
                    raise ValueError(f"a row has {len(row)} values for {n} columns")
                out: list[object] = [("'" + v if v[:1] in first else v) if type(v) is str else ("" if v is None else v)
                       for v in row]
                for i, convert in special:
                    out[i] = convert(row[i])
                w.writerow(out)
                count += 1

    _atomic(out, write)
    return count


def write_xlsx(out: Path | str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], loc: ReportLocale,
               sheet_title: str = "Cases") -> int:
    """Write rows as an XLSX workbook (write-only mode: constant memory for 100k rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    count = 0

    def cells(ws: object, row: Sequence[Cell]) -> Iterator[object]:
        for value, col in zip(row, columns, strict=True):
            if value is not None and col.kind == MONEY:
                cell = WriteOnlyCell(ws, value=int(value) / 100)  # type: ignore[arg-type]
                cell.number_format = "#,##0.00"
            elif value is not None and col.kind == DATE:
                cell = WriteOnlyCell(ws, value=value if isinstance(value, date) else date.fromisoformat(str(value)))
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                text = _legal_xml(value)
                cell = WriteOnlyCell(ws, value=text)
                cell.data_type = "s"  # stored as text: never a formula, whatever it starts with
                if neutralise_cell(text) != text:
                    # Excel's own mark for "typed with a leading apostrophe": shown as is, and stays
                    # text when someone edits the cell. The text itself is kept unchanged.
                    cell.quotePrefix = True
            else:
                cell = WriteOnlyCell(ws, value=value)
                if col.kind == FLOAT and value is not None:
                    cell.number_format = "0.0"
            yield cell

    def write(path: Path) -> None:
        nonlocal count
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet_title)
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="EEF1F4")
        head = []
        for title in headers(columns, loc):
            c = WriteOnlyCell(ws, value=title)
            c.font, c.fill = bold, fill
            head.append(c)
        ws.append(head)
        for row in rows:
            ws.append(list(cells(ws, row)))
            count += 1
        wb.save(path)

    _atomic(out, write)
    return count


def _legal_xml(value: str) -> str:
    """XLSX is XML: characters it cannot hold (most C0 controls) are dropped rather than failing the export,
    and a CR (which XML reads back as LF anyway) is written as the line break it stands for."""
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(_ILLEGAL)


_ILLEGAL = {c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF)}
