"""`python -m app cases`: list or search cases, as the app's case list does (names masked)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.common import open_from_args, positive_int


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from app.store.queries import SORT_COLUMNS

    p = sub.add_parser("cases", parents=[common], help="list or search cases",
                       description="List cases, filtered, searched and sorted as in the app (names masked).")
    p.add_argument("--search", metavar="TEXT", help="name, surname, phone digits, case number, address, ID tail")
    p.add_argument("--stage", action="append", metavar="STAGE", help="repeat for several")
    p.add_argument("--bucket", action="append", choices=["M1", "M2", "M3", "M4+"])
    p.add_argument("--status", action="append", metavar="STATUS")
    p.add_argument("--district", action="append", metavar="NAME")
    p.add_argument("--safety", action="store_true", help="only cases with safety notes")
    p.add_argument("--promise", choices=["today", "overdue", "due"], help="promise due filter")
    p.add_argument("--sort", default="priority", choices=sorted(SORT_COLUMNS))
    p.add_argument("--asc", action="store_true", help="ascending (default: descending)")
    p.add_argument("--limit", type=positive_int(100_000), default=20)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_cases)


def cmd_cases(args: argparse.Namespace) -> int:
    from app.domain.clock import local_day, utcnow
    from app.domain.masking import mask_name
    from app.domain.money import Money
    from app.store.queries import CaseQuery, count_cases, list_cases

    store = open_from_args(args)
    try:
        query = CaseQuery(search=args.search or "", stages=tuple(args.stage or ()), buckets=tuple(args.bucket or ()),
                          statuses=tuple(args.status or ()), districts=tuple(args.district or ()),
                          safety_only=args.safety, promise=args.promise, sort=args.sort,
                          descending=not args.asc, today=local_day(utcnow()))
        with store.engine.connect() as conn:
            total = count_cases(conn, query)
            rows = list_cases(conn, query, offset=args.offset, limit=args.limit)
        if args.json:
            out = [{
                "id": r.id, "case_no": r.case_no, "debtor": mask_name(r.debtor_name), "district": r.district,
                "days_past_due": r.days_past_due, "bucket": r.bucket, "overdue_fen": r.overdue_fen,
                "currency": r.currency, "stage": r.stage, "status": r.status, "priority": r.priority,
                "promise_due": r.promise_due.isoformat() if r.promise_due else None, "safety_level": r.safety_level,
            } for r in rows]
            json.dump({"total": total, "cases": out}, sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            print(f"{total:,} case(s)" + (f", showing {len(rows):,}" if total > len(rows) else ""))
            for r in rows:
                flag = "⚠" if r.safety_level else " "
                print(f"{flag} {r.priority:5.1f}  {r.case_no}  {mask_name(r.debtor_name):<6}  {r.district:<5} "
                      f"{r.bucket:<3} {r.days_past_due:>4}d  {Money(r.overdue_fen, r.currency).format():>14}  "
                      f"{r.stage}/{r.status}")
        return 0
    finally:
        store.close()
