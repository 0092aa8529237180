"""`python -m app demo-data`: a deterministic demo city in an empty store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli import CliError
from app.cli.common import iso_date, open_from_args, positive_int


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo-data", parents=[common], help="fill an empty store with a demo city",
                       description="Generate deterministic demo data (Chengdu) into an empty store.")
    p.add_argument("--cases", type=positive_int(1_000_000), required=True, help="how many cases (1–1,000,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--today", type=iso_date, default=None, help="the day the data is built around (YYYY-MM-DD)")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the store already holds cases")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_demo_data)


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
