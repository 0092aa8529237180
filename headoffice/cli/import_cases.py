"""`python -m headoffice import-cases FILE`: overdue cases from the lending platform (CSV or JSON).

Exit 0: every row imported; 1: the file, or some of its rows, refused (each said on standard error
with its line and field); 2: the command could not run (usage, database).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from headoffice.cli.common import database, require_schema


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import-cases", parents=[common], help="import overdue cases (CSV or JSON)")
    p.add_argument("file")
    p.add_argument("--team", default="", help="team for rows that name none")
    p.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0: every row imported; 1: the file, or some of its rows, refused (each said on standard
    error with its line and field); 2: the command could not run (usage, database)."""
    from headoffice.importer import ImportFileError, import_file

    db = database(args)
    try:
        require_schema(db)
        report = import_file(db, Path(args.file), default_team=args.team)
    except ImportFileError as exc:
        print(f"error: {args.file}: {exc}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    for problem in report.problems:
        print(f"line {problem.line}: {problem.reason}", file=sys.stderr)
    print(f"imported {report.created} new and {report.updated} updated cases; "
          f"{report.unchanged} unchanged; {len(report.problems)} row(s) skipped")
    return 1 if report.problems else 0
