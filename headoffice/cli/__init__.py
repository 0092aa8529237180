"""`python -m headoffice COMMAND --db URL …`

  init-db                      create or upgrade the schema (Alembic), idempotent
  serve [--host] [--port]      run the API (port 0: pick a free port; the URL is printed first)
  create-user --username --role agent|supervisor|admin [--team] [--partner USER]   password from stdin
  set-phone USER NUMBER | set-phone USER --clear   a user's mobile number (safety alarms by SMS)
  pair AGENT PARTNER | pair AGENT --clear   set or clear a standing pair (both ways; logged)
  import-cases FILE            CSV (UTF-8, UTF-8 with BOM, GBK) or JSON from the lending platform;
                               exit 1 if the file or any row was refused (each row said with its line)
  demo-data [--cases N]        demo team and cases; prints the accounts and their passwords
  demo-data --pairs            pair the demo agents who have no partner yet (a demo database made earlier)
  prune-changes --keep N       forget old pull-log rows (cursors older than that get 410)
  ladder-report --from D --to D --out DIR [--team T] [--lang zh|en] [--as-of D]
                               the ladder report (PDF + XLSX): what the cheap steps achieved
  sms list [--status S] | sms templates show|set FILE | sms send [--now ISO] --sms-gateway URL
                               the ladder's SMS reminders: the queue, the templates, one sending pass
  letters --date D --out DIR   the day's lawyer's letters: PDFs, one print file, the mailing manifest;
                               letters tracking FILE | letters firms|templates show|set FILE
  ladder policy show|set FILE [--team T]   a team's escalation-ladder policy (checked; versioned)
  ladder run --date YYYY-MM-DD [--dry-run]  the daily ladder run (moves by level, skips by reason)
  ladder hold|release CASE_NO --reason R / ladder move CASE_NO LEVEL --reason R   a supervisor's hand (audited)

The database URL: `sqlite:///path/to/headoffice.sqlite3` (default: ./headoffice.sqlite3, or the
environment variable DOORSTEP_HEADOFFICE_DB) or `postgresql://user:pass@host:port/dbname`.

One module per command group (`headoffice/cli/<group>.py`, each with `register(subparsers, common)`),
listed in `COMMAND_GROUPS` in the order `--help` shows them. A group that cannot be imported stops
`python -m headoffice` with a message naming it (exit 70); it never just goes missing. Heavy libraries
(SQLAlchemy, uvicorn, FastAPI, argon2) load inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

DEFAULT_DB = "sqlite:///headoffice.sqlite3"

# The command groups, in the order `python -m headoffice --help` lists their commands.
COMMAND_GROUPS: tuple[str, ...] = (
    "headoffice.cli.db",  # init-db
    "headoffice.cli.serve",  # serve
    "headoffice.cli.users",  # create-user
    "headoffice.cli.pair",  # pair
    "headoffice.cli.import_cases",  # import-cases
    "headoffice.cli.demo",  # demo-data
    "headoffice.cli.changes",  # prune-changes
    "headoffice.cli.ladder_report",  # ladder-report
    "headoffice.cli.sms",  # sms list | templates show|set | send
    "headoffice.cli.letters",  # letters (lawyer's letters)
    "headoffice.cli.ladder",  # ladder policy|run|hold|release|move
)

EXIT_BROKEN_INSTALL = 70  # sysexits' EX_SOFTWARE


class CliError(Exception):
    """A problem the operator can fix; printed as one line, exit code 2."""


class CommandGroupError(Exception):
    """A module of COMMAND_GROUPS could not be imported or registered: a broken installation or a
    bug, never a command to leave out quietly. `main` names the group and the cause, exit code 70."""


def build_parser() -> argparse.ArgumentParser:
    """The whole parser; raises CommandGroupError if a command group cannot be loaded."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=os.environ.get("DOORSTEP_HEADOFFICE_DB", DEFAULT_DB),
                        help="database URL (sqlite:///file or postgresql://…)")
    parser = argparse.ArgumentParser(prog="python -m headoffice", description="Doorstep head office")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_GROUPS:
        register_group(name, sub, common)
    return parser


def register_group(name: str, sub: Any, common: argparse.ArgumentParser) -> None:
    """Import one command group and let it add its commands; any failure is a CommandGroupError."""
    try:
        importlib.import_module(name).register(sub, common)
    except Exception as exc:  # ImportError, SyntaxError, a failing module body, no or a failing register()
        raise CommandGroupError(f"the command group {name} could not be loaded: "
                                f"{type(exc).__name__}: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except CommandGroupError as exc:
        import traceback

        if exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        print(f"error: broken installation: {exc}", file=sys.stderr)
        return EXIT_BROKEN_INSTALL
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database that cannot be reached, a bad URL, one that refused a write …
        from sqlalchemy.exc import ArgumentError, DBAPIError

        if isinstance(exc, DBAPIError | ArgumentError):
            first = (str(exc).splitlines() or [""])[0][:300]
            print(f"error: cannot use the database: {type(exc).__name__}: {first}",
                  file=sys.stderr)
            return 2
        raise
