"""`python -m headoffice prune-changes --keep N`: forget old pull-log rows (cursors older than that get 410)."""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli.common import database, require_schema


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("prune-changes", parents=[common], help="forget old pull-log rows")
    p.add_argument("--keep", type=int, required=True)
    p.set_defaults(handler=cmd_prune)


def cmd_prune(args: argparse.Namespace) -> int:
    from headoffice.changes import prune

    db = database(args)
    require_schema(db)
    with db.write() as session:
        n = prune(session, args.keep)
    print(f"forgot {n} change(s)")
    return 0
