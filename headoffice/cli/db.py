"""`python -m headoffice init-db`: create or upgrade the schema (Alembic), idempotent."""

from __future__ import annotations

import argparse
from typing import Any

from headoffice.cli.common import database


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init-db", parents=[common], help="create or upgrade the database schema")
    p.set_defaults(handler=cmd_init_db)


def cmd_init_db(args: argparse.Namespace) -> int:
    from headoffice.migrate import upgrade

    db = database(args)
    try:
        upgrade(db)
    finally:
        db.dispose()
    print("database ready")
    return 0
