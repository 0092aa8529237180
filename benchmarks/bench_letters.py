"""Lawyer's letters (head office): a day of 10,000 letters (`--quick`: 500) on SQLite, as
`python -m headoffice letters --date D --out DIR` makes them, with 2 worker processes:

* making: the pending letter actions turned into letters (facts, codes, content), batches of 500;
* drawing: one PDF per letter and ONE print file of every letter, in the pool;
* recording (in this process, while the pool draws): each PDF stored as an attachment with its
  trail item;
* the total, against the issue's bound of 60 s for 10,000 letters (PDFs + the print file), and the
  CPU time all processes spent on it (on a machine whose cores are shared, the wall time says more
  about the neighbours than about the work).

The database (demo cases, the example firm and template, one pending letter action per case) is set
up before the clock starts.
"""

from __future__ import annotations

import json
import os
import resource
import time
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.common import Context, Figure, run_headoffice

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "letters"
DAY = date(2026, 12, 1)
WORKERS = 2


def _setup(db_url: str, n: int) -> None:
    from sqlalchemy import insert, select, update

    from app.contract.letters import LawFirmsData, LetterTemplatesData
    from headoffice.db import Database
    from headoffice.ladder.models import LadderAction
    from headoffice.letters import store
    from headoffice.models import Case

    run_headoffice("init-db", "--db", db_url)
    run_headoffice("demo-data", "--db", db_url, "--cases", str(n), "--password", "bench-password-1",
                   "--today", "2026-11-30")
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    db = Database(db_url)
    try:
        with db.write() as s:
            store.store_firms(s, LawFirmsData.model_validate_json(
                (FIXTURES / "firms.json").read_text(encoding="utf-8")).firms, now)
            store.store_templates(s, LetterTemplatesData.model_validate_json(
                (FIXTURES / "templates.json").read_text(encoding="utf-8")).templates, "bench", now)
            s.execute(update(Case).values(status="open"))
            ids = list(s.scalars(select(Case.id).order_by(Case.id)))
            s.execute(insert(LadderAction), [
                {"case_id": i, "level": "letter", "action": "letter", "template": "firm_a_std", "run_on": DAY,
                 "state": "pending", "detail": "", "created_at": now} for i in ids])
    finally:
        db.dispose()


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the pool's workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def run(ctx: Context) -> list[Figure]:
    from headoffice.db import Database
    from headoffice.letters.batch import run_day

    n = 500 if ctx.quick else 10_000
    path = ctx.work / "letters.sqlite3"
    url = f"sqlite:///{path}"
    _setup(url, n)
    out = ctx.work / "letters-out"
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    db = Database(url)
    try:
        cpu_before = _cpu()
        started = time.perf_counter()
        day = run_day(db, DAY, out, now, "https://check.example.com", workers=WORKERS)
        total = time.perf_counter() - started
        cpu = _cpu() - cpu_before
    finally:
        db.dispose()
    made = day.made
    if made.made != n or day.letters != n or day.recorded != n or day.merged is None:
        raise AssertionError(f"expected {n} letters made and recorded: {json.dumps(made.failed)} "
                             f"{day.letters} {day.recorded}")
    size = sum(p.stat().st_size for p in out.glob("*.pdf")) / (1024 * 1024)
    label = f"{n:,} letters"
    return [
        Figure(f"{label}: made from pending actions (s)", day.seconds["make"], "s"),
        Figure(f"{label}: PDFs + print file drawn ({WORKERS} processes, s)", day.seconds["draw"], "s",
               note="waiting on the pool, less the time spent recording meanwhile"),
        Figure(f"{label}: PDFs put on record (s)", day.seconds["record"], "s"),
        Figure(f"{label}: the whole day (s)", total, "s", target=60.0 if n == 10_000 else None,
               note=f"{n / total:,.0f} letters/s, {size:,.0f} MB of PDF; load average {os.getloadavg()[0]:.1f} "
                    f"on {os.cpu_count()} cores"),
        Figure(f"{label}: CPU time of every process (core-s)", cpu, "s",
               note=f"the work itself: {WORKERS} idle cores give {WORKERS * 60} core-s in 60 s"),
    ]
