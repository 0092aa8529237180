"""The mailing manifest of a day's letters, and the tracking numbers read back from it.

`write_manifest` writes `manifest.csv` (UTF-8 with BOM, so Excel reads the Chinese) and
`manifest.xlsx`, one row per letter in print order: page of the print file, case number,
recipient, address, verification code, and an empty tracking-number column for the post room.
Both go through `app.reports.exports`, so a cell a spreadsheet would run as a formula (a recipient
called `=HYPERLINK(…)`) is text: a leading apostrophe in CSV, Excel's quote-prefix in XLSX.

`read_tracking(path)` reads the filled-in manifest back (CSV in UTF-8, UTF-8 with BOM or GBK, or
XLSX; headers in Chinese or English, columns in any order; extra columns ignored) and
`import_tracking(db, rows, now)` applies it: each row's verification code (typed any way
`codes.normalise` accepts) names a letter; its tracking number is checked (6–40 letters, digits or
hyphens); the letter becomes `mailed` with a `letter` trail item, and the case is announced.
A row that is blank, already applied or refused changes nothing; the same file imported twice
changes nothing the second time. Every refused row is reported with its line and why.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.reports.exports import INT, TEXT, Column, write_csv, write_xlsx
from app.reports.locale import ReportLocale
from headoffice.db import Database
from headoffice.ladder.models import Letter
from headoffice.ladder.trail import add_trail, announce
from headoffice.models import Case

from .codes import CodeError, normalise
from .content import LetterContent
from .making import DayLetter, trail_data

COLUMNS: tuple[Column, ...] = (
    Column("page", "页码", "Page", 6, INT),
    Column("case_no", "案件编号", "Case no.", 18, TEXT),
    Column("recipient", "收件人", "Recipient", 14, TEXT),
    Column("address", "地址", "Address", 48, TEXT),
    Column("code", "验证码", "Verification code", 22, TEXT),
    Column("tracking_no", "快递单号", "Tracking no.", 20, TEXT),
)
CSV_NAME, XLSX_NAME = "manifest.csv", "manifest.xlsx"
MAX_FILE = 20 * 1024 * 1024
MAX_ROWS = 200_000
TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{4,38}[A-Za-z0-9]$")


def manifest_rows(letters: Sequence[DayLetter]) -> list[list[str | int | None]]:
    return [[page, d.case_no, d.recipient, d.address, d.code, None] for page, d in enumerate(letters, start=1)]


def write_manifest(out: Path, letters: Sequence[DayLetter], lang: str = "zh") -> tuple[Path, Path]:
    loc = ReportLocale(lang=lang)
    rows = manifest_rows(letters)
    write_csv(out / CSV_NAME, COLUMNS, rows, loc)
    write_xlsx(out / XLSX_NAME, COLUMNS, rows, loc, sheet_title="Manifest")
    return out / CSV_NAME, out / XLSX_NAME


class ManifestError(ValueError):
    """A file that cannot be read as a manifest at all (said in words)."""


@dataclass(frozen=True, slots=True)
class TrackingRow:
    line: int  # 1 = the header
    code: str
    tracking_no: str
    case_no: str


def _header_keys(header: Sequence[object]) -> dict[str, int]:
    names = {}
    for col in COLUMNS:
        for label in (col.key, col.zh, col.en):
            names[label.strip().casefold()] = col.key
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = names.get(str(cell or "").strip().lstrip("\ufeff").casefold())
        if key is not None and key not in found:
            found[key] = i
    missing = [k for k in ("code", "tracking_no") if k not in found]
    if missing:
        wanted = " and ".join(f"“{c.zh}”/“{c.en}”" for c in COLUMNS if c.key in missing)
        raise ManifestError(f"the first row must name the columns {wanted}")
    return found


def _cell(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith("'") else text  # the apostrophe our own manifest put in front


def _rows(table: Iterable[Sequence[object]]) -> list[TrackingRow]:
    it = iter(table)
    header = next(it, None)
    if header is None:
        raise ManifestError("the file is empty")
    keys = _header_keys(header)
    out: list[TrackingRow] = []
    for line, row in enumerate(it, start=2):
        if line > MAX_ROWS + 1:
            raise ManifestError(f"more than {MAX_ROWS:,} rows")

        def get(key: str, row: Sequence[object] = row) -> str:
            i = keys.get(key)
            return _cell(row[i]) if i is not None and i < len(row) else ""

        out.append(TrackingRow(line, get("code"), get("tracking_no"), get("case_no")))
    return out


def read_tracking(path: Path) -> list[TrackingRow]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise ManifestError(f"{path.name} is larger than {MAX_FILE // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read {path.name}: {exc.strerror}") from None
    if data[:4] == b"PK\x03\x04":
        return _rows(_xlsx_table(data, path.name))
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ManifestError(f"{path.name} is neither an XLSX workbook nor CSV text in UTF-8 or GBK")
    if "\x00" in text:
        raise ManifestError(f"{path.name} holds NUL characters: not a CSV text file")
    return _rows(csv.reader(io.StringIO(text, newline="")))


def _xlsx_table(data: bytes, name: str) -> list[Sequence[object]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors …
        raise ManifestError(f"{name} cannot be read as an XLSX workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


@dataclass
class TrackingResult:
    mailed: int = 0  # letters marked mailed by this import
    unchanged: int = 0  # rows already applied (same tracking number)
    blank: int = 0  # rows without a tracking number
    problems: list[str] = field(default_factory=list)  # "line 7: …", one per refused row


def import_tracking(db: Database, rows: Sequence[TrackingRow], now: datetime) -> TrackingResult:
    result = TrackingResult()
    wanted: dict[str, TrackingRow] = {}
    for row in rows:
        if not row.tracking_no and not row.code:
            result.blank += 1
            continue
        try:
            code = normalise(row.code)
        except CodeError as exc:
            result.problems.append(f"line {row.line}: verification code: {exc}")
            continue
        if not row.tracking_no:
            result.blank += 1
            continue
        if not TRACKING.match(row.tracking_no):
            result.problems.append(f"line {row.line}: tracking number {row.tracking_no[:40]!r} is not one "
                                   "(6 to 40 letters, digits or hyphens)")
            continue
        earlier = wanted.get(code)
        if earlier is not None and earlier.tracking_no != row.tracking_no:
            result.problems.append(f"line {row.line}: {code} was given tracking number "
                                   f"{earlier.tracking_no} on line {earlier.line}")
            continue
        wanted[code] = row
    codes = sorted(wanted)
    for start in range(0, len(codes), 500):
        _apply(db, [(c, wanted[c]) for c in codes[start:start + 500]], now, result)
    result.problems.sort(key=lambda p: int(p.split(":", 1)[0].split()[1]))
    return result


def _apply(db: Database, batch: Sequence[tuple[str, TrackingRow]], now: datetime, result: TrackingResult) -> None:
    with db.write() as session:
        found = {letter.code: (letter, case_no) for letter, case_no in session.execute(
            select(Letter, Case.case_no).join(Case, Case.id == Letter.case_id)
            .where(Letter.code.in_([c for c, _ in batch]))).tuples()}
        touched: list[int] = []
        for code, row in batch:
            hit = found.get(code)
            if hit is None:
                result.problems.append(f"line {row.line}: no letter has the verification code {code}")
                continue
            letter, case_no = hit
            if row.case_no and row.case_no != case_no:
                result.problems.append(f"line {row.line}: {code} is the letter of case {case_no}, "
                                       f"not {row.case_no[:64]}")
            elif letter.tracking_no == row.tracking_no:
                result.unchanged += 1
            elif letter.tracking_no is not None:
                result.problems.append(f"line {row.line}: {code} was mailed with tracking number "
                                       f"{letter.tracking_no} already")
            elif letter.state != "made":
                result.problems.append(f"line {row.line}: {code} is {letter.state}, not a letter "
                                       "printed and waiting for the post")
            else:
                letter.tracking_no, letter.state, letter.mailed_at = row.tracking_no, "mailed", now
                content = LetterContent.from_json(letter.content or "{}")
                add_trail(session, letter.case_id, "letter",
                          trail_data(content, "mailed", letter.deadline, row.tracking_no), now,
                          attachment_sha256=letter.pdf_sha256, ref=f"letter:{letter.id}")
                touched.append(letter.case_id)
                result.mailed += 1
        announce(session, now, touched)
