"""Command line: `python -m app <command> --help`.

Each command is a small function over the same services the GUI uses. Areas that bring heavy
libraries (routing, reports, sync) register their commands from `COMMAND_MODULES`; those modules
import their heavy dependencies only when their command runs, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from app.domain.clock import local_day, utcnow
from app.domain.masking import mask_name
from app.domain.money import Money

Handler = Callable[[argparse.Namespace], int]

# Modules with `register(subparsers, common)`; each adds its commands. Missing ones are skipped.
COMMAND_MODULES = (
    "app.routing.commands",
    "app.reports.commands",
    "app.sync.commands",
    "app.services.auditcmd",
    "app.services.securitycmd",
    "app.maps.commands",
)


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""

    exit_code = 2


class RefusedInput(CliError):
    """An input file that was read and refused (what and where, in one line); exit code 1, as
    `python -m headoffice import-cases` exits on a refused file. Exit code 2 stays for usage: a
    missing file, a wrong option."""

    exit_code = 1


def positive_int(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be at most {limit:,}, got {value:,}")
        return value

    return parse


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def open_from_args(args: argparse.Namespace) -> Any:
    store, evidence_key = open_from_args_with_evidence_key(args)
    if evidence_key is not None:
        from app.domain.kdf import wipe

        wipe(evidence_key)
    return store


def open_from_args_with_evidence_key(args: argparse.Namespace) -> tuple[Any, bytearray | None]:
    """The store of the data folder the arguments name (asking for the secret of an encrypted one), and an
    encrypted store's evidence key, which the caller wipes (see datadir.open_data_dir_with_evidence_key)."""
    from app.services.datadir import SecretRequired, open_data_dir_with_evidence_key, resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    try:
        return open_data_dir_with_evidence_key(data_dir)
    except SecretRequired:
        return open_data_dir_with_evidence_key(data_dir, _read_secret())


def _read_secret() -> str:
    """The store's secret: DOORSTEP_SECRET (for scripts), else asked on the terminal without echo."""
    import getpass
    import os

    secret = os.environ.get("DOORSTEP_SECRET")
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise CliError("the store is encrypted: run in a terminal to type the secret, or set DOORSTEP_SECRET")
    return getpass.getpass("Doorstep secret: ")


# --- commands ------------------------------------------------------------------------------


def cmd_demo_data(args: argparse.Namespace) -> int:
    from app.demo.generate import DemoDataError, generate

    store = open_from_args(args)
    try:
        from sqlalchemy import text

        if args.if_empty:
            with store.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
            if n:
                print(f"store already holds {n:,} cases; left as it is")
                return 0

        def progress(done: int, total: int) -> None:
            if not args.quiet:
                print(f"\r{done:,}/{total:,} cases", end="", file=sys.stderr, flush=True)

        try:
            summary = generate(store, args.cases, seed=args.seed, today=args.today, progress=progress)
        except DemoDataError as exc:
            raise CliError(str(exc)) from exc
        if not args.quiet:
            print(file=sys.stderr)
        print(f"generated {summary.cases:,} cases for {summary.agents - 1} agents and a supervisor "
              f"in {summary.seconds:.1f} s")
        return 0
    finally:
        store.close()


def cmd_cases(args: argparse.Namespace) -> int:
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


def cmd_check(args: argparse.Namespace) -> int:
    from app.services.integrity import check_store

    store = open_from_args(args)
    try:
        report = check_store(store)
    finally:
        store.close()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    def common_options(default: object) -> argparse.ArgumentParser:
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--data-dir", metavar="DIR", default=default,
                            help="data folder (default: $DOORSTEP_DATA_DIR, else the per-user data folder)")
        parent.add_argument("-v", "--verbose", action="store_true", default=default or False, help="log more")
        return parent

    # Options may stand before or after the command; the command's copy must not reset the other.
    common = common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="python -m app", description="Doorstep, headless.",
                                     parents=[common_options(None)])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("demo-data", parents=[common], help="fill an empty store with a demo city",
                       description="Generate deterministic demo data (Chengdu) into an empty store.")
    p.add_argument("--cases", type=positive_int(1_000_000), required=True, help="how many cases (1–1,000,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--today", type=iso_date, default=None, help="the day the data is built around (YYYY-MM-DD)")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the store already holds cases")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_demo_data)

    p = sub.add_parser("cases", parents=[common], help="list or search cases",
                       description="List cases, filtered, searched and sorted as in the app (names masked).")
    p.add_argument("--search", metavar="TEXT", help="name, surname, phone digits, case number, address, ID tail")
    p.add_argument("--stage", action="append", metavar="STAGE", help="repeat for several")
    p.add_argument("--bucket", action="append", choices=["M1", "M2", "M3", "M4+"])
    p.add_argument("--status", action="append", metavar="STATUS")
    p.add_argument("--district", action="append", metavar="NAME")
    p.add_argument("--safety", action="store_true", help="only cases with safety notes")
    p.add_argument("--promise", choices=["today", "overdue", "due"], help="promise due filter")
    from app.store.queries import SORT_COLUMNS

    p.add_argument("--sort", default="priority", choices=sorted(SORT_COLUMNS))
    p.add_argument("--asc", action="store_true", help="ascending (default: descending)")
    p.add_argument("--limit", type=positive_int(100_000), default=20)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_cases)

    p = sub.add_parser("check", parents=[common], help="integrity check of the store",
                       description="Schema version, SQLite integrity, foreign keys, search index, audit chain.")
    p.set_defaults(handler=cmd_check)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from sqlalchemy.exc import DatabaseError

    from app.store.migrate import StoreError

    try:
        handler: Handler = args.handler
        return handler(args)
    except (CliError, StoreError) as exc:
        print(f"doorstep: {exc}", file=sys.stderr)
        return exc.exit_code if isinstance(exc, CliError) else 2
    except DatabaseError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        print(f"doorstep: the store could not be read or written ({reason}); "
              "`python -m app check` tells what is wrong", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("doorstep: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"doorstep: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
