"""`letters --date D --out DIR`: the day's letters made, printed to PDF and put on record.

1. `making.make_due` turns the pending letter actions into letters (idempotent);
2. every letter of the day is drawn: one PDF per letter (`D_<case no>_<code>.pdf`, a name made of
   letters, digits, `-` and `_` only) and ONE print file of all of them (`merged-D.pdf`, a page a
   letter, in the manifest's order), in a process pool (`workers`); the print file is the first
   task, the single letters follow in chunks, and while the workers draw, this process stores the
   finished PDFs (`making.record_pdfs`);
3. `manifest.csv` and `manifest.xlsx` list the letters in print order.

Run again for the same day, nothing new is made or recorded: the letters already made are written
again from the PDFs on record (the bytes that were made), the print file and manifest are drawn
again from the letters' stored content. Files are written to a temporary name and renamed, so a
crash never leaves half a PDF under a letter's name.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import select

from app.reports.fonts import FontFile
from headoffice.db import Database
from headoffice.models import Attachment

from .content import LetterContent
from .making import DayLetter, MakeResult, day_letters, make_due, record_pdfs
from .manifest import write_manifest
from .pdf import LetterFonts, Letters, render_letter

CHUNK = 50  # single letters per pool task
IN_PROCESS_BELOW = 40  # fewer letters than this are drawn without a pool
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class DayRun:
    day: date
    made: MakeResult
    letters: int = 0  # letters of the day (new and made before)
    recorded: int = 0  # PDFs put on record by this run
    cut: int = 0  # letters whose text had to be cut to fit the page
    merged: Path | None = None
    manifest: tuple[Path, Path] | None = None
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # make | draw | record (this process's share)


def file_name(d: DayLetter, day: date) -> str:
    case = _UNSAFE.sub("_", d.case_no).strip("_")[:40] or "case"
    return f"{day.isoformat()}_{case}_{d.code}.pdf"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- in the workers -----------------------------------------------------------------------------

_fonts: LetterFonts | None = None


def _init(font: FontFile | None) -> None:
    global _fonts
    _fonts = LetterFonts.load(font)


def _loaded() -> LetterFonts:
    if _fonts is None:
        _init(None)
    assert _fonts is not None
    return _fonts


def _draw_singles(items: Sequence[tuple[int, str, str]]) -> list[tuple[int, str, str, bool]]:
    """(letter id, content JSON, path) → (letter id, path, sha256, cut), each PDF written to its path."""
    fonts = _loaded()
    out = []
    for letter_id, content, path in items:
        data, fit = render_letter(LetterContent.from_json(content), fonts)
        _write(Path(path), data)
        out.append((letter_id, path, hashlib.sha256(data).hexdigest(), fit.cut))
    return out


def _draw_merged(contents: Sequence[str], path: str, title: str) -> int:
    fonts = _loaded()
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    doc = Letters(tmp, fonts, title)
    for content in contents:
        doc.add(LetterContent.from_json(content))
    pages = doc.save()
    os.replace(tmp, target)
    return pages


# --- the run ------------------------------------------------------------------------------------


def _chunks(items: Sequence[tuple[int, str, str]], size: int) -> Iterator[Sequence[tuple[int, str, str]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _recorded_pdfs(db: Database, letters: Sequence[DayLetter], out: Path, day: date) -> list[Path]:
    """Write the PDFs on record of letters made before, as they were made."""
    paths = []
    by_sha = {d.pdf_sha256: d for d in letters if d.pdf_sha256}
    shas = sorted(by_sha)
    for start in range(0, len(shas), 200):
        with db.read() as session:
            for sha, data in session.execute(select(Attachment.sha256, Attachment.data)
                                             .where(Attachment.sha256.in_(shas[start:start + 200]))).tuples():
                path = out / file_name(by_sha[sha], day)
                _write(path, data)
                paths.append(path)
    return paths


def run_day(db: Database, day: date, out: Path, now: datetime, public_url: str, *, workers: int | None = None,
            font: FontFile | None = None) -> DayRun:
    started = time.perf_counter()
    run = DayRun(day, make_due(db, day, now, public_url))
    letters = day_letters(db, day)
    run.letters = len(letters)
    run.seconds["make"] = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    if letters:
        _draw_and_record(db, run, letters, out, now, workers, font)
    run.manifest = write_manifest(out, letters)
    return run


def _draw_and_record(db: Database, run: DayRun, letters: Sequence[DayLetter], out: Path, now: datetime,
                     workers: int | None, font: FontFile | None) -> None:
    day = run.day
    started = time.perf_counter()
    recording = 0.0
    run.files = _recorded_pdfs(db, letters, out, day)
    todo = [(d.id, d.content, str(out / file_name(d, day))) for d in letters if d.pdf_sha256 is None]
    merged = out / f"merged-{day.isoformat()}.pdf"
    title = f"律师函 {day.isoformat()}（{len(letters)}）"
    contents = [d.content for d in letters]
    n = workers or len(os.sched_getaffinity(0))
    if n <= 1 or len(letters) < IN_PROCESS_BELOW:
        _init(font)
        done = _draw_singles(todo)
        _draw_merged(contents, str(merged), title)
        mark = time.perf_counter()
        run.recorded = record_pdfs(db, ((i, sha, Path(p).read_bytes()) for i, p, sha, _c in done), now)
        recording += time.perf_counter() - mark
        run.cut = sum(c for *_x, c in done)
        run.files += [Path(p) for _i, p, _s, _c in done]
    else:
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"), initializer=_init,
                                 initargs=(font,)) as pool:
            whole: Future[int] = pool.submit(_draw_merged, contents, str(merged), title)
            parts = [pool.submit(_draw_singles, chunk) for chunk in _chunks(todo, CHUNK)]
            for part in parts:  # in order: the records follow the print order
                done = part.result()
                mark = time.perf_counter()
                run.recorded += record_pdfs(db, [(i, sha, Path(p).read_bytes()) for i, p, sha, _c in done], now)
                recording += time.perf_counter() - mark
                run.cut += sum(c for *_x, c in done)
                run.files += [Path(p) for _i, p, _s, _c in done]
            whole.result()
    run.merged = merged
    run.seconds["record"] = recording
    run.seconds["draw"] = time.perf_counter() - started - recording
