"""`python -m app export cases …`: the case list to CSV or XLSX, masked as on screen.

openpyxl and SQLAlchemy load only when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import CliError
from app.cli.common import lang_options, open_from_args


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
    from app.store.queries import SORT_COLUMNS

    export = sub.add_parser("export", parents=[common], help="export data to CSV or XLSX",
                            description="Exports, masked as on screen; formula-looking cells are neutralised.")
    targets = export.add_subparsers(dest="export", metavar="WHAT", required=True)
    p = targets.add_parser("cases", parents=[common, lang_options()], help="the case list",
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
    p.add_argument("--sort", default="priority", choices=sorted(SORT_COLUMNS))
    p.add_argument("--asc", action="store_true", help="ascending (default: descending)")
    p.add_argument("--limit", type=int, default=None, help="at most this many rows (default: all)")
    p.set_defaults(handler=cmd_export_cases)
