"""`python -m app check`: integrity check of the store. Exit 0 sound, 1 a problem found."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import open_from_args


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("check", parents=[common], help="integrity check of the store",
                       description="Schema version, SQLite integrity, foreign keys, search index, audit chain.")
    p.set_defaults(handler=cmd_check)


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
