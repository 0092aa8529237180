"""`python -m app report daily|case|receipt|team …`: the PDF reports.

reportlab and SQLAlchemy load only when a command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import CliError
from app.cli.common import iso_date, lang_options, open_from_args


def _settings(args: argparse.Namespace) -> Any:
    from app.reports.fonts import FontNotFound
    from app.services.reporting import ReportSettings

    try:
        return ReportSettings.default(lang=args.lang)
    except FontNotFound as exc:
        raise CliError(str(exc)) from exc


def _run(args: argparse.Namespace, build: Any) -> int:
    from app.reports.capitals import AmountError
    from app.services.reporting import ReportError

    settings = _settings(args)
    store = open_from_args(args)
    try:
        built = build(store, settings)
    except (ReportError, AmountError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        store.close()
    what = f"{built.pages} page(s)" if built.pages else f"{built.rows:,} row(s)"
    print(f"wrote {built.path} ({what})")
    return 0


def cmd_daily(args: argparse.Namespace) -> int:
    from app.services.reporting import build_daily_sheet

    return _run(args, lambda store, s: build_daily_sheet(store, args.date, args.out, s, agent=args.agent))


def cmd_case(args: argparse.Namespace) -> int:
    from app.services.reporting import build_case_report

    return _run(args, lambda store, s: build_case_report(store, args.case, args.out, s))


def cmd_receipt(args: argparse.Namespace) -> int:
    from app.services.reporting import build_receipt

    return _run(args, lambda store, s: build_receipt(store, args.payment, args.out, s))


def cmd_team(args: argparse.Namespace) -> int:
    from app.services.reporting import build_team_report

    if args.to < args.from_:
        raise CliError("--to is before --from")
    return _run(args, lambda store, s: build_team_report(store, args.from_, args.to, args.out, s, team=args.team))


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    lang = lang_options()
    report = sub.add_parser("report", parents=[common], help="print a report to PDF",
                            description="PDF reports: daily visit sheet, case visit report, payment receipt, "
                                        "team report. Chinese is embedded (set DOORSTEP_CJK_FONT to choose the font).")
    kinds = report.add_subparsers(dest="report", metavar="KIND", required=True)

    p = kinds.add_parser("daily", parents=[common, lang], help="the day's visit sheet",
                         description="The day's stops in order (the saved day plan, else due cases by priority), "
                                     "safety warnings, compliance reminders and a route sketch.")
    p.add_argument("--date", type=iso_date, required=True, help="the day (YYYY-MM-DD)")
    p.add_argument("--agent", metavar="ID", help="agent username or id (default: every agent, one sheet each)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(handler=cmd_daily)

    p = kinds.add_parser("case", parents=[common, lang], help="a case's visit report",
                         description="Facts, loans, safety notes, timeline, outcomes, evidence hashes, signature lines.")
    p.add_argument("--case", required=True, metavar="ID", help="case number (CD…) or id")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(handler=cmd_case)

    p = kinds.add_parser("receipt", parents=[common, lang], help="a payment receipt",
                         description="Numbered receipt, amount in figures and Chinese capitals, verification code.")
    p.add_argument("--payment", required=True, metavar="ID", help="payment id or receipt number")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(handler=cmd_receipt)

    p = kinds.add_parser("team", parents=[common, lang], help="the supervisor's team report",
                         description="Per agent and in total for a period: cases held, visits, right-party "
                                     "contacts, promises made/kept/broken, amount collected, with charts.")
    p.add_argument("--from", dest="from_", type=iso_date, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", type=iso_date, required=True, help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--team", help="only this team")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.set_defaults(handler=cmd_team)
