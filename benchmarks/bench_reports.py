"""Reports: PDF pages per second with the embedded CJK font, a 200-stop daily sheet, a team report
over the whole store, and exporting every case to CSV (beside the csv module writing the same rows)."""

from __future__ import annotations

import csv
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Figure, demo_store, samples

# The machine may be shared: times are the best of several runs (what the code can do; competing
# work only ever adds to it), and each figure notes the CPU seconds this process spent.


def _cpu(fn: Any) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started

DAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _store(ctx: Context) -> Any:
    """The shared demo store of ctx.cases cases (generated once per run, see benchmarks.common)."""
    return demo_store(ctx)


def _case_report(n_items: int) -> Any:
    from app.domain.money import Money
    from app.reports.data import AccountLine, CaseReport, Evidence, SafetyLine, TimelineItem

    start = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    timeline = tuple(TimelineItem(start + timedelta(hours=7 * i), "outcome", ("not_home", "promise_to_pay", "refused")[i % 3],
                                  "敲门无人应答，邻居称其白天上班。Knocked twice; neighbour says he works days.",
                                  "陈磊", "visit") for i in range(n_items))
    return CaseReport(
        "CD260000123", "刘德华", "510***********1234", ("138****5678",), ("住址: 成都市武侯区玉林路8号2栋3单元501室",),
        "field_visit", "open", "evading_contact", None, 71.5, ("76 days past due (+20.3)",), 76, "M3", Money(485800),
        (AccountLine("LN00000230", "车主贷", Money(18571600), Money(4659071), Money(485800), 76, 2, date(2026, 7, 23)),),
        "陈磊", timeline, tuple(Evidence("ab" * 32, "recording", start) for _ in range(20)),
        (SafetyLine("dog", "medium", "院内有大型犬，未拴绳", True),))


def _stops(n: int) -> Any:
    from app.domain.money import Money
    from app.reports.data import DailySheet, SafetyLine, Stop

    stops = tuple(Stop(i, f"CD26{i:07d}", f"王小明{i}", f"成都市锦江区春熙路{i}号花园{i % 30}栋2单元1203室", Money(1234567 + i),
                       Money(9876543), 30.55 + (i * 37 % 100) / 1000, 104.0 + (i * 53 % 100) / 700,
                       NOW + timedelta(minutes=3 * i), DAY if i % 4 == 0 else None, Money(50000), "not_home", NOW, 45,
                       (SafetyLine("dog", "medium", "院内有大型犬", True),) if i % 9 == 0 else ())
                  for i in range(1, n + 1))
    return DailySheet(DAY, "张建军", "agent01", stops, "plan", (30.6, 104.05))


def run(ctx: Context) -> list[Figure]:
    from app.domain.compliance import builtin_profile
    from app.reports.casereport import build_case_report
    from app.reports.daily import build_daily_sheets
    from app.reports.layout import Setup
    from app.reports.locale import ReportLocale
    from app.services.reporting import ReportSettings, build_team_report, export_cases
    from app.store.queries import CaseQuery

    setup = Setup.load()  # registers the font once, as the app does
    loc = ReportLocale("zh")
    out = ctx.work / "reports"
    out.mkdir(exist_ok=True)
    figures: list[Figure] = []

    report = _case_report(60 if ctx.quick else 400)
    pages = build_case_report(report, out / "case.pdf", setup, loc, NOW)
    t = min(samples(lambda: build_case_report(report, out / "case.pdf", setup, loc, NOW), 5, warmup=1))
    cpu = _cpu(lambda: build_case_report(report, out / "case.pdf", setup, loc, NOW))
    figures.append(Figure(f"case report, {pages} pages, CJK font subset embedded", pages / t, "pages/s", target=100,
                          higher_is_better=True, note=f"{pages / cpu:,.0f} pages per CPU-second"))

    from app.domain.money import Money
    from app.reports.data import Receipt
    from app.reports.receipt import build_receipt

    receipt = Receipt(1, "R0000001001", Money(123456), "bank_transfer", NOW, "agent01", "CD260000001", "王小明")

    def receipts() -> None:
        for i in range(10):
            build_receipt(receipt, out / f"receipt{i}.pdf", setup, loc, NOW)

    t = min(samples(receipts, 3, warmup=1))
    cpu = _cpu(receipts)
    figures.append(Figure("receipts, one page per file (10 files)", 10 / t, "pages/s", higher_is_better=True,
                          note=f"{10 / cpu:,.0f} per CPU-second; each file subsets and embeds the font"))

    sheet = _stops(200)
    n = build_daily_sheets([sheet], out / "daily.pdf", setup, loc, NOW)
    t = min(samples(lambda: build_daily_sheets([sheet], out / "daily.pdf", setup, loc, NOW), 5, warmup=1))
    cpu = _cpu(lambda: build_daily_sheets([sheet], out / "daily.pdf", setup, loc, NOW))
    figures.append(Figure(f"daily sheet, 200 stops ({n} pages)", t, "s", target=1.0, note=f"cpu {cpu:.3f} s"))

    store = _store(ctx)
    settings = ReportSettings(setup, loc, builtin_profile("CN"))
    def team() -> None:
        build_team_report(store, date(2026, 10, 1), DAY, out / "team.pdf", settings, now=NOW)

    t = min(samples(team, 3, warmup=1))
    cpu = _cpu(team)
    figures.append(Figure(f"team report over {ctx.cases:,} cases (2 months)", t, "s", target=5.0,
                          note=f"cpu {cpu:.2f} s"))

    def plain_csv(path: Path) -> None:
        """The plainest way: the same SELECT, rows written as they come (no masking, words or dates)."""
        from sqlalchemy import text

        from app.services.reporting import _EXPORT_SELECT

        with store.engine.connect() as conn, path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerows(conn.execute(text(_EXPORT_SELECT + CaseQuery().order_by())))

    reference = min(samples(lambda: plain_csv(out / "plain.csv"), 2, warmup=0))
    results: list[Any] = []
    t = min(samples(lambda: results.append(export_cases(store, CaseQuery(), "csv", out / "cases.csv", loc)), 2,
                    warmup=0))
    built = results[-1]
    cpu = _cpu(lambda: export_cases(store, CaseQuery(), "csv", out / "cases.csv", loc))
    figures.append(Figure(f"export {built.rows:,} cases to CSV (masked, neutralised)", t, "s", target=5.0,
                          reference=reference, reference_label="same SELECT, csv module, raw values",
                          note=f"cpu {cpu:.2f} s"))
    return figures
