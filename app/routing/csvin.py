"""Read stops from CSV: `id,lat,lon[,priority,duration_min,window_start,window_end,must_visit]`.

UTF-8 with or without a byte-order mark. A file that cannot be read as such (wrong encoding, no
`id`/`lat`/`lon` columns, a value that is not a number or a time, too many rows) raises
`StopsFileError` naming the line. The id and the label are text from outside, checked by
`app.domain.text_input` (no lone surrogates, control or bidirectional characters; one line). An empty coordinate is not an error: that stop is skipped by
the planner with its reason, like one with impossible coordinates or a window that ends early.
"""

from __future__ import annotations

import csv
import io
import math

from app.domain.text_input import text_problem

from .model import DEFAULT_DURATION_S, Stop, parse_clock

REQUIRED = ("id", "lat", "lon")
KNOWN = (*REQUIRED, "priority", "duration_min", "window_start", "window_end", "must_visit", "two_person", "label")
MAX_ROWS = 1_000
MAX_BYTES = 5_000_000
MAX_ID = 200
TRUE = {"1", "true", "yes", "y", "t", "是", "x"}
FALSE = {"", "0", "false", "no", "n", "f", "否"}


class StopsFileError(ValueError):
    """A stops file that cannot be read; the message says where and why."""


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def read_stops_bytes(data: bytes) -> list[Stop]:
    if len(data) > MAX_BYTES:
        raise StopsFileError(f"the stops file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StopsFileError(f"the stops file is not UTF-8 text (byte {exc.start})") from None
    return read_stops_text(text)


def read_stops_text(text: str) -> list[Stop]:
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise StopsFileError("the stops file is not a CSV text file (it holds NUL bytes)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise StopsFileError(f"line 1: {exc}") from None
    if header is None or not any(h.strip() for h in header):
        raise StopsFileError("the stops file is empty: expected a header line with id,lat,lon")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise StopsFileError(f"the header has no {', '.join(missing)} column(s); expected at least id,lat,lon")
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise StopsFileError(f"the header names {', '.join(dupes)} more than once")
    col = {n: i for i, n in enumerate(names)}
    stops: list[Stop] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(stops) >= MAX_ROWS:
                raise StopsFileError(f"more than {MAX_ROWS:,} stops; plan a day from fewer candidates")
            if len(row) > len(names):
                raise StopsFileError(f"line {line}: {len(row)} fields but the header has {len(names)}")
            stops.append(_stop(row, col, line))
    except csv.Error as exc:
        raise StopsFileError(f"line {reader.line_num}: {exc}") from None
    return stops


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    i = col.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def _number(text: str, what: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise StopsFileError(f"line {line}: {what} {_short(text)} is not a number") from None
    if not math.isfinite(value):
        raise StopsFileError(f"line {line}: {what} {_short(text)} is not a finite number")
    return value


def _stop(row: list[str], col: dict[str, int], line: int) -> Stop:
    sid = _cell(row, col, "id")
    if not sid:
        raise StopsFileError(f"line {line}: the id is empty")
    problem = text_problem(sid, max_length=MAX_ID)
    if problem is not None:
        raise StopsFileError(f"line {line}: the id {problem}")
    label = _cell(row, col, "label")
    problem = text_problem(label, max_length=MAX_BYTES)
    if problem is not None:
        raise StopsFileError(f"line {line}: the label {problem}")
    lat_t, lon_t = _cell(row, col, "lat"), _cell(row, col, "lon")
    lat = _number(lat_t, "lat", line) if lat_t else None
    lon = _number(lon_t, "lon", line) if lon_t else None
    pr_t = _cell(row, col, "priority")
    priority = _number(pr_t, "priority", line) if pr_t else 1.0
    if priority < 0:
        raise StopsFileError(f"line {line}: priority must not be negative")
    du_t = _cell(row, col, "duration_min")
    duration = DEFAULT_DURATION_S
    if du_t:
        minutes = _number(du_t, "duration_min", line)
        if not (0 <= minutes <= 12 * 60):
            raise StopsFileError(f"line {line}: duration_min must be between 0 and 720 minutes")
        duration = round(minutes * 60)
    ws, we = _cell(row, col, "window_start"), _cell(row, col, "window_end")
    window: tuple[int, int] | None = None
    if ws or we:
        try:
            window = (parse_clock(ws) if ws else 0, parse_clock(we) if we else 24 * 3600)
        except ValueError as exc:
            raise StopsFileError(f"line {line}: {exc}") from None
    return Stop(id=sid, lat=lat, lon=lon, priority=priority, duration_s=duration, window=window,
                must_visit=_flag(_cell(row, col, "must_visit"), "must_visit", line),
                needs_two_people=_flag(_cell(row, col, "two_person"), "two_person", line),
                label=label[:200])


def _flag(text: str, what: str, line: int) -> bool:
    t = text.lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    raise StopsFileError(f"line {line}: {what} {_short(text)} is not yes/no (1/0, true/false)")
