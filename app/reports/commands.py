"""CLI: `python -m app report daily|case|receipt|team …` and `python -m app export cases …`.

Heavy libraries (reportlab, openpyxl) load only when a command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import CliError, iso_date, open_from_args


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


def cmd_export_cases(args: argparse.Namespace) -> int:
    from app.domain.clock import local_day, utcnow
    from app.reports.locale import ReportLocale, locale_from_env
    from app.services.reporting import ReportError, export_cases
    from app.store.queries import CaseQuery

    fmt = args.format or (args.out.rsplit(".", 1)[-1].lower() if "." in args.out else "")
    if fmt not in ("csv", "xlsx"):
        raise CliError("say --format csv or --format xlsx (or end --out with .csv / .xlsx)")
    loc = ReportLocale(args.lang) if args.lang else locale_from_env()
    store = open_from_args(args)
    try:
        agent_id = None
        if args.agent:
            from sqlalchemy import text

            with store.engine.connect() as conn:
                agent_id = conn.execute(text("SELECT id FROM agents WHERE username = :u OR CAST(id AS TEXT) = :u"),
                                        {"u": args.agent}).scalar()
            if agent_id is None:
                raise CliError(f"no agent {args.agent!r} on this device")
        query = CaseQuery(search=args.search or "", stages=tuple(args.stage or ()), buckets=tuple(args.bucket or ()),
                          statuses=tuple(args.status or ()), districts=tuple(args.district or ()),
                          safety_only=args.safety, promise=args.promise, agent_id=agent_id, sort=args.sort,
                          descending=not args.asc, today=local_day(utcnow(), loc.zone))
        try:
            built = export_cases(store, query, fmt, args.out, loc, limit=args.limit)
        except ReportError as exc:
            raise CliError(str(exc)) from exc
    finally:
        store.close()
    print(f"wrote {built.path} ({built.rows:,} case(s), names, IDs and phones masked)")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=["zh", "en"], help="language of the output (default: from LANG, else zh)")

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

    export = sub.add_parser("export", parents=[common], help="export data to CSV or XLSX",
                            description="Exports, masked as on screen; formula-looking cells are neutralised.")
    targets = export.add_subparsers(dest="export", metavar="WHAT", required=True)
    p = targets.add_parser("cases", parents=[common, lang], help="the case list",
                           description="The case list with the same filters as `python -m app cases`; "
                                       "CSV is UTF-8 with BOM (Excel reads the Chinese).")
    p.add_argument("--format", choices=["csv", "xlsx"], help="default: from the --out file's extension")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--search", metavar="TEXT", help="name, surname, phone digits, case number, address, ID tail")
    p.add_argument("--stage", action="append", metavar="STAGE", help="repeat for several")
    p.add_argument("--bucket", action="append", choices=["M1", "M2", "M3", "M4+"])
    p.add_argument("--status", action="append", metavar="STATUS")
    p.add_argument("--district", action="append", metavar="NAME")
    p.add_argument("--safety", action="store_true", help="only cases with safety notes")
    p.add_argument("--promise", choices=["today", "overdue", "due"], help="promise due filter")
    p.add_argument("--agent", metavar="ID", help="only this agent's cases (username or id)")
    from app.store.queries import SORT_COLUMNS

    p.add_argument("--sort", default="priority", choices=sorted(SORT_COLUMNS))
    p.add_argument("--asc", action="store_true", help="ascending (default: descending)")
    p.add_argument("--limit", type=int, default=None, help="at most this many rows (default: all)")
    p.set_defaults(handler=cmd_export_cases)
