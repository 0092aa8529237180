"""`python -m headoffice ladder-report --from D --to D [--team T] [--lang zh|en] [--as-of D] --out DIR`:
what the cheap steps of the ladder achieved, as `ladder-report.pdf` and `ladder-report.xlsx` in DIR.

Per level: cases entered in the period, cured within the policy's cure window (paid in full or a
promise kept), rolled to a higher level, still there, the amount recovered, and, where the policy
prices SMS, letters and visits, the cost and the cost per yuan recovered (see docs/ladder-report.md).
Outcomes are judged as of `--as-of` (default: the period's last day), so the same report made later
says the same. Exit 0: written; 2: the command could not run (a bad date, no such database …).
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from headoffice.cli import CliError
from headoffice.cli.common import database, require_schema

PDF_NAME = "ladder-report.pdf"
XLSX_NAME = "ladder-report.xlsx"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time (e.g. 2026-12-01T09:00:00+08:00): {text[:40]!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("the time needs a zone, e.g. 2026-12-01T09:00:00+08:00")
    return value


def printable(text: str, limit: int = 40) -> str:
    """A policy's text for the terminal: no control characters (no escape sequences), cut short."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:limit])


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ladder-report", parents=[common],
                       help="the ladder report (PDF + XLSX): what the cheap steps achieved")
    p.add_argument("--from", dest="start", type=_day, required=True, help="first day of the period (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=_day, required=True, help="last day of the period (YYYY-MM-DD)")
    p.add_argument("--team", default=None, help="one team only (default: every team, the company policy)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="the report's language (default zh)")
    p.add_argument("--as-of", dest="as_of", type=_day, default=None,
                   help="judge outcomes as of this day (default: the period's last day)")
    p.add_argument("--profile", default="CN",
                   help="compliance profile (built-in id or JSON file) for the promise grace and the zone")
    p.add_argument("--now", type=_instant, default=None, help="the time printed on the report (default: now)")
    p.add_argument("--out", required=True, help="folder to write ladder-report.pdf and ladder-report.xlsx into")
    p.set_defaults(handler=cmd_ladder_report)


def cmd_ladder_report(args: argparse.Namespace) -> int:
    from app.domain.clock import utcnow
    from app.domain.compliance import ProfileError
    from app.reports.fonts import FontNotFound
    from app.reports.layout import Setup
    from app.reports.locale import ReportLocale
    from headoffice.config import load_profile
    from headoffice.ladder.report_data import ReportRequest, build_report
    from headoffice.ladder.report_labels import Labels, percent, ratio_text, yuan
    from headoffice.ladder.report_pdf import build_ladder_pdf
    from headoffice.ladder.report_policy import ReportInputError
    from headoffice.ladder.report_xlsx import build_ladder_xlsx

    try:
        profile, _raw = load_profile(args.profile)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {args.out} is a file, not a folder")
    request = ReportRequest(start=args.start, end=args.end, team=args.team, as_of=args.as_of,
                            zone=profile.timezone, grace_days=profile.promise_grace_days)
    db = database(args)
    try:
        require_schema(db)
        with db.read() as session:
            try:
                report = build_report(session, request)
            except ReportInputError as exc:
                raise CliError(str(exc)) from None
    finally:
        db.dispose()
    try:
        setup = Setup.load()
    except FontNotFound as exc:
        raise CliError(str(exc)) from None
    lab = Labels(ReportLocale(args.lang, profile.timezone))
    pages = build_ladder_pdf(report, out / PDF_NAME, setup, lab, printed_at=args.now or utcnow())
    build_ladder_xlsx(report, out / XLSX_NAME, lab)
    for lv in report.levels:
        print(f"{printable(lv.level.code)}: entered {lv.entered}, cured {lv.cured} ({percent(lv.cure_rate)}), "
              f"rolled {lv.rolled}, still there {lv.still_there}, recovered ¥{yuan(lv.recovered_fen)}, "
              f"cost per yuan {ratio_text(lv.cost_per_yuan)}")
    t = report.total
    print(f"total: {report.cases} case(s), {t.entered} entries, cured {t.cured}, recovered ¥{yuan(t.recovered_fen)}")
    print(f"wrote {out / PDF_NAME} ({pages} page(s)) and {out / XLSX_NAME}")
    return 0
